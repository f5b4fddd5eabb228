//! Importing registration files: every problem at once and nothing stored
//! for a bad file; every row exactly once for a good one; the same file
//! recognised; Landkort history unedited. On the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::files::{self, Choice, FileKind, Upload};
use komhen_domain::{MunicipalityCode, Source};
use komhen_ingest::Limits;
use komhen_store::{BatchStatus, NewUnit, RegistrationFilter, Store};
use komhen_store_conformance::SetupShortcuts;
use std::io::Write;
use std::path::PathBuf;

const LANDKORT_SAMPLE: &str =
    include_str!("../../ingest/tests/data/koege_2013_landkort_raadata_sample.csv");

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

struct Fixture {
    db: TestStore,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestStore::new().await;
        let store = db.store.as_ref();
        komhen_core::reference::migrate_and_load(store)
            .await
            .unwrap();
        let unit = store
            .create_unit(&NewUnit {
                municipality: koege(),
                department: None,
                name: "Sekretariatet".into(),
                login: "259sek".into(),
                password_hash: None,
            })
            .await
            .unwrap();
        let pas = store
            .list_tasks(koege())
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.kle.as_str() == "23.09.02")
            .unwrap();
        store.assign_tasks(koege(), unit, &[pas.id]).await.unwrap();
        Self {
            db,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        path
    }

    async fn preview(&self, kind: FileKind, path: &std::path::Path) -> files::Preview {
        files::preview(
            self.store(),
            koege(),
            &Upload {
                kind,
                path,
                file_name: "fil.csv",
                limits: Limits::default(),
            },
        )
        .await
        .unwrap()
    }

    async fn import(
        &self,
        kind: FileKind,
        path: &std::path::Path,
        choice: Choice,
    ) -> komhen_core::CoreResult<files::Imported> {
        files::import(
            self.store(),
            &Actor::command_line(),
            koege(),
            &Upload {
                kind,
                path,
                file_name: "fil.csv",
                limits: Limits::default(),
            },
            choice,
            &mut |_| {},
        )
        .await
    }

    async fn rows(&self) -> Vec<komhen_store::RegistrationRow> {
        self.store()
            .list_registrations(
                koege(),
                &RegistrationFilter {
                    limit: 1_000_000,
                    ..RegistrationFilter::default()
                },
            )
            .await
            .unwrap()
    }
}

/// Windows-1252, as Excel saves a Danish CSV.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'æ' => 0xE6,
            'ø' => 0xF8,
            'å' => 0xE5,
            'Æ' => 0xC6,
            'Ø' => 0xD8,
            'Å' => 0xC5,
            c => u8::try_from(u32::from(c)).unwrap(),
        })
        .collect()
}

const GOOD: &str =
    "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal;Køn\r\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025;09:15;1;Kvinde\r\n\
259;259sek;23.09.02;PRSNLG;OPRET;HOLD;JA;21.10.2025;10:00;3;\r\n\
259;259sek;23.05.10;EMLIND;INFO;HOLD;NEJ;2025-10-22;;2;M\r\n\
259;;23.05.10;EMLIND;INFO;HOLD;NEJ;2025-10-22;;1;\r\n";

#[tokio::test]
async fn a_good_codebook_file_is_stored_once_and_recognised_again() {
    let f = Fixture::new().await;
    let path = f.file("god.csv", &cp1252(GOOD));
    let preview = f.preview(FileKind::Codebook, &path).await;
    assert!(preview.importable(), "{}", preview.problems);
    assert_eq!(
        (preview.rows, preview.valid_rows, preview.inquiries),
        (4, 4, 7)
    );
    assert!(
        preview.format.contains("Windows-1252"),
        "{}",
        preview.format
    );
    assert_eq!(preview.warnings.len(), 1, "{:?}", preview.warnings);
    assert!(
        preview.warnings[0].message.contains("ikke tildelt"),
        "23.05.10 is not the unit's"
    );
    assert!(f.rows().await.is_empty(), "a preview stores nothing");

    let imported = f
        .import(FileKind::Codebook, &path, Choice::Unmade)
        .await
        .unwrap();
    assert_eq!((imported.rows, imported.inquiries), (4, 7));
    assert_eq!(imported.batch.status, BatchStatus::Committed);
    let rows = f.rows().await;
    assert_eq!(rows.len(), 4);
    assert_eq!(rows.iter().map(|r| r.quantity).sum::<i64>(), 7);
    assert!(rows.iter().all(|r| r.source == Source::Upload));
    let answers: usize = {
        let mut n = 0;
        for r in &rows {
            n += f.store().list_answers(koege(), r.id).await.unwrap().len();
        }
        n
    };
    assert_eq!(answers, 2, "the Køn column is stored as answers");
    let phone = rows
        .iter()
        .find(|r| r.channel.as_str() == "TLFIND")
        .unwrap();
    assert_eq!(phone.hour, 9, "Danish local time");

    // The same file again: recognised and refused, or replacing.
    let again = f
        .import(FileKind::Codebook, &path, Choice::Unmade)
        .await
        .err()
        .unwrap();
    assert!(again.to_string().contains("indlæst før"), "{again}");
    assert_eq!(f.rows().await.len(), 4, "never twice");
    let replaced = f
        .import(FileKind::Codebook, &path, Choice::Replace)
        .await
        .unwrap();
    assert_eq!(replaced.replaced[0].id, imported.batch.id);
    assert_eq!(f.rows().await.len(), 4, "replaced, not doubled");
}

#[tokio::test]
async fn a_bad_file_reports_every_problem_and_stores_nothing() {
    let f = Fixture::new().await;
    let bad = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Ekstra\n\
259;259sek;23.09.02;TLF;VEJL;STRAKS;;21-10-2025;x\n\
259;259xyz;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025;x\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;2025/10/21;x\n\
101;259sek;99.99.99;TLFIND;VEJL;STRAKS;;21-10-2025;x\n\
259;259abc;23.09.02;TLFIND;VEJL;STRAKS;;45-13-2025;x\n";
    let path = f.file("bad.csv", bad.as_bytes());
    let preview = f.preview(FileKind::Codebook, &path).await;
    assert!(!preview.importable());
    let text = preview.problems.to_string();
    assert!(text.contains("Ekstra"), "an unknown extra column: {text}");

    let no_extra = bad.replace(";Ekstra", "").replace(";x", "");
    let path = f.file("bad2.csv", no_extra.as_bytes());
    let preview = f.preview(FileKind::Codebook, &path).await;
    let text = preview.problems.to_string();
    for expected in ["TLF", "259xyz", "2025/10/21", "kommune 101", "99.99.99"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert_eq!(preview.problems.bad_rows(), 5);
    let last: Vec<&str> = preview
        .problems
        .kept()
        .iter()
        .filter(|p| p.line == 6)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(
        last.len(),
        2,
        "a bad date and an unknown unit on one line, at once: {last:?}"
    );
    let err = f
        .import(FileKind::Codebook, &path, Choice::Unmade)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("ikke indlæst"), "{err}");
    assert!(f.rows().await.is_empty(), "nothing stored");
    assert!(f
        .store()
        .list_batches(Some(koege()))
        .await
        .unwrap()
        .is_empty());

    let missing = f.file(
        "missing.csv",
        b"Kommune;Enhed;Kanal;Dato\n259;259sek;TLFIND;21-10-2025\n",
    );
    let preview = f.preview(FileKind::Codebook, &missing).await;
    assert!(
        preview.problems.to_string().contains("Opgave"),
        "{}",
        preview.problems
    );

    let binary = f.file("binary.csv", &[0xD0, 0xCF, 0x11, 0xE0, 0, 1, 2, 3]);
    let preview = f.preview(FileKind::Codebook, &binary).await;
    assert!(
        preview.problems.to_string().contains(".xls"),
        "{}",
        preview.problems
    );
}

#[tokio::test]
async fn a_hundred_thousand_bad_rows_come_back_as_one_group_and_nothing_is_stored() {
    let f = Fixture::new().await;
    let mut text = String::from("Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n");
    for _ in 0..100_000 {
        text.push_str("259;259sek;23.09.02;TLFUKENDT;VEJL;STRAKS;;21-10-2025\n");
    }
    let path = f.file("many.csv", text.as_bytes());
    let preview = f.preview(FileKind::Codebook, &path).await;
    assert_eq!(preview.problems.bad_rows(), 100_000);
    assert_eq!(preview.problems.groups().len(), 1, "{}", preview.problems);
    assert_eq!(preview.problems.groups()[0].count, 100_000);
    assert_eq!(
        preview.problems.groups()[0].first_lines,
        vec![2, 3, 4, 5, 6]
    );
    assert!(f
        .import(FileKind::Codebook, &path, Choice::Unmade)
        .await
        .is_err());
    assert!(f.rows().await.is_empty());
}

#[tokio::test]
async fn an_upload_on_days_the_unit_registered_itself_warns_with_the_overlap() {
    let f = Fixture::new().await;
    let store = f.store();
    let unit = store.find_unit_by_login("259sek").await.unwrap().unwrap();
    let pas = store
        .list_unit_tasks(koege(), unit.id)
        .await
        .unwrap()
        .remove(0);
    let when = komhen_domain::danish_instant(
        chrono::NaiveDate::from_ymd_opt(2025, 10, 21).unwrap(),
        11,
        0,
    )
    .unwrap();
    store
        .insert_registration(&komhen_domain::NewRegistration {
            municipality: koege(),
            unit: Some(unit.id),
            task: pas.id,
            channel: komhen_domain::ChannelCode::parse("TLFIND").unwrap(),
            inquiry_type: None,
            completion: None,
            has_form: None,
            registered_at: when,
            duration_ms: None,
            quantity: 4,
            source: Source::Tool,
            is_test: false,
            idempotency_key: None,
            answers: vec![],
        })
        .await
        .unwrap();
    let path = f.file("god.csv", &cp1252(GOOD));
    let preview = f.preview(FileKind::Codebook, &path).await;
    let overlap = preview.overlap.clone().unwrap();
    assert_eq!(
        (
            overlap.cells,
            overlap.file_inquiries,
            overlap.tool_inquiries
        ),
        (1, 1, 4)
    );
    assert_eq!(overlap.examples[0].0, "259sek");
    assert!(preview.importable(), "a warning, not a problem");
}

#[tokio::test]
async fn the_landkort_sample_imports_unedited_and_adds_up_to_the_file() {
    let f = Fixture::new().await;
    // The portal wrote Windows-1252 with CRLF.
    let original = cp1252(&LANDKORT_SAMPLE.replace('\n', "\r\n"));
    let path = f.file("koege-data.csv", &original);
    assert_eq!(FileKind::detect(&path).unwrap(), FileKind::Landkort);
    let preview = f.preview(FileKind::Landkort, &path).await;
    assert!(preview.importable(), "{}", preview.problems);
    // Count the file independently: channel and type per data line.
    let mut expected = std::collections::BTreeMap::new();
    for line in LANDKORT_SAMPLE.lines().skip(1).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(';').collect();
        *expected
            .entry((cells[4].to_owned(), cells[5].to_owned()))
            .or_insert(0i64) += 1;
    }
    assert_eq!(preview.valid_rows, expected.values().sum::<i64>() as u64);
    assert!(
        preview
            .creations
            .tasks
            .iter()
            .any(|(kle, _, _)| kle.as_str() == "15.20.00"),
        "{:?}",
        preview.creations
    );
    f.import(FileKind::Landkort, &path, Choice::Unmade)
        .await
        .unwrap();
    let mut stored = std::collections::BTreeMap::new();
    for r in f.rows().await {
        let key = (
            r.channel.to_string(),
            r.inquiry_type
                .map(|t| t.code().to_owned())
                .unwrap_or_default(),
        );
        *stored.entry(key).or_insert(0i64) += r.quantity;
    }
    assert_eq!(stored, expected);
}

#[tokio::test]
async fn landkort_history_with_group_codes_pseudo_codes_empty_units_and_questions_imports() {
    let f = Fixture::new().await;
    let extract = "Kommune;ID;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;StartTidspunkt;SlutTidspunkt;Datakilde;Er borgeren over eller under 65 år?;\n\
Køge;259;259sek;15.20.00;PPRUD;INFO;HOLD;NEJ;21-10-2013 00:00:00;21-10-2013 00:00:00;21-10-2013 00:00:00;DetDigitaleLandkort;;\n\
Køge;259;259borgerservice;29.03.99;PRSNLG;OPRET;STRAKS;JA;22-10-2013 10:14:05;22-10-2013 10:14:05;22-10-2013 10:14:41;Tracetool;Over 65;\n\
Køge;259;;15.20;TLFIND;VEJL;STRAKS;NEJ;23-10-2013 09:00:00;23-10-2013 09:00:00;23-10-2013 09:00:20;Tracetool;Under 65;\n";
    let path = f.file("historik.csv", &cp1252(extract));
    let preview = f.preview(FileKind::Landkort, &path).await;
    assert!(preview.importable(), "{}", preview.problems);
    assert_eq!(preview.creations.units, vec!["259borgerservice".to_owned()]);
    assert_eq!(
        preview.creations.questions,
        vec!["Er borgeren over eller under 65 år?".to_owned()]
    );
    let codes: Vec<&str> = preview
        .creations
        .tasks
        .iter()
        .map(|(kle, _, _)| kle.as_str())
        .collect();
    assert!(
        codes.contains(&"15.20") && codes.contains(&"15.20.00"),
        "{codes:?}"
    );
    let pseudo = preview
        .creations
        .tasks
        .iter()
        .find(|(kle, _, _)| kle.as_str() == "29.03.99");
    assert!(
        pseudo.is_none(),
        "29.03.99 is a national task of the package"
    );

    f.import(FileKind::Landkort, &path, Choice::Unmade)
        .await
        .unwrap();
    let rows = f.rows().await;
    assert_eq!(rows.len(), 3);
    let visit = rows
        .iter()
        .find(|r| r.channel.as_str() == "PRSNLG")
        .unwrap();
    assert_eq!(visit.duration_ms, Some(36_000));
    assert_eq!(
        visit.source,
        Source::Tool,
        "Tracetool rows were registered in the tool"
    );
    let unit = f
        .store()
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    assert!(!unit.active, "a unit of the past, kept inactive");
    assert_eq!(visit.unit, Some(unit.id));
    let answers = f.store().list_answers(koege(), visit.id).await.unwrap();
    assert_eq!(answers[0].text.as_deref(), Some("Over 65"));
    let tasks = f.store().list_tasks(koege()).await.unwrap();
    let group = tasks.iter().find(|t| t.kle.as_str() == "15.20").unwrap();
    assert_eq!(
        group.kind,
        komhen_domain::TaskCodeKind::Group,
        "group codes stay distinct"
    );
}

#[tokio::test]
async fn an_extract_whose_unit_cannot_be_a_login_is_refused_by_the_dry_run_and_leaves_nothing() {
    let f = Fixture::new().await;
    let extract = "Kommune;ID;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;StartTidspunkt;SlutTidspunkt;Datakilde\n\
Køge;259;259borgerservice;29.03.99;PRSNLG;OPRET;STRAKS;JA;22-10-2013 10:14:05;22-10-2013 10:14:05;22-10-2013 10:14:41;Tracetool\n\
Køge;259;\"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";29.03.99;PRSNLG;OPRET;STRAKS;JA;22-10-2013 10:20:00;22-10-2013 10:20:00;22-10-2013 10:20:30;Tracetool\n";
    let path = f.file("historik.csv", &cp1252(extract));
    let units_before = f.store().list_units(koege()).await.unwrap().len();

    let preview = f.preview(FileKind::Landkort, &path).await;
    assert!(
        !preview.importable(),
        "the dry run refuses what the import would"
    );
    let text = preview.problems.to_string();
    assert!(
        text.contains("kan ikke oprettes") && text.contains("kommunekoden 259"),
        "{text}"
    );
    let err = f
        .import(FileKind::Landkort, &path, Choice::Unmade)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("fejl"), "{err}");
    assert_eq!(
        f.store().list_units(koege()).await.unwrap().len(),
        units_before,
        "no unit is left behind"
    );
    assert!(f.rows().await.is_empty());
}

#[tokio::test]
async fn set_up_made_for_an_import_goes_with_a_batch_that_never_commits() {
    use komhen_store::{ImportSetup, NewAuditEntry, NewBatch, NewLocalTask, SetupChange};
    let f = Fixture::new().await;
    let store = f.store();
    let units_before = store.list_units(koege()).await.unwrap().len();
    let tasks_before = store.list_tasks(koege()).await.unwrap().len();
    let open = |name: &str| NewBatch {
        municipality: Some(koege()),
        kind: komhen_store::BatchKind::Landkort,
        file_name: name.into(),
        sha256: name.into(),
        fingerprint: None,
        created_by: "test".into(),
    };
    let audit = NewAuditEntry {
        municipality: Some(koege()),
        actor: "test".into(),
        action: "create".into(),
        entity: "import_setup".into(),
        entity_id: String::new(),
        before_json: None,
        after_json: None,
    };
    let setup = |batch, login: &str, kle: &str| {
        SetupChange::CreateImportSetup(ImportSetup {
            municipality: koege(),
            batch,
            tasks: vec![NewLocalTask {
                municipality: koege(),
                kle: komhen_domain::KleNumber::parse(kle).unwrap(),
                kind: komhen_domain::TaskCodeKind::Pseudo,
                name: format!("Opgave {kle}"),
            }],
            units: vec![NewUnit {
                municipality: koege(),
                department: None,
                name: login.into(),
                login: login.into(),
                password_hash: None,
            }],
            questions: Vec::new(),
        })
    };
    // A failed import: the set-up it made is gone with it.
    let failed = store.create_batch(&open("a")).await.unwrap();
    store
        .apply(&setup(failed, "259gammel", "99.98.01"), &audit)
        .await
        .unwrap();
    let made = store
        .find_unit_by_login("259gammel")
        .await
        .unwrap()
        .unwrap();
    assert!(!made.active, "made inactive");
    assert_eq!(
        store.list_tasks(koege()).await.unwrap().len(),
        tasks_before + 1
    );
    store.delete_batch(Some(koege()), failed).await.unwrap();
    assert!(store
        .find_unit_by_login("259gammel")
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.list_units(koege()).await.unwrap().len(), units_before);
    assert_eq!(store.list_tasks(koege()).await.unwrap().len(), tasks_before);

    // A committed import keeps it, even when the batch is deleted later.
    let kept = store.create_batch(&open("b")).await.unwrap();
    store
        .apply(&setup(kept, "259arkiv", "99.98.02"), &audit)
        .await
        .unwrap();
    store.commit_batch(kept, &[]).await.unwrap();
    store.delete_batch(Some(koege()), kept).await.unwrap();
    assert!(store
        .find_unit_by_login("259arkiv")
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store.list_tasks(koege()).await.unwrap().len(),
        tasks_before + 1
    );

    // Set-up is made only for a loading batch.
    assert!(store
        .apply(&setup(kept, "259sen", "99.98.03"), &audit)
        .await
        .is_err());
}

#[tokio::test]
async fn the_landkort_extract_saved_again_is_recognised_by_its_rows() {
    let f = Fixture::new().await;
    let path = f.file("koege-data.csv", LANDKORT_SAMPLE.as_bytes());
    let first = f
        .import(FileKind::Landkort, &path, Choice::Unmade)
        .await
        .unwrap();
    let stored = f.rows().await.len();
    assert_eq!(stored as u64, first.rows);

    // Other bytes, the same rows: one more newline at the end; Windows-1252
    // with CRLF as the portal wrote it.
    let newline = f.file(
        "koege-data (1).csv",
        format!("{LANDKORT_SAMPLE}\n").as_bytes(),
    );
    let windows = f.file(
        "koege-data-ansi.csv",
        &cp1252(&LANDKORT_SAMPLE.replace('\n', "\r\n")),
    );
    for path in [&newline, &windows] {
        let preview = f.preview(FileKind::Landkort, path).await;
        assert!(preview.importable(), "{}", preview.problems);
        assert_ne!(preview.sha256, first.batch.sha256, "other bytes");
        assert_eq!(
            preview.duplicate_of.as_ref().map(|b| b.id),
            Some(first.batch.id),
            "the same rows"
        );
        for choice in [Choice::Unmade, Choice::Add] {
            let refused = f
                .import(FileKind::Landkort, path, choice)
                .await
                .err()
                .unwrap();
            assert!(refused.to_string().contains("indlæst før"), "{refused}");
        }
        assert_eq!(f.rows().await.len(), stored, "never twice");
    }
    let replaced = f
        .import(FileKind::Landkort, &windows, Choice::Replace)
        .await
        .unwrap();
    assert_eq!(
        replaced.replaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![first.batch.id]
    );
    assert_eq!(f.rows().await.len(), stored, "replaced, not doubled");
}

#[tokio::test]
async fn a_codebook_file_with_a_blank_line_or_its_rows_reordered_is_recognised() {
    let f = Fixture::new().await;
    let path = f.file("god.csv", &cp1252(GOOD));
    let first = f
        .import(FileKind::Codebook, &path, Choice::Unmade)
        .await
        .unwrap();
    let mut lines: Vec<&str> = GOOD.lines().collect();
    let blank = f.file("god-igen.csv", format!("{GOOD}\r\n").as_bytes());
    lines[1..].reverse();
    let reordered = f.file("god-omvendt.csv", lines.join("\n").as_bytes());
    for path in [&blank, &reordered] {
        let preview = f.preview(FileKind::Codebook, path).await;
        assert_eq!(
            preview.duplicate_of.as_ref().map(|b| b.id),
            Some(first.batch.id)
        );
        let refused = f
            .import(FileKind::Codebook, path, Choice::Unmade)
            .await
            .err()
            .unwrap();
        assert!(refused.to_string().contains("indlæst før"), "{refused}");
    }
    assert_eq!(f.rows().await.len(), 4, "never twice");
    // One row more is other data: not the same file.
    let more = f.file(
        "god-plus.csv",
        format!("{GOOD}259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;23-10-2025;09:15;1;\r\n").as_bytes(),
    );
    assert!(f
        .preview(FileKind::Codebook, &more)
        .await
        .duplicate_of
        .is_none());
}

/// The same units, tasks and channels as `GOOD` on two of its days, with
/// other numbers, and one row on a day of its own.
const CORRECTED: &str = "Kommune;Enhed;Opgave;Kanal;Dato;Tidspunkt;Antal\n\
259;259sek;23.09.02;TLFIND;21-10-2025;11:00;5\n\
259;259sek;23.05.10;EMLIND;22-10-2025;;4\n\
259;259sek;23.09.02;TLFIND;23-10-2025;;1\n";

#[tokio::test]
async fn rows_on_days_and_units_an_earlier_file_holds_are_counted_and_need_a_choice() {
    let f = Fixture::new().await;
    let good = f.file("god.csv", &cp1252(GOOD));
    let first = f
        .import(FileKind::Codebook, &good, Choice::Unmade)
        .await
        .unwrap();
    let corrected = f.file("rettet.csv", CORRECTED.as_bytes());
    let preview = f.preview(FileKind::Codebook, &corrected).await;
    assert!(preview.importable(), "{}", preview.problems);
    assert!(preview.duplicate_of.is_none());
    let earlier = preview.earlier.clone().unwrap();
    assert_eq!(
        (
            earlier.of_rows,
            earlier.file_rows,
            earlier.file_inquiries,
            earlier.stored_rows,
            earlier.stored_inquiries,
            earlier.cells
        ),
        (3, 2, 9, 2, 3, 2)
    );
    assert_eq!(
        earlier.batches.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![first.batch.id]
    );
    assert!(
        earlier.summary_da().starts_with(
            "2 af filens 3 rækker ligger på dage og enheder, hvor der allerede er registreret 3 \
             henvendelser med samme opgave og kanal fra en tidligere indlæsning («fil.csv»"
        ),
        "{}",
        earlier.summary_da()
    );

    // No choice: refused, saying why and what to choose.
    let refused = f
        .import(FileKind::Codebook, &corrected, Choice::Unmade)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("2 af filens 3 rækker"), "{refused}");
    assert!(refused.contains("erstatte"), "{refused}");
    assert_eq!(f.rows().await.len(), 4, "nothing stored");

    // Replace: the earlier file is gone in the moment the new one appears.
    let replaced = f
        .import(FileKind::Codebook, &corrected, Choice::Replace)
        .await
        .unwrap();
    assert_eq!(
        replaced.replaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![first.batch.id]
    );
    let rows = f.rows().await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().map(|r| r.quantity).sum::<i64>(), 10);
    let batches = f.store().list_batches(Some(koege())).await.unwrap();
    let status = |id| batches.iter().find(|b| b.id == id).unwrap().status;
    assert_eq!(status(first.batch.id), BatchStatus::Replaced);

    // Add: both count.
    let extra = f.file(
        "ekstra.csv",
        b"Kommune;Enhed;Opgave;Kanal;Dato;Antal\n259;259sek;23.09.02;TLFIND;23-10-2025;2\n",
    );
    let preview = f.preview(FileKind::Codebook, &extra).await;
    assert_eq!(preview.earlier.as_ref().map(|e| e.file_rows), Some(1));
    let added = f
        .import(FileKind::Codebook, &extra, Choice::Add)
        .await
        .unwrap();
    assert!(added.replaced.is_empty());
    assert_eq!(f.rows().await.iter().map(|r| r.quantity).sum::<i64>(), 12);
    let batches = f.store().list_batches(Some(koege())).await.unwrap();
    let status = |id| batches.iter().find(|b| b.id == id).unwrap().status;
    assert_eq!(
        (status(replaced.batch.id), status(added.batch.id)),
        (BatchStatus::Committed, BatchStatus::Committed)
    );
}
