//! `komhen export setup` and `komhen import setup` with the registrations'
//! extract, on the backend `KOMHEN_TEST_DATABASE_URL` names: a
//! municipality's set-up and extract taken from one installation and
//! imported into a fresh one give the same figures; a second import
//! changes nothing; a clash is refused whole, named.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use common::{demo, output as komhen, succeeds};
use komhen_backend::testing::EmptyDatabase;

const DATES: &str = "fra=2024-01-01&til=2027-12-31";

fn figures(url: &str, groups: &str) -> String {
    let query = format!("kommune=259&{DATES}&grupper={groups}");
    succeeds(&["report", &query, "--format", "csv", "--database-url", url])
}

#[tokio::test]
async fn a_setup_and_its_extract_give_the_same_figures_in_a_fresh_installation() {
    let source = EmptyDatabase::new().await;
    demo(&source.url);
    let dir = tempfile::tempdir().unwrap();
    let setup = dir.path().join("opsaetning-259.json");
    let setup = setup.to_str().unwrap();
    let extract = dir.path().join("udtraek-259.csv");
    let extract = extract.to_str().unwrap();
    succeeds(&[
        "export",
        "setup",
        "--municipality",
        "259",
        setup,
        "--database-url",
        &source.url,
    ]);
    let json = std::fs::read_to_string(setup).unwrap();
    assert!(json.contains("\"format\": \"komhen-opsaetning\""), "{json}");
    assert!(json.contains("259borgerservice"), "{json}");
    assert!(
        !json.contains("password") && !json.contains("$argon2"),
        "never a password"
    );
    succeeds(&[
        "export",
        "registrations",
        "--municipality",
        "259",
        DATES,
        "--output",
        extract,
        "--database-url",
        &source.url,
    ]);

    let target = EmptyDatabase::new().await;
    succeeds(&["migrate", "--database-url", &target.url]);
    let said = succeeds(&["import", "setup", setup, "--database-url", &target.url]);
    assert!(said.contains("er indlæst"), "{said}");
    let again = succeeds(&["import", "setup", setup, "--database-url", &target.url]);
    assert!(again.contains("intet er ændret"), "{again}");
    succeeds(&[
        "import",
        "registrations",
        extract,
        "--municipality",
        "259",
        "--database-url",
        &target.url,
    ]);
    for groups in ["enhed,opgave,kanal", "type,afslutning,kanal"] {
        let before = figures(&source.url, groups);
        assert!(before.lines().count() > 5, "{before}");
        assert_eq!(figures(&target.url, groups), before, "grouped by {groups}");
    }
    // A department's code is its row's id, which the new installation
    // chooses itself: the names and figures are the same.
    let by_name = |url: &str| -> Vec<String> {
        figures(url, "forvaltning,kanal")
            .lines()
            .map(|line| {
                line.split_once(';')
                    .map_or(line, |(_, rest)| rest)
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(by_name(&target.url), by_name(&source.url));

    // The unit renamed in the file: refused whole, the clash named.
    let renamed = json.replacen(
        "\"login\": \"259borgerservice\",\n      \"name\": \"",
        "\"login\": \"259borgerservice\",\n      \"name\": \"Omdøbt ",
        1,
    );
    assert_ne!(renamed, json);
    let clash = dir.path().join("clash.json");
    std::fs::write(&clash, renamed).unwrap();
    let out = komhen(&[
        "import",
        "setup",
        clash.to_str().unwrap(),
        "--database-url",
        &target.url,
    ]);
    assert!(!out.status.success());
    let refused = String::from_utf8_lossy(&out.stderr);
    assert!(
        refused.contains("enheden 259borgerservice findes, men hedder"),
        "{refused}"
    );
    let still = succeeds(&["import", "setup", setup, "--database-url", &target.url]);
    assert!(still.contains("intet er ændret"), "{still}");
}
