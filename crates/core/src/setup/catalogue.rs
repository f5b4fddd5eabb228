//! The national catalogue the national administrator keeps: KLE imports,
//! task packages per counting season with their mandatory tasks, national
//! tasks (retired without losing history), counting periods and their
//! publication, and the code lists (channel, inquiry type and completion
//! labels; new channels such as chat).
//!
//! Every change goes through `setup::change` with its audit entry.

use crate::accounts::access::Actor;
use crate::setup::{change, clean_name, task_kind, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use komhen_domain::reference::Channel;
use komhen_domain::{da, dl};
use komhen_domain::{
    ChannelCode, Completion, CountingPeriod, Direction, InquiryType, KleNumber, Medium, PeriodId,
    Season, TaskId, TaskPackageId,
};
use komhen_store::{NewPeriod, NewPublication, PeriodRow, SetupChange, Store, TaskRow};
use serde_json::json;

fn invalid<T>(message: impl Into<String>) -> CoreResult<T> {
    Err(CoreError::Invalid(message.into()))
}

// --- KLE -----------------------------------------------------------------------

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KleImport {
    pub format: String,
    pub published: Option<String>,
    pub entries: usize,
    pub added: usize,
    pub renamed: usize,
    /// Entries of the catalogue missing from the file, now marked retired.
    pub retired: usize,
}

/// Imports a KLE file (KL's official XML or the older taxonomy export).
/// The file is the whole catalogue: entries missing from it are retired,
/// never deleted, so tasks and registrations keep their codes.
pub async fn import_kle(
    store: &dyn Store,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
) -> CoreResult<KleImport> {
    let file = komhen_ingest::kle::read(file_name, bytes)?;
    let before = store.list_kle_entries().await?;
    let mut summary = KleImport {
        format: file.format.label_da().into(),
        published: file.published.clone(),
        entries: file.entries.len(),
        ..KleImport::default()
    };
    for entry in &file.entries {
        match before.iter().find(|b| b.number == entry.number) {
            None => summary.added += 1,
            Some(b) if b.title != entry.title => summary.renamed += 1,
            Some(_) => {}
        }
    }
    summary.retired = before
        .iter()
        .filter(|b| !b.retired && !file.entries.iter().any(|e| e.number == b.number))
        .count();
    change(
        store,
        actor,
        SetupChange::ImportKle {
            entries: file.entries,
            retire_missing: true,
        },
        Entry {
            municipality: None,
            action: "import",
            entity: "kle",
            entity_id: file_name.into(),
            before: Some(json!({ "entries": before.len() })),
            after: Some(json!({
                "format": summary.format,
                "published": summary.published,
                "entries": summary.entries,
                "added": summary.added,
                "renamed": summary.renamed,
                "retired": summary.retired,
            })),
        },
    )
    .await?;
    Ok(summary)
}

// --- task packages and national tasks -----------------------------------------------

/// A new task package for a season, optionally starting as a copy of
/// another (tasks and mandatory flags).
pub async fn create_package(
    store: &dyn Store,
    actor: &Actor,
    season: Season,
    year: i32,
    copy_from: Option<TaskPackageId>,
) -> CoreResult<TaskPackageId> {
    if !(2000..=2100).contains(&year) {
        return invalid(da!("{year} er ikke et år for en opgavepakke."));
    }
    let code = format!(
        "{year}-{}",
        match season {
            Season::Spring => "foraar",
            Season::Autumn => "efteraar",
        }
    );
    let name = format!("Opgavepakke {} {year}", season.label_da().to_lowercase());
    let applied = change(
        store,
        actor,
        SetupChange::CreateTaskPackage {
            code: code.clone(),
            name_da: name.clone(),
            season,
            year,
            copy_from,
        },
        Entry {
            municipality: None,
            action: "create",
            entity: "task_package",
            entity_id: String::new(),
            before: None,
            after: Some(json!({ "code": code, "name": name, "copy_from": copy_from.map(|p| p.0) })),
        },
    )
    .await?;
    Ok(TaskPackageId(applied.created()?))
}

/// The national task with a KLE number, created when missing (named after
/// its KLE title unless a name is given; a number not in KLE is a KOMHEN
/// pseudo-code and needs a name).
pub async fn national_task(
    store: &dyn Store,
    actor: &Actor,
    kle: &str,
    name: &str,
) -> CoreResult<TaskRow> {
    let kle = KleNumber::parse(kle).map_err(|e| CoreError::Invalid(e.to_string()))?;
    if let Some(task) = store
        .list_national_tasks()
        .await?
        .into_iter()
        .find(|t| t.kle == kle)
    {
        return Ok(task);
    }
    let entry = store.get_kle_entry(&kle).await?;
    let name = match (name.trim(), &entry) {
        ("", Some(entry)) => entry.title.clone(),
        ("", None) => {
            return invalid(da!(
                "{kle} findes ikke i KLE: skriv et navn, så den bliver en KOMHEN-kode."
            ))
        }
        (name, _) => clean_name(name, dl!("opgavens navn"), 150)?,
    };
    let kind = task_kind(store, &kle).await?;
    let applied = change(
        store,
        actor,
        SetupChange::CreateNationalTask {
            kle: kle.clone(),
            kind,
            name: name.clone(),
        },
        Entry {
            municipality: None,
            action: "create",
            entity: "task",
            entity_id: String::new(),
            before: None,
            after: Some(json!({ "kle": kle.as_str(), "kind": kind.code(), "name": name })),
        },
    )
    .await?;
    let id = TaskId(applied.created()?);
    store
        .list_national_tasks()
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CoreError::Invalid(dl!("opgaven forsvandt").into()))
}

/// Puts a task in a package, mandatory or not (or, with None, takes it out).
pub async fn set_package_task(
    store: &dyn Store,
    actor: &Actor,
    package: TaskPackageId,
    task: TaskId,
    mandatory: Option<bool>,
) -> CoreResult<()> {
    let before = store
        .list_package_tasks(package)
        .await?
        .into_iter()
        .find(|t| t.task.id == task)
        .map(|t| json!({ "in_package": true, "mandatory": t.mandatory }));
    change(
        store,
        actor,
        SetupChange::SetPackageTask {
            package,
            task,
            mandatory,
        },
        Entry {
            municipality: None,
            action: "set_package_task",
            entity: "task_package",
            entity_id: package.to_string(),
            before: Some(before.unwrap_or_else(|| json!({ "in_package": false }))),
            after: Some(json!({
                "task_id": task.0,
                "in_package": mandatory.is_some(),
                "mandatory": mandatory,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Retires a national task (it leaves every unit's choices; its
/// registrations and assignments stay) or brings it back.
pub async fn set_task_retired(
    store: &dyn Store,
    actor: &Actor,
    task: TaskId,
    retired: bool,
) -> CoreResult<()> {
    change(
        store,
        actor,
        SetupChange::SetTaskRetired {
            municipality: None,
            task,
            retired,
        },
        Entry {
            municipality: None,
            action: if retired { "retire" } else { "reinstate" },
            entity: "task",
            entity_id: task.to_string(),
            before: Some(json!({ "retired": !retired })),
            after: Some(json!({ "retired": retired })),
        },
    )
    .await?;
    Ok(())
}

// --- periods ---------------------------------------------------------------------

/// A period as the form sends it.
#[derive(Debug, Clone)]
pub struct PeriodInput {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mandatory: bool,
    /// None: two weeks after the end, as the method says.
    pub submission_deadline: Option<NaiveDate>,
    pub task_package: Option<TaskPackageId>,
}

impl PeriodInput {
    /// The national weeks of a season (17–19 or 43–45).
    pub fn national(year: i32, season: Season) -> CoreResult<Self> {
        let period = CountingPeriod::national(year, season)
            .ok_or_else(|| CoreError::Invalid(da!("{year} har ingen sådanne uger.")))?;
        Ok(Self {
            name: period.name,
            starts_on: period.starts_on,
            ends_on: period.ends_on,
            mandatory: period.mandatory,
            submission_deadline: Some(period.submission_deadline),
            task_package: None,
        })
    }

    fn check(&self) -> CoreResult<(String, NaiveDate)> {
        let name = clean_name(&self.name, dl!("periodens navn"), 100)?;
        if self.ends_on < self.starts_on {
            return invalid(dl!("Perioden slutter før den begynder."));
        }
        if (self.ends_on - self.starts_on).num_days() > 92 {
            return invalid(dl!("En tælleperiode kan højst vare tre måneder."));
        }
        let deadline = self
            .submission_deadline
            .unwrap_or(self.ends_on + Duration::days(komhen_domain::period::SUBMISSION_DAYS));
        if deadline < self.ends_on {
            return invalid(dl!(
                "Fristen for indberetning ligger før periodens slutning."
            ));
        }
        Ok((name, deadline))
    }
}

fn season_of(day: NaiveDate) -> Option<Season> {
    use chrono::Datelike;
    match day.iso_week().week() {
        14..=26 => Some(Season::Spring),
        36..=52 => Some(Season::Autumn),
        _ => None,
    }
}

/// Creates a national counting period (or returns the one with the same dates).
pub async fn create_period(
    store: &dyn Store,
    actor: &Actor,
    input: &PeriodInput,
) -> CoreResult<PeriodId> {
    use chrono::Datelike;
    let (name, deadline) = input.check()?;
    let period = CountingPeriod {
        name: name.clone(),
        year: input.starts_on.year(),
        season: season_of(input.starts_on),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        mandatory: input.mandatory,
        submission_deadline: deadline,
    };
    let applied = change(
        store,
        actor,
        SetupChange::CreatePeriod(NewPeriod {
            municipality: None,
            period,
            task_package: input.task_package,
        }),
        Entry {
            municipality: None,
            action: "create",
            entity: "period",
            entity_id: String::new(),
            before: None,
            after: Some(json!({
                "name": name,
                "starts_on": input.starts_on.to_string(),
                "ends_on": input.ends_on.to_string(),
                "mandatory": input.mandatory,
                "submission_deadline": deadline.to_string(),
                "task_package_id": input.task_package.map(|p| p.0),
            })),
        },
    )
    .await?;
    Ok(PeriodId(applied.created()?))
}

/// Changes a period's name, mandatory flag, deadline and task package.
pub async fn update_period(
    store: &dyn Store,
    actor: &Actor,
    period: PeriodId,
    input: &PeriodInput,
) -> CoreResult<()> {
    let before = store
        .list_periods(None)
        .await?
        .into_iter()
        .find(|p| p.id == period)
        .ok_or_else(|| CoreError::Invalid(dl!("Perioden findes ikke.").into()))?;
    let input = PeriodInput {
        starts_on: before.period.starts_on,
        ends_on: before.period.ends_on,
        ..input.clone()
    };
    let (name, deadline) = input.check()?;
    change(
        store,
        actor,
        SetupChange::UpdatePeriod {
            period,
            name: name.clone(),
            mandatory: input.mandatory,
            submission_deadline: deadline,
            task_package: input.task_package,
        },
        Entry {
            municipality: None,
            action: "update",
            entity: "period",
            entity_id: period.to_string(),
            before: Some(json!({
                "name": before.period.name,
                "mandatory": before.period.mandatory,
                "submission_deadline": before.period.submission_deadline.to_string(),
                "task_package_id": before.task_package.map(|p| p.0),
            })),
            after: Some(json!({
                "name": name,
                "mandatory": input.mandatory,
                "submission_deadline": deadline.to_string(),
                "task_package_id": input.task_package.map(|p| p.0),
            })),
        },
    )
    .await?;
    Ok(())
}

/// Publishes a national period's figures (only after its submission
/// deadline, so no municipality's half-finished data goes public), or
/// withdraws the publication.
pub async fn set_published(
    store: &dyn Store,
    actor: &Actor,
    period: PeriodId,
    publish: bool,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let row = store
        .list_periods(None)
        .await?
        .into_iter()
        .find(|p| p.id == period)
        .ok_or_else(|| CoreError::Invalid(dl!("Perioden findes ikke.").into()))?;
    let today = komhen_domain::DateDimensions::of(now).day;
    if publish && today <= row.period.submission_deadline {
        return invalid(da!(
            "{} kan først offentliggøres efter fristen for indberetning {}.",
            row.period.name,
            row.period.submission_deadline.format("%d-%m-%Y")
        ));
    }
    let at = publish.then_some(now);
    let publication = match publish {
        true => Some(NewPublication {
            published_at: now,
            published_by: actor.as_str().to_owned(),
            note: String::new(),
            figures: crate::portal::snapshot_now(store, &row).await?,
        }),
        false => None,
    };
    change(
        store,
        actor,
        SetupChange::PublishPeriod {
            period,
            at,
            publication,
        },
        Entry {
            municipality: None,
            action: if publish { "publish" } else { "unpublish" },
            entity: "period",
            entity_id: period.to_string(),
            before: Some(json!({ "published_at": row.published_at.map(|t| t.to_rfc3339()) })),
            after: Some(json!({ "published_at": at.map(|t| t.to_rfc3339()) })),
        },
    )
    .await?;
    Ok(())
}

/// Publishes a published period's figures again after an approved
/// correction: the figures now become what the public sees, beside the
/// earlier publications ("rettet den ..."), with `note` saying what changed.
/// The period keeps its first publication date. Audited.
pub async fn republish(
    store: &dyn Store,
    actor: &Actor,
    period: &PeriodRow,
    note: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let Some(first) = period.published_at else {
        return invalid(da!("{} er ikke offentliggjort.", period.period.name));
    };
    change(
        store,
        actor,
        SetupChange::PublishPeriod {
            period: period.id,
            at: Some(first),
            publication: Some(NewPublication {
                published_at: now,
                published_by: actor.as_str().to_owned(),
                note: note.to_owned(),
                figures: crate::portal::snapshot_now(store, period).await?,
            }),
        },
        Entry {
            municipality: None,
            action: "correct",
            entity: "period",
            entity_id: period.id.to_string(),
            before: None,
            after: Some(json!({ "note": note, "published_at": now.to_rfc3339() })),
        },
    )
    .await?;
    Ok(())
}

// --- code lists ----------------------------------------------------------------

/// A channel as the code-list form sends it.
#[derive(Debug, Clone)]
pub struct ChannelInput {
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub medium: String,
    pub direction: String,
    pub form_applicable: bool,
    pub digital: bool,
    pub sort_order: i32,
    pub active: bool,
}

/// Adds a channel (a new code such as `CHATIND`) or changes one's labels,
/// flags, order and whether it is in use. A channel's code, medium and
/// direction never change once stored: registrations carry them.
pub async fn save_channel(
    store: &dyn Store,
    actor: &Actor,
    input: &ChannelInput,
) -> CoreResult<()> {
    let code = ChannelCode::parse(&input.code).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let existing = store
        .list_channels()
        .await?
        .into_iter()
        .find(|c| c.code == code);
    let (medium, direction) = match &existing {
        Some(c) => (c.medium, c.direction),
        None => (
            Medium::parse(&input.medium).map_err(|e| CoreError::Invalid(e.to_string()))?,
            Direction::parse(&input.direction).map_err(|e| CoreError::Invalid(e.to_string()))?,
        ),
    };
    let channel = Channel {
        code: code.clone(),
        label_da: clean_name(&input.label_da, dl!("den danske betegnelse"), 100)?,
        label_en: clean_name(&input.label_en, dl!("den engelske betegnelse"), 100)?,
        medium,
        direction,
        form_applicable: input.form_applicable,
        digital: input.digital,
        sort_order: input.sort_order,
    };
    let json = |c: &Channel, active: bool| {
        json!({
            "code": c.code.as_str(),
            "label_da": c.label_da,
            "label_en": c.label_en,
            "medium": c.medium.code(),
            "direction": c.direction.code(),
            "form_applicable": c.form_applicable,
            "digital": c.digital,
            "sort_order": c.sort_order,
            "active": active,
        })
    };
    let before = existing.as_ref().map(|c| {
        json(
            &Channel {
                code: c.code.clone(),
                label_da: c.label_da.clone(),
                label_en: c.label_en.clone(),
                medium: c.medium,
                direction: c.direction,
                form_applicable: c.form_applicable,
                digital: c.digital,
                sort_order: c.sort_order,
            },
            c.active,
        )
    });
    let after = json(&channel, input.active);
    change(
        store,
        actor,
        SetupChange::UpsertChannel {
            channel,
            active: input.active,
        },
        Entry {
            municipality: None,
            action: if existing.is_some() {
                "update"
            } else {
                "create"
            },
            entity: "channel",
            entity_id: code.as_str().into(),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

pub async fn set_inquiry_type_labels(
    store: &dyn Store,
    actor: &Actor,
    inquiry_type: InquiryType,
    label_da: &str,
    label_en: &str,
) -> CoreResult<()> {
    let label_da = clean_name(label_da, dl!("den danske betegnelse"), 100)?;
    let label_en = clean_name(label_en, dl!("den engelske betegnelse"), 100)?;
    change(
        store,
        actor,
        SetupChange::SetInquiryTypeLabels {
            inquiry_type,
            label_da: label_da.clone(),
            label_en: label_en.clone(),
        },
        Entry {
            municipality: None,
            action: "update",
            entity: "inquiry_type",
            entity_id: inquiry_type.code().into(),
            before: None,
            after: Some(json!({ "label_da": label_da, "label_en": label_en })),
        },
    )
    .await?;
    Ok(())
}

pub async fn set_completion_labels(
    store: &dyn Store,
    actor: &Actor,
    completion: Completion,
    label_da: &str,
    label_en: &str,
) -> CoreResult<()> {
    let label_da = clean_name(label_da, dl!("den danske betegnelse"), 100)?;
    let label_en = clean_name(label_en, dl!("den engelske betegnelse"), 100)?;
    change(
        store,
        actor,
        SetupChange::SetCompletionLabels {
            completion,
            label_da: label_da.clone(),
            label_en: label_en.clone(),
        },
        Entry {
            municipality: None,
            action: "update",
            entity: "completion",
            entity_id: completion.code().into(),
            before: None,
            after: Some(json!({ "label_da": label_da, "label_en": label_en })),
        },
    )
    .await?;
    Ok(())
}

/// The season's package: the task package of the next (or latest) national
/// period, or the newest package before any period names one. Its
/// mandatory tasks are offered first.
pub async fn season_package(
    store: &dyn komhen_store::Store,
    today: NaiveDate,
) -> CoreResult<Option<(String, Vec<komhen_store::PackageTaskRow>)>> {
    let periods = store.list_periods(None).await?;
    let period = periods
        .iter()
        .filter(|p| p.task_package.is_some() && p.period.ends_on >= today)
        .min_by_key(|p| p.period.starts_on)
        .or_else(|| periods.iter().find(|p| p.task_package.is_some()));
    let packages = store.list_task_packages().await?;
    // Before any period names one, the newest package is the season's.
    let package = period.and_then(|p| p.task_package).or_else(|| {
        packages
            .iter()
            .max_by_key(|p| (p.year, p.season == komhen_domain::Season::Autumn))
            .map(|p| p.id)
    });
    let Some(package) = package else {
        return Ok(None);
    };
    let name = packages
        .into_iter()
        .find(|p| p.id == package)
        .map(|p| p.name_da)
        .unwrap_or_default();
    Ok(Some((name, store.list_package_tasks(package).await?)))
}
