//! Property tests: no reader panics on any bytes, and rows written in a
//! format read back equal; for the joint hotline's readers also that every
//! line is accounted for, the queue log's summary adds up and the limits
//! end an endless file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::hotline::{Call, CallOutcome};
use komhen_domain::{
    danish_instant, danish_local, ChannelCode, Completion, InquiryType, KleNumber, MunicipalityCode,
};
use komhen_ingest::asterisk::{CallRecord, CdrReader, Disposition};
use komhen_ingest::calls::{CallRow, CallsReader};
use komhen_ingest::central::CentralReader;
use komhen_ingest::codebook::{codebook_xlsx, CodebookCsvWriter, CodebookWorkbook};
use komhen_ingest::landkort::{LandkortReader, LandkortRow, LandkortSource};
use komhen_ingest::matomo::{MatomoPagesReader, MatomoVisitsReader, PageVisits};
use komhen_ingest::queue_log::{
    QueueLogCall, QueueLogReader, QueueLogSummary, MAX_NAME_BYTES, MAX_UNKNOWN_EVENT_NAMES,
};
use komhen_ingest::text::{decode_all, detect_delimiter};
use komhen_ingest::{CodebookReader, CodebookRow, Limits, Problem, ProblemKind, ProblemSummary};
use proptest::prelude::*;
use std::collections::{BTreeSet, VecDeque};
use std::io::{Cursor, Read};

// --- generators -------------------------------------------------------------

fn municipality() -> impl Strategy<Value = MunicipalityCode> {
    (101u16..=999).prop_map(|n| MunicipalityCode::new(n).unwrap())
}

fn task() -> impl Strategy<Value = KleNumber> {
    prop::collection::vec(0u8..100, 1..=3).prop_map(|parts| {
        let text: Vec<String> = parts.iter().map(|p| format!("{p:02}")).collect();
        KleNumber::parse(&text.join(".")).unwrap()
    })
}

fn channel() -> impl Strategy<Value = ChannelCode> {
    "[A-Z]{2,12}".prop_map(|c| ChannelCode::parse(&c).unwrap())
}

/// An instant that a Danish wall-clock time names (the first, in autumn).
fn danish_time() -> impl Strategy<Value = DateTime<Utc>> {
    (
        2000i32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_filter_map("the spring gap has no instant", |(y, mo, d, h, mi, s)| {
            let day = NaiveDate::from_ymd_opt(y, mo, d)?;
            danish_instant(day, h, mi).map(|at| at + chrono::Duration::seconds(s.into()))
        })
}

/// Text a cell keeps as it is: no surrounding spaces, not `NULL`.
fn cell_text(pattern: &'static str) -> impl Strategy<Value = String> {
    pattern.prop_filter("kept as is", |s: &String| {
        s.trim_ascii() == s && !s.is_empty() && !s.eq_ignore_ascii_case("NULL")
    })
}

fn codebook_row(extras: usize, printable: bool) -> impl Strategy<Value = CodebookRow> {
    let extra_text = if printable {
        "[a-zA-ZæøåÆØÅ0-9 ,;\"'.:-]{0,12}"
    } else {
        "[^\u{0}]{0,12}"
    };
    (
        (
            municipality(),
            prop::option::of(cell_text("[a-z0-9æøå]{1,12}")),
            task(),
            channel(),
        ),
        (
            prop::option::of(prop::sample::select(InquiryType::ALL.to_vec())),
            prop::option::of(prop::sample::select(Completion::ALL.to_vec())),
            prop::option::of(any::<bool>()),
        ),
        danish_time(),
        1i64..=100_000_000,
        prop::option::of(0i64..=86_400_000),
        prop::collection::vec(
            extra_text.prop_map(|s: String| s.trim_ascii().to_owned()),
            extras,
        ),
    )
        .prop_map(
            |(
                (municipality, unit_login, task, channel),
                (inquiry_type, completion, has_form),
                registered_at,
                quantity,
                duration_ms,
                extra,
            )| CodebookRow {
                line: 0,
                municipality,
                unit_login,
                task,
                channel,
                channel_written: None,
                inquiry_type,
                completion,
                has_form,
                registered_at,
                quantity,
                duration_ms,
                extra,
            },
        )
}

fn numbered<T>(rows: &mut [T], first_line: u64, set: impl Fn(&mut T, u64)) {
    for (i, row) in rows.iter_mut().enumerate() {
        set(row, first_line + i as u64);
    }
}

/// Runs a reader to its end (bounded), which must not panic.
fn drain<T>(rows: impl Iterator<Item = Result<T, Vec<Problem>>>) {
    for row in rows.take(10_000) {
        if let Err(problems) = row {
            assert!(problems.iter().all(|p| !p.message.is_empty()));
        }
    }
}

// --- no panics --------------------------------------------------------------

const CODEBOOK_HEADER: &[u8] =
    b"Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal;Varighed;X\n";
const LANDKORT_HEADER: &[u8] = b"Kommune;ID;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;StartTidspunkt;SlutTidspunkt;Datakilde;Q;\n";
const CALLS_HEADER: &[u8] = "opkald;kø;ankomst;besvaret;slut;udfald;medarbejder\n".as_bytes();

proptest! {
    #[test]
    fn no_reader_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let _ = decode_all(&bytes);
        if let Ok(reader) = CodebookReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = LandkortReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = MatomoPagesReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = MatomoVisitsReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = CdrReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = CentralReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = CallsReader::new(&bytes[..]) { drain(reader) }
        if let Ok(reader) = QueueLogReader::new(&bytes[..]) {
            let (items, summary) = read_queue_log(reader);
            check_queue_log(&items, &summary)?;
        }
        if let Ok(mut book) = CodebookWorkbook::open(Cursor::new(bytes.clone()), Limits::default()) {
            if let Ok(rows) = book.rows() { drain(rows) }
        }
    }

    #[test]
    fn no_reader_panics_on_arbitrary_rows_under_a_valid_header(
        cells in prop::collection::vec(
            prop::collection::vec("[0-9A-Za-z .:;,\"\r\n-]{0,20}", 0..14), 0..20)
    ) {
        let body: String = cells.iter().map(|row| row.join(";") + "\n").collect();
        for header in [CODEBOOK_HEADER, LANDKORT_HEADER] {
            let mut bytes = header.to_vec();
            bytes.extend_from_slice(body.as_bytes());
            drain(CodebookReader::new(&bytes[..]).unwrap());
            if let Ok(reader) = LandkortReader::new(&bytes[..]) { drain(reader) }
        }
        let cdr = body.replace(';', ",");
        if let Ok(reader) = CdrReader::new(cdr.as_bytes()) { drain(reader) }
        let mut matomo = b"date,label,nb_visits,nb_hits\n".to_vec();
        matomo.extend_from_slice(cdr.as_bytes());
        drain(MatomoPagesReader::new(&matomo[..]).unwrap());
        let mut central = b"Kommune;Opgave;Dato;Antal\n".to_vec();
        central.extend_from_slice(body.as_bytes());
        drain(CentralReader::new(&central[..]).unwrap());
        let mut calls = CALLS_HEADER.to_vec();
        calls.extend_from_slice(body.as_bytes());
        drain(CallsReader::new(&calls[..]).unwrap());
        let queue_log = body.replace(';', "|");
        if let Ok(reader) = QueueLogReader::new(queue_log.as_bytes()) {
            let (items, summary) = read_queue_log(reader);
            check_queue_log(&items, &summary)?;
        }
    }

    #[test]
    fn a_truncated_workbook_never_panics(cut in 0usize..4_000) {
        let mut bytes = komhen_ingest::codebook::template_xlsx().unwrap();
        bytes.truncate(cut.min(bytes.len()));
        if let Ok(mut book) = CodebookWorkbook::open(Cursor::new(bytes), Limits::default()) {
            if let Ok(rows) = book.rows() { drain(rows) }
        }
    }
}

// --- text -------------------------------------------------------------------

proptest! {
    #[test]
    fn any_text_reads_back_from_utf8_and_utf16(text in "\\PC{0,200}") {
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        // Without a BOM, a text starting with U+FEFF would lose it; Matomo and Excel write one.
        if !text.starts_with('\u{feff}') {
            prop_assert_eq!(decode_all(text.as_bytes()).unwrap().0, text.clone());
        }
        prop_assert_eq!(decode_all(&bom).unwrap().0, text.clone());
        prop_assert_eq!(decode_all(&le).unwrap().0, text.clone());
        prop_assert_eq!(decode_all(&be).unwrap().0, text);
    }

    #[test]
    fn danish_text_reads_back_from_windows_1252(text in "[a-zA-Z0-9 ;,\r\næøåÆØÅé]{0,200}") {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        prop_assert!(!unmappable);
        prop_assert_eq!(decode_all(&bytes).unwrap().0, text);
    }

    #[test]
    fn the_separator_of_a_header_is_found(
        cells in prop::collection::vec("[A-Za-zæøå ]{1,10}", 2..10),
        separator in prop::sample::select(vec![b';', b',', b'\t']),
    ) {
        let line = cells.join(&(separator as char).to_string());
        prop_assert_eq!(detect_delimiter(line.as_bytes()), Some(separator));
    }

    #[test]
    fn a_summary_counts_every_problem_and_keeps_at_most_its_limit(
        rows in prop::collection::vec(
            prop::collection::vec((0usize..3, 0usize..3), 0..4), 0..200),
        keep in 0usize..50,
    ) {
        let kinds = [ProblemKind::Empty, ProblemKind::Invalid, ProblemKind::Conflict];
        let columns = ["Kanal", "Dato", "Opgave"];
        let mut summary = ProblemSummary::new(keep);
        let mut total = 0u64;
        let mut bad = 0u64;
        for (i, row) in rows.iter().enumerate() {
            total += row.len() as u64;
            bad += u64::from(!row.is_empty());
            summary.add_row(row.iter().map(|&(c, k)| Problem::cell(i as u64 + 2, columns[c], kinds[k], "x")).collect());
        }
        prop_assert_eq!(summary.total(), total);
        prop_assert_eq!(summary.bad_rows(), bad);
        prop_assert_eq!(summary.kept().len() as u64, total.min(keep as u64));
        prop_assert_eq!(summary.groups().iter().map(|g| g.count).sum::<u64>(), total);
        prop_assert!(summary.groups().iter().all(|g| g.first_lines.len() <= 5));
    }
}

// --- round trips ------------------------------------------------------------

proptest! {
    #[test]
    fn neutralised_text_never_starts_a_formula_and_reads_back(text in "['=+@ a-z-]{0,8}|[^\u{0}]{0,12}") {
        let safe = komhen_ingest::text::neutralise(&text);
        prop_assert!(!safe.starts_with(['=', '+', '-', '@', '\t', '\r']));
        prop_assert_eq!(komhen_ingest::text::unneutralise(&safe), text.as_str());
    }
}

fn extra_headers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Spørgsmål {i}")).collect()
}

proptest! {
    #[test]
    fn codebook_rows_written_as_csv_read_back_equal(
        (extras, mut rows) in (0usize..3).prop_flat_map(|n| (Just(n), prop::collection::vec(codebook_row(n, false), 1..30)))
    ) {
        numbered(&mut rows, 2, |r, l| r.line = l);
        let headers = extra_headers(extras);
        let mut writer = CodebookCsvWriter::new(Vec::new(), &headers).unwrap();
        for row in &rows {
            writer.write_row(row).unwrap();
        }
        let bytes = writer.finish().unwrap();
        let reader = CodebookReader::new(&bytes[..]).unwrap();
        prop_assert_eq!(reader.extra_headers(), &headers[..]);
        let again: Vec<CodebookRow> = reader.map(|r| r.unwrap()).collect();
        prop_assert_eq!(again, rows);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn codebook_rows_written_as_xlsx_read_back_equal(
        (extras, mut rows) in (0usize..3).prop_flat_map(|n| (Just(n), prop::collection::vec(codebook_row(n, true), 1..20)))
    ) {
        numbered(&mut rows, 2, |r, l| r.line = l);
        let headers = extra_headers(extras);
        let bytes = codebook_xlsx(&rows, &headers).unwrap();
        let mut book = CodebookWorkbook::open(Cursor::new(bytes), Limits::default()).unwrap();
        let again: Vec<CodebookRow> = book.rows().unwrap().map(|r| r.unwrap()).collect();
        prop_assert_eq!(again, rows);
    }
}

fn landkort_row() -> impl Strategy<Value = LandkortRow> {
    (
        (
            cell_text("[A-ZÆØÅ][a-zæøå]{2,12}"),
            municipality(),
            prop::option::of(cell_text("[0-9]{3}[a-z]{2,6}")),
            task(),
            channel(),
        ),
        (
            prop::option::of(prop::sample::select(InquiryType::ALL.to_vec())),
            prop::option::of(prop::sample::select(Completion::ALL.to_vec())),
            prop::option::of(any::<bool>()),
        ),
        danish_time(),
        prop::option::of(0i64..3_600),
        cell_text("[a-zæøå 0-9]{1,10}"),
    )
        .prop_map(
            |(
                (name, municipality, unit_login, task, channel),
                (inquiry_type, completion, has_form),
                at,
                seconds,
                answer,
            )| {
                // Whole seconds: the extract writes no fractions.
                LandkortRow {
                    line: 0,
                    municipality_name: name,
                    municipality,
                    unit_login,
                    task,
                    channel,
                    inquiry_type,
                    completion,
                    has_form,
                    registered_at: at,
                    duration_ms: seconds.map(|s| s * 1000),
                    data_source: if seconds.is_some() {
                        LandkortSource::Tracetool
                    } else {
                        LandkortSource::DetDigitaleLandkort
                    },
                    extra: vec![answer],
                }
            },
        )
}

/// A Landkort line as the portal writes it.
fn landkort_line(row: &LandkortRow) -> String {
    let local = danish_local(row.registered_at);
    let stamp = |t: chrono::NaiveDateTime| t.format("%d-%m-%Y %H:%M:%S").to_string();
    let (start, end) = match row.duration_ms {
        Some(ms) => (
            stamp(local),
            stamp(local + chrono::Duration::milliseconds(ms)),
        ),
        None => {
            let midnight = local.date().and_hms_opt(0, 0, 0).unwrap();
            (stamp(midnight), stamp(midnight))
        }
    };
    let code = |c: Option<&'static str>| c.unwrap_or("NULL");
    format!(
        "{};{};{};{};{};{};{};{};{};{};{};{};{};\r\n",
        row.municipality_name,
        row.municipality,
        row.unit_login.as_deref().unwrap_or(""),
        row.task,
        row.channel,
        code(row.inquiry_type.map(|t| t.code())),
        code(row.completion.map(|c| c.code())),
        code(row.has_form.map(|f| if f { "JA" } else { "NEJ" })),
        stamp(local),
        start,
        end,
        row.data_source.code(),
        row.extra[0],
    )
}

proptest! {
    #[test]
    fn landkort_rows_written_as_the_portal_does_read_back_equal(mut rows in prop::collection::vec(landkort_row(), 1..30)) {
        numbered(&mut rows, 2, |r, l| r.line = l);
        let mut text = String::from_utf8(LANDKORT_HEADER.to_vec()).unwrap().replace('\n', "\r\n");
        rows.iter().for_each(|r| text.push_str(&landkort_line(r)));
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let again: Vec<LandkortRow> = LandkortReader::new(&bytes[..]).unwrap().map(|r| r.unwrap()).collect();
        prop_assert_eq!(again, rows);
    }

    #[test]
    fn matomo_page_rows_read_back_equal(
        mut rows in prop::collection::vec(
            (cell_text("[/a-zæøå0-9 ,\"-]{1,30}"), prop::option::of(cell_text("https://[a-z.]{3,10}/[a-z/]{0,10}")), 0i64..1_000_000, prop::option::of(0i64..1_000_000), prop::option::of(0i64..3_000))
                .prop_map(|(label, url, visits, hits, day)| PageVisits {
                    line: 0,
                    date: day.map(|d| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(d)),
                    date_to: None,
                    label, url, visits, hits,
                }),
            1..30),
        utf16 in any::<bool>(),
    ) {
        // One export has a date on every row or on none, and hits in every row or none.
        let dated = rows[0].date.is_some();
        let with_hits = rows[0].hits.is_some();
        for row in &mut rows {
            if dated != row.date.is_some() { row.date = if dated { NaiveDate::from_ymd_opt(2024, 2, 29) } else { None }; }
            row.date_to = row.date;
            if with_hits != row.hits.is_some() { row.hits = if with_hits { Some(0) } else { None }; }
        }
        numbered(&mut rows, 2, |r, l| r.line = l);
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut header = vec![];
        if dated { header.push("date"); }
        header.extend(["label", "nb_visits"]);
        if with_hits { header.push("nb_hits"); }
        header.push("metadata_url");
        csv.write_record(&header).unwrap();
        for row in &rows {
            let mut record = vec![];
            if let Some(d) = row.date { record.push(d.to_string()); }
            record.push(row.label.clone());
            record.push(row.visits.to_string());
            if let Some(h) = row.hits { record.push(h.to_string()); }
            record.push(row.url.clone().unwrap_or_default());
            csv.write_record(&record).unwrap();
        }
        let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        let bytes = if utf16 {
            let mut b = vec![0xFF, 0xFE];
            text.encode_utf16().for_each(|u| b.extend_from_slice(&u.to_le_bytes()));
            b
        } else {
            text.into_bytes()
        };
        let again: Vec<PageVisits> = MatomoPagesReader::new(&bytes[..]).unwrap().map(|r| r.unwrap()).collect();
        prop_assert_eq!(again, rows);
    }

    #[test]
    fn call_records_written_in_the_cdr_csv_layout_read_back_equal(
        mut calls in prop::collection::vec(
            (danish_time(), prop::option::of(0i64..600), 0i64..3_600,
             prop::sample::select(Disposition::ALL.to_vec()),
             "[0-9+]{0,12}", "[0-9a-z]{1,8}", "[a-z-]{1,12}", "(SIP|PJSIP)/[a-z0-9]{1,8}-[0-9a-f]{8}", "[A-Z/a-z0-9-]{0,20}",
             prop::option::of("[0-9]{10}\\.[0-9]{1,3}"))
                .prop_map(|(start, answer_after, length, disposition, src, dst, dcontext, channel, dstchannel, uniqueid)| {
                    let answer = answer_after.map(|s| start + chrono::Duration::seconds(s));
                    let end = answer.unwrap_or(start) + chrono::Duration::seconds(length);
                    CallRecord {
                        line: 0, start, answer, end,
                        duration_s: (end - start).num_seconds(),
                        billsec: answer.map_or(0, |a| (end - a).num_seconds()),
                        disposition, src, dst, dcontext, channel, dstchannel, uniqueid, linkedid: None,
                    }
                }),
            1..30),
    ) {
        // The autumn hour twice over reads as its first pass: keep instants that round-trip.
        let round_trips = |at: DateTime<Utc>| {
            let local = danish_local(at);
            danish_instant(local.date(), chrono::Timelike::hour(&local), chrono::Timelike::minute(&local))
                .map(|t| t + chrono::Duration::seconds(chrono::Timelike::second(&local).into())) == Some(at)
        };
        calls.retain(|c| round_trips(c.start) && round_trips(c.end) && c.answer.is_none_or(round_trips));
        prop_assume!(!calls.is_empty());
        numbered(&mut calls, 1, |r, l| r.line = l);
        let stamp = |at: DateTime<Utc>| danish_local(at).format("%Y-%m-%d %H:%M:%S").to_string();
        let mut text = String::new();
        for c in &calls {
            text.push_str(&format!(
                "\"\",\"{}\",\"{}\",\"{}\",\"\"\"Someone\"\" <{}>\",\"{}\",\"{}\",\"Dial\",\"x,y\",\"{}\",{},\"{}\",{},{},\"{}\",\"DOCUMENTATION\",\"{}\",\"\"\n",
                c.src, c.dst, c.dcontext, c.src, c.channel, c.dstchannel, stamp(c.start),
                c.answer.map(|a| format!("\"{}\"", stamp(a))).unwrap_or_default(),
                stamp(c.end), c.duration_s, c.billsec, c.disposition.code(),
                c.uniqueid.as_deref().unwrap_or(""),
            ));
        }
        let again: Vec<CallRecord> = CdrReader::new(text.as_bytes()).unwrap().map(|r| r.unwrap()).collect();
        prop_assert_eq!(again, calls);
    }
}

// --- the joint hotline: Asterisk queue_log and the calls CSV ----------------

type QueueLogItem = Result<QueueLogCall, Vec<Problem>>;

/// Runs a queue log reader to its end: its items, then its summary.
fn read_queue_log<R: Read>(mut reader: QueueLogReader<R>) -> (Vec<QueueLogItem>, QueueLogSummary) {
    let items: Vec<QueueLogItem> = reader.by_ref().collect();
    (items, reader.summary().clone())
}

/// What a call handed over by either hotline reader always is: named, in
/// time order, and its outcome agreeing with its answer.
fn check_call(call: &Call) -> Result<(), TestCaseError> {
    prop_assert!(!call.call_id.is_empty(), "{:?}", call);
    if let Some(answered) = call.answered_at {
        prop_assert!(
            call.arrived_at <= answered,
            "answered before it arrived: {:?}",
            call
        );
    }
    if let Some(ended) = call.ended_at {
        prop_assert!(
            call.arrived_at <= ended,
            "ended before it arrived: {:?}",
            call
        );
        prop_assert!(
            call.answered_at.is_none_or(|a| a <= ended),
            "ended before its answer: {:?}",
            call
        );
    }
    if call.outcome == CallOutcome::Answered {
        prop_assert!(call.answered_at.is_some(), "{:?}", call);
    }
    if call.outcome.is_lost() {
        prop_assert!(call.answered_at.is_none(), "{:?}", call);
    }
    prop_assert!(
        call.agent.as_ref().is_none_or(|a| !a.is_empty()),
        "{:?}",
        call
    );
    Ok(())
}

/// What a queue log's summary guarantees whatever the file (see
/// `src/queue_log.rs`): each call handed over is counted in `calls`, each
/// refused one in `rejected_calls`, each line with a problem of its own in
/// `bad_lines`; a problem ending the file is the one item not counted, and
/// the last. Each line read is a call event, a skipped event, an unknown
/// event or a bad line, and can be both bad and skipped or unknown (a queue
/// event with a bad time), never bad and a call event; each call comes
/// from one call event. And what keeps memory bounded: at most
/// [`MAX_UNKNOWN_EVENT_NAMES`] names, names of at most [`MAX_NAME_BYTES`],
/// at most 8 problems per item.
fn check_queue_log(items: &[QueueLogItem], s: &QueueLogSummary) -> Result<(), TestCaseError> {
    let ends_file = |i: &QueueLogItem| matches!(i, Err(p) if p.iter().any(|p| p.kind.ends_file()));
    let calls = items.iter().filter(|i| i.is_ok()).count() as u64;
    let fatal = items.iter().filter(|i| ends_file(i)).count() as u64;
    prop_assert!(fatal <= 1);
    if fatal == 1 {
        prop_assert!(items.last().is_some_and(ends_file));
        prop_assert_eq!(
            items.last().and_then(|i| i.as_ref().err()).map(Vec::len),
            Some(1)
        );
    }
    prop_assert_eq!(s.calls, calls, "{:?}", s);
    prop_assert_eq!(
        s.bad_lines + s.rejected_calls + fatal,
        items.len() as u64 - calls,
        "{:?}",
        s
    );
    let events = s.call_events + s.skipped_events + s.unknown_total();
    prop_assert!(events <= s.lines, "{:?}", s);
    prop_assert!(s.call_events + s.bad_lines <= s.lines, "{:?}", s);
    prop_assert!(s.lines <= events + s.bad_lines, "{:?}", s);
    prop_assert!(s.calls + s.rejected_calls <= s.call_events, "{:?}", s);

    prop_assert!(s.unknown_events.len() <= MAX_UNKNOWN_EVENT_NAMES);
    // Counted together only once the names are full.
    prop_assert!(s.unknown_events_other == 0 || s.unknown_events.len() == MAX_UNKNOWN_EVENT_NAMES);
    let names: BTreeSet<&str> = s.unknown_events.iter().map(|(n, _)| n.as_str()).collect();
    prop_assert_eq!(names.len(), s.unknown_events.len());
    prop_assert!(s
        .unknown_events
        .iter()
        .all(|(n, count)| *count >= 1 && n.chars().count() <= 61));
    for item in items {
        match item {
            Ok(QueueLogCall { call, .. }) => {
                check_call(call)?;
                for name in [&call.call_id, &call.queue].into_iter().chain(&call.agent) {
                    prop_assert!(name.chars().count() <= MAX_NAME_BYTES, "{:?}", call);
                }
                for none in ["NONE", "REALTIME"] {
                    prop_assert!(!call.call_id.eq_ignore_ascii_case(none), "{:?}", call);
                }
                prop_assert!(
                    call.ended_at.is_some()
                        || matches!(call.outcome, CallOutcome::Answered | CallOutcome::Unknown)
                );
                prop_assert!(call.outcome != CallOutcome::Unknown || call.ended_at.is_none());
                prop_assert!(!call.transferred || call.outcome == CallOutcome::Answered);
                prop_assert_eq!(
                    call.answered_at.is_some(),
                    call.outcome == CallOutcome::Answered
                );
            }
            Err(problems) => {
                prop_assert!(
                    !problems.is_empty() && problems.len() <= 8,
                    "{:?}",
                    problems
                );
                prop_assert!(problems.iter().all(|p| !p.message.is_empty()));
            }
        }
    }
    Ok(())
}

/// Every event name of Asterisk's queue_log the reader knows.
const QUEUE_LOG_EVENTS: [&str; 31] = [
    "ENTERQUEUE",
    "CONNECT",
    "COMPLETEAGENT",
    "COMPLETECALLER",
    "TRANSFER",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "EXITWITHKEY",
    "JOINEMPTY",
    "RINGNOANSWER",
    "RINGCANCELED",
    "QUEUESTART",
    "CONFIGRELOAD",
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "UNPAUSE",
    "PAUSEALL",
    "UNPAUSEALL",
    "PENALTY",
    "AGENTDUMP",
    "SYSCOMPAT",
    "DID",
    "INFO",
];

/// 2026-03-02 08:00:00 in Danish time, in Unix seconds.
const T0: u64 = 1_772_434_800;

/// Any text of a field: anything but `|` and a line end.
const FIELD_TEXT: &str = "[ -{}~æø\t\r]{0,8}";

/// The fields of a queue_log line, well-formed or not: any time, a few call
/// ids (so that events meet), any event in any case, any data, 0 to 11
/// fields.
fn queue_log_fields() -> impl Strategy<Value = Vec<String>> {
    let name = |names: Vec<&'static str>| prop::sample::select(names).prop_map(str::to_owned);
    let time = prop_oneof![
        12 => (T0..T0 + 3_600).prop_map(|s| s.to_string()),
        1 => (T0..T0 + 3_600, "[0-9]{1,10}").prop_map(|(s, f)| format!("{s}.{f}")),
        1 => "[0-9]{0,20}",
        1 => FIELD_TEXT,
    ];
    let callid = prop_oneof![
        10 => name(vec!["a", "b", "c"]),
        2 => name(vec!["1772434810.101", "NONE", "realtime", ""]),
        1 => "[a-z0-9.]{1,3}",
        1 => Just("x".repeat(MAX_NAME_BYTES + 1)),
        1 => FIELD_TEXT,
    ];
    let queue = prop_oneof![
        8 => Just("hotline".to_owned()),
        2 => name(vec!["aften", "", "NONE"]),
        1 => FIELD_TEXT,
    ];
    let agent = prop_oneof![4 => name(vec!["NONE", "Agent/1", "PJSIP/3", ""]), 1 => FIELD_TEXT];
    // The events of calls (the first 14) most, in any case.
    let event = prop_oneof![
        10 => prop::sample::select(QUEUE_LOG_EVENTS[..14].to_vec()),
        3 => prop::sample::select(QUEUE_LOG_EVENTS[14..].to_vec()),
    ];
    let event = prop_oneof![
        13 => (event, any::<bool>())
            .prop_map(|(e, lower)| if lower { e.to_lowercase() } else { e.to_owned() }),
        2 => "[A-Z]{1,4}",
        1 => FIELD_TEXT,
    ];
    let data = prop_oneof![
        8 => "[0-9]{1,4}",
        1 => Just(String::new()),
        1 => Just("99999999999999999999".to_owned()),
        1 => FIELD_TEXT,
    ];
    let count = prop_oneof![8 => 5usize..=11, 1 => 0usize..5];
    (
        time,
        callid,
        queue,
        agent,
        event,
        prop::collection::vec(data, 0..6),
        count,
    )
        .prop_map(|(time, callid, queue, agent, event, data, n)| {
            let mut fields = vec![time, callid, queue, agent, event];
            fields.extend(data);
            fields.truncate(n);
            fields
        })
}

/// How a generated call leaves the queue, by the event that says so.
#[derive(Debug, Clone, Copy)]
enum Leaves {
    /// Answered, then the talk ends: `COMPLETE*` or a transfer.
    Talks(&'static str),
    /// The caller leaves unanswered.
    Unanswered(&'static str, CallOutcome),
    JoinEmpty,
    /// Answered, and still talking when the file ends.
    StillTalking,
    /// Still waiting when the file ends.
    StillWaiting,
}

const LEAVES: [Leaves; 12] = [
    Leaves::Talks("COMPLETEAGENT"),
    Leaves::Talks("COMPLETECALLER"),
    Leaves::Talks("TRANSFER"),
    Leaves::Talks("BLINDTRANSFER"),
    Leaves::Talks("ATTENDEDTRANSFER"),
    Leaves::Unanswered("ABANDON", CallOutcome::Abandoned),
    Leaves::Unanswered("EXITWITHTIMEOUT", CallOutcome::TimedOut),
    Leaves::Unanswered("EXITEMPTY", CallOutcome::NoAgents),
    Leaves::Unanswered("EXITWITHKEY", CallOutcome::LeftWithKey),
    Leaves::JoinEmpty,
    Leaves::StillTalking,
    Leaves::StillWaiting,
];

/// A call as the queue saw it, to be written as Asterisk writes its events.
#[derive(Debug, Clone)]
struct LoggedCall {
    leaves: Leaves,
    queue: &'static str,
    agent: String,
    /// Seconds after [`T0`].
    arrives: u64,
    /// Seconds waiting (to the answer, or to leaving unanswered).
    waits: u64,
    talks: u64,
    /// Agents rung who did not answer.
    rings: u64,
    /// 0: every event in the file; 1: its `ENTERQUEUE` rotated away; 2: its
    /// `CONNECT` too (when it has an end).
    lost: u8,
}

fn logged_call() -> impl Strategy<Value = LoggedCall> {
    (
        prop::sample::select(LEAVES.to_vec()),
        prop::sample::select(vec!["hotline", "aften"]),
        "Agent/[0-9]{1,4}|PJSIP/[0-9]{3,4}",
        (0u64..100_000, 0u64..600, 0u64..3_600),
        0u64..3,
        0u8..3,
    )
        .prop_map(
            |(leaves, queue, agent, (arrives, waits, talks), rings, lost)| LoggedCall {
                leaves,
                queue,
                agent,
                arrives,
                waits,
                talks,
                rings,
                lost,
            },
        )
}

fn instant(seconds: u64) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::try_from(seconds).unwrap(), 0).unwrap()
}

impl LoggedCall {
    fn id(&self, i: usize) -> String {
        format!("{}.{i}", T0 + self.arrives)
    }

    /// Its lines in the order Asterisk writes them; the index of the line
    /// the reader names it by (its first event, rings aside), and of the
    /// line it leaves the queue on, if any.
    fn lines(&self, i: usize) -> (Vec<String>, usize, Option<usize>) {
        let id = self.id(i);
        let line = |at: u64, rest: String| format!("{at}|{id}|{}|{rest}", self.queue);
        let arrives = T0 + self.arrives;
        let answered = arrives + self.waits;
        let (hold, talk, agent) = (self.waits, self.talks, &self.agent);
        if let Leaves::JoinEmpty = self.leaves {
            return (
                vec![line(arrives, "NONE|JOINEMPTY|1|1|0".into())],
                0,
                Some(0),
            );
        }
        let enters = self.lost == 0 || matches!(self.leaves, Leaves::StillWaiting);
        let mut lines = Vec::new();
        if enters {
            lines.push(line(arrives, "NONE|ENTERQUEUE||20304050|1".into()));
        }
        for r in 0..self.rings {
            lines.push(line(
                arrives + hold * r / self.rings,
                "Agent/99|RINGNOANSWER|15000".into(),
            ));
        }
        let connects = match self.leaves {
            Leaves::StillTalking => true,
            Leaves::Talks(_) => self.lost < 2,
            _ => false,
        };
        if connects {
            lines.push(line(answered, format!("{agent}|CONNECT|{hold}|{id}.b|3")));
        }
        match self.leaves {
            Leaves::Talks(event) => {
                let data = match event {
                    "TRANSFER" => format!("2000|from-internal|{hold}|{talk}"),
                    "BLINDTRANSFER" => format!("2000|from-internal|{hold}|{talk}|1"),
                    "ATTENDEDTRANSFER" => format!("BRIDGE|{id}.c|{hold}|{talk}|1"),
                    _ => format!("{hold}|{talk}|1"),
                };
                lines.push(line(answered + talk, format!("{agent}|{event}|{data}")));
            }
            Leaves::Unanswered(event, _) => {
                let data = if event == "EXITWITHKEY" {
                    format!("5|1|1|{hold}")
                } else {
                    format!("1|1|{hold}")
                };
                lines.push(line(answered, format!("NONE|{event}|{data}")));
            }
            _ => {}
        }
        let first = if enters { 0 } else { self.rings as usize };
        let ends = matches!(self.leaves, Leaves::Talks(_) | Leaves::Unanswered(..));
        let last = ends.then(|| lines.len() - 1);
        (lines, first, last)
    }

    /// The call the reader must make of its lines.
    fn call(&self, i: usize) -> Call {
        let (arrives, waits, talks) = (T0 + self.arrives, self.waits, self.talks);
        let answered = matches!(self.leaves, Leaves::Talks(_) | Leaves::StillTalking);
        Call {
            call_id: self.id(i),
            queue: self.queue.to_owned(),
            arrived_at: instant(arrives),
            answered_at: answered.then(|| instant(arrives + waits)),
            ended_at: match self.leaves {
                Leaves::Talks(_) => Some(instant(arrives + waits + talks)),
                Leaves::Unanswered(..) => Some(instant(arrives + waits)),
                Leaves::JoinEmpty => Some(instant(arrives)),
                Leaves::StillTalking | Leaves::StillWaiting => None,
            },
            outcome: match self.leaves {
                Leaves::Talks(_) | Leaves::StillTalking => CallOutcome::Answered,
                Leaves::Unanswered(_, outcome) => outcome,
                Leaves::JoinEmpty => CallOutcome::NoAgents,
                Leaves::StillWaiting => CallOutcome::Unknown,
            },
            agent: answered.then(|| self.agent.clone()),
            transferred: matches!(self.leaves, Leaves::Talks(e) if e.ends_with("TRANSFER")),
        }
    }
}

/// Events of queues and agents, not of calls (skipped by the reader).
const QUEUE_EVENTS: [&str; 4] = [
    "NONE|hotline|Agent/1|PAUSE|frokost",
    "NONE|NONE|NONE|QUEUESTART|",
    "NONE|hotline|PJSIP/3|ADDMEMBER|",
    "NONE|hotline|Agent/1|AGENTLOGOFF|PJSIP/1-0001|2000",
];

/// An endless file: `round(0)`, `round(1)`, … (a round of no bytes is a
/// blank line).
struct Endless<F> {
    round: F,
    next: u64,
    buffer: Vec<u8>,
    at: usize,
}

impl<F: FnMut(u64) -> Vec<u8>> Endless<F> {
    fn new(round: F) -> Self {
        Self {
            round,
            next: 0,
            buffer: Vec::new(),
            at: 0,
        }
    }
}

impl<F: FnMut(u64) -> Vec<u8>> Read for Endless<F> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            self.buffer = (self.round)(self.next);
            if self.buffer.is_empty() {
                self.buffer.push(b'\n');
            }
            self.next += 1;
            self.at = 0;
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A queue_log line of `fields`, its call id numbered by `round` (so that
/// every round's calls are new ones).
fn queue_log_line(fields: &[String], round: u64) -> String {
    let mut fields = fields.to_vec();
    if let Some(id) = fields.get_mut(1) {
        let special = ["", "NONE", "REALTIME"]
            .iter()
            .any(|s| id.trim_ascii().eq_ignore_ascii_case(s));
        if !special {
            id.push_str(&format!(".{round}"));
        }
    }
    fields.join("|") + "\n"
}

proptest! {
    #[test]
    fn every_queue_log_line_is_counted_and_the_summary_adds_up(
        mut fields in prop::collection::vec(queue_log_fields(), 0..60),
        in_time_order in any::<bool>(),
    ) {
        if in_time_order {
            // As Asterisk writes: each line's time a minute or less after the last.
            for (n, fields) in (0..).zip(&mut fields) {
                if let Some(time) = fields.first_mut().filter(|t| t.parse::<u64>().is_ok_and(|t| t >= T0)) {
                    let second: u64 = time.parse::<u64>().unwrap() % 60;
                    *time = (T0 + n * 60 + second).to_string();
                }
            }
        }
        let lines: Vec<String> = fields.iter().map(|f| f.join("|")).collect();
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let non_blank: BTreeSet<u64> = (1..)
            .zip(&lines)
            .filter(|(_, l)| !l.trim_ascii().is_empty())
            .map(|(n, _)| n)
            .collect();
        let reader = match QueueLogReader::new(text.as_bytes()) {
            Ok(reader) => reader,
            Err(error) => {
                // Refused whole only when its first line has no `|`.
                let first = *non_blank.first().unwrap();
                prop_assert!(!lines[first as usize - 1].contains('|'), "{}", error);
                prop_assert_eq!(error.problems.len(), 1);
                prop_assert_eq!(error.problems[0].line, first);
                return Ok(());
            }
        };
        let (items, summary) = read_queue_log(reader);
        check_queue_log(&items, &summary)?;
        prop_assert_eq!(summary.lines, non_blank.len() as u64, "blank lines are not counted");
        for item in &items {
            match item {
                Ok(call) => prop_assert!(non_blank.contains(&call.line)),
                Err(problems) => {
                    prop_assert!(problems.iter().all(|p| non_blank.contains(&p.line) && !p.kind.ends_file()));
                }
            }
        }
        // A line that is no event at all is a problem on its own line.
        for (n, fields) in (1..).zip(&fields) {
            if non_blank.contains(&n) && (fields.len() < 5 || fields[4].trim_ascii().is_empty()) {
                let found = items.iter().any(|i| matches!(i, Err(p) if p.iter().any(|p| p.line == n)));
                prop_assert!(found, "line {}: {:?}", n, lines[n as usize - 1]);
            }
        }
    }

    #[test]
    fn calls_written_as_asterisk_logs_them_read_back_equal(
        calls in prop::collection::vec(logged_call(), 0..25),
        noise in prop::collection::vec(prop::sample::select(QUEUE_EVENTS.to_vec()), 0..6),
        choices in prop::collection::vec(any::<prop::sample::Index>(), 0..200),
    ) {
        // Each call's lines in order, the calls interleaved as the choices say.
        let mut sources: Vec<VecDeque<(Option<usize>, usize, String)>> = Vec::new();
        let mut marks = Vec::new();
        for (i, call) in calls.iter().enumerate() {
            let (lines, first, last) = call.lines(i);
            marks.push((first, last));
            sources.push(lines.into_iter().enumerate().map(|(k, l)| (Some(i), k, l)).collect());
        }
        sources.push(noise.iter().enumerate().map(|(k, l)| (None, k, format!("{T0}|{l}"))).collect());
        let mut file = Vec::new();
        let mut choices = choices.iter();
        loop {
            let left: Vec<usize> = (0..sources.len()).filter(|&s| !sources[s].is_empty()).collect();
            if left.is_empty() {
                break;
            }
            let pick = choices.next().map_or(0, |c| c.index(left.len()));
            file.push(sources[left[pick]].pop_front().unwrap());
        }
        // Ended calls in the order they leave; those still in the queue
        // last, by arrival.
        let mut ended = Vec::new();
        let mut waiting = Vec::new();
        for (i, call) in calls.iter().enumerate() {
            let (first, last) = marks[i];
            let line_of = |k: usize| file.iter().position(|(c, j, _)| *c == Some(i) && *j == k).unwrap();
            let read = QueueLogCall { line: line_of(first) as u64 + 1, call: call.call(i) };
            match last {
                Some(last) => ended.push((line_of(last), read)),
                None => waiting.push(read),
            }
        }
        ended.sort_by_key(|(at, _)| *at);
        waiting.sort_by_key(|r| (r.call.arrived_at, r.line));
        let expected: Vec<QueueLogCall> = ended.into_iter().map(|(_, r)| r).chain(waiting).collect();

        let text: String = file.iter().map(|(_, _, l)| format!("{l}\n")).collect();
        let (items, summary) = read_queue_log(QueueLogReader::new(text.as_bytes()).unwrap());
        check_queue_log(&items, &summary)?;
        let read: Vec<QueueLogCall> = items.into_iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(read, expected);
        prop_assert_eq!(summary.lines, file.len() as u64);
        prop_assert_eq!(summary.skipped_events, noise.len() as u64);
        prop_assert_eq!(summary.call_events, (file.len() - noise.len()) as u64);
        prop_assert_eq!((summary.calls, summary.rejected_calls, summary.bad_lines), (calls.len() as u64, 0, 0));
    }

    #[test]
    fn the_calls_waiting_at_once_are_bounded(
        queue_events in prop::collection::vec(prop::option::of(prop::sample::select(QUEUE_EVENTS.to_vec())), 0..40),
        max in 0usize..40,
    ) {
        // One new call per entry, none ending, a queue's event before some.
        let mut text = String::new();
        let mut enters = Vec::new();
        let mut line = 0u64;
        for (i, queue_event) in queue_events.iter().enumerate() {
            if let Some(event) = queue_event {
                text.push_str(&format!("{T0}|{event}\n"));
                line += 1;
            }
            text.push_str(&format!("{T0}|c{i}|hotline|NONE|ENTERQUEUE||1|1\n"));
            line += 1;
            enters.push(line);
        }
        let reader = QueueLogReader::new(text.as_bytes()).unwrap().with_max_open_calls(max);
        let (items, summary) = read_queue_log(reader);
        check_queue_log(&items, &summary)?;
        if enters.len() > max {
            prop_assert_eq!(items.len(), 1);
            let problems = items[0].as_ref().unwrap_err();
            prop_assert_eq!(problems.len(), 1);
            prop_assert_eq!((problems[0].line, problems[0].kind), (enters[max], ProblemKind::Limit));
        } else {
            prop_assert_eq!(items.len(), enters.len());
            for item in &items {
                let call = &item.as_ref().unwrap().call;
                prop_assert_eq!((call.outcome, call.ended_at), (CallOutcome::Unknown, None));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn an_endless_queue_log_is_refused_at_a_limit(
        fields in prop::collection::vec(queue_log_fields(), 0..20),
        max_open in 1usize..50,
    ) {
        // Every round's calls are new: only the limits end the file.
        let limits = Limits { max_bytes: 200_000, ..Limits::default() };
        let file = Endless::new(|round| fields.iter().map(|f| queue_log_line(f, round)).collect::<String>().into_bytes());
        match QueueLogReader::with_limits(file, limits) {
            Err(error) => prop_assert!(
                matches!(error.problems[0].kind, ProblemKind::Limit | ProblemKind::Unreadable),
                "{}", error
            ),
            Ok(reader) => {
                let (items, summary) = read_queue_log(reader.with_max_open_calls(max_open));
                check_queue_log(&items, &summary)?;
                let last = items.last().and_then(|i| i.as_ref().err()).map(|p| p[0].kind);
                prop_assert_eq!(last, Some(ProblemKind::Limit));
            }
        }
    }

    #[test]
    fn an_endless_calls_file_is_refused_at_the_byte_limit(
        rows in prop::collection::vec(prop::collection::vec(calls_cell(), 0..10), 0..20),
    ) {
        let limits = Limits { max_bytes: 100_000, ..Limits::default() };
        let file = Endless::new(|round| {
            let mut text = if round == 0 { String::from_utf8(CALLS_HEADER.to_vec()).unwrap() } else { String::new() };
            rows.iter().for_each(|row| text.push_str(&(row.join(";") + "\n")));
            text.into_bytes()
        });
        let items: Vec<_> = CallsReader::with_limits(file, limits).unwrap().collect();
        let last = items.last().and_then(|i| i.as_ref().err()).map(|p| p[0].kind);
        prop_assert_eq!(last, Some(ProblemKind::Limit));
        prop_assert!(items.iter().filter(|i| i.as_ref().is_err_and(|p| p[0].kind.ends_file())).count() == 1);
    }
}

/// A cell of a calls CSV, well-formed or not (no quotes or line ends).
fn calls_cell() -> impl Strategy<Value = String> {
    let pick = |cells: Vec<&'static str>| prop::sample::select(cells).prop_map(str::to_owned);
    prop_oneof![
        3 => "[ 0-9A-Za-zæø.:,/-]{0,12}",
        2 => pick(vec!["2026-03-02 08:00:00", "02-03-2026 08:10", "2026-03-02T08:00:42", "2026-03-02 07:59", "29-03-2026 02:30", "2026-03-02", ""]),
        1 => pick(vec!["besvaret", "opgivet", "timeout", "Ingen agenter", "key", "ukendt", "lagt på"]),
    ]
}

/// A call of the calls CSV, its outcome agreeing with its answer.
fn hotline_call() -> impl Strategy<Value = Call> {
    (
        cell_text("[0-9A-Za-z.;,\"æøå -]{1,20}"),
        prop::option::of(cell_text("[a-zæøå]{1,10}")),
        danish_time(),
        (prop::option::of(0i64..600), prop::option::of(0i64..3_600)),
        prop::sample::select(CallOutcome::ALL.to_vec()),
        prop::option::of(cell_text("[A-Za-zæøå/0-9 ]{1,12}")),
    )
        .prop_map(
            |(call_id, queue, arrived_at, (answer, end), outcome, agent)| {
                let after = |at: DateTime<Utc>, s: i64| at + chrono::Duration::seconds(s);
                let answered_at = match outcome {
                    CallOutcome::Answered => Some(after(arrived_at, answer.unwrap_or(0))),
                    lost if lost.is_lost() => None,
                    _ => answer.map(|s| after(arrived_at, s)),
                };
                Call {
                    call_id,
                    queue: queue.unwrap_or_default(),
                    arrived_at,
                    answered_at,
                    ended_at: end.map(|s| after(answered_at.unwrap_or(arrived_at), s)),
                    outcome,
                    agent,
                    transferred: false,
                }
            },
        )
}

/// The outcome as the file writes it: Danish or English, or nothing when
/// the reader derives the same.
fn outcome_cell(call: &Call, english: bool, blank_if_derived: bool) -> &'static str {
    let derived = if call.answered_at.is_some() {
        CallOutcome::Answered
    } else if call.ended_at.is_some() {
        CallOutcome::Abandoned
    } else {
        CallOutcome::Unknown
    };
    if blank_if_derived && derived == call.outcome {
        return "";
    }
    if !english {
        return call.outcome.code();
    }
    match call.outcome {
        CallOutcome::Answered => "answered",
        CallOutcome::Abandoned => "abandoned",
        CallOutcome::TimedOut => "timeout",
        CallOutcome::NoAgents => "noagents",
        CallOutcome::LeftWithKey => "key",
        CallOutcome::Unknown => "unknown",
    }
}

proptest! {
    #[test]
    fn every_calls_row_yields_a_call_or_its_problems(
        rows in prop::collection::vec(prop::collection::vec(calls_cell(), 0..10), 0..30),
    ) {
        let mut text = CALLS_HEADER.to_vec();
        rows.iter().for_each(|row| text.extend_from_slice((row.join(";") + "\n").as_bytes()));
        let items: Vec<_> = CallsReader::new(&text[..]).unwrap().collect();
        let lines: Vec<u64> = (2..)
            .zip(&rows)
            .filter(|(_, row)| row.iter().any(|c| !c.trim_ascii().is_empty()))
            .map(|(n, _)| n)
            .collect();
        prop_assert_eq!(items.len(), lines.len(), "one item per row, blank rows none");
        for (item, line) in items.iter().zip(lines) {
            match item {
                Ok(row) => {
                    prop_assert_eq!(row.line, line);
                    check_call(&row.call)?;
                    prop_assert!(!row.call.transferred);
                }
                Err(problems) => {
                    prop_assert!(!problems.is_empty());
                    prop_assert!(problems.iter().all(|p| p.line == line && !p.kind.ends_file() && !p.message.is_empty()));
                }
            }
        }
    }

    #[test]
    fn calls_written_as_csv_read_back_equal(
        mut calls in prop::collection::vec(hotline_call(), 1..30),
        english in any::<bool>(),
        blank_if_derived in any::<bool>(),
        order in Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
        delimiter in prop::sample::select(vec![b';', b',', b'\t']),
        format in prop::sample::select(vec!["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"]),
        windows_1252 in any::<bool>(),
    ) {
        // The autumn hour twice over reads as its first pass: keep instants that round-trip.
        let round_trips = |at: &DateTime<Utc>| {
            let local = danish_local(*at);
            danish_instant(local.date(), chrono::Timelike::hour(&local), chrono::Timelike::minute(&local))
                .map(|t| t + chrono::Duration::seconds(chrono::Timelike::second(&local).into())) == Some(*at)
        };
        calls.retain(|c| round_trips(&c.arrived_at) && c.answered_at.iter().all(round_trips) && c.ended_at.iter().all(round_trips));
        prop_assume!(!calls.is_empty());
        let names = if english {
            ["callid", "queue", "arrival", "answered", "end", "outcome", "agent"]
        } else {
            ["opkald", "kø", "ankomst", "besvaret", "slut", "udfald", "medarbejder"]
        };
        let stamp = |at: Option<DateTime<Utc>>| at.map(|at| danish_local(at).format(format).to_string()).unwrap_or_default();
        let mut csv = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
        csv.write_record(order.iter().map(|&i| names[i])).unwrap();
        for call in &calls {
            let cells = [
                call.call_id.clone(),
                call.queue.clone(),
                stamp(Some(call.arrived_at)),
                stamp(call.answered_at),
                stamp(call.ended_at),
                outcome_cell(call, english, blank_if_derived).to_owned(),
                call.agent.clone().unwrap_or_default(),
            ];
            csv.write_record(order.iter().map(|&i| &cells[i])).unwrap();
        }
        let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        let bytes = if windows_1252 {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            prop_assert!(!unmappable);
            bytes.into_owned()
        } else {
            text.into_bytes()
        };
        let reader = CallsReader::new(&bytes[..]).unwrap();
        prop_assert_eq!(reader.delimiter(), delimiter);
        prop_assert!(reader.extra_headers().is_empty());
        let again: Vec<CallRow> = reader.map(|r| r.unwrap()).collect();
        let expected: Vec<CallRow> = (2..).zip(calls).map(|(line, call)| CallRow { line, call }).collect();
        prop_assert_eq!(again, expected);
    }
}
