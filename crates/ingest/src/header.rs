//! Finding a reader's columns in a file's header row.
//!
//! Owns the matching rule every reader shares: case-insensitive, ignoring
//! surrounding spaces and runs of inner spaces, with aliases; missing
//! required columns and duplicated columns all reported at once. Columns
//! the reader does not know are "extra" and handed back by name; columns
//! with an empty header are ignored (a trailing `;` makes one), but a value
//! under one is a problem of that row. Must not parse cells.

use crate::{Problem, ProblemKind};
use komhen_domain::da;

/// A column a reader knows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnSpec {
    /// The name komhen writes.
    pub(crate) name: &'static str,
    /// Other names accepted when reading.
    pub(crate) aliases: &'static [&'static str],
    pub(crate) required: bool,
}

/// The header of one file, resolved against a reader's columns.
#[derive(Debug, Clone)]
pub(crate) struct HeaderMap {
    /// Per spec, the file column holding it.
    pub(crate) positions: Vec<Option<usize>>,
    /// Per spec, the header as the file writes it (the spec's name if absent).
    pub(crate) names: Vec<String>,
    /// File columns no spec claims, with their headers.
    pub(crate) extras: Vec<(usize, String)>,
    /// File columns with an empty header.
    pub(crate) unnamed: Vec<usize>,
    /// How many columns the header has.
    pub(crate) width: usize,
}

/// Lower case, trimmed, inner whitespace runs made one space.
pub(crate) fn normalise(header: &str) -> String {
    header
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl HeaderMap {
    /// Resolves a header row found on `line`; every missing or doubled
    /// column is a problem.
    pub(crate) fn resolve(
        headers: &[String],
        specs: &[ColumnSpec],
        line: u64,
    ) -> Result<Self, Vec<Problem>> {
        let mut positions: Vec<Option<usize>> = vec![None; specs.len()];
        let mut names: Vec<String> = specs.iter().map(|s| s.name.to_owned()).collect();
        let mut extras = Vec::new();
        let mut unnamed = Vec::new();
        let mut problems = Vec::new();
        let mut seen_extras: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for (index, header) in headers.iter().enumerate() {
            let key = normalise(header);
            if key.is_empty() {
                unnamed.push(index);
                continue;
            }
            let spec = specs.iter().position(|s| {
                normalise(s.name) == key || s.aliases.iter().any(|a| normalise(a) == key)
            });
            match spec {
                Some(s) => match positions[s] {
                    Some(first) => problems.push(Problem::cell(
                        line,
                        header.trim(),
                        ProblemKind::DuplicateColumn,
                        da!(
                            "kolonnen «{}» står to gange (kolonne {} og {}). Fjern den ene",
                            specs[s].name,
                            first + 1,
                            index + 1
                        ),
                    )),
                    None => {
                        positions[s] = Some(index);
                        names[s] = header.trim().to_owned();
                    }
                },
                None => {
                    if let Some(first) = seen_extras.get(&key) {
                        problems.push(Problem::cell(
                            line,
                            header.trim(),
                            ProblemKind::DuplicateColumn,
                            da!(
                                "kolonnen «{}» står to gange (kolonne {} og {}). Fjern den ene",
                                header.trim(),
                                first + 1,
                                index + 1
                            ),
                        ));
                    } else {
                        seen_extras.insert(key, index);
                        extras.push((index, header.trim().to_owned()));
                    }
                }
            }
        }
        let expected: Vec<&str> = specs.iter().map(|s| s.name).collect();
        for (spec, position) in specs.iter().zip(&positions) {
            if spec.required && position.is_none() {
                let message = if spec.aliases.is_empty() {
                    da!(
                        "kolonnen «{}» mangler i overskriften. Forventede kolonnerne {}",
                        spec.name,
                        expected.join(", ")
                    )
                } else {
                    da!(
                        "kolonnen «{}» (eller {}) mangler i overskriften. Forventede kolonnerne {}",
                        spec.name,
                        spec.aliases.join(", "),
                        expected.join(", ")
                    )
                };
                problems.push(Problem::cell(
                    line,
                    spec.name,
                    ProblemKind::MissingColumn,
                    message,
                ));
            }
        }
        if problems.is_empty() {
            Ok(Self {
                positions,
                names,
                extras,
                unnamed,
                width: headers.len(),
            })
        } else {
            Err(problems)
        }
    }

    pub(crate) fn extra_headers(&self) -> Vec<String> {
        self.extras.iter().map(|(_, h)| h.clone()).collect()
    }

    /// A problem for every value standing in a column without a header.
    pub(crate) fn stray_values(&self, line: u64, record: &csv::ByteRecord) -> Vec<Problem> {
        let mut problems = Vec::new();
        if record.len() <= self.width && self.unnamed.is_empty() {
            return problems;
        }
        if record.len() > crate::limits::MAX_COLUMNS {
            return vec![Problem::line(
                line,
                ProblemKind::Limit,
                crate::limits::too_many_columns(record.len()),
            )];
        }
        for (index, value) in record.iter().enumerate() {
            // `unnamed` is in column order: a binary search, not a scan.
            let stray = index >= self.width || self.unnamed.binary_search(&index).is_ok();
            let value = crate::cell::trim(value);
            if stray && !value.is_empty() {
                problems.push(Problem::line(
                    line,
                    ProblemKind::Layout,
                    da!(
                        "værdien «{}» står i kolonne {}, som ikke har nogen overskrift. \
                         Giv kolonnen en overskrift, eller fjern værdien",
                        crate::cell::shown(value),
                        index + 1
                    ),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [ColumnSpec; 2] = [
        ColumnSpec {
            name: "Kommune",
            aliases: &["KommuneID"],
            required: true,
        },
        ColumnSpec {
            name: "Kanal",
            aliases: &["Henvendelses Kanal"],
            required: true,
        },
    ];

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_match_case_and_space_insensitively_with_aliases() {
        let map = HeaderMap::resolve(
            &headers(&[" kommuneid ", "HENVENDELSES  kanal", "Alder", ""]),
            &SPECS,
            1,
        )
        .unwrap();
        assert_eq!(map.positions, vec![Some(0), Some(1)]);
        assert_eq!(map.names[1], "HENVENDELSES  kanal");
        assert_eq!(map.extras, vec![(2, "Alder".to_owned())]);
        assert_eq!(map.unnamed, vec![3]);
    }

    #[test]
    fn missing_and_doubled_columns_are_reported_together() {
        let problems = HeaderMap::resolve(&headers(&["Kommune", "KommuneID", "x", "X"]), &SPECS, 1)
            .unwrap_err();
        let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::DuplicateColumn,
                ProblemKind::DuplicateColumn,
                ProblemKind::MissingColumn
            ]
        );
        assert!(problems[2]
            .message
            .contains("«Kanal» (eller Henvendelses Kanal) mangler"));
    }
}
