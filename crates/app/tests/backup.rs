//! `komhen backup` and `komhen restore` as an operator runs them, on the
//! backend `KOMHEN_TEST_DATABASE_URL` names (SQLite files when unset):
//! every figure is the same after a round trip, and the restored database
//! takes new registrations and set-up changes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use common::{demo, fails, succeeds};
use komhen_backend::testing::EmptyDatabase;

const FIGURES: &str = "fra=2024-01-01&til=2027-12-31&grupper=kommune,enhed,opgave,kanal";

fn figures(url: &str, query: &str) -> String {
    succeeds(&["report", query, "--format", "csv", "--database-url", url])
}

#[tokio::test]
async fn a_restored_backup_has_every_figure_and_takes_new_registrations() {
    let source = EmptyDatabase::new().await;
    demo(&source.url);
    let before = figures(&source.url, FIGURES);
    assert!(before.lines().count() > 100, "{before}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("komhen.backup");
    let file = file.to_str().unwrap();
    let said = succeeds(&["backup", file, "--database-url", &source.url]);
    assert!(said.contains("Sikkerhedskopi skrevet"), "{said}");
    let again = fails(&["backup", file, "--database-url", &source.url]);
    assert!(again.contains("findes allerede"), "{again}");

    let refused = fails(&["restore", file, "--database-url", &source.url]);
    assert!(
        refused.contains("har allerede data") && refused.contains("--force"),
        "{refused}"
    );

    let target = EmptyDatabase::new().await;
    let said = succeeds(&["restore", file, "--database-url", &target.url]);
    assert!(said.contains("er gendannet"), "{said}");
    assert_eq!(figures(&target.url, FIGURES), before);

    // New rows and audited changes get ids of their own after a restore
    // (PostgreSQL's sequences come back with the data).
    let query = "fra=2024-01-01&til=2027-12-31&kanal=TLFIND";
    let extract = dir.path().join("tlf.csv");
    let extract = extract.to_str().unwrap();
    succeeds(&[
        "export",
        "registrations",
        "--municipality",
        "259",
        query,
        "--output",
        extract,
        "--database-url",
        &target.url,
    ]);
    let phone = "kommune=259&fra=2024-01-01&til=2027-12-31&kanal=TLFIND";
    let once = figures(&target.url, phone);
    succeeds(&[
        "import",
        "registrations",
        extract,
        "--municipality",
        "259",
        "--database-url",
        &target.url,
    ]);
    let twice = figures(&target.url, phone);
    assert_ne!(once, twice, "the imported rows count");
    succeeds(&[
        "test-mode",
        "--municipality",
        "259",
        "off",
        "--database-url",
        &target.url,
    ]);

    let forced = succeeds(&["restore", file, "--force", "--database-url", &target.url]);
    assert!(forced.contains("er gendannet"), "{forced}");
    assert_eq!(figures(&target.url, FIGURES), before);
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("noget.txt");
    std::fs::write(&file, "Kanal;Fra;Til;Antal\n").unwrap();
    let target = EmptyDatabase::new().await;
    let refused = fails(&[
        "restore",
        file.to_str().unwrap(),
        "--database-url",
        &target.url,
    ]);
    assert!(refused.contains("er ikke en sikkerhedskopi"), "{refused}");
}
