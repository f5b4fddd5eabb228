//! Questionnaires' pages: the national administrator's list, editor and
//! results (`/admin/spoergeskemaer`), the coordinator's answer form and
//! the evaluation sent to the units (`/kommune/{kode}/spoergeskema/{id}`),
//! and the unit's evaluation page (`/registrering/evaluering/{id}`). Every
//! rule and figure is `komhen_core::questionnaire`'s; these pages only
//! show it. Who may open which page is the route table's.

use crate::access::Authorized;
use crate::format::rows_text;
use crate::forms::{after_change, when, OtherFields};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::i18n::{Lang, Text};
use crate::reports::download::attachment;
use crate::session::UnitSession;
use crate::setup::national::Choice;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::accounts::access::{actor_da, Actor};
use komhen_core::questionnaire::{
    self, AnswerInput, Figures, Grouping, Problem, QuestionDraft, Questionnaire, Respondent,
    Results,
};
use komhen_core::CoreError;
use komhen_domain::{PeriodId, QuestionnaireId, QuestionnaireQuestionId};
use komhen_store::{Audience, QuestionKind, QuestionnaireState};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// The national periods, newest first, as choices.
async fn period_choices(
    state: &AppState,
    chosen: Option<PeriodId>,
) -> Result<Vec<Choice>, WebError> {
    Ok(state
        .store
        .list_periods(None)
        .await?
        .into_iter()
        .filter(|p| p.municipality.is_none())
        .map(|p| Choice {
            value: p.id.0.to_string(),
            label: p.period.name.clone(),
            selected: Some(p.id) == chosen,
        })
        .collect())
}

async fn period_name(state: &AppState, period: PeriodId) -> Result<String, WebError> {
    Ok(state
        .store
        .list_periods(None)
        .await?
        .into_iter()
        .find(|p| p.id == period)
        .map_or_else(|| period.to_string(), |p| p.period.name))
}

// --- the answer form, shared by the coordinator's and the unit's page ---------

/// One option of a single or multiple question.
pub(crate) struct OptionView {
    value: String,
    checked: bool,
}

/// One question on an answer form, with the value given and its error.
pub(crate) struct FieldView {
    id: i64,
    number: i32,
    text: String,
    kind: &'static str,
    required: bool,
    options: Vec<OptionView>,
    value: String,
    hint: String,
    error: Option<String>,
    /// Where the error summary links to: the field, or its first option.
    anchor: String,
}

/// The fixed texts of an answer form, in the page's language.
pub(crate) struct FormLabels {
    required: &'static str,
    optional: &'static str,
    number_hint: &'static str,
    not_saved: &'static str,
    submit: &'static str,
    /// "Højst {n} tegn" around the longest text answer.
    at_most: &'static str,
    characters: &'static str,
}

/// The coordinator's form's texts, in the request's language.
fn coordinator_labels() -> FormLabels {
    FormLabels {
        required: crate::t("skal besvares"),
        optional: crate::t("valgfrit"),
        number_hint: crate::t("Et helt tal"),
        not_saved: crate::t("Svarene er ikke gemt. Ret disse fejl:"),
        submit: crate::t("Gem svarene"),
        at_most: crate::t("Højst"),
        characters: crate::t("tegn"),
    }
}

fn unit_labels(t: &Text) -> FormLabels {
    FormLabels {
        required: t.evaluation_required,
        optional: t.evaluation_optional,
        number_hint: t.evaluation_number_hint,
        not_saved: t.evaluation_not_saved,
        submit: t.evaluation_submit,
        at_most: t.evaluation_at_most,
        characters: t.evaluation_characters,
    }
}

/// The questions as fields, filled with `values`, marked with `problems`
/// in `lang`.
fn fields(
    q: &Questionnaire,
    values: &AnswerInput,
    problems: &[Problem],
    labels: &FormLabels,
    lang: Lang,
) -> Vec<FieldView> {
    q.questions
        .iter()
        .map(|question| {
            let given = values.get(&question.id).cloned().unwrap_or_default();
            let id = question.id.0;
            let hint = match (question.kind, question.min, question.max) {
                (QuestionKind::Number, Some(lo), Some(hi)) => {
                    format!("{}, {lo}–{hi}", labels.number_hint)
                }
                (QuestionKind::Number, Some(lo), None) => format!("{}, ≥ {lo}", labels.number_hint),
                (QuestionKind::Number, None, Some(hi)) => format!("{}, ≤ {hi}", labels.number_hint),
                (QuestionKind::Number, None, None) => labels.number_hint.to_owned(),
                (QuestionKind::Text, ..) => format!(
                    "{} {} {}",
                    labels.at_most,
                    questionnaire::TEXT_ANSWER_MAX,
                    labels.characters
                ),
                _ => String::new(),
            };
            FieldView {
                id,
                number: question.position,
                text: question.text.clone(),
                kind: question.kind.code(),
                required: question.required,
                options: question
                    .options
                    .iter()
                    .map(|o| OptionView {
                        value: o.clone(),
                        checked: given.contains(o),
                    })
                    .collect(),
                // A number or a text has one field: at most its one value
                // is shown again.
                value: given.first().cloned().unwrap_or_default(),
                hint,
                error: problems
                    .iter()
                    .find(|p| p.question == question.id)
                    .map(|p| lang.answer_problem(p, &question.text)),
                anchor: if question.kind.has_options() {
                    format!("q-{id}-0")
                } else {
                    format!("q-{id}")
                },
            }
        })
        .collect()
}

/// The answers of a posted form: every `q_<question>` field. More than
/// [`questionnaire::MAX_ANSWER_VALUES`] fields refuse the form. Of each
/// question at most one value more than it may hold is kept, and of each
/// value one character more than an answer may hold: enough for the checks
/// to name what is too much, and all a refused form shows again.
fn answers_of(form: &OtherFields) -> Result<AnswerInput, CoreError> {
    let mut input = AnswerInput::new();
    let mut read = 0;
    for (id, value) in form.with_prefix("q_") {
        read += 1;
        if read > questionnaire::MAX_ANSWER_VALUES {
            return Err(questionnaire::too_many_values());
        }
        if let Ok(id) = id.parse::<i64>() {
            let values = input.entry(QuestionnaireQuestionId(id)).or_default();
            if values.len() <= questionnaire::MAX_VALUES_PER_QUESTION {
                values.push(
                    value
                        .chars()
                        .take(questionnaire::TEXT_ANSWER_MAX + 1)
                        .collect(),
                );
            }
        }
    }
    Ok(input)
}

// --- the coordinator -----------------------------------------------------------

#[derive(Template)]
#[template(path = "questionnaire_answer.html")]
struct AnswerPage {
    frame: Frame,
    action: String,
    intro: String,
    open: bool,
    answered: Option<String>,
    labels: FormLabels,
    fields: Vec<FieldView>,
    problems: Vec<(String, String)>,
    back: String,
}

/// The coordinator's questionnaire (the guard let the user set the
/// municipality up), or not found.
async fn coordinator_questionnaire(
    state: &AppState,
    auth: &Authorized,
    id: i64,
    audience: Audience,
) -> Result<(Questionnaire, Respondent), WebError> {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let respondent = Respondent::Municipality(auth.code()?);
    match audience {
        Audience::Coordinator => questionnaire::check_respondent(store, &q, respondent).await?,
        // The coordinator sends the units' evaluation and reads its results
        // but never answers it: only its audience and state apply.
        Audience::Unit => questionnaire::check_audience(&q, Audience::Unit)?,
    }
    Ok((q, respondent))
}

async fn answer_page(
    state: &AppState,
    auth: &Authorized,
    q: &Questionnaire,
    respondent: Respondent,
    posted: Option<(AnswerInput, Vec<Problem>)>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let code = auth.code()?;
    let earlier = questionnaire::response_of(store, q, respondent).await?;
    let answered = earlier.as_ref().map(|(r, _)| {
        crate::t2(
            "Besvaret {0} af {1}.",
            when(r.answered_at),
            actor_da(&r.answered_by),
        )
    });
    let (values, problems) = match posted {
        Some((values, problems)) => (values, problems),
        None => (earlier.map(|(_, v)| v).unwrap_or_default(), Vec::new()),
    };
    let labels = coordinator_labels();
    let fields = fields(q, &values, &problems, &labels, crate::i18n::current());
    let summary = fields
        .iter()
        .filter_map(|f| f.error.clone().map(|e| (f.anchor.clone(), e)))
        .collect();
    let page = AnswerPage {
        frame: Frame::municipality(auth, q.row.title.clone(), "/tjekliste")
            .notice(notice)
            .error(error),
        action: format!("/kommune/{code}/spoergeskema/{}", q.id()),
        intro: q.row.intro.clone(),
        open: q.is_open(),
        answered,
        labels,
        fields,
        problems: summary,
        back: format!("/kommune/{code}/tjekliste?periode={}", q.row.period),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/spoergeskema/{skema}`
pub(crate) async fn show_answer(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let (q, respondent) =
        coordinator_questionnaire(&state, &auth, id, Audience::Coordinator).await?;
    let notice = query.text();
    Ok(
        answer_page(&state, &auth, &q, respondent, None, notice, None)
            .await?
            .into_response(),
    )
}

/// `POST /kommune/{kode}/spoergeskema/{skema}`: the coordinator's answers,
/// replacing earlier ones; back to the checklist.
pub(crate) async fn save_answer(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<OtherFields>,
) -> PageResult {
    let (q, respondent) =
        coordinator_questionnaire(&state, &auth, id, Audience::Coordinator).await?;
    let (input, outcome) = match answers_of(&form) {
        Ok(input) => {
            let outcome = questionnaire::answer(
                state.store.as_ref(),
                &auth.user.actor(),
                &q,
                respondent,
                &input,
                state.clock.now(),
            )
            .await;
            (input, outcome)
        }
        Err(e) => (AnswerInput::new(), Err(e)),
    };
    let code = auth.code()?;
    match outcome {
        Ok(Ok(())) => Ok(Redirect::to(&with_notice(
            &format!("/kommune/{code}/tjekliste?periode={}", q.row.period),
            "besvaret",
        ))
        .into_response()),
        Ok(Err(problems)) => {
            let posted = Some((input, problems));
            let page = answer_page(&state, &auth, &q, respondent, posted, None, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(CoreError::Invalid(message)) => {
            let page =
                answer_page(&state, &auth, &q, respondent, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/spoergeskema/{skema}/send`: the coordinator sends
/// the evaluation to the municipality's units.
pub(crate) async fn send_to_units(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
) -> PageResult {
    let (q, _) = coordinator_questionnaire(&state, &auth, id, Audience::Unit).await?;
    let code = auth.code()?;
    let outcome = questionnaire::send_to_units(
        state.store.as_ref(),
        &auth.user.actor(),
        &q,
        code,
        state.clock.now(),
    )
    .await;
    let back = format!("/kommune/{code}/tjekliste?periode={}", q.row.period);
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(&back, "evaluering-sendt")).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /kommune/{kode}/spoergeskema/{skema}/resultater`: the evaluation's
/// results for the municipality's own units.
pub(crate) async fn show_unit_results(
    State(state): State<AppState>,
    auth: Authorized,
    Path((_, id)): Path<(String, i64)>,
    Query(query): Query<ResultsQuery>,
) -> PageResult {
    let (q, _) = coordinator_questionnaire(&state, &auth, id, Audience::Unit).await?;
    let code = auth.code()?;
    let results = questionnaire::results(state.store.as_ref(), q, Some(code)).await?;
    let base = format!("/kommune/{code}/spoergeskema/{id}/resultater");
    if query.format == "csv" {
        return csv(&results);
    }
    let frame = Frame::municipality(&auth, results.questionnaire.row.title.clone(), "/tjekliste");
    results_page(&state, frame, &results, &base, false).await
}

// --- the checklist's part --------------------------------------------------------

/// One questionnaire on the coordinator's checklist.
pub(crate) struct ChecklistView {
    pub(crate) title: String,
    pub(crate) is_unit: bool,
    pub(crate) open: bool,
    pub(crate) status: String,
    pub(crate) answered: bool,
    pub(crate) href: String,
    pub(crate) results_href: String,
    pub(crate) send_action: String,
    pub(crate) sent: bool,
}

/// "1 enhed har svaret", "3 enheder har svaret".
fn units_answered(n: usize) -> String {
    if n == 1 {
        crate::t("1 enhed har svaret").to_owned()
    } else {
        crate::t1("{0} enheder har svaret", n)
    }
}

/// The period's questionnaires as the checklist shows them.
pub(crate) async fn checklist(
    state: &AppState,
    code: komhen_domain::MunicipalityCode,
    period: PeriodId,
) -> Result<Vec<ChecklistView>, WebError> {
    let items = questionnaire::for_checklist(state.store.as_ref(), period, code).await?;
    Ok(items
        .into_iter()
        .map(|item| {
            let q = &item.questionnaire;
            let base = format!("/kommune/{code}/spoergeskema/{}", q.id);
            let is_unit = q.audience == Audience::Unit;
            let status = if is_unit {
                match &item.sent {
                    Some(s) => crate::t3(
                        "Sendt til enhederne {0} af {1}; {2}.",
                        when(s.sent_at),
                        actor_da(&s.sent_by),
                        units_answered(item.unit_responses),
                    ),
                    None => crate::t("Ikke sendt til enhederne endnu.").to_owned(),
                }
            } else {
                match &item.answered {
                    Some(r) => crate::t2(
                        "Besvaret {0} af {1}.",
                        when(r.answered_at),
                        actor_da(&r.answered_by),
                    ),
                    None => crate::t("Ikke besvaret endnu.").to_owned(),
                }
            };
            ChecklistView {
                title: q.title.clone(),
                is_unit,
                open: q.state == QuestionnaireState::Open,
                answered: item.answered.is_some(),
                status,
                href: base.clone(),
                results_href: format!("{base}/resultater"),
                send_action: format!("{base}/send"),
                sent: item.sent.is_some(),
            }
        })
        .collect())
}

// --- the unit -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "unit_evaluation.html")]
struct UnitEvaluationPage {
    t: &'static Text,
    unit_name: String,
    municipality_name: String,
    csrf: String,
    back_path: String,
    action: String,
    title: String,
    intro: String,
    open: bool,
    saved: bool,
    answered: Option<String>,
    labels: FormLabels,
    fields: Vec<FieldView>,
    problems: Vec<(String, String)>,
}

/// The unit's evaluation, if its coordinator sent it to the unit's
/// municipality; otherwise not found.
async fn unit_questionnaire(
    state: &AppState,
    unit: &UnitSession,
    id: i64,
) -> Result<(Questionnaire, Respondent), WebError> {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let respondent = Respondent::Unit(unit.ctx.municipality.code, unit.ctx.unit.id);
    questionnaire::check_respondent(store, &q, respondent).await?;
    Ok((q, respondent))
}

async fn unit_page(
    state: &AppState,
    unit: &UnitSession,
    q: &Questionnaire,
    respondent: Respondent,
    posted: Option<(AnswerInput, Vec<Problem>)>,
    saved: bool,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let t = unit.lang.text();
    let earlier = questionnaire::response_of(state.store.as_ref(), q, respondent).await?;
    let answered = earlier
        .as_ref()
        .map(|(r, _)| format!("{} {}.", t.evaluation_last_answer, when(r.answered_at)));
    let (values, problems) = match posted {
        Some(p) => p,
        None => (earlier.map(|(_, v)| v).unwrap_or_default(), Vec::new()),
    };
    let labels = unit_labels(t);
    let fields = fields(q, &values, &problems, &labels, unit.lang);
    // A refusal of the whole form leads the summary, pointing at the form.
    let summary = error
        .map(|e| ("questionnaire-form".to_owned(), e))
        .into_iter()
        .chain(
            fields
                .iter()
                .filter_map(|f| f.error.clone().map(|e| (f.anchor.clone(), e))),
        )
        .collect();
    let path = format!("/registrering/evaluering/{}", q.id());
    let page = UnitEvaluationPage {
        t,
        unit_name: unit.ctx.unit.name.clone(),
        municipality_name: unit.ctx.municipality.name.clone(),
        csrf: unit.session.csrf_token.clone(),
        back_path: path.clone(),
        action: path,
        title: q.row.title.clone(),
        intro: q.row.intro.clone(),
        open: q.is_open(),
        saved,
        answered,
        labels,
        fields,
        problems: summary,
    };
    Ok(Html(page.render()?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SavedQuery {
    gemt: Option<u8>,
}

/// `GET /registrering/evaluering/{id}`
pub(crate) async fn show_unit_evaluation(
    State(state): State<AppState>,
    unit: UnitSession,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let (q, respondent) = unit_questionnaire(&state, &unit, id).await?;
    Ok(unit_page(
        &state,
        &unit,
        &q,
        respondent,
        None,
        query.gemt.is_some(),
        None,
    )
    .await?
    .into_response())
}

/// `POST /registrering/evaluering/{id}`: the unit's answers, replacing its
/// earlier ones.
pub(crate) async fn save_unit_evaluation(
    State(state): State<AppState>,
    unit: UnitSession,
    Path(id): Path<i64>,
    Form(form): Form<OtherFields>,
) -> PageResult {
    unit.check_csrf(form.get("csrf"))?;
    let (q, respondent) = unit_questionnaire(&state, &unit, id).await?;
    let (input, outcome) = match answers_of(&form) {
        Ok(input) => {
            let outcome = questionnaire::answer(
                state.store.as_ref(),
                &Actor::unit(&unit.ctx.unit.login),
                &q,
                respondent,
                &input,
                state.clock.now(),
            )
            .await;
            (input, outcome)
        }
        Err(_) => {
            let error = Some(unit.lang.too_many_answers());
            let page = unit_page(&state, &unit, &q, respondent, None, false, error).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match outcome {
        Ok(Ok(())) => {
            Ok(Redirect::to(&format!("/registrering/evaluering/{id}?gemt=1")).into_response())
        }
        Ok(Err(problems)) => {
            let page = unit_page(
                &state,
                &unit,
                &q,
                respondent,
                Some((input, problems)),
                false,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        // Closed meanwhile: the page says so.
        Err(CoreError::Invalid(_)) => {
            let page = unit_page(&state, &unit, &q, respondent, None, false, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- the national administrator ---------------------------------------------------

struct ListRow {
    id: i64,
    title: String,
    period: String,
    audience: &'static str,
    state: &'static str,
    responses: usize,
}

#[derive(Template)]
#[template(path = "questionnaire_list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<ListRow>,
    periods: Vec<Choice>,
    audiences: Vec<Choice>,
    title: String,
    intro: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CreateForm {
    #[serde(deserialize_with = "crate::forms::id")]
    periode: Option<i64>,
    maalgruppe: String,
    titel: String,
    indledning: String,
}

async fn list_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    form: CreateForm,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let periods = store.list_periods(None).await?;
    let mut rows = Vec::new();
    for q in questionnaire::list(store, None).await? {
        rows.push(ListRow {
            id: q.id.0,
            title: q.title.clone(),
            period: periods
                .iter()
                .find(|p| p.id == q.period)
                .map_or_else(|| q.period.to_string(), |p| p.period.name.clone()),
            audience: crate::t(q.audience.label_da()),
            state: crate::t(q.state.label_da()),
            responses: store.list_questionnaire_responses(q.id, None).await?.len(),
        });
    }
    let chosen = form.periode.map(PeriodId).or_else(|| {
        periods
            .iter()
            .filter(|p| p.municipality.is_none())
            .max_by_key(|p| p.period.starts_on)
            .map(|p| p.id)
    });
    let page = ListPage {
        frame: Frame::admin(auth, crate::t("Spørgeskemaer"), "/spoergeskemaer")
            .notice(notice)
            .error(error),
        rows,
        periods: period_choices(state, chosen).await?,
        audiences: Audience::ALL
            .iter()
            .map(|a| Choice {
                value: a.code().into(),
                label: crate::t(a.label_da()).into(),
                selected: a.code() == form.maalgruppe
                    || (form.maalgruppe.is_empty() && *a == Audience::Coordinator),
            })
            .collect(),
        title: form.titel,
        intro: form.indledning,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/spoergeskemaer`
pub(crate) async fn list_questionnaires(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(
        list_page(&state, &auth, query.text(), None, CreateForm::default())
            .await?
            .into_response(),
    )
}

/// `POST /admin/spoergeskemaer`: a new questionnaire, as a draft.
pub(crate) async fn create_questionnaire(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<CreateForm>,
) -> PageResult {
    let outcome = match (form.periode, Audience::parse(&form.maalgruppe)) {
        (Some(period), Some(audience)) => {
            questionnaire::create(
                state.store.as_ref(),
                &auth.user.actor(),
                PeriodId(period),
                audience,
                &form.titel,
                &form.indledning,
            )
            .await
        }
        _ => Err(CoreError::Invalid(
            crate::t("Vælg en tælleperiode og hvem der skal svare.").into(),
        )),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&with_notice(
            &format!("/admin/spoergeskemaer/{id}"),
            "oprettet",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => {
            let page = list_page(&state, &auth, None, Some(message), form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EvaluationForm {
    #[serde(deserialize_with = "crate::forms::id")]
    periode: Option<i64>,
}

/// `POST /admin/spoergeskemaer/evaluering`: the evaluation of the counting
/// weeks from the standard template.
pub(crate) async fn create_evaluation(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<EvaluationForm>,
) -> PageResult {
    let Some(period) = form.periode else {
        return Err(WebError::BadRequest(
            crate::t("Vælg en tælleperiode.").into(),
        ));
    };
    let id = questionnaire::create_evaluation(
        state.store.as_ref(),
        &auth.user.actor(),
        PeriodId(period),
    )
    .await?;
    Ok(Redirect::to(&with_notice(
        &format!("/admin/spoergeskemaer/{id}"),
        "oprettet",
    ))
    .into_response())
}

struct QuestionRowView {
    id: i64,
    number: i32,
    text: String,
    kind: &'static str,
    details: String,
    required: bool,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "questionnaire_edit.html")]
struct EditPage {
    frame: Frame,
    id: i64,
    title: String,
    intro: String,
    period: String,
    audience: &'static str,
    state: &'static str,
    state_code: &'static str,
    answered: bool,
    responses: usize,
    questions: Vec<QuestionRowView>,
    kinds: Vec<Choice>,
    draft: QuestionForm,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct QuestionForm {
    art: String,
    tekst: String,
    svarmuligheder: String,
    #[serde(deserialize_with = "crate::forms::checkbox")]
    paakraevet: bool,
    min: String,
    max: String,
}

async fn edit_page(
    state: &AppState,
    auth: &Authorized,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
    draft: QuestionForm,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let responses = store
        .list_questionnaire_responses(q.id(), None)
        .await?
        .len();
    let n = q.questions.len();
    let questions = q
        .questions
        .iter()
        .enumerate()
        .map(|(i, question)| QuestionRowView {
            id: question.id.0,
            number: question.position,
            text: question.text.clone(),
            kind: crate::t(question.kind.label_da()),
            details: match question.kind {
                QuestionKind::Single | QuestionKind::Multiple => question.options.join(" · "),
                QuestionKind::Number => match (question.min, question.max) {
                    (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
                    (Some(lo), None) => crate::t1("mindst {0}", lo),
                    (None, Some(hi)) => crate::t1("højst {0}", hi),
                    (None, None) => String::new(),
                },
                QuestionKind::Text => crate::t1("højst {0} tegn", questionnaire::TEXT_ANSWER_MAX),
            },
            required: question.required,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    let kind = QuestionKind::parse(&draft.art).unwrap_or_default();
    let page = EditPage {
        frame: Frame::admin(auth, q.row.title.clone(), "/spoergeskemaer")
            .notice(notice)
            .error(error),
        id,
        title: q.row.title.clone(),
        intro: q.row.intro.clone(),
        period: period_name(state, q.row.period).await?,
        audience: crate::t(q.row.audience.label_da()),
        state: crate::t(q.row.state.label_da()),
        state_code: q.row.state.code(),
        answered: responses > 0,
        responses,
        questions,
        kinds: QuestionKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: crate::t(k.label_da()).into(),
                selected: *k == kind,
            })
            .collect(),
        draft,
    };
    Ok(Html(page.render()?))
}

/// `GET /admin/spoergeskemaer/{skema}`
pub(crate) async fn show_questionnaire(
    State(state): State<AppState>,
    auth: Authorized,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(edit_page(
        &state,
        &auth,
        id,
        query.text(),
        None,
        QuestionForm::default(),
    )
    .await?
    .into_response())
}

/// After a change on the editor: back to it, or the editor with the reason.
async fn edited(
    state: &AppState,
    auth: &Authorized,
    id: i64,
    outcome: Result<(), CoreError>,
    draft: QuestionForm,
) -> PageResult {
    after_change(
        outcome,
        &format!("/admin/spoergeskemaer/{id}"),
        "gemt",
        |e| edit_page(state, auth, id, None, Some(e), draft),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TextForm {
    titel: String,
    indledning: String,
}

/// `POST /admin/spoergeskemaer/{skema}`: title and introduction.
pub(crate) async fn update_questionnaire(
    State(state): State<AppState>,
    auth: Authorized,
    Path(id): Path<i64>,
    Form(form): Form<TextForm>,
) -> PageResult {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let outcome =
        questionnaire::update(store, &auth.user.actor(), &q, &form.titel, &form.indledning).await;
    edited(&state, &auth, id, outcome, QuestionForm::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StateForm {
    tilstand: String,
}

/// `POST /admin/spoergeskemaer/{skema}/tilstand`: open, close or reopen.
pub(crate) async fn set_state(
    State(state): State<AppState>,
    auth: Authorized,
    Path(id): Path<i64>,
    Form(form): Form<StateForm>,
) -> PageResult {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let outcome = match QuestionnaireState::parse(&form.tilstand) {
        Some(s) => questionnaire::set_state(store, &auth.user.actor(), &q, s).await,
        None => Err(CoreError::Invalid(crate::t("Vælg åbn eller luk.").into())),
    };
    edited(&state, &auth, id, outcome, QuestionForm::default()).await
}

/// `POST /admin/spoergeskemaer/{skema}/spoergsmaal`: a question added at the end.
pub(crate) async fn add_question(
    State(state): State<AppState>,
    auth: Authorized,
    Path(id): Path<i64>,
    Form(form): Form<QuestionForm>,
) -> PageResult {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let outcome = match QuestionKind::parse(&form.art) {
        Some(kind) => questionnaire::add_question(
            store,
            &auth.user.actor(),
            &q,
            &QuestionDraft {
                kind,
                text: form.tekst.clone(),
                options: form.svarmuligheder.clone(),
                required: form.paakraevet,
                min: form.min.clone(),
                max: form.max.clone(),
            },
        )
        .await
        .map(|_| ()),
        None => Err(CoreError::Invalid(
            crate::t("Vælg spørgsmålets type.").into(),
        )),
    };
    let draft = if outcome.is_ok() {
        QuestionForm::default()
    } else {
        form
    };
    edited(&state, &auth, id, outcome, draft).await
}

/// `POST /admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/fjern`
pub(crate) async fn remove_question(
    State(state): State<AppState>,
    auth: Authorized,
    Path((id, question)): Path<(i64, i64)>,
) -> PageResult {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let outcome = questionnaire::remove_question(
        store,
        &auth.user.actor(),
        &q,
        QuestionnaireQuestionId(question),
    )
    .await;
    edited(&state, &auth, id, outcome, QuestionForm::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MoveForm {
    retning: String,
}

/// `POST /admin/spoergeskemaer/{skema}/spoergsmaal/{spoergsmaal}/flyt`
pub(crate) async fn move_question(
    State(state): State<AppState>,
    auth: Authorized,
    Path((id, question)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> PageResult {
    let store = state.store.as_ref();
    let q = questionnaire::load(store, QuestionnaireId(id)).await?;
    let outcome = questionnaire::move_question(
        store,
        &auth.user.actor(),
        &q,
        QuestionnaireQuestionId(question),
        form.retning == "op",
    )
    .await;
    edited(&state, &auth, id, outcome, QuestionForm::default()).await
}

// --- results ----------------------------------------------------------------------

struct BarView {
    label: String,
    count: String,
    share: String,
    percent: i64,
}

struct QuestionResultView {
    number: i32,
    text: String,
    kind: &'static str,
    answered: usize,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    bars: Vec<BarView>,
}

struct TableView {
    caption: &'static str,
    id: &'static str,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "questionnaire_results.html")]
struct ResultsPage {
    frame: Frame,
    period: String,
    audience: &'static str,
    respondents: String,
    csv: String,
    questions: Vec<QuestionResultView>,
    groups: Vec<TableView>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ResultsQuery {
    format: String,
}

fn csv(results: &Results) -> PageResult {
    let table = questionnaire::responses_table(results);
    Ok(attachment(
        table.csv()?,
        "text/csv; charset=utf-8",
        &format!("spoergeskema-{}.csv", results.questionnaire.id()),
    ))
}

async fn results_page(
    state: &AppState,
    frame: Frame,
    results: &Results,
    base: &str,
    national: bool,
) -> PageResult {
    let q = &results.questionnaire;
    let questions = results
        .questions
        .iter()
        .map(|r| {
            let table = questionnaire::question_table(r);
            let bars = match &r.figures {
                Figures::Options(options) => options
                    .iter()
                    .map(|o| BarView {
                        label: o.option.clone(),
                        count: o.count.to_string(),
                        share: komhen_core::reports::tabular::Cell::Share(o.share).display_da(),
                        percent: (o.share * 100.0).round() as i64,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            QuestionResultView {
                number: r.question.position,
                text: r.question.text.clone(),
                kind: crate::t(r.question.kind.label_da()),
                answered: r.answered,
                head: crate::i18n::header(&table.header),
                rows: rows_text(&table),
                bars,
            }
        })
        .collect();
    let groups = if q.row.audience == Audience::Unit {
        [
            (
                Grouping::Department,
                crate::t("Pr. forvaltning"),
                "by-department",
            ),
            (Grouping::Unit, crate::t("Pr. enhed"), "by-unit"),
        ]
        .into_iter()
        .map(|(grouping, caption, id)| {
            let table = questionnaire::grouped_table(results, grouping);
            TableView {
                caption,
                id,
                head: crate::i18n::header(&table.header),
                rows: rows_text(&table),
            }
        })
        .collect()
    } else {
        Vec::new()
    };
    let n = results.responses.len();
    let respondents = match (q.row.audience, national) {
        (Audience::Coordinator, _) => {
            let turnout = questionnaire::turnout(state.store.as_ref(), results).await?;
            let mut text = crate::t2(
                "{0} af {1} deltagende kommuner har svaret.",
                turnout.answered,
                turnout.participating,
            );
            if turnout.answered_outside > 0 {
                text.push(' ');
                text.push_str(&if turnout.answered_outside == 1 {
                    crate::t("Desuden har 1 kommune uden for perioden svaret.").to_owned()
                } else {
                    crate::t1(
                        "Desuden har {0} kommuner uden for perioden svaret.",
                        turnout.answered_outside,
                    )
                });
            }
            text
        }
        (Audience::Unit, true) => {
            let sent = state
                .store
                .list_questionnaire_sends(q.id(), None)
                .await?
                .len();
            if sent == 1 {
                crate::t1("Sendt af 1 kommune; {0}.", units_answered(n))
            } else {
                crate::t2("Sendt af {0} kommuner; {1}.", sent, units_answered(n))
            }
        }
        (Audience::Unit, false) => format!("{}.", units_answered(n)),
    };
    let page = ResultsPage {
        frame,
        period: period_name(state, q.row.period).await?,
        audience: crate::t(q.row.audience.label_da()),
        respondents,
        csv: format!("{base}?format=csv"),
        questions,
        groups,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /admin/spoergeskemaer/{skema}/resultater` (`?format=csv`: one row
/// per response, one column per question).
pub(crate) async fn show_results(
    State(state): State<AppState>,
    auth: Authorized,
    Path(id): Path<i64>,
    Query(query): Query<ResultsQuery>,
) -> PageResult {
    let q = questionnaire::load(state.store.as_ref(), QuestionnaireId(id)).await?;
    let results = questionnaire::results(state.store.as_ref(), q, None).await?;
    if query.format == "csv" {
        return csv(&results);
    }
    let frame = Frame::admin(
        &auth,
        crate::t1("Resultater: {0}", &results.questionnaire.row.title),
        "/spoergeskemaer",
    );
    results_page(
        &state,
        frame,
        &results,
        &format!("/admin/spoergeskemaer/{id}/resultater"),
        true,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::units_answered;

    #[test]
    fn one_unit_is_singular() {
        assert_eq!(units_answered(1), "1 enhed har svaret");
        assert_eq!(units_answered(0), "0 enheder har svaret");
        assert_eq!(units_answered(3), "3 enheder har svaret");
    }
}
