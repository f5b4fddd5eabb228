//! The paper fallback's pages: the printable sheet and typing it in.

use crate::forms::OtherFields;
use crate::session::UnitSession;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::registration::paper::{self, BoxEntry, Sheet, SheetInput};
use komhen_core::registration::RegisterError;
use komhen_domain::{ChannelCode, Completion, DateDimensions, InquiryType, TaskId};
use serde::Deserialize;

pub(crate) struct BoxView {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) value: String,
}

pub(crate) struct SheetRowView {
    pub(crate) task: String,
    pub(crate) channel: String,
    pub(crate) first_of_task: bool,
    pub(crate) boxes: Vec<BoxView>,
}

#[derive(Template)]
#[template(path = "sheet.html")]
pub(crate) struct SheetPage {
    unit_name: String,
    municipality_name: String,
    csrf: String,
    test_mode: bool,
    /// True on the page where a filled sheet is typed in.
    entry: bool,
    day: String,
    channel_count: usize,
    types: Vec<String>,
    rows: Vec<SheetRowView>,
    errors: Vec<String>,
}

/// The form field name of one box: `c_<task>_<channel>_<type>_<completion>`.
fn box_name(
    task: TaskId,
    channel: &ChannelCode,
    inquiry_type: InquiryType,
    completion: Completion,
) -> String {
    format!(
        "c_{}_{}_{}_{}",
        task.0,
        channel,
        inquiry_type.code(),
        completion.code()
    )
}

/// The box a field names (the part after `c_`), with the count typed in;
/// None for a name that names no kind of inquiry.
fn box_entry(name: &str, count: &str) -> Option<BoxEntry> {
    let [task, channel, kind, completion] = name.split('_').collect::<Vec<_>>()[..] else {
        return None;
    };
    Some(BoxEntry {
        task: TaskId(task.parse().ok()?),
        channel: ChannelCode::parse(channel).ok()?,
        inquiry_type: InquiryType::parse(kind).ok()?,
        completion: Completion::parse(completion).ok()?,
        count: count.to_owned(),
    })
}

/// A filled sheet typed in: its day, and a count in each box, one
/// `c_<task>_<channel>_<type>_<completion>` field each.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SheetForm {
    csrf: String,
    day: String,
    #[serde(flatten)]
    boxes: OtherFields,
}

/// A sheet's form as typed input.
fn sheet_input(form: &SheetForm) -> SheetInput {
    let mut input = SheetInput {
        day: form.day.clone(),
        ..SheetInput::default()
    };
    for (name, value) in form.boxes.with_prefix("c_") {
        let empty = matches!(value.trim(), "" | "0");
        match box_entry(name, value) {
            None if empty => {}
            Some(entry) => input.boxes.push(entry),
            None => input.unreadable += 1,
        }
    }
    input
}

fn build(
    unit: &UnitSession,
    sheet: &Sheet,
    entry: bool,
    typed: &OtherFields,
    day: String,
) -> SheetPage {
    let mut rows = Vec::new();
    for task in &sheet.tasks {
        for (i, channel) in sheet.channels.iter().enumerate() {
            let mut boxes = Vec::new();
            for t in &sheet.inquiry_types {
                for completion in Completion::ALL {
                    let name = box_name(task.id, &channel.code, t.inquiry_type, completion);
                    let value = typed.get(&name).to_owned();
                    let done = match completion {
                        Completion::AtOnce => "afsluttet straks",
                        Completion::PutAside => "lagt til side",
                    };
                    boxes.push(BoxView {
                        label: format!(
                            "{}, {}, {}, {done}",
                            task.name, channel.label_da, t.label_da
                        ),
                        name,
                        value,
                    });
                }
            }
            rows.push(SheetRowView {
                task: format!("{} {}", task.kle, task.name),
                channel: channel.label_da.clone(),
                first_of_task: i == 0,
                boxes,
            });
        }
    }
    SheetPage {
        unit_name: unit.ctx.unit.name.clone(),
        municipality_name: unit.ctx.municipality.name.clone(),
        csrf: unit.session.csrf_token.clone(),
        test_mode: unit.ctx.municipality.in_test_mode(Utc::now()),
        entry,
        day,
        channel_count: sheet.channels.len(),
        types: sheet
            .inquiry_types
            .iter()
            .map(|t| t.label_da.clone())
            .collect(),
        rows,
        errors: Vec::new(),
    }
}

/// `GET /registrering/skema`: the printable sheet.
pub(crate) async fn show_sheet(
    State(state): State<AppState>,
    unit: UnitSession,
) -> Result<Html<String>, WebError> {
    let sheet = paper::sheet(state.store.as_ref(), &unit.ctx).await?;
    Ok(Html(
        build(&unit, &sheet, false, &OtherFields::default(), String::new()).render()?,
    ))
}

/// `GET /registrering/skema/indtast`
pub(crate) async fn show_sheet_entry(
    State(state): State<AppState>,
    unit: UnitSession,
) -> Result<Html<String>, WebError> {
    let sheet = paper::sheet(state.store.as_ref(), &unit.ctx).await?;
    let today = DateDimensions::of(state.clock.now()).day.to_string();
    let page = build(&unit, &sheet, true, &OtherFields::default(), today);
    Ok(Html(page.render()?))
}

/// `POST /registrering/skema/indtast`
pub(crate) async fn enter_sheet(
    State(state): State<AppState>,
    unit: UnitSession,
    Form(form): Form<SheetForm>,
) -> Result<Response, WebError> {
    unit.check_csrf(&form.csrf)?;
    let store = state.store.as_ref();
    let input = sheet_input(&form);
    match paper::enter_sheet(store, &unit.ctx, &input, state.clock.now()).await {
        Ok(entered) => Ok(Redirect::to(&format!(
            "/registrering?skema={}&antal={}",
            entered.batch.id, entered.inquiries
        ))
        .into_response()),
        Err(RegisterError::Invalid(errors)) => {
            let sheet = paper::sheet(store, &unit.ctx).await?;
            let mut page = build(&unit, &sheet, true, &form.boxes, form.day.clone());
            page.errors = errors
                .into_iter()
                .map(|e| crate::i18n::message(&e.message))
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(RegisterError::Core(e)) => Err(e.into()),
    }
}
