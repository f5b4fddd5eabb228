//! The paper fallback: a printable registration sheet per unit, and typing a
//! filled sheet in afterwards.
//!
//! A sheet has one row per task and channel and one tally box per inquiry
//! type and completion, so every box is one fully coded kind of inquiry.
//! Typed in, each box's count becomes one registration with that quantity,
//! dated to the sheet's day, source "paper". A sheet is one batch whose
//! fingerprint is its content: the same sheet typed in twice is refused.

use crate::registration::{is_tool_channel, FieldError, RegisterError, UnitContext};
use crate::CoreError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use komhen_domain::{
    da, danish_instant, dl, ChannelCode, Completion, DateDimensions, InquiryType, NewRegistration,
    Source, TaskId,
};
use komhen_store::BatchKind;
use komhen_store::{BatchRow, ChannelRow, InquiryTypeRow, NewBatch, Store, TaskRow};
use sha2::{Digest, Sha256};

/// The channels a sheet offers unless asked otherwise: those where
/// inquiries arrive at a desk.
pub const SHEET_CHANNELS: [&str; 7] = [
    "TLFIND", "TLFUD", "PRSNLG", "EMLIND", "EMLUD", "PPRIND", "PPRUD",
];
/// How far back a sheet may be dated: the counting period plus the two
/// weeks allowed for submitting data.
pub const MAX_SHEET_AGE_DAYS: i64 = 60;
/// The most one box can hold.
pub const MAX_BOX_COUNT: i64 = 9_999;
const BATCH_KIND: BatchKind = BatchKind::Paper;

#[derive(Debug, Clone)]
pub struct Sheet {
    pub tasks: Vec<TaskRow>,
    pub channels: Vec<ChannelRow>,
    pub inquiry_types: Vec<InquiryTypeRow>,
}

/// The unit's sheet: its tasks (by KLE number) against the desk channels.
pub async fn sheet(store: &dyn Store, ctx: &UnitContext) -> Result<Sheet, CoreError> {
    let mut tasks = store
        .list_unit_tasks(ctx.municipality.code, ctx.unit.id)
        .await?;
    tasks.retain(|t| !t.retired);
    let channels = store
        .list_channels()
        .await?
        .into_iter()
        .filter(|c| is_tool_channel(c) && SHEET_CHANNELS.contains(&c.code.as_str()))
        .collect();
    Ok(Sheet {
        tasks,
        channels,
        inquiry_types: store.list_inquiry_types().await?,
    })
}

/// A sheet typed in.
#[derive(Debug, Clone)]
pub struct SheetEntered {
    pub batch: BatchRow,
    pub inquiries: i64,
    pub boxes: usize,
}

/// One box of a filled sheet as typed in: which kind of inquiry, and the
/// count as written (empty or 0: nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxEntry {
    pub task: TaskId,
    pub channel: ChannelCode,
    pub inquiry_type: InquiryType,
    pub completion: Completion,
    pub count: String,
}

/// A filled sheet as typed in.
#[derive(Debug, Clone, Default)]
pub struct SheetInput {
    /// The sheet's day, `YYYY-MM-DD`.
    pub day: String,
    pub boxes: Vec<BoxEntry>,
    /// Boxes the form sent that name no kind of inquiry (an old sheet).
    pub unreadable: usize,
}

/// A box with its count checked.
struct Box {
    task: TaskId,
    channel: ChannelCode,
    inquiry_type: InquiryType,
    completion: Completion,
    count: i64,
}

/// Stores a filled sheet: each box with a count becomes one registration.
#[tracing::instrument(level = "debug", skip_all, fields(municipality = %ctx.municipality.code, unit = %ctx.unit.id))]
pub async fn enter_sheet(
    store: &dyn Store,
    ctx: &UnitContext,
    input: &SheetInput,
    now: DateTime<Utc>,
) -> Result<SheetEntered, RegisterError> {
    let sheet = sheet(store, ctx).await?;
    let mut errors = Vec::new();
    let day = check_day(&input.day, DateDimensions::of(now).day, &mut errors);
    let mut boxes = check_boxes(&sheet, input, &mut errors);
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Err(RegisterError::Invalid(errors));
    };
    boxes.sort_by(|a, b| {
        (
            a.task,
            a.channel.as_str(),
            a.inquiry_type.code(),
            a.completion.code(),
        )
            .cmp(&(
                b.task,
                b.channel.as_str(),
                b.inquiry_type.code(),
                b.completion.code(),
            ))
    });
    store_sheet(store, ctx, day, &boxes, now).await
}

/// The sheet's day: not in the future, not older than [`MAX_SHEET_AGE_DAYS`].
fn check_day(day: &str, today: NaiveDate, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let problem = match NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => dl!("Skemaets dato ligger i fremtiden.").to_owned(),
        Ok(d) if d < today - Duration::days(MAX_SHEET_AGE_DAYS) => {
            da!("Skemaet er mere end {MAX_SHEET_AGE_DAYS} dage gammelt; kontakt tovholderen.")
        }
        Ok(d) => return Some(d),
        Err(_) => dl!("Angiv skemaets dato.").to_owned(),
    };
    errors.push(FieldError {
        field: "day",
        message: problem,
    });
    None
}

/// The boxes with a count, each on the unit's sheet with a count from 1 to
/// [`MAX_BOX_COUNT`].
fn check_boxes(sheet: &Sheet, input: &SheetInput, errors: &mut Vec<FieldError>) -> Vec<Box> {
    let mismatch = || FieldError {
        field: "box",
        message: dl!("Skemaet passer ikke til enhedens opgaver; hent et nyt skema.").into(),
    };
    if input.unreadable > 0 {
        errors.push(mismatch());
        return Vec::new();
    }
    let mut boxes = Vec::new();
    for entry in &input.boxes {
        let value = entry.count.trim();
        if value.is_empty() || value == "0" {
            continue;
        }
        let Some(task) = sheet.tasks.iter().find(|t| t.id == entry.task) else {
            errors.push(mismatch());
            break;
        };
        if !sheet.channels.iter().any(|c| c.code == entry.channel) {
            errors.push(mismatch());
            break;
        }
        match value.parse::<i64>() {
            Ok(count) if (1..=MAX_BOX_COUNT).contains(&count) => boxes.push(Box {
                task: entry.task,
                channel: entry.channel.clone(),
                inquiry_type: entry.inquiry_type,
                completion: entry.completion,
                count,
            }),
            _ => errors.push(FieldError {
                field: "box",
                message: da!(
                    "«{value}» i {} ({}) er ikke et antal fra 0 til {MAX_BOX_COUNT}.",
                    task.name,
                    entry.channel
                ),
            }),
        }
    }
    if boxes.is_empty() && errors.is_empty() {
        errors.push(FieldError {
            field: "box",
            message: dl!("Skemaet er tomt: skriv antallet i de felter, der er talt.").into(),
        });
    }
    boxes
}

/// Stores the checked boxes as one batch, refused when the same sheet was
/// typed in before.
async fn store_sheet(
    store: &dyn Store,
    ctx: &UnitContext,
    day: NaiveDate,
    boxes: &[Box],
    now: DateTime<Utc>,
) -> Result<SheetEntered, RegisterError> {
    let mut fingerprint = Sha256::new();
    fingerprint.update(format!("unit:{};day:{day};", ctx.unit.id));
    for b in boxes {
        fingerprint.update(format!(
            "{}:{}:{}:{}={};",
            b.task,
            b.channel,
            b.inquiry_type.code(),
            b.completion.code(),
            b.count
        ));
    }
    let sha256: String = fingerprint
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let code = ctx.municipality.code;
    if let Some(earlier) = store
        .find_batch(Some(code), BATCH_KIND, &sha256, None)
        .await?
    {
        return Err(RegisterError::Invalid(vec![FieldError {
            field: "sheet",
            message: da!(
                "Præcis dette skema for {day} er allerede indtastet ({} felter, {}). Det gemmes ikke igen.",
                earlier.row_count,
                komhen_domain::danish_local(earlier.created_at).format("%d.%m.%Y kl. %H:%M")
            ),
        }]));
    }
    let registered_at = danish_instant(day, 12, 0)
        .ok_or_else(|| CoreError::Invalid(da!("{day} kl. 12 findes ikke")))?;
    let is_test = ctx.municipality.in_test_mode(now);
    let rows: Vec<NewRegistration> = boxes
        .iter()
        .map(|b| NewRegistration {
            municipality: code,
            unit: Some(ctx.unit.id),
            task: b.task,
            channel: b.channel.clone(),
            inquiry_type: Some(b.inquiry_type),
            completion: Some(b.completion),
            has_form: None,
            registered_at,
            duration_ms: None,
            quantity: b.count,
            source: Source::Paper,
            is_test,
            idempotency_key: None,
            answers: vec![],
        })
        .collect();
    let new_batch = NewBatch {
        municipality: Some(code),
        kind: BATCH_KIND,
        file_name: format!("papirskema {} {day}", ctx.unit.login),
        sha256,
        fingerprint: None,
        created_by: format!("enhed:{}", ctx.unit.login),
    };
    let batch = crate::intake::batch::begin(store, new_batch, false)
        .await?
        .rows(store, &rows)
        .await?;
    Ok(SheetEntered {
        batch,
        inquiries: boxes.iter().map(|b| b.count).sum(),
        boxes: boxes.len(),
    })
}
