//! `komhen import web` and `komhen import central` as a user runs them, on
//! the test backend: a dry run stores nothing, a file with
//! problems is refused with every problem and a non-zero exit, a good file
//! is loaded once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use common::{komhen, migrated};

#[test]
fn the_visits_summary_is_previewed_by_a_dry_run_then_loaded_once() {
    let db = migrated();
    let (dir, url) = (&db.dir, &db.url);
    let file = dir.path().join("besoeg.csv");
    std::fs::write(
        &file,
        include_bytes!("../../ingest/tests/data/matomo_VisitsSummary.get_day.utf16.csv"),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let base = [
        "import",
        "web",
        file,
        "--municipality",
        "259",
        "--database-url",
        url,
    ];

    let undated = komhen(&base);
    assert!(!undated.ok);
    assert!(undated.out.contains("Angiv perioden"), "{}", undated.out);

    let dry = komhen(&[&base[..], &["--date", "2025", "--dry-run"]].concat());
    assert!(dry.ok, "{}", dry.out);
    assert!(
        dry.out
            .contains("Besøg på hjemmesiden 01-01-2025 – 31-12-2025: 2"),
        "{}",
        dry.out
    );
    assert!(dry.out.contains("Prøvekørsel"));

    let loaded = komhen(&[&base[..], &["--date", "2025"]].concat());
    assert!(loaded.ok, "{}", loaded.out);
    assert!(
        loaded.out.contains("1 totaltal (2 besøg)"),
        "{}",
        loaded.out
    );
    let again = komhen(&[&base[..], &["--date", "2025"]].concat());
    assert!(!again.ok);
    assert!(again.out.contains("indlæst før"), "{}", again.out);
    let replaced = komhen(&[&base[..], &["--date", "2025", "--replace"]].concat());
    assert!(replaced.ok, "{}", replaced.out);
    assert!(replaced.out.contains("erstattet"));
}

#[test]
fn a_central_file_is_loaded_for_every_municipality_and_a_bad_one_refused() {
    let db = migrated();
    let (dir, url) = (&db.dir, &db.url);
    let good = dir.path().join("slvbtjn.csv");
    std::fs::write(
        &good,
        "Kommune;Opgave;Dato;Antal\n259;23.09.02;21-10-2025;1.234\n101;29.03.04;21-10-2025;7\n",
    )
    .unwrap();
    let bad = dir.path().join("fejl.csv");
    std::fs::write(
        &bad,
        "Kommune;Opgave;Dato;Antal\n259;23.09.02;21-13-2025;4\n",
    )
    .unwrap();
    let run = |file: &std::path::Path, more: &[&str]| {
        let file = file.to_str().unwrap();
        komhen(
            &[
                &[
                    "import",
                    "central",
                    file,
                    "--channel",
                    "SLVBTJN",
                    "--database-url",
                    url,
                ][..],
                more,
            ]
            .concat(),
        )
    };
    let refused = run(&bad, &[]);
    assert!(!refused.ok);
    assert!(
        refused.out.contains("datoen «21-13-2025» har måned 13"),
        "{}",
        refused.out
    );
    let loaded = run(&good, &[]);
    assert!(loaded.ok, "{}", loaded.out);
    assert!(
        loaded
            .out
            .contains("2 rækker, 1241 henvendelser i 2 kommuner"),
        "{}",
        loaded.out
    );
}
