//! Files built to exhaust a reader's memory, written a few bytes at a time
//! so that building them costs next to nothing: a workbook with millions
//! of cells in one row, a workbook with a shared text of a gigabyte, a CSV
//! file with one line of millions of columns.
//!
//! A workbook's big part is one deflate block with fixed codes: the
//! repeated piece written once, then back-references of 258 bytes to it
//! (15 bits for 258 bytes), as a hostile file packs it. Shared by the
//! ingest, command-line and web tests and by `examples/bombs.rs` (which
//! `bench/upload_bombs.sh` runs).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Write};

/// A sheet whose first row holds `cells` cells (`<c><v>1</v></c>`).
pub fn xlsx_wide_row(out: impl Write, cells: u64) -> io::Result<()> {
    let sheet = Part {
        head: sheet_head(),
        piece: b"<c><v>1</v></c>".to_vec(),
        times: cells,
        tail: b"</row></sheetData></worksheet>".to_vec(),
    };
    workbook(out, sheet, None)
}

/// A workbook whose one shared text is `bytes` letters long, used by the
/// sheet's one cell.
pub fn xlsx_long_string(out: impl Write, bytes: u64) -> io::Result<()> {
    strings_workbook(out, 1, (b"<si><t>", b"A", b"</t></si>"), bytes)
}

/// A workbook with `count` shared texts of one letter each, declaring
/// `declared` of them.
pub fn xlsx_many_strings(out: impl Write, count: u64, declared: u64) -> io::Result<()> {
    strings_workbook(out, declared, (b"", b"<si><t>A</t></si>", b""), count)
}

/// A workbook declaring `declared` shared texts, whose shared texts' part
/// is `open`, `piece` repeated `times`, `close`; its sheet's one cell
/// shows the first text.
fn strings_workbook(
    out: impl Write,
    declared: u64,
    (open, piece, close): (&[u8], &[u8], &[u8]),
    times: u64,
) -> io::Result<()> {
    let mut sheet = sheet_head();
    sheet.extend_from_slice(b"<c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>");
    let mut head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"{MAIN}\" \
         count=\"{declared}\" uniqueCount=\"{declared}\">"
    )
    .into_bytes();
    head.extend_from_slice(open);
    let mut tail = close.to_vec();
    tail.extend_from_slice(b"</sst>");
    let strings = Part {
        head,
        piece: piece.to_vec(),
        times,
        tail,
    };
    workbook(out, Part::plain(sheet), Some(strings))
}

/// A CSV file whose header line has `columns` columns (`a;a;...`).
pub fn csv_wide_line(mut out: impl Write, columns: u64) -> io::Result<()> {
    let chunk = b"a;".repeat(1 << 16);
    let mut left = columns.saturating_sub(1);
    while left > 0 {
        let n = left.min(1 << 16);
        out.write_all(&chunk[..2 * n as usize])?;
        left -= n;
    }
    out.write_all(b"a\r\n1\r\n")
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

fn sheet_head() -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet \
         xmlns=\"{MAIN}\"><sheetData><row r=\"1\">"
    )
    .into_bytes()
}

/// A part's XML: `head`, `piece` repeated `times`, `tail`.
struct Part {
    head: Vec<u8>,
    piece: Vec<u8>,
    times: u64,
    tail: Vec<u8>,
}

impl Part {
    fn plain(xml: Vec<u8>) -> Self {
        Self {
            head: xml,
            piece: Vec::new(),
            times: 0,
            tail: Vec::new(),
        }
    }

    fn len(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64 + self.piece.len() as u64 * self.times
    }

    fn crc(&self) -> u32 {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&self.head);
        if !self.piece.is_empty() {
            let per_chunk = ((1 << 20) / self.piece.len()) as u64;
            let chunk = self.piece.repeat(per_chunk as usize);
            let mut left = self.times;
            while left > 0 {
                let n = left.min(per_chunk);
                hasher.update(&chunk[..n as usize * self.piece.len()]);
                left -= n;
            }
        }
        hasher.update(&self.tail);
        hasher.finalize()
    }

    /// The part as one final deflate block with fixed codes.
    fn deflate(&self) -> Vec<u8> {
        let mut bits = Bits::default();
        bits.put(1, 1); // final block
        bits.put(1, 2); // fixed codes
        for &b in &self.head {
            bits.literal(b);
        }
        if self.times > 0 {
            for &b in &self.piece {
                bits.literal(b);
            }
            let distance = self.piece.len() as u32;
            let mut left = (self.times - 1) * u64::from(distance);
            while left > 258 {
                bits.copy(258, distance);
                left -= 258;
            }
            if left >= 3 {
                bits.copy(left as u32, distance);
            } else {
                // Too short to copy: the piece's next bytes as they are.
                let done = self.len() - self.tail.len() as u64 - left - self.head.len() as u64;
                for i in 0..left {
                    let at = ((done + i) % self.piece.len() as u64) as usize;
                    bits.literal(self.piece[at]);
                }
            }
        }
        for &b in &self.tail {
            bits.literal(b);
        }
        bits.symbol(256);
        bits.finish()
    }
}

/// Bits written least significant first, as deflate packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code: most significant bit first.
    fn code(&mut self, code: u32, count: u32) {
        self.put(code.reverse_bits() >> (32 - count), count);
    }

    fn symbol(&mut self, symbol: u32) {
        match symbol {
            0..=143 => self.code(0x30 + symbol, 8),
            144..=255 => self.code(0x190 + symbol - 144, 9),
            256..=279 => self.code(symbol - 256, 7),
            _ => self.code(0xC0 + symbol - 280, 8),
        }
    }

    fn literal(&mut self, byte: u8) {
        self.symbol(u32::from(byte));
    }

    fn copy(&mut self, length: u32, distance: u32) {
        const LENGTHS: [u32; 29] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258,
        ];
        const LENGTH_EXTRA: [u32; 29] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ];
        const DISTANCES: [u32; 30] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ];
        const DISTANCE_EXTRA: [u32; 30] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
            12, 13, 13,
        ];
        let l = LENGTHS.iter().rposition(|&b| b <= length).unwrap();
        self.symbol(257 + l as u32);
        self.put(length - LENGTHS[l], LENGTH_EXTRA[l]);
        let d = DISTANCES.iter().rposition(|&b| b <= distance).unwrap();
        self.code(d as u32, 5);
        self.put(distance - DISTANCES[d], DISTANCE_EXTRA[d]);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A workbook of the given sheet (and shared texts), its small parts stored.
fn workbook(mut out: impl Write, sheet: Part, strings: Option<Part>) -> io::Result<()> {
    let mut parts: Vec<(&str, Part)> = vec![
        (
            "[Content_Types].xml",
            Part::plain(
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types \
                     xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                     <Default Extension=\"rels\" \
                     ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                     <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                     <Override PartName=\"/xl/workbook.xml\" \
                     ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                     <Override PartName=\"/xl/worksheets/sheet1.xml\" \
                     ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
                     {}</Types>",
                    if strings.is_some() {
                        "<Override PartName=\"/xl/sharedStrings.xml\" \
                         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
                    } else {
                        ""
                    }
                )
                .into_bytes(),
            ),
        ),
        (
            "_rels/.rels",
            Part::plain(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships \
                  xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                  <Relationship Id=\"rId1\" \
                  Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
                  Target=\"xl/workbook.xml\"/></Relationships>"
                    .to_vec(),
            ),
        ),
        (
            "xl/workbook.xml",
            Part::plain(
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook \
                     xmlns=\"{MAIN}\" \
                     xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
                     <sheets><sheet name=\"Ark1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
                )
                .into_bytes(),
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            Part::plain(
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships \
                     xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                     <Relationship Id=\"rId1\" \
                     Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" \
                     Target=\"worksheets/sheet1.xml\"/>{}</Relationships>",
                    if strings.is_some() {
                        "<Relationship Id=\"rId2\" \
                         Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" \
                         Target=\"sharedStrings.xml\"/>"
                    } else {
                        ""
                    }
                )
                .into_bytes(),
            ),
        ),
    ];
    if let Some(strings) = strings {
        parts.push(("xl/sharedStrings.xml", strings));
    }
    parts.push(("xl/worksheets/sheet1.xml", sheet));

    let mut offset = 0u64;
    let mut directory = Vec::new();
    for (name, part) in &parts {
        let (method, data) = if part.times == 0 {
            (0u16, part.head.clone())
        } else {
            (8u16, part.deflate())
        };
        let (crc, size) = (part.crc(), u32::try_from(part.len()).unwrap());
        let packed = u32::try_from(data.len()).unwrap();
        let mut local = Vec::new();
        local.extend_from_slice(b"PK\x03\x04");
        header(&mut local, method, crc, packed, size, name);
        local.extend_from_slice(&0u16.to_le_bytes()); // extra field
        local.extend_from_slice(name.as_bytes());
        out.write_all(&local)?;
        out.write_all(&data)?;

        directory.extend_from_slice(b"PK\x01\x02");
        directory.extend_from_slice(&20u16.to_le_bytes()); // made by
        header(&mut directory, method, crc, packed, size, name);
        for _ in 0..4 {
            directory.extend_from_slice(&0u16.to_le_bytes()); // extra, comment, disk, internal
        }
        directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        directory.extend_from_slice(&u32::try_from(offset).unwrap().to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
        offset += (local.len() + data.len()) as u64;
    }
    out.write_all(&directory)?;
    let mut end = Vec::new();
    end.extend_from_slice(b"PK\x05\x06");
    end.extend_from_slice(&[0; 4]); // disks
    let count = u16::try_from(parts.len()).unwrap();
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&u32::try_from(directory.len()).unwrap().to_le_bytes());
    end.extend_from_slice(&u32::try_from(offset).unwrap().to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    out.write_all(&end)?;
    out.flush()
}

/// The fields a local header and a directory entry share, from "version
/// needed" to the name's length.
fn header(out: &mut Vec<u8>, method: u16, crc: u32, packed: u32, size: u32, name: &str) {
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&method.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // time
    out.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&packed.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
}
