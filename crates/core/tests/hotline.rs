//! The joint hotline on the test backend (SQLite, or PostgreSQL with
//! `KOMHEN_TEST_DATABASE_URL`): a queue log with every event kind imports
//! into the right offered / answered / lost counts, other queues and calls
//! outside opening hours are counted and shown, the same file adds nothing,
//! a rolling log adds only its new calls and completes the open ones, a
//! file with a problem stores nothing; statements are issued whole, read
//! back as issued and corrected only by a new statement.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{NaiveDate, NaiveTime, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::hotline::admin::{self, Line};
use komhen_core::hotline::calls::{import_calls, preview_calls, CallUpload};
use komhen_core::hotline::figures::Grouping;
use komhen_core::hotline::report;
use komhen_domain::hotline::{CallOutcome, MemberKind};
use komhen_domain::MunicipalityCode;
use komhen_store::{HotlineMember, NewHotlinePrice, Store};
use std::io::Write;

const SAMPLE: &[u8] = include_bytes!("../../ingest/tests/data/queue_log_sample");

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn laeso() -> MunicipalityCode {
    MunicipalityCode::new(825).unwrap()
}

struct Fixture {
    db: TestStore,
    dir: tempfile::TempDir,
    actor: Actor,
    line: Line,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestStore::new().await;
        komhen_core::reference::migrate_and_load(db.store.as_ref())
            .await
            .unwrap();
        let store = db.store.as_ref();
        let actor = Actor::command_line();
        let id = admin::create(
            store,
            &actor,
            admin::default_settings("Den Digitale Hotline"),
            Utc::now(),
        )
        .await
        .unwrap();
        let line = admin::load(store, id).await.unwrap();
        admin::set_queues(store, &actor, &line, "hotline")
            .await
            .unwrap();
        // Monday 2 March 2026 08:00–08:15 Danish time: the sample's first
        // four calls arrive inside, the other seven after.
        let mut days = [None; 7];
        days[0] = Some((time(8, 0), time(8, 15)));
        let line = admin::load(store, id).await.unwrap();
        admin::set_opening_hours(store, &actor, &line, days)
            .await
            .unwrap();
        let line = admin::load(store, id).await.unwrap();
        admin::add_member(
            store,
            &actor,
            &line,
            HotlineMember {
                municipality: laeso(),
                kind: MemberKind::StaffsAndPays,
                joined_on: day(2026, 1, 1),
                left_on: None,
            },
        )
        .await
        .unwrap();
        let line = admin::load(store, id).await.unwrap();
        admin::set_price(
            store,
            &actor,
            &line,
            NewHotlinePrice {
                hotline: id,
                valid_from: day(2026, 1, 1),
                price_millikr: 210,
                credit_ore_per_hour: 27_200,
                note: String::new(),
                set_by: actor.as_str().to_owned(),
                set_at: Utc::now(),
            },
        )
        .await
        .unwrap();
        let line = admin::load(store, id).await.unwrap();
        Self {
            db,
            dir: tempfile::tempdir().unwrap(),
            actor,
            line,
        }
    }

    fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        path
    }
}

#[tokio::test]
async fn a_queue_log_with_every_event_kind_imports_into_the_right_counts() {
    let f = Fixture::new().await;
    let path = f.file("queue_log", SAMPLE);
    let upload = CallUpload {
        path: &path,
        file_name: "queue_log",
    };
    let preview = preview_calls(f.store(), &f.line, &upload).await.unwrap();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems.kept());
    // 12 calls in the file; the JOINEMPTY one is in the queue «aften».
    assert_eq!(preview.calls, 11);
    assert_eq!(preview.other_queues, vec![("aften".to_owned(), 1)]);
    assert_eq!(preview.outside_hours, 7);
    assert_eq!(
        preview.no_end, 2,
        "one answered and still talking, one unknown"
    );
    assert_eq!(preview.transferred, 3);
    let count = |o: CallOutcome| {
        preview
            .by_outcome
            .iter()
            .find(|(k, _)| *k == o)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(count(CallOutcome::Answered), 6);
    assert_eq!(count(CallOutcome::Abandoned), 1);
    assert_eq!(count(CallOutcome::TimedOut), 1);
    assert_eq!(count(CallOutcome::NoAgents), 1);
    assert_eq!(count(CallOutcome::LeftWithKey), 1);
    assert_eq!(count(CallOutcome::Unknown), 1);

    let imported = import_calls(f.store(), &f.actor, &f.line, &upload)
        .await
        .unwrap();
    assert_eq!((imported.added, imported.already_stored), (11, 0));

    let figures = report::period_figures(
        f.store(),
        &f.line,
        day(2026, 3, 2),
        day(2026, 3, 2),
        Grouping::Whole,
    )
    .await
    .unwrap();
    let w = &figures.figures.whole;
    assert_eq!(w.offered, 11);
    assert_eq!((w.inside_hours, w.outside_hours), (4, 7));
    assert_eq!(w.answered, 6);
    assert_eq!(w.lost, 4);
    assert_eq!(w.unknown_outcome, 1);
    assert_eq!(w.no_end, 2);
    assert_eq!(w.transferred, 3);
    // The line cost 1 day of Læsø's inhabitants × 0,21 kr ÷ 31 days.
    assert!(figures.cost_ore.unwrap() > 0);
    assert_eq!(
        figures.cost_per_answered_ore,
        Some((figures.cost_ore.unwrap() as f64 / 6.0).round() as i64)
    );

    // The same file again adds nothing and says so.
    let again = import_calls(f.store(), &f.actor, &f.line, &upload).await;
    let message = again.unwrap_err().to_string();
    assert!(message.contains("indlæst før"), "{message}");

    // A rolling log: the same calls, one of them now ended, and a new one.
    let mut rolled = SAMPLE.to_vec();
    rolled.extend_from_slice(
        b"1772436900|1772436600.117|hotline|PJSIP/1003|COMPLETECALLER|15|285|1\n\
          1772437000|1772437000.120|hotline|NONE|ENTERQUEUE||12121212|1\n\
          1772437010|1772437000.120|hotline|NONE|ABANDON|1|1|10\n",
    );
    let path = f.file("queue_log.1", &rolled);
    let upload = CallUpload {
        path: &path,
        file_name: "queue_log.1",
    };
    let imported = import_calls(f.store(), &f.actor, &f.line, &upload)
        .await
        .unwrap();
    assert_eq!(
        (imported.added, imported.already_stored),
        (2, 10),
        "the new call and the completed one"
    );
    let figures = report::period_figures(
        f.store(),
        &f.line,
        day(2026, 3, 2),
        day(2026, 3, 2),
        Grouping::Whole,
    )
    .await
    .unwrap();
    let w = &figures.figures.whole;
    assert_eq!((w.offered, w.answered, w.lost, w.no_end), (12, 6, 5, 1));
    assert_eq!(
        f.store()
            .list_call_batches(f.line.id())
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_file_with_a_problem_stores_nothing_and_shows_every_problem() {
    let f = Fixture::new().await;
    let mut bad = SAMPLE.to_vec();
    bad.extend_from_slice(b"not a time|1.1|hotline|NONE|ENTERQUEUE||1|1\n1772437000|x\n");
    let path = f.file("bad", &bad);
    let upload = CallUpload {
        path: &path,
        file_name: "bad",
    };
    let preview = preview_calls(f.store(), &f.line, &upload).await.unwrap();
    assert_eq!(
        preview.problems.bad_rows(),
        2,
        "{:?}",
        preview.problems.kept()
    );
    assert!(!preview.importable());
    let refused = import_calls(f.store(), &f.actor, &f.line, &upload).await;
    assert!(refused.unwrap_err().to_string().contains("2 linjer"));
    let start = komhen_domain::danish_instant(day(2026, 1, 1), 0, 0).unwrap();
    let end = komhen_domain::danish_instant(day(2027, 1, 1), 0, 0).unwrap();
    assert!(f
        .store()
        .list_calls(f.line.id(), start, end)
        .await
        .unwrap()
        .is_empty());
    assert!(f
        .store()
        .list_call_batches(f.line.id())
        .await
        .unwrap()
        .is_empty());

    // A CSV naming the same call twice is refused too.
    let csv = "opkald;kø;ankomst;besvaret;slut\n\
               a;hotline;2026-03-02 07:01:00;2026-03-02 07:01:10;2026-03-02 07:03:00\n\
               a;hotline;2026-03-02 07:01:00;2026-03-02 07:01:10;2026-03-02 07:03:00\n";
    let path = f.file("calls.csv", csv.as_bytes());
    let upload = CallUpload {
        path: &path,
        file_name: "calls.csv",
    };
    let preview = preview_calls(f.store(), &f.line, &upload).await.unwrap();
    assert_eq!(preview.problems.total(), 1);
    assert!(preview.problems.kept()[0]
        .message
        .contains("står også på linje 2"));
}

#[tokio::test]
async fn statements_are_issued_whole_and_corrected_only_by_a_new_one() {
    let f = Fixture::new().await;
    let store = f.store();
    let preview =
        report::preview_statement(store, &f.line, laeso(), day(2026, 1, 1), day(2026, 3, 1))
            .await
            .unwrap();
    let s = &preview.statement;
    assert_eq!(s.lines.len(), 3);
    // Joined 1 January: all three months in the 20 % start discount.
    assert!(s
        .lines
        .iter()
        .all(|l| l.in_discount && l.price_millikr == 210));
    let population = report::inhabitants(store, laeso(), 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.population, population.population);
    // inhabitants × 0,168 kr × 3, in øre, rounded.
    let expected = (population.population as f64 * 16.8 * 3.0).round() as i64;
    assert_eq!(s.base_ore - s.discount_ore, expected);

    let issue = |first: NaiveDate, last: NaiveDate, corrects, reason| report::Issue {
        municipality: laeso(),
        first_month: first,
        last_month: last,
        corrects,
        reason,
    };
    let id = report::issue_statement(
        store,
        &f.actor,
        &f.line,
        &issue(day(2026, 1, 1), day(2026, 3, 1), None, ""),
    )
    .await
    .unwrap();
    let rows = report::statements(store, &f.line, Some(laeso()))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(report::stored_statement(&rows[0]).unwrap(), preview);

    // The same months again: refused; a correction needs a reason.
    let twice = report::issue_statement(
        store,
        &f.actor,
        &f.line,
        &issue(day(2026, 2, 1), day(2026, 2, 1), None, ""),
    )
    .await;
    assert!(twice.unwrap_err().to_string().contains("allerede udstedt"));
    let no_reason = report::issue_statement(
        store,
        &f.actor,
        &f.line,
        &issue(day(2026, 1, 1), day(2026, 3, 1), Some(id), " "),
    )
    .await;
    assert!(no_reason.is_err());
    let fixed = report::issue_statement(
        store,
        &f.actor,
        &f.line,
        &issue(
            day(2026, 1, 1),
            day(2026, 3, 1),
            Some(id),
            "Vagter i marts manglede",
        ),
    )
    .await
    .unwrap();
    let rows = report::statements(store, &f.line, None).await.unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(first.corrected_by, Some(fixed));
    let audit = store.list_hotline_audit(f.line.id(), 100).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.action == "correct_statement"));
}
