//! A municipality's channel strategy: targets ("the digital share of task
//! 32.06.04 at least 80 % by 2027"), initiatives ("new self-service for
//! parking permits from 1 March") and saved scenarios of the savings
//! simulator; each kept through an audited set-up change. A target's
//! progress across the counting periods and an initiative's before and
//! after are reports of the one report engine.

use crate::accounts::access::Actor;
use crate::reports::{self, Dates, Dimension, ReportRequest};
use crate::setup::{change, clean_name, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{
    ChannelCode, Direction, InitiativeId, Medium, MunicipalityCode, ScenarioId, TargetId, TaskId,
};
use komhen_store::{
    InitiativeRow, NewInitiative, NewScenario, NewTarget, PeriodRow, SetupChange, Store, TargetRow,
    TaskRow,
};
use serde_json::json;

/// The longest name of a scenario, title of an initiative.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest note of a target or an initiative.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The longest saved scenario link.
pub const MAX_SCENARIO_QUERY_CHARS: usize = 4_000;
/// The years a target may be set for.
pub const TARGET_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// What a target measures the share of, among the incoming inquiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The digital channels.
    Digital,
    Channel(ChannelCode),
    Medium(Medium),
}

impl Subject {
    /// `digital`, `TLFIND`, `medie:telephone`.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value == "digital" {
            return Some(Self::Digital);
        }
        if let Some(m) = value.strip_prefix("medie:") {
            return Medium::parse(m).ok().map(Self::Medium);
        }
        ChannelCode::parse(value).ok().map(Self::Channel)
    }

    pub fn code(&self) -> String {
        match self {
            Self::Digital => "digital".into(),
            Self::Channel(c) => c.to_string(),
            Self::Medium(m) => format!("medie:{}", m.code()),
        }
    }

    /// The report dimension and the row code that hold the share.
    fn dimension(&self) -> (Dimension, String) {
        match self {
            Self::Digital => (Dimension::Digital, "ja".into()),
            Self::Channel(c) => (Dimension::Channel, c.to_string()),
            Self::Medium(m) => (Dimension::Medium, m.code().into()),
        }
    }
}

/// A target as a form or the command line types it.
#[derive(Debug, Clone, Default)]
pub struct TargetInput {
    /// Empty: every task; else the KLE number or KOMHEN code.
    pub task: String,
    /// `digital`, a channel's code or `medie:<medium>`.
    pub subject: String,
    /// `min` (at least) or `max` (at most).
    pub bound: String,
    pub percent: String,
    pub by_year: String,
    pub note: String,
}

/// An initiative as a form or the command line types it.
#[derive(Debug, Clone, Default)]
pub struct InitiativeInput {
    pub task: String,
    pub title: String,
    pub starts_on: String,
    pub note: String,
}

fn find_task(tasks: &[TaskRow], code: &str, problems: &mut Vec<String>) -> Option<TaskId> {
    let code = code.trim();
    if code.is_empty() {
        return None;
    }
    let found = super::prices::task_by_code(tasks, code);
    if found.is_none() {
        problems.push(da!("Opgaven «{code}» findes ikke i kommunens opgaver."));
    }
    found.map(|t| t.id)
}

fn note(value: &str, problems: &mut Vec<String>) -> String {
    let value = value.trim();
    if value.chars().count() > MAX_NOTE_CHARS {
        problems.push(da!("Bemærkningen må højst være {MAX_NOTE_CHARS} tegn."));
    }
    value.to_owned()
}

fn refused(problems: Vec<String>) -> CoreResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(problems.join("\n")))
    }
}

fn target_json(t: &NewTarget) -> serde_json::Value {
    json!({
        "task": t.task.map(|t| t.0),
        "subject": t.subject,
        "bound": if t.at_least { "min" } else { "max" },
        "percent": t.percent,
        "by_year": t.by_year,
        "note": t.note,
    })
}

fn initiative_json(i: &NewInitiative) -> serde_json::Value {
    json!({
        "task": i.task.map(|t| t.0),
        "title": i.title,
        "starts_on": i.starts_on.to_string(),
        "note": i.note,
    })
}

/// Keeps a target; every problem of the input named at once.
pub async fn set_target(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &TargetInput,
    now: DateTime<Utc>,
) -> CoreResult<TargetId> {
    let tasks = store.list_tasks(municipality).await?;
    let channels = store.list_channels().await?;
    let mut problems = Vec::new();
    let task = find_task(&tasks, &input.task, &mut problems);
    let subject = Subject::parse(&input.subject)
        .filter(|s| match s {
            Subject::Channel(c) => channels
                .iter()
                .any(|k| k.code == *c && k.direction == Direction::Incoming),
            _ => true,
        })
        .map(|s| s.code());
    if subject.is_none() {
        problems.push(da!(
            "«{}» er hverken «digital», en indgående kanal eller et medie.",
            input.subject.trim()
        ));
    }
    let at_least = match input.bound.trim() {
        "min" | "" => true,
        "max" => false,
        other => {
            problems.push(da!("«{other}» er hverken «mindst» eller «højst»."));
            true
        }
    };
    let percent = input
        .percent
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|p| (0..=100).contains(p));
    if percent.is_none() {
        problems.push(da!(
            "«{}» er ikke en procent; skriv et helt tal fra 0 til 100.",
            input.percent.trim()
        ));
    }
    let by_year = input
        .by_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| TARGET_YEARS.contains(y));
    if by_year.is_none() {
        problems.push(da!(
            "«{}» er ikke et år fra {} til {}.",
            input.by_year.trim(),
            TARGET_YEARS.start(),
            TARGET_YEARS.end()
        ));
    }
    let note = note(&input.note, &mut problems);
    refused(problems)?;
    let target = NewTarget {
        municipality,
        task,
        subject: subject.unwrap_or_default(),
        at_least,
        percent: percent.unwrap_or(0),
        by_year: by_year.unwrap_or(0),
        note,
        set_by: actor.as_str().to_owned(),
        set_at: now,
    };
    let applied = change(
        store,
        actor,
        SetupChange::SetTarget(target.clone()),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "strategy_target",
            entity_id: String::new(),
            before: None,
            after: Some(target_json(&target)),
        },
    )
    .await?;
    Ok(TargetId(applied.created()?))
}

/// Keeps an initiative; every problem of the input named at once.
pub async fn set_initiative(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &InitiativeInput,
    now: DateTime<Utc>,
) -> CoreResult<InitiativeId> {
    let tasks = store.list_tasks(municipality).await?;
    let mut problems = Vec::new();
    let task = find_task(&tasks, &input.task, &mut problems);
    let title = clean_name(&input.title, dl!("initiativets titel"), MAX_TITLE_CHARS)
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let starts_on = reports::parse_date(&input.starts_on)
        .map_err(|e| problems.push(da!("Fra dato: {e}")))
        .ok();
    let note = note(&input.note, &mut problems);
    refused(problems)?;
    let (Some(title), Some(starts_on)) = (title, starts_on) else {
        return Err(CoreError::Invalid(
            dl!("Initiativet mangler titel eller dato.").into(),
        ));
    };
    let initiative = NewInitiative {
        municipality,
        task,
        title,
        starts_on,
        note,
        set_by: actor.as_str().to_owned(),
        set_at: now,
    };
    let applied = change(
        store,
        actor,
        SetupChange::SetInitiative(initiative.clone()),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "strategy_initiative",
            entity_id: String::new(),
            before: None,
            after: Some(initiative_json(&initiative)),
        },
    )
    .await?;
    Ok(InitiativeId(applied.created()?))
}

/// Saves a scenario of the simulator by its link's query.
pub async fn save_scenario(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    name: &str,
    query: &str,
    now: DateTime<Utc>,
) -> CoreResult<ScenarioId> {
    let name = clean_name(name, dl!("scenariets navn"), MAX_TITLE_CHARS)?;
    if query.chars().count() > MAX_SCENARIO_QUERY_CHARS {
        return Err(CoreError::Invalid(da!(
            "Scenariet er for langt til at gemme (højst {MAX_SCENARIO_QUERY_CHARS} tegn)."
        )));
    }
    let scenario = NewScenario {
        municipality,
        name,
        query: query.to_owned(),
        saved_by: actor.as_str().to_owned(),
        saved_at: now,
    };
    let applied = change(
        store,
        actor,
        SetupChange::SaveScenario(scenario.clone()),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "savings_scenario",
            entity_id: String::new(),
            before: None,
            after: Some(json!({"name": scenario.name, "query": scenario.query})),
        },
    )
    .await?;
    Ok(ScenarioId(applied.created()?))
}

/// What can be removed, with its audit entity.
#[derive(Debug, Clone, Copy)]
pub enum Kept {
    Scenario(ScenarioId),
    Target(TargetId),
    Initiative(InitiativeId),
}

/// Removes a scenario, target or initiative of the municipality; audited.
pub async fn remove(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    kept: Kept,
) -> CoreResult<()> {
    let (setup, entity, id) = match kept {
        Kept::Scenario(scenario) => (
            SetupChange::RemoveScenario {
                municipality,
                scenario,
            },
            "savings_scenario",
            scenario.0,
        ),
        Kept::Target(target) => (
            SetupChange::RemoveTarget {
                municipality,
                target,
            },
            "strategy_target",
            target.0,
        ),
        Kept::Initiative(initiative) => (
            SetupChange::RemoveInitiative {
                municipality,
                initiative,
            },
            "strategy_initiative",
            initiative.0,
        ),
    };
    change(
        store,
        actor,
        setup,
        Entry {
            municipality: Some(municipality),
            action: "delete",
            entity,
            entity_id: id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A share as the strategy shows it: `98,8 %`, or `–` where there were no
/// incoming inquiries.
pub fn share_da(share: Option<f64>) -> String {
    share.map_or_else(
        || "–".into(),
        |s| reports::tabular::Cell::Share(s).display_da(),
    )
}

impl Progress {
    /// Whether the target was met in the period, in words: «Nået»,
    /// «Ikke nået», «Ingen henvendelser».
    pub fn met_da(&self) -> &'static str {
        match self.met {
            Some(true) => dl!("Nået"),
            Some(false) => dl!("Ikke nået"),
            None => dl!("Ingen henvendelser"),
        }
    }
}

/// A target's figure in one counting period.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub period: String,
    pub dates: Dates,
    /// The subject's inquiries and all incoming inquiries (of the task).
    pub inquiries: i64,
    pub all: i64,
    /// The share, 0–1 (None: no incoming inquiries).
    pub share: Option<f64>,
    pub met: Option<bool>,
}

/// The municipality's counting periods that have begun, oldest first.
async fn periods(
    store: &dyn Store,
    municipality: MunicipalityCode,
    today: chrono::NaiveDate,
) -> CoreResult<Vec<PeriodRow>> {
    let mut periods: Vec<PeriodRow> = store
        .list_periods(Some(municipality))
        .await?
        .into_iter()
        .filter(|p| p.period.starts_on <= today)
        .collect();
    periods.sort_by_key(|p| (p.period.starts_on, p.id));
    Ok(periods)
}

/// A target's share in each counting period that has begun: the subject's
/// share of the incoming inquiries (of the task), from the report engine.
pub async fn target_progress(
    store: &dyn Store,
    target: &TargetRow,
    today: chrono::NaiveDate,
) -> CoreResult<Vec<Progress>> {
    let t = &target.target;
    let subject = Subject::parse(&t.subject)
        .ok_or_else(|| CoreError::Invalid(format!("Ukendt mål «{}».", t.subject)))?;
    let (dimension, code) = subject.dimension();
    let mut out = Vec::new();
    for p in periods(store, t.municipality, today).await? {
        let dates = Dates {
            from: p.period.starts_on,
            to: p.period.ends_on,
        };
        let mut request = ReportRequest::new(vec![t.municipality], dates).by(&[dimension]);
        request.filters.directions = vec![Direction::Incoming];
        request.filters.tasks = t.task.into_iter().collect();
        let report = reports::run(store, &request).await?;
        let inquiries = report
            .rows
            .iter()
            .find(|r| r.keys[0].code == code)
            .map_or(0, |r| r.inquiries);
        let all = report.total.inquiries;
        let share = (all > 0).then(|| inquiries as f64 / all as f64);
        let goal = f64::from(t.percent) / 100.0;
        out.push(Progress {
            period: p.period.name.clone(),
            dates,
            inquiries,
            all,
            share,
            met: share.map(|s| if t.at_least { s >= goal } else { s <= goal }),
        });
    }
    Ok(out)
}

/// An initiative's tasks in the counting period before its date and the
/// first one from it: incoming inquiries per channel, and the digital
/// share, from the report engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub before: Option<(String, reports::Report)>,
    pub after: Option<(String, reports::Report)>,
}

impl Effect {
    /// The digital share of a side's report (its rows are by digital).
    pub fn digital_share(report: &reports::Report) -> Option<f64> {
        let all = report.total.inquiries;
        (all > 0).then(|| {
            report
                .rows
                .iter()
                .find(|r| r.keys[0].code == "ja")
                .map_or(0, |r| r.inquiries) as f64
                / all as f64
        })
    }
}

pub async fn initiative_effect(
    store: &dyn Store,
    initiative: &InitiativeRow,
    today: chrono::NaiveDate,
) -> CoreResult<Effect> {
    let i = &initiative.initiative;
    let all = periods(store, i.municipality, today).await?;
    let side = |p: Option<&PeriodRow>| {
        p.map(|p| {
            (
                p.period.name.clone(),
                Dates {
                    from: p.period.starts_on,
                    to: p.period.ends_on,
                },
            )
        })
    };
    let before = side(all.iter().rev().find(|p| p.period.ends_on < i.starts_on));
    let after = side(all.iter().find(|p| p.period.starts_on >= i.starts_on));
    let run = |dates: Dates| {
        let mut request = ReportRequest::new(vec![i.municipality], dates).by(&[Dimension::Digital]);
        request.filters.directions = vec![Direction::Incoming];
        request.filters.tasks = i.task.into_iter().collect();
        request
    };
    let mut effect = Effect {
        before: None,
        after: None,
    };
    if let Some((name, dates)) = before {
        effect.before = Some((name, reports::run(store, &run(dates)).await?));
    }
    if let Some((name, dates)) = after {
        effect.after = Some((name, reports::run(store, &run(dates)).await?));
    }
    Ok(effect)
}

impl Subject {
    /// In words: «de digitale kanaler», «Telefon, indgående (TLFIND)».
    pub fn label_da(&self, channels: &[komhen_store::ChannelRow]) -> String {
        match self {
            Self::Digital => dl!("de digitale kanaler").into(),
            Self::Channel(c) => channels
                .iter()
                .find(|k| k.code == *c)
                .map_or_else(|| c.to_string(), |k| format!("{} ({c})", k.label_da)),
            Self::Medium(m) => da!("{} (alle retninger)", m.label_da()),
        }
    }
}

/// A target with its words and its progress per counting period.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetStatus {
    pub row: TargetRow,
    /// «Andelen af de indgående henvendelser om 32.06.04 Parkering i de
    /// digitale kanaler: mindst 80 % i 2027».
    pub text: String,
    pub progress: Vec<Progress>,
}

/// An initiative with its words and its before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativeStatus {
    pub row: InitiativeRow,
    pub task_label: String,
    pub effect: Effect,
}

/// A municipality's strategy as the pages, the API, the command line and
/// the period report show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub targets: Vec<TargetStatus>,
    pub initiatives: Vec<InitiativeStatus>,
}

fn task_label(tasks: &[TaskRow], task: Option<komhen_domain::TaskId>) -> String {
    match task {
        None => dl!("alle opgaver").into(),
        Some(id) => tasks
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| da!("opgave {id}"), |t| format!("{} {}", t.kle, t.name)),
    }
}

/// The words of a target.
pub fn target_text(
    target: &NewTarget,
    channels: &[komhen_store::ChannelRow],
    tasks: &[TaskRow],
) -> String {
    let subject = Subject::parse(&target.subject)
        .map_or_else(|| target.subject.clone(), |s| s.label_da(channels));
    let task = task_label(tasks, target.task);
    let (percent, year) = (target.percent, target.by_year);
    if target.at_least {
        da!("Andelen af de indgående henvendelser ({task}) i {subject}: mindst {percent} % i {year}")
    } else {
        da!("Andelen af de indgående henvendelser ({task}) i {subject}: højst {percent} % i {year}")
    }
}

/// Every target's progress and every initiative's before and after.
pub async fn overview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    today: chrono::NaiveDate,
) -> CoreResult<Overview> {
    let channels = store.list_channels().await?;
    let tasks = store.list_tasks(municipality).await?;
    let mut targets = Vec::new();
    for row in store.list_targets(municipality).await? {
        let progress = target_progress(store, &row, today).await?;
        targets.push(TargetStatus {
            text: target_text(&row.target, &channels, &tasks),
            row,
            progress,
        });
    }
    let mut initiatives = Vec::new();
    for row in store.list_initiatives(municipality).await? {
        let effect = initiative_effect(store, &row, today).await?;
        initiatives.push(InitiativeStatus {
            task_label: task_label(&tasks, row.initiative.task),
            row,
            effect,
        });
    }
    Ok(Overview {
        targets,
        initiatives,
    })
}

impl Overview {
    /// For programs: shares 0–1, counts whole.
    pub fn json(&self) -> serde_json::Value {
        let side = |s: &Option<(String, reports::Report)>| {
            s.as_ref().map(|(name, report)| {
                json!({
                    "period": name,
                    "from": report.request.dates.from.to_string(),
                    "to": report.request.dates.to.to_string(),
                    "incoming": report.total.inquiries,
                    "digital_share": Effect::digital_share(report),
                })
            })
        };
        json!({
            "targets": self.targets.iter().map(|t| json!({
                "id": t.row.id.0,
                "text": t.text,
                "task": t.row.target.task.map(|t| t.0),
                "subject": t.row.target.subject,
                "bound": if t.row.target.at_least { "min" } else { "max" },
                "percent": t.row.target.percent,
                "by_year": t.row.target.by_year,
                "note": t.row.target.note,
                "progress": t.progress.iter().map(|p| json!({
                    "period": p.period,
                    "from": p.dates.from.to_string(),
                    "to": p.dates.to.to_string(),
                    "inquiries": p.inquiries,
                    "incoming": p.all,
                    "share": p.share,
                    "met": p.met,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "initiatives": self.initiatives.iter().map(|i| json!({
                "id": i.row.id.0,
                "title": i.row.initiative.title,
                "task": i.row.initiative.task.map(|t| t.0),
                "task_label": i.task_label,
                "starts_on": i.row.initiative.starts_on.to_string(),
                "note": i.row.initiative.note,
                "before": side(&i.effect.before),
                "after": side(&i.effect.after),
            })).collect::<Vec<_>>(),
        })
    }
}
