//! The line's staffing (`/hotline/{linje}/bemanding`): the split of its
//! weekly agent-hours between the members that staff it, a proposed group
//! against the reference line, the roster against the shares for a
//! period, and the roster itself with adding and removing shifts.

use super::{
    base, first, frame, line, parse_date, parse_time, query_date, query_pairs, today, Choice,
    PageResult,
};
use crate::access::Authorized;
use crate::format::number;
use crate::forms::{after_change, when};
use crate::frame::{Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse};
use axum::Form;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use komhen_core::hotline::admin::{self, ShiftInput};
use komhen_core::hotline::report;
use komhen_core::hotline::staffing::{Share, Split};
use komhen_core::reports::tabular::decimal_da;
use komhen_core::CoreError;
use komhen_domain::hotline::MemberKind;
use komhen_domain::{danish_instant, MunicipalityCode, ShiftId};
use serde::Deserialize;

/// A share with two decimals, as the seed's table writes it (0,31 %).
fn percent(share: Share) -> String {
    let value = *share.numer() as f64 / (*share.denom()).max(1) as f64;
    format!("{} %", decimal_da(value * 100.0, 2))
}

struct Pick {
    code: String,
    label: String,
    selected: bool,
}

struct SplitView {
    name: String,
    population: String,
    share: String,
    hours: String,
    shifts: String,
}

/// A split's rows and its total row, as the tables show them.
fn split_views(split: &Split) -> (Vec<SplitView>, SplitView) {
    let rows = split
        .rows
        .iter()
        .map(|r| SplitView {
            name: r.name.clone(),
            population: number(r.population),
            share: percent(r.share),
            hours: decimal_da(r.hours_per_week, 1),
            shifts: decimal_da(r.shifts_per_year, 1),
        })
        .collect();
    let total = SplitView {
        name: crate::t("I alt").into(),
        population: number(split.total_population),
        share: percent(split.total_share()),
        hours: decimal_da(split.weekly_agent_hours, 1),
        shifts: decimal_da(split.total_shifts_per_year, 1),
    };
    (rows, total)
}

struct BalanceView {
    name: String,
    share: String,
    due: String,
    staffed: String,
    difference: String,
}

struct ShiftView {
    id: i64,
    member: String,
    starts: String,
    ends: String,
    agents: i64,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "hotline_staffing.html")]
struct StaffingPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    day: String,
    from: String,
    to: String,
    split: Vec<SplitView>,
    split_total: Option<SplitView>,
    split_note: String,
    proposed: Option<String>,
    proposed_rows: Vec<SplitView>,
    proposed_total: Option<SplitView>,
    municipalities: Vec<Pick>,
    balance: Vec<BalanceView>,
    balance_total: Option<BalanceView>,
    balance_note: String,
    shifts: Vec<ShiftView>,
    staffing_members: Vec<Choice>,
}

struct Asked {
    day: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    codes: Vec<MunicipalityCode>,
    /// What could not be read (the defaults stand in for it).
    unreadable: Option<String>,
}

fn asked(state: &AppState, pairs: &[(String, String)]) -> Asked {
    let today = today(state);
    let month = today.with_day(1).unwrap_or(today);
    let month_end = month
        .checked_add_months(chrono::Months::new(1))
        .map_or(today, |d| d - Duration::days(1));
    let day = query_date(pairs, "dag", crate::t("Dagen"), today);
    let from = query_date(pairs, "fra", crate::t("Fra"), month);
    let to = query_date(pairs, "til", crate::t("Til og med"), month_end);
    let mut codes = Vec::new();
    let mut unknown = Vec::new();
    for c in pairs
        .iter()
        .filter(|(k, _)| k == "kommuner")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match MunicipalityCode::parse(c) {
            Ok(code) => codes.push(code),
            Err(_) => unknown.push(format!("«{c}»")),
        }
    }
    let unreadable = [day.as_ref().err(), from.as_ref().err(), to.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .chain(
            (!unknown.is_empty())
                .then(|| crate::t1("{0} er ikke kommunekoder.", unknown.join(", "))),
        )
        .reduce(|a, b| format!("{a} {b}"));
    Asked {
        day: day.unwrap_or(today),
        from: from.unwrap_or(month),
        to: to.unwrap_or(month_end),
        codes,
        unreadable,
    }
}

async fn staffing_page(
    state: &AppState,
    auth: &Authorized,
    asked: Asked,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let line = line(state, auth).await?;
    let hours = |h: f64| decimal_da(h, 1);
    let (split, split_total, split_note) =
        match report::staffing_split(store, &line, asked.day).await {
            Ok((split, sources)) => {
                let (rows, total) = split_views(&split);
                let years: Vec<String> = sources
                    .iter()
                    .map(|s| match s.year {
                        Some(y) => crate::t2("{0} (folketal {1})", &s.name, y),
                        None => crate::t1("{0} (intet folketal: udeladt)", &s.name),
                    })
                    .collect();
                (
                    rows,
                    Some(total),
                    crate::t3(
                        "Fordelt efter folketal: {0}. En vagt er {1} timer med {2} medarbejdere.",
                        years.join(", "),
                        decimal_da(split.shift.hours, 1),
                        split.shift.agents,
                    ),
                )
            }
            Err(CoreError::Invalid(message)) => (Vec::new(), None, message),
            Err(e) => return Err(e.into()),
        };
    let (proposed, proposed_rows, proposed_total) = if asked.codes.is_empty() {
        (None, Vec::new(), None)
    } else {
        match report::proposed(store, &line, &asked.codes, asked.day.year()).await {
            Ok((p, sources)) => {
                let years: Vec<String> = sources
                    .iter()
                    .filter_map(|s| s.year)
                    .map(|y| y.to_string())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let (rows, total) = split_views(&p.split);
                (
                    Some(format!(
                        "{} ({}) = {}",
                        crate::t3(
                            "{0} indbyggere (folketal {1}) er {2} af referencelinjen",
                            number(p.population),
                            years.join(", "),
                            format_args!("{} %", decimal_da(p.share_f64() * 100.0, 1)),
                        ),
                        crate::t2(
                            "{0} indbyggere, {1} timer pr. uge",
                            number(p.reference_population),
                            decimal_da(p.reference_weekly_agent_hours, 0),
                        ),
                        crate::t1(
                            "{0} medarbejdertimer pr. uge.",
                            decimal_da(p.hours_per_week, 1)
                        ),
                    )),
                    rows,
                    Some(total),
                )
            }
            Err(CoreError::Invalid(message)) => (Some(message), Vec::new(), None),
            Err(e) => return Err(e.into()),
        }
    };
    let (balance, balance_total, balance_note) =
        match report::roster_balance(store, &line, asked.from, asked.to).await {
            Ok(b) => {
                let rows = b
                    .rows
                    .iter()
                    .map(|r| BalanceView {
                        name: r.name.clone(),
                        share: percent(r.share),
                        due: hours(r.due_hours),
                        staffed: hours(r.staffed_hours),
                        difference: hours(r.difference),
                    })
                    .collect();
                let total = BalanceView {
                    name: crate::t("I alt").into(),
                    share: String::new(),
                    due: hours(b.total_due_hours),
                    staffed: hours(b.total_staffed_hours),
                    difference: hours(b.total_staffed_hours - b.total_due_hours),
                };
                let outside: Vec<String> = b
                    .outside_split
                    .iter()
                    .map(|(c, h)| crate::t2("kommune {0}: {1} timer", c, hours(*h)))
                    .collect();
                (
                    rows,
                    Some(total),
                    if outside.is_empty() {
                        crate::t1("{0} uger.", decimal_da(b.weeks, 1))
                    } else {
                        crate::t2(
                            "{0} uger. Bemandet af kommuner uden for fordelingen: {1}.",
                            decimal_da(b.weeks, 1),
                            outside.join(", "),
                        )
                    },
                )
            }
            Err(CoreError::Invalid(message)) => (Vec::new(), None, message),
            Err(e) => return Err(e.into()),
        };
    let names = |code: MunicipalityCode| {
        line.members
            .iter()
            .find(|m| m.member.municipality == code)
            .map_or_else(|| code.to_string(), |m| m.name.clone())
    };
    let shifts = match (
        danish_instant(asked.from, 0, 0),
        asked.to.succ_opt().and_then(|d| danish_instant(d, 0, 0)),
    ) {
        (Some(start), Some(end)) if start < end => store
            .list_shifts(line.id(), start, end)
            .await?
            .into_iter()
            .map(|s| ShiftView {
                id: s.id.0,
                member: names(s.shift.municipality),
                starts: when(s.shift.starts_at),
                ends: when(s.shift.ends_at),
                agents: s.shift.agents,
                note: s.shift.note,
                by: komhen_core::accounts::access::actor_da(&s.shift.set_by),
            })
            .collect(),
        _ => Vec::new(),
    };
    let municipalities = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| Pick {
            selected: asked.codes.contains(&m.code),
            code: m.code.to_string(),
            label: format!("{} ({})", m.name, m.code),
        })
        .collect();
    let page = StaffingPage {
        frame: frame(auth, crate::t("Bemanding og vagtplan"), "/bemanding")
            .notice(notice)
            .error(error.or(asked.unreadable.clone())),
        base: base(auth)?,
        can_set_up: auth.can_set_up_hotline(),
        day: asked.day.to_string(),
        from: asked.from.to_string(),
        to: asked.to.to_string(),
        split,
        split_total,
        split_note,
        proposed,
        proposed_rows,
        proposed_total,
        municipalities,
        balance,
        balance_total,
        balance_note,
        shifts,
        staffing_members: line
            .members
            .iter()
            .filter(|m| m.member.kind == MemberKind::StaffsAndPays && m.member.left_on.is_none())
            .map(|m| Choice {
                code: m.member.municipality.to_string(),
                label: m.name.clone(),
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /hotline/{linje}/bemanding?dag=&fra=&til=&kommuner=`
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = query_pairs(raw.as_deref());
    let notice = NoticeQuery::of(Some(first(&pairs, "besked").to_owned())).text();
    let asked = asked(&state, &pairs);
    Ok(staffing_page(&state, &auth, asked, notice, None)
        .await?
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ShiftForm {
    municipality: String,
    day: String,
    starts: String,
    ends: String,
    agents: String,
    note: String,
    #[serde(deserialize_with = "crate::forms::id")]
    shift: Option<i64>,
}

fn shift_input(form: &ShiftForm) -> Result<ShiftInput, CoreError> {
    let invalid = |m: &str| CoreError::Invalid(m.to_owned());
    Ok(ShiftInput {
        municipality: MunicipalityCode::parse(form.municipality.trim())
            .map_err(|_| invalid(crate::t("Vælg den kommune, der bemander vagten.")))?,
        day: parse_date(&form.day)
            .ok_or_else(|| invalid(crate::t("Skriv vagtens dato, fx 02-03-2026.")))?,
        starts: parse_time(&form.starts)
            .ok_or_else(|| invalid(crate::t("Skriv, hvornår vagten begynder, som tt:mm.")))?,
        ends: parse_time(&form.ends)
            .ok_or_else(|| invalid(crate::t("Skriv, hvornår vagten slutter, som tt:mm.")))?,
        agents: match form.agents.trim() {
            "" => 1,
            n => n
                .parse()
                .map_err(|_| invalid(crate::t("Antal medarbejdere skal være et helt tal.")))?,
        },
        note: form.note.clone(),
    })
}

async fn after_shift(
    state: &AppState,
    auth: &Authorized,
    outcome: Result<(), CoreError>,
) -> PageResult {
    let back = format!("{}/bemanding", base(auth)?);
    after_change(outcome, &back, "gemt", |e| {
        staffing_page(state, auth, asked(state, &[]), None, Some(e))
    })
    .await
}

/// `POST /hotline/{linje}/vagter`
pub(crate) async fn add_shift(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ShiftForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match shift_input(&form) {
        Ok(input) => admin::add_shift(
            state.store.as_ref(),
            &auth.user.actor(),
            &line,
            input,
            Utc::now(),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    after_shift(&state, &auth, outcome).await
}

/// `POST /hotline/{linje}/vagter/fjern`
pub(crate) async fn remove_shift(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<ShiftForm>,
) -> PageResult {
    let line = line(&state, &auth).await?;
    let outcome = match form.shift {
        Some(id) => {
            admin::remove_shift(state.store.as_ref(), &auth.user.actor(), &line, ShiftId(id)).await
        }
        None => Err(CoreError::Invalid(
            crate::t("Vælg den vagt, der skal fjernes.").into(),
        )),
    };
    after_shift(&state, &auth, outcome).await
}
