//! `komhen import totals` and `komhen import cdr` as a coordinator runs
//! them, on the test backend: the preview printed, the
//! summary, nothing stored on a problem or with `--dry-run`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use std::process::Output;

mod common;

use common::{migrated, output as komhen};

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn totals_are_previewed_then_stored_once_and_a_bad_file_stores_nothing() {
    let db = migrated();
    let (dir, url) = (&db.dir, &db.url);

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Kanal;Fra;Til;Antal\nTLFIND;01-10-2025;31-10-2025;1.234\nFax;01-10-2025;31-10-2025;3\n\
         TLFUD;31-10-2025;01-10-2025;x\n",
    )
    .unwrap();
    let out = komhen(&[
        "import",
        "totals",
        bad.to_str().unwrap(),
        "--municipality",
        "259",
        "--database-url",
        url,
    ]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stdout.contains("Fejl: 3 fejl på 2 linjer"), "{stdout}");
    assert!(
        stdout.contains("kanalen «Fax» findes ikke i kodelisten"),
        "{stdout}"
    );
    assert!(stdout.contains("(fx linje 4)"), "{stdout}");
    assert!(stderr.contains("Intet er gemt."), "{stderr}");

    let good = dir.path().join("okt.csv");
    std::fs::write(
        &good,
        "Kanal;Fra;Til;Antal\nTLFIND;01-10-2025;31-10-2025;1.234\nTelefon, udgående;01-10-2025;31-10-2025;312\n",
    )
    .unwrap();
    let args = |dry: bool| {
        let mut a = vec![
            "import",
            "totals",
            good.to_str().unwrap(),
            "--municipality",
            "259",
            "--database-url",
            url,
        ];
        if dry {
            a.push("--dry-run");
        }
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |dry: bool| {
        let a = args(dry);
        komhen(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let dry = run(true);
    assert!(dry.status.success());
    assert!(text(&dry)
        .0
        .contains("Prøvekørsel (--dry-run): 2 totaltal (i alt 1.546 henvendelser)"));
    let stored = run(false);
    assert!(stored.status.success(), "{}", text(&stored).1);
    assert!(text(&stored)
        .0
        .contains("Gemt: 2 totaltal (i alt 1.546 henvendelser)"));
    let again = run(false);
    assert!(!again.status.success());
    let (stdout, stderr) = text(&again);
    assert!(stderr.contains("Præcis den samme fil er gemt før («okt.csv» af kommandolinjen"));
    assert!(stdout.contains(
        "Linje 2: Telefon, indgående 01-10-2025–31-10-2025 overlapper et gemt tal: Telefon, \
         indgående 01-10-2025–31-10-2025 (1.234 henvendelser, indlæst fra filen «okt.csv» af \
         kommandolinjen"
    ));

    // The coverage of October: nothing registered against the two totals.
    let coverage = |from: &str, to: &str, format: &str| {
        komhen(&[
            "coverage",
            "--municipality",
            "259",
            "--from",
            from,
            "--to",
            to,
            "--format",
            format,
            "--database-url",
            url,
        ])
    };
    let out = coverage("2025-10-01", "2025-10-31", "json");
    assert!(out.status.success(), "{}", text(&out).1);
    let json: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(json["kanaler"].as_array().unwrap().len(), 2, "{json}");
    let phone = json["kanaler"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kanal"] == "TLFIND")
        .unwrap();
    assert_eq!(
        (&phone["total"], &phone["registreret"], &phone["dage"]),
        (&1234.into(), &0.into(), &31.into()),
        "{json}"
    );
    assert_eq!(json["daekningsgrad"], 0.0);
    let out = coverage("2025-10-02", "2025-10-31", "table");
    let stdout = text(&out).0;
    assert!(
        stdout.contains("Ingen totaltællinger ligger helt i perioden."),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 totaltælling(er) ligger kun delvis"),
        "{stdout}"
    );
}

#[test]
fn a_call_log_is_counted_and_refused_until_the_municipality_has_rules() {
    let db = migrated();
    let url = &db.url;
    let log = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ingest/tests/data/asterisk_cdr_custom_Master.csv"
    );
    let out = komhen(&[
        "import",
        "cdr",
        log,
        "--municipality",
        "259",
        "--dry-run",
        "--database-url",
        url,
    ]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stdout.contains("Linjer: 14; opkald: 14"), "{stdout}");
    assert!(
        stdout.contains("ikke placeret 11); ubesvarede (NO ANSWER, BUSY, FAILED, CONGESTION): 3"),
        "{stdout}"
    );
    assert!(stdout.contains("dcontext «default», channel «PJSIP/client1»: 8"));
    assert!(
        stderr.contains("ingen regler for telefonsystemet"),
        "{stderr}"
    );

    let missing = komhen(&[
        "import",
        "cdr",
        "/findes/ikke/Master.csv",
        "--municipality",
        "259",
        "--database-url",
        url,
    ]);
    assert!(text(&missing).1.contains("findes ikke"));
}
