//! Registering inquiries as a unit: what the form offers, the rules a
//! registration must pass, undo, same-day correction, and the unit's day
//! and week so far.
//!
//! Municipality, unit, date and time are never taken from the form: they
//! come from the session and the clock. Test mode is decided here, once, from
//! the municipality's setting at the moment of saving.

pub mod answer;
pub mod paper;

use crate::{accounts::auth, CoreError, CoreResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use komhen_domain::{
    da, danish_instant, dl, parse_form, ChannelCode, Completion, DateDimensions, Direction,
    InquiryType, Medium, NewAnswer, NewRegistration, RegistrationId, Source, TaskId, UnitId,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::hotline::desk::{self, Desk};
use komhen_domain::hotline::HotlineOutcome;
use komhen_store::{
    Aggregate, ChannelRow, Column, HotlineRegistration, HotlineRegistrationFilter,
    HourChannelCount, InquiryTypeRow, Inserted, Key, MunicipalityRow, NewAuditEntry, QuestionRow,
    RegistrationChange, RegistrationFilter, RegistrationRow, SessionRow, Store, TaskRow, TaskUsage,
    TestRows, UnitRow,
};

/// How long after saving a registration can be undone.
pub const UNDO_MINUTES: i64 = 5;

/// How old a registration kept in the browser (made offline, sent later)
/// may be when it arrives: as far back as a paper sheet may be dated (the
/// counting period and the weeks allowed for submitting data).
pub const QUEUED_MAX_AGE_DAYS: i64 = paper::MAX_SHEET_AGE_DAYS;
/// How far back the task list's "most used first" looks.
const USAGE_DAYS: i64 = 90;

/// The unit a session belongs to, with its municipality and what it may
/// register.
#[derive(Debug, Clone)]
pub struct UnitContext {
    pub municipality: MunicipalityRow,
    pub unit: UnitRow,
    /// The unit's catalogue at the municipality's current set-up version.
    catalog: Arc<Choices>,
}

impl UnitContext {
    /// The active unit a live session token opens, in one query when the
    /// unit's catalogue is cached (the registration tool's every request).
    pub async fn for_token(
        store: &dyn Store,
        catalogs: &Catalogs,
        token: &str,
        now: DateTime<Utc>,
    ) -> CoreResult<Option<(SessionRow, Self)>> {
        let Some(found) = auth::unit_session(store, token, now).await? else {
            return Ok(None);
        };
        if !found.unit.active {
            return Ok(None);
        }
        let ctx = Self::with_catalog(store, catalogs, found.municipality, found.unit).await?;
        Ok(Some((found.session, ctx)))
    }

    /// The active unit of a municipality, by id.
    pub async fn load(
        store: &dyn Store,
        catalogs: &Catalogs,
        municipality: komhen_domain::MunicipalityCode,
        unit: UnitId,
    ) -> CoreResult<Option<Self>> {
        let Some(municipality) = store.get_municipality(municipality).await? else {
            return Ok(None);
        };
        let unit = store
            .list_units(municipality.code)
            .await?
            .into_iter()
            .find(|u| u.id == unit && u.active);
        match unit {
            Some(unit) => Ok(Some(
                Self::with_catalog(store, catalogs, municipality, unit).await?,
            )),
            None => Ok(None),
        }
    }

    async fn with_catalog(
        store: &dyn Store,
        catalogs: &Catalogs,
        municipality: MunicipalityRow,
        unit: UnitRow,
    ) -> CoreResult<Self> {
        let catalog = catalogs.get(store, &municipality, &unit).await?;
        Ok(Self {
            municipality,
            unit,
            catalog,
        })
    }

    fn actor(&self) -> String {
        format!("enhed:{}", self.unit.login)
    }
}

/// The units' catalogues (channels, tasks, questions) kept in memory, each
/// valid for one set-up version of its municipality. Saving a registration
/// then checks the form without a catalogue query; any change to the set-up
/// raises the version (in the store, in the same transaction), so a stale
/// catalogue is never used, whichever server made the change.
#[derive(Debug, Default)]
pub struct Catalogs {
    by_unit: Mutex<HashMap<UnitId, (i64, Arc<Choices>)>>,
}

impl Catalogs {
    pub fn new() -> Self {
        Self::default()
    }

    async fn get(
        &self,
        store: &dyn Store,
        municipality: &MunicipalityRow,
        unit: &UnitRow,
    ) -> CoreResult<Arc<Choices>> {
        let version = municipality.setup_version;
        if let Some(catalog) = self.cached(unit.id, version) {
            return Ok(catalog);
        }
        let catalog = Arc::new(load_catalog(store, municipality.code, unit.id).await?);
        if let Ok(mut map) = self.by_unit.lock() {
            map.insert(unit.id, (version, catalog.clone()));
        }
        Ok(catalog)
    }

    fn cached(&self, unit: UnitId, version: i64) -> Option<Arc<Choices>> {
        let map = self.by_unit.lock().ok()?;
        map.get(&unit)
            .filter(|(v, _)| *v == version)
            .map(|(_, catalog)| catalog.clone())
    }
}

/// The channels a unit registers in the tool. Self-service, website,
/// remote print and system channels arrive centrally or by upload.
pub fn is_tool_channel(channel: &ChannelRow) -> bool {
    channel.active
        && matches!(
            channel.medium,
            Medium::Telephone
                | Medium::Personal
                | Medium::Email
                | Medium::Letter
                | Medium::DigitalPost
                | Medium::Sms
                | Medium::Chat
        )
}

/// Everything the registration form offers the unit.
#[derive(Debug, Clone)]
pub struct Choices {
    pub channels: Vec<ChannelRow>,
    /// The unit's tasks, most used first, then by KLE number.
    pub tasks: Vec<TaskRow>,
    pub inquiry_types: Vec<InquiryTypeRow>,
    /// The optional parameters switched on for the unit.
    pub parameters: Vec<QuestionRow>,
    /// Extra questions attached to the unit's tasks.
    pub task_questions: Vec<QuestionRow>,
    /// The direction and channel of the unit's latest registration today.
    pub last: Option<(Direction, ChannelCode)>,
}

/// What checking a registration needs and no more: the unit's channels,
/// tasks and questions. Saving is the hot path, so no ranking or history
/// here; [`Catalogs`] keeps the result per set-up version.
async fn load_catalog(
    store: &dyn Store,
    code: komhen_domain::MunicipalityCode,
    unit: UnitId,
) -> CoreResult<Choices> {
    let channels: Vec<ChannelRow> = store
        .list_channels()
        .await?
        .into_iter()
        .filter(is_tool_channel)
        .collect();
    let mut tasks = store.list_unit_tasks(code, unit).await?;
    tasks.retain(|t| !t.retired);
    let parameters = store.list_unit_questions(code, unit).await?;
    let task_questions = store
        .list_questions(code)
        .await?
        .into_iter()
        .filter(|q| {
            q.task
                .is_some_and(|t| tasks.iter().any(|task| task.id == t))
        })
        .collect();
    Ok(Choices {
        channels,
        tasks,
        inquiry_types: Vec::new(),
        parameters,
        task_questions,
        last: None,
    })
}

/// Everything the registration form shows: the catalogue, tasks ranked by
/// the unit's use, the inquiry types and the last direction and channel.
pub async fn choices(
    store: &dyn Store,
    ctx: &UnitContext,
    desk: Option<&Desk>,
    now: DateTime<Utc>,
) -> CoreResult<Choices> {
    let code = ctx.municipality.code;
    let mut choices = Choices::clone(&ctx.catalog);
    // A hotline call counts in the caller's municipality: national tasks
    // only, and no extra questions (they are the answering municipality's).
    if desk.is_some() {
        choices.tasks.retain(|t| t.municipality.is_none());
        choices.parameters.clear();
        choices.task_questions.clear();
    }
    let today = DateDimensions::of(now).day;
    let since = today - Duration::days(USAGE_DAYS);
    let usage = match desk {
        Some(_) => hotline_task_usage(store, ctx, since, today).await?,
        None => store.unit_task_usage(code, ctx.unit.id, since).await?,
    };
    let rank = |task: &TaskRow| {
        usage
            .iter()
            .position(|u| u.task == task.id)
            .unwrap_or(usize::MAX)
    };
    choices
        .tasks
        .sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.kle.cmp(&b.kle)));
    let filter = RegistrationFilter {
        from: Some(today),
        to: Some(today),
        unit: Some(ctx.unit.id),
        include_test: true,
        limit: 1,
        ..RegistrationFilter::default()
    };
    let latest = match desk {
        Some(_) => hotline_calls(store, ctx, today, Some(1)).await?,
        None => store.list_registrations(code, &filter).await?,
    };
    let last = latest.into_iter().next().and_then(|r| {
        choices
            .channels
            .iter()
            .find(|c| c.code == r.channel)
            .map(|c| (c.direction, c.code.clone()))
    });
    choices.last = last;
    choices.inquiry_types = store.list_inquiry_types().await?;
    Ok(choices)
}

/// A registration as the form sends it: strings, checked by [`register`].
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub direction: String,
    pub channel: String,
    pub task: String,
    pub inquiry_type: String,
    pub completion: String,
    pub form: String,
    pub duration_ms: String,
    /// `HH:MM` for a late entry earlier that day; empty means now (or
    /// `made_at`).
    pub time: String,
    /// When the registration was made, for one kept in the browser while
    /// the connection was down and sent later (RFC 3339); empty means now.
    pub made_at: String,
    pub idempotency_key: String,
    /// Answers by question id.
    pub answers: Vec<(String, String)>,
    /// A hotline unit's call: the caller's municipality (its code) ...
    pub caller: String,
    /// ... and what came of the call (`HotlineOutcome` code), which also
    /// gives the completion.
    pub outcome: String,
}

/// One problem with a submitted field, in Danish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The form has problems the user can fix; nothing was stored.
    #[error("registreringen er ikke gemt")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<komhen_store::StoreError> for RegisterError {
    fn from(e: komhen_store::StoreError) -> Self {
        Self::Core(CoreError::Store(e))
    }
}

/// The outcome of saving: the stored registration, and whether it was
/// there already (a resent form).
#[derive(Debug, Clone, Copy)]
pub struct Registered {
    pub id: RegistrationId,
    pub duplicate: bool,
}

/// The coded part of a registration after checking, shared by new
/// registrations and corrections.
struct Checked {
    channel: ChannelRow,
    task: TaskId,
    inquiry_type: InquiryType,
    completion: Completion,
    has_form: Option<bool>,
}

fn check_codes(
    choices: &Choices,
    input: &RegistrationInput,
    errors: &mut Vec<FieldError>,
) -> Option<Checked> {
    let mut fail = |field, message: String| errors.push(FieldError { field, message });
    let channel = match ChannelCode::parse(&input.channel) {
        _ if input.channel.trim().is_empty() => {
            fail("channel", dl!("Vælg en kanal.").into());
            None
        }
        Ok(code) => match choices.channels.iter().find(|c| c.code == code) {
            Some(c) => Some(c.clone()),
            None => {
                fail(
                    "channel",
                    da!("Kanalen «{}» kan ikke registreres her.", input.channel),
                );
                None
            }
        },
        Err(e) => {
            fail("channel", e.to_string());
            None
        }
    };
    if let (Some(channel), false) = (&channel, input.direction.trim().is_empty()) {
        match Direction::parse(&input.direction) {
            Ok(d) if d != channel.direction => fail(
                "direction",
                da!(
                    "{} er en {} kanal.",
                    channel.label_da,
                    channel.direction.label_da().to_lowercase()
                ),
            ),
            Ok(_) => {}
            Err(e) => fail("direction", e.to_string()),
        }
    }
    let task = match input.task.trim().parse::<i64>() {
        Ok(id) if choices.tasks.iter().any(|t| t.id.0 == id) => Some(TaskId(id)),
        Ok(_) => {
            fail("task", dl!("Opgaven er ikke tildelt enheden.").into());
            None
        }
        Err(_) => {
            fail("task", dl!("Vælg en opgave.").into());
            None
        }
    };
    let inquiry_type = if input.inquiry_type.trim().is_empty() {
        fail("inquiry_type", dl!("Vælg en henvendelsestype.").into());
        None
    } else {
        InquiryType::parse(&input.inquiry_type)
            .map_err(|e| fail("inquiry_type", e.to_string()))
            .ok()
    };
    let completion = if input.completion.trim().is_empty() {
        fail(
            "completion",
            dl!("Vælg, om henvendelsen blev afsluttet straks.").into(),
        );
        None
    } else {
        Completion::parse(&input.completion)
            .map_err(|e| fail("completion", e.to_string()))
            .ok()
    };
    let has_form = match &channel {
        Some(c) if c.form_applicable => {
            if input.form.trim().is_empty() {
                fail("form", dl!("Vælg, om der fulgte en blanket med.").into());
                None
            } else {
                parse_form(&input.form)
                    .map_err(|e| fail("form", e.to_string()))
                    .ok()
            }
        }
        // A form cannot come along on this channel: whatever was sent is not stored.
        _ => None,
    };
    Some(Checked {
        channel: channel?,
        task: task?,
        inquiry_type: inquiry_type?,
        completion: completion?,
        has_form,
    })
}

fn check_answers(
    questions: &[&QuestionRow],
    input: &RegistrationInput,
    errors: &mut Vec<FieldError>,
) -> Vec<NewAnswer> {
    let mut answers = Vec::new();
    for (key, value) in &input.answers {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let Some(question) = key
            .parse::<i64>()
            .ok()
            .and_then(|id| questions.iter().find(|q| q.id.0 == id))
        else {
            continue;
        };
        match answer::parse(question, value, answer::Choice::ById) {
            Ok(a) => answers.push(a),
            Err(why) => errors.push(FieldError {
                field: "answers",
                message: da!("Svaret på «{}» er ikke gyldigt: {why}.", question.label_da),
            }),
        }
    }
    answers
}

/// When the inquiry happened: now, or a time chosen earlier today. A
/// registration kept in the browser while the connection was down carries
/// the moment it was made (`made_at`); it keeps that moment (and its day),
/// and a late entry's time is a time of that day.
fn registered_at(
    input: &RegistrationInput,
    now: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> DateTime<Utc> {
    // A minute's grace for a clock that is slightly ahead.
    let grace = Duration::minutes(1);
    let made_at = input.made_at.trim();
    let made = if made_at.is_empty() {
        now
    } else {
        match DateTime::parse_from_rfc3339(made_at).map(|at| at.with_timezone(&Utc)) {
            Ok(at) if at < now - Duration::days(QUEUED_MAX_AGE_DAYS) => {
                errors.push(FieldError {
                    field: "time",
                    message: da!("Registreringen blev gemt i browseren for mere end \
                         {QUEUED_MAX_AGE_DAYS} dage siden; så gamle tal kan ikke \
                         længere indsendes."),
                });
                return now;
            }
            // A browser clock ahead of the server's never stores a moment
            // after now.
            Ok(at) => at.min(now),
            Err(_) => {
                errors.push(FieldError {
                    field: "time",
                    message: da!("«{made_at}» er ikke et tidspunkt."),
                });
                return now;
            }
        }
    };
    let time = input.time.trim();
    if time.is_empty() {
        return made;
    }
    let day = DateDimensions::of(made).day;
    match NaiveTime::parse_from_str(time, "%H:%M")
        .ok()
        .and_then(|t| danish_instant(day, t.hour(), t.minute()))
    {
        Some(at) if at <= made + grace => at.min(made),
        Some(_) => {
            errors.push(FieldError {
                field: "time",
                message: dl!("Tidspunktet ligger efter nu.").into(),
            });
            made
        }
        None => {
            errors.push(FieldError {
                field: "time",
                message: da!("«{time}» er ikke et klokkeslæt som 10:15."),
            });
            made
        }
    }
}

/// Saves one registration for the unit.
#[tracing::instrument(level = "debug", skip_all, fields(municipality = %ctx.municipality.code, unit = %ctx.unit.id))]
pub async fn register(
    store: &dyn Store,
    ctx: &UnitContext,
    input: &RegistrationInput,
    now: DateTime<Utc>,
) -> Result<Registered, RegisterError> {
    if let Some(desk) = desk::of_unit(store, ctx.unit.id, DateDimensions::of(now).day).await? {
        return register_call(store, ctx, &desk, input, now).await;
    }
    let choices = &ctx.catalog;
    let mut errors = Vec::new();
    let checked = check_codes(choices, input, &mut errors);
    let task_questions: Vec<&QuestionRow> = choices
        .task_questions
        .iter()
        .filter(|q| checked.as_ref().is_some_and(|c| q.task == Some(c.task)))
        .chain(choices.parameters.iter())
        .collect();
    let answers = check_answers(&task_questions, input, &mut errors);
    let registered_at = registered_at(input, now, &mut errors);
    let key = input.idempotency_key.trim();
    if key.len() > 100 {
        errors.push(FieldError {
            field: "idempotency_key",
            message: dl!("Formularen er ugyldig; genindlæs siden.").into(),
        });
    }
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        return Err(RegisterError::Invalid(errors));
    };
    let duration_ms = duration_of(input);
    let registration = NewRegistration {
        municipality: ctx.municipality.code,
        unit: Some(ctx.unit.id),
        task: checked.task,
        channel: checked.channel.code,
        inquiry_type: Some(checked.inquiry_type),
        completion: Some(checked.completion),
        has_form: checked.has_form,
        registered_at,
        duration_ms,
        quantity: 1,
        source: Source::Tool,
        is_test: ctx.municipality.in_test_mode(now),
        idempotency_key: (!key.is_empty()).then(|| format!("{}:{key}", ctx.unit.id)),
        answers,
    };
    match store.insert_registration(&registration).await? {
        Inserted::Created(id) => Ok(Registered {
            id,
            duplicate: false,
        }),
        Inserted::Duplicate(id) => {
            // An idempotency key can only ever match the unit's own rows (it
            // is prefixed with the unit id); anything else is a bug.
            own_registration(store, ctx, id).await?;
            Ok(Registered {
                id,
                duplicate: true,
            })
        }
    }
}

/// Saves a call answered by a hotline unit: counted once, in the caller's
/// municipality (source hotline, no unit), linked to the line and the unit.
/// A hotline call has no extra questions (they belong to the answering
/// unit's municipality) and its task must be a national one, which every
/// municipality shares.
async fn register_call(
    store: &dyn Store,
    ctx: &UnitContext,
    desk: &Desk,
    input: &RegistrationInput,
    now: DateTime<Utc>,
) -> Result<Registered, RegisterError> {
    let mut errors = Vec::new();
    let caller = match desk.caller(&input.caller) {
        Ok(caller) => Some(caller.municipality),
        Err(message) => {
            errors.push(FieldError {
                field: "caller",
                message,
            });
            None
        }
    };
    let outcome = HotlineOutcome::parse(&input.outcome);
    if outcome.is_none() {
        errors.push(FieldError {
            field: "outcome",
            message: dl!("Vælg hvad opkaldet endte med.").into(),
        });
    }
    // The outcome answers the completion: one question, not two.
    let coded = RegistrationInput {
        completion: outcome
            .unwrap_or(HotlineOutcome::SolvedAtOnce)
            .completion()
            .code()
            .into(),
        ..input.clone()
    };
    let checked = check_codes(&ctx.catalog, &coded, &mut errors);
    if let Some(task) = checked
        .as_ref()
        .and_then(|c| ctx.catalog.tasks.iter().find(|t| t.id == c.task))
        .filter(|t| t.municipality.is_some())
    {
        errors.push(FieldError {
            field: "task",
            message: da!(
                "«{}» er {}s egen opgave; et hotlineopkald registreres på en landsdækkende opgave.",
                task.name,
                ctx.municipality.name
            ),
        });
    }
    let registered_at = registered_at(input, now, &mut errors);
    let key = input.idempotency_key.trim();
    if key.len() > 100 {
        errors.push(FieldError {
            field: "idempotency_key",
            message: dl!("Formularen er ugyldig; genindlæs siden.").into(),
        });
    }
    let (Some(checked), Some(caller), Some(outcome), true) =
        (checked, caller, outcome, errors.is_empty())
    else {
        return Err(RegisterError::Invalid(errors));
    };
    let caller_row = store
        .get_municipality(caller)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("kommune {caller}")))?;
    let registration = NewRegistration {
        municipality: caller,
        unit: None,
        task: checked.task,
        channel: checked.channel.code,
        inquiry_type: Some(checked.inquiry_type),
        completion: Some(checked.completion),
        has_form: checked.has_form,
        registered_at,
        duration_ms: duration_of(input),
        quantity: 1,
        source: Source::Hotline,
        // A call counts as test when either the caller's municipality or
        // the answering unit's is counting in test mode.
        is_test: caller_row.in_test_mode(now) || ctx.municipality.in_test_mode(now),
        idempotency_key: (!key.is_empty()).then(|| format!("{}:{key}", ctx.unit.id)),
        answers: Vec::new(),
    };
    let link = HotlineRegistration {
        hotline: desk.hotline,
        unit: ctx.unit.id,
        outcome,
    };
    match store
        .insert_hotline_registration(&registration, &link)
        .await?
    {
        Inserted::Created(id) => Ok(Registered {
            id,
            duplicate: false,
        }),
        Inserted::Duplicate(id) => {
            own_registration(store, ctx, id).await?;
            Ok(Registered {
                id,
                duplicate: true,
            })
        }
    }
}

fn duration_of(input: &RegistrationInput) -> Option<i64> {
    input
        .duration_ms
        .trim()
        .parse::<i64>()
        .ok()
        .map(|ms| ms.clamp(0, 86_400_000))
}

fn registration_json(row: &RegistrationRow) -> String {
    serde_json::json!({
        "id": row.id.0,
        "unit_id": row.unit.map(|u| u.0),
        "task_id": row.task.0,
        "channel": row.channel.as_str(),
        "inquiry_type": row.inquiry_type.map(InquiryType::code),
        "completion": row.completion.map(Completion::code),
        "form": row.has_form,
        "registered_at": row.registered_at.to_rfc3339(),
        "quantity": row.quantity,
        "is_test": row.is_test,
    })
    .to_string()
}

/// The registration if it is the unit's own: a unit sees, undoes and
/// corrects only what it registered itself. A hotline unit's calls count in
/// the callers' municipalities and are found through their link.
pub async fn find_own(
    store: &dyn Store,
    ctx: &UnitContext,
    id: RegistrationId,
) -> CoreResult<Option<RegistrationRow>> {
    if let Some(row) = store
        .get_registration(ctx.municipality.code, id)
        .await?
        .filter(|r| r.unit == Some(ctx.unit.id))
    {
        return Ok(Some(row));
    }
    Ok(store
        .get_hotline_registration(id)
        .await?
        .filter(|h| h.link.unit == ctx.unit.id)
        .map(|h| h.registration))
}

/// The unit's own registration, or an error the user understands.
async fn own_registration(
    store: &dyn Store,
    ctx: &UnitContext,
    id: RegistrationId,
) -> CoreResult<RegistrationRow> {
    find_own(store, ctx, id).await?.ok_or_else(|| {
        CoreError::Invalid(dl!("Registreringen findes ikke i enhedens registreringer.").into())
    })
}

/// Undoes a registration saved within the last [`UNDO_MINUTES`]. The removed
/// row is kept in the audit log.
#[tracing::instrument(level = "debug", skip_all, fields(municipality = %ctx.municipality.code, unit = %ctx.unit.id, %id))]
pub async fn undo(
    store: &dyn Store,
    ctx: &UnitContext,
    id: RegistrationId,
    now: DateTime<Utc>,
) -> CoreResult<RegistrationRow> {
    let row = own_registration(store, ctx, id).await?;
    if now - row.created_at > Duration::minutes(UNDO_MINUTES) {
        return Err(CoreError::Invalid(da!(
            "Registreringen kan kun fortrydes i {UNDO_MINUTES} minutter. Ret den i stedet."
        )));
    }
    store.delete_registration(row.municipality, id).await?;
    store
        .append_audit(&NewAuditEntry {
            municipality: Some(row.municipality),
            actor: ctx.actor(),
            action: "undo".into(),
            entity: "registration".into(),
            entity_id: id.0.to_string(),
            before_json: Some(registration_json(&row)),
            after_json: None,
        })
        .await?;
    Ok(row)
}

/// Corrects one of today's registrations of the unit.
#[tracing::instrument(level = "debug", skip_all, fields(municipality = %ctx.municipality.code, unit = %ctx.unit.id, %id))]
pub async fn correct(
    store: &dyn Store,
    ctx: &UnitContext,
    id: RegistrationId,
    input: &RegistrationInput,
    now: DateTime<Utc>,
) -> Result<RegistrationRow, RegisterError> {
    let row = own_registration(store, ctx, id).await?;
    if row.source == Source::Hotline {
        return Err(RegisterError::Invalid(vec![FieldError {
            field: "id",
            message: da!(
                "Et hotlineopkald rettes ved at fortryde det inden for {UNDO_MINUTES} minutter \
                 og registrere det igen."
            ),
        }]));
    }
    if row.day != DateDimensions::of(now).day || row.source != Source::Tool {
        return Err(RegisterError::Invalid(vec![FieldError {
            field: "id",
            message: dl!("Kun dagens registreringer fra registreringsværktøjet kan rettes.").into(),
        }]));
    }
    let mut choices = Choices::clone(&ctx.catalog);
    // A task taken off the unit since still counts for its own registrations.
    if !choices.tasks.iter().any(|t| t.id == row.task) {
        if let Some(task) = store
            .list_tasks(ctx.municipality.code)
            .await?
            .into_iter()
            .find(|t| t.id == row.task)
        {
            choices.tasks.push(task);
        }
    }
    let mut errors = Vec::new();
    let checked = check_codes(&choices, input, &mut errors);
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        return Err(RegisterError::Invalid(errors));
    };
    let change = RegistrationChange {
        task: checked.task,
        channel: checked.channel.code,
        inquiry_type: Some(checked.inquiry_type),
        completion: Some(checked.completion),
        has_form: checked.has_form,
    };
    store
        .update_registration(ctx.municipality.code, id, &change)
        .await?;
    let after = own_registration(store, ctx, id).await?;
    store
        .append_audit(&NewAuditEntry {
            municipality: Some(ctx.municipality.code),
            actor: ctx.actor(),
            action: "correct".into(),
            entity: "registration".into(),
            entity_id: id.0.to_string(),
            before_json: Some(registration_json(&row)),
            after_json: Some(registration_json(&after)),
        })
        .await?;
    Ok(after)
}

/// The unit's day: its registrations (newest first), count and graph data.
#[derive(Debug, Clone)]
pub struct Today {
    pub day: NaiveDate,
    pub registrations: Vec<RegistrationRow>,
    /// Inquiries today (sum of quantity), test registrations included.
    pub inquiries: i64,
    pub test_inquiries: i64,
    pub by_hour_and_channel: Vec<HourChannelCount>,
    /// A hotline unit's calls: what came of each.
    pub outcomes: Vec<(RegistrationId, HotlineOutcome)>,
}

/// One hour of a unit's day: inquiries per channel (in the order of
/// [`Today::graph_channels`]) and in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourTotals {
    pub hour: i32,
    pub by_channel: Vec<i64>,
    pub total: i64,
}

impl Today {
    /// The channels registered today, in the order they first appear.
    pub fn graph_channels(&self) -> Vec<ChannelCode> {
        let mut channels: Vec<ChannelCode> = Vec::new();
        for c in &self.by_hour_and_channel {
            if !channels.contains(&c.channel) {
                channels.push(c.channel.clone());
            }
        }
        channels
    }

    /// Today's inquiries hour by hour, per channel and in all.
    pub fn hours(&self) -> Vec<HourTotals> {
        let channels = self.graph_channels();
        let mut hours: Vec<HourTotals> = Vec::new();
        for c in &self.by_hour_and_channel {
            if hours.last().is_none_or(|h| h.hour != c.hour) {
                hours.push(HourTotals {
                    hour: c.hour,
                    by_channel: vec![0; channels.len()],
                    total: 0,
                });
            }
            if let (Some(hour), Some(i)) = (
                hours.last_mut(),
                channels.iter().position(|ch| *ch == c.channel),
            ) {
                hour.by_channel[i] += c.inquiries;
                hour.total += c.inquiries;
            }
        }
        hours
    }
}

/// Registrations listed on the page; the count covers all of them.
const TODAY_LIST_LIMIT: u32 = 100;

/// The most calls a hotline unit's task ranking reads.
const HOTLINE_USAGE_CALLS: u32 = 5_000;

/// A hotline unit's tasks, most used first, from its latest calls (they
/// count in the callers' municipalities, so the unit's own usage query
/// does not see them).
async fn hotline_task_usage(
    store: &dyn Store,
    ctx: &UnitContext,
    since: NaiveDate,
    today: NaiveDate,
) -> CoreResult<Vec<TaskUsage>> {
    let filter = HotlineRegistrationFilter {
        hotline: None,
        unit: Some(ctx.unit.id),
        from: since,
        to: today,
        include_test: true,
        limit: Some(HOTLINE_USAGE_CALLS),
    };
    let mut usage: Vec<TaskUsage> = Vec::new();
    for call in store.list_hotline_registrations(&filter).await? {
        let r = &call.registration;
        match usage.iter_mut().find(|u| u.task == r.task) {
            Some(u) => u.inquiries += r.quantity,
            None => usage.push(TaskUsage {
                task: r.task,
                inquiries: r.quantity,
            }),
        }
    }
    usage.sort_by_key(|u| std::cmp::Reverse(u.inquiries));
    Ok(usage)
}

/// A hotline unit's calls of a day, newest first.
async fn hotline_calls(
    store: &dyn Store,
    ctx: &UnitContext,
    day: NaiveDate,
    limit: Option<u32>,
) -> CoreResult<Vec<RegistrationRow>> {
    Ok(hotline_day(store, ctx, day, limit)
        .await?
        .into_iter()
        .map(|h| h.registration)
        .collect())
}

async fn hotline_day(
    store: &dyn Store,
    ctx: &UnitContext,
    day: NaiveDate,
    limit: Option<u32>,
) -> CoreResult<Vec<komhen_store::HotlineRegistrationRow>> {
    let filter = HotlineRegistrationFilter {
        hotline: None,
        unit: Some(ctx.unit.id),
        from: day,
        to: day,
        include_test: true,
        limit,
    };
    Ok(store.list_hotline_registrations(&filter).await?)
}

/// The unit's day. A hotline unit's day is its calls, wherever they count.
pub async fn today(
    store: &dyn Store,
    ctx: &UnitContext,
    desk: Option<&Desk>,
    now: DateTime<Utc>,
) -> CoreResult<Today> {
    let day = DateDimensions::of(now).day;
    if desk.is_some() {
        let calls = hotline_day(store, ctx, day, None).await?;
        let mut by_hour_and_channel: Vec<HourChannelCount> = Vec::new();
        let mut sorted: Vec<&RegistrationRow> = calls.iter().map(|h| &h.registration).collect();
        sorted.sort_by(|a, b| (a.hour, a.channel.as_str()).cmp(&(b.hour, b.channel.as_str())));
        for r in sorted {
            let test = if r.is_test { r.quantity } else { 0 };
            match by_hour_and_channel.last_mut() {
                Some(c) if c.hour == r.hour && c.channel == r.channel => {
                    c.inquiries += r.quantity;
                    c.test_inquiries += test;
                }
                _ => by_hour_and_channel.push(HourChannelCount {
                    hour: r.hour,
                    channel: r.channel.clone(),
                    inquiries: r.quantity,
                    test_inquiries: test,
                }),
            }
        }
        let outcomes = calls
            .iter()
            .map(|h| (h.registration.id, h.link.outcome))
            .collect();
        return Ok(Today {
            day,
            inquiries: by_hour_and_channel.iter().map(|c| c.inquiries).sum(),
            test_inquiries: by_hour_and_channel.iter().map(|c| c.test_inquiries).sum(),
            registrations: calls
                .into_iter()
                .take(TODAY_LIST_LIMIT as usize)
                .map(|h| h.registration)
                .collect(),
            by_hour_and_channel,
            outcomes,
        });
    }
    let code = ctx.municipality.code;
    let filter = RegistrationFilter {
        from: Some(day),
        to: Some(day),
        unit: Some(ctx.unit.id),
        include_test: true,
        limit: TODAY_LIST_LIMIT,
        ..RegistrationFilter::default()
    };
    let registrations = store.list_registrations(code, &filter).await?;
    let by_hour_and_channel = store.unit_day_counts(code, ctx.unit.id, day).await?;
    Ok(Today {
        day,
        inquiries: by_hour_and_channel.iter().map(|c| c.inquiries).sum(),
        test_inquiries: by_hour_and_channel.iter().map(|c| c.test_inquiries).sum(),
        registrations,
        by_hour_and_channel,
        outcomes: Vec::new(),
    })
}

/// One day of the unit's week: its inquiries (sum of quantity), test
/// registrations included as on the unit's day, and how many of them were
/// test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekDay {
    pub day: NaiveDate,
    pub inquiries: i64,
    pub test_inquiries: i64,
}

/// The unit's week so far: every day from the Monday of the current ISO
/// week to today, in order, days without registrations as 0. Shown beside
/// the day's graph so a unit sees its counting week as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub days: Vec<WeekDay>,
}

impl Week {
    /// Monday to `today`, every day empty.
    fn empty(today: NaiveDate) -> Self {
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        Self {
            days: monday
                .iter_days()
                .take_while(|d| *d <= today)
                .map(|day| WeekDay {
                    day,
                    inquiries: 0,
                    test_inquiries: 0,
                })
                .collect(),
        }
    }

    fn add(&mut self, day: NaiveDate, inquiries: i64, test: bool) {
        if let Some(d) = self.days.iter_mut().find(|d| d.day == day) {
            d.inquiries += inquiries;
            if test {
                d.test_inquiries += inquiries;
            }
        }
    }

    /// The first day (the Monday).
    pub fn monday(&self) -> Option<NaiveDate> {
        self.days.first().map(|d| d.day)
    }

    /// Inquiries this week so far, test included.
    pub fn inquiries(&self) -> i64 {
        self.days.iter().map(|d| d.inquiries).sum()
    }

    /// Of which test.
    pub fn test_inquiries(&self) -> i64 {
        self.days.iter().map(|d| d.test_inquiries).sum()
    }
}

/// The unit's week so far, one query: the cube summed per day and test
/// flag for the unit (the same rows as the day's count: test included,
/// held or deleted batches not). A hotline unit's week is its calls,
/// wherever they count (they carry no unit; the link to the unit finds
/// them).
pub async fn week(
    store: &dyn Store,
    ctx: &UnitContext,
    desk: Option<&Desk>,
    now: DateTime<Utc>,
) -> CoreResult<Week> {
    let today = DateDimensions::of(now).day;
    let mut week = Week::empty(today);
    let Some(monday) = week.monday() else {
        return Ok(week);
    };
    if desk.is_some() {
        let filter = HotlineRegistrationFilter {
            hotline: None,
            unit: Some(ctx.unit.id),
            from: monday,
            to: today,
            include_test: true,
            limit: None,
        };
        for call in store.list_hotline_registrations(&filter).await? {
            let r = &call.registration;
            week.add(r.day, r.quantity, r.is_test);
        }
        return Ok(week);
    }
    let query = Aggregate {
        municipalities: vec![ctx.municipality.code],
        from: Some(monday),
        to: Some(today),
        units: vec![Some(ctx.unit.id)],
        test: TestRows::Include,
        group_by: vec![Column::Day, Column::Test],
        ..Aggregate::default()
    };
    for row in store.aggregate(&query).await? {
        if let [Key::Day(day), Key::Test(test)] = row.keys[..] {
            week.add(day, row.inquiries, test);
        }
    }
    Ok(week)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_week_runs_from_its_monday_to_today() {
        // Week 17 of 2026, the spring counting week: Monday 20 April.
        let monday = Week::empty(day("2026-04-20"));
        assert_eq!(monday.days.len(), 1);
        let sunday = Week::empty(day("2026-04-26"));
        let days: Vec<NaiveDate> = sunday.days.iter().map(|d| d.day).collect();
        assert_eq!(days.len(), 7);
        assert_eq!(days.first(), Some(&day("2026-04-20")));
        assert_eq!(days.last(), Some(&day("2026-04-26")));

        let mut week = Week::empty(day("2026-04-22"));
        week.add(day("2026-04-21"), 3, false);
        week.add(day("2026-04-21"), 2, true);
        week.add(day("2026-04-19"), 9, false); // last week: not this one
        let counts: Vec<(i64, i64)> = week
            .days
            .iter()
            .map(|d| (d.inquiries, d.test_inquiries))
            .collect();
        assert_eq!(counts, vec![(0, 0), (5, 2), (0, 0)]);
        assert_eq!((week.inquiries(), week.test_inquiries()), (5, 2));
    }
}
