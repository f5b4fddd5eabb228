//! Total counts through the pages, in-process on the test backend: a
//! coordinator enters totals in the form, uploads CSV files (bad ones show
//! every problem and store nothing), sets up the phone system's rules and
//! uploads a call log; the national administrator delivers borger.dk
//! logins per municipality.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{form_action, koege, App};
use komhen_core::accounts::account::Grant;
use komhen_domain::Role;
use komhen_store::BatchStatus;

impl App {
    async fn coordinator(&self) -> (String, String) {
        self.invited(
            "kim@koege.dk",
            Grant {
                role: Role::Coordinator,
                municipality: Some(koege()),
                unit: None,
            },
            "/kommune/259/totaltal",
        )
        .await
    }

    async fn stored(&self) -> usize {
        self.store().list_totals(Some(koege())).await.unwrap().len()
    }
}

#[tokio::test]
async fn a_coordinator_enters_a_total_and_an_overlapping_one_is_refused_naming_it() {
    let app = App::new().await;
    let (cookie, csrf) = app.coordinator().await;
    let page = app.get("/kommune/259/totaltal", &cookie).await;
    assert!(page
        .body
        .contains(r#"href="/kommune/259/totaltal" class="nav-link" aria-current="page""#));
    assert!(page.body.contains("Kommunen har ingen totaltal endnu."));
    assert!(page
        .body
        .contains(r#"<option value="TLFIND">Telefon, indgående (TLFIND)</option>"#));

    let saved = app
        .post(
            "/kommune/259/totaltal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "TLFIND"),
                ("from", "2025-10-01"),
                ("to", "2025-10-31"),
                ("count", "1.234"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, "/kommune/259/totaltal?besked=totaltal-gemt");
    let page = app.get(&saved.location, &cookie).await;
    assert!(page.body.contains("Totaltallene er gemt."));
    assert!(page.body.contains("01-10-2025–31-10-2025"));
    assert!(page.body.contains("1.234"));

    let refused = app
        .post(
            "/kommune/259/totaltal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "TLFIND"),
                ("from", "2025-10-20"),
                ("to", "2025-11-05"),
                ("count", "99"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "Telefon, indgående 01-10-2025–31-10-2025 (1.234 henvendelser, indtastet af \
             kim@koege.dk den"
        ),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r#"value="2025-11-05""#),
        "typed values kept"
    );
    assert_eq!(app.stored().await, 1);

    let bad = app
        .post(
            "/kommune/259/totaltal",
            &cookie,
            &[("csrf", &csrf), ("channel", "TLFUD"), ("count", "mange")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Skriv den første dag.",
        "Skriv den sidste dag.",
        "«mange» er ikke et antal",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }
    // The same problems on an English page: each in English, the typed
    // value quoted as written.
    let english = app
        .post(
            "/kommune/259/totaltal",
            &format!("{cookie}; komhen_lang=en"),
            &[("csrf", &csrf), ("channel", "TLFUD"), ("count", "mange")],
        )
        .await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Enter the first day.",
        "Enter the last day.",
        "«mange» is not a count.",
    ] {
        assert!(
            english.body.contains(message),
            "{message}: {}",
            english.body
        );
    }
    assert!(!english.body.contains("Skriv den"), "{}", english.body);
}

#[tokio::test]
async fn csv_files_with_real_errors_show_every_problem_and_store_nothing() {
    let app = App::new().await;
    let (cookie, csrf) = app.coordinator().await;
    let entered = app
        .post(
            "/kommune/259/totaltal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "PRSNLG"),
                ("from", "2025-10-01"),
                ("to", "2025-10-31"),
                ("count", "800"),
            ],
        )
        .await;
    assert_eq!(entered.status, StatusCode::SEE_OTHER);

    // Windows-1252 (Excel's "CSV (semikolonsepareret)") with a bad date, an
    // unknown channel, a decimal count, a backwards range and a range that
    // overlaps the stored total.
    let text = "Kanal;Fra;Til;Antal\r\n\
                Telefon, indgående;01-10-2025;31-10-2025;1.234\r\n\
                TLFUD;31-09-2025;30-09-2025;312\r\n\
                Fax;01-10-2025;31-10-2025;3\r\n\
                EMLIND;01-10-2025;31-10-2025;12,5\r\n\
                PPRIND;31-10-2025;01-10-2025;7\r\n\
                Personligt fremmøde;15-10-2025;15-11-2025;40\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let reply = app
        .upload(
            "/kommune/259/totaltal/fil",
            &cookie,
            &csrf,
            ("okt.csv", &bytes),
            &[],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    for expected in [
        "Intet er gemt",
        "CSV (Windows-1252, adskilt med «;»)",
        "datoen «31-09-2025» findes ikke: september 2025 har 30 dage",
        "kanalen «Fax» findes ikke i kodelisten",
        "ugyldigt antal «12,5»",
        "slutdatoen 01-10-2025 ligger før startdatoen 31-10-2025",
        "Linje 7: Personligt fremmøde 15-10-2025–15-11-2025 overlapper et gemt tal: \
         Personligt fremmøde 01-10-2025–31-10-2025 (800 henvendelser, indtastet af kim@koege.dk",
        "Fejl i filen (4)",
        "Overlappende perioder (1)",
    ] {
        assert!(reply.body.contains(expected), "{expected}\n{}", reply.body);
    }
    assert!(!reply.body.contains("Gem totaltallene"));
    assert_eq!(app.stored().await, 1);

    // UTF-16 without a byte-order mark: the encoding Excel never writes,
    // but other tools do.
    let utf16: Vec<u8> = "Kanal;Fra;Til;Antal\r\nTLFIND;01-10-2025;31-10-2025;5\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    for (file, expected) in [
        (
            b"Kanal;Fra;Antal\nTLFIND;01-10-2025;5\n".to_vec(),
            "kolonnen «Til» (eller Til dato, Tildato, Slutdato, Slut) mangler i overskriften",
        ),
        (
            b"Kanal;Fra;Til;Antal;Enhed\nTLFIND;01-10-2025;31-10-2025;5;259sek\n".to_vec(),
            "kolonnen «Enhed» hører ikke til en totaltalsfil",
        ),
        (utf16, "gemt som UTF-16 uden byte-rækkefølgemærke (BOM)"),
    ] {
        let reply = app
            .upload(
                "/kommune/259/totaltal/fil",
                &cookie,
                &csrf,
                ("forkert.csv", &file),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(expected), "{expected}\n{}", reply.body);
    }
    assert!(
        app.store()
            .list_batches(Some(koege()))
            .await
            .unwrap()
            .iter()
            .all(|b| b.kind == "totals_form"),
        "no file batch was staged"
    );
}

#[tokio::test]
async fn a_good_csv_is_previewed_saved_recognised_again_and_deleted() {
    let app = App::new().await;
    let (cookie, csrf) = app.coordinator().await;
    let template = app.get("/kommune/259/totaltal/skabelon.csv", &cookie).await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.content_type.starts_with("text/csv"));
    assert!(template.body.contains("Kanal;Fra;Til;Antal"));

    let file = "Kanal,Fra,Til,Antal\n\"Telefon, indgående\",01-10-2025,31-10-2025,1.234\n\
                TLFUD,2025-10-01,2025-10-31,312\n";
    let preview = app
        .upload(
            "/kommune/259/totaltal/fil",
            &cookie,
            &csrf,
            ("oktober.csv", file.as_bytes()),
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Intet er gemt endnu."));
    assert!(preview.body.contains("2 (i alt 1.546 henvendelser)"));
    assert_eq!(app.stored().await, 0, "nothing counts before Gem");
    let save = form_action(&preview.body, "save-totals");
    let saved = app.post(&save, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.stored().await, 2);
    let again = app.post(&save, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "saved once");

    let page = app.get("/kommune/259/totaltal", &cookie).await;
    assert!(page.body.contains("oktober.csv"));
    assert!(page.body.contains("1.546"));

    let same = app
        .upload(
            "/kommune/259/totaltal/fil",
            &cookie,
            &csrf,
            ("kopi.csv", file.as_bytes()),
            &[],
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same
        .body
        .contains("Præcis den samme fil er gemt før («oktober.csv» af kim@koege.dk"));

    // A staged file can be cancelled; a saved one deleted.
    let november = "Kanal;Fra;Til;Antal\nTLFIND;01-11-2025;30-11-2025;1100\n";
    let preview = app
        .upload(
            "/kommune/259/totaltal/fil",
            &cookie,
            &csrf,
            ("nov.csv", november.as_bytes()),
            &[],
        )
        .await;
    let cancel = form_action(&preview.body, "cancel-totals");
    let cancelled = app.post(&cancel, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let batches = app.store().list_batches(Some(koege())).await.unwrap();
    assert_eq!(batches[0].status, BatchStatus::Deleted);
    let entry = batches
        .iter()
        .find(|b| b.file_name == "oktober.csv")
        .unwrap()
        .id;
    let deleted = app
        .post(
            &format!("/kommune/259/totaltal/{entry}/slet"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        deleted.location,
        "/kommune/259/totaltal?besked=totaltal-slettet"
    );
    assert_eq!(app.stored().await, 0);
    let audit = app.store().list_audit(Some(koege()), 10).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.entry.action == "delete" && a.entry.entity == "total_batch"));

    // Registrations' batches are never deleted here.
    let other = app
        .store()
        .create_batch(&komhen_store::NewBatch {
            municipality: Some(koege()),
            kind: komhen_store::BatchKind::Codebook,
            file_name: "registreringer.csv".into(),
            sha256: "x".into(),
            fingerprint: None,
            created_by: "bruger:kim@koege.dk".into(),
        })
        .await
        .unwrap();
    let refused = app
        .post(
            &format!("/kommune/259/totaltal/{other}/slet"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = app
        .post(
            &format!("/kommune/259/totaltal/{other}/gem"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let still = app.store().list_batches(Some(koege())).await.unwrap();
    assert_eq!(
        still.iter().find(|b| b.id == other).unwrap().status,
        BatchStatus::Loading,
        "a registrations batch is never committed from the totals page"
    );
}

#[tokio::test]
async fn a_call_log_is_counted_by_the_rules_added_on_the_page() {
    let app = App::new().await;
    let (cookie, csrf) = app.coordinator().await;
    let log = std::fs::read("../ingest/tests/data/asterisk_cdr_custom_Master.csv").unwrap();
    let without = app
        .upload(
            "/kommune/259/totaltal/telefoni",
            &cookie,
            &csrf,
            ("Master.csv", &log),
            &[],
        )
        .await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without
        .body
        .contains("Kommunen har ingen regler for telefonsystemet endnu"));
    assert!(without
        .body
        .contains("dcontext «default», channel «PJSIP/client1»"));

    for (pattern, direction) in [("PJSIP/client1-", "in"), ("PJSIP/client2-", "out")] {
        let made = app
            .post(
                "/kommune/259/totaltal/telefoni/regler",
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("field", "channel"),
                    ("matching", "prefix"),
                    ("pattern", pattern),
                    ("direction", direction),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    }
    let page = app.get("/kommune/259/totaltal", &cookie).await;
    assert!(page.body.contains("<code>PJSIP/client2-</code>"));

    let preview = app
        .upload(
            "/kommune/259/totaltal/telefoni",
            &cookie,
            &csrf,
            ("Master.csv", &log),
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    for expected in [
        r#"<td class="num" id="answered">11</td>"#,
        r#"<td class="num" id="incoming">8</td>"#,
        r#"<td class="num" id="outgoing">3</td>"#,
        r#"<td class="num" id="unanswered">3</td>"#,
        "cdr_custom (Asterisks eksempel, 19 kolonner)",
        "<th scope=\"row\">26-07-2023</th><td class=\"num\">8</td><td class=\"num\">3</td>",
    ] {
        assert!(
            preview.body.contains(expected),
            "{expected}\n{}",
            preview.body
        );
    }
    let saved = app
        .post(
            &form_action(&preview.body, "save-totals"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let totals = app.store().list_totals(Some(koege())).await.unwrap();
    assert_eq!(totals.iter().map(|t| t.total.count).sum::<i64>(), 11);

    let rule = app.store().list_cdr_rules(koege()).await.unwrap()[0].id;
    let removed = app
        .post(
            &format!("/kommune/259/totaltal/telefoni/regler/{rule}/slet"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store().list_cdr_rules(koege()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_national_administrator_delivers_borgerdk_logins_per_municipality() {
    let app = App::new().await;
    let (admin, csrf) = app
        .invited(
            "admin@komhen.dk",
            Grant {
                role: Role::NationalAdmin,
                municipality: None,
                unit: None,
            },
            "/admin/totaltal",
        )
        .await;
    let page = app.get("/admin/totaltal", &admin).await;
    assert!(page.body.contains("Der er ikke leveret nogen tal endnu."));
    let template = app.get("/admin/totaltal/skabelon.csv", &admin).await;
    assert!(template.body.contains("Kommune;Fra;Til;Antal"));

    let file = "Kommune;Fra;Til;Antal\n259;01-01-2025;31-12-2025;61.234\n101;01-01-2025;31-12-2025;512345\n";
    let missing_measure = app
        .upload(
            "/admin/totaltal/fil",
            &admin,
            &csrf,
            ("borgerdk.csv", file.as_bytes()),
            &[],
        )
        .await;
    assert_eq!(missing_measure.status, StatusCode::UNPROCESSABLE_ENTITY);
    let preview = app
        .upload(
            "/admin/totaltal/fil",
            &admin,
            &csrf,
            ("borgerdk.csv", file.as_bytes()),
            &[("measure", "borgerdk_logins")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Logins på borger.dk, Køge (259)"));
    assert!(preview.body.contains("i alt 573.579 logins"));
    let saved = app
        .post(
            &form_action(&preview.body, "save-totals"),
            &admin,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(saved.location, "/admin/totaltal?besked=totaltal-gemt");
    let page = app.get("/admin/totaltal", &admin).await;
    assert!(page.body.contains("573.579"));

    // Køge's coordinator sees Køge's figure, read-only.
    let (cookie, _) = app.coordinator().await;
    let koege_page = app.get("/kommune/259/totaltal", &cookie).await;
    assert!(koege_page.body.contains("Logins på borger.dk"));
    assert!(koege_page.body.contains("61.234"));
    assert!(!koege_page.body.contains("512.345"));

    let batch = app.store().list_batches(None).await.unwrap()[0].id;
    let deleted = app
        .post(
            &format!("/admin/totaltal/{batch}/slet"),
            &admin,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(app.store().list_totals(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_figures_page_shows_coverage_against_the_totals_entered() {
    let app = App::new().await;
    let (cookie, csrf) = app.coordinator().await;
    let period = "/kommune/259/tal?fra=2026-03-01&til=2026-03-31";
    let before = app.get(period, &cookie).await;
    assert!(
        before.body.contains(r#"id="coverage-none""#),
        "{}",
        before.body
    );

    // 40 calls registered in the week the phone system counted 160.
    let task = app
        .store()
        .list_national_tasks()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == "23.09.02")
        .unwrap()
        .id;
    for (d, quantity) in [(2, 25), (6, 15), (9, 99)] {
        app.store()
            .insert_registration(&komhen_domain::NewRegistration {
                municipality: koege(),
                unit: None,
                task,
                channel: komhen_domain::ChannelCode::parse("TLFIND").unwrap(),
                inquiry_type: Some(komhen_domain::InquiryType::Guidance),
                completion: Some(komhen_domain::Completion::AtOnce),
                has_form: None,
                registered_at: komhen_domain::danish_instant(
                    chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap(),
                    11,
                    0,
                )
                .unwrap(),
                duration_ms: None,
                quantity,
                source: komhen_domain::Source::Upload,
                is_test: false,
                idempotency_key: None,
                answers: Vec::new(),
            })
            .await
            .unwrap();
    }
    let saved = app
        .post(
            "/kommune/259/totaltal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "TLFIND"),
                ("from", "2026-03-02"),
                ("to", "2026-03-06"),
                ("count", "160"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(period, &cookie).await;
    let total = page
        .body
        .split(r#"<tr id="coverage-total">"#)
        .nth(1)
        .and_then(|t| t.split("</tr>").next())
        .expect("the coverage table's total row");
    // Registered 40 of 160 on the phone week's days; the 99 calls of 9
    // March lie outside the total's days.
    assert!(total.contains(r#"<td class="num">40</td>"#), "{total}");
    assert!(total.contains(r#"<td class="num">160</td>"#), "{total}");
    assert!(total.contains("25,0 %"), "{total}");
    assert!(page.body.contains("Dækningsgrad"));
    // The annualised estimate: March's four whole weeks held 40, 99, 0 and
    // 0 inquiries, a mean of 34,75 a week, 1.807 a year.
    assert!(page.body.contains("Årsskøn for hele kommunen"));
    assert!(page.body.contains(">1.807<"), "{}", page.body);
    assert!(page.body.contains("gennemsnittet af 4 hele uger"));
}
