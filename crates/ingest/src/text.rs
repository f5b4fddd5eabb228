//! Text files as users have them: encoding and separator found, not asked.
//!
//! Owns turning a byte stream into UTF-8 and a `csv` reader over it:
//! - encoding: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and
//!   otherwise Windows-1252 when the bytes are not UTF-8. Without a BOM the
//!   choice is made at the first non-ASCII character (everything before it
//!   reads the same in both), so the file is never read twice nor held in
//!   memory: a multi-GB file is decoded at constant memory. UTF-8 passes
//!   through without copying; a stray invalid byte later in a UTF-8 file is
//!   left for the cell that holds it to report.
//! - separator: `;`, `,` or tab, whichever occurs most often outside quotes
//!   in the first line (ties: `;`, then tab, then `,`); the reader's default
//!   when none occurs. Excel's `sep=;` first line names it instead, and is
//!   dropped (Excel does not show it as a row either).
//!
//! Must not interpret cells: that is each file format's reader.

use crate::limits::{is_size_limit, refusal_of, ByteLimit, Limits};
use crate::{IngestError, Problem, ProblemKind};
use encoding_rs::{Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};
use komhen_domain::{da, dl};
use std::io::{self, Cursor, Read};

const CHUNK: usize = 64 * 1024;
/// A header line longer than this is not searched further for separators.
const MAX_HEADER_SCAN: usize = 1 << 20;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// Only ASCII so far: UTF-8 and Windows-1252 read it the same.
    Ascii,
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ascii => "ASCII",
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => dl!("UTF-8 med BOM"),
            Self::Utf16Le => "UTF-16 LE",
            Self::Utf16Be => "UTF-16 BE",
            Self::Windows1252 => "Windows-1252",
        }
    }
}

enum State {
    /// No BOM, only ASCII seen so far.
    Undecided,
    /// Bytes pass through.
    Utf8,
    /// Bytes are decoded into `decoded`.
    Transcode(Decoder),
}

/// A `Read` of any supported encoding that yields UTF-8.
pub struct TextDecoder<R> {
    inner: R,
    state: State,
    encoding: TextEncoding,
    /// Bytes read from `inner` and not yet delivered or decoded.
    input: Vec<u8>,
    input_pos: usize,
    /// Decoded UTF-8 not yet delivered.
    decoded: Vec<u8>,
    decoded_pos: usize,
    eof: bool,
    started: bool,
    flushed: bool,
}

impl<R: Read> TextDecoder<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            state: State::Undecided,
            encoding: TextEncoding::Ascii,
            input: Vec::new(),
            input_pos: 0,
            decoded: Vec::new(),
            decoded_pos: 0,
            eof: false,
            started: false,
            flushed: false,
        }
    }

    /// The encoding found so far ([`TextEncoding::Ascii`] until a non-ASCII
    /// character or a BOM has been seen).
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Reads more input, keeping what is not yet used. Returns false at EOF.
    fn refill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.input_pos > 0 {
            self.input.drain(..self.input_pos);
            self.input_pos = 0;
        }
        let start = self.input.len();
        self.input.resize(start + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.input[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.input.truncate(start);
                    return Err(e);
                }
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    fn available(&self) -> &[u8] {
        &self.input[self.input_pos..]
    }

    /// Looks for a BOM in the first bytes.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        while self.available().len() < 3 && self.refill()? {}
        let head = self.available();
        let (skip, state, encoding) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            (3, State::Utf8, TextEncoding::Utf8Bom)
        } else if head.starts_with(&[0xFF, 0xFE]) {
            (
                2,
                State::Transcode(UTF_16LE.new_decoder_without_bom_handling()),
                TextEncoding::Utf16Le,
            )
        } else if head.starts_with(&[0xFE, 0xFF]) {
            (
                2,
                State::Transcode(UTF_16BE.new_decoder_without_bom_handling()),
                TextEncoding::Utf16Be,
            )
        } else {
            (0, State::Undecided, TextEncoding::Ascii)
        };
        self.input_pos += skip;
        self.state = state;
        self.encoding = encoding;
        Ok(())
    }

    /// Decides at the first non-ASCII byte, which is at `input_pos`.
    fn decide(&mut self) -> io::Result<()> {
        loop {
            let probe = &self.available()[..self.available().len().min(4)];
            let utf8 = match std::str::from_utf8(probe) {
                Ok(_) => Some(true),
                Err(e) if e.valid_up_to() > 0 => Some(true),
                Err(e) if e.error_len().is_some() => Some(false),
                // A sequence cut short: read on, unless there is no more.
                Err(_) if probe.len() >= 4 || self.eof => Some(false),
                Err(_) => None,
            };
            match utf8 {
                Some(true) => {
                    self.state = State::Utf8;
                    self.encoding = TextEncoding::Utf8;
                    return Ok(());
                }
                Some(false) => {
                    self.state = State::Transcode(WINDOWS_1252.new_decoder_without_bom_handling());
                    self.encoding = TextEncoding::Windows1252;
                    return Ok(());
                }
                None => {
                    self.refill()?;
                }
            }
        }
    }

    fn copy_input(&mut self, out: &mut [u8], limit: usize) -> usize {
        let n = limit.min(out.len());
        out[..n].copy_from_slice(&self.input[self.input_pos..self.input_pos + n]);
        self.input_pos += n;
        n
    }
}

impl<R: Read> Read for TextDecoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if !self.started {
            self.start()?;
        }
        loop {
            match &mut self.state {
                State::Undecided => {
                    if self.available().is_empty() && !self.refill()? {
                        return Ok(0);
                    }
                    let available = self.available();
                    match available.iter().position(|b| !b.is_ascii()) {
                        None => {
                            let n = available.len();
                            return Ok(self.copy_input(out, n));
                        }
                        Some(0) => self.decide()?,
                        Some(i) => return Ok(self.copy_input(out, i)),
                    }
                }
                State::Utf8 => {
                    if !self.available().is_empty() {
                        let n = self.available().len();
                        return Ok(self.copy_input(out, n));
                    }
                    return self.inner.read(out);
                }
                State::Transcode(decoder) => {
                    if self.decoded_pos < self.decoded.len() {
                        let n = (self.decoded.len() - self.decoded_pos).min(out.len());
                        out[..n]
                            .copy_from_slice(&self.decoded[self.decoded_pos..self.decoded_pos + n]);
                        self.decoded_pos += n;
                        return Ok(n);
                    }
                    if self.input_pos == self.input.len() && self.eof {
                        if self.flushed {
                            return Ok(0);
                        }
                        // A trailing half character becomes a replacement.
                        self.flushed = true;
                        self.decoded.resize(16, 0);
                        let (_, _, written, _) =
                            decoder.decode_to_utf8(&[], &mut self.decoded, true);
                        self.decoded.truncate(written);
                        self.decoded_pos = 0;
                        continue;
                    }
                    if self.input_pos == self.input.len() {
                        self.refill()?;
                        continue;
                    }
                    let src = &self.input[self.input_pos..];
                    // Three UTF-8 bytes per input byte is the most either decoder writes.
                    self.decoded.resize(src.len() * 3 + 16, 0);
                    let (_, read, written, _) =
                        decoder.decode_to_utf8(src, &mut self.decoded, false);
                    self.input_pos += read;
                    self.decoded.truncate(written);
                    self.decoded_pos = 0;
                }
            }
        }
    }
}

/// The reader `csv` gets: the peeked first line, then the rest.
pub(crate) type TextStream<R> = io::Chain<Cursor<Vec<u8>>, TextDecoder<ByteLimit<R>>>;

/// A decoded text file and the separator found in its first line.
pub(crate) struct CsvSource<R> {
    pub(crate) stream: TextStream<R>,
    pub(crate) delimiter: u8,
}

/// Opens a delimited text file: size limit, encoding, separator.
pub(crate) fn open_csv<R: Read>(
    file: &str,
    read: R,
    limits: &Limits,
    default_delimiter: u8,
) -> Result<CsvSource<R>, IngestError> {
    let mut decoder = TextDecoder::new(ByteLimit::new(read, limits.max_bytes));
    let mut peeked = peek_first_line(&mut decoder)
        .map_err(|e| IngestError::one(file, io_problem(1, &e, limits)))?;
    let delimiter = match separator_hint(&peeked) {
        Some((delimiter, hint_end)) => {
            peeked.drain(..hint_end);
            delimiter
        }
        None => detect_delimiter(&peeked).unwrap_or(default_delimiter),
    };
    Ok(CsvSource {
        stream: Cursor::new(peeked).chain(decoder),
        delimiter,
    })
}

/// Excel's `sep=;` first line: the separator and where the line ends.
fn separator_hint(peeked: &[u8]) -> Option<(u8, usize)> {
    let end = memchr::memchr(b'\n', peeked).map_or(peeked.len(), |i| i + 1);
    let line = peeked[..end].trim_ascii_end();
    (line.len() == 5 && line[..4].eq_ignore_ascii_case(b"sep=")).then(|| (line[4], end))
}

/// Reads decoded text up to and including the first line end outside quotes.
fn peek_first_line<R: Read>(decoder: &mut TextDecoder<R>) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let mut chunk = vec![0u8; 4096];
    let mut in_quotes = false;
    let mut scanned = 0;
    loop {
        let n = decoder.read(&mut chunk)?;
        if n == 0 {
            return Ok(line);
        }
        line.extend_from_slice(&chunk[..n]);
        for &b in &line[scanned..] {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes => return Ok(line),
                _ => {}
            }
        }
        scanned = line.len();
        if scanned > MAX_HEADER_SCAN {
            return Ok(line);
        }
    }
}

/// The separator of a header line: the most frequent of `;`, tab and `,`
/// outside quotes, in that order on a tie; None when there is none.
pub fn detect_delimiter(line: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b';' if !in_quotes => counts[0] += 1,
            b'\t' if !in_quotes => counts[1] += 1,
            b',' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let mut best: Option<(usize, u8)> = None;
    for (count, delimiter) in counts.into_iter().zip(candidates) {
        if count > 0 && best.is_none_or(|(c, _)| count > c) {
            best = Some((count, delimiter));
        }
    }
    best.map(|(_, d)| d)
}

/// An I/O error met while reading, as the problem the user sees.
pub(crate) fn io_problem(line: u64, error: &io::Error, limits: &Limits) -> Problem {
    if is_size_limit(error) {
        Problem::line(line, ProblemKind::Limit, limits.too_large_message())
    } else if let Some(refusal) = refusal_of(error) {
        Problem::line(line, ProblemKind::Limit, refusal)
    } else {
        Problem::line(
            line,
            ProblemKind::Unreadable,
            da!("filen kunne ikke læses færdig: {error}"),
        )
    }
}

/// Decodes a whole byte slice (for small files and tests).
pub fn decode_all(bytes: &[u8]) -> io::Result<(String, TextEncoding)> {
    let mut decoder = TextDecoder::new(bytes);
    let mut out = Vec::new();
    decoder.read_to_end(&mut out)?;
    let encoding = decoder.encoding();
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((text, encoding))
}

/// A text cell as a spreadsheet must see it: one that would start a
/// formula (`=`, `+`, `-`, `@`, or a tab or carriage return before one) gets
/// a leading apostrophe, so Excel shows it as text and never runs it. So
/// that [`unneutralise`] can always undo it, text that only looks like
/// that after its leading apostrophes (`'=x`) gets one too.
/// Readers of komhen's own files take the apostrophe off again, so a value
/// survives a download and an upload unchanged.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(text.trim_start_matches('\'')) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The value [`neutralise`] protected: `'=x` reads as `=x`, `''=x` as
/// `'=x`; any other text is itself.
pub fn unneutralise(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest.trim_start_matches('\'')) => rest,
        _ => text,
    }
}

fn starts_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call, to cross
    /// every buffer boundary.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn decode_trickled(bytes: &[u8], step: usize) -> (String, TextEncoding) {
        let mut decoder = TextDecoder::new(Trickle { bytes, step });
        let mut out = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            let n = decoder.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (String::from_utf8(out).unwrap(), decoder.encoding())
    }

    #[test]
    fn utf8_with_and_without_bom_reads_the_same() {
        let text = "Kommune;Enhed\n259;Køge\n";
        assert_eq!(
            decode_all(text.as_bytes()).unwrap(),
            (text.to_owned(), TextEncoding::Utf8)
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(
            decode_all(&bom).unwrap(),
            (text.to_owned(), TextEncoding::Utf8Bom)
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded_in_both_byte_orders() {
        let text = "Besøg,Sidevisninger\n2,3\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(
            decode_all(&le).unwrap(),
            (text.to_owned(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_trickled(&be, 1),
            (text.to_owned(), TextEncoding::Utf16Be)
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_read_as_windows_1252() {
        // "Køge;Ærø" in Windows-1252.
        let bytes = b"K\xf8ge;\xc6r\xf8\r\n";
        assert_eq!(
            decode_all(bytes).unwrap(),
            ("Køge;Ærø\r\n".to_owned(), TextEncoding::Windows1252)
        );
        assert_eq!(
            decode_trickled(bytes, 1),
            ("Køge;Ærø\r\n".to_owned(), TextEncoding::Windows1252)
        );
    }

    #[test]
    fn a_utf8_character_split_across_reads_is_still_utf8() {
        let text = "abc;æøå\n";
        for step in 1..6 {
            assert_eq!(
                decode_trickled(text.as_bytes(), step),
                (text.to_owned(), TextEncoding::Utf8),
                "step {step}"
            );
        }
    }

    #[test]
    fn a_windows_1252_byte_at_the_very_end_is_decoded() {
        assert_eq!(decode_all(b"K\xf8").unwrap().0, "Kø");
    }

    #[test]
    fn separator_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,2;3"), Some(b';'));
        assert_eq!(detect_delimiter(b"a,b,c"), Some(b','));
        assert_eq!(detect_delimiter(b"a\tb\tc"), Some(b'\t'));
        assert_eq!(detect_delimiter(b"\"a;b;c;d\",e,f"), Some(b','));
        assert_eq!(detect_delimiter(b"a;b,c"), Some(b';'), "a tie goes to ;");
        assert_eq!(detect_delimiter(b"Kommune"), None);
    }
}
