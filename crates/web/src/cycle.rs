//! The yearly cycle's pages: the coordinator's checklist for a national
//! period (`/kommune/{kode}/tjekliste`) and the national administrator's
//! overview of who has submitted what (`/admin/indberetninger`, with its
//! CSV and the period's own deadlines). Every judgement is
//! `komhen_core::cycle`'s; these pages only show it.

use crate::access::Authorized;
use crate::format::rows_text;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::reports::download::attachment;
use crate::setup::national::Choice;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use komhen_core::cycle::{self, Cycle, DataKind, OverviewFilter, Status};
use komhen_core::reports::parse_date;
use komhen_core::reports::tabular::Cell;
use komhen_core::CoreError;
use komhen_domain::{danish_local, PeriodId};
use komhen_store::DeadlineKind;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

fn day(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// The period asked for (`periode=ID`), or the latest national period
/// begun; the periods to choose from.
async fn asked_cycle(
    state: &AppState,
    period: Option<i64>,
) -> Result<(Cycle, Vec<Choice>), WebError> {
    let store = state.store.as_ref();
    let today = komhen_domain::DateDimensions::of(state.clock.now()).day;
    let cycle = match period {
        Some(id) => cycle::load(store, PeriodId(id)).await?,
        None => cycle::current(store, today).await?.ok_or_else(|| {
            WebError::BadRequest(
                crate::t("Der er ingen national tælleperiode, der er begyndt.").into(),
            )
        })?,
    };
    let choices = store
        .list_periods(None)
        .await?
        .into_iter()
        .filter(|p| p.municipality.is_none())
        .map(|p| Choice {
            value: p.id.0.to_string(),
            label: format!(
                "{} ({} – {})",
                p.period.name,
                day(p.period.starts_on),
                day(p.period.ends_on)
            ),
            selected: p.id == cycle.period.id,
        })
        .collect();
    Ok((cycle, choices))
}

/// One kind of data on the checklist.
struct ItemView {
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    due: String,
    what: String,
    action: String,
    href: String,
}

#[derive(Template)]
#[template(path = "cycle_checklist.html")]
struct ChecklistPage {
    frame: Frame,
    base: String,
    periods: Vec<Choice>,
    period_name: String,
    period_dates: String,
    published: Option<String>,
    participates: bool,
    test_mode: bool,
    items: Vec<ItemView>,
    central: Vec<(&'static str, String)>,
    /// Counting units with weekdays so far without a registration: (unit,
    /// login, days, the days as text).
    silent: Vec<(String, String, usize, String)>,
    /// Whether the period has had a weekday yet.
    counting_begun: bool,
    /// The period's questionnaires: the coordinator's to answer, the
    /// evaluation to send to the units.
    questionnaires: Vec<crate::questionnaire::ChecklistView>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PeriodQuery {
    #[serde(deserialize_with = "crate::forms::id")]
    periode: Option<i64>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /kommune/{kode}/tjekliste?periode=ID`
pub(crate) async fn show_checklist(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let base = format!("/kommune/{}", m.code);
    let (cycle, periods) = asked_cycle(&state, query.periode).await?;
    let mine = cycle::submissions(store, &cycle, Some(m.code), state.clock.now())
        .await?
        .into_iter()
        .next()
        .ok_or(WebError::NotFound)?;
    let items = DataKind::ALL
        .iter()
        .filter_map(|kind| mine.kind(*kind))
        .map(|k| {
            let (action, href) = match k.kind {
                DataKind::Registrations => (crate::t("Se tallene"), format!("{base}/tal")),
                DataKind::Extracts => (crate::t("Indlæs en fil"), format!("{base}/indlaes")),
                DataKind::Totals => (crate::t("Indtast totaltal"), format!("{base}/totaltal")),
            };
            ItemView {
                kind: crate::t(k.kind.label_da()),
                status: crate::t(k.status.label_da()),
                status_code: k.status.code(),
                due: k.due_on.map_or(crate::t("Ingen frist sat").into(), day),
                what: match (k.kind, k.count, k.last) {
                    (_, 0, _) => crate::t("Intet endnu").into(),
                    (DataKind::Totals, n, last) => format!(
                        "{}{}",
                        crate::t1("{0} totaltal", n),
                        last.map_or(String::new(), |t| crate::t1(
                            ", senest {0}",
                            danish_local(t).format("%d-%m-%Y %H:%M")
                        ))
                    ),
                    (_, n, last) => format!(
                        "{}{}",
                        crate::t1("{0} henvendelser", Cell::Integer(n).display_da()),
                        last.map_or(String::new(), |t| crate::t1(
                            ", senest gemt {0}",
                            danish_local(t).format("%d-%m-%Y %H:%M")
                        ))
                    ),
                },
                action: action.into(),
                href,
            }
        })
        .collect();
    let central = [DeadlineKind::CentralApproval, DeadlineKind::CentralLoad]
        .into_iter()
        .filter_map(|k| cycle.deadline(k).map(|d| (crate::t(k.label_da()), day(d))))
        .collect();
    let today = komhen_domain::DateDimensions::of(state.clock.now()).day;
    let silent = if mine.participates {
        cycle::silent_units(store, m.code, &cycle, today)
            .await?
            .into_iter()
            .map(|u| {
                let days = u
                    .days
                    .iter()
                    .map(|d| d.format("%d-%m").to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                (u.name, u.login, u.days.len(), days)
            })
            .collect()
    } else {
        Vec::new()
    };
    let period = &cycle.period;
    let page = ChecklistPage {
        questionnaires: crate::questionnaire::checklist(&state, m.code, period.id).await?,
        counting_begun: period.period.starts_on < today,
        silent,
        frame: Frame::municipality(&auth, crate::t("Tjekliste for tælleperioden"), "/tjekliste")
            .notice(query.notice.text()),
        base,
        periods,
        period_name: period.period.name.clone(),
        period_dates: format!(
            "{} – {}",
            day(period.period.starts_on),
            day(period.period.ends_on)
        ),
        published: period
            .published_at
            .map(|t| danish_local(t).format("%d-%m-%Y").to_string()),
        participates: mine.participates,
        test_mode: mine.test_mode,
        items,
        central,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "cycle_overview.html")]
struct OverviewPage {
    frame: Frame,
    periods: Vec<Choice>,
    period_id: i64,
    period_name: String,
    deadlines: Vec<DeadlineView>,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per kind: how many municipalities stand at each status.
    counts: Vec<(&'static str, String)>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    sorts: Vec<Choice>,
    questionnaire: Vec<Choice>,
    answered: usize,
    participating: bool,
    csv: String,
    shown: usize,
    total: usize,
}

struct DeadlineView {
    code: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OverviewQuery {
    #[serde(deserialize_with = "crate::forms::id")]
    periode: Option<i64>,
    art: String,
    status: String,
    sorter: String,
    deltager: String,
    spoergeskema: String,
    format: String,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// `GET /admin/indberetninger?periode=ID&art=&status=&sorter=&deltager=ja`
pub(crate) async fn show_overview(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<OverviewQuery>,
) -> PageResult {
    overview(&state, &auth, query, None).await
}

async fn overview(
    state: &AppState,
    auth: &Authorized,
    query: OverviewQuery,
    error: Option<String>,
) -> PageResult {
    let store = state.store.as_ref();
    let (cycle, periods) = asked_cycle(state, query.periode).await?;
    let all = cycle::submissions(store, &cycle, None, state.clock.now()).await?;
    let kind = DataKind::parse(&query.art);
    let status = Status::parse(&query.status);
    let filter = OverviewFilter {
        kind_status: kind.zip(status),
        participating: query.deltager == "ja",
        questionnaire: match query.spoergeskema.as_str() {
            "ja" => Some(true),
            "nej" => Some(false),
            _ => None,
        },
        sort_by: DataKind::parse(&query.sorter),
    };
    let kept = cycle::filtered(&all, &filter);
    let table = cycle::overview_table(&kept);
    let period_id = cycle.period.id.0;
    if query.format == "csv" {
        return Ok(attachment(
            table.csv()?,
            "text/csv; charset=utf-8",
            &format!("indberetninger-{period_id}.csv"),
        ));
    }
    let counts = DataKind::ALL
        .iter()
        .map(|k| {
            let text = cycle::counts(&all, *k)
                .iter()
                .map(|(status, n)| format!("{n} {}", crate::t(status.label_da()).to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ");
            (crate::t(k.label_da()), text)
        })
        .collect();
    let choice = |value: &str, label: &str, chosen: &str| Choice {
        value: value.into(),
        label: label.into(),
        selected: value == chosen,
    };
    let page = OverviewPage {
        frame: Frame::admin(auth, crate::t("Indberetninger"), "/indberetninger")
            .notice(query.notice.text())
            .error(error),
        periods,
        period_id,
        period_name: cycle.period.period.name.clone(),
        deadlines: DeadlineKind::ALL
            .iter()
            .map(|k| DeadlineView {
                code: k.code(),
                label: crate::t(k.label_da()),
                value: cycle.deadline(*k).map_or(String::new(), |d| d.to_string()),
            })
            .collect(),
        head: crate::i18n::header(&table.header),
        rows: rows_text(&table),
        counts,
        kinds: std::iter::once(choice("", crate::t("Alle"), &query.art))
            .chain(
                DataKind::ALL
                    .iter()
                    .map(|k| choice(k.code(), crate::t(k.label_da()), &query.art)),
            )
            .collect(),
        statuses: std::iter::once(choice("", crate::t("Alle"), &query.status))
            .chain(
                Status::ALL
                    .iter()
                    .map(|s| choice(s.code(), crate::t(s.label_da()), &query.status)),
            )
            .collect(),
        sorts: std::iter::once(choice("", crate::t("Kommunens navn"), &query.sorter))
            .chain(
                DataKind::ALL
                    .iter()
                    .map(|k| choice(k.code(), crate::t(k.label_da()), &query.sorter)),
            )
            .collect(),
        questionnaire: vec![
            choice("", crate::t("Alle"), &query.spoergeskema),
            choice("ja", crate::t("Ja"), &query.spoergeskema),
            choice("nej", crate::t("Nej"), &query.spoergeskema),
        ],
        answered: all.iter().filter(|s| s.questionnaire_answered).count(),
        participating: filter.participating,
        csv: format!(
            "/admin/indberetninger?periode={period_id}&art={}&status={}&sorter={}&deltager={}&spoergeskema={}&format=csv",
            query.art, query.status, query.sorter, query.deltager, query.spoergeskema
        ),
        shown: kept.len(),
        total: all.len(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DeadlinesForm {
    #[serde(deserialize_with = "crate::forms::id")]
    periode: Option<i64>,
    totals: String,
    central_approval: String,
    central_load: String,
}

/// `POST /admin/indberetninger/frister`: the period's own deadlines (empty
/// removes one).
pub(crate) async fn save_deadlines(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<DeadlinesForm>,
) -> PageResult {
    let store = state.store.as_ref();
    let Some(id) = form.periode else {
        return Err(WebError::BadRequest(
            crate::t("Vælg en tælleperiode.").into(),
        ));
    };
    let cycle = cycle::load(store, PeriodId(id)).await?;
    let mut outcome: Result<(), CoreError> = Ok(());
    for (kind, text) in [
        (DeadlineKind::Totals, &form.totals),
        (DeadlineKind::CentralApproval, &form.central_approval),
        (DeadlineKind::CentralLoad, &form.central_load),
    ] {
        let due_on = match text.trim() {
            "" => None,
            t => match parse_date(t) {
                Ok(d) => Some(d),
                Err(_) => {
                    outcome = Err(CoreError::Invalid(crate::t1(
                        "Skriv fristen for {0} som en dato, fx 15-01-2027.",
                        crate::t(kind.label_da()).to_lowercase(),
                    )));
                    break;
                }
            },
        };
        if due_on == cycle.deadline(kind) {
            continue;
        }
        if let Err(e) = cycle::set_deadline(store, &auth.user.actor(), &cycle, kind, due_on).await {
            outcome = Err(e);
            break;
        }
    }
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(
            &format!("/admin/indberetninger?periode={id}"),
            "gemt",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => {
            let query = OverviewQuery {
                periode: Some(id),
                ..OverviewQuery::default()
            };
            let page = overview(&state, &auth, query, Some(message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
