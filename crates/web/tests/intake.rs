//! Uploading a registration file through the pages, in-process on the test
//! backend: the preview shows every problem and stores nothing; a good file
//! is imported in the background and appears as a batch; the same file is
//! recognised; a batch is deleted; the codebook and its templates.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{coordinator, koege, App, Reply};
use komhen_store::{NewUnit, RegistrationFilter, Store};
use komhen_store_conformance::SetupShortcuts;

async fn upload(app: &App, cookie: &str, csrf: &str, file_name: &str, bytes: &[u8]) -> Reply {
    app.upload(
        "/kommune/259/indlaes",
        cookie,
        csrf,
        (file_name, bytes),
        &[("kind", "")],
    )
    .await
}

fn token_of(preview: &str) -> String {
    preview
        .split("/indlaes/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned()
}

async fn rows(store: &dyn Store) -> Vec<komhen_store::RegistrationRow> {
    store
        .list_registrations(
            koege(),
            &RegistrationFilter {
                limit: 100_000,
                ..RegistrationFilter::default()
            },
        )
        .await
        .unwrap()
}

/// Køge's unit `259sek`, which the good file names.
async fn sekretariatet(app: &App) {
    app.db
        .store
        .as_ref()
        .create_unit(&NewUnit {
            municipality: koege(),
            department: None,
            name: "Sekretariatet".into(),
            login: "259sek".into(),
            password_hash: None,
        })
        .await
        .unwrap();
}

/// Follows an import's progress page until it goes on to the batch.
async fn follow_import(app: &App, cookie: &str, started: &str) -> String {
    let mut location = started.to_owned();
    for _ in 0..100 {
        let page = app.get(&location, cookie).await;
        if page.status == StatusCode::SEE_OTHER {
            location = page.location.clone();
            if location.contains("/indlaesninger/") {
                break;
            }
        } else {
            assert!(!page.body.contains("import-failed"), "{}", page.body);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    location
}

const GOOD: &str = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025 09:15;1\n\
259;259sek;23.09.02;PRSNLG;OPRET;HOLD;JA;21-10-2025 10:00;3\n";

#[tokio::test]
async fn a_coordinator_uploads_checks_and_imports_a_file_once() {
    let app = App::new().await;
    sekretariatet(&app).await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let store = app.store();

    let preview = upload(&app, &cookie, &csrf, "udtraek.csv", GOOD.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains(r#"<dd id="preview-valid">2</dd>"#),
        "{}",
        preview.body
    );
    assert!(preview
        .body
        .contains(r#"<dd id="preview-inquiries">4</dd>"#));
    assert!(rows(store).await.is_empty(), "checking stores nothing");

    let token = token_of(&preview.body);
    let started = app
        .post(
            &format!("/kommune/259/indlaes/{token}/gem"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    // The import runs in the background; the page follows it to the batch.
    let mut location = started.location.clone();
    for _ in 0..100 {
        let page = app.get(&location, &cookie).await;
        if page.status == StatusCode::SEE_OTHER {
            location = page.location.clone();
            if location.contains("/indlaesninger/") {
                break;
            }
        } else {
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert!(!page.body.contains("import-failed"), "{}", page.body);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert!(location.contains("/indlaesninger/"), "{location}");
    let batch = app.get(&location, &cookie).await;
    assert!(
        batch.body.contains(r#"<dd id="batch-rows">2</dd>"#),
        "{}",
        batch.body
    );
    assert!(batch.body.contains(r#"<dd id="batch-inquiries">4</dd>"#));
    // Who loaded it, as people read it: the e-mail, not the stored actor.
    assert!(
        batch.body.contains(" af kim@koege.dk</dd>"),
        "{}",
        batch.body
    );
    assert!(!batch.body.contains("bruger:"), "{}", batch.body);
    assert_eq!(rows(store).await.len(), 2);
    // Who loaded it is named by e-mail alone, on the batch and in the list,
    // as on the other upload pages.
    assert!(
        batch.body.contains(" af kim@koege.dk</dd>"),
        "{}",
        batch.body
    );
    let list = app.get("/kommune/259/indlaes", &cookie).await;
    assert!(list.body.contains("<td>kim@koege.dk</td>"), "{}", list.body);
    assert!(!list.body.contains("bruger:"), "{}", list.body);

    // The same file again is recognised: the preview asks to replace.
    let again = upload(&app, &cookie, &csrf, "udtraek.csv", GOOD.as_bytes()).await;
    assert!(again.body.contains("preview-duplicate"), "{}", again.body);
    assert!(!again.body.contains("bruger:"), "{}", again.body);
    let token = token_of(&again.body);
    let refused = app
        .post(
            &format!("/kommune/259/indlaes/{token}/gem"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    let mut failed = String::new();
    for _ in 0..100 {
        let page = app.get(&refused.location, &cookie).await;
        if page.body.contains("import-failed") {
            failed = page.body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(failed.contains("indlæst før"), "{failed}");
    assert_eq!(rows(store).await.len(), 2, "never twice");

    // Deleting the batch takes its rows out of every figure.
    let batch_path = location.split('?').next().unwrap();
    let deleted = app
        .post(&format!("{batch_path}/slet"), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(rows(store).await.is_empty());
    let audit = store.list_audit(Some(koege()), 5).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.entry.entity == "batch" && a.entry.action == "delete"));
}

#[tokio::test]
async fn a_bad_file_shows_every_problem_grouped_and_stores_nothing() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let mut bad = String::from("Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n");
    for _ in 0..1_000 {
        bad.push_str("259;;23.09.02;TLF;VEJL;STRAKS;;21-10-2025\n");
    }
    bad.push_str("259;;23.09.02;TLFIND;VEJL;STRAKS;;31-02-2025\n");
    let preview = upload(&app, &cookie, &csrf, "forkert.csv", bad.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &preview.body;
    assert!(body.contains("preview-refused"));
    assert!(body.contains("1.001 fejl på 1.001 rækker"), "{body}");
    assert!(
        body.contains("1.000</td>"),
        "the same error is one group of 1.000: {body}"
    );
    assert!(body.contains("TLF"), "{body}");
    assert!(body.contains("31-02-2025"), "{body}");
    assert!(!body.contains("confirm-form"), "no way to import it");
    assert!(rows(app.store()).await.is_empty());
    // Someone else's upload token is not found.
    let token = token_of(body);
    let other = app
        .post(
            &format!("/kommune/259/indlaes/{token}/gem"),
            "komhen_session=0",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "anonymous: to the login page"
    );
}

#[tokio::test]
async fn the_codebook_page_lists_the_columns_and_codes_and_the_templates_download() {
    let app = App::new().await;
    let page = app.get("/kodebog", "").await;
    assert_eq!(page.status, StatusCode::OK);
    for column in komhen_ingest::codebook::COLUMNS {
        assert!(page
            .body
            .contains(&format!("<code>{}</code>", column.header)));
    }
    for channel in app.store().list_channels().await.unwrap() {
        if channel.active {
            assert!(page
                .body
                .contains(&format!("<code>{}</code>", channel.code)));
        }
    }
    let csv = app.get("/kodebog/skabelon.csv", "").await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let expected: Vec<&str> = komhen_ingest::codebook::COLUMNS
        .iter()
        .map(|c| c.header)
        .collect();
    assert_eq!(header, expected.join(";"));
    let xlsx = app
        .send(
            Request::get("/kodebog/skabelon.xlsx")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // The document beside the page names the same columns.
    let doc = include_str!("../../../docs/codebook.md");
    for column in komhen_ingest::codebook::COLUMNS {
        assert!(
            doc.contains(&format!("`{}`", column.header)),
            "{} in docs",
            column.header
        );
    }
}

#[tokio::test]
async fn a_previewed_upload_survives_a_restart_of_the_server() {
    let mut app = App::new().await;
    sekretariatet(&app).await;
    let folder = tempfile::tempdir().unwrap();
    let server = |app: &App| {
        komhen_web::router_with(
            app.db.store.clone(),
            komhen_web::Options {
                uploads: komhen_web::Uploads::new(folder.path().to_owned()),
                ..komhen_web::Options::default()
            },
        )
    };
    app.router = server(&app);
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let preview = upload(&app, &cookie, &csrf, "udtraek.csv", GOOD.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let token = token_of(&preview.body);

    // The server starts again: nothing of the upload is in its memory.
    app.router = server(&app);
    let started = app
        .post(
            &format!("/kommune/259/indlaes/{token}/gem"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let location = follow_import(&app, &cookie, &started.location).await;
    assert!(location.contains("/indlaesninger/"), "{location}");
    assert_eq!(rows(app.store()).await.len(), 2);
    // Imported and shown: the file no longer waits in the folder.
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
}

/// Starts the import of a previewed upload with the form's fields and
/// follows it: the batch's page, or the failure's message.
async fn import_with(
    app: &App,
    cookie: &str,
    csrf: &str,
    preview: &str,
    fields: &[(&str, &str)],
) -> Result<String, String> {
    let token = token_of(preview);
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    let started = app
        .post(&format!("/kommune/259/indlaes/{token}/gem"), cookie, &form)
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let mut location = started.location.clone();
    for _ in 0..200 {
        let page = app.get(&location, cookie).await;
        if page.status == StatusCode::SEE_OTHER {
            location = page.location.clone();
            if location.contains("/indlaesninger/") {
                return Ok(location);
            }
        } else if page.body.contains("import-failed") {
            return Err(page.body);
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    panic!("the import did not finish");
}

const LANDKORT_SAMPLE: &str =
    include_str!("../../ingest/tests/data/koege_2013_landkort_raadata_sample.csv");

#[tokio::test]
async fn a_landkort_extract_saved_again_is_recognised_by_the_upload() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let store = app.store();
    let first = upload(
        &app,
        &cookie,
        &csrf,
        "koege-data.csv",
        LANDKORT_SAMPLE.as_bytes(),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    import_with(&app, &cookie, &csrf, &first.body, &[])
        .await
        .unwrap();
    let stored = rows(store).await.len();
    assert!(stored > 40, "{stored}");

    // One more newline at the end; Windows-1252 with CRLF.
    let newline = format!("{LANDKORT_SAMPLE}\n").into_bytes();
    let windows = encoding_rs::WINDOWS_1252
        .encode(&LANDKORT_SAMPLE.replace('\n', "\r\n"))
        .0
        .into_owned();
    for bytes in [newline, windows] {
        let again = upload(&app, &cookie, &csrf, "koege-data (2).csv", &bytes).await;
        assert!(again.body.contains("preview-duplicate"), "{}", again.body);
        let refused = import_with(&app, &cookie, &csrf, &again.body, &[])
            .await
            .unwrap_err();
        assert!(refused.contains("indlæst før"), "{refused}");
        assert_eq!(rows(store).await.len(), stored, "never twice");
    }
}

#[tokio::test]
async fn an_upload_on_days_and_units_of_an_earlier_file_shows_the_overlap_and_asks() {
    let app = App::new().await;
    sekretariatet(&app).await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let store = app.store();
    let first = upload(&app, &cookie, &csrf, "koesystem.csv", GOOD.as_bytes()).await;
    let first_batch = import_with(&app, &cookie, &csrf, &first.body, &[])
        .await
        .unwrap();

    // The same units, tasks, channels and day, other numbers.
    let corrected = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Antal\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;21-10-2025 09:15;2\n\
259;259sek;23.09.02;TLFIND;VEJL;STRAKS;;22-10-2025 09:15;1\n";
    let upload_corrected = || {
        upload(
            &app,
            &cookie,
            &csrf,
            "koesystem-rettet.csv",
            corrected.as_bytes(),
        )
    };
    let preview = upload_corrected().await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(!preview.body.contains("preview-duplicate"));
    assert!(preview.body.contains("preview-earlier"), "{}", preview.body);
    assert!(
        preview.body.contains(
            "1 af filens 2 rækker ligger på dage og enheder, hvor der allerede er registreret 1 \
             henvendelse med samme opgave og kanal fra en tidligere indlæsning («koesystem.csv»"
        ),
        "{}",
        preview.body
    );
    assert!(preview.body.contains(r#"name="tidligere" value="erstat""#));
    assert!(preview.body.contains(r#"name="tidligere" value="tilfoej""#));

    let refused = import_with(&app, &cookie, &csrf, &preview.body, &[])
        .await
        .unwrap_err();
    assert!(
        refused.contains("Vælg, om filen skal erstatte"),
        "{refused}"
    );
    assert_eq!(rows(store).await.len(), 2, "nothing stored");

    // A refused import is over: the file is uploaded again to choose.
    let preview = upload_corrected().await;
    import_with(
        &app,
        &cookie,
        &csrf,
        &preview.body,
        &[("tidligere", "erstat")],
    )
    .await
    .unwrap();
    let stored = rows(store).await;
    assert_eq!(
        stored.iter().map(|r| r.quantity).sum::<i64>(),
        3,
        "replaced"
    );
    let first_id: i64 = first_batch
        .split("/indlaesninger/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(stored
        .iter()
        .all(|r| r.batch.map(|b| b.0) != Some(first_id)));

    let extra = "Kommune;Enhed;Opgave;Kanal;Dato;Antal\n259;259sek;23.09.02;TLFIND;22-10-2025;4\n";
    let preview = upload(&app, &cookie, &csrf, "ekstra.csv", extra.as_bytes()).await;
    assert!(
        preview.body.contains("1 af filens 1 række ligger"),
        "{}",
        preview.body
    );
    import_with(
        &app,
        &cookie,
        &csrf,
        &preview.body,
        &[("tidligere", "tilfoej")],
    )
    .await
    .unwrap();
    assert_eq!(
        rows(store).await.iter().map(|r| r.quantity).sum::<i64>(),
        7,
        "added"
    );
}

/// The upload forms carry their CSRF token in the body, first, never in
/// the address (where it would reach the history, logs and Referer); a
/// token in the address is not accepted, and a token in a later part
/// neither, and neither stores or checks anything.
#[tokio::test]
async fn an_upload_carries_its_csrf_token_in_the_body_never_in_the_address() {
    let app = App::new().await;
    sekretariatet(&app).await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;

    let page = app.get("/kommune/259/indlaes", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("csrf="), "{}", page.body);
    let form = page.body.split(r#"id="upload-form""#).nth(1).unwrap();
    let first_field = form.split("<input").nth(1).unwrap();
    assert!(
        first_field.contains(r#"name="csrf""#),
        "the token is the form's first field: {form}"
    );

    let boundary = "grense5678";
    let multipart = |parts: &[(&str, &str)]| {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{GOOD}\r\n--{boundary}--\r\n"
        ));
        body
    };
    let send = |uri: String, body: String| {
        app.send(
            Request::post(uri)
                .header(axum::http::header::COOKIE, &cookie)
                .header(
                    axum::http::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
    };
    let in_address = send(
        format!("/kommune/259/indlaes?csrf={csrf}"),
        multipart(&[("kind", "")]),
    )
    .await;
    assert_eq!(in_address.status, StatusCode::FORBIDDEN);
    let later_part = send(
        "/kommune/259/indlaes".into(),
        multipart(&[("kind", ""), ("csrf", &csrf)]),
    )
    .await;
    assert_eq!(later_part.status, StatusCode::FORBIDDEN);
    let wrong = send(
        "/kommune/259/indlaes".into(),
        multipart(&[("csrf", "0000"), ("kind", "")]),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(rows(app.store()).await.is_empty());

    let first = send(
        "/kommune/259/indlaes".into(),
        multipart(&[("csrf", &csrf), ("kind", "")]),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains(r#"<dd id="preview-valid">2</dd>"#),
        "{}",
        first.body
    );
}

/// A row's problems quote the file as it was written, name a day that
/// does not exist as such, and are counted in good Danish.
#[tokio::test]
async fn problems_quote_the_file_and_count_in_good_danish() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let file = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n\
                259;;23.09.02;Telefon;VEJL;STRAKS;;31-11-2026\n";
    let preview = upload(&app, &cookie, &csrf, "en.csv", file.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &preview.body;
    assert!(body.contains("2 fejl på 1 række."), "{body}");
    assert!(!body.contains("rækker."), "{body}");
    assert!(body.contains("kanalkoden «Telefon» findes ikke"), "{body}");
    assert!(!body.contains("TELEFON"), "{body}");
    assert!(
        body.contains("datoen «31-11-2026» findes ikke: november 2026 har 30 dage"),
        "{body}"
    );
    assert!(rows(app.store()).await.is_empty());
}

/// On an English page a file's problems read in English, the file's own
/// words quoted as it wrote them, and the count in English; nothing is
/// stored, as in Danish.
#[tokio::test]
async fn problems_read_in_english_on_an_english_page() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let cookie = format!("{cookie}; komhen_lang=en");
    let file = "Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n\
                259;;23.09.02;Telefon;VEJL;STRAKS;;31-11-2026\n";
    let preview = upload(&app, &cookie, &csrf, "en.csv", file.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &preview.body;
    assert!(body.contains("2 errors in 1 row."), "{body}");
    assert!(body.contains("the channel code «Telefon»"), "{body}");
    assert!(
        body.contains("the date «31-11-2026» does not exist: november 2026 has 30 days"),
        "{body}"
    );
    for danish in ["fejl på", "findes ikke", "kanalkoden", "datoen"] {
        assert!(
            !body.contains(danish),
            "«{danish}» on the English page: {body}"
        );
    }
    assert!(rows(app.store()).await.is_empty());
}

/// A municipality's own template carries an example row its set-up
/// accepts: downloaded and uploaded as it is, it checks without a problem,
/// as CSV and as Excel.
#[tokio::test]
async fn a_municipalitys_own_template_checks_as_it_stands() {
    let app = App::new().await;
    sekretariatet(&app).await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let page = app.get("/kommune/259/indlaes", &cookie).await;
    assert!(page
        .body
        .contains(r#"href="/kommune/259/kodebog/skabelon.csv""#));

    let csv = app.get("/kommune/259/kodebog/skabelon.csv", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains(";259sek;"), "{}", csv.body);
    let preview = upload(&app, &cookie, &csrf, "skabelon.csv", csv.body.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains(r#"<dd id="preview-valid">1</dd>"#),
        "{}",
        preview.body
    );

    let xlsx = app
        .send(
            Request::get("/kommune/259/kodebog/skabelon.xlsx")
                .header(axum::http::header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let preview = upload(&app, &cookie, &csrf, "skabelon.xlsx", &xlsx.bytes).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains(r#"<dd id="preview-valid">1</dd>"#),
        "{}",
        preview.body
    );

    // Someone without set-up rights in Køge gets no template of it.
    let anonymous = app.get("/kommune/259/kodebog/skabelon.csv", "").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}
