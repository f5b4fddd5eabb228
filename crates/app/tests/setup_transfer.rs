//! `komhen export setup` and `komhen import setup` with the registrations'
//! extract, on the backend `KOMHEN_TEST_DATABASE_URL` names: a
//! municipality's set-up and extract taken from one installation and
//! imported into a fresh one give the same figures, cost included (the
//! municipality's own prices travel with the set-up); a second import
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

/// `komhen import setup FILE`, which must fail; what it said.
fn import_refused(file: &str, url: &str) -> String {
    let out = komhen(&["import", "setup", file, "--database-url", url]);
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `komhen export setup` of Køge into the file; the document.
fn export_setup(file: &str, url: &str) -> String {
    succeeds(&[
        "export",
        "setup",
        "--municipality",
        "259",
        file,
        "--database-url",
        url,
    ]);
    std::fs::read_to_string(file).unwrap()
}

/// `komhen prices list` of Køge's prices.
fn own_prices(url: &str) -> String {
    succeeds(&[
        "prices",
        "list",
        "--municipality",
        "259",
        "--database-url",
        url,
    ])
}

/// `komhen prices set` of one of Køge's own prices from 2020.
fn set_own_price(url: &str, source: &str, price: &[&str]) {
    let mut args = vec![
        "prices",
        "set",
        "--municipality",
        "259",
        "--from",
        "2020-01-01",
        "--source",
        source,
        "--database-url",
        url,
    ];
    args.extend_from_slice(price);
    succeeds(&args);
}

/// The cost of the channels the municipality has its own prices for (from
/// before the first registration, so the national list of the source,
/// which the fresh installation lacks, never applies).
fn own_cost(url: &str, groups: &str) -> String {
    let query =
        format!("kommune=259&{DATES}&kanal=TLFIND&kanal=PRSNLG&grupper={groups}&omkostning=ja");
    succeeds(&["report", &query, "--format", "csv", "--database-url", url])
}

#[tokio::test]
async fn a_setup_and_its_extract_give_the_same_figures_in_a_fresh_installation() {
    let source = EmptyDatabase::new().await;
    demo(&source.url);
    for price in [
        &["--channel", "TLFIND", "--amount", "41,25"][..],
        &[
            "--channel",
            "PRSNLG",
            "--minutes",
            "7",
            "--hourly-cost",
            "431",
        ],
        &[
            "--channel",
            "TLFIND",
            "--task",
            "23.09.02",
            "--amount",
            "12,5",
        ],
    ] {
        set_own_price(&source.url, "Egen tidsmåling", price);
    }
    let dir = tempfile::tempdir().unwrap();
    let setup = dir.path().join("opsaetning-259.json");
    let setup = setup.to_str().unwrap();
    let extract = dir.path().join("udtraek-259.csv");
    let extract = extract.to_str().unwrap();
    let json = export_setup(setup, &source.url);
    assert!(json.contains("\"format\": \"komhen-opsaetning\""), "{json}");
    assert!(json.contains("259borgerservice"), "{json}");
    assert!(
        !json.contains("password") && !json.contains("$argon2"),
        "never a password"
    );
    assert!(json.contains("\"version\": 2"), "{json}");
    assert!(
        json.contains("\"reckoning\": \"7 min. × 431,00 kr. i timen\""),
        "{json}"
    );
    assert_eq!(json.matches("\"price_ore\"").count(), 3, "own prices only");
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
    assert!(said.contains("3 egne kanalpriser"), "{said}");
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
    // The own prices kept as the price pages keep them, and the cost of
    // their channels the same to the øre.
    let listed = own_prices(&target.url);
    assert!(listed.contains("7 min. × 431,00 kr. i timen"), "{listed}");
    assert!(listed.contains("Egen tidsmåling"), "{listed}");
    for groups in ["kanal", "enhed,opgave,kanal"] {
        let before = own_cost(&source.url, groups);
        assert!(before.contains("Omkostning (kr.)"), "{before}");
        assert!(before.lines().count() > 2, "{before}");
        assert_eq!(own_cost(&target.url, groups), before, "cost by {groups}");
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
    let refused = import_refused(clash.to_str().unwrap(), &target.url);
    assert!(
        refused.contains("enheden 259borgerservice findes, men hedder"),
        "{refused}"
    );
    let still = succeeds(&["import", "setup", setup, "--database-url", &target.url]);
    assert!(still.contains("intet er ændret"), "{still}");

    // A price changed in the file clashes with the one kept: refused whole.
    let repriced = json.replacen("\"price_ore\": 4125", "\"price_ore\": 4200", 1);
    assert_ne!(repriced, json);
    std::fs::write(&clash, repriced).unwrap();
    let refused = import_refused(clash.to_str().unwrap(), &target.url);
    assert!(
        refused.contains("prisen for TLFIND fra 2020-01-01 findes, men er 41,25 kr."),
        "{refused}"
    );
}

/// A failed import leaves nothing: with a price the page's check refuses,
/// neither the price nor the departments and units planned with it are
/// stored.
#[tokio::test]
async fn an_import_whose_price_is_refused_stores_nothing_else() {
    let source = EmptyDatabase::new().await;
    demo(&source.url);
    let dir = tempfile::tempdir().unwrap();
    let setup = dir.path().join("opsaetning-259.json");
    let setup = setup.to_str().unwrap();
    set_own_price(
        &source.url,
        "Egen opgørelse",
        &["--channel", "TLFIND", "--amount", "41,25"],
    );
    let json = export_setup(setup, &source.url);
    // Beyond the limit of one inquiry's price: the page's check refuses it.
    let too_dear = json.replacen("\"price_ore\": 4125", "\"price_ore\": 99999999", 1);
    assert_ne!(too_dear, json);
    std::fs::write(setup, too_dear).unwrap();
    let target = EmptyDatabase::new().await;
    succeeds(&["migrate", "--database-url", &target.url]);
    let refused = import_refused(setup, &target.url);
    assert!(refused.contains("er mere end grænsen"), "{refused}");
    let listed = own_prices(&target.url);
    assert!(!listed.contains("Egen opgørelse"), "{listed}");
    let after = dir.path().join("efter.json");
    let after = export_setup(after.to_str().unwrap(), &target.url);
    assert!(after.contains("\"units\": []"), "no unit stored: {after}");
    assert!(after.contains("\"departments\": []"), "{after}");
}
