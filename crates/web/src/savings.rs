//! The savings simulator on the pages (`/kommune/{kode}/besparelser`), as
//! an Excel file and through the API (`/api/v1/savings`): a scenario is its
//! link (`fra`, `til`, `flyt=FRA:TIL:P[:opgave]`, `maal=P:TIL[:opgave]`),
//! so sharing it is sharing the address; a coordinator may also save it by
//! name. Sizing, pricing and annualising are `komhen_core::economics::savings`.

use crate::access::Authorized;
use crate::forms::{after_change, refused};
use crate::frame::{Frame, NoticeQuery};
use crate::reports::download::attachment;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::economics::savings::{self, Scenario, Simulation};
use komhen_core::economics::strategy::{self, Kept};
use komhen_core::reports::tabular::{Cell, Table};
use komhen_core::CoreError;
use komhen_domain::{MunicipalityCode, ScenarioId, UnitId};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// The keys of the "add a move" forms; never part of a scenario's link.
const NEW_MOVE_KEYS: [&str; 5] = ["ny", "ny_fra", "ny_til", "ny_pct", "ny_opgave"];

/// A table of the core as the page shows it: header, then rows of
/// (text, is a number).
pub(crate) struct TableView {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<(String, bool)>>,
}

impl TableView {
    pub(crate) fn of(table: &Table) -> Self {
        Self {
            header: crate::i18n::header(&table.header),
            rows: table
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Cell::Text(text) => (crate::i18n::message(text), false),
                            Cell::Empty => (String::new(), false),
                            c => (c.display_da(), true),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

struct MoveView {
    text: String,
    /// The scenario's link without this move.
    without: String,
}

struct Choice {
    value: String,
    label: String,
}

struct SavedView {
    id: i64,
    name: String,
    link: String,
    saved_by: String,
    saved_at: String,
}

/// The values of the "add a move" forms, kept when one is refused.
#[derive(Default)]
struct NewMove {
    kind: String,
    from: String,
    to: String,
    percent: String,
    task: String,
}

#[derive(Template)]
#[template(path = "savings.html")]
struct SavingsPage {
    frame: Frame,
    base: String,
    from: String,
    to: String,
    /// The scenario's moves as hidden fields of the forms.
    hidden: Vec<(String, String)>,
    moves: Vec<MoveView>,
    link: String,
    /// The query of the link, for saving.
    query: String,
    channels: Vec<Choice>,
    digital_channels: Vec<Choice>,
    tasks: Vec<Choice>,
    new_move: NewMove,
    result: Option<ResultView>,
    saved: Vec<SavedView>,
    can_save: bool,
}

struct ResultView {
    headline: String,
    headline_realistic: String,
    summary: TableView,
    moves: TableView,
    moves_note: Option<String>,
    assumptions: Vec<String>,
    example_prices: bool,
    missing_prices: Vec<String>,
    xlsx: String,
    api: String,
}

fn pairs_of(raw: Option<&str>) -> Result<Vec<(String, String)>, WebError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| WebError::BadRequest(crate::t("Adressen kan ikke læses.").into()))
}

fn query_of(scenario: &Scenario) -> String {
    serde_urlencoded::to_string(scenario.pairs()).unwrap_or_default()
}

fn link_of(code: MunicipalityCode, scenario: &Scenario) -> String {
    format!("/kommune/{code}/besparelser?{}", query_of(scenario))
}

/// The reader's units, where they read only some (a unit lead).
fn units_of(auth: &Authorized, code: MunicipalityCode) -> Result<Option<Vec<UnitId>>, WebError> {
    Ok(komhen_core::reports::Scope::of_user(&auth.user, code)
        .ok_or(WebError::NoAccess)?
        .units)
}

/// The move the "add" forms ask for, as a link's pair.
fn new_pair(pairs: &[(String, String)]) -> Option<(String, String)> {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.trim())
    };
    let task = match value("ny_opgave") {
        "" | "alle" => String::new(),
        t => format!(":{t}"),
    };
    let percent = value("ny_pct").trim_end_matches('%').trim().to_owned();
    match value("ny") {
        "flyt" => Some((
            "flyt".into(),
            format!("{}:{}:{percent}{task}", value("ny_fra"), value("ny_til")),
        )),
        "maal" => Some((
            "maal".into(),
            format!("{percent}:{}{task}", value("ny_til")),
        )),
        _ => None,
    }
}

fn without_new(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| !NEW_MOVE_KEYS.contains(&k.as_str()) && k != "besked")
        .cloned()
        .collect()
}

async fn page(
    state: &AppState,
    auth: &Authorized,
    scenario: Scenario,
    notice: Option<String>,
    error: Option<String>,
    new_move: NewMove,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let code = scenario.municipality;
    let simulation = savings::simulate(store, &scenario).await?;
    let channels = store.list_channels().await?;
    let link = link_of(code, &scenario);
    let per_year = |v| savings::amount(simulation.per_year(v));
    let result = (!scenario.moves.is_empty()).then(|| ResultView {
        headline: crate::t1("{0} kr. om året", per_year(simulation.saving)),
        headline_realistic: if simulation.theoretical > savings::Fraction::from(0)
            && simulation.moved_without_answers == simulation.theoretical
        {
            crate::t("Intet realistisk tal: ingen blev spurgt, om borgeren selv kunne have løst henvendelsen.").into()
        } else {
            crate::t1("{0} kr. om året", per_year(simulation.realistic_saving))
        },
        summary: TableView::of(&simulation.summary_table()),
        moves: compact_moves(&simulation),
        moves_note: (simulation.moved.len() > PAGE_MOVES).then(|| {
            crate::t2(
                "De {0} flytninger med størst besparelse af {1}; alle står i Excel-filen.",
                PAGE_MOVES,
                simulation.moved.len(),
            )
        }),
        assumptions: simulation.assumptions(),
        example_prices: simulation.example_prices,
        missing_prices: missing(&simulation),
        xlsx: format!("/kommune/{code}/besparelser.xlsx?{}", query_of(&scenario)),
        api: format!(
            "/api/v1/savings?kommune={code}&{}",
            query_of(&scenario)
        ),
    });
    let moves = scenario
        .moves
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut rest = scenario.clone();
            rest.moves.remove(i);
            MoveView {
                text: simulation.describe(m),
                without: link_of(code, &rest),
            }
        })
        .collect();
    let saved = store
        .list_scenarios(code)
        .await?
        .into_iter()
        .map(|s| SavedView {
            id: s.id.0,
            link: format!("/kommune/{code}/besparelser?{}", s.query),
            name: s.name,
            saved_by: s.saved_by,
            saved_at: s.saved_at.format("%d-%m-%Y").to_string(),
        })
        .collect();
    let choice = |c: &komhen_store::ChannelRow| Choice {
        value: c.code.to_string(),
        label: format!(
            "{} ({})",
            crate::i18n::pick(&c.label_da, &c.label_en),
            c.code
        ),
    };
    let hidden: Vec<(String, String)> = scenario
        .moves
        .iter()
        .map(|m| {
            let (k, v) = m.pair();
            (k.to_owned(), v)
        })
        .collect();
    let page = SavingsPage {
        frame: Frame::municipality(auth, crate::t("Besparelser"), "/besparelser")
            .notice(notice)
            .error(error),
        base: format!("/kommune/{code}/besparelser"),
        from: scenario.dates.from.to_string(),
        to: scenario.dates.to.to_string(),
        hidden,
        moves,
        query: query_of(&scenario),
        link,
        channels: channels.iter().filter(|c| c.active).map(choice).collect(),
        digital_channels: channels
            .iter()
            .filter(|c| c.active && c.digital)
            .map(choice)
            .collect(),
        tasks: simulation
            .tasks
            .iter()
            .map(|(id, label, n)| Choice {
                value: id.0.to_string(),
                label: crate::t2(
                    "{0} ({1} henv.)",
                    label,
                    komhen_core::reports::tabular::thousands(*n),
                ),
            })
            .collect(),
        new_move,
        result,
        saved,
        can_save: auth.can_set_up(),
    };
    Ok(Html(page.render()?))
}

/// Most task moves the page lists; the workbook has them all.
const PAGE_MOVES: usize = 25;

/// The moves as the page lists them: the largest savings first, in few
/// columns (the workbook has every column).
fn compact_moves(simulation: &Simulation) -> TableView {
    use komhen_core::economics::prices::amount;
    let mut moved: Vec<_> = simulation.moved.iter().collect();
    moved.sort_by_key(|m| std::cmp::Reverse(m.saving));
    let kr = |v: Option<savings::Fraction>| {
        v.map_or_else(
            || "–".to_owned(),
            |v| format!("{} kr.", savings::amount(simulation.per_year(v))),
        )
    };
    TableView {
        header: [
            crate::t("Opgave"),
            crate::t("Fra → til"),
            crate::t("Flyttet, teoretisk / realistisk"),
            crate::t("Grundlag for realistisk"),
            crate::t("Pris fra → til"),
            crate::t("Besparelse pr. år, teoretisk"),
            crate::t("Besparelse pr. år, realistisk"),
        ]
        .map(String::from)
        .to_vec(),
        rows: moved
            .into_iter()
            .take(PAGE_MOVES)
            .map(|m| {
                let price =
                    |p: Option<i64>| p.map_or_else(|| crate::t("mangler").to_owned(), amount);
                vec![
                    (
                        crate::t2("{0} (trin {1})", &m.task_label, m.step + 1),
                        false,
                    ),
                    (
                        format!(
                            "{} → {}",
                            simulation.channel(&m.from),
                            simulation.channel(&m.to)
                        ),
                        false,
                    ),
                    (
                        format!(
                            "{} / {}",
                            savings::decimal(m.theoretical, 1),
                            m.realistic
                                .map_or_else(|| "–".to_owned(), |r| savings::decimal(r, 1))
                        ),
                        true,
                    ),
                    (m.basis.describe(), false),
                    (
                        format!("{} → {}", price(m.price_from), price(m.price_to)),
                        true,
                    ),
                    (kr(m.saving), true),
                    (kr(m.realistic_saving), true),
                ]
            })
            .collect(),
    }
}

fn missing(simulation: &Simulation) -> Vec<String> {
    simulation
        .missing_prices
        .iter()
        .map(|(c, t)| format!("{}, {}", simulation.channel(c), simulation.task(*t)))
        .collect()
}

/// `GET /kommune/{kode}/besparelser`: the scenario of the link; with the
/// "add a move" form's fields, the same scenario with the move added, at
/// its own link.
pub(crate) async fn show(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let code = auth.code()?;
    let store = state.store.as_ref();
    let units = units_of(&auth, code)?;
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let pairs = pairs_of(raw.as_deref())?;
    let notice = NoticeQuery::of(
        pairs
            .iter()
            .find(|(k, _)| k == "besked")
            .map(|(_, v)| v.clone()),
    )
    .text();
    let scenario_pairs = without_new(&pairs);
    let added = new_pair(&pairs);
    if let Some(pair) = &added {
        let mut with = scenario_pairs.clone();
        with.push(pair.clone());
        match savings::scenario_from_pairs(store, code, units.clone(), &with, today).await {
            Ok(scenario) => return Ok(Redirect::to(&link_of(code, &scenario)).into_response()),
            Err(CoreError::Invalid(message)) => {
                let value = |key: &str| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == key)
                        .map_or_else(String::new, |(_, v)| v.clone())
                };
                let new_move = NewMove {
                    kind: value("ny"),
                    from: value("ny_fra"),
                    to: value("ny_til"),
                    percent: value("ny_pct"),
                    task: value("ny_opgave"),
                };
                let scenario =
                    savings::scenario_from_pairs(store, code, units, &scenario_pairs, today)
                        .await?;
                let html = page(
                    &state,
                    &auth,
                    scenario,
                    None,
                    Some(crate::t1("Flytningen er ikke tilføjet: {0}", message)),
                    new_move,
                )
                .await?;
                return Ok(refused(html));
            }
            Err(e) => return Err(e.into()),
        }
    }
    match savings::scenario_from_pairs(store, code, units.clone(), &scenario_pairs, today).await {
        Ok(scenario) => Ok(
            page(&state, &auth, scenario, notice, None, NewMove::default())
                .await?
                .into_response(),
        ),
        Err(CoreError::Invalid(message)) => {
            // A link that cannot be read: the latest period, no moves, and why.
            let scenario = savings::scenario_from_pairs(store, code, units, &[], today).await?;
            let html = page(
                &state,
                &auth,
                scenario,
                None,
                Some(crate::t1(
                    "Scenariet i adressen kan ikke bruges: {0}",
                    message,
                )),
                NewMove::default(),
            )
            .await?;
            Ok((StatusCode::BAD_REQUEST, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /kommune/{kode}/besparelser.xlsx`: the scenario of the link as a
/// workbook (result, moves, assumptions, the link).
pub(crate) async fn download_xlsx(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let code = auth.code()?;
    let store = state.store.as_ref();
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let pairs = without_new(&pairs_of(raw.as_deref())?);
    let scenario =
        savings::scenario_from_pairs(store, code, units_of(&auth, code)?, &pairs, today).await?;
    let simulation = savings::simulate(store, &scenario).await?;
    let bytes = simulation.xlsx(&link_of(code, &scenario))?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!(
            "komhen-{code}-besparelser-{}-{}.xlsx",
            scenario.dates.from, scenario.dates.to
        ),
    ))
}

/// `GET /api/v1/savings?kommune=259&fra=..&til=..&flyt=..&maal=..`: the
/// scenario's result as JSON, for a reader of the municipality.
#[utoipa::path(
    get,
    path = "/api/v1/savings",
    tag = "tal for brugere",
    operation_id = "run_savings_scenario",
    summary = "Et besparelsesscenarie for en kommune",
    description = "Flytninger mellem kanaler og mål for den digitale andel, og hvad de ville \
        spare i perioden og om året; beløb i hele øre (docs/economics.md). `flyt` og `maal` \
        kan gentages.",
    params(crate::openapi::SavingsParams),
    responses(
        (status = 200, description = "Scenariets resultat, forudsætninger og flytninger.", body = Object),
        crate::openapi::ReaderErrors,
    ),
    security(("session" = []))
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> Response {
    let Ok(pairs) = pairs_of(raw.as_deref()) else {
        return crate::api::error_response(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Adressen kan ikke læses.",
        );
    };
    let (code, scope) =
        match crate::reports::api::requested_municipality(&auth.user, raw.as_deref()) {
            Ok(found) => found,
            Err(refusal) => return refusal.into_response(),
        };
    let store = state.store.as_ref();
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let result = async {
        let scenario =
            savings::scenario_from_pairs(store, code, scope.units.clone(), &pairs, today).await?;
        savings::simulate(store, &scenario).await
    }
    .await;
    match result {
        Ok(simulation) => axum::Json(simulation.json()).into_response(),
        Err(CoreError::Invalid(message)) => {
            crate::api::error_response(StatusCode::BAD_REQUEST, "invalid_query", message)
        }
        Err(e) => {
            crate::error::log_internal(&e);
            crate::api::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Scenariet kunne ikke beregnes lige nu. Fejlen er skrevet i systemets log.",
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SaveForm {
    name: String,
    query: String,
}

/// `POST /kommune/{kode}/besparelser/gem`: saves the scenario of the page
/// by name; the link it is saved as is the one the page read.
pub(crate) async fn save(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<SaveForm>,
) -> PageResult {
    let code = auth.code()?;
    let store = state.store.as_ref();
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let pairs = without_new(&pairs_of(Some(&form.query))?);
    let scenario = savings::scenario_from_pairs(store, code, None, &pairs, today).await?;
    let query = query_of(&scenario);
    let outcome = strategy::save_scenario(
        store,
        &auth.user.actor(),
        code,
        &form.name,
        &query,
        Utc::now(),
    )
    .await
    .map(|_| ());
    let link = link_of(code, &scenario);
    after_change(outcome, &link, "scenarie-gemt", |e| {
        page(
            &state,
            &auth,
            scenario.clone(),
            None,
            Some(e),
            NewMove::default(),
        )
    })
    .await
}

/// `POST /kommune/{kode}/besparelser/{scenarie}/fjern`
pub(crate) async fn remove(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
    let code = auth.code()?;
    let store = state.store.as_ref();
    let outcome = strategy::remove(
        store,
        &auth.user.actor(),
        code,
        Kept::Scenario(ScenarioId(id)),
    )
    .await;
    let back = format!("/kommune/{code}/besparelser");
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let state = &state;
    let auth = &auth;
    after_change(outcome, &back, "scenarie-fjernet", |e| async move {
        let scenario =
            savings::scenario_from_pairs(state.store.as_ref(), code, None, &[], today).await?;
        page(state, auth, scenario, None, Some(e), NewMove::default()).await
    })
    .await
}
