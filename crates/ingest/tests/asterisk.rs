//! Asterisk CDR files in both layouts Asterisk writes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_domain::danish_local;
use komhen_ingest::asterisk::{CallRecord, CdrClock, CdrLayout, CdrReader, Disposition};
use komhen_ingest::{Limits, ProblemKind};

fn records(bytes: &[u8]) -> Vec<CallRecord> {
    CdrReader::new(bytes)
        .unwrap()
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/data/{name}")).unwrap()
}

fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    danish_local(at).to_string()
}

#[test]
fn cdr_csv_layout_is_found_and_read() {
    let bytes = fixture("asterisk_cdr_csv_Master.csv");
    let reader = CdrReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.layout(), &CdrLayout::cdr_csv());
    let calls: Vec<CallRecord> = reader.map(Result::unwrap).collect();
    assert_eq!(calls.len(), 2);
    let call = &calls[0];
    assert_eq!(call.line, 1, "no header: the first record is line 1");
    assert_eq!(local(call.start), "2010-04-02 00:26:32");
    assert_eq!(
        call.answer.map(local).as_deref(),
        Some("2010-04-02 00:26:32")
    );
    assert_eq!(local(call.end), "2010-04-02 00:26:39");
    assert_eq!((call.duration_s, call.billsec), (7, 7));
    assert_eq!(call.disposition, Disposition::Answered);
    assert_eq!((call.src.as_str(), call.dst.as_str()), ("", "1"));
    assert_eq!(call.dcontext, "default");
    assert_eq!(call.channel, "Console/dsp");
    assert_eq!(call.dstchannel, "");
    assert_eq!(call.uniqueid.as_deref(), Some("1270167992.0"));
    assert_eq!(call.linkedid, None);
}

#[test]
fn all_four_dispositions_are_read() {
    let calls = records(&fixture("asterisk_cdr_csv_dispositions.csv"));
    let got: Vec<Disposition> = calls.iter().map(|c| c.disposition).collect();
    use Disposition::*;
    assert_eq!(got, vec![Answered, Answered, Failed, NoAnswer, Busy]);
    assert_eq!(calls[0].src, "test");
    assert_eq!(calls[0].channel, "SIP/test-02897fd8");
}

#[test]
fn cdr_custom_sample_layout_is_found_and_an_unanswered_call_has_no_answer_time() {
    let bytes = fixture("asterisk_cdr_custom_Master.csv");
    let reader = CdrReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.layout(), &CdrLayout::cdr_custom_sample());
    let calls: Vec<CallRecord> = reader.map(Result::unwrap).collect();
    assert_eq!(calls.len(), 14);
    assert_eq!(calls[0].src, "client1");
    assert_eq!(calls[0].dst, "6789");
    assert_eq!(calls[0].dstchannel, "PJSIP/client2-00000003");
    assert_eq!((calls[0].duration_s, calls[0].billsec), (31, 13));
    assert_eq!(calls[1].disposition, Disposition::NoAnswer);
    assert_eq!(calls[1].answer, None);
    assert_eq!(calls[1].uniqueid.as_deref(), Some("1690325531.5"));
    let answered = calls
        .iter()
        .filter(|c| c.disposition == Disposition::Answered)
        .count();
    assert_eq!(answered, 11);
}

#[test]
fn a_configured_custom_layout_reads_its_own_order() {
    let layout = CdrLayout::from_names(&[
        "${CDR(start)}",
        "${CDR(end)}",
        "${CDR(src)}",
        "${CDR(dst)}",
        "${CDR(dcontext)}",
        "${CDR(channel)}",
        "${CDR(duration)}",
        "${CDR(disposition)}",
        "${CDR(linkedid)}",
    ])
    .unwrap();
    let file = "\"2025-10-21 10:00:00\",\"2025-10-21 10:03:00\",\"+4512345678\",\"100\",\"from-trunk\",\"PJSIP/trunk-1\",\"180\",\"ANSWERED\",\"1761033600.1\"\n";
    let calls: Vec<CallRecord> = CdrReader::with_limits(
        file.as_bytes(),
        Limits::default(),
        Some(layout),
        CdrClock::Utc,
    )
    .unwrap()
    .map(Result::unwrap)
    .collect();
    assert_eq!(calls[0].start.to_rfc3339(), "2025-10-21T10:00:00+00:00");
    assert_eq!(calls[0].dcontext, "from-trunk");
    assert_eq!(calls[0].linkedid.as_deref(), Some("1761033600.1"));
    assert_eq!(calls[0].billsec, 0, "no billsec column");

    let err = CdrLayout::from_names(&["start", "src"]).err().unwrap();
    assert_eq!(err.problems[0].kind, ProblemKind::MissingColumn);
}

#[test]
fn an_unknown_layout_is_refused_with_a_hint() {
    let err = CdrReader::new(&b"a,b,c\n"[..]).err().unwrap();
    assert!(err.problems[0].message.contains("cdr_custom.conf"));
}

#[test]
fn bad_cells_are_problems_of_their_row() {
    let good = std::str::from_utf8(&fixture("asterisk_cdr_csv_Master.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let bad = good
        .replace("\"ANSWERED\"", "\"HUNG UP\"")
        .replace(",7,7,", ",7,x,");
    let file = format!("{good}\n{bad}\n");
    let results: Vec<_> = CdrReader::new(file.as_bytes()).unwrap().collect();
    let problems = results[1].as_ref().unwrap_err();
    let columns: Vec<&str> = problems
        .iter()
        .filter_map(|p| p.column.as_deref())
        .collect();
    assert_eq!(columns, vec!["billsec", "disposition"]);
    assert!(problems.iter().all(|p| p.line == 2));
}
