//! The registration tool's pages: register, undo, correct, the unit's day
//! and week, and the help with the method's definitions.
//! Every rule lives in `komhen_core::registration`; this module turns forms
//! into input and results into pages.

pub(crate) mod paper;

use crate::format::number;
use crate::forms::{CsrfForm, OtherFields};
use crate::i18n::Text;
use crate::session::UnitSession;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, NaiveDate, Utc};
use komhen_core::accounts::auth::random_token;
use komhen_core::hotline::desk::{self, Desk};
use komhen_core::registration::{
    self, Choices, FieldError, RegisterError, RegistrationInput, Today, Week, UNDO_MINUTES,
};
use komhen_domain::hotline::HotlineOutcome;
use komhen_domain::reference::AnswerKind;
use komhen_domain::{Direction, InquiryType, RegistrationId};
use komhen_store::RegistrationRow;
use serde::Deserialize;

/// One radio option with its keyboard key.
pub(crate) struct OptionView {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) key: String,
    pub(crate) checked: bool,
}

pub(crate) struct ChannelView {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) direction: &'static str,
    pub(crate) form: bool,
    pub(crate) key: String,
    pub(crate) checked: bool,
}

pub(crate) struct TaskView {
    pub(crate) id: i64,
    pub(crate) kle: String,
    pub(crate) name: String,
    pub(crate) checked: bool,
}

pub(crate) struct QuestionView {
    pub(crate) id: i64,
    pub(crate) label: String,
    /// The task the question belongs to, empty for optional parameters.
    pub(crate) task: String,
    pub(crate) choice: bool,
    pub(crate) number: bool,
    pub(crate) options: Vec<OptionView>,
    pub(crate) value: String,
}

pub(crate) struct TodayRowView {
    pub(crate) id: i64,
    /// A hotline call's caller municipality (empty for other rows).
    pub(crate) caller: String,
    pub(crate) time: String,
    pub(crate) channel: String,
    pub(crate) task: String,
    pub(crate) inquiry_type: String,
    pub(crate) completion: String,
    pub(crate) is_test: bool,
    pub(crate) quantity: i64,
    pub(crate) correctable: bool,
}

pub(crate) struct HourView {
    pub(crate) hour: String,
    pub(crate) cells: Vec<String>,
    pub(crate) total: String,
    pub(crate) percent: i64,
}

/// One day of the unit's week so far.
pub(crate) struct WeekDayView {
    pub(crate) label: String,
    pub(crate) count: String,
    pub(crate) percent: i64,
    pub(crate) is_today: bool,
}

/// A hotline unit's extra steps: the caller's municipality and the outcome.
pub(crate) struct HotlineView {
    pub(crate) name: String,
    pub(crate) callers: Vec<OptionView>,
    pub(crate) outcomes: Vec<OptionView>,
}

/// One problem in the error summary; `step` names the form's step it
/// belongs to (marked on the page too), `anchor` the element it links to.
pub(crate) struct ErrorView {
    pub(crate) step: Option<&'static str>,
    pub(crate) anchor: String,
    pub(crate) message: String,
}

impl From<FieldError> for ErrorView {
    fn from(e: FieldError) -> Self {
        let step = match e.field {
            "direction" | "channel" | "task" | "inquiry_type" | "completion" | "form"
            | "caller" | "outcome" | "time" => Some(e.field),
            _ => None,
        };
        let anchor = match step {
            Some("form") => "form-step".to_owned(),
            Some("time") => "time".to_owned(),
            Some(step) => format!("step-{step}"),
            None => String::new(),
        };
        Self {
            step,
            anchor,
            message: e.message,
        }
    }
}

pub(crate) struct Confirmation {
    pub(crate) id: i64,
    pub(crate) text: String,
    pub(crate) undoable: bool,
}

#[derive(Template)]
#[template(path = "register.html")]
pub(crate) struct RegisterPage {
    t: &'static Text,
    unit_name: String,
    /// The unit's id: the browser keeps each unit's waiting registrations apart.
    unit_id: i64,
    municipality_name: String,
    csrf: String,
    test_mode: bool,
    idempotency_key: String,
    /// Set when the page corrects an earlier registration.
    correcting: Option<i64>,
    directions: Vec<OptionView>,
    channels: Vec<ChannelView>,
    tasks: Vec<TaskView>,
    types: Vec<OptionView>,
    completions: Vec<OptionView>,
    /// Set for a unit that answers a joint hotline.
    hotline: Option<HotlineView>,
    forms: Vec<OptionView>,
    questions: Vec<QuestionView>,
    time: String,
    confirmation: Option<Confirmation>,
    notice: Option<String>,
    errors: Vec<ErrorView>,
    today_count: String,
    today_test_count: String,
    today_rows: Vec<TodayRowView>,
    graph_channels: Vec<String>,
    graph: Vec<HourView>,
    week: Vec<WeekDayView>,
    week_count: String,
    week_test_count: String,
    undo_minutes: i64,
    /// Open evaluations the unit's coordinator sent: (id, title, answered).
    evaluations: Vec<(i64, String, bool)>,
}

impl RegisterPage {
    /// The server's message for a step of the form, when it has one.
    fn error_for(&self, step: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.step == Some(step))
            .map(|e| e.message.as_str())
    }

    /// The class that marks a step with an error (DKFDS's `form-error`).
    fn error_class(&self, step: &str) -> &'static str {
        if self.error_for(step).is_some() {
            " form-error"
        } else {
            ""
        }
    }
}

/// Options fixed by the method (value, label, key), one of them chosen.
fn fixed_options(options: &[(&str, &str, &str)], chosen: &str) -> Vec<OptionView> {
    options
        .iter()
        .map(|(value, label, key)| OptionView {
            value: (*value).into(),
            label: (*label).into(),
            key: (*key).into(),
            checked: chosen == *value,
        })
        .collect()
}

/// The registration form: its fixed fields, and the answers to the
/// unit's questions, one `q_<question id>` field each.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RegistrationForm {
    csrf: String,
    direction: String,
    channel: String,
    task: String,
    inquiry_type: String,
    completion: String,
    form: String,
    duration_ms: String,
    time: String,
    made_at: String,
    idempotency_key: String,
    caller: String,
    outcome: String,
    #[serde(flatten)]
    answers: OtherFields,
}

impl RegistrationForm {
    /// The form as core's input: the answers by question id.
    fn into_input(self) -> RegistrationInput {
        RegistrationInput {
            answers: self
                .answers
                .with_prefix("q_")
                .map(|(id, value)| (id.to_owned(), value.to_owned()))
                .collect(),
            direction: self.direction,
            channel: self.channel,
            task: self.task,
            inquiry_type: self.inquiry_type,
            completion: self.completion,
            form: self.form,
            duration_ms: self.duration_ms,
            time: self.time,
            made_at: self.made_at,
            idempotency_key: self.idempotency_key,
            caller: self.caller,
            outcome: self.outcome,
        }
    }
}

fn input_from_row(row: &RegistrationRow, choices: &Choices) -> RegistrationInput {
    let direction = choices
        .channels
        .iter()
        .find(|c| c.code == row.channel)
        .map(|c| c.direction);
    RegistrationInput {
        direction: direction
            .map(Direction::code)
            .unwrap_or_default()
            .to_owned(),
        channel: row.channel.to_string(),
        task: row.task.0.to_string(),
        inquiry_type: row
            .inquiry_type
            .map(InquiryType::code)
            .unwrap_or_default()
            .to_owned(),
        completion: row
            .completion
            .map(|c| c.code())
            .unwrap_or_default()
            .to_owned(),
        form: match row.has_form {
            Some(true) => "JA".into(),
            Some(false) => "NEJ".into(),
            None => String::new(),
        },
        ..RegistrationInput::default()
    }
}

fn time_of(at: DateTime<Utc>) -> String {
    komhen_domain::danish_local(at).format("%H:%M").to_string()
}

struct PageParts {
    choices: Choices,
    today: Today,
    week: Week,
    desk: Option<Desk>,
}

async fn load_parts(
    state: &AppState,
    unit: &UnitSession,
    now: DateTime<Utc>,
) -> Result<PageParts, WebError> {
    let store = state.store.as_ref();
    let day = komhen_domain::DateDimensions::of(now).day;
    let desk = desk::of_unit(store, unit.ctx.unit.id, day).await?;
    Ok(PageParts {
        choices: registration::choices(store, &unit.ctx, desk.as_ref(), now).await?,
        today: registration::today(store, &unit.ctx, desk.as_ref(), now).await?,
        week: registration::week(store, &unit.ctx, desk.as_ref(), now).await?,
        desk,
    })
}

fn build_page(
    unit: &UnitSession,
    parts: &PageParts,
    input: Option<&RegistrationInput>,
    now: DateTime<Utc>,
) -> RegisterPage {
    let choices = &parts.choices;
    // Without input, the unit's last direction and channel stay selected.
    let (direction, channel) = match input {
        Some(i) => (i.direction.clone(), i.channel.clone()),
        None => choices
            .last
            .as_ref()
            .map(|(d, c)| (d.code().to_owned(), c.to_string()))
            .unwrap_or_default(),
    };
    let empty = RegistrationInput::default();
    let input = input.unwrap_or(&empty);
    let t = unit.lang.text();
    let english = t.lang == "en";
    let directions = [
        (Direction::Incoming, t.direction_in, "I"),
        (Direction::Outgoing, t.direction_out, "U"),
    ]
    .into_iter()
    .map(|(d, label, key)| OptionView {
        value: d.code().into(),
        label: label.into(),
        key: key.into(),
        checked: direction == d.code(),
    })
    .collect();
    let mut per_direction = [0usize; 2];
    let channels = choices
        .channels
        .iter()
        .map(|c| {
            let slot = usize::from(c.direction == Direction::Outgoing);
            per_direction[slot] += 1;
            ChannelView {
                code: c.code.to_string(),
                label: if english {
                    c.label_en.clone()
                } else {
                    c.label_da.clone()
                },
                direction: c.direction.code(),
                form: c.form_applicable,
                key: per_direction[slot].to_string(),
                checked: channel == c.code.as_str(),
            }
        })
        .collect();
    let tasks = choices
        .tasks
        .iter()
        .map(|t| TaskView {
            id: t.id.0,
            kle: t.kle.to_string(),
            name: t.name.clone(),
            checked: input.task == t.id.0.to_string(),
        })
        .collect();
    let types = choices
        .inquiry_types
        .iter()
        .enumerate()
        .map(|(i, kind)| OptionView {
            value: kind.inquiry_type.code().into(),
            label: if english {
                kind.label_en.clone()
            } else {
                kind.label_da.clone()
            },
            key: (i + 1).to_string(),
            checked: input.inquiry_type == kind.inquiry_type.code(),
        })
        .collect();
    let completions = fixed_options(
        &[
            ("STRAKS", t.completion_at_once, "1"),
            ("HOLD", t.completion_put_aside, "2"),
        ],
        &input.completion,
    );
    let forms = fixed_options(
        &[("JA", t.form_yes, "J"), ("NEJ", t.form_no, "N")],
        &input.form,
    );
    let hotline = parts.desk.as_ref().map(|desk| HotlineView {
        name: desk.name.clone(),
        callers: desk
            .callers
            .iter()
            .map(|c| OptionView {
                value: c.municipality.to_string(),
                label: c.name.clone(),
                key: String::new(),
                checked: input.caller.trim() == c.municipality.to_string(),
            })
            .collect(),
        outcomes: HotlineOutcome::ALL
            .iter()
            .enumerate()
            .map(|(i, o)| OptionView {
                value: o.code().into(),
                label: crate::t(o.label_da()).into(),
                key: (i + 1).to_string(),
                checked: input.outcome == o.code(),
            })
            .collect(),
    });
    let questions = question_views(choices, input, english);
    let today = &parts.today;
    let (today_rows, graph_channels, graph) = today_views(choices, today, parts.desk.as_ref(), t);
    RegisterPage {
        t,
        unit_name: unit.ctx.unit.name.clone(),
        unit_id: unit.ctx.unit.id.0,
        municipality_name: unit.ctx.municipality.name.clone(),
        csrf: unit.session.csrf_token.clone(),
        test_mode: unit.ctx.municipality.in_test_mode(now),
        idempotency_key: random_token(),
        correcting: None,
        directions,
        channels,
        tasks,
        types,
        completions,
        hotline,
        forms,
        questions,
        time: input.time.clone(),
        confirmation: None,
        notice: None,
        errors: Vec::new(),
        today_count: number(today.inquiries),
        today_test_count: number(today.test_inquiries),
        today_rows,
        graph_channels,
        graph,
        week: week_views(&parts.week, today.day, t),
        week_count: number(parts.week.inquiries()),
        week_test_count: number(parts.week.test_inquiries()),
        undo_minutes: UNDO_MINUTES,
        evaluations: Vec::new(),
    }
}

/// The unit's week so far, a day a row, with a bar against the busiest day.
fn week_views(week: &Week, today: NaiveDate, t: &Text) -> Vec<WeekDayView> {
    let max = week
        .days
        .iter()
        .map(|d| d.inquiries)
        .max()
        .unwrap_or(0)
        .max(1);
    week.days
        .iter()
        .map(|d| WeekDayView {
            label: t.day_label(d.day),
            count: number(d.inquiries),
            percent: d.inquiries * 100 / max,
            is_today: d.day == today,
        })
        .collect()
}

/// The optional parameters and the task questions, with the values typed.
fn question_views(
    choices: &Choices,
    input: &RegistrationInput,
    english: bool,
) -> Vec<QuestionView> {
    choices
        .parameters
        .iter()
        .chain(&choices.task_questions)
        .map(|q| {
            let value = input
                .answers
                .iter()
                .find(|(id, _)| *id == q.id.0.to_string())
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            QuestionView {
                id: q.id.0,
                label: if english {
                    q.label_en.clone()
                } else {
                    q.label_da.clone()
                },
                task: q.task.map(|t| t.0.to_string()).unwrap_or_default(),
                choice: q.answer_kind == AnswerKind::Choice,
                number: q.answer_kind == AnswerKind::Number,
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| OptionView {
                        value: o.id.0.to_string(),
                        label: if english {
                            o.label_en.clone()
                        } else {
                            o.label_da.clone()
                        },
                        key: (i + 1).to_string(),
                        checked: value == o.id.0.to_string(),
                    })
                    .collect(),
                value,
            }
        })
        .collect()
}

/// Today's registrations of the unit and its hour graph: the rows, the
/// graph's channels and its hours.
fn today_views(
    choices: &Choices,
    today: &Today,
    desk: Option<&Desk>,
    t: &'static Text,
) -> (Vec<TodayRowView>, Vec<String>, Vec<HourView>) {
    let english = t.lang == "en";
    let label_of_channel = |code: &komhen_domain::ChannelCode| {
        choices
            .channels
            .iter()
            .find(|c| &c.code == code)
            .map_or_else(|| code.to_string(), |c| c.label_da.clone())
    };
    let label_of_type = |t: Option<InquiryType>| {
        t.and_then(|t| choices.inquiry_types.iter().find(|x| x.inquiry_type == t))
            .map_or_else(String::new, |x| {
                if english {
                    x.label_en.clone()
                } else {
                    x.label_da.clone()
                }
            })
    };
    let task_name = |id: komhen_domain::TaskId| {
        choices.tasks.iter().find(|t| t.id == id).map_or_else(
            || format!("opgave {id}"),
            |t| format!("{} {}", t.kle, t.name),
        )
    };
    let today_rows = today
        .registrations
        .iter()
        .map(|r| TodayRowView {
            id: r.id.0,
            caller: desk
                .filter(|_| r.source == komhen_domain::Source::Hotline)
                .map(|d| d.caller_name(r.municipality))
                .unwrap_or_default(),
            time: time_of(r.registered_at),
            channel: label_of_channel(&r.channel),
            task: task_name(r.task),
            inquiry_type: label_of_type(r.inquiry_type),
            completion: match (outcome_of(today, r.id), r.completion) {
                (Some(o), _) => crate::t(o.label_da()).into(),
                (None, Some(komhen_domain::Completion::AtOnce)) => t.at_once_short.into(),
                (None, Some(komhen_domain::Completion::PutAside)) => t.put_aside_short.into(),
                (None, None) => String::new(),
            },
            is_test: r.is_test,
            quantity: r.quantity,
            correctable: r.source == komhen_domain::Source::Tool,
        })
        .collect();
    let graph_channels = today.graph_channels();
    let hours = today.hours();
    let max = hours.iter().map(|h| h.total).max().unwrap_or(0).max(1);
    let graph = hours
        .iter()
        .map(|h| HourView {
            hour: format!("{:02}–{:02}", h.hour, h.hour + 1),
            cells: h.by_channel.iter().map(|n| number(*n)).collect(),
            total: number(h.total),
            percent: h.total * 100 / max,
        })
        .collect();
    let graph_channels = graph_channels.iter().map(label_of_channel).collect();
    (today_rows, graph_channels, graph)
}

/// What came of a hotline call registered today.
fn outcome_of(today: &Today, id: RegistrationId) -> Option<HotlineOutcome> {
    today
        .outcomes
        .iter()
        .find(|(r, _)| *r == id)
        .map(|(_, o)| *o)
}

fn describe(row: &RegistrationRow, page: &RegisterPage) -> String {
    let channel = page
        .channels
        .iter()
        .find(|c| c.code == row.channel.as_str())
        .map_or(row.channel.to_string(), |c| c.label.clone());
    let task = page
        .tasks
        .iter()
        .find(|t| t.id == row.task.0)
        .map_or(String::new(), |t| format!("{} {}", t.kle, t.name));
    let kind = page
        .types
        .iter()
        .find(|t| Some(t.value.as_str()) == row.inquiry_type.map(InquiryType::code))
        .map_or(String::new(), |t| t.label.clone());
    let t = page.t;
    // A hotline call reads as its caller and outcome (as in today's list).
    let call = page
        .today_rows
        .iter()
        .find(|r| r.id == row.id.0 && !r.caller.is_empty());
    let completion = match (call, row.completion) {
        (Some(call), _) => call.completion.as_str(),
        (None, Some(komhen_domain::Completion::AtOnce)) => t.completion_at_once,
        (None, _) => t.completion_put_aside,
    };
    let caller = call.map_or(String::new(), |c| format!("{} · ", c.caller));
    let form = match row.has_form {
        Some(true) => format!(", {}", t.with_form),
        _ => String::new(),
    };
    format!(
        "{caller}{channel} · {task} · {kind} · {}{form} · {} {}",
        completion.to_lowercase(),
        t.at_time,
        time_of(row.registered_at)
    )
}

/// The method's definitions for registrants, in the unit's language.
#[derive(Template)]
#[template(path = "register_help.html")]
pub(crate) struct HelpPage {
    t: &'static Text,
    unit_name: String,
    municipality_name: String,
    csrf: String,
}

/// `GET /registrering/hjaelp`: what one inquiry is, who registers a
/// forwarded one, what is not an inquiry, the form's steps and worked
/// examples, from KL's playbook for counting weeks.
pub(crate) async fn show_help(unit: UnitSession) -> Result<Html<String>, WebError> {
    let page = HelpPage {
        t: unit.lang.text(),
        unit_name: unit.ctx.unit.name.clone(),
        municipality_name: unit.ctx.municipality.name.clone(),
        csrf: unit.session.csrf_token.clone(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(crate) struct RegisterQuery {
    gemt: Option<i64>,
    fortrudt: Option<u8>,
    rettet: Option<i64>,
    skema: Option<i64>,
    antal: Option<i64>,
}

/// `GET /registrering`
pub(crate) async fn show_registration(
    State(state): State<AppState>,
    unit: UnitSession,
    Query(query): Query<RegisterQuery>,
) -> Result<Html<String>, WebError> {
    let now = state.clock.now();
    let parts = load_parts(&state, &unit, now).await?;
    let mut page = build_page(&unit, &parts, None, now);
    if let Some(id) = query.gemt {
        let row =
            registration::find_own(state.store.as_ref(), &unit.ctx, RegistrationId(id)).await?;
        if let Some(row) = row {
            page.confirmation = Some(Confirmation {
                id,
                text: describe(&row, &page),
                undoable: now - row.created_at <= chrono::Duration::minutes(UNDO_MINUTES),
            });
        }
    }
    if query.fortrudt.is_some() {
        page.notice = Some(page.t.undone_notice.into());
    }
    if let (Some(_), Some(count)) = (query.skema, query.antal) {
        page.notice = Some(format!(
            "{} {} {}.",
            page.t.sheet_saved_notice,
            number(count),
            page.t.inquiries
        ));
    }
    if query.rettet.is_some() {
        page.notice = Some(page.t.corrected_notice.into());
    }
    // One small query: the evaluations sent to the unit's municipality.
    page.evaluations = state
        .store
        .list_unit_questionnaires(unit.ctx.municipality.code, unit.ctx.unit.id)
        .await?
        .into_iter()
        .map(|e| (e.id.0, e.title, e.answered_at.is_some()))
        .collect();
    Ok(Html(page.render()?))
}

/// The refused page. A step the form left open is named in the page's
/// language (the rules' own messages are Danish); other problems keep the
/// rules' words.
fn invalid_page(
    mut page: RegisterPage,
    errors: Vec<FieldError>,
    input: Option<&RegistrationInput>,
) -> Result<Response, WebError> {
    let t = page.t;
    page.errors = errors
        .into_iter()
        .map(|e| {
            let sent = input.map(|i| match e.field {
                "channel" => i.channel.as_str(),
                "task" => i.task.as_str(),
                "inquiry_type" => i.inquiry_type.as_str(),
                "completion" => i.completion.as_str(),
                "form" => i.form.as_str(),
                "caller" => i.caller.as_str(),
                "outcome" => i.outcome.as_str(),
                _ => "-",
            });
            let mut view = ErrorView::from(e);
            if sent.is_some_and(|v| v.trim().is_empty()) {
                if let Some(message) = t.missing(&view.anchor) {
                    view.message = message.to_owned();
                }
            }
            view
        })
        .collect();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// `POST /registrering`
#[tracing::instrument(level = "debug", skip_all, fields(unit = unit.ctx.unit.id.0))]
pub(crate) async fn create_registration(
    State(state): State<AppState>,
    unit: UnitSession,
    Form(form): Form<RegistrationForm>,
) -> Result<Response, WebError> {
    unit.check_csrf(&form.csrf)?;
    let input = form.into_input();
    let now = state.clock.now();
    match registration::register(state.store.as_ref(), &unit.ctx, &input, now).await {
        Ok(saved) => {
            Ok(Redirect::to(&format!("/registrering?gemt={}", saved.id.0)).into_response())
        }
        Err(RegisterError::Invalid(errors)) => {
            let parts = load_parts(&state, &unit, now).await?;
            let mut page = build_page(&unit, &parts, Some(&input), now);
            // Keep the key: a corrected resubmission of the same inquiry is still one.
            page.idempotency_key = input.idempotency_key.clone();
            invalid_page(page, errors, Some(&input))
        }
        Err(RegisterError::Core(e)) => Err(e.into()),
    }
}

/// `POST /registrering/{id}/fortryd`
pub(crate) async fn undo_registration(
    State(state): State<AppState>,
    unit: UnitSession,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    unit.check_csrf(&form.csrf)?;
    let now = state.clock.now();
    match registration::undo(state.store.as_ref(), &unit.ctx, RegistrationId(id), now).await {
        Ok(_) => Ok(Redirect::to("/registrering?fortrudt=1").into_response()),
        Err(komhen_core::CoreError::Invalid(message)) => {
            let parts = load_parts(&state, &unit, now).await?;
            invalid_page(
                build_page(&unit, &parts, None, now),
                vec![FieldError {
                    field: "id",
                    message,
                }],
                None,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /registrering/{id}/ret`
pub(crate) async fn show_correction(
    State(state): State<AppState>,
    unit: UnitSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let now = state.clock.now();
    let row = registration::find_own(state.store.as_ref(), &unit.ctx, RegistrationId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let parts = load_parts(&state, &unit, now).await?;
    let input = input_from_row(&row, &parts.choices);
    let mut page = build_page(&unit, &parts, Some(&input), now);
    page.correcting = Some(id);
    Ok(Html(page.render()?))
}

/// `POST /registrering/{id}/ret`
pub(crate) async fn correct_registration(
    State(state): State<AppState>,
    unit: UnitSession,
    Path(id): Path<i64>,
    Form(form): Form<RegistrationForm>,
) -> Result<Response, WebError> {
    unit.check_csrf(&form.csrf)?;
    let input = form.into_input();
    let now = state.clock.now();
    match registration::correct(
        state.store.as_ref(),
        &unit.ctx,
        RegistrationId(id),
        &input,
        now,
    )
    .await
    {
        Ok(row) => Ok(Redirect::to(&format!("/registrering?rettet={}", row.id.0)).into_response()),
        Err(RegisterError::Invalid(errors)) => {
            let parts = load_parts(&state, &unit, now).await?;
            let mut page = build_page(&unit, &parts, Some(&input), now);
            page.correcting = Some(id);
            invalid_page(page, errors, Some(&input))
        }
        Err(RegisterError::Core(komhen_core::CoreError::Invalid(message))) => {
            let parts = load_parts(&state, &unit, now).await?;
            invalid_page(
                build_page(&unit, &parts, None, now),
                vec![FieldError {
                    field: "id",
                    message,
                }],
                None,
            )
        }
        Err(RegisterError::Core(e)) => Err(e.into()),
    }
}
