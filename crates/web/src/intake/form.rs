//! What the upload pages of the website channel and the central loads
//! share: reading an upload form (the file and its text fields), and a
//! preview's problems as table rows.
//!
//! Must not decide anything about a file: the use cases in `komhen_core`
//! read it and say what is wrong.

use crate::format::number;
use crate::WebError;
use axum::extract::Multipart;
use komhen_core::intake::website::ProblemSummary;

/// An upload form: the file (name and bytes) and its text fields.
pub(crate) struct UploadForm {
    pub(crate) file: Option<(String, Vec<u8>)>,
    pub(crate) fields: Vec<(String, String)>,
}

impl UploadForm {
    /// Reads a multipart form whose file field is `file`.
    pub(crate) async fn read(mut multipart: Multipart) -> Result<Self, WebError> {
        let mut form = Self {
            file: None,
            fields: Vec::new(),
        };
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|_| WebError::TooLarge)?
        {
            let name = part.name().unwrap_or_default().to_owned();
            if name == "file" {
                let file_name = part.file_name().unwrap_or("fil.csv").to_owned();
                let bytes = part.bytes().await.map_err(|_| WebError::TooLarge)?;
                if !bytes.is_empty() {
                    form.file = Some((
                        crate::intake::pending::display_name(&file_name),
                        bytes.to_vec(),
                    ));
                }
            } else {
                let value = part.text().await.map_err(|_| WebError::TooLarge)?;
                form.fields.push((name, value));
            }
        }
        Ok(form)
    }

    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
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
    pub(crate) bad_rows: String,
    /// «række» or «rækker».
    pub(crate) rows_word: &'static str,
    pub(crate) groups: Vec<ProblemGroupView>,
    pub(crate) lines: Vec<String>,
    /// Problems counted but not listed.
    pub(crate) more: String,
}

/// Problems listed one by one under the groups.
const LISTED: usize = 100;

impl ProblemsView {
    pub(crate) fn of(summary: &ProblemSummary) -> Self {
        let listed: Vec<String> = summary
            .kept()
            .iter()
            .take(LISTED)
            .map(ToString::to_string)
            .collect();
        let more = summary.total().saturating_sub(listed.len() as u64);
        Self {
            total: number(i64::try_from(summary.total()).unwrap_or(i64::MAX)),
            bad_rows: number(i64::try_from(summary.bad_rows()).unwrap_or(i64::MAX)),
            rows_word: if summary.bad_rows() == 1 {
                "række"
            } else {
                "rækker"
            },
            groups: summary
                .groups()
                .iter()
                .map(|g| ProblemGroupView {
                    column: g.column.clone().unwrap_or_else(|| "(hele linjen)".into()),
                    kind: g.kind.label_da(),
                    count: number(i64::try_from(g.count).unwrap_or(i64::MAX)),
                    lines: g
                        .first_lines
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    example: g.example.clone(),
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
