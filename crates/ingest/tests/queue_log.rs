//! An Asterisk queue log with every event kind, read into calls.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_domain::danish_local;
use komhen_domain::hotline::{Call, CallOutcome};
use komhen_ingest::queue_log::{QueueLogCall, QueueLogReader};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/data/{name}")).unwrap()
}

fn count(calls: &[Call], outcome: CallOutcome) -> usize {
    calls.iter().filter(|c| c.outcome == outcome).count()
}

#[test]
fn the_sample_counts_offered_answered_and_lost_calls() {
    let bytes = fixture("queue_log_sample");
    let mut reader = QueueLogReader::new(&bytes[..]).unwrap();
    let read: Vec<QueueLogCall> = reader
        .by_ref()
        .map(|r| r.unwrap_or_else(|p| panic!("{p:?}")))
        .collect();
    let calls: Vec<Call> = read.iter().map(|r| r.call.clone()).collect();

    assert_eq!(calls.len(), 12, "offered");
    assert_eq!(count(&calls, CallOutcome::Answered), 6, "answered");
    assert_eq!(count(&calls, CallOutcome::Abandoned), 1);
    assert_eq!(count(&calls, CallOutcome::TimedOut), 1);
    assert_eq!(
        count(&calls, CallOutcome::NoAgents),
        2,
        "JOINEMPTY, EXITEMPTY"
    );
    assert_eq!(count(&calls, CallOutcome::LeftWithKey), 1);
    assert_eq!(count(&calls, CallOutcome::Unknown), 1);
    assert_eq!(calls.iter().filter(|c| c.outcome.is_lost()).count(), 5);
    assert_eq!(calls.iter().filter(|c| c.transferred).count(), 3);

    let summary = reader.summary();
    assert_eq!(summary.lines, 43);
    assert_eq!(summary.call_events, 28);
    assert_eq!(summary.skipped_events, 15);
    assert_eq!(summary.unknown_total(), 0);
    assert_eq!(summary.calls, 12);
    assert_eq!((summary.bad_lines, summary.rejected_calls), (0, 0));

    // The first call: in the queue 42 s, talked 300 s, with Agent/1001.
    let first = read
        .iter()
        .find(|r| r.call.call_id == "1772434810.101")
        .unwrap();
    assert_eq!(first.line, 8, "its ENTERQUEUE");
    assert_eq!(first.call.queue, "hotline");
    assert_eq!(
        danish_local(first.call.arrived_at).to_string(),
        "2026-03-02 08:00:10"
    );
    assert_eq!(first.call.agent.as_deref(), Some("Agent/1001"));
    assert_eq!(first.call.wait_seconds(), Some(42));
    assert_eq!(first.call.talk_seconds(), Some(300));

    // The two calls still in the queue at the end come last, by arrival.
    let last: Vec<(&str, CallOutcome, bool)> = calls[10..]
        .iter()
        .map(|c| (c.call_id.as_str(), c.outcome, c.ended_at.is_none()))
        .collect();
    assert_eq!(
        last,
        vec![
            ("1772436600.117", CallOutcome::Answered, true),
            ("1772436620.119", CallOutcome::Unknown, true),
        ]
    );
}
