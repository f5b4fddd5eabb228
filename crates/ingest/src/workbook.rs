//! Checking a workbook (XLSX) before the spreadsheet parser opens it.
//!
//! The parser (calamine) reads the zip's directory, holds the shared texts
//! and the styles in memory, trusts the count of texts a workbook declares,
//! and hands over a cell's text whole. So a small file can ask for
//! gigabytes: a shared text of a billion characters, millions of cells in
//! one row, a directory of millions of parts. This module reads the zip
//! once, a chunk at a time at constant memory, and refuses a workbook that
//! passes a limit of `limits` (parts, unpacked bytes in all and per part,
//! packing ratio, texts declared and held, cells per row, cell size, time)
//! before the parser sees a byte. It looks at the XML as bytes (tag names
//! and the gaps between tags), so no part is ever gathered in memory.
//!
//! Must not read values: the codebook reader does, through the parser. A
//! zip that cannot be read at all is left for the parser to report.

use crate::limits::{
    check_too_slow, human_bytes, packed_too_hard, part_too_large, too_many_cells_in_row,
    too_many_parts, too_many_shared_strings, unpacked_too_large, MAX_CELL_BYTES, MAX_COLUMNS,
    MAX_SHARED_STRINGS, MAX_XLSX_CHECK_SECONDS, MAX_XLSX_COMPRESSION_RATIO,
    MAX_XLSX_DIRECTORY_BYTES, MAX_XLSX_PARTS, MAX_XLSX_PART_BYTES, MAX_XLSX_RATIO_FROM,
    MAX_XLSX_UNPACKED_BYTES,
};
use crate::{Problem, ProblemKind};
use komhen_domain::da;
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

/// Refuses a workbook that passes a limit; leaves the stream at its start.
pub(crate) fn check<RS: Read + Seek>(read: &mut RS) -> Result<(), Problem> {
    let refuse = |message: String| Problem::line(1, ProblemKind::Limit, message);
    let outcome = check_parts(read).map_err(refuse);
    read.rewind()
        .map_err(|e| Problem::line(1, ProblemKind::Unreadable, da!("filen kan ikke læses: {e}")))?;
    outcome
}

fn check_parts<RS: Read + Seek>(read: &mut RS) -> Result<(), String> {
    let Some(directory) = directory(read) else {
        return Ok(());
    };
    if directory.entries > MAX_XLSX_PARTS {
        return Err(too_many_parts(directory.entries));
    }
    if directory.bytes > MAX_XLSX_DIRECTORY_BYTES {
        return Err(da!(
            "projektmappens indholdsfortegnelse fylder mere end grænsen på {}. Gem den igen \
             fra Excel som «Excel-projektmappe (.xlsx)»",
            human_bytes(MAX_XLSX_DIRECTORY_BYTES)
        ));
    }
    if read.rewind().is_err() {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(&mut *read) else {
        return Ok(());
    };
    let deadline = Instant::now() + Duration::from_secs(MAX_XLSX_CHECK_SECONDS);
    let mut unpacked = 0u64;
    let mut chunk = vec![0u8; 64 << 10];
    let mut strings = 0u64;
    for index in 0..archive.len() {
        // A part the zip library cannot open is left for the parser, which
        // cannot open it either.
        let Ok(mut part) = archive.by_index(index) else {
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let is_sheet = name.to_ascii_lowercase().contains("worksheets/");
        let packed = part.compressed_size().max(1);
        let mut scan = XmlScan::new(&mut strings);
        let mut bytes = 0u64;
        loop {
            let n = match part.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            bytes += n as u64;
            unpacked += n as u64;
            if unpacked > MAX_XLSX_UNPACKED_BYTES {
                return Err(unpacked_too_large());
            }
            if !is_sheet && bytes > MAX_XLSX_PART_BYTES {
                return Err(part_too_large(&name));
            }
            if bytes > MAX_XLSX_RATIO_FROM && bytes / packed > MAX_XLSX_COMPRESSION_RATIO {
                return Err(packed_too_hard(&name));
            }
            if Instant::now() > deadline {
                return Err(check_too_slow());
            }
            scan.scan(&chunk[..n], &name)?;
        }
    }
    Ok(())
}

/// What the zip's end record says of its directory.
struct Directory {
    entries: u64,
    bytes: u64,
}

const END_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
const ZIP64_LOCATOR_SIGNATURE: &[u8; 4] = b"PK\x06\x07";
const ZIP64_END_SIGNATURE: &[u8; 4] = b"PK\x06\x06";

/// The directory's size as the end record (or its ZIP64 twin) gives it,
/// read before the zip library reads the directory itself into memory.
/// None when there is no end record (not a zip: the parser says so).
fn directory<RS: Read + Seek>(read: &mut RS) -> Option<Directory> {
    let size = read.seek(SeekFrom::End(0)).ok()?;
    // The end record is 22 bytes plus a comment of at most 65,535.
    let tail_len = size.min(22 + 0xFFFF);
    read.seek(SeekFrom::Start(size - tail_len)).ok()?;
    let mut tail = vec![0u8; usize::try_from(tail_len).ok()?];
    read.read_exact(&mut tail).ok()?;
    let at = memchr::memmem::rfind(&tail, END_SIGNATURE)?;
    let end = tail.get(at..at + 22)?;
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([end[i], end[i + 1]]));
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes([
            end[i],
            end[i + 1],
            end[i + 2],
            end[i + 3],
        ]))
    };
    let mut directory = Directory {
        entries: u16_at(10),
        bytes: u32_at(12),
    };
    if directory.entries == 0xFFFF || directory.bytes == 0xFFFF_FFFF {
        if let Some(zip64) = zip64_directory(read, &tail, at, size - tail_len) {
            directory = zip64;
        }
    }
    Some(directory)
}

/// The ZIP64 end record's counts, found through the locator just before
/// the end record.
fn zip64_directory<RS: Read + Seek>(
    read: &mut RS,
    tail: &[u8],
    end_at: usize,
    tail_start: u64,
) -> Option<Directory> {
    let locator = tail.get(end_at.checked_sub(20)?..end_at)?;
    if &locator[..4] != ZIP64_LOCATOR_SIGNATURE {
        return None;
    }
    let offset = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    if offset >= tail_start + end_at as u64 {
        return None;
    }
    read.seek(SeekFrom::Start(offset)).ok()?;
    let mut record = [0u8; 56];
    read.read_exact(&mut record).ok()?;
    if &record[..4] != ZIP64_END_SIGNATURE {
        return None;
    }
    Some(Directory {
        entries: u64::from_le_bytes(record[32..40].try_into().ok()?),
        bytes: u64::from_le_bytes(record[40..48].try_into().ok()?),
    })
}

/// The longest tag name looked at; longer ones are none of those counted.
const NAME: usize = 16;

/// One part's XML, looked at a chunk at a time: the gap between two tags
/// (a text), the span of a cell (`c`) and a shared text (`si`), the cells
/// of a row, the texts of the workbook, and the count of texts the shared
/// texts declare (`sst uniqueCount`).
struct XmlScan<'s> {
    /// Bytes of the part passed.
    position: u64,
    /// Bytes since the last `<`.
    since_tag: u64,
    /// Collecting a tag's name: its bytes, and whether it closes.
    in_name: bool,
    name: [u8; NAME],
    name_len: usize,
    name_long: bool,
    closing: bool,
    /// Collecting the attributes of `<sst ...>`.
    sst: Option<Vec<u8>>,
    rows: u64,
    cells_in_row: u64,
    cell_from: Option<u64>,
    string_from: Option<u64>,
    strings: &'s mut u64,
}

impl<'s> XmlScan<'s> {
    fn new(strings: &'s mut u64) -> Self {
        Self {
            position: 0,
            since_tag: 0,
            in_name: false,
            name: [0; NAME],
            name_len: 0,
            name_long: false,
            closing: false,
            sst: None,
            rows: 0,
            cells_in_row: 0,
            cell_from: None,
            string_from: None,
            strings,
        }
    }

    fn scan(&mut self, bytes: &[u8], part: &str) -> Result<(), String> {
        let start = self.position;
        let mut i = 0;
        while i < bytes.len() {
            if self.in_name {
                let b = bytes[i];
                if b == b'/' && self.name_len == 0 && !self.name_long && !self.closing {
                    self.closing = true;
                    i += 1;
                    self.since_tag += 1;
                    continue;
                }
                if b.is_ascii_whitespace() || b == b'>' || b == b'/' {
                    self.in_name = false;
                    self.position = start + i as u64;
                    self.tag()?;
                    continue;
                }
                if self.name_len < NAME {
                    self.name[self.name_len] = b;
                    self.name_len += 1;
                } else {
                    self.name_long = true;
                }
                i += 1;
                self.since_tag += 1;
                continue;
            }
            if let Some(attributes) = &mut self.sst {
                let rest = &bytes[i..];
                let run = memchr::memchr(b'>', rest).map_or(rest.len(), |r| r + 1);
                attributes.extend_from_slice(&rest[..run]);
                i += run;
                self.since_tag += run as u64;
                if attributes.last() == Some(&b'>') {
                    let declared = declared_count(attributes);
                    self.sst = None;
                    if declared > MAX_SHARED_STRINGS {
                        return Err(too_many_shared_strings());
                    }
                }
                self.too_long(part)?;
                continue;
            }
            let rest = &bytes[i..];
            match memchr::memchr(b'<', rest) {
                None => {
                    self.since_tag += rest.len() as u64;
                    i = bytes.len();
                    self.position = start + i as u64;
                    self.too_long(part)?;
                }
                Some(run) => {
                    self.since_tag += run as u64;
                    i += run + 1;
                    self.position = start + i as u64;
                    self.too_long(part)?;
                    self.since_tag = 0;
                    self.in_name = true;
                    self.name_len = 0;
                    self.name_long = false;
                    self.closing = false;
                }
            }
        }
        self.position = start + bytes.len() as u64;
        Ok(())
    }

    /// A text, a cell or a shared text larger than a cell may be.
    fn too_long(&self, part: &str) -> Result<(), String> {
        let spans = [self.cell_from, self.string_from];
        let longest = spans
            .iter()
            .flatten()
            .map(|from| self.position.saturating_sub(*from))
            .fold(self.since_tag, u64::max);
        if longest > MAX_CELL_BYTES {
            return Err(da!(
                "en celle eller tekst i projektmappen (delen «{part}») er større end grænsen på \
                 {} (Excel rummer højst 32.767 tegn i en celle)",
                human_bytes(MAX_CELL_BYTES)
            ));
        }
        Ok(())
    }

    /// A tag's name is read: counts what it opens or closes.
    fn tag(&mut self) -> Result<(), String> {
        if self.name_long {
            return Ok(());
        }
        let name = &self.name[..self.name_len];
        let local = match memchr::memchr(b':', name) {
            Some(colon) => &name[colon + 1..],
            None => name,
        };
        match (self.closing, local) {
            (false, b"row") => {
                self.rows += 1;
                self.cells_in_row = 0;
                self.cell_from = None;
            }
            (false, b"c") => {
                self.cells_in_row += 1;
                if self.cells_in_row > MAX_COLUMNS as u64 {
                    return Err(too_many_cells_in_row(self.rows.max(1)));
                }
                self.cell_from = Some(self.position);
            }
            (true, b"c" | b"row") => self.cell_from = None,
            (false, b"si") => {
                *self.strings += 1;
                if *self.strings > MAX_SHARED_STRINGS {
                    return Err(too_many_shared_strings());
                }
                self.string_from = Some(self.position);
            }
            (true, b"si") => self.string_from = None,
            (false, b"sst") => self.sst = Some(Vec::new()),
            _ => {}
        }
        Ok(())
    }
}

/// The `uniqueCount` an `sst` tag's attributes declare (0 when none; a
/// number too large to hold counts as too many).
fn declared_count(attributes: &[u8]) -> u64 {
    let Some(at) = memchr::memmem::find(attributes, b"uniqueCount") else {
        return 0;
    };
    let digits = attributes[at..]
        .iter()
        .skip_while(|b| !b.is_ascii_digit())
        .take_while(|b| b.is_ascii_digit());
    digits.fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}
