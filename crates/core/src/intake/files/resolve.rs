//! Resolving a file's codes against the municipality's set-up: units, tasks, channels, questions, and what an extract needs created.

use super::*;

// --- resolving a file's codes against the municipality's set-up ----------------------

/// How an extra column is stored.
#[derive(Debug, Clone)]
pub(super) enum Column {
    /// An existing question.
    Question(QuestionRow),
    /// A Landkort question column without a question: created (text) on import.
    ToCreate(String),
    /// A codebook column the codebook does not know and no question matches.
    Unknown,
}

/// The municipality's set-up as the rows of one file need it.
#[derive(Debug, Clone)]
pub(super) struct Resolver {
    pub(super) municipality: MunicipalityCode,
    pub(super) kind: FileKind,
    pub(super) units: HashMap<String, UnitRow>,
    pub(super) tasks: HashMap<KleNumber, Vec<TaskRow>>,
    pub(super) channels: HashMap<ChannelCode, ChannelRow>,
    pub(super) assigned: HashSet<(UnitId, TaskId)>,
    pub(super) columns: Vec<Column>,
    /// The extra columns' headers, trimmed and in lower case: what an
    /// answer is to in a row's canonical form.
    pub(super) headers: Vec<String>,
}

/// A row's codes before they are resolved, the same for both file kinds.
pub(super) struct RawRow<'a> {
    pub(super) line: u64,
    pub(super) municipality: MunicipalityCode,
    pub(super) unit_login: Option<&'a str>,
    pub(super) task: &'a KleNumber,
    pub(super) channel: &'a ChannelCode,
    /// The channel cell as the file wrote it, when not the code itself.
    pub(super) channel_written: Option<&'a str>,
    pub(super) inquiry_type: Option<InquiryType>,
    pub(super) completion: Option<Completion>,
    pub(super) has_form: Option<bool>,
    pub(super) registered_at: DateTime<Utc>,
    pub(super) quantity: i64,
    pub(super) duration_ms: Option<i64>,
    pub(super) source: Source,
    pub(super) extra: &'a [String],
}

/// What resolving one row found besides the registration.
#[derive(Default)]
pub(super) struct Notes {
    pub(super) task_not_assigned: bool,
    pub(super) form_ignored: bool,
    pub(super) retired_task: bool,
    pub(super) new_task: Option<KleNumber>,
    pub(super) new_unit: Option<String>,
}

impl Resolver {
    pub(super) async fn load(
        store: &dyn Store,
        municipality: MunicipalityCode,
        kind: FileKind,
        extra_headers: &[String],
    ) -> CoreResult<Self> {
        let units = store
            .list_units(municipality)
            .await?
            .into_iter()
            .map(|u| (u.login.to_lowercase(), u))
            .collect();
        let mut tasks: HashMap<KleNumber, Vec<TaskRow>> = HashMap::new();
        for task in store.list_tasks(municipality).await? {
            tasks.entry(task.kle.clone()).or_default().push(task);
        }
        let channels = store
            .list_channels()
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let assigned = store
            .list_assignments(municipality)
            .await?
            .into_iter()
            .map(|a| (a.unit, a.task))
            .collect();
        let questions = store.list_all_questions(municipality).await?;
        let columns = extra_headers
            .iter()
            .map(|header| {
                let wanted = header.trim().to_lowercase();
                let found = questions.iter().find(|q| {
                    q.label_da.trim().to_lowercase() == wanted
                        || q.label_en.trim().to_lowercase() == wanted
                        || q.code
                            .as_deref()
                            .is_some_and(|c| c.eq_ignore_ascii_case(&wanted))
                });
                match (found, kind) {
                    (Some(q), _) => Column::Question(q.clone()),
                    (None, FileKind::Landkort) => Column::ToCreate(header.trim().to_owned()),
                    (None, FileKind::Codebook) => Column::Unknown,
                }
            })
            .collect();
        Ok(Self {
            municipality,
            kind,
            units,
            tasks,
            channels,
            assigned,
            columns,
            headers: extra_headers
                .iter()
                .map(|h| h.trim().to_lowercase())
                .collect(),
        })
    }

    /// Header problems of the extra columns (codebook only).
    pub(super) fn header_problems(&self, extra_headers: &[String]) -> Vec<Problem> {
        self.columns
            .iter()
            .zip(extra_headers)
            .filter(|(c, _)| matches!(c, Column::Unknown))
            .map(|(_, header)| {
                Problem::cell(
                    1,
                    header.clone(),
                    ProblemKind::Layout,
                    da!(
                        "kolonnen «{header}» findes ikke i kodebogen og er ikke et af kommunens \
                         spørgsmål. Fjern den, eller ret overskriften til et spørgsmåls tekst"
                    ),
                )
            })
            .collect()
    }

    /// The task a code names: the national one, else the municipality's
    /// own (which must be one).
    pub(super) fn task(&self, kle: &KleNumber) -> Result<Option<&TaskRow>, String> {
        let Some(candidates) = self.tasks.get(kle) else {
            return Ok(None);
        };
        if let Some(national) = candidates.iter().find(|t| t.municipality.is_none()) {
            return Ok(Some(national));
        }
        match candidates.as_slice() {
            [one] => Ok(Some(one)),
            _ => Err(da!(
                "opgavekoden {kle} svarer til flere af kommunens egne opgaver ({}); \
                 giv dem hver sit KLE-nummer",
                candidates
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The problems the readable cells of a row that failed to parse would
    /// also have, so every problem of a line is reported at once.
    pub(super) fn partial_problems(&self, line: u64, partial: &PartialRow) -> Vec<Problem> {
        let (Some(municipality), Some(task), Some(channel)) = (
            partial.municipality,
            partial.task.as_ref(),
            partial.channel.as_ref(),
        ) else {
            // Check what there is with stand-ins for the cells that failed.
            return self.partial_cells(line, partial);
        };
        let raw = RawRow {
            line,
            municipality,
            unit_login: partial.unit_login.as_deref(),
            task,
            channel,
            channel_written: partial.channel_written.as_deref(),
            inquiry_type: None,
            completion: None,
            has_form: None,
            registered_at: Utc::now(),
            quantity: 1,
            duration_ms: None,
            source: Source::Upload,
            extra: &[],
        };
        self.resolve(&raw).err().unwrap_or_default()
    }

    /// [`Self::partial_problems`] cell by cell, when a key cell is missing.
    pub(super) fn partial_cells(&self, line: u64, partial: &PartialRow) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(m) = partial.municipality.filter(|m| *m != self.municipality) {
            problems.push(Problem::cell(
                line,
                if self.kind == FileKind::Landkort {
                    "ID"
                } else {
                    "Kommune"
                },
                ProblemKind::Invalid,
                da!(
                    "rækken hører til kommune {m}, men filen indlæses for kommune {}",
                    self.municipality
                ),
            ));
        }
        if let Some(login) = partial
            .unit_login
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if self.kind == FileKind::Codebook && !self.units.contains_key(&login.to_lowercase()) {
                problems.push(Problem::cell(
                    line,
                    "Enhed",
                    ProblemKind::Invalid,
                    da!(
                        "kommunen har ingen enhed med login «{login}». Tomt felt betyder ingen enhed"
                    ),
                ));
            }
        }
        if let Some(task) = &partial.task {
            if self.kind == FileKind::Codebook && !self.tasks.contains_key(task) {
                problems.push(Problem::cell(
                    line,
                    "Opgave",
                    ProblemKind::Invalid,
                    da!(
                        "opgavekoden {task} findes ikke i opgavekataloget. Opret den som kommunens egen opgave under Opgaver og spørgsmål, eller ret koden"
                    ),
                ));
            }
        }
        if let Some(channel) = &partial.channel {
            if !self.channels.contains_key(channel) {
                problems.push(Problem::cell(
                    line,
                    "Kanal",
                    ProblemKind::Invalid,
                    da!(
                        "kanalkoden «{}» findes ikke i kodelisten. Forventede fx TLFIND, PRSNLG, EMLIND",
                        partial.channel_written.as_deref().unwrap_or(channel.as_str())
                    ),
                ));
            }
        }
        problems
    }

    /// A row as a registration, or every problem it has.
    pub(super) fn resolve(
        &self,
        row: &RawRow<'_>,
    ) -> Result<(NewRegistration, Notes), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut notes = Notes::default();
        let cell = |column: &str, kind: ProblemKind, message: String| {
            Problem::cell(row.line, column, kind, message)
        };
        if row.municipality != self.municipality {
            problems.push(cell(
                if self.kind == FileKind::Landkort {
                    "ID"
                } else {
                    "Kommune"
                },
                ProblemKind::Invalid,
                da!(
                    "rækken hører til kommune {}, men filen indlæses for kommune {}",
                    row.municipality,
                    self.municipality
                ),
            ));
        }
        let unit = match row.unit_login.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(login) => match self.units.get(&login.to_lowercase()) {
                Some(unit) => Some(unit.id),
                None if self.kind == FileKind::Landkort => {
                    notes.new_unit = Some(login.to_lowercase());
                    None
                }
                None => {
                    problems.push(cell(
                        "Enhed",
                        ProblemKind::Invalid,
                        da!(
                            "kommunen har ingen enhed med login «{login}». Tomt felt betyder \
                             ingen enhed"
                        ),
                    ));
                    None
                }
            },
        };
        let task = match self.task(row.task) {
            Ok(Some(task)) => {
                notes.retired_task = task.retired;
                Some(task.id)
            }
            Ok(None) if self.kind == FileKind::Landkort => {
                notes.new_task = Some(row.task.clone());
                None
            }
            Ok(None) => {
                problems.push(cell(
                    "Opgave",
                    ProblemKind::Invalid,
                    da!(
                        "opgavekoden {} findes ikke i opgavekataloget. Opret den som kommunens \
                         egen opgave under Opgaver og spørgsmål, eller ret koden",
                        row.task
                    ),
                ));
                None
            }
            Err(message) => {
                problems.push(cell("Opgave", ProblemKind::Conflict, message));
                None
            }
        };
        let channel = match self.channels.get(row.channel) {
            Some(channel) => Some(channel),
            None => {
                problems.push(cell(
                    "Kanal",
                    ProblemKind::Invalid,
                    da!(
                        "kanalkoden «{}» findes ikke i kodelisten. Forventede fx TLFIND, \
                         PRSNLG, EMLIND",
                        row.channel_written.unwrap_or(row.channel.as_str())
                    ),
                ));
                None
            }
        };
        let has_form = match (channel, row.has_form) {
            (Some(c), Some(_)) if !c.form_applicable => {
                notes.form_ignored = true;
                None
            }
            (_, form) => form,
        };
        if let (Some(unit), Some(task)) = (unit, task) {
            notes.task_not_assigned = !self.assigned.contains(&(unit, task));
        }
        if let Some(why) = komhen_domain::implausible_time(row.registered_at, Utc::now()) {
            problems.push(cell("Dato", ProblemKind::Invalid, why));
        }
        let answers = self.answers(row, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        // A Landkort task code the catalogue lacks has no task yet: the row
        // is counted in the preview and stored after the import creates it.
        let Some(channel) = channel else {
            return Err(problems);
        };
        let task = task.unwrap_or(PENDING_TASK);
        Ok((
            NewRegistration {
                municipality: self.municipality,
                unit,
                task,
                channel: channel.code.clone(),
                inquiry_type: row.inquiry_type,
                completion: row.completion,
                has_form,
                registered_at: row.registered_at,
                duration_ms: row.duration_ms,
                quantity: row.quantity,
                source: row.source,
                is_test: false,
                idempotency_key: None,
                answers,
            },
            notes,
        ))
    }

    pub(super) fn answers(&self, row: &RawRow<'_>, problems: &mut Vec<Problem>) -> Vec<NewAnswer> {
        let mut answers = Vec::new();
        for (value, column) in row.extra.iter().zip(&self.columns) {
            let value = value.trim();
            if value.is_empty() || value.eq_ignore_ascii_case("null") {
                continue;
            }
            let Column::Question(q) = column else {
                // Created on import as a text question; filled in then.
                continue;
            };
            match answer::parse(q, value, answer::Choice::ByName) {
                Ok(a) => answers.push(a),
                Err(message) => problems.push(Problem::cell(
                    row.line,
                    q.label_da.clone(),
                    ProblemKind::Invalid,
                    message,
                )),
            }
        }
        answers
    }
}
impl Resolver {
    /// A row as the batch fingerprint reads it: every value as parsed (so
    /// the file's encoding, separator, quoting, spacing and date format do
    /// not matter), the unit by its login and the task by its code (so a
    /// row means the same before and after the import creates them), the
    /// answers by their column's header, in the order of the headers'
    /// text (so the columns' order does not matter), empty ones left out.
    pub(super) fn canonical(&self, raw: &RawRow<'_>) -> Vec<u8> {
        use std::fmt::Write;
        let mut text = String::with_capacity(128);
        let _ =
            write!(
            text,
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            raw.municipality,
            raw.unit_login.map(|u| u.trim().to_lowercase()).unwrap_or_default(),
            raw.task.as_str(),
            raw.channel.as_str(),
            raw.inquiry_type.map(InquiryType::code).unwrap_or_default(),
            raw.completion.map(Completion::code).unwrap_or_default(),
            match raw.has_form {
                Some(true) => "1",
                Some(false) => "0",
                None => "",
            },
            raw.registered_at.timestamp_millis(),
            raw.quantity,
            raw.duration_ms.map(|d| d.to_string()).unwrap_or_default(),
            raw.source.code(),
        );
        let mut answers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .zip(raw.extra)
            .map(|(header, value)| (header.as_str(), value.trim()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        answers.sort_unstable();
        for (header, value) in answers {
            let _ = write!(text, "\u{1e}{header}\u{1f}{value}");
        }
        text.into_bytes()
    }
}

pub(super) fn codebook_raw(row: &komhen_ingest::CodebookRow) -> RawRow<'_> {
    RawRow {
        line: row.line,
        municipality: row.municipality,
        unit_login: row.unit_login.as_deref(),
        task: &row.task,
        channel: &row.channel,
        channel_written: row.channel_written.as_deref(),
        inquiry_type: row.inquiry_type,
        completion: row.completion,
        has_form: row.has_form,
        registered_at: row.registered_at,
        quantity: row.quantity,
        duration_ms: row.duration_ms,
        source: Source::Upload,
        extra: &row.extra,
    }
}

pub(super) fn landkort_raw(row: &komhen_ingest::landkort::LandkortRow) -> RawRow<'_> {
    RawRow {
        line: row.line,
        municipality: row.municipality,
        unit_login: row.unit_login.as_deref(),
        task: &row.task,
        channel: &row.channel,
        channel_written: None,
        inquiry_type: row.inquiry_type,
        completion: row.completion,
        has_form: row.has_form,
        registered_at: row.registered_at,
        quantity: 1,
        duration_ms: row.duration_ms,
        source: match row.data_source {
            LandkortSource::Tracetool => Source::Tool,
            LandkortSource::DetDigitaleLandkort => Source::Upload,
        },
        extra: &row.extra,
    }
}
