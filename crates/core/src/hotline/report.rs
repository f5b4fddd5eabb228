//! The hotline's figures on the store: the key figures of a period with the
//! line's cost per answered call, the staffing split of its members, a
//! proposed group, the roster against the shares, the Erlang plan, and
//! the members' statements (previewed, issued, read back).
//!
//! Owns where each input comes from: a member's inhabitants are the
//! population on 1 January of the year asked for (or the latest year
//! before it the reference data has, stated with the figure); the price is
//! the rule in force; staffed hours are the roster's. The rules themselves
//! are the pure modules' (`figures`, `staffing`, `plan`, `statement`).
//! Must not know HTTP or the terminal.

use super::admin::{entity_id, Line};
use super::figures::{key_figures, FigureSettings, Figures, Grouping, KeyFigures};
use super::plan::{plan as make_plan, Plan, PlanSettings};
use super::staffing::{
    against_share, proposed_group, split, staffed_hours, Member, ProposedGroup, RosterShift,
    ShareBalances, Shift, Split, REFERENCE_POPULATION, REFERENCE_WEEKLY_AGENT_HOURS,
};
use super::statement::{
    statement, Discount, PriceRule, Statement, StatementInput, StatementLine, StatementMember,
};
use crate::accounts::access::Actor;
use crate::reports::tabular::{Cell, Table};
use crate::setup::{change, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use komhen_domain::hotline::{Call, MemberKind};
use komhen_domain::{da, dl};
use komhen_domain::{MunicipalityCode, StatementId};
use komhen_store::{HotlineRegistrationFilter, NewStatement, SetupChange, StatementRow, Store};
use serde_json::{json, Value};

/// The longest correction reason.
pub const REASON_MAX: usize = 500;

/// A member's inhabitants as used: the year of the figure and the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inhabitants {
    pub year: i32,
    pub population: i64,
}

/// The population on 1 January of `year`, or of the latest year before it
/// the reference data holds (the earliest, for a year before them all).
pub async fn inhabitants(
    store: &dyn Store,
    code: MunicipalityCode,
    year: i32,
) -> CoreResult<Option<Inhabitants>> {
    let rows = store.list_populations(code).await?;
    let chosen = rows
        .iter()
        .filter(|r| r.year <= year)
        .max_by_key(|r| r.year)
        .or_else(|| rows.iter().min_by_key(|r| r.year));
    Ok(chosen.map(|r| Inhabitants {
        year: r.year,
        population: r.population,
    }))
}

/// The line's settings as the figures need them.
pub fn figure_settings(line: &Line) -> FigureSettings {
    let s = &line.row.settings;
    FigureSettings {
        opening_hours: line.opening.clone(),
        service_seconds: u32::try_from(s.service_seconds).unwrap_or(0),
        service_target: s.service_percent as f64 / 100.0,
        short_abandon_seconds: u32::try_from(s.short_abandon_seconds).unwrap_or(0),
    }
}

/// The instants a period of Danish local days runs between (the one
/// rule of a period's length: [`super::staffing::period_instants`]).
fn period(from: NaiveDate, to: NaiveDate) -> CoreResult<(DateTime<Utc>, DateTime<Utc>)> {
    super::staffing::period_instants(from, to)
}

/// The calls that arrived in the period.
pub async fn calls(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<Call>> {
    let (start, end) = period(from, to)?;
    Ok(store.list_calls(line.id(), start, end).await?)
}

/// The roster's shifts overlapping the period.
pub async fn roster(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<RosterShift>> {
    let (start, end) = period(from, to)?;
    Ok(store
        .list_shifts(line.id(), start, end)
        .await?
        .into_iter()
        .map(|s| RosterShift {
            member: s.shift.municipality,
            start: s.shift.starts_at,
            end: s.shift.ends_at,
            agents: u32::try_from(s.shift.agents).unwrap_or(0),
        })
        .collect())
}

/// A period's key figures and what the line cost in it.
#[derive(Debug, Clone)]
pub struct PeriodFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub figures: Figures,
    /// The line's cost in the period, in øre: for each day, the members'
    /// inhabitants × the price per citizen and month in force ÷ the days of
    /// the month (None: no price rule covers the period).
    pub cost_ore: Option<i64>,
    /// Cost ÷ answered calls, in øre.
    pub cost_per_answered_ore: Option<i64>,
}

/// The key figures of the period, grouped.
pub async fn period_figures(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
    grouping: Grouping,
) -> CoreResult<PeriodFigures> {
    let calls = calls(store, line, from, to).await?;
    let mut figures = key_figures(&calls, &figure_settings(line), grouping);
    let registered: Vec<_> = store
        .list_hotline_registrations(&HotlineRegistrationFilter {
            hotline: Some(line.id()),
            unit: None,
            from,
            to,
            include_test: false,
            limit: None,
        })
        .await?
        .into_iter()
        .map(|h| (h.registration.registered_at, h.link.outcome))
        .collect();
    super::figures::add_outcomes(&mut figures, &registered);
    let cost_ore = line_cost(store, line, from, to).await?;
    let cost_per_answered_ore = match (cost_ore, figures.whole.answered) {
        (Some(cost), answered) if answered > 0 => Some(super::statement::round_half_away(
            i128::from(cost),
            i128::from(answered),
        )),
        _ => None,
    };
    Ok(PeriodFigures {
        from,
        to,
        figures,
        cost_ore,
        cost_per_answered_ore,
    })
}

/// The header of the key figures' table: the call data's figures, then the
/// registered calls and their outcomes, then the cost per answered call.
pub const FIGURES_HEADER: [&str; 21] = [
    dl!("Gruppe"),
    dl!("Tilbudt"),
    dl!("Besvaret"),
    dl!("Tabt"),
    dl!("Kort opgivet"),
    dl!("Uvist udfald"),
    dl!("Serviceniveau"),
    dl!("Gns. ventetid (s)"),
    dl!("Median ventetid (s)"),
    dl!("90 %-fraktil ventetid (s)"),
    dl!("Gns. samtaletid (s)"),
    dl!("Max samtidige"),
    dl!("I åbningstid"),
    dl!("Uden for åbningstid"),
    dl!("Viderestillet"),
    dl!("Uden slut"),
    dl!("Registrerede opkald"),
    dl!("Løst med det samme"),
    dl!("Henvist til fremmøde"),
    dl!("Henvist andetsteds"),
    dl!("Kr. pr. besvaret"),
];

/// The period's key figures as one table (page, CSV, XLSX and the command
/// line alike): a row per group, then the whole period, which alone
/// carries the cost per answered call.
pub fn figures_table(p: &PeriodFigures) -> Table {
    let row = |label: String, f: &KeyFigures, cost: Option<i64>| {
        let int = |n: u64| Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX));
        let opt_int = |n: Option<u32>| n.map_or(Cell::Empty, |n| Cell::Integer(i64::from(n)));
        let opt_dec = |x: Option<f64>| x.map_or(Cell::Empty, |x| Cell::Decimal(x, 1));
        let opt_share = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Share);
        vec![
            Cell::Text(label),
            int(f.offered),
            int(f.answered),
            int(f.lost),
            int(f.short_abandons),
            int(f.unknown_outcome),
            opt_share(f.service_level),
            opt_dec(f.mean_wait_seconds),
            opt_int(f.median_wait_seconds),
            opt_int(f.p90_wait_seconds),
            opt_dec(f.mean_talk_seconds),
            Cell::Integer(i64::from(f.max_concurrent)),
            int(f.inside_hours),
            int(f.outside_hours),
            int(f.transferred),
            int(f.no_end),
            int(f.outcomes.registered),
            opt_share(f.outcomes.solved_share()),
            opt_share(f.outcomes.attendance_share()),
            opt_share(f.outcomes.elsewhere_share()),
            cost.map_or(Cell::Empty, |ore| Cell::Decimal(ore as f64 / 100.0, 2)),
        ]
    };
    let figures = &p.figures;
    let mut rows = Vec::new();
    if figures.grouping != Grouping::Whole {
        for g in &figures.groups {
            rows.push(row(g.key.label_da(), &g.figures, None));
        }
    }
    rows.push(row(
        dl!("Hele perioden").into(),
        &figures.whole,
        p.cost_per_answered_ore,
    ));
    Table {
        header: FIGURES_HEADER.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// The line's cost in the period (see [`PeriodFigures::cost_ore`]).
async fn line_cost(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Option<i64>> {
    let rules = price_rules(line);
    if rules.is_empty() {
        return Ok(None);
    }
    let mut populations: Vec<(MunicipalityCode, i32, i64)> = Vec::new();
    // Thousandths of an øre: millikroner × inhabitants ÷ days, exact.
    let mut exact: i128 = 0;
    let mut day = from;
    let mut priced = false;
    while day <= to {
        let month_first = day.with_day(1).unwrap_or(day);
        if let Some(rule) = super::statement::rule_in_force(&rules, month_first) {
            priced = true;
            let days = days_in_month(day);
            for member in line.members_on(day) {
                let code = member.member.municipality;
                let population = match populations
                    .iter()
                    .find(|(c, y, _)| *c == code && *y == day.year())
                {
                    Some((_, _, p)) => *p,
                    None => {
                        let p = inhabitants(store, code, day.year())
                            .await?
                            .map_or(0, |i| i.population);
                        populations.push((code, day.year(), p));
                        p
                    }
                };
                exact +=
                    i128::from(population) * i128::from(rule.price_millikr_per_citizen_month) * 100
                        / i128::from(days);
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    // millikroner × 100 = thousandths of an øre... ÷ 1 000 = øre.
    Ok(priced.then(|| super::statement::round_half_away(exact, 1000)))
}

fn days_in_month(day: NaiveDate) -> i64 {
    let first = day.with_day(1).unwrap_or(day);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first + Duration::days(31));
    (next - first).num_days()
}

fn price_rules(line: &Line) -> Vec<PriceRule> {
    line.prices
        .iter()
        .map(|p| PriceRule {
            valid_from: p.price.valid_from,
            price_millikr_per_citizen_month: p.price.price_millikr,
            credit_ore_per_hour: p.price.credit_ore_per_hour,
        })
        .collect()
}

fn shift(line: &Line) -> Shift {
    Shift {
        hours: line.row.settings.shift_minutes as f64 / 60.0,
        agents: u32::try_from(line.row.settings.agents_at_a_time).unwrap_or(1),
    }
}

/// A member of the split with the year its population is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSource {
    pub code: MunicipalityCode,
    pub name: String,
    /// The year of the population figure used (None: the reference data
    /// has none; the member is left out of the split).
    pub year: Option<i32>,
}

/// The line's weekly agent-hours split between the members that staff
/// shifts on `day`, by their inhabitants on 1 January of its year.
pub async fn staffing_split(
    store: &dyn Store,
    line: &Line,
    day: NaiveDate,
) -> CoreResult<(Split, Vec<SplitSource>)> {
    let mut members = Vec::new();
    let mut sources = Vec::new();
    for m in line.members_on(day) {
        if m.member.kind != MemberKind::StaffsAndPays {
            continue;
        }
        let code = m.member.municipality;
        let found = inhabitants(store, code, day.year()).await?;
        sources.push(SplitSource {
            code,
            name: m.name.clone(),
            year: found.map(|i| i.year),
        });
        if let Some(i) = found {
            members.push(Member {
                code,
                name: m.name.clone(),
                population: i.population,
            });
        }
    }
    if members.is_empty() {
        return Err(CoreError::Invalid(
            dl!("Linjen har ingen medlemmer, der bemander vagter, på dagen.").into(),
        ));
    }
    Ok((
        split(&members, line.weekly_agent_hours(), shift(line))?,
        sources,
    ))
}

/// A proposed group of municipalities measured against the reference line
/// (1,3 million citizens, 120 agent-hours a week), with the line's shift,
/// and the year of each member's population figure.
pub async fn proposed(
    store: &dyn Store,
    line: &Line,
    codes: &[MunicipalityCode],
    year: i32,
) -> CoreResult<(ProposedGroup, Vec<SplitSource>)> {
    let names = store.list_municipalities().await?;
    let mut members = Vec::new();
    let mut sources = Vec::new();
    for code in codes {
        let name = names
            .iter()
            .find(|m| m.code == *code)
            .map(|m| m.name.clone())
            .ok_or_else(|| CoreError::Invalid(da!("Kommunekoden {code} findes ikke.")))?;
        let found = inhabitants(store, *code, year)
            .await?
            .ok_or_else(|| CoreError::Invalid(da!("{name} har intet folketal.")))?;
        let population = found.population;
        sources.push(SplitSource {
            code: *code,
            name: name.clone(),
            year: Some(found.year),
        });
        members.push(Member {
            code: *code,
            name,
            population,
        });
    }
    if members.is_empty() {
        return Err(CoreError::Invalid(dl!("Vælg mindst én kommune.").into()));
    }
    let group = proposed_group(
        &members,
        REFERENCE_POPULATION,
        REFERENCE_WEEKLY_AGENT_HOURS,
        shift(line),
    )?;
    Ok((group, sources))
}

/// The roster's staffed hours in the period against each staffing
/// member's share (the split on the period's first day).
pub async fn roster_balance(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<ShareBalances> {
    let (split, _) = staffing_split(store, line, from).await?;
    let shifts = roster(store, line, from, to).await?;
    Ok(against_share(&split, &staffed_hours(&shifts, from, to)?))
}

/// The Erlang plan from the period's calls and roster.
pub async fn plan(
    store: &dyn Store,
    line: &Line,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Plan> {
    let calls = calls(store, line, from, to).await?;
    let shifts = roster(store, line, from, to).await?;
    let s = figure_settings(line);
    make_plan(
        &calls,
        &shifts,
        from,
        to,
        &PlanSettings {
            opening_hours: s.opening_hours,
            service_seconds: s.service_seconds,
            service_target: s.service_target,
        },
    )
}

/// A statement with where its inhabitants came from.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedStatement {
    pub statement: Statement,
    /// The year of the population figure used.
    pub population_year: i32,
}

/// A member's statement for whole months, as it would be issued now.
pub async fn preview_statement(
    store: &dyn Store,
    line: &Line,
    code: MunicipalityCode,
    first_month: NaiveDate,
    last_month: NaiveDate,
) -> CoreResult<IssuedStatement> {
    let member = line
        .members
        .iter()
        .filter(|m| m.member.municipality == code)
        .max_by_key(|m| m.member.joined_on)
        .ok_or_else(|| CoreError::Invalid(da!("Kommune {code} er ikke medlem af linjen.")))?;
    let first = first_month.with_day(1).unwrap_or(first_month);
    let last = last_month.with_day(1).unwrap_or(last_month);
    let Some(after) = last.checked_add_months(chrono::Months::new(1)) else {
        return Err(CoreError::Invalid(dl!("Perioden slutter for sent.").into()));
    };
    let to = after.pred_opt().unwrap_or(last);
    let found = inhabitants(store, code, first.year())
        .await?
        .ok_or_else(|| CoreError::Invalid(da!("{} har intet folketal.", member.name)))?;
    let staffed = if member.member.kind == MemberKind::StaffsAndPays && first <= to {
        let shifts = roster(store, line, first, to).await?;
        staffed_hours(&shifts, first, to)?.of(code)
    } else {
        0.0
    };
    let s = &line.row.settings;
    let statement = statement(&StatementInput {
        member: StatementMember {
            code,
            name: member.name.clone(),
            joined: member.member.joined_on,
            left: member.member.left_on.and_then(|d| d.pred_opt()),
            kind: member.member.kind,
        },
        population: found.population,
        rules: price_rules(line),
        discount: Discount {
            percent: u32::try_from(s.discount_percent).unwrap_or(0),
            months: u32::try_from(s.discount_months).unwrap_or(0),
        },
        first_month: first,
        last_month: last,
        staffed_hours: staffed,
    })?;
    Ok(IssuedStatement {
        statement,
        population_year: found.year,
    })
}

/// What to issue: a member's statement for whole months, or a correction
/// of an issued one (with the reason).
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    pub municipality: MunicipalityCode,
    pub first_month: NaiveDate,
    pub last_month: NaiveDate,
    /// The statement this one corrects.
    pub corrects: Option<StatementId>,
    pub reason: &'a str,
}

/// Issues a member's statement: computed now, stored whole and never
/// changed. A correction names the statement it corrects and says why.
pub async fn issue_statement(
    store: &dyn Store,
    actor: &Actor,
    line: &Line,
    issue: &Issue<'_>,
) -> CoreResult<StatementId> {
    let Issue {
        municipality: code,
        first_month,
        last_month,
        corrects,
        reason,
    } = *issue;
    let reason = reason.trim();
    if reason.chars().count() > REASON_MAX {
        return Err(CoreError::Invalid(da!(
            "Begrundelsen må højst være {REASON_MAX} tegn."
        )));
    }
    let issued = store.list_statements(line.id(), Some(code)).await?;
    if let Some(earlier) = corrects {
        let Some(row) = issued.iter().find(|s| s.id == earlier) else {
            return Err(CoreError::Invalid(
                dl!("Opgørelsen, der rettes, findes ikke for kommunen.").into(),
            ));
        };
        if row.corrected_by.is_some() {
            return Err(CoreError::Invalid(
                dl!("Opgørelsen er allerede rettet: ret den seneste rettelse.").into(),
            ));
        }
        if reason.is_empty() {
            return Err(CoreError::Invalid(
                dl!("Skriv, hvorfor opgørelsen rettes.").into(),
            ));
        }
    }
    let preview = preview_statement(store, line, code, first_month, last_month).await?;
    let st = &preview.statement;
    if corrects.is_none() {
        if let Some(overlap) = issued.iter().find(|s| {
            s.corrected_by.is_none()
                && s.statement.first_month <= st.last_month
                && st.first_month <= s.statement.last_month
        }) {
            return Err(CoreError::Invalid(da!(
                "Der er allerede udstedt en opgørelse for {} fra {} til {} (nr. {}). Ret den i \
                 stedet for at udstede en ny.",
                st.name,
                komhen_domain::month_label_da(overlap.statement.first_month),
                komhen_domain::month_label_da(overlap.statement.last_month),
                overlap.id
            )));
        }
    }
    let body = statement_json(&preview);
    let applied = change(
        store,
        actor,
        SetupChange::IssueStatement(NewStatement {
            hotline: line.id(),
            municipality: code,
            first_month: st.first_month,
            last_month: st.last_month,
            amount_ore: st.amount_due_ore,
            body: body.to_string(),
            corrects,
            reason: reason.to_owned(),
            issued_by: actor.as_str().to_owned(),
            issued_at: Utc::now(),
        }),
        Entry {
            municipality: Some(code),
            action: if corrects.is_some() {
                "correct_statement"
            } else {
                "issue_statement"
            },
            entity: "hotline_statement",
            entity_id: entity_id(line.id(), &format!("opgoerelse/{code}")),
            before: corrects.map(|c| json!({ "retter": c.to_string() })),
            after: Some(json!({
                "kommune": code.get(),
                "fra": st.first_month.to_string(),
                "til": st.last_month.to_string(),
                "beloeb_oere": st.amount_due_ore,
                "begrundelse": reason,
            })),
        },
    )
    .await?;
    applied
        .id
        .map(StatementId)
        .ok_or_else(|| CoreError::Invalid(dl!("Opgørelsen blev ikke gemt.").into()))
}

/// The version of the stored statement's JSON.
const BODY_VERSION: i64 = 1;

/// A statement as stored: every input and line, amounts in øre.
pub fn statement_json(issued: &IssuedStatement) -> Value {
    let s = &issued.statement;
    json!({
        "version": BODY_VERSION,
        "kommune": s.code.get(),
        "navn": s.name,
        "form": s.kind.code(),
        "indbyggere": s.population,
        "folketal_aar": issued.population_year,
        "foerste_maaned": s.first_month.to_string(),
        "sidste_maaned": s.last_month.to_string(),
        "maaneder": s.lines.iter().map(|l| json!({
            "maaned": l.month.to_string(),
            "medlem": l.charged,
            "indbyggere": l.inhabitants,
            "pris_millikr": l.price_millikr,
            "grundbeloeb_oere": l.base_ore,
            "rabatmaaned": l.in_discount,
            "rabat_procent": l.discount_percent,
            "rabat_oere": l.discount_ore,
        })).collect::<Vec<_>>(),
        "grundbeloeb_oere": s.base_ore,
        "rabat_oere": s.discount_ore,
        "bemandede_timer": s.staffed_hours,
        "godtgoerelse_pr_time_oere": s.credit_ore_per_hour,
        "godtgoerelse_oere": s.credit_ore,
        "at_betale_oere": s.amount_due_ore,
    })
}

/// An issued statement read back from its stored JSON.
pub fn stored_statement(row: &StatementRow) -> CoreResult<IssuedStatement> {
    let bad = || CoreError::Invalid(da!("Opgørelse nr. {} kan ikke læses.", row.id));
    let v: Value = serde_json::from_str(&row.statement.body).map_err(|_| bad())?;
    let int = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).ok_or_else(bad);
    let date = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<NaiveDate>().ok())
            .ok_or_else(bad)
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut lines = Vec::new();
    for l in v
        .get("maaneder")
        .and_then(Value::as_array)
        .ok_or_else(bad)?
    {
        lines.push(StatementLine {
            month: date(l, "maaned")?,
            charged: l.get("medlem").and_then(Value::as_bool).ok_or_else(bad)?,
            inhabitants: int(l, "indbyggere")?,
            price_millikr: int(l, "pris_millikr")?,
            base_ore: int(l, "grundbeloeb_oere")?,
            in_discount: l
                .get("rabatmaaned")
                .and_then(Value::as_bool)
                .ok_or_else(bad)?,
            discount_percent: u32::try_from(int(l, "rabat_procent")?).map_err(|_| bad())?,
            discount_ore: int(l, "rabat_oere")?,
        });
    }
    let code = u16::try_from(int(&v, "kommune")?)
        .ok()
        .and_then(|c| MunicipalityCode::new(c).ok())
        .ok_or_else(bad)?;
    Ok(IssuedStatement {
        statement: Statement {
            code,
            name: text(&v, "navn").ok_or_else(bad)?,
            kind: text(&v, "form")
                .and_then(|k| MemberKind::parse(&k))
                .ok_or_else(bad)?,
            population: int(&v, "indbyggere")?,
            first_month: date(&v, "foerste_maaned")?,
            last_month: date(&v, "sidste_maaned")?,
            lines,
            base_ore: int(&v, "grundbeloeb_oere")?,
            discount_ore: int(&v, "rabat_oere")?,
            staffed_hours: v
                .get("bemandede_timer")
                .and_then(Value::as_f64)
                .ok_or_else(bad)?,
            credit_ore_per_hour: int(&v, "godtgoerelse_pr_time_oere")?,
            credit_ore: int(&v, "godtgoerelse_oere")?,
            amount_due_ore: int(&v, "at_betale_oere")?,
        },
        population_year: i32::try_from(int(&v, "folketal_aar")?).map_err(|_| bad())?,
    })
}

/// The line's issued statements (None: every member's), newest first.
pub async fn statements(
    store: &dyn Store,
    line: &Line,
    code: Option<MunicipalityCode>,
) -> CoreResult<Vec<StatementRow>> {
    Ok(store.list_statements(line.id(), code).await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use komhen_store::StatementRow;

    #[test]
    fn a_statement_reads_back_exactly_as_issued() {
        let input = StatementInput {
            member: StatementMember {
                code: MunicipalityCode::new(825).unwrap(),
                name: "Læsø".into(),
                joined: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
                left: None,
                kind: MemberKind::StaffsAndPays,
            },
            population: 1808,
            rules: vec![PriceRule {
                valid_from: NaiveDate::from_ymd_opt(2014, 1, 1).unwrap(),
                price_millikr_per_citizen_month: 210,
                credit_ore_per_hour: 27_200,
            }],
            discount: Discount {
                percent: 20,
                months: 3,
            },
            first_month: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
            last_month: NaiveDate::from_ymd_opt(2015, 3, 1).unwrap(),
            staffed_hours: 1.5,
        };
        let issued = IssuedStatement {
            statement: statement(&input).unwrap(),
            population_year: 2015,
        };
        let row = StatementRow {
            id: StatementId(7),
            statement: NewStatement {
                hotline: komhen_domain::HotlineId(1),
                municipality: input.member.code,
                first_month: input.first_month,
                last_month: input.last_month,
                amount_ore: issued.statement.amount_due_ore,
                body: statement_json(&issued).to_string(),
                corrects: None,
                reason: String::new(),
                issued_by: "bruger:a@b.dk".into(),
                issued_at: Utc::now(),
            },
            corrected_by: None,
        };
        assert_eq!(stored_statement(&row).unwrap(), issued);
        // 1808 × 0,168 kr × 3 = 911,23 kr, less 1,5 h × 272 kr = 408 kr.
        assert_eq!(
            issued.statement.base_ore - issued.statement.discount_ore,
            91_123
        );
        assert_eq!(issued.statement.amount_due_ore, 91_123 - 40_800);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(crate::hotline::statement::round_half_away(15, 10), 2);
        assert_eq!(crate::hotline::statement::round_half_away(-15, 10), -2);
        assert_eq!(crate::hotline::statement::round_half_away(14, 10), 1);
        assert_eq!(
            days_in_month(NaiveDate::from_ymd_opt(2024, 2, 10).unwrap()),
            29
        );
    }
}
