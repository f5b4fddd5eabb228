//! The yearly cycle around a national counting period (issue "The yearly
//! cycle", items 1 and 2): its deadlines per kind of data, and for every
//! municipality what it has submitted, what is late and what is missing.
//! The coordinator's checklist and the national administrator's overview
//! are this module's one judgement, shown twice.
//!
//! # Rules
//! - **Registrations** (the tool, paper sheets typed in, systems through
//!   the API, hotline calls) and **system extracts** (uploaded files) are
//!   due on the period's submission deadline (two weeks after the last
//!   counting day); **total counts** on the period's own totals deadline
//!   when the national administrator has set one.
//! - A kind is *submitted* when the municipality has data of it on the
//!   period's days (registrations and extracts: any that count, test
//!   registrations never; totals: a total of inquiries covering a day of
//!   the period), *late* when the last of it was stored after its deadline
//!   (a day later, in Danish time), and otherwise *missing*: "not yet"
//!   until the deadline, "missing" after it.
//! - Data stored after the deadline but before the period is published is
//!   accepted and shown as late; after publication, corrections go through
//!   the correction flow (docs/trust.md).

use crate::{CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{danish_local, MunicipalityCode, Source};
use komhen_store::{DeadlineKind, PeriodDeadline, PeriodRow, Store};

/// A kind of data a municipality submits for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataKind {
    Registrations,
    Extracts,
    Totals,
}

impl DataKind {
    pub const ALL: [DataKind; 3] = [Self::Registrations, Self::Extracts, Self::Totals];

    pub fn code(self) -> &'static str {
        match self {
            Self::Registrations => "registreringer",
            Self::Extracts => "udtraek",
            Self::Totals => "totaltal",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Registrations => dl!("Registreringer"),
            Self::Extracts => dl!("Udtræk fra egne systemer"),
            Self::Totals => dl!("Totaltal"),
        }
    }

    /// The sources whose registrations are this kind's.
    fn sources(self) -> &'static [Source] {
        match self {
            Self::Registrations => &[Source::Tool, Source::Paper, Source::Api, Source::Hotline],
            Self::Extracts => &[Source::Upload],
            Self::Totals => &[],
        }
    }
}

/// Where a kind of data stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Submitted,
    Late,
    /// Nothing yet, and the deadline has not passed (or there is none).
    NotYet,
    Missing,
}

impl Status {
    pub const ALL: [Status; 4] = [Self::Submitted, Self::Late, Self::NotYet, Self::Missing];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "indsendt",
            Self::Late => "for-sent",
            Self::NotYet => "endnu-ikke",
            Self::Missing => "mangler",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Submitted => dl!("Indsendt"),
            Self::Late => dl!("Indsendt for sent"),
            Self::NotYet => dl!("Endnu ikke"),
            Self::Missing => dl!("Mangler"),
        }
    }
}

/// One kind of data of one municipality in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStatus {
    pub kind: DataKind,
    pub due_on: Option<NaiveDate>,
    pub status: Status,
    /// Inquiries (registrations, extracts) or totals entered.
    pub count: i64,
    /// When the last of it was stored.
    pub last: Option<DateTime<Utc>>,
}

/// A municipality's standing in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub municipality: MunicipalityCode,
    pub name: String,
    /// It takes part in the period.
    pub participates: bool,
    /// Its test mode is still on.
    pub test_mode: bool,
    /// Its coordinator has answered the period's questionnaire.
    pub questionnaire_answered: bool,
    pub kinds: Vec<KindStatus>,
}

impl Submission {
    pub fn kind(&self, kind: DataKind) -> Option<&KindStatus> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// A national period with its deadlines.
#[derive(Debug, Clone)]
pub struct Cycle {
    pub period: PeriodRow,
    pub deadlines: Vec<PeriodDeadline>,
}

impl Cycle {
    /// The deadline of a kind of data.
    pub fn due_on(&self, kind: DataKind) -> Option<NaiveDate> {
        match kind {
            DataKind::Registrations | DataKind::Extracts => {
                Some(self.period.period.submission_deadline)
            }
            DataKind::Totals => self.deadline(DeadlineKind::Totals),
        }
    }

    pub fn deadline(&self, kind: DeadlineKind) -> Option<NaiveDate> {
        self.deadlines
            .iter()
            .find(|d| d.kind == kind)
            .map(|d| d.due_on)
    }
}

/// A national period and its deadlines.
pub async fn load(store: &dyn Store, period: komhen_domain::PeriodId) -> CoreResult<Cycle> {
    let period = store
        .list_periods(None)
        .await?
        .into_iter()
        .find(|p| p.id == period && p.municipality.is_none())
        .ok_or_else(|| CoreError::NotFound(format!("national tælleperiode {period}")))?;
    let deadlines = store.list_period_deadlines(period.id).await?;
    Ok(Cycle { period, deadlines })
}

/// The latest national period begun by `today` (the one the cycle is
/// about), if any.
pub async fn current(store: &dyn Store, today: NaiveDate) -> CoreResult<Option<Cycle>> {
    let found = store
        .list_periods(None)
        .await?
        .into_iter()
        .filter(|p| p.municipality.is_none() && p.period.starts_on <= today)
        .max_by_key(|p| p.period.starts_on);
    match found {
        Some(p) => Ok(Some(load(store, p.id).await?)),
        None => Ok(None),
    }
}

/// The status of data whose last part was stored at `last`, due `due_on`.
pub fn status(last: Option<DateTime<Utc>>, due_on: Option<NaiveDate>, today: NaiveDate) -> Status {
    match (last, due_on) {
        (Some(at), Some(due)) if danish_local(at).date() > due => Status::Late,
        (Some(_), _) => Status::Submitted,
        (None, Some(due)) if today > due => Status::Missing,
        (None, _) => Status::NotYet,
    }
}

/// Every municipality's standing in the period, by name (`only`: just
/// these municipalities).
pub async fn submissions(
    store: &dyn Store,
    cycle: &Cycle,
    only: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> CoreResult<Vec<Submission>> {
    let today = komhen_domain::DateDimensions::of(now).day;
    let (from, to) = (cycle.period.period.starts_on, cycle.period.period.ends_on);
    let stored = store.period_submissions(only, from, to).await?;
    let totals = store.period_totals_entered(only, from, to).await?;
    let answered = crate::questionnaire::answered_municipalities(store, cycle.period.id).await?;
    let mut result = Vec::new();
    for m in store.list_municipalities().await? {
        if only.is_some_and(|o| o != m.code) {
            continue;
        }
        let participates = store
            .list_participations(m.code)
            .await?
            .contains(&cycle.period.id);
        let kinds = DataKind::ALL
            .into_iter()
            .map(|kind| {
                let (count, last) = match kind {
                    DataKind::Totals => totals
                        .iter()
                        .find(|t| t.municipality == m.code)
                        .map_or((0, None), |t| (t.totals, Some(t.last_entered_at))),
                    _ => {
                        let rows: Vec<_> = stored
                            .iter()
                            .filter(|s| {
                                s.municipality == m.code && kind.sources().contains(&s.source)
                            })
                            .collect();
                        (
                            rows.iter().map(|s| s.inquiries).sum(),
                            rows.iter().map(|s| s.last_stored_at).max(),
                        )
                    }
                };
                let due_on = cycle.due_on(kind);
                KindStatus {
                    kind,
                    due_on,
                    status: status(last, due_on, today),
                    count,
                    last,
                }
            })
            .collect();
        result.push(Submission {
            municipality: m.code,
            name: m.name.clone(),
            participates,
            test_mode: m.in_test_mode(now),
            questionnaire_answered: answered.contains(&m.code),
            kinds,
        });
    }
    result.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(result)
}

/// Sets (or with None removes) one of a national period's own deadlines,
/// audited. A deadline lies after the period's last counting day.
pub async fn set_deadline(
    store: &dyn Store,
    actor: &crate::accounts::access::Actor,
    cycle: &Cycle,
    kind: DeadlineKind,
    due_on: Option<NaiveDate>,
) -> CoreResult<()> {
    let period = &cycle.period;
    if let Some(due) = due_on {
        if due <= period.period.ends_on {
            let last = period.period.ends_on.format("%d-%m-%Y");
            return Err(CoreError::Invalid(match kind {
                DeadlineKind::Totals => {
                    da!("Fristen for totaltal skal ligge efter periodens sidste tælledag ({last}).")
                }
                DeadlineKind::CentralApproval => da!(
                    "Fristen for centrale leverancer godkendt skal ligge efter periodens \
                     sidste tælledag ({last})."
                ),
                DeadlineKind::CentralLoad => da!(
                    "Fristen for centrale leverancer indlæst skal ligge efter periodens \
                     sidste tælledag ({last})."
                ),
            }));
        }
    }
    crate::setup::change(
        store,
        actor,
        komhen_store::SetupChange::SetPeriodDeadline {
            period: period.id,
            kind,
            due_on,
        },
        crate::setup::Entry {
            municipality: None,
            action: "set_deadline",
            entity: "period_deadline",
            entity_id: format!("{}/{}", period.id, kind.code()),
            before: cycle
                .deadline(kind)
                .map(|d| serde_json::json!({ "frist": d.to_string() })),
            after: due_on.map(|d| serde_json::json!({ "frist": d.to_string() })),
        },
    )
    .await?;
    Ok(())
}

/// Which municipalities the overview lists, and in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewFilter {
    /// Only those where this kind of data has this status.
    pub kind_status: Option<(DataKind, Status)>,
    /// Only the municipalities that take part.
    pub participating: bool,
    /// Only those whose coordinator has (true) or has not (false) answered
    /// the period's questionnaire.
    pub questionnaire: Option<bool>,
    /// Sort by this kind's status (submitted first), then by name.
    pub sort_by: Option<DataKind>,
}

/// The municipalities the filter keeps, in its order.
pub fn filtered(submissions: &[Submission], filter: &OverviewFilter) -> Vec<Submission> {
    let mut kept: Vec<Submission> = submissions
        .iter()
        .filter(|s| !filter.participating || s.participates)
        .filter(|s| {
            filter
                .questionnaire
                .is_none_or(|answered| s.questionnaire_answered == answered)
        })
        .filter(|s| {
            filter
                .kind_status
                .is_none_or(|(kind, status)| s.kind(kind).is_some_and(|k| k.status == status))
        })
        .cloned()
        .collect();
    if let Some(kind) = filter.sort_by {
        kept.sort_by(|a, b| {
            let key = |s: &Submission| s.kind(kind).map(|k| k.status);
            key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
        });
    }
    kept
}

/// How many of the municipalities stand at each status for a kind of
/// data, in the order of [`Status::ALL`].
pub fn counts(submissions: &[Submission], kind: DataKind) -> Vec<(Status, usize)> {
    Status::ALL
        .into_iter()
        .map(|status| {
            let n = submissions
                .iter()
                .filter(|s| s.kind(kind).is_some_and(|k| k.status == status))
                .count();
            (status, n)
        })
        .collect()
}

/// The overview as one table (the page and its CSV alike).
pub fn overview_table(submissions: &[Submission]) -> crate::reports::tabular::Table {
    use crate::reports::tabular::{Cell, Table};
    let when = |at: Option<DateTime<Utc>>| {
        at.map_or(Cell::Empty, |t| {
            Cell::Text(danish_local(t).format("%d-%m-%Y %H:%M").to_string())
        })
    };
    let mut header = vec![
        dl!("Kommune").to_owned(),
        dl!("Kode").to_owned(),
        dl!("Deltager").to_owned(),
        dl!("Testtilstand").to_owned(),
        dl!("Spørgeskema besvaret").to_owned(),
    ];
    for kind in DataKind::ALL {
        header.push(kind.label_da().to_owned());
        header.push(match kind {
            DataKind::Totals => dl!("Totaltal, antal").to_owned(),
            _ => da!("{}, henvendelser", kind.label_da()),
        });
        header.push(da!("{}, senest", kind.label_da()));
    }
    let rows = submissions
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::Text(s.name.clone()),
                Cell::Text(s.municipality.to_string()),
                Cell::Text(if s.participates { "Ja" } else { "Nej" }.into()),
                Cell::Text(if s.test_mode { "Til" } else { "Fra" }.into()),
                Cell::Text(
                    if s.questionnaire_answered {
                        "Ja"
                    } else {
                        "Nej"
                    }
                    .into(),
                ),
            ];
            for kind in DataKind::ALL {
                match s.kind(kind) {
                    Some(k) => {
                        row.push(Cell::Text(k.status.label_da().into()));
                        row.push(Cell::Integer(k.count));
                        row.push(when(k.last));
                    }
                    None => row.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
                }
            }
            row
        })
        .collect();
    Table { header, rows }
}

/// A unit that registered nothing on some of the period's weekdays so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilentUnit {
    pub unit: komhen_domain::UnitId,
    pub name: String,
    pub login: String,
    /// The weekdays (Monday to Friday) of the period up to yesterday with
    /// no registration of the unit (test registrations count: a unit
    /// trying the tool is not silent).
    pub days: Vec<NaiveDate>,
}

/// The municipality's counting units with weekdays of the period (up to
/// yesterday) on which they registered nothing: the ones the coordinator
/// may want to remind. Units counting are those named for the period, or
/// all active units when none are named.
pub async fn silent_units(
    store: &dyn Store,
    municipality: MunicipalityCode,
    cycle: &Cycle,
    today: NaiveDate,
) -> CoreResult<Vec<SilentUnit>> {
    use chrono::Datelike;
    let period = &cycle.period.period;
    let last = period.ends_on.min(today - chrono::Duration::days(1));
    let weekdays: Vec<NaiveDate> = period
        .starts_on
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .collect();
    if weekdays.is_empty() {
        return Ok(Vec::new());
    }
    let named = store
        .list_period_units(municipality, cycle.period.id)
        .await?;
    let units: Vec<_> = store
        .list_units(municipality)
        .await?
        .into_iter()
        .filter(|u| u.active && (named.is_empty() || named.contains(&u.id)))
        .collect();
    // The days each unit registered on: its own rows, and the calls a unit
    // that answers a joint hotline stored in the callers' municipalities.
    let mut registered: std::collections::HashSet<(komhen_domain::UnitId, NaiveDate)> = store
        .aggregate(&komhen_store::Aggregate {
            municipalities: vec![municipality],
            from: Some(period.starts_on),
            to: Some(last),
            test: komhen_store::TestRows::Include,
            group_by: vec![komhen_store::Column::Unit, komhen_store::Column::Day],
            ..komhen_store::Aggregate::default()
        })
        .await?
        .into_iter()
        .filter(|r| r.inquiries > 0)
        .filter_map(|r| match r.keys.as_slice() {
            [komhen_store::Key::Unit(Some(u)), komhen_store::Key::Day(d)] => Some((*u, *d)),
            _ => None,
        })
        .collect();
    for u in &units {
        if store.hotline_of_unit(u.id).await?.is_none() {
            continue;
        }
        let calls = store
            .list_hotline_registrations(&komhen_store::HotlineRegistrationFilter {
                hotline: None,
                unit: Some(u.id),
                from: period.starts_on,
                to: last,
                include_test: true,
                limit: None,
            })
            .await?;
        registered.extend(calls.iter().map(|c| (u.id, c.registration.day)));
    }
    let mut silent: Vec<SilentUnit> = units
        .into_iter()
        .filter_map(|u| {
            let days: Vec<NaiveDate> = weekdays
                .iter()
                .copied()
                .filter(|d| !registered.contains(&(u.id, *d)))
                .collect();
            (!days.is_empty()).then_some(SilentUnit {
                unit: u.id,
                name: u.name,
                login: u.login,
                days,
            })
        })
        .collect();
    silent.sort_by(|a, b| {
        b.days
            .len()
            .cmp(&a.days.len())
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(silent)
}
