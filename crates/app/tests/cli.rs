//! The `komhen` binary as a user runs it: serving, migrating and making
//! users, on the test backend (and on SQLite files where the file is the
//! subject).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

mod common;

use common::{fails, migrated, output as komhen, succeeds};

fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Posts a form as a browser does; the whole response.
fn http_post(address: &str, path: &str, form: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// `komhen serve` on the database, on a free port; the server and its
/// address. The caller kills it.
fn serve(url: &str) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(["serve", "--database-url", url, "--listen", "127.0.0.1:0"])
        .env("KOMHEN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let address = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
        .to_owned();
    (server, address)
}

#[test]
fn serve_refuses_a_database_file_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("komhen-typo.db").display());
    let out = komhen(&["serve", "--database-url", &url]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("findes ikke"), "{message}");
    assert!(
        !dir.path().join("komhen-typo.db").exists(),
        "no new file from a typo"
    );
}

#[test]
fn a_url_of_no_known_backend_is_refused_clearly() {
    let out = komhen(&[
        "migrate",
        "--database-url",
        "mysql://root:hemmelig@localhost/komhen",
    ]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("sqlite://") && message.contains("postgres://"),
        "{message}"
    );
    assert!(
        !message.contains("hemmelig"),
        "the password must not be printed"
    );
}

#[test]
fn migrate_then_serve_answers_over_http() {
    let db = migrated();
    let again = succeeds(&["migrate", "--database-url", &db.url]);
    assert!(again.contains("98 kommuner"), "{again}");
    assert_eq!(
        succeeds(&["migrate", "--database-url", &db.url]),
        again,
        "migrate is idempotent"
    );

    let (mut server, address) = serve(&db.url);
    let health = http_get(&address, "/healthz");
    let municipalities = http_get(&address, "/kommuner");
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(health.starts_with("HTTP/1.0 200"), "{health}");
    let backend = if db.url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    assert!(health.contains(backend), "{health}");
    assert!(municipalities.contains("Køge"));
}

#[test]
fn token_prints_a_system_token_alone_that_opens_the_push_api() {
    let db = migrated();
    let printed = succeeds(&[
        "token",
        "--database-url",
        &db.url,
        "--municipality",
        "259",
        "--system",
        "Kø-system",
    ]);
    let token = printed.trim();
    assert!(
        token.starts_with("komhen_") && token.len() == 71 && !token.contains(char::is_whitespace),
        "{printed:?}"
    );
    let unknown = fails(&[
        "token",
        "--database-url",
        &db.url,
        "--municipality",
        "102",
        "--system",
        "Kø-system",
    ]);
    assert!(unknown.contains("102"), "{unknown}");

    let (mut server, address) = serve(&db.url);
    let body = r#"{"registrations": [{"task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20"}]}"#;
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /api/v1/registrations HTTP/1.0\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(response.starts_with("HTTP/1.0 201"), "{response}");
    assert!(response.contains(r#""municipality":259"#), "{response}");
}

/// The last line of what `user add` or `user link` printed: the link.
fn link_in(printed: &str) -> String {
    let link = printed.lines().last().unwrap_or_default();
    link.strip_prefix("https://komhen.example")
        .unwrap_or_else(|| panic!("no link at the base address in {printed:?}"))
        .to_owned()
}

#[test]
fn user_add_prints_a_link_that_sets_a_password_once_and_user_link_makes_a_new_one() {
    let db = migrated();
    let url = db.url.as_str();
    let printed = succeeds(&[
        "user",
        "add",
        "--role",
        "coordinator",
        "--municipality",
        "259",
        "--email",
        "Kim@Koege.dk",
        "--name",
        "Kim Tovholder",
        "--base-url",
        "https://komhen.example/",
        "--database-url",
        url,
    ]);
    assert!(
        printed.starts_with("kim@koege.dk har rollen tovholder."),
        "{printed}"
    );
    let first = link_in(&printed);
    assert!(first.starts_with("/adgangskode/"), "{first}");

    // The mistakes a person typing the command makes are refused in Danish
    // and make nobody.
    let wrong_role = fails(&[
        "user",
        "add",
        "--role",
        "chef",
        "--municipality",
        "259",
        "--email",
        "a@b.dk",
        "--database-url",
        url,
    ]);
    assert!(wrong_role.contains("chef"), "{wrong_role}");
    let unit_alone = fails(&[
        "user",
        "add",
        "--role",
        "unit_lead",
        "--unit",
        "259sek",
        "--email",
        "a@b.dk",
        "--database-url",
        url,
    ]);
    assert!(
        unit_alone.contains("--unit kræver --municipality"),
        "{unit_alone}"
    );
    let no_such_unit = fails(&[
        "user",
        "add",
        "--role",
        "unit_lead",
        "--municipality",
        "259",
        "--unit",
        "259sek",
        "--email",
        "a@b.dk",
        "--database-url",
        url,
    ]);
    assert!(
        no_such_unit.contains("kommune 259 har ingen enhed med login 259sek"),
        "{no_such_unit}"
    );
    let nobody = fails(&["user", "link", "--email", "a@b.dk", "--database-url", url]);
    assert!(
        nobody.contains("ingen bruger med e-mail a@b.dk"),
        "{nobody}"
    );

    let (mut server, address) = serve(url);
    let page = http_get(&address, &first);
    let set = http_post(
        &address,
        &first,
        "password=et+langt+kodeord&repeated=et+langt+kodeord",
    );
    let used = http_get(&address, &first);
    let login = http_post(
        &address,
        "/log-ind",
        "login=kim%40koege.dk&password=et+langt+kodeord",
    );
    // A new link replaces every earlier one; the password stays until it is
    // used.
    let printed = succeeds(&[
        "user",
        "link",
        "--email",
        "kim@koege.dk",
        "--base-url",
        "https://komhen.example",
        "--database-url",
        url,
    ]);
    let second = link_in(&printed);
    let new_page = http_get(&address, &second);
    server.kill().unwrap();
    server.wait().unwrap();

    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains("kim@koege.dk"), "{page}");
    assert!(set.starts_with("HTTP/1.0 303"), "{set}");
    assert!(
        used.starts_with("HTTP/1.0 410"),
        "a link works once: {used}"
    );
    assert!(login.starts_with("HTTP/1.0 303"), "{login}");
    assert!(
        login.contains("location: /kommune/259"),
        "the coordinator of one municipality goes straight there: {login}"
    );
    assert!(
        printed.starts_with("Tidligere links til kim@koege.dk virker ikke mere."),
        "{printed}"
    );
    assert_ne!(second, first);
    assert!(new_page.starts_with("HTTP/1.0 200"), "{new_page}");
}

#[test]
fn prices_are_set_listed_and_removed_from_the_command_line_as_on_the_pages() {
    let db = migrated();
    let url = db.url.as_str();
    let national = succeeds(&[
        "prices",
        "set",
        "--channel",
        "TLFIND",
        "--from",
        "2025-01-01",
        "--amount",
        "52,75",
        "--source",
        "Eksempel",
        "--example",
        "--database-url",
        url,
    ]);
    assert!(
        national.starts_with("Prisen er gemt (id ")
            && national.contains("52,75 kr. pr. henvendelse i TLFIND fra 01-01-2025"),
        "{national}"
    );
    let own = succeeds(&[
        "prices",
        "set",
        "--municipality",
        "259",
        "--channel",
        "PRSNLG",
        "--task",
        "23.09.02",
        "--from",
        "01-10-2025",
        "--minutes",
        "7",
        "--hourly-cost",
        "431",
        "--source",
        "Egen tidsmåling",
        "--database-url",
        url,
    ]);
    assert!(own.contains("50,28 kr."), "{own}");
    let refused = fails(&[
        "prices",
        "set",
        "--channel",
        "TLFIND",
        "--from",
        "2025-01-01",
        "--amount",
        "12,345",
        "--source",
        "x",
        "--database-url",
        url,
    ]);
    assert!(refused.contains("«12,345» er ikke et beløb"), "{refused}");

    let listed = succeeds(&[
        "prices",
        "list",
        "--municipality",
        "259",
        "--database-url",
        url,
    ]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(
        lines[1].contains(";national;TLFIND;;2025-01-01;52,75 kr.;;Eksempel;2025;ja"),
        "{listed}"
    );
    assert!(lines[2].contains(";259;PRSNLG;"), "{listed}");
    assert!(
        lines[2]
            .contains(";2025-10-01;50,28 kr.;7 min. × 431,00 kr. i timen;Egen tidsmåling;2025;nej"),
        "{listed}"
    );
    assert_eq!(
        succeeds(&["prices", "list", "--database-url", url])
            .lines()
            .count(),
        2,
        "the national list alone"
    );

    let own_id = lines[2].split(';').next().unwrap();
    let wrong_scope = fails(&["prices", "remove", own_id, "--database-url", url]);
    assert!(wrong_scope.contains("Prisen findes ikke"), "{wrong_scope}");
    let removed = succeeds(&[
        "prices",
        "remove",
        own_id,
        "--municipality",
        "259",
        "--database-url",
        url,
    ]);
    assert!(removed.contains(&format!("Prisen med id {own_id} er fjernet.")));
    assert_eq!(
        succeeds(&[
            "prices",
            "list",
            "--municipality",
            "259",
            "--database-url",
            url
        ])
        .lines()
        .count(),
        2
    );
}

/// `komhen report ... omkostning=ja` gives the cost worked out here from
/// the municipality's own export and the prices as set: the demo's example
/// prices, and Køge's own phone price from 2026, not before.
#[test]
fn the_report_command_prices_each_inquiry_at_the_price_in_force() {
    let db = migrated();
    let url = db.url.as_str();
    common::demo(url);
    succeeds(&[
        "prices",
        "set",
        "--municipality",
        "259",
        "--channel",
        "TLFIND",
        "--from",
        "2026-01-01",
        "--amount",
        "20",
        "--source",
        "test",
        "--database-url",
        url,
    ]);
    let dates = "fra=2025-01-01&til=2026-12-31";
    let export = db.dir.path().join("koege.csv");
    succeeds(&[
        "export",
        "registrations",
        "--municipality",
        "259",
        dates,
        "--output",
        export.to_str().unwrap(),
        "--database-url",
        url,
    ]);
    // The demo's example prices in øre (docs/economics.md), personal
    // attendance 15 minutes at 450 kr. an hour.
    let example = |channel: &str| match channel {
        "TLFIND" => Some(6_000),
        "TLFUD" => Some(4_500),
        "EMLIND" => Some(4_000),
        "EMLUD" => Some(3_000),
        "PPRIND" => Some(8_000),
        "PPRUD" => Some(6_000),
        "DOCIND" => Some(3_000),
        "DOKUD" => Some(1_000),
        "SMSIND" => Some(800),
        "SMSUD" => Some(200),
        "CHATIND" => Some(2_500),
        "CHATUD" => Some(2_000),
        "SLVBTJN" | "BRGDK" => Some(500),
        "WEB" => Some(100),
        "PRSNLG" => Some(11_250),
        _ => None,
    };
    let text = std::fs::read_to_string(&export).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(';')
        .collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (kanal, dato, antal) = (column("Kanal"), column("Dato"), column("Antal"));
    let (mut expected, mut unpriced, mut rows) = (0i64, 0i64, 0);
    for line in lines {
        let cells: Vec<&str> = line.split(';').collect();
        let quantity: i64 = cells[antal].replace('.', "").parse().unwrap();
        let in_2026 = cells[dato].contains("2026");
        let price = if cells[kanal] == "TLFIND" && in_2026 {
            Some(2_000)
        } else {
            example(cells[kanal])
        };
        match price {
            Some(p) => expected += quantity * p,
            None => unpriced += quantity,
        }
        rows += 1;
    }
    assert!(rows > 100, "{rows} rows exported");

    let printed = succeeds(&[
        "report",
        &format!("kommune=259&{dates}&omkostning=ja&grupper=kanal"),
        "--format",
        "json",
        "--database-url",
        url,
    ]);
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["total"]["cost"]["ore"], expected, "{}", json["total"]);
    assert_eq!(json["total"]["cost"]["unpriced_inquiries"], unpriced);
    let table = succeeds(&[
        "report",
        &format!("kommune=259&{dates}&omkostning=ja"),
        "--database-url",
        url,
    ]);
    assert!(table.contains("Omkostning (kr.)"), "{table}");
}

/// `komhen estimate`: the whole weeks of the demo's autumn counting, their
/// mean × 52 with its interval; a period with no two whole weeks has none.
#[test]
fn the_estimate_command_annualises_the_whole_weeks_counted() {
    let db = migrated();
    let url = db.url.as_str();
    common::demo(url);
    let out = succeeds(&[
        "estimate",
        "--municipality",
        "259",
        "--from",
        "2026-10-19",
        "--to",
        "2026-11-08",
        "--format",
        "json",
        "--database-url",
        url,
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let weeks: Vec<i64> = json["uger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["henvendelser"].as_i64().unwrap())
        .collect();
    assert_eq!(weeks.len(), 3, "{json}");
    assert!(weeks.iter().all(|n| *n > 0), "{json}");
    let mean = weeks.iter().sum::<i64>() as f64 / 3.0;
    let estimate = json["aarsskoen"].as_f64().unwrap();
    assert!((estimate - mean * 52.0).abs() < 1e-6, "{json}");
    assert!(json["interval_95_lav"].as_f64().unwrap() <= estimate);
    assert!(json["interval_95_hoej"].as_f64().unwrap() >= estimate);
    let refused = fails(&[
        "estimate",
        "--municipality",
        "259",
        "--from",
        "2026-10-19",
        "--to",
        "2026-10-27",
        "--database-url",
        url,
    ]);
    assert!(refused.contains("færre end to hele uger"), "{refused}");
}

/// `komhen questionnaire`: the demo's questionnaires listed; the results
/// as the page's tables, and as CSV one row per response and one column
/// per question; an unknown id is refused.
#[test]
fn the_questionnaire_commands_list_and_print_results() {
    let db = migrated();
    let url = db.url.as_str();
    common::demo(url);
    let list = succeeds(&["questionnaire", "list", "--database-url", url]);
    let line = list
        .lines()
        .find(|l| l.contains("Koordinatorernes spørgeskema"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.contains("coordinator") && line.contains("open"),
        "{line}"
    );
    let id = line.split('\t').next().unwrap();
    let results = succeeds(&["questionnaire", "results", id, "--database-url", url]);
    assert!(
        results.contains("1. Hvordan gik forberedelsen af tællingen?"),
        "{results}"
    );
    assert!(
        results.contains("Gennemsnit") && results.contains("Median"),
        "{results}"
    );
    let csv = succeeds(&[
        "questionnaire",
        "results",
        id,
        "--csv",
        "--database-url",
        url,
    ]);
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header = lines.next().unwrap();
    assert_eq!(header.split(';').count(), 3 + 4, "{header}");
    assert!(lines.count() > 10, "some municipalities answered");
    let evaluation = list
        .lines()
        .find(|l| l.contains("Evaluering af tælleugerne"))
        .unwrap();
    let id = evaluation.split('\t').next().unwrap();
    let results = succeeds(&["questionnaire", "results", id, "--database-url", url]);
    assert!(
        results.contains("Forvaltning") && results.contains("Læsø"),
        "{results}"
    );
    let refused = fails(&["questionnaire", "results", "999999", "--database-url", url]);
    assert!(refused.contains("spørgeskema 999999"), "{refused}");
}
