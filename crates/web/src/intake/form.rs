//! What the upload pages share to show a file's problems: a preview's
//! problem summary as table rows, one view for every upload.
//!
//! Must not decide anything about a file: the use cases in `komhen_core`
//! read it and say what is wrong.

use crate::format::number;
use crate::forms::{checkbox, id};
use komhen_core::intake::website::ProblemSummary;
use serde::Deserialize;

/// The form that imports a previewed file: the kept file's hash, the name
/// the preview showed, whether to replace an earlier load, what to do with
/// earlier imports on the same days and units (`tidligere`: `erstat` or
/// `tilfoej`), and what the page adds (a channel, a period).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ImportForm {
    pub(crate) sha256: String,
    pub(crate) file_name: String,
    #[serde(deserialize_with = "checkbox")]
    pub(crate) replace: bool,
    #[serde(rename = "tidligere")]
    pub(crate) earlier: String,
    pub(crate) channel: String,
    pub(crate) period: String,
}

/// A form that names one batch (to delete it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct BatchForm {
    #[serde(deserialize_with = "id")]
    pub(crate) batch: Option<i64>,
}

/// Problems of one kind in one column.
pub(crate) struct ProblemGroupView {
    pub(crate) column: String,
    pub(crate) kind: &'static str,
    pub(crate) count: String,
    pub(crate) lines: String,
    pub(crate) example: String,
}

/// A preview's problems: the groups, and the first ones in full.
pub(crate) struct ProblemsView {
    pub(crate) total: String,
    /// "2 fejl på 1 række".
    pub(crate) counted: String,
    pub(crate) groups: Vec<ProblemGroupView>,
    pub(crate) lines: Vec<String>,
    /// Problems counted but not listed.
    pub(crate) more: String,
}

/// Problems listed one by one under the groups.
const LISTED: usize = 200;

impl ProblemsView {
    pub(crate) fn of(summary: &ProblemSummary) -> Self {
        let listed: Vec<String> = summary
            .kept()
            .iter()
            .take(LISTED)
            .map(|p| crate::i18n::message(&p.to_string()))
            .collect();
        let more = summary.total().saturating_sub(listed.len() as u64);
        Self {
            total: number(i64::try_from(summary.total()).unwrap_or(i64::MAX)),
            counted: crate::i18n::message(&summary.counted_da(komhen_ingest::RowWord::Row)),
            groups: summary
                .groups()
                .iter()
                .map(|g| ProblemGroupView {
                    column: g
                        .column
                        .clone()
                        .unwrap_or_else(|| crate::t("(hele linjen)").into()),
                    kind: crate::t(g.kind.label_da()),
                    count: number(i64::try_from(g.count).unwrap_or(i64::MAX)),
                    lines: g
                        .first_lines
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    example: crate::i18n::message(&g.example),
                })
                .collect(),
            lines: listed,
            more: if more > 0 {
                number(i64::try_from(more).unwrap_or(i64::MAX))
            } else {
                String::new()
            },
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}
