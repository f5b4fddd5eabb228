//! `komhen hotline`: a joint hotline set up, its calls imported and its
//! figures printed from the command line, on the test backend (SQLite in a
//! temporary folder, or PostgreSQL when `KOMHEN_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use common::{komhen, migrated, succeeds};
use serde_json::Value;

/// The Asterisk queue log of the ingest crate's tests: 12 calls on Monday
/// 2 March 2026 08:00–08:31 Danish time, 11 in the queue `hotline` and one
/// in `aften`. 6 answered (waits 42, 10, 5, 12, 8 and 15 s), 1 abandoned,
/// 1 timed out, 2 with no agents, 1 left with a key, 1 unknown; 2 with no
/// end.
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ingest/tests/data/queue_log_sample"
);

/// The id in a line like "… er oprettet (id 3)."
fn created_id(out: &str) -> String {
    out.split("(id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no id in {out:?}"))
        .to_owned()
}

/// A line with Læsø as member from 1 January 2026, open weekdays
/// 08:00–16:00, priced 0,21 kr. per citizen and month; its id.
fn line(url: &str, name: &str) -> String {
    let out = succeeds(&["hotline", "create", "--name", name, "--database-url", url]);
    assert!(out.contains(&format!("«{name}» er oprettet")), "{out}");
    let id = created_id(&out);
    let out = succeeds(&[
        "hotline",
        "member",
        "add",
        &id,
        "--kommune",
        "825",
        "--fra",
        "2026-01-01",
        "--database-url",
        url,
    ]);
    assert!(out.contains("Læsø (825) er medlem"), "{out}");
    let out = succeeds(&[
        "hotline",
        "hours",
        &id,
        "--hverdage",
        "08:00-16:00",
        "--database-url",
        url,
    ]);
    assert!(out.contains("mandag   08:00-16:00"), "{out}");
    assert!(out.contains("lørdag   lukket"), "{out}");
    let out = succeeds(&[
        "hotline",
        "price",
        &id,
        "--fra",
        "2026-01-01",
        "--pris",
        "0,21",
        "--godtgoerelse",
        "272",
        "--database-url",
        url,
    ]);
    assert!(out.contains("0,210 kr. pr. borger"), "{out}");
    id
}

fn figures_json(url: &str, id: &str, grouping: &str) -> Value {
    let out = succeeds(&[
        "hotline",
        "figures",
        id,
        "--fra",
        "2026-03-02",
        "--til",
        "2026-03-08",
        "--gruppe",
        grouping,
        "--format",
        "json",
        "--database-url",
        url,
    ]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn a_line_imports_the_sample_log_once_and_prints_its_figures() {
    let db = migrated();
    let url = db.url.as_str();
    let id = line(url, "Nordjyllands borgerservice");

    let out = succeeds(&["hotline", "list", "--database-url", url]);
    assert!(
        out.contains(&format!("{id};Nordjyllands borgerservice;")),
        "{out}"
    );

    // The preview stores nothing.
    let out = succeeds(&[
        "hotline",
        "import",
        &id,
        SAMPLE,
        "--dry-run",
        "--database-url",
        url,
    ]);
    assert!(
        out.contains("Asterisk queue_log «queue_log_sample»: 12 opkald"),
        "{out}"
    );
    assert!(out.contains("Prøvekørsel: intet er gemt."), "{out}");
    let before = figures_json(url, &id, "hele");
    assert_eq!(before["i_alt"]["tilbudt"], 0, "{before}");

    // No queue names: every call of the file is the line's. `komhen import
    // calls` is the same import among the other imports.
    let out = succeeds(&["import", "calls", &id, SAMPLE, "--database-url", url]);
    assert!(out.contains("12 opkald tilføjet, 0 var gemt før"), "{out}");
    assert!(
        out.contains(
            "Uden for åbningstid: 0. Uden slut: 2. Viderestillet: 3. Andre køer: 0 opkald."
        ),
        "{out}"
    );

    let f = figures_json(url, &id, "hele");
    let all = &f["i_alt"];
    assert_eq!(all["tilbudt"], 12, "{f}");
    assert_eq!(all["besvaret"], 6);
    assert_eq!(all["tabt"], 5, "abandoned, timeout, 2 no agents, key");
    assert_eq!(all["uvist_udfald"], 1);
    assert_eq!(all["kort_opgivet"], 0, "waited 30 and 45 s: not short");
    assert_eq!(all["uden_for_aabningstid"], 0);
    assert_eq!(all["uden_slut"], 2);
    assert_eq!(all["viderestillet"], 3);
    // 6 answered within 60 s of 6 answered + 5 lost.
    assert_eq!(all["besvaret_i_tide"], 6);
    assert_eq!(all["serviceniveau_grundlag"], 11);
    assert!((all["serviceniveau"].as_f64().unwrap() - 6.0 / 11.0).abs() < 1e-9);
    assert_eq!(all["ventetid_median_s"], 10);
    assert_eq!(all["ventetid_p90_s"], 42);
    assert!((all["ventetid_gns_s"].as_f64().unwrap() - 92.0 / 6.0).abs() < 1e-9);
    assert!(
        f["omkostning_pr_besvaret_oere"].as_i64().unwrap() > 0,
        "{f}"
    );

    // The same figures as a table and as CSV.
    let table = succeeds(&[
        "hotline",
        "figures",
        &id,
        "--fra",
        "2026-03-02",
        "--til",
        "2026-03-08",
        "--database-url",
        url,
    ]);
    let row = table
        .lines()
        .find(|l| l.starts_with("Hele perioden"))
        .unwrap_or_else(|| panic!("{table}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[2..9],
        ["12", "6", "5", "0", "1", "54,5", "%"],
        "{table}"
    );
    assert!(table.contains("pr. besvaret opkald:"), "{table}");
    let csv = succeeds(&[
        "hotline",
        "figures",
        &id,
        "--fra",
        "2026-03-02",
        "--til",
        "2026-03-08",
        "--format",
        "csv",
        "--database-url",
        url,
    ]);
    let csv_row = csv.lines().nth(1).unwrap();
    assert!(
        csv_row.starts_with("Hele perioden;12;6;5;0;1;54,5455;15,3;10;42;"),
        "{csv}"
    );

    // By hour of the week: all 12 arrived Monday 08–09.
    let by_hour = figures_json(url, &id, "time_i_ugen");
    let monday_8 = by_hour["grupper"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gruppe"] == "mandag kl. 08–09")
        .unwrap_or_else(|| panic!("{by_hour}"));
    assert_eq!(monday_8["tilbudt"], 12);

    // The same file again adds nothing, and says so.
    let again = komhen(&["hotline", "import", &id, SAMPLE, "--database-url", url]);
    assert!(!again.ok, "{}", again.out);
    assert!(
        again.out.contains("Præcis denne fil er indlæst før"),
        "{}",
        again.out
    );
    assert!(again.out.contains("intet er indlæst igen"), "{}", again.out);
    assert_eq!(figures_json(url, &id, "hele")["i_alt"]["tilbudt"], 12);

    // The staffing split, the plan and a member's statement.
    let split = succeeds(&[
        "hotline",
        "split",
        &id,
        "--dag",
        "2026-03-02",
        "--database-url",
        url,
    ]);
    assert!(split.contains("Læsø"), "{split}");
    assert!(
        split.contains("100,00"),
        "the only staffing member: {split}"
    );
    let plan = succeeds(&[
        "hotline",
        "plan",
        &id,
        "--fra",
        "2026-03-02",
        "--til",
        "2026-03-08",
        "--database-url",
        url,
    ]);
    assert!(plan.contains("mandag 08–09"), "{plan}");
    assert!(
        !plan.contains("lørdag"),
        "closed days are not planned: {plan}"
    );
    let statement = succeeds(&[
        "hotline",
        "statement",
        &id,
        "--kommune",
        "825",
        "--fra",
        "2026-01",
        "--til",
        "2026-03",
        "--database-url",
        url,
    ]);
    assert!(statement.contains("januar 2026"), "{statement}");
    assert!(statement.contains("At betale:"), "{statement}");
    assert!(statement.contains("intet er udstedt"), "{statement}");
    let issued = succeeds(&[
        "hotline",
        "statement",
        &id,
        "--kommune",
        "825",
        "--fra",
        "2026-01",
        "--til",
        "2026-03",
        "--udsted",
        "--database-url",
        url,
    ]);
    assert!(issued.contains("Opgørelsen er udstedt (id "), "{issued}");
}

#[test]
fn queue_names_leave_other_queues_out_and_problems_are_all_shown() {
    let db = migrated();
    let url = db.url.as_str();
    let id = line(url, "Dagkøen");
    let out = succeeds(&["hotline", "queues", &id, "hotline", "--database-url", url]);
    assert!(out.contains("Linjens køer: hotline."), "{out}");
    let out = succeeds(&["hotline", "import", &id, SAMPLE, "--database-url", url]);
    assert!(out.contains("11 opkald tilføjet"), "{out}");
    assert!(out.contains("Andre køer: 1 opkald."), "{out}");
    assert!(out.contains("kø aften"), "{out}");
    let f = figures_json(url, &id, "hele");
    assert_eq!(f["i_alt"]["tilbudt"], 11, "{f}");
    assert_eq!(f["i_alt"]["tabt"], 4, "{f}");

    // A file with bad lines: every problem with its line, nothing stored.
    let bad = db.dir.path().join("queue_log_bad");
    std::fs::write(
        &bad,
        "1772434810|1772434810.201|hotline|NONE|ENTERQUEUE||20304050|1\n\
         abc|1772434811.202|hotline|NONE|ENTERQUEUE||1|1\n\
         1772434852|1772434810.201|hotline|Agent/1001|CONNECT|42|1772434837.102|27\n\
         klokken|1772434812.203|hotline|NONE|ENTERQUEUE||1|1\n",
    )
    .unwrap();
    let run = komhen(&[
        "hotline",
        "import",
        &id,
        bad.to_str().unwrap(),
        "--database-url",
        url,
    ]);
    assert!(!run.ok, "{}", run.out);
    assert!(
        run.out.contains("2 fejl på 2 linjer; intet er gemt."),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("linje 2, kolonne «time»: «abc»"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("linje 4, kolonne «time»: «klokken»"),
        "{}",
        run.out
    );
    assert!(run.out.contains("filen er ikke indlæst"), "{}", run.out);
    assert_eq!(figures_json(url, &id, "hele")["i_alt"]["tilbudt"], 11);
}

#[test]
fn a_line_that_does_not_exist_is_refused() {
    let db = migrated();
    let run = komhen(&[
        "hotline",
        "figures",
        "99",
        "--fra",
        "2026-03-02",
        "--til",
        "2026-03-08",
        "--database-url",
        &db.url,
    ]);
    assert!(!run.ok, "{}", run.out);
    assert!(run.out.contains("findes ikke: hotline 99"), "{}", run.out);
}

#[test]
fn the_units_that_answer_a_line_are_listed_added_and_removed() {
    let db = migrated();
    let url = &db.url;
    common::demo(url);
    let list = || succeeds(&["hotline", "unit", "list", "1", "--database-url", url]);
    let out = list();
    assert!(
        out.contains("751hotline\tDen Digitale Hotline\tAarhus"),
        "{out}"
    );

    let out = succeeds(&[
        "hotline",
        "unit",
        "remove",
        "1",
        "--enhed",
        "751hotline",
        "--database-url",
        url,
    ]);
    assert!(out.contains("besvarer ikke længere"), "{out}");
    assert!(list().contains("Ingen enheder besvarer"));

    // Samsø pays only: its units do not answer the line.
    let run = komhen(&[
        "hotline",
        "unit",
        "add",
        "1",
        "--enhed",
        "741bs",
        "--database-url",
        url,
    ]);
    assert!(!run.ok, "{}", run.out);
    assert!(
        run.out
            .contains("hører ikke til en kommune, der bemander linjen"),
        "{}",
        run.out
    );
    let out = succeeds(&[
        "hotline",
        "unit",
        "add",
        "1",
        "--enhed",
        "751hotline",
        "--database-url",
        url,
    ]);
    assert!(
        out.contains("besvarer nu «Den Digitale Hotline Midtjylland»"),
        "{out}"
    );
    assert!(list().contains("751hotline"));
}
