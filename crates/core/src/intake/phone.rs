//! Total counts from a phone system: an Asterisk call log (`Master.csv`,
//! CDR) becomes the answered calls per day, incoming (`TLFIND`) and
//! outgoing (`TLFUD`), stored as total counts (see `totals`).
//!
//! Owns the municipality's mapping (rules saying which calls are incoming
//! and which outgoing, set up like any set-up data: audited, in
//! [`komhen_store::SetupChange`]) and the counting rules:
//! - a call can leave several records (legs): a forked dial, a transfer,
//!   a queue. Records with the same `linkedid` (else the same `uniqueid`)
//!   are one call, counted once; a file without either column counts each
//!   record as a call;
//! - a call counts when one of its legs is `ANSWERED`. Calls with only
//!   `NO ANSWER`, `BUSY`, `FAILED` or `CONGESTION` legs are left out (and
//!   shown as unanswered);
//! - its direction is that of the first leg (in file order) a rule
//!   matches, rules tried in the order they were added; a call no rule
//!   matches is counted and shown as unmapped, never stored; a call whose
//!   legs match both directions is counted by its first and shown;
//! - its day is the Danish date its first leg started;
//! - every day the file has a call on gets a total for each direction the
//!   mapping has a rule for, 0 included (so the day counts as covered).
//!
//! Memory grows with the number of calls (a few dozen bytes each: a year
//! of a large municipality's calls fits), not with the file's size.
//! Must not know HTTP or the terminal.

use crate::accounts::access::Actor;
use crate::intake::totals::{self, finish_preview, range_da, Labels, PreviewTotal, TotalsPreview};
use crate::setup::{change, Entry};
use crate::{CoreError, CoreResult};
use chrono::NaiveDate;
use komhen_domain::{da, danish_local, dl, CdrRuleId, ChannelCode, Direction, MunicipalityCode};
use komhen_ingest::asterisk::{CallRecord, CdrClock, CdrLayout, CdrReader, Disposition};
use komhen_ingest::{Limits, ProblemSummary};
use komhen_store::{
    CdrMatch, CdrRuleField, CdrRuleRow, NewBatch, NewCdrRule, NewTotalCount, SetupChange, Store,
    TotalMeasure,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::PathBuf;

/// The limits of a call log: a year of a large municipality's calls.
pub const CDR_LIMITS: Limits = Limits {
    max_bytes: 4 << 30,
    max_rows: 50_000_000,
    max_problems_kept: 1_000,
};
/// Distinct kinds of unmapped calls remembered as examples.
const UNMAPPED_KINDS: usize = 1_000;
/// Unmapped kinds shown.
const UNMAPPED_SHOWN: usize = 10;

// --- the mapping -----------------------------------------------------------------

/// A rule as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct CdrRuleInput {
    /// `dcontext`, `channel`, `dstchannel`, `src` or `dst`.
    pub field: String,
    /// `equals` or `prefix`.
    pub matching: String,
    pub pattern: String,
    /// `in` or `out` (or `ind`/`ud`).
    pub direction: String,
}

fn rule_json(rule: &NewCdrRule) -> serde_json::Value {
    json!({
        "field": rule.field.code(),
        "matching": rule.matching.code(),
        "pattern": rule.pattern,
        "direction": rule.direction.code(),
    })
}

/// Adds a rule to the municipality's mapping (tried after the others).
pub async fn create_rule(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    input: &CdrRuleInput,
) -> CoreResult<CdrRuleId> {
    let mut problems = Vec::new();
    let field = CdrRuleField::parse(&input.field);
    if field.is_none() {
        problems.push(dl!("Vælg, hvilket felt reglen ser på."));
    }
    let matching = CdrMatch::parse(&input.matching);
    if matching.is_none() {
        problems.push(dl!(
            "Vælg, om feltet skal være lig med teksten eller begynde med den."
        ));
    }
    let pattern = input.pattern.trim().to_owned();
    if pattern.is_empty() {
        problems.push(dl!(
            "Skriv den tekst, feltet skal have, fx from-trunk eller SIP/trunk-."
        ));
    } else if pattern.chars().count() > 200 {
        problems.push(dl!("Teksten må højst være 200 tegn."));
    }
    let direction = Direction::parse(&input.direction).ok();
    if direction.is_none() {
        problems.push(dl!("Vælg, om opkaldene er indgående eller udgående."));
    }
    let (Some(field), Some(matching), Some(direction), true) =
        (field, matching, direction, problems.is_empty())
    else {
        return Err(CoreError::Invalid(problems.join("\n")));
    };
    let rule = NewCdrRule {
        municipality,
        field,
        matching,
        pattern,
        direction,
    };
    let applied = change(
        store,
        actor,
        SetupChange::CreateCdrRule(rule.clone()),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "cdr_rule",
            entity_id: String::new(),
            before: None,
            after: Some(rule_json(&rule)),
        },
    )
    .await?;
    Ok(CdrRuleId(applied.created()?))
}

/// Removes a rule from the municipality's mapping.
pub async fn delete_rule(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    rule: CdrRuleId,
) -> CoreResult<()> {
    let before = store
        .list_cdr_rules(municipality)
        .await?
        .into_iter()
        .find(|r| r.id == rule)
        .ok_or_else(|| {
            CoreError::Invalid(dl!("Reglen findes ikke (længere) i kommunen.").into())
        })?;
    change(
        store,
        actor,
        SetupChange::DeleteCdrRule { municipality, rule },
        Entry {
            municipality: Some(municipality),
            action: "delete",
            entity: "cdr_rule",
            entity_id: rule.to_string(),
            before: Some(rule_json(&before.rule)),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A rule in words: `channel begynder med «SIP/trunk-» → indgående`.
pub fn describe_rule(rule: &NewCdrRule) -> String {
    format!(
        "{} {} «{}» → {}",
        rule.field.code(),
        rule.matching.label_da(),
        rule.pattern,
        rule.direction.label_da().to_lowercase()
    )
}

/// A municipality's rules, applied to calls.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    rules: Vec<NewCdrRule>,
}

fn field_of(call: &CallRecord, field: CdrRuleField) -> &str {
    match field {
        CdrRuleField::DContext => &call.dcontext,
        CdrRuleField::Channel => &call.channel,
        CdrRuleField::DstChannel => &call.dstchannel,
        CdrRuleField::Src => &call.src,
        CdrRuleField::Dst => &call.dst,
    }
}

impl Mapping {
    pub fn new(rules: Vec<NewCdrRule>) -> Self {
        Self { rules }
    }

    pub async fn load(store: &dyn Store, municipality: MunicipalityCode) -> CoreResult<Self> {
        Ok(Self::new(
            store
                .list_cdr_rules(municipality)
                .await?
                .into_iter()
                .map(|r: CdrRuleRow| r.rule)
                .collect(),
        ))
    }

    /// The direction of the first rule the record matches.
    pub fn direction(&self, call: &CallRecord) -> Option<Direction> {
        self.rules
            .iter()
            .find(|rule| {
                let value = field_of(call, rule.field).as_bytes();
                let pattern = rule.pattern.as_bytes();
                match rule.matching {
                    CdrMatch::Equals => value.eq_ignore_ascii_case(pattern),
                    CdrMatch::Prefix => {
                        value.len() >= pattern.len()
                            && value[..pattern.len()].eq_ignore_ascii_case(pattern)
                    }
                }
            })
            .map(|rule| rule.direction)
    }

    /// Whether any rule says this direction.
    pub fn has(&self, direction: Direction) -> bool {
        self.rules.iter().any(|r| r.direction == direction)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

// --- counting calls ---------------------------------------------------------------

/// One call as its legs are read.
#[derive(Debug, Clone, Copy)]
struct CallState {
    day: NaiveDate,
    direction: Option<Direction>,
    conflict: bool,
    answered: bool,
    /// The kind of the first leg, for showing unmapped calls.
    kind: u32,
}

/// One day of a call log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdrDay {
    pub day: Option<NaiveDate>,
    pub incoming: u64,
    pub outgoing: u64,
    /// Answered calls no rule matched.
    pub unmapped: u64,
    /// Calls never answered.
    pub unanswered: u64,
}

/// What a call log holds, counted.
#[derive(Debug, Clone, Default)]
pub struct CallCounts {
    /// Records (legs) read without problems.
    pub records: u64,
    /// Distinct calls.
    pub calls: u64,
    pub answered: u64,
    pub unanswered: u64,
    /// Answered calls no rule matched (not stored).
    pub unmapped: u64,
    /// Answered calls whose legs matched both directions (counted by the first).
    pub conflicting: u64,
    /// Records per disposition, in [`Disposition::ALL`]'s order.
    pub dispositions: Vec<(Disposition, u64)>,
    /// Per day, oldest first.
    pub days: Vec<CdrDay>,
    /// The most frequent kinds of unmapped calls (`dcontext «…», channel «SIP/trunk»`) and how many.
    pub unmapped_kinds: Vec<(String, u64)>,
}

/// A channel name without its unique suffix: `SIP/trunk-00000a1f` → `SIP/trunk`.
fn channel_stem(channel: &str) -> &str {
    match channel.rfind('-') {
        Some(i) if channel[..i].contains('/') => &channel[..i],
        _ => channel,
    }
}

/// Counts the calls of a CDR stream. Blocking: run on a blocking thread.
fn count_calls<R: Read>(
    reader: CdrReader<R>,
    mapping: &Mapping,
    problems: &mut ProblemSummary,
) -> CallCounts {
    let mut calls: HashMap<u64, CallState> = HashMap::new();
    let mut kinds: Vec<String> = Vec::new();
    let mut kind_index: HashMap<String, u32> = HashMap::new();
    let mut dispositions: HashMap<Disposition, u64> = HashMap::new();
    let mut records = 0u64;
    for record in reader {
        let record = match record {
            Ok(record) => record,
            Err(found) => {
                problems.add_row(found);
                continue;
            }
        };
        records += 1;
        *dispositions.entry(record.disposition).or_default() += 1;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match (&record.linkedid, &record.uniqueid) {
            (Some(id), _) => ("l", id.as_str()).hash(&mut hasher),
            (None, Some(id)) => ("u", id.as_str()).hash(&mut hasher),
            (None, None) => ("line", record.line).hash(&mut hasher),
        }
        let key = hasher.finish();
        let day = danish_local(record.start).date();
        let direction = mapping.direction(&record);
        let answered = record.disposition == Disposition::Answered;
        match calls.get_mut(&key) {
            Some(call) => {
                call.day = call.day.min(day);
                call.answered |= answered;
                match (call.direction, direction) {
                    (None, found) => call.direction = found,
                    (Some(a), Some(b)) if a != b => call.conflict = true,
                    _ => {}
                }
            }
            None => {
                let name = format!(
                    "dcontext «{}», channel «{}»",
                    record.dcontext,
                    channel_stem(&record.channel)
                );
                let kind = match kind_index.get(&name) {
                    Some(i) => *i,
                    None if kinds.len() < UNMAPPED_KINDS => {
                        kinds.push(name.clone());
                        let i = (kinds.len() - 1) as u32;
                        kind_index.insert(name, i);
                        i
                    }
                    None => u32::MAX,
                };
                calls.insert(
                    key,
                    CallState {
                        day,
                        direction,
                        conflict: false,
                        answered,
                        kind,
                    },
                );
            }
        }
    }
    let mut days: BTreeMap<NaiveDate, CdrDay> = BTreeMap::new();
    let mut counts = CallCounts {
        records,
        calls: calls.len() as u64,
        ..CallCounts::default()
    };
    let mut unmapped_by_kind: HashMap<u32, u64> = HashMap::new();
    for call in calls.values() {
        let day = days.entry(call.day).or_insert_with(|| CdrDay {
            day: Some(call.day),
            ..CdrDay::default()
        });
        if !call.answered {
            counts.unanswered += 1;
            day.unanswered += 1;
            continue;
        }
        counts.answered += 1;
        counts.conflicting += u64::from(call.conflict);
        match call.direction {
            Some(Direction::Incoming) => day.incoming += 1,
            Some(Direction::Outgoing) => day.outgoing += 1,
            None => {
                counts.unmapped += 1;
                day.unmapped += 1;
                *unmapped_by_kind.entry(call.kind).or_default() += 1;
            }
        }
    }
    let mut unmapped_kinds: Vec<(String, u64)> = unmapped_by_kind
        .into_iter()
        .map(|(kind, n)| {
            (
                kinds
                    .get(kind as usize)
                    .cloned()
                    .unwrap_or_else(|| dl!("(andre)").into()),
                n,
            )
        })
        .collect();
    unmapped_kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    unmapped_kinds.truncate(UNMAPPED_SHOWN);
    counts.unmapped_kinds = unmapped_kinds;
    counts.days = days.into_values().collect();
    counts.dispositions = Disposition::ALL
        .iter()
        .map(|d| (*d, dispositions.get(d).copied().unwrap_or(0)))
        .collect();
    counts
}

// --- preview and storing ----------------------------------------------------------------

/// Where a call log is.
#[derive(Debug, Clone)]
pub enum CdrFile {
    /// A file on disk (the command line: read as a stream, never whole).
    Path(PathBuf),
    /// An upload held in memory.
    Bytes(Vec<u8>),
}

/// How to read a call log.
#[derive(Debug, Clone, Default)]
pub struct CdrOptions {
    /// The timestamps are UTC (`usegmtime=yes` in `cdr.conf`), not Danish time.
    pub utc: bool,
    /// A municipality's own `cdr_custom` column order (`clid,src,dst,...`
    /// or the `${CDR(...)}` mapping); empty: found from the first record.
    pub columns: String,
}

/// What a call log holds and what storing it would do.
#[derive(Debug, Clone)]
pub struct CdrPreview {
    /// The totals to store, overlaps, problems, duplicate and staged batch.
    pub totals: TotalsPreview,
    pub counts: CallCounts,
    /// "cdr_csv", "cdr_custom (Asterisks eksempel)" or "egen rækkefølge".
    pub layout: String,
    pub clock: &'static str,
    /// Whether the municipality has no rules yet.
    pub no_rules: bool,
    /// Which directions the mapping has rules for.
    pub directions: Vec<Direction>,
}

impl CdrPreview {
    /// Why nothing can be stored, in Danish (None when it can).
    pub fn refusal(&self) -> Option<String> {
        if self.no_rules {
            return Some(
                dl!(
                    "Kommunen har ingen regler for telefonsystemet endnu: tilføj en regel for \
                     indgående og en for udgående opkald, og indlæs filen igen."
                )
                .into(),
            );
        }
        self.totals.refusal()
    }
}

fn layout_of(options: &CdrOptions) -> CoreResult<Option<CdrLayout>> {
    let names: Vec<&str> = options
        .columns
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    CdrLayout::from_names(&names)
        .map(Some)
        .map_err(|e| CoreError::Invalid(da!("Kolonnerækkefølgen kan ikke bruges: {e}")))
}

fn layout_name(layout: &CdrLayout, own: bool) -> String {
    if own {
        dl!("egen kolonnerækkefølge (cdr_custom)").into()
    } else if *layout == CdrLayout::cdr_custom_sample() {
        dl!("cdr_custom (Asterisks eksempel, 19 kolonner)").into()
    } else {
        dl!("cdr_csv (Asterisks standard)").into()
    }
}

/// Reads a call log for the municipality and says what storing it would
/// do; staged when it can be stored and `stage` (commit it with
/// [`totals::commit`]).
#[tracing::instrument(level = "debug", skip_all, fields(%municipality))]
pub async fn preview_cdr(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    file: CdrFile,
    file_name: &str,
    options: &CdrOptions,
    stage: bool,
) -> CoreResult<CdrPreview> {
    let mapping = Mapping::load(store, municipality).await?;
    let own_layout = layout_of(options)?;
    let own = own_layout.is_some();
    let clock = if options.utc {
        CdrClock::Utc
    } else {
        CdrClock::DanishLocal
    };
    let sha256 = match &file {
        CdrFile::Bytes(bytes) => totals::sha256_hex(bytes),
        CdrFile::Path(path) => crate::intake::files::sha256_of(path)?,
    };
    let scan_mapping = mapping.clone();
    let (counts, problems, layout) = crate::intake::batch::blocking(move || {
        let mut problems = ProblemSummary::new(CDR_LIMITS.max_problems_kept);
        let read: Box<dyn Read + Send> = match file {
            CdrFile::Bytes(bytes) => Box::new(std::io::Cursor::new(bytes)),
            CdrFile::Path(path) => match std::fs::File::open(&path) {
                Ok(f) => Box::new(std::io::BufReader::new(f)),
                Err(e) => {
                    problems.add(komhen_ingest::Problem::line(
                        1,
                        komhen_ingest::ProblemKind::Unreadable,
                        da!("filen kan ikke åbnes: {e}"),
                    ));
                    return (CallCounts::default(), problems, None);
                }
            },
        };
        match CdrReader::with_limits(read, CDR_LIMITS, own_layout, clock) {
            Ok(reader) => {
                let layout = reader.layout().clone();
                let counts = count_calls(reader, &scan_mapping, &mut problems);
                (counts, problems, Some(layout))
            }
            Err(e) => {
                for problem in e.problems {
                    problems.add(problem);
                }
                (CallCounts::default(), problems, None)
            }
        }
    })
    .await?;

    let directions: Vec<Direction> = [Direction::Incoming, Direction::Outgoing]
        .into_iter()
        .filter(|d| mapping.has(*d))
        .collect();
    let labels = Labels::load(store).await?;
    let mut preview = TotalsPreview {
        file_name: file_name.to_owned(),
        sha256,
        format: layout
            .as_ref()
            .map(|l| layout_name(l, own))
            .unwrap_or_default(),
        rows: counts.records + problems.bad_rows(),
        totals: Vec::new(),
        problems,
        overlaps: Vec::new(),
        duplicate_of: None,
        staged: None,
    };
    for day in &counts.days {
        let Some(date) = day.day else { continue };
        for direction in &directions {
            let (code, count) = match direction {
                Direction::Incoming => ("TLFIND", day.incoming),
                Direction::Outgoing => ("TLFUD", day.outgoing),
            };
            let channel = ChannelCode::parse(code)
                .map_err(|e| CoreError::Invalid(format!("kanalkoden {code}: {e}")))?;
            preview.totals.push(PreviewTotal {
                line: None,
                label: labels.channel(&channel),
                total: NewTotalCount {
                    municipality,
                    measure: TotalMeasure::Inquiries,
                    channel: Some(channel),
                    from: date,
                    to: date,
                    count: count as i64,
                    source: "cdr".into(),
                    batch: None,
                },
            });
        }
    }
    let batch = NewBatch {
        municipality: Some(municipality),
        kind: totals::CDR_KIND,
        file_name: file_name.to_owned(),
        sha256: preview.sha256.clone(),
        fingerprint: None,
        created_by: String::new(),
    };
    let stage = stage && !mapping.is_empty();
    finish_preview(store, actor, batch, &mut preview, &labels, stage).await?;
    Ok(CdrPreview {
        totals: preview,
        layout: layout
            .as_ref()
            .map(|l| layout_name(l, own))
            .unwrap_or_default(),
        clock: if options.utc {
            "UTC (usegmtime=yes)"
        } else {
            dl!("dansk tid")
        },
        no_rules: mapping.is_empty(),
        directions,
        counts,
    })
}

/// The days a preview's totals span, for a summary line.
pub fn span_da(preview: &CdrPreview) -> Option<String> {
    let first = preview.counts.days.first()?.day?;
    let last = preview.counts.days.last()?.day?;
    Some(range_da(first, last))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn channel_names_lose_their_unique_suffix() {
        assert_eq!(channel_stem("SIP/trunk-00000a1f"), "SIP/trunk");
        assert_eq!(channel_stem("PJSIP/client-1-00000002"), "PJSIP/client-1");
        assert_eq!(channel_stem("Console/dsp"), "Console/dsp");
        assert_eq!(channel_stem("from-trunk"), "from-trunk");
    }
}
