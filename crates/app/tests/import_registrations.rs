//! `komhen import registrations` as a coordinator runs it, on the test
//! backend (`KOMHEN_TEST_DATABASE_URL`, SQLite when unset): a Landkort
//! extract saved again with other bytes is recognised as imported, and a
//! file on days and units an earlier import holds needs `--replace` or
//! `--add`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use komhen_backend::testing::TestStore;
use komhen_domain::MunicipalityCode;
use komhen_store::RegistrationFilter;
mod common;

use common::{komhen, Run};

const LANDKORT_SAMPLE: &str =
    include_str!("../../ingest/tests/data/koege_2013_landkort_raadata_sample.csv");

fn import(url: &str, file: &std::path::Path, flags: &[&str]) -> Run {
    let file = file.to_str().unwrap();
    let args = [
        &["import", "registrations", file, "--municipality", "259"][..],
        flags,
    ]
    .concat();
    komhen(&[&args[..], &["--database-url", url]].concat())
}

async fn inquiries(db: &TestStore) -> i64 {
    db.store
        .list_registrations(
            MunicipalityCode::new(259).unwrap(),
            &RegistrationFilter {
                limit: 100_000,
                ..RegistrationFilter::default()
            },
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.quantity)
        .sum()
}

#[tokio::test]
async fn an_extract_saved_again_is_refused_and_an_overlapping_file_needs_a_choice() {
    let db = TestStore::new().await;
    let url = db.url.clone();
    assert!(komhen(&["migrate", "--database-url", &url]).ok);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    let original = write("koege-data.csv", LANDKORT_SAMPLE.as_bytes());
    let first = import(&url, &original, &[]);
    assert!(first.ok, "{}", first.out);
    assert!(first.out.contains("Indlæst som batch"), "{}", first.out);
    let stored = inquiries(&db).await;
    assert_eq!(stored, 44);

    let newline = write(
        "koege-data-igen.csv",
        format!("{LANDKORT_SAMPLE}\n").as_bytes(),
    );
    let windows = write(
        "koege-data-ansi.csv",
        &encoding_rs::WINDOWS_1252
            .encode(&LANDKORT_SAMPLE.replace('\n', "\r\n"))
            .0,
    );
    for (path, flags) in [
        (&newline, &[][..]),
        (&windows, &[][..]),
        (&windows, &["--add"][..]),
    ] {
        let again = import(&url, path, flags);
        assert!(!again.ok, "{}", again.out);
        assert!(again.out.contains("Filen er indlæst før"), "{}", again.out);
        assert_eq!(inquiries(&db).await, stored, "never twice");
    }
    let replaced = import(&url, &windows, &["--replace"]);
    assert!(replaced.ok, "{}", replaced.out);
    assert!(
        replaced.out.contains("Erstattede batch"),
        "{}",
        replaced.out
    );
    assert_eq!(inquiries(&db).await, stored);

    // A codebook file with one row on a unit, task, channel and day of the extract.
    let codebook = write(
        "koesystem.csv",
        b"Kommune;Enhed;Opgave;Kanal;Dato;Antal\n259;259sek;15.20.00;PPRUD;21-10-2013;3\n",
    );
    let dry = import(&url, &codebook, &["--dry-run"]);
    assert!(dry.ok, "{}", dry.out);
    assert!(
        dry.out
            .contains("1 af filens 1 række ligger på dage og enheder"),
        "{}",
        dry.out
    );
    assert!(dry.out.contains("--replace"), "{}", dry.out);
    let unchosen = import(&url, &codebook, &[]);
    assert!(!unchosen.ok, "{}", unchosen.out);
    assert!(
        unchosen.out.contains("Vælg, om filen skal erstatte"),
        "{}",
        unchosen.out
    );
    assert_eq!(inquiries(&db).await, stored, "nothing stored");
    let both = import(&url, &codebook, &["--replace", "--add"]);
    assert!(!both.ok, "{}", both.out);
    let added = import(&url, &codebook, &["--add"]);
    assert!(added.ok, "{}", added.out);
    assert_eq!(inquiries(&db).await, stored + 3, "added to the extract");
}
