//! KLE files as the national administrator imports them: the official KL
//! format (`KLE-Emneplan` with `Hovedgruppe`/`Gruppe`/`Emne`, the schema
//! `KLE-REST-Emneplan-fuld-version-1-2.xsd`) and the older taxonomy export
//! (`Taxonomy` with `Taxon`/`Key`/`Name`, as OS2web ships it). The format is
//! told from the root element, never asked.
//!
//! Returns the catalogue's entries (number, level, title, parent) or every
//! problem found, in Danish. Must not touch the database.

use crate::{IngestError, Problem, ProblemKind};
use komhen_domain::reference::KleEntry;
use komhen_domain::{da, dl, KleNumber};
use quick_xml::events::Event;
use quick_xml::Reader;

/// Which of the two formats a file was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KleFormat {
    /// KL's official XML (`KLE-Emneplan`).
    Official,
    /// The older taxonomy export (`Taxonomy`).
    Taxonomy,
}

impl KleFormat {
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Official => dl!("KL's officielle KLE-format (KLE-Emneplan)"),
            Self::Taxonomy => dl!("det ældre taksonomi-format (Taxonomy)"),
        }
    }
}

/// A read KLE file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KleFile {
    pub format: KleFormat,
    /// `UdgivelsesDato` of an official file.
    pub published: Option<String>,
    /// Every entry, in the file's order.
    pub entries: Vec<KleEntry>,
}

/// Where a number or title is being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Number,
    Title,
    Published,
}

/// The element names of each format: (number, title) per entry element.
fn field_of(format: KleFormat, element: &str) -> Option<Field> {
    match (format, element) {
        (KleFormat::Official, "HovedgruppeNr" | "GruppeNr" | "EmneNr") => Some(Field::Number),
        (KleFormat::Official, "HovedgruppeTitel" | "GruppeTitel" | "EmneTitel") => {
            Some(Field::Title)
        }
        (KleFormat::Official, "UdgivelsesDato") => Some(Field::Published),
        (KleFormat::Taxonomy, "Key") => Some(Field::Number),
        (KleFormat::Taxonomy, "Name") => Some(Field::Title),
        _ => None,
    }
}

fn is_entry(format: KleFormat, element: &str) -> bool {
    match format {
        KleFormat::Official => matches!(element, "Hovedgruppe" | "Gruppe" | "Emne"),
        KleFormat::Taxonomy => element == "Taxon",
    }
}

/// Reads a KLE file in either format.
pub fn read(file: &str, bytes: &[u8]) -> Result<KleFile, IngestError> {
    let fail = |line: u64, message: String| IngestError {
        file: file.to_owned(),
        problems: vec![Problem::line(line, ProblemKind::Unreadable, message)],
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| fail(1, da!("filen er ikke UTF-8: {e}")))?;
    let line_of = |position: u64| {
        let end = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(text.len());
        1 + text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
    };
    let mut reader = Reader::from_str(text);
    // Not trimmed per event: an entity splits a title into several events,
    // and the spaces around it belong to the title. Each field is trimmed.
    let mut format = None;
    let mut published = None;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    // The entry being read: its number, title and the line it began on.
    let mut entry: Option<(Option<String>, Option<String>, u64)> = None;
    let mut field: Option<Field> = None;
    let mut text_buf = String::new();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            fail(
                line_of(reader.error_position()),
                da!("filen er ikke gyldig XML: {e}"),
            )
        })?;
        match event {
            Event::Start(start) => {
                let qname = start.name();
                let name: &str = qname.as_ref();
                let Some(format) = format else {
                    format = match name {
                        "KLE-Emneplan" => Some(KleFormat::Official),
                        "Taxonomy" => Some(KleFormat::Taxonomy),
                        _ => {
                            return Err(fail(
                                line_of(position),
                                da!(
                                    "rodelementet «{}» er hverken KLE-Emneplan (KL's officielle \
                                     format) eller Taxonomy (det ældre format)",
                                    name
                                ),
                            ))
                        }
                    };
                    continue;
                };
                if is_entry(format, name) {
                    // Entries nest (a group inside its main group): finish
                    // the outer one's number and title first.
                    if let Some(open) = entry.take() {
                        push_entry(&mut entries, &mut problems, open);
                    }
                    entry = Some((None, None, line_of(position)));
                } else {
                    field = field_of(format, name);
                    text_buf.clear();
                }
            }
            Event::Text(t) if field.is_some() => text_buf.push_str(t.as_ref()),
            Event::GeneralRef(r) if field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text_buf.push(c);
                } else {
                    let name: &str = r.as_ref();
                    match quick_xml::escape::resolve_xml_entity(name) {
                        Some(resolved) => text_buf.push_str(resolved),
                        None => {
                            text_buf.push('&');
                            text_buf.push_str(name);
                            text_buf.push(';');
                        }
                    }
                }
            }
            Event::End(_) => {
                if let Some(done) = field.take() {
                    let value = text_buf.trim().to_owned();
                    match (done, entry.as_mut()) {
                        (Field::Published, _) => published = Some(value),
                        (Field::Number, Some(open)) if open.0.is_none() => open.0 = Some(value),
                        (Field::Title, Some(open)) if open.1.is_none() => open.1 = Some(value),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = entry.take() {
        push_entry(&mut entries, &mut problems, open);
    }
    let Some(format) = format else {
        return Err(fail(1, dl!("filen er tom").into()));
    };
    if entries.is_empty() && problems.is_empty() {
        problems.push(Problem::line(
            1,
            ProblemKind::Layout,
            dl!("filen indeholder ingen KLE-numre"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for e in &entries {
        if !seen.insert(e.number.clone()) {
            problems.push(Problem::line(
                1,
                ProblemKind::Conflict,
                da!("KLE-nummeret {} står to gange", e.number),
            ));
        }
    }
    if problems.is_empty() {
        Ok(KleFile {
            format,
            published,
            entries,
        })
    } else {
        Err(IngestError {
            file: file.to_owned(),
            problems,
        })
    }
}

fn push_entry(
    entries: &mut Vec<KleEntry>,
    problems: &mut Vec<Problem>,
    (number, title, line): (Option<String>, Option<String>, u64),
) {
    let Some(number) = number else {
        // An outer entry already pushed when its first child began.
        return;
    };
    if entries.last().is_some_and(|e| e.number.as_str() == number) {
        return;
    }
    match KleNumber::parse(&number) {
        Ok(number) => entries.push(KleEntry {
            level: number.level(),
            parent: number.parent(),
            number,
            title: title.unwrap_or_default(),
        }),
        Err(e) => problems.push(Problem::line(line, ProblemKind::Invalid, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use komhen_domain::TaskCodeKind;

    const OFFICIAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KLE-Emneplan>
  <UdgivelsesDato>2019-11-01</UdgivelsesDato>
  <Hovedgruppe>
    <HovedgruppeNr>00</HovedgruppeNr>
    <HovedgruppeTitel>Kommunens styrelse</HovedgruppeTitel>
    <UUID>x</UUID>
    <Gruppe>
      <GruppeNr>00.01</GruppeNr>
      <GruppeTitel>Styrelse &amp; ledelse</GruppeTitel>
      <Emne>
        <EmneNr>00.01.00</EmneNr>
        <EmneTitel>Kommunens styrelse i almindelighed</EmneTitel>
      </Emne>
      <Emne>
        <EmneNr>00.01.10</EmneNr>
        <EmneTitel>Kommunalbestyrelsen</EmneTitel>
      </Emne>
    </Gruppe>
  </Hovedgruppe>
</KLE-Emneplan>"#;

    #[test]
    fn the_official_format_gives_every_level_with_its_parent() {
        let file = read("kle.xml", OFFICIAL.as_bytes()).unwrap();
        assert_eq!(file.format, KleFormat::Official);
        assert_eq!(file.published.as_deref(), Some("2019-11-01"));
        let numbers: Vec<&str> = file.entries.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["00", "00.01", "00.01.00", "00.01.10"]);
        assert_eq!(file.entries[1].title, "Styrelse & ledelse");
        assert_eq!(file.entries[1].level, TaskCodeKind::Group);
        assert_eq!(file.entries[3].parent.as_ref().unwrap().as_str(), "00.01");
    }

    #[test]
    fn the_taxonomy_format_reads_keys_and_names() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<Taxonomy SqlID="1"><Name>KLE</Name>
  <Taxon SqlID="3" ParentKey="00.03"><Key>00.03.04</Key><Name>Regionaludvikling EU</Name>
    <Description>&lt;p&gt;tekst&lt;/p&gt;</Description></Taxon>
  <Taxon SqlID="4" ParentKey="00"><Key>00.05</Key><Name>Besøg, repræsentation mv.</Name></Taxon>
</Taxonomy>"#;
        let file = read("kle.xml", xml.as_bytes()).unwrap();
        assert_eq!(file.format, KleFormat::Taxonomy);
        assert_eq!(file.entries.len(), 2);
        assert_eq!(file.entries[0].title, "Regionaludvikling EU");
        assert_eq!(file.entries[1].level, TaskCodeKind::Group);
    }

    #[test]
    fn other_files_are_refused_with_the_reason() {
        let err = read("x.xml", b"<html><body/></html>").unwrap_err();
        assert!(err.problems[0].message.contains("KLE-Emneplan"), "{err}");
        let err = read(
            "x.xml",
            b"<KLE-Emneplan><Emne><EmneNr>1.2.3</EmneNr></Emne>",
        )
        .unwrap_err();
        assert!(!err.problems.is_empty());
        let err = read("x.xml", b"<KLE-Emneplan></KLE-Emneplan>").unwrap_err();
        assert!(err.problems[0].message.contains("ingen KLE-numre"));
        assert!(read("x.xml", b"\xff\xfe").is_err());
    }
}
