//! Total counts: files with real-looking errors show every problem and
//! store nothing; overlapping ranges are refused naming the stored entry;
//! the same file is recognised; phone-system call records are counted per
//! day and direction by the municipality's rules, on the real Asterisk
//! fixtures; national deliveries per municipality. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::NaiveDate;
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::phone::{self, CdrFile, CdrOptions, CdrRuleInput};
use komhen_core::intake::totals::{self, TotalInput};
use komhen_core::CoreError;
use komhen_domain::{MunicipalityCode, UserId};
use komhen_ingest::ProblemKind;
use komhen_store::{BatchStatus, Store, TotalMeasure, UserRow};

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

fn coordinator() -> Actor {
    Actor::user(&UserRow {
        id: UserId(1),
        email: "tovholder@koege.dk".into(),
        name: "Kim".into(),
        password_hash: None,
        active: true,
        last_login_at: None,
        lang: None,
    })
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("../ingest/tests/data/{name}")).unwrap()
}

async fn app() -> TestStore {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    db
}

async fn enter(
    store: &dyn Store,
    channel: &str,
    from: &str,
    to: &str,
    count: &str,
) -> Result<(), CoreError> {
    totals::enter(
        store,
        &coordinator(),
        koege(),
        &TotalInput {
            channel: channel.into(),
            from: from.into(),
            to: to.into(),
            count: count.into(),
        },
    )
    .await
    .map(|_| ())
}

fn message(result: Result<(), CoreError>) -> String {
    match result {
        Err(CoreError::Invalid(message)) => message,
        other => panic!("expected a message for the user, got {other:?}"),
    }
}

async fn nothing_stored(store: &dyn Store) {
    assert!(store.list_totals(Some(koege())).await.unwrap().is_empty());
    assert!(
        store
            .list_batches(Some(koege()))
            .await
            .unwrap()
            .iter()
            .all(|b| b.status != BatchStatus::Loading && b.status != BatchStatus::Committed),
        "no batch staged or committed"
    );
}

#[tokio::test]
async fn a_file_with_real_looking_errors_shows_every_problem_and_stores_nothing() {
    let db = app().await;
    let store = db.store.as_ref();
    // Windows-1252, as Excel's "CSV (semikolonsepareret)" saves it.
    let text = "Kanal;Fra;Til;Antal\r\n\
                Telefon, indgående;01-10-2025;31-10-2025;1.234\r\n\
                TLFUD;31-09-2025;30-09-2025;312\r\n\
                Fax;01-10-2025;31-10-2025;3\r\n\
                EMLIND;01-10-2025;2025-10-31;12,5\r\n\
                PRSNLG;31-10-2025;01-10-2025;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let preview =
        totals::preview_channel_file(store, &coordinator(), koege(), "okt.csv", &bytes, true)
            .await
            .unwrap();
    assert!(
        preview.format.contains("Windows-1252"),
        "{}",
        preview.format
    );
    assert_eq!(preview.rows, 5);
    assert_eq!(preview.totals.len(), 1, "only the first row is valid");
    assert_eq!(preview.totals[0].label, "Telefon, indgående");
    let problems: Vec<(u64, Option<&str>, ProblemKind)> = preview
        .problems
        .kept()
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.kind))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, Some("Fra"), ProblemKind::Invalid),
            (5, Some("Antal"), ProblemKind::Invalid),
            (6, Some("Til"), ProblemKind::Conflict),
            (6, Some("Antal"), ProblemKind::Empty),
            (4, Some("Kanal"), ProblemKind::Invalid),
        ]
    );
    assert!(preview.problems.kept()[0].message.contains("«31-09-2025»"));
    assert!(preview.problems.kept()[4].message.contains("«Fax»"));
    assert_eq!(preview.problems.bad_rows(), 4);
    assert!(!preview.importable());
    assert!(preview.staged.is_none());
    assert!(preview.refusal().unwrap().contains("5 fejl"));
    nothing_stored(store).await;
}

#[tokio::test]
async fn missing_and_extra_columns_are_refused_before_any_row() {
    let db = app().await;
    let store = db.store.as_ref();
    let preview = totals::preview_channel_file(
        store,
        &coordinator(),
        koege(),
        "forkert.csv",
        "Kanal;Fra;Antal;Enhed\nTLFIND;01-10-2025;5;259sek\n".as_bytes(),
        true,
    )
    .await
    .unwrap();
    let kinds: Vec<(Option<&str>, ProblemKind)> = preview
        .problems
        .kept()
        .iter()
        .map(|p| (p.column.as_deref(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Some("Til"), ProblemKind::MissingColumn),
            (Some("Enhed"), ProblemKind::Layout)
        ]
    );
    assert!(preview.totals.is_empty() && preview.staged.is_none());

    let utf16_without_bom: Vec<u8> = "Kanal;Fra;Til;Antal\r\nTLFIND;01-10-2025;31-10-2025;5\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let preview = totals::preview_channel_file(
        store,
        &coordinator(),
        koege(),
        "utf16.csv",
        &utf16_without_bom,
        true,
    )
    .await
    .unwrap();
    assert!(preview.problems.kept()[0].message.contains("UTF-16"));

    let xlsx = komhen_ingest::codebook::template_xlsx().unwrap();
    let preview =
        totals::preview_channel_file(store, &coordinator(), koege(), "ark.xlsx", &xlsx, true)
            .await
            .unwrap();
    assert!(preview.problems.kept()[0]
        .message
        .contains("Excel-projektmappe"));
    nothing_stored(store).await;
}

#[tokio::test]
async fn a_good_file_is_staged_then_stored_whole_and_the_same_file_is_recognised() {
    let db = app().await;
    let store = db.store.as_ref();
    let bytes = "Kanal,Fra,Til,Antal\nTLFIND,01-10-2025,31-10-2025,1.234\n\
                 \"Telefon, udgående\",2025-10-01,2025-10-31,312\n"
        .as_bytes();
    let preview =
        totals::preview_channel_file(store, &coordinator(), koege(), "okt.csv", bytes, true)
            .await
            .unwrap();
    assert!(preview.importable(), "{:?}", preview.refusal());
    assert_eq!(preview.sum(), 1_546);
    let staged = preview.staged.unwrap();
    assert!(
        store.list_totals(Some(koege())).await.unwrap().is_empty(),
        "staged totals count nowhere before Gem"
    );
    let batch = totals::commit(store, &coordinator(), Some(koege()), staged)
        .await
        .unwrap();
    assert_eq!(batch.kind, totals::CSV_KIND);
    let entries = totals::entries(store, Some(koege())).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].sum, 1_546);
    assert_eq!(
        (entries[0].first_day, entries[0].last_day),
        (Some(day(2025, 10, 1)), Some(day(2025, 10, 31)))
    );
    let audit = store.list_audit(Some(koege()), 5).await.unwrap();
    assert_eq!(audit[0].entry.entity, "total_batch");

    let again =
        totals::preview_channel_file(store, &coordinator(), koege(), "kopi.csv", bytes, true)
            .await
            .unwrap();
    assert!(again.duplicate_of.is_some());
    assert!(again.staged.is_none());
    assert!(again.refusal().unwrap().contains("«okt.csv»"));

    totals::delete(store, &coordinator(), Some(koege()), batch.id)
        .await
        .unwrap();
    assert!(totals::entries(store, Some(koege()))
        .await
        .unwrap()
        .is_empty());
    let after =
        totals::preview_channel_file(store, &coordinator(), koege(), "okt.csv", bytes, false)
            .await
            .unwrap();
    assert!(after.importable(), "deleted: the file may come again");
}

#[tokio::test]
async fn an_overlapping_range_is_refused_naming_the_stored_entry() {
    let db = app().await;
    let store = db.store.as_ref();
    enter(store, "TLFIND", "2025-10-01", "2025-10-31", "1.234")
        .await
        .unwrap();
    let refused = message(enter(store, "TLFIND", "15-10-2025", "15-11-2025", "50").await);
    assert!(
        refused.contains(
            "Telefon, indgående 01-10-2025–31-10-2025 (1.234 henvendelser, indtastet af \
             tovholder@koege.dk den"
        ),
        "{refused}"
    );
    assert!(refused.contains("overlapper Telefon, indgående 15-10-2025–15-11-2025"));
    // Another channel, or the next month, is fine.
    enter(store, "TLFUD", "2025-10-01", "2025-10-31", "300")
        .await
        .unwrap();
    enter(store, "TLFIND", "2025-11-01", "2025-11-30", "1.100")
        .await
        .unwrap();
    let problems = message(enter(store, "", "x", "2025-10-01", "-3").await);
    for expected in [
        "Vælg en kanal.",
        "«x» er ikke en dato",
        "«-3» er ikke et antal",
    ] {
        assert!(problems.contains(expected), "{problems}");
    }

    let file = "Kanal;Fra;Til;Antal\nPRSNLG;01-10-2025;31-10-2025;800\n\
                TLFIND;25-10-2025;05-11-2025;40\nPRSNLG;31-10-2025;30-11-2025;9\n";
    let preview = totals::preview_channel_file(
        store,
        &coordinator(),
        koege(),
        "fil.csv",
        file.as_bytes(),
        true,
    )
    .await
    .unwrap();
    assert!(preview.problems.is_empty());
    assert!(preview.staged.is_none(), "overlaps: nothing staged");
    assert_eq!(preview.overlaps.len(), 3, "{:#?}", preview.overlaps);
    assert!(preview
        .overlaps
        .iter()
        .any(|m| m.starts_with("Linje 4: Personligt fremmøde")
            && m.contains("linje 2: 01-10-2025–31-10-2025")));
    assert!(preview
        .overlaps
        .iter()
        .any(|m| m.starts_with("Linje 3: Telefon, indgående")
            && m.contains("Telefon, indgående 01-10-2025–31-10-2025 (1.234 henvendelser")));
    assert!(preview
        .overlaps
        .iter()
        .any(|m| m.starts_with("Linje 3:")
            && m.contains("01-11-2025–30-11-2025 (1.100 henvendelser")));
    assert_eq!(store.list_totals(Some(koege())).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_staged_file_is_refused_at_gem_when_an_overlapping_entry_came_first() {
    let db = app().await;
    let store = db.store.as_ref();
    let preview = totals::preview_channel_file(
        store,
        &coordinator(),
        koege(),
        "okt.csv",
        "Kanal;Fra;Til;Antal\nTLFIND;01-10-2025;31-10-2025;1234\n".as_bytes(),
        true,
    )
    .await
    .unwrap();
    let staged = preview.staged.unwrap();
    enter(store, "TLFIND", "2025-10-20", "2025-10-20", "60")
        .await
        .unwrap();
    let refused = totals::commit(store, &coordinator(), Some(koege()), staged)
        .await
        .map(|_| ());
    let text = message(refused);
    assert!(
        text.contains("Telefon, indgående 20-10-2025 (60 henvendelser"),
        "{text}"
    );
    let totals = store.list_totals(Some(koege())).await.unwrap();
    assert_eq!(totals.len(), 1, "only the form's total");
    assert!(totals::commit(store, &coordinator(), Some(koege()), staged)
        .await
        .is_err());
}

// --- phone systems ---------------------------------------------------------------

async fn rule(store: &dyn Store, field: &str, matching: &str, pattern: &str, direction: &str) {
    phone::create_rule(
        store,
        &coordinator(),
        koege(),
        &CdrRuleInput {
            field: field.into(),
            matching: matching.into(),
            pattern: pattern.into(),
            direction: direction.into(),
        },
    )
    .await
    .unwrap();
}

async fn preview_cdr(store: &dyn Store, bytes: Vec<u8>, stage: bool) -> phone::CdrPreview {
    phone::preview_cdr(
        store,
        &coordinator(),
        koege(),
        CdrFile::Bytes(bytes),
        "Master.csv",
        &CdrOptions::default(),
        stage,
    )
    .await
    .unwrap()
}

fn stored(preview: &phone::CdrPreview) -> Vec<(String, NaiveDate, i64)> {
    preview
        .totals
        .totals
        .iter()
        .map(|t| {
            (
                t.total.channel.as_ref().unwrap().to_string(),
                t.total.from,
                t.total.count,
            )
        })
        .collect()
}

#[tokio::test]
async fn calls_are_counted_per_day_and_direction_by_the_rules_on_the_custom_layout() {
    let db = app().await;
    let store = db.store.as_ref();
    let bytes = fixture("asterisk_cdr_custom_Master.csv");
    let without = preview_cdr(store, bytes.clone(), true).await;
    assert!(without.no_rules);
    assert!(without.refusal().unwrap().contains("ingen regler"));
    assert!(without.totals.staged.is_none());
    assert_eq!(without.counts.unmapped, 11, "every answered call unmapped");
    assert_eq!(
        without.counts.unmapped_kinds[0],
        ("dcontext «default», channel «PJSIP/client1»".to_owned(), 8)
    );

    // client1 stands for the trunk in, client2 for calls out.
    rule(store, "channel", "prefix", "PJSIP/client1", "in").await;
    rule(store, "channel", "prefix", "pjsip/CLIENT2-", "ud").await;
    let preview = preview_cdr(store, bytes, true).await;
    assert_eq!(
        preview.layout,
        "cdr_custom (Asterisks eksempel, 19 kolonner)"
    );
    let counts = &preview.counts;
    assert_eq!((counts.records, counts.calls), (14, 14));
    assert_eq!(
        (counts.answered, counts.unanswered, counts.unmapped),
        (11, 3, 0)
    );
    assert_eq!(
        stored(&preview),
        vec![
            ("TLFIND".into(), day(2023, 7, 26), 8),
            ("TLFUD".into(), day(2023, 7, 26), 3),
        ]
    );
    assert!(preview.refusal().is_none());
    let staged = preview.totals.staged.unwrap();
    totals::commit(store, &coordinator(), Some(koege()), staged)
        .await
        .unwrap();
    let entries = totals::entries(store, Some(koege())).await.unwrap();
    assert_eq!(entries[0].batch.kind, totals::CDR_KIND);
    assert_eq!(entries[0].sum, 11);

    // The same log again: recognised; another file for that day: overlaps.
    let again = preview_cdr(store, fixture("asterisk_cdr_custom_Master.csv"), true).await;
    assert!(again.totals.duplicate_of.is_some());
    let mut other = fixture("asterisk_cdr_custom_Master.csv");
    other.extend_from_slice(b"\n");
    let overlapping = preview_cdr(store, other, true).await;
    assert_eq!(overlapping.totals.overlaps.len(), 2);
    assert!(
        overlapping.totals.overlaps[0].contains("indlæst fra telefonsystemets fil «Master.csv»")
    );
    assert!(overlapping.totals.staged.is_none());
}

#[tokio::test]
async fn legs_of_one_call_are_counted_once_and_unanswered_calls_are_left_out() {
    let db = app().await;
    let store = db.store.as_ref();
    rule(store, "dcontext", "equals", "CONTEXT", "in").await;
    // Five records of one call (same uniqueid): answered, so one call in.
    let preview = preview_cdr(store, fixture("asterisk_cdr_csv_dispositions.csv"), false).await;
    assert_eq!((preview.counts.records, preview.counts.calls), (5, 1));
    assert_eq!(preview.counts.answered, 1);
    assert_eq!(
        stored(&preview),
        vec![("TLFIND".into(), day(2009, 1, 14), 1)],
        "only incoming: the mapping has no rule for outgoing"
    );
    let legs: Vec<(&str, u64)> = preview
        .counts
        .dispositions
        .iter()
        .map(|(d, n)| (d.code(), *n))
        .collect();
    assert_eq!(
        legs,
        vec![
            ("ANSWERED", 2),
            ("NO ANSWER", 1),
            ("BUSY", 1),
            ("FAILED", 1),
            ("CONGESTION", 0)
        ]
    );

    // A queue call in the 21-column layout: the trunk leg rings out
    // unanswered, the agent's leg (a Local channel no rule knows) answers;
    // one linkedid, so one incoming call. A second call is never answered.
    rule(store, "channel", "prefix", "SIP/trunk-", "in").await;
    rule(store, "dstchannel", "prefix", "SIP/trunk-", "out").await;
    let log = "\"\",\"20123456\",\"70\",\"from-trunk\",\"\"\"Borger\"\" <20123456>\",\"SIP/trunk-0000001a\",\"Local/201@agents-00000003;1\",\"Queue\",\"borgerservice\",\"2025-10-21 09:14:02\",\"\",\"2025-10-21 09:14:30\",28,0,\"NO ANSWER\",\"DOCUMENTATION\",\"1761030842.31\",\"\",\"\",\"1761030842.31\",\"41\"\n\
               \"\",\"20123456\",\"201\",\"agents\",\"\"\"Borger\"\" <20123456>\",\"Local/201@agents-00000003;2\",\"SIP/201-0000001b\",\"Dial\",\"SIP/201\",\"2025-10-21 09:14:05\",\"2025-10-21 09:14:09\",\"2025-10-21 09:18:40\",275,271,\"ANSWERED\",\"DOCUMENTATION\",\"1761030845.32\",\"\",\"\",\"1761030842.31\",\"42\"\n\
               \"\",\"201\",\"56781234\",\"internal\",\"\"\"Skranke\"\" <201>\",\"SIP/201-0000001c\",\"SIP/trunk-0000001d\",\"Dial\",\"SIP/trunk/56781234\",\"2025-10-21 23:59:50\",\"2025-10-22 00:00:03\",\"2025-10-22 00:02:00\",130,117,\"ANSWERED\",\"DOCUMENTATION\",\"1761083990.40\",\"\",\"\",\"1761083990.40\",\"50\"\n\
               \"\",\"20999999\",\"70\",\"from-trunk\",\"\",\"SIP/trunk-0000001e\",\"\",\"Queue\",\"borgerservice\",\"2025-10-22 10:00:00\",\"\",\"2025-10-22 10:00:40\",40,0,\"BUSY\",\"DOCUMENTATION\",\"1761120000.41\",\"\",\"\",\"1761120000.41\",\"51\"\n";
    let preview = preview_cdr(store, log.as_bytes().to_vec(), true).await;
    assert!(
        preview.totals.problems.is_empty(),
        "{}",
        preview.totals.problems
    );
    assert_eq!((preview.counts.records, preview.counts.calls), (4, 3));
    assert_eq!((preview.counts.answered, preview.counts.unanswered), (2, 1));
    assert_eq!(
        stored(&preview),
        vec![
            ("TLFIND".into(), day(2025, 10, 21), 1),
            ("TLFUD".into(), day(2025, 10, 21), 1),
            ("TLFIND".into(), day(2025, 10, 22), 0),
            ("TLFUD".into(), day(2025, 10, 22), 0),
        ],
        "a call counts on the day it started; a day with only a busy call is 0"
    );
}

#[tokio::test]
async fn calls_no_rule_matches_are_shown_unmapped_and_never_stored() {
    let db = app().await;
    let store = db.store.as_ref();
    rule(store, "channel", "prefix", "SIP/", "in").await;
    let preview = preview_cdr(store, fixture("asterisk_cdr_csv_Master.csv"), false).await;
    assert_eq!(preview.layout, "cdr_csv (Asterisks standard)");
    assert_eq!((preview.counts.answered, preview.counts.unmapped), (2, 2));
    assert_eq!(
        preview.counts.unmapped_kinds,
        vec![("dcontext «default», channel «Console/dsp»".to_owned(), 2)]
    );
    assert_eq!(
        stored(&preview),
        vec![("TLFIND".into(), day(2010, 4, 2), 0)]
    );
}

#[tokio::test]
async fn a_call_log_with_a_broken_record_stores_nothing() {
    let db = app().await;
    let store = db.store.as_ref();
    rule(store, "dcontext", "equals", "default", "in").await;
    let mut bytes = fixture("asterisk_cdr_csv_Master.csv");
    bytes.extend_from_slice(
        b"\"\",\"\",\"1\",\"default\",\"\",\"Console/dsp\",\"\",\"Hangup\",\"\",\"2010-04-02 25:00:00\",\"\",\"2010-04-02 00:40:09\",7,7,\"ANSWERED\",\"DOCUMENTATION\",\"1270168443.0\",\"\"\n",
    );
    let preview = preview_cdr(store, bytes, true).await;
    assert_eq!(preview.totals.problems.total(), 1);
    assert_eq!(preview.totals.problems.kept()[0].line, 3);
    assert_eq!(
        preview.totals.problems.kept()[0].column.as_deref(),
        Some("start")
    );
    assert!(preview.totals.staged.is_none());
    assert!(preview.refusal().unwrap().contains("1 fejl"));
    nothing_stored(store).await;
}

#[tokio::test]
async fn rules_are_audited_and_kept_per_municipality() {
    let db = app().await;
    let store = db.store.as_ref();
    rule(store, "dcontext", "equals", "from-trunk", "in").await;
    let rules = store.list_cdr_rules(koege()).await.unwrap();
    assert_eq!(
        phone::describe_rule(&rules[0].rule),
        "dcontext er «from-trunk» → indgående"
    );
    let refused = phone::create_rule(
        store,
        &coordinator(),
        koege(),
        &CdrRuleInput {
            field: "userfield".into(),
            matching: "".into(),
            pattern: " ".into(),
            direction: "begge".into(),
        },
    )
    .await;
    let text = match refused {
        Err(CoreError::Invalid(text)) => text,
        other => panic!("{other:?}"),
    };
    assert_eq!(text.lines().count(), 4, "a problem a line: {text}");
    phone::delete_rule(store, &coordinator(), koege(), rules[0].id)
        .await
        .unwrap();
    assert!(store.list_cdr_rules(koege()).await.unwrap().is_empty());
    let audit = store.list_audit(Some(koege()), 10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .map(|a| (a.entry.action.as_str(), a.entry.entity.as_str()))
            .collect::<Vec<_>>(),
        vec![("delete", "cdr_rule"), ("create", "cdr_rule")]
    );
    assert!(
        phone::delete_rule(store, &coordinator(), koege(), rules[0].id)
            .await
            .is_err()
    );
}

// --- national deliveries ---------------------------------------------------------------

#[tokio::test]
async fn national_figures_are_delivered_per_municipality_and_deleted_whole() {
    let db = app().await;
    let store = db.store.as_ref();
    let admin = Actor::command_line();
    let bad =
        "Kommune;Fra;Til;Antal\n259;01-01-2025;31-12-2025;61.234\n100;01-01-2025;31-12-2025;5\n\
               101;01-01-2025;31-12-2025;512345\n101;01-06-2025;30-06-2025;1\n";
    let preview = totals::preview_national_file(
        store,
        &admin,
        TotalMeasure::BorgerdkLogins,
        "borgerdk.csv",
        bad.as_bytes(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(preview.problems.total(), 1);
    assert!(preview.problems.kept()[0].message.contains("100"));
    assert_eq!(preview.overlaps.len(), 1, "{:?}", preview.overlaps);
    assert!(preview.overlaps[0].starts_with("Linje 5: Logins på borger.dk, København (101)"));
    assert!(preview.staged.is_none());
    assert!(store.list_totals(None).await.unwrap().is_empty());

    let good = "Kommune;Fra;Til;Antal\n259;01-01-2025;31-12-2025;61.234\n101;01-01-2025;31-12-2025;512345\n";
    let preview = totals::preview_national_file(
        store,
        &admin,
        TotalMeasure::BorgerdkLogins,
        "borgerdk.csv",
        good.as_bytes(),
        true,
    )
    .await
    .unwrap();
    let batch = totals::commit(store, &admin, None, preview.staged.unwrap())
        .await
        .unwrap();
    // The same file as NemID issued is another measure, not a duplicate.
    let nemid = totals::preview_national_file(
        store,
        &admin,
        TotalMeasure::NemidIssued,
        "borgerdk.csv",
        good.as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert!(nemid.importable());
    let central = totals::central_for(store, koege()).await.unwrap();
    assert_eq!(central.len(), 1);
    assert_eq!(central[0].total.count, 61_234);
    assert!(totals::entries(store, Some(koege()))
        .await
        .unwrap()
        .is_empty());
    let national = totals::entries(store, None).await.unwrap();
    assert_eq!((national.len(), national[0].sum), (1, 573_579));
    assert!(
        totals::delete(store, &coordinator(), Some(koege()), batch.id)
            .await
            .is_err()
    );
    totals::delete(store, &admin, None, batch.id).await.unwrap();
    assert!(totals::central_for(store, koege())
        .await
        .unwrap()
        .is_empty());
}
