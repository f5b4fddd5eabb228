//! A municipality's figures through the pages, the downloads and the API,
//! in-process on the test backend with the demo data: one figure agrees on
//! the overview, the pivot, the drill-down, the table download, the extract
//! (CSV and XLSX) and the API and equals the sum over the registrations
//! themselves; a unit lead sees
//! only their unit; another municipality's figures are refused; bad links
//! get a Danish message; recommendations are saved and audited.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{demo_app, koege, log_in_demo};
use komhen_domain::ChannelCode;
use komhen_store::{Aggregate, Store, TestRows};

const FROM: &str = "2026-10-19";
const TO: &str = "2026-11-08";

/// The number in `aria-label="<number><after>"`.
fn labelled_number(html: &str, after: &str) -> i64 {
    let end = html
        .find(after)
        .unwrap_or_else(|| panic!("no «{after}» in the page"));
    let start = html[..end].rfind("aria-label=\"").unwrap() + "aria-label=\"".len();
    danish_number(&html[start..end])
}

fn danish_number(text: &str) -> i64 {
    text.trim().replace('.', "").parse().unwrap()
}

/// The href of the link whose label ends with `after`.
fn href_before(html: &str, after: &str) -> String {
    let end = html.find(after).unwrap();
    let start = html[..end].rfind("href=\"").unwrap() + "href=\"".len();
    let href = &html[start..];
    href[..href.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The sum over the registrations that count, by the store's own selection.
async fn raw_sum(store: &dyn Store, channel: &str, test: TestRows) -> i64 {
    let query = Aggregate {
        municipalities: vec![koege()],
        from: Some(FROM.parse().unwrap()),
        to: Some(TO.parse().unwrap()),
        channels: vec![ChannelCode::parse(channel).unwrap()],
        test,
        ..Aggregate::default()
    };
    let mut sum = 0;
    let mut after = None;
    loop {
        let page = store
            .select_registrations(&query, after, 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        sum += page.iter().map(|r| r.quantity).sum::<i64>();
    }
    sum
}

#[tokio::test]
async fn one_figure_agrees_on_every_page_download_and_the_api() {
    let app = demo_app().await;
    let store = app.store();
    let cookie = log_in_demo(&app, "tovholder@koege.example").await;
    let truth = raw_sum(store, "TLFIND", TestRows::Exclude).await;
    assert!(truth > 0, "Køge has incoming calls in the demo");
    // Køge's test registrations are in the demo and never counted.
    assert!(raw_sum(store, "TLFIND", TestRows::Include).await >= truth);

    // The overview: the channel table's figure for incoming phone calls.
    let overview = app
        .get(&format!("/kommune/259/tal?fra={FROM}&til={TO}"), &cookie)
        .await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let label = " henvendelser for Indgående, Telefon, indgående: vis registreringerne";
    assert_eq!(labelled_number(&overview.body, label), truth);
    assert!(
        overview.body.contains("data-chart="),
        "a chart beside the table"
    );

    // The drill-down behind that very figure.
    let drill_href = href_before(&overview.body, label);
    assert!(drill_href.contains("kanal=TLFIND"), "{drill_href}");
    let drill = app.get(&drill_href, &cookie).await;
    assert_eq!(drill.status, StatusCode::OK, "{}", drill.body);
    let shown = drill.body.split("id=\"drill-inquiries\">").nth(1).unwrap();
    assert_eq!(danish_number(&shown[..shown.find('<').unwrap()]), truth);
    let listed = drill.body.matches("<td>Telefon, indgående</td>").count();
    assert!(listed > 0 && listed <= 100, "the rows themselves: {listed}");

    // The pivot: channels as rows.
    let pivot = app
        .get(
            &format!("/kommune/259/tal/pivot?raekker=kanal&maal=antal&fra={FROM}&til={TO}"),
            &cookie,
        )
        .await;
    assert_eq!(pivot.status, StatusCode::OK, "{}", pivot.body);
    let pivot_figure = {
        let marker = "aria-label=\"Telefon, indgående – ";
        let rest = pivot.body.split(marker).nth(1).unwrap();
        danish_number(&rest[..rest.find(':').unwrap()])
    };
    assert_eq!(pivot_figure, truth);

    // The table download (CSV for Danish Excel).
    let csv = app
        .get(
            &format!("/kommune/259/tal/tabel.csv?grupper=kanal&fra={FROM}&til={TO}"),
            &cookie,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let line = csv.body.lines().find(|l| l.starts_with("TLFIND;")).unwrap();
    assert_eq!(
        line.split(';').nth(2).unwrap().parse::<i64>().unwrap(),
        truth
    );

    // The API, as JSON and as CSV.
    let api = app
        .get(
            &format!("/api/v1/report?kommune=259&grupper=kanal&fra={FROM}&til={TO}"),
            &cookie,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["keys"][0]["code"] == "TLFIND")
        .unwrap();
    assert_eq!(row["inquiries"].as_i64().unwrap(), truth);
    let api_csv = app
        .get(
            &format!("/api/v1/report?kommune=259&grupper=kanal&fra={FROM}&til={TO}&format=csv"),
            &cookie,
        )
        .await;
    assert!(api_csv
        .body
        .contains(&format!("TLFIND;Telefon, indgående;{truth};")));

    // The extract behind the drill-down: its page, then the CSV and the
    // XLSX read back by the upload's own readers.
    let extract_href = href_before(&drill.body, "\">Hent registreringerne som fil");
    assert!(extract_href.contains("kanal=TLFIND"), "{extract_href}");
    let page = app.get(&extract_href, &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let shown = page.body.split("id=\"extract-inquiries\">").nth(1).unwrap();
    assert_eq!(danish_number(&shown[..shown.find('<').unwrap()]), truth);
    let shown = drill
        .body
        .split("id=\"drill-registrations\">")
        .nth(1)
        .unwrap();
    let drill_rows = danish_number(&shown[..shown.find('<').unwrap()]);
    let csv_href = href_before(&page.body, "\" download>Hent som CSV");
    let extract_csv = app.get(&csv_href, &cookie).await;
    assert_eq!(extract_csv.status, StatusCode::OK);
    let rows: Vec<_> = komhen_ingest::CodebookReader::new(&extract_csv.bytes[..])
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len() as i64, drill_rows);
    assert_eq!(rows.iter().map(|r| r.quantity).sum::<i64>(), truth);
    assert!(rows.iter().all(|r| r.channel.as_str() == "TLFIND"));
    assert!(rows.iter().all(|r| r.municipality == koege()));
    let xlsx_href = href_before(&page.body, "\" download>Hent som Excel");
    let extract_xlsx = app.get(&xlsx_href, &cookie).await;
    assert_eq!(extract_xlsx.status, StatusCode::OK);
    let mut book = komhen_ingest::codebook::CodebookWorkbook::open(
        std::io::Cursor::new(extract_xlsx.bytes.clone()),
        komhen_ingest::Limits::none(),
    )
    .unwrap();
    let from_xlsx: Vec<_> = book.rows().unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(from_xlsx.len(), rows.len());
    assert_eq!(from_xlsx.iter().map(|r| r.quantity).sum::<i64>(), truth);
    let codebook = app
        .get("/kommune/259/tal/udtraek-kodebog.csv", &cookie)
        .await;
    assert!(codebook.body.contains("Kanal;TLFIND;Telefon, indgående"));
    assert!(codebook.body.contains("Enhed;259borgerservice;"));

    // The report bank's reports all render.
    for r in komhen_core::reports::bank::STANDARD_REPORTS {
        let page = app
            .get(
                &format!("/kommune/259/tal/rapporter/{}?fra={FROM}&til={TO}", r.slug),
                &cookie,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}: {}", r.slug, page.body);
        assert!(page.body.contains(r.title));
    }
}

/// On an English page a report's rows read in English (the channel by the
/// English the store keeps, the direction by the catalogue) and its
/// figure is the very same; the download keeps the engine's Danish.
#[tokio::test]
async fn an_english_report_names_its_rows_in_english_and_keeps_its_figures() {
    let app = demo_app().await;
    let store = app.store();
    let session = log_in_demo(&app, "tovholder@koege.example").await;
    let cookie = format!("{session}; komhen_lang=en");
    let truth = raw_sum(store, "TLFIND", TestRows::Exclude).await;
    let overview = app
        .get(&format!("/kommune/259/tal?fra={FROM}&til={TO}"), &cookie)
        .await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let label = " inquiries for Incoming, Telephone, incoming: show the registrations";
    assert_eq!(labelled_number(&overview.body, label), truth);
    assert!(
        !overview.body.contains(">Indgående<"),
        "no Danish row label"
    );
    assert!(!overview.body.contains(">Telefon, indgående<"));
    for heading in [">Direction<", ">Channel<"] {
        assert!(overview.body.contains(heading), "{heading}");
    }

    let pivot = app
        .get(
            &format!("/kommune/259/tal/pivot?fra={FROM}&til={TO}&raekker=kanal&kolonner=retning"),
            &cookie,
        )
        .await;
    assert_eq!(pivot.status, StatusCode::OK, "{}", pivot.body);
    assert!(pivot.body.contains("Telephone, incoming"), "{}", pivot.body);
    assert!(!pivot.body.contains(">Telefon, indgående<"));
}

#[tokio::test]
async fn scopes_bad_links_and_recommendations() {
    let app = demo_app().await;
    let store = app.store();

    // A unit lead: their unit's figures only, on the pages and the API.
    let lead = log_in_demo(&app, "enhedsleder@koege.example").await;
    let api = app
        .get(
            &format!("/api/v1/report?grupper=enhed&fra={FROM}&til={TO}"),
            &lead,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["keys"][0]["code"], "259borgerservice");
    let other = app
        .get("/api/v1/report?kommune=101&grupper=kanal", &lead)
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(other.body.contains("no_access"), "{}", other.body);
    let overview = app
        .get(&format!("/kommune/259/tal?fra={FROM}&til={TO}"), &lead)
        .await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("kun dine egne enheder"));
    assert!(
        !overview.body.contains(">Jobcenter<"),
        "no other unit's rows"
    );
    assert_eq!(
        app.get("/kommune/101/tal", &lead).await.status,
        StatusCode::FORBIDDEN
    );
    // Their extract holds their unit's rows only; another municipality's none.
    let extract = app
        .get(
            &format!("/kommune/259/tal/udtraek.csv?fra={FROM}&til={TO}"),
            &lead,
        )
        .await;
    assert_eq!(extract.status, StatusCode::OK);
    let units: std::collections::BTreeSet<_> =
        komhen_ingest::CodebookReader::new(&extract.bytes[..])
            .unwrap()
            .map(|r| r.unwrap().unit_login)
            .collect();
    assert_eq!(units, [Some("259borgerservice".to_owned())].into());
    assert_eq!(
        app.get("/kommune/101/tal/udtraek.csv", &lead).await.status,
        StatusCode::FORBIDDEN
    );

    // Links that name unknown things are refused in Danish.
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    for (path, says) in [
        ("/kommune/259/tal?kanal=FINDESIKKE", "Ukendt kanal"),
        ("/kommune/259/tal?fra=31-02-2026", "er ikke en dato"),
        ("/kommune/259/tal/pivot?grupper=farve", "grupperes efter"),
        ("/kommune/259/tal?bogstav=a", "Ukendt felt"),
    ] {
        let reply = app.get(path, &coordinator).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(reply.body.contains(says), "{path}: {}", reply.body);
    }
    let api = app
        .get("/api/v1/report?kommune=259&kanal=FINDESIKKE", &coordinator)
        .await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert!(api.body.contains("invalid_query"));

    // The period report: findings, and the coordinator's recommendations.
    let page = app.get("/kommune/259/tal/beretning", &coordinator).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Kommunen registrerede"));
    let csrf = common::csrf_of(&page.body);
    let period = store
        .list_periods(Some(koege()))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.starts_on.to_string() == FROM)
        .unwrap();
    let text = "Flyt vejledning om boligstøtte til hjemmesiden.\n\nRing tilbage inden for to dage.";
    let saved = app
        .post(
            "/kommune/259/tal/beretning",
            &coordinator,
            &[
                ("csrf", &csrf),
                ("periode", &period.id.0.to_string()),
                ("anbefalinger", text),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get(
            &format!("/kommune/259/tal/beretning?periode={}", period.id.0),
            &coordinator,
        )
        .await;
    assert!(page.body.contains("Ring tilbage inden for to dage."));
    assert!(page.body.contains("Skrevet af tovholder@koege.example"));
    let audit = store.list_audit(Some(koege()), 50).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.entity == "anbefalinger"));
    // The unit lead reads them but cannot write.
    let as_lead = app
        .get(
            &format!("/kommune/259/tal/beretning?periode={}", period.id.0),
            &lead,
        )
        .await;
    assert!(as_lead.body.contains("Ring tilbage inden for to dage."));
    assert!(!as_lead.body.contains("Gem anbefalingerne"));
}

/// The section of a page with this id, up to the next section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    &rest[..rest[1..].find("<section").map_or(rest.len(), |i| i + 1)]
}

#[tokio::test]
async fn a_department_report_has_the_seeds_tables_within_the_readers_scope() {
    let app = demo_app().await;
    let store = app.store();
    let departments = store.list_departments(koege()).await.unwrap();
    let units = store.list_units(koege()).await.unwrap();
    let department = |name: &str| departments.iter().find(|d| d.name == name).unwrap();
    // The offices of a department shown in the incoming table.
    let shown = |html: &str, id: komhen_domain::DepartmentId| {
        let offices = section(html, "kontorer-ind");
        units
            .iter()
            .filter(|u| u.department == Some(id))
            .filter(|u| offices.contains(&format!(">{}<", u.name)))
            .map(|u| u.login.clone())
            .collect::<Vec<_>>()
    };
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let ydelse = department("Ydelsesservice");
    let path = format!("/kommune/259/tal/beretning?forvaltning={}", ydelse.id.0);
    let page = app.get(&path, &coordinator).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Ydelsesservice, Køge Kommune"));
    assert!(page
        .body
        .contains(&format!(r#"<option value="{}" selected>"#, ydelse.id.0)));
    for id in [
        "kanaler",
        "typer",
        "kontorer-ind",
        "kontorer-ud",
        "kandidater",
        "opgaver",
    ] {
        section(&page.body, id);
    }
    assert!(!shown(&page.body, ydelse.id).is_empty());
    let offices = section(&page.body, "kontorer-ind");
    for other in units.iter().filter(|u| u.department != Some(ydelse.id)) {
        assert!(
            !offices.contains(&format!(">{}<", other.name)),
            "{} is not in the department",
            other.name
        );
    }
    // Only guidance and case information among the candidates.
    let candidates = section(&page.body, "kandidater");
    assert!(candidates.contains("Råd og vejledning"), "{candidates}");
    assert!(!candidates.contains("Oprettelse af ny sag"), "{candidates}");
    // The municipality's recommendations are not written here.
    assert!(page.body.contains(r#"id="department-note""#));
    assert!(!page.body.contains("Gem anbefalingerne"));

    // Another municipality's department is not Køge's.
    let elsewhere = store
        .list_departments(komhen_domain::MunicipalityCode::new(101).unwrap())
        .await
        .unwrap();
    let other = elsewhere.first().expect("København has departments");
    let reply = app
        .get(
            &format!("/kommune/259/tal/beretning?forvaltning={}", other.id.0),
            &coordinator,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // Borgerservice: the coordinator sees its offices, its unit lead only
    // their own unit.
    let borgerservice = department("Borgerservice");
    let path = format!(
        "/kommune/259/tal/beretning?forvaltning={}",
        borgerservice.id.0
    );
    let whole = app.get(&path, &coordinator).await;
    let all = shown(&whole.body, borgerservice.id);
    assert!(all.len() >= 2, "the department's offices: {all:?}");
    let lead = log_in_demo(&app, "enhedsleder@koege.example").await;
    let page = app.get(&path, &lead).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        shown(&page.body, borgerservice.id),
        ["259borgerservice"],
        "the lead's own unit only"
    );
}
