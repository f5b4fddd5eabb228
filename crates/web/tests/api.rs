//! The JSON API through the router, in-process on the test backend: a
//! system's batch is stored once, every kind of error comes back with its
//! row, field and code and nothing is stored, the token alone decides the
//! municipality, and the coordinator issues and revokes tokens on the
//! "Systemer og API" page.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{code, App, Reply, KBH, KOEGE};
use komhen_core::accounts::access::Actor;
use komhen_core::intake::api::{IntakeBatch, IntakeRow};
use komhen_domain::{Role, Source};
use komhen_store::{BatchStatus, NewBatch, NewUnit, RegistrationFilter};
use komhen_store_conformance::SetupShortcuts;
use serde_json::{json, Value};

impl Reply {
    /// The errors as (index, field, code).
    fn errors(&self) -> Vec<(Value, Value, String)> {
        self.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["index"].clone(),
                    e["field"].clone(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

impl App {
    /// An application with Køge's unit `259sek` and a system token each for
    /// Køge and København.
    async fn with_tokens() -> (Self, String, String) {
        let app = Self::new().await;
        app.store()
            .create_unit(&NewUnit {
                municipality: code(KOEGE),
                department: None,
                name: "Borgerservice".into(),
                login: "259sek".into(),
                password_hash: None,
            })
            .await
            .unwrap();
        let koege = app.token(KOEGE, "Kø-system Borgerservice").await;
        let kbh = app.token(KBH, "Telefonsystem").await;
        (app, koege, kbh)
    }

    async fn token(&self, municipality: u16, name: &str) -> String {
        komhen_core::setup::systems::issue_token(
            self.store(),
            &Actor::command_line(),
            code(municipality),
            name,
        )
        .await
        .unwrap()
        .token
    }

    /// POSTs a JSON body with a bearer token.
    async fn deliver(&self, token: &str, body: &str) -> Reply {
        self.send(
            Request::post("/api/v1/registrations")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }

    async fn registrations(&self, municipality: u16) -> Vec<komhen_store::RegistrationRow> {
        self.store()
            .list_registrations(
                code(municipality),
                &RegistrationFilter {
                    limit: 100_000,
                    ..RegistrationFilter::default()
                },
            )
            .await
            .unwrap()
    }
}

fn two_rows() -> Value {
    json!({
        "registrations": [
            {
                "unit": "259sek",
                "task": "23.09.02",
                "channel": "PRSNLG",
                "inquiry_type": "VEJL",
                "completion": "STRAKS",
                "form": false,
                "time": "2025-10-21T10:15:00+02:00",
                "duration_seconds": 12.5,
                "answers": { "Køn": "Kvinde" }
            },
            {
                "task": "23.09.02",
                "channel": "tlfind",
                "time": "2025-10-21 10:20",
                "quantity": 3
            }
        ]
    })
}

#[tokio::test]
async fn a_valid_batch_is_stored_once_and_a_retry_is_answered_with_the_same_batch() {
    let (app, koege, _) = App::with_tokens().await;
    let sent = app.deliver(&koege, &two_rows().to_string()).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert!(
        sent.headers.get(header::SET_COOKIE).is_none(),
        "the API never sets a cookie"
    );
    let answer = sent.json();
    assert_eq!(answer["rows"], 2);
    assert_eq!(answer["inquiries"], 4);
    assert_eq!(answer["duplicate"], false);
    assert_eq!(answer["municipality"], KOEGE);

    let rows = app.registrations(KOEGE).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.source == Source::Api && !r.is_test));
    let batch = komhen_domain::BatchId(answer["batch"].as_i64().unwrap());
    assert!(rows.iter().all(|r| r.batch == Some(batch)));
    let first = rows.iter().find(|r| r.unit.is_some()).unwrap();
    assert_eq!(
        first.registered_at,
        chrono::DateTime::parse_from_rfc3339("2025-10-21T10:15:00+02:00").unwrap()
    );
    assert_eq!(
        (first.duration_ms, first.has_form),
        (Some(12_500), Some(false))
    );
    assert_eq!(
        app.store()
            .list_answers(code(KOEGE), first.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let counted = rows.iter().find(|r| r.unit.is_none()).unwrap();
    assert_eq!((counted.channel.as_str(), counted.quantity), ("TLFIND", 3));

    // The same rows again, keys in another order and spaced out: the same batch.
    let mut again = two_rows();
    let rows_again = again["registrations"].as_array_mut().unwrap();
    rows_again.reverse();
    rows_again.reverse();
    let retry = app
        .deliver(&koege, &serde_json::to_string_pretty(&again).unwrap())
        .await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(retry.json()["duplicate"], true);
    assert_eq!(retry.json()["batch"], answer["batch"]);
    assert_eq!(retry.json()["rows"], 2);
    assert_eq!(app.registrations(KOEGE).await.len(), 2, "nothing doubled");
}

#[tokio::test]
async fn a_batch_id_names_one_batch_and_other_rows_under_it_are_refused() {
    let (app, koege, _) = App::with_tokens().await;
    let mut body = two_rows();
    body["batch_id"] = json!("kø-2025-10-21-10");
    let first = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.json()["batch_id"], "kø-2025-10-21-10");

    // The same rows as another batch: the system says they are new.
    body["batch_id"] = json!("kø-2025-10-21-11");
    let second = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(app.registrations(KOEGE).await.len(), 4);

    // The first batch_id again with other rows: refused, nothing stored.
    body["batch_id"] = json!("kø-2025-10-21-10");
    body["registrations"][1]["quantity"] = json!(4);
    let reused = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(reused.status, StatusCode::CONFLICT, "{}", reused.body);
    assert_eq!(
        reused.errors(),
        vec![(Value::Null, json!("batch_id"), "batch_id_reused".into())]
    );
    assert_eq!(app.registrations(KOEGE).await.len(), 4);

    // A bad batch_id is the batch's own error.
    body["batch_id"] = json!("");
    let bad = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.errors(),
        vec![(Value::Null, json!("batch_id"), "invalid_batch_id".into())]
    );
}

#[tokio::test]
async fn a_copy_still_being_stored_is_refused_as_in_progress() {
    let (app, koege, _) = App::with_tokens().await;
    let body = json!({
        "registrations": [{ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20" }]
    });
    let batch = IntakeBatch {
        batch_id: None,
        rows: vec![IntakeRow {
            task: "23.09.02".into(),
            channel: "TLFIND".into(),
            time: "2025-10-21 10:20".into(),
            ..IntakeRow::default()
        }],
    };
    let loading = app
        .store()
        .create_batch(&NewBatch {
            municipality: Some(code(KOEGE)),
            kind: komhen_core::intake::api::BATCH_KIND,
            file_name: String::new(),
            sha256: komhen_core::intake::api::identity(&batch),
            fingerprint: None,
            created_by: "system:Kø-system Borgerservice".into(),
        })
        .await
        .unwrap();
    let busy = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.body);
    assert_eq!(busy.errors()[0].2, "batch_in_progress");
    assert_eq!(busy.headers.get(header::RETRY_AFTER).unwrap(), "5");

    // Once the copy is gone, the batch is stored.
    app.store()
        .delete_batch(Some(code(KOEGE)), loading)
        .await
        .unwrap();
    let stored = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
}

#[tokio::test]
async fn every_kind_of_row_error_is_reported_with_index_field_and_code_and_nothing_is_stored() {
    let (app, koege, _) = App::with_tokens().await;
    let good = json!({ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20" });
    let with = |changes: Value| {
        let mut row = good.clone();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                row.as_object_mut().unwrap().remove(k);
            } else {
                row[k] = v.clone();
            }
        }
        row
    };
    let body = json!({
        "registrations": [
            good,
            with(json!({ "channel": "TLF" })),
            with(json!({ "task": null, "unit": "259findesikke" })),
            with(json!({ "time": "i går" })),
            with(json!({ "time": "2025-10-21T25:00:00+02:00" })),
            with(json!({ "time": "2026-03-29 02:30" })),
            with(json!({ "time": "" })),
            with(json!({ "unit": "259findesikke" })),
            with(json!({ "quantity": 0 })),
            with(json!({ "inquiry_type": "SNAK" })),
            with(json!({ "completion": "SENERE" })),
            with(json!({ "answers": { "Hvem er du?": "x" } })),
            with(json!({ "answers": { "Køn": "Måske" } })),
            with(json!({ "task": "98.76.54" })),
            with(json!({ "channel": "T" })),
            with(json!({ "duration_seconds": -1 })),
            with(json!({ "answers": { "Kanal": "TLFIND" } })),
        ]
    });
    let refused = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An answer keyed like a field of the row is the batch's error alone.
    assert_eq!(
        refused.errors(),
        vec![(
            Value::Null,
            json!("answers.Kanal"),
            "invalid_answer_key".into()
        )]
    );

    let mut body = body;
    body["registrations"].as_array_mut().unwrap().pop();
    let refused = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let expected: Vec<(Value, Value, String)> = [
        (1, "channel", "unknown_channel"),
        (2, "task", "missing_task"),
        // The catalogue is asked too when a cell failed: every error at once.
        (2, "unit", "unknown_unit"),
        (3, "time", "invalid_time"),
        (4, "time", "invalid_time"),
        (5, "time", "nonexistent_time"),
        (6, "time", "missing_time"),
        (7, "unit", "unknown_unit"),
        (8, "quantity", "invalid_quantity"),
        (9, "inquiry_type", "unknown_inquiry_type"),
        (10, "completion", "unknown_completion"),
        (11, "answers.Hvem er du?", "unknown_question"),
        (12, "answers.Køn", "invalid_answer"),
        (13, "task", "unknown_task"),
        (14, "channel", "invalid_channel"),
        (15, "duration_seconds", "invalid_duration_seconds"),
    ]
    .into_iter()
    .map(|(i, f, c)| (json!(i), json!(f), c.to_owned()))
    .collect();
    assert_eq!(refused.errors(), expected, "{}", refused.body);
    assert_eq!(refused.json()["error_count"], expected.len());
    let messages = refused.json()["errors"].clone();
    assert!(
        messages[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("kanalkoden «TLF» findes ikke"),
        "{messages}"
    );
    let time = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "invalid_time")
        .unwrap();
    assert!(
        time["message"]
            .as_str()
            .unwrap()
            .contains("2025-10-21T10:15:00+02:00"),
        "the API's time forms are named: {time}"
    );
    assert!(app.registrations(KOEGE).await.is_empty(), "nothing stored");
    assert!(app
        .store()
        .list_batches(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_names_the_row_and_field() {
    let (app, koege, _) = App::with_tokens().await;
    let cases = [
        (
            json!({ "registrations": [{ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20", "quantity": "3" }] }),
            (json!(0), json!("quantity"), "invalid_type"),
        ),
        (
            json!({ "registrations": [{}, { "task": "23.09.02", "chanel": "TLFIND" }] }),
            (json!(1), json!("chanel"), "unknown_field"),
        ),
        (
            json!({ "registrations": [{ "municipality": 101 }] }),
            (json!(0), json!("municipality"), "unknown_field"),
        ),
        (
            json!({ "kommune": 101, "registrations": [] }),
            (Value::Null, json!("kommune"), "unknown_field"),
        ),
        (
            json!({ "registrations": [{ "form": "JA" }] }),
            (json!(0), json!("form"), "invalid_type"),
        ),
        (
            json!({ "registrations": [{ "answers": { "Køn": true } }] }),
            (json!(0), json!("answers.Køn"), "invalid_type"),
        ),
        (
            json!([{ "task": "23.09.02" }]),
            (Value::Null, Value::Null, "invalid_type"),
        ),
        (
            json!({ "registrations": [] }),
            (Value::Null, json!("registrations"), "empty_batch"),
        ),
    ];
    for (body, (index, field, code)) in cases {
        let reply = app.deliver(&koege, &body.to_string()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.errors(),
            vec![(index, field, code.to_owned())],
            "{body}: {}",
            reply.body
        );
    }
    let municipality = app
        .deliver(&koege, r#"{"registrations": [{"municipality": 101}]}"#)
        .await;
    assert!(municipality.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("systemnøglen"));

    let broken = app.deliver(&koege, r#"{"registrations": [}"#).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.errors()[0].2, "invalid_json");
    assert!(app.registrations(KOEGE).await.is_empty());
}

#[tokio::test]
async fn a_missing_unknown_or_revoked_token_is_refused_with_a_bearer_challenge() {
    let (app, koege, _) = App::with_tokens().await;
    let body = two_rows().to_string();
    let without = app
        .send(
            Request::post("/api/v1/registrations")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        without.headers.get(header::WWW_AUTHENTICATE).unwrap(),
        r#"Bearer realm="komhen""#
    );
    assert_eq!(without.errors()[0].2, "missing_token");

    for wrong in [
        format!("komhen_{}", "0".repeat(64)),
        "hemmelig".to_owned(),
        koege[..koege.len() - 1].to_owned(),
    ] {
        let refused = app.deliver(&wrong, &body).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(refused.errors()[0].2, "invalid_token");
        assert!(refused
            .headers
            .get(header::WWW_AUTHENTICATE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains(r#"error="invalid_token""#));
    }

    let id = app.store().list_system_tokens(code(KOEGE)).await.unwrap()[0].id;
    komhen_core::setup::systems::revoke_token(app.store(), &Actor::command_line(), code(KOEGE), id)
        .await
        .unwrap();
    let revoked = app.deliver(&koege, &body).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.errors()[0].2, "invalid_token");
    assert!(app.registrations(KOEGE).await.is_empty());
}

#[tokio::test]
async fn a_token_of_one_municipality_never_writes_another_municipalitys_rows() {
    let (app, _, kbh) = App::with_tokens().await;
    // Køge's unit is not København's: refused, nothing stored anywhere.
    let refused = app.deliver(&kbh, &two_rows().to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.errors(),
        vec![(json!(0), json!("unit"), "unknown_unit".to_owned())]
    );
    // Without a unit the rows are København's, whatever the sender wishes.
    let mut body = two_rows();
    body["registrations"][0]
        .as_object_mut()
        .unwrap()
        .remove("unit");
    let stored = app.deliver(&kbh, &body.to_string()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    assert_eq!(stored.json()["municipality"], KBH);
    assert_eq!(app.registrations(KBH).await.len(), 2);
    assert!(app.registrations(KOEGE).await.is_empty());
    assert!(app
        .store()
        .list_batches(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
    let kbh_batch = &app.store().list_batches(Some(code(KBH))).await.unwrap()[0];
    assert_eq!(
        (kbh_batch.kind.code(), kbh_batch.status),
        ("api", BatchStatus::Committed)
    );
    assert_eq!(kbh_batch.created_by, "system:Telefonsystem");
}

#[tokio::test]
async fn a_body_that_is_not_json_too_large_or_too_many_rows_is_refused() {
    let (app, koege, _) = App::with_tokens().await;
    let csv = app
        .send(
            Request::post("/api/v1/registrations")
                .header(header::AUTHORIZATION, format!("Bearer {koege}"))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from("Kommune;Opgave\n259;23.09.02\n"))
                .unwrap(),
        )
        .await;
    assert_eq!(csv.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(csv.errors()[0].2, "unsupported_media_type");

    let big = format!(
        r#"{{"batch_id": "{}", "registrations": []}}"#,
        "x".repeat(6 * 1024 * 1024)
    );
    let too_large = app.deliver(&koege, &big).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.errors()[0].2, "body_too_large");

    let row = json!({ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20" });
    let many = json!({ "registrations": vec![row; 10_001] });
    let too_many = app.deliver(&koege, &many.to_string()).await;
    assert_eq!(too_many.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_many.errors(),
        vec![(Value::Null, json!("registrations"), "too_many_rows".into())]
    );
    assert!(app.registrations(KOEGE).await.is_empty());
}

#[tokio::test]
async fn ten_thousand_rows_are_stored_as_one_batch() {
    let (app, koege, _) = App::with_tokens().await;
    let row = json!({ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20" });
    let many = json!({ "registrations": vec![row; 10_000] });
    let stored = app.deliver(&koege, &many.to_string()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    assert_eq!(stored.json()["rows"], 10_000);
    assert_eq!(app.registrations(KOEGE).await.len(), 10_000);
}

/// A personal user's session on the systems page: (cookie, csrf).
async fn session(app: &App, email: &str, role: Role, municipality: u16) -> (String, String) {
    app.add_user(email, &[(role, Some(municipality), None)])
        .await;
    let session = app.session(email, "/kommune/259/systemer").await;
    (session.cookie, session.csrf)
}

#[tokio::test]
async fn the_coordinator_issues_a_token_shown_once_that_works_until_revoked() {
    let (app, _, _) = App::with_tokens().await;
    let (cookie, csrf) = session(&app, "kim@koege.dk", Role::Coordinator, KOEGE).await;
    let page = app.get("/kommune/259/systemer", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Kø-system Borgerservice"));
    assert!(page.body.contains("Systemer og API"));

    let refused = app
        .post(
            "/kommune/259/systemer",
            &cookie,
            &[("csrf", &csrf), ("name", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Skriv systemets navn"));

    let issued = app
        .post(
            "/kommune/259/systemer",
            &cookie,
            &[("csrf", &csrf), ("name", "Telefonsystem Jobcenter")],
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let token = issued
        .body
        .split(r#"<code id="new-token""#)
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert!(token.starts_with("komhen_") && token.len() == 71, "{token}");

    // Shown once: never again on the page, never in the audit log.
    let again = app.get("/kommune/259/systemer", &cookie).await;
    assert!(!again.body.contains(&token));
    assert!(again.body.contains("Telefonsystem Jobcenter"));
    let audit = app
        .store()
        .list_audit(Some(code(KOEGE)), 100)
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.entry.entity == "system_token"));
    let hash = komhen_core::accounts::auth::token_hash(&token);
    for entry in &audit {
        let text = format!("{:?}", entry.entry);
        assert!(!text.contains(&token) && !text.contains(&hash), "{text}");
    }

    let body = json!({
        "registrations": [{ "task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20" }]
    })
    .to_string();
    assert_eq!(app.deliver(&token, &body).await.status, StatusCode::CREATED);
    let used = app.get("/kommune/259/systemer", &cookie).await;
    let row = used
        .body
        .split("<tr>")
        .find(|row| row.contains("Telefonsystem Jobcenter"))
        .unwrap();
    assert!(!row.contains("aldrig"), "last used is shown: {row}");

    let id = app
        .store()
        .list_system_tokens(code(KOEGE))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Telefonsystem Jobcenter")
        .unwrap()
        .id;
    let revoke = format!("/kommune/259/systemer/{id}/tilbagekald");
    let revoked = app.post(&revoke, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let after = app
        .get("/kommune/259/systemer?besked=tilbagekaldt", &cookie)
        .await;
    assert!(after.body.contains("Nøglen er tilbagekaldt"));
    assert!(after.body.contains("Tilbagekaldt"));
    assert_eq!(
        app.deliver(&token, &body).await.status,
        StatusCode::UNAUTHORIZED
    );
    let twice = app.post(&revoke, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("allerede tilbagekaldt"));
}

#[tokio::test]
async fn a_session_never_opens_the_api_and_a_cross_site_origin_does_not_block_it() {
    let (app, koege, _) = App::with_tokens().await;
    let (cookie, _) = session(&app, "kim@koege.dk", Role::Coordinator, KOEGE).await;
    let with_cookie = app
        .send(
            Request::post("/api/v1/registrations")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(two_rows().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(with_cookie.status, StatusCode::UNAUTHORIZED);

    let cross_site = app
        .send(
            Request::post("/api/v1/registrations")
                .header(header::HOST, "komhen.koege.dk")
                .header(header::ORIGIN, "https://koe-system.example")
                .header(header::AUTHORIZATION, format!("Bearer {koege}"))
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from(two_rows().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        cross_site.status,
        StatusCode::CREATED,
        "{}",
        cross_site.body
    );
    assert!(cross_site.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_openapi_document_is_generated_from_the_api_types() {
    let (app, koege, _) = App::with_tokens().await;
    let reply = app.get("/api/v1/openapi.json", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let post = &doc["paths"]["/api/v1/registrations"]["post"];
    assert_eq!(post["security"], json!([{ "systemnoegle": [] }]));
    for status in ["200", "201", "400", "401", "409", "413", "415", "422"] {
        assert!(post["responses"][status].is_object(), "{status}");
    }
    let schemas = &doc["components"]["schemas"];
    let required: Vec<&str> = schemas["RegistrationRequest"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["task", "channel", "time"] {
        assert!(required.contains(&field), "{required:?}");
    }
    assert!(schemas["ErrorDetail"]["properties"]["code"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["systemnoegle"]["scheme"],
        "bearer"
    );
    // The document's example is a batch komhen stores.
    let example = schemas["RegistrationBatchRequest"]["example"].clone();
    app.store()
        .create_unit(&NewUnit {
            municipality: code(KOEGE),
            department: None,
            name: "Borgerservice".into(),
            login: "259borgerservice".into(),
            password_hash: None,
        })
        .await
        .unwrap();
    let stored = app.deliver(&koege, &example.to_string()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
}

#[tokio::test]
async fn a_time_in_the_year_9999_or_in_the_future_is_refused() {
    let (app, koege, _) = App::with_tokens().await;
    for time in ["9999-10-21 10:20", "1899-10-21 10:20"] {
        let body = json!({
            "registrations": [{ "task": "23.09.02", "channel": "TLFIND", "time": time }]
        });
        let refused = app.deliver(&koege, &body.to_string()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{time}: {}",
            refused.body
        );
        assert_eq!(
            refused.errors()[0].1,
            json!("time"),
            "{time}: {}",
            refused.body
        );
    }
    assert!(app.registrations(KOEGE).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_field_sent_twice_is_named_as_such() {
    let (app, koege, _) = App::with_tokens().await;
    let body = r#"{"registrations": [{"task": "23.09.02", "channel": "TLFIND", "channel": "TLFUD", "time": "2025-10-21 10:20"}]}"#;
    let refused = app.deliver(&koege, body).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        refused.errors(),
        vec![(json!(0), json!("channel"), "duplicate_field".into())]
    );
    assert!(
        refused.body.contains("mere end én gang"),
        "{}",
        refused.body
    );
}

/// The document's operation for a route.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    &doc["paths"][path][method.to_lowercase()]
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route_with_its_ways_in_and_errors() {
    let app = App::new().await;
    let doc = app.get("/api/v1/openapi.json", "").await.json();
    let routes = komhen_web::route_table(app.db.store.clone());
    let api_routes: Vec<_> = routes
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .collect();
    assert!(api_routes.len() >= 8, "{}", api_routes.len());
    for route in &api_routes {
        let op = operation(&doc, route.method, route.path);
        assert!(
            op.is_object(),
            "{} {} is not in the document",
            route.method,
            route.path
        );
        let security = match route.access {
            komhen_core::accounts::access::Access::System => Some("systemnoegle"),
            komhen_core::accounts::access::Access::Public => None,
            _ => Some("session"),
        };
        match security {
            Some(scheme) => {
                assert_eq!(op["security"], json!([{ scheme: [] }]), "{}", route.path);
                assert!(op["responses"]["401"].is_object(), "{}", route.path);
            }
            None => assert!(op["security"].is_null(), "{}", route.path),
        }
        for (status, answer) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    answer["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorResponse",
                    "{} {status}",
                    route.path
                );
            }
        }
    }
    let metrics = operation(&doc, "GET", "/api/v1/public/metrics");
    let names: Vec<&str> = metrics["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["periode", "kommune", "side", "pr_side", "format"]);
    assert!(metrics["responses"]["200"]["content"]["text/csv"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["session"],
        json!({"type": "apiKey", "in": "cookie", "name": "komhen_session",
               "description": doc["components"]["securitySchemes"]["session"]["description"]})
    );
}

#[tokio::test]
async fn the_documented_batch_id_is_the_one_the_server_takes() {
    let (app, koege, _) = App::with_tokens().await;
    let doc = app.get("/api/v1/openapi.json", "").await.json();
    let batch_id =
        &doc["components"]["schemas"]["RegistrationBatchRequest"]["properties"]["batch_id"];
    assert_eq!(batch_id["minLength"], 1, "{batch_id}");
    assert_eq!(
        batch_id["maxLength"],
        komhen_core::intake::api::MAX_BATCH_ID,
        "{batch_id}"
    );
    assert!(batch_id["pattern"].is_string(), "{batch_id}");
    let schemas = &doc["components"]["schemas"];
    let row = &schemas["RegistrationRequest"]["properties"];
    assert_eq!(
        row["quantity"]["maximum"],
        komhen_domain::registration::MAX_QUANTITY
    );
    assert_eq!(
        row["duration_seconds"]["maximum"],
        komhen_domain::registration::MAX_DURATION_SECONDS
    );
    assert_eq!(
        schemas["RegistrationBatchRequest"]["properties"]["registrations"]["maxItems"],
        komhen_core::intake::api::MAX_ROWS
    );
    let limit = komhen_core::intake::api::MAX_BATCH_ID;
    for (id, taken) in [
        (String::new(), false),
        ("   ".to_owned(), false),
        ("kø\u{7}1".to_owned(), false),
        ("x".repeat(limit + 1), false),
        (format!(" {}", "x".repeat(limit)), false),
        ("x".repeat(limit), true),
        ("kø-borgerservice 1".to_owned(), true),
    ] {
        let mut body = two_rows();
        body["batch_id"] = json!(id);
        let reply = app.deliver(&koege, &body.to_string()).await;
        if taken {
            assert_eq!(reply.status, StatusCode::CREATED, "{id:?}: {}", reply.body);
        } else {
            assert_eq!(
                reply.errors(),
                vec![(Value::Null, json!("batch_id"), "invalid_batch_id".into())],
                "{id:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_method_or_address_the_api_lacks_is_answered_in_json_and_pages_keep_theirs() {
    let app = App::new().await;
    let wrong_method = app
        .send(
            Request::delete("/api/v1/public/periods")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.content_type.starts_with("application/json"));
    assert_eq!(
        wrong_method.errors(),
        vec![(Value::Null, Value::Null, "method_not_allowed".into())]
    );
    assert!(wrong_method.headers[header::ALLOW]
        .to_str()
        .unwrap()
        .contains("GET"));
    let get_of_post = app.get("/api/v1/registrations", "").await;
    assert_eq!(get_of_post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get_of_post.errors()[0].2, "method_not_allowed");
    assert_eq!(get_of_post.headers[header::ALLOW], "POST");

    let missing = app.get("/api/v1/nothing-here", "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.errors(),
        vec![(Value::Null, Value::Null, "not_found".into())]
    );
    assert!(
        missing.body.contains("/api/v1/openapi.json"),
        "{}",
        missing.body
    );

    // A signed-in user without a role that reads figures.
    app.add_user("uden-rolle@komhen.example", &[]).await;
    let session = app.session("uden-rolle@komhen.example", "/").await;
    let no_access = app.get("/api/v1/report", &session.cookie).await;
    assert_eq!(no_access.status, StatusCode::FORBIDDEN);
    assert_eq!(no_access.errors()[0].2, "no_access");

    // A page's error stays the page.
    let page = app.get("/findes-ikke", "").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
}

#[tokio::test]
async fn a_number_out_of_range_names_the_field_and_its_range() {
    let (app, koege, _) = App::with_tokens().await;
    for (field, number, range) in [
        ("quantity", "1e400", "1 til 100.000.000"),
        ("quantity", "-1e400", "1 til 100.000.000"),
        ("quantity", "99999999999999999999", "1 til 100.000.000"),
        ("quantity", "9223372036854775808", "1 til 100.000.000"),
        ("duration_seconds", "1e400", "0 til 86.400"),
    ] {
        let body = format!(
            r#"{{"registrations": [{{"task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20"}}, {{"task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20", "{field}": {number}}}]}}"#
        );
        let refused = app.deliver(&koege, &body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {number}: {}",
            refused.body
        );
        assert_eq!(
            refused.errors(),
            vec![(json!(1), json!(field), "number_out_of_range".into())],
            "{field} {number}"
        );
        assert!(refused.body.contains(range), "{}", refused.body);
        assert!(!refused.body.contains("JSON"), "{}", refused.body);
    }
    let answer = r#"{"registrations": [{"task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20", "answers": {"Alder": 1e400}}]}"#;
    let refused = app.deliver(&koege, answer).await;
    assert_eq!(
        refused.errors(),
        vec![(
            json!(0),
            json!("answers.Alder"),
            "number_out_of_range".into()
        )]
    );
    // Large quantities in many rows do not overflow the batch's sum.
    let rows: Vec<Value> = (0..3)
        .map(|_| json!({"task": "23.09.02", "channel": "TLFIND", "time": "2025-10-21 10:20", "quantity": i64::MAX}))
        .collect();
    let refused = app
        .deliver(&koege, &json!({ "registrations": rows }).to_string())
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.errors()[0].2, "invalid_quantity");
}

#[tokio::test]
async fn a_reused_or_bad_batch_id_is_told_together_with_the_row_errors() {
    let (app, koege, _) = App::with_tokens().await;
    let mut body = two_rows();
    body["batch_id"] = json!("kø-1");
    let first = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

    // Other rows under the same batch_id, with errors: every one is told.
    let mut other = body.clone();
    other["registrations"][0]["channel"] = json!("TLF");
    other["registrations"][1]["task"] = json!("");
    let refused = app.deliver(&koege, &other.to_string()).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        refused.errors(),
        vec![
            (Value::Null, json!("batch_id"), "batch_id_reused".into()),
            (json!(0), json!("channel"), "unknown_channel".into()),
            (json!(1), json!("task"), "missing_task".into()),
        ]
    );
    assert_eq!(refused.json()["error_count"], 3);

    // Good rows under the used batch_id: the conflict alone.
    let mut good = body.clone();
    good["registrations"][1]["quantity"] = json!(4);
    let conflict = app.deliver(&koege, &good.to_string()).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    assert_eq!(conflict.errors()[0].2, "batch_id_reused");

    // The first batch again: its first answer, nothing new stored.
    let again = app.deliver(&koege, &body.to_string()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["batch"], first.json()["batch"]);

    // A bad batch_id with row errors: both.
    other["batch_id"] = json!("");
    let refused = app.deliver(&koege, &other.to_string()).await;
    assert_eq!(
        refused.errors(),
        vec![
            (Value::Null, json!("batch_id"), "invalid_batch_id".into()),
            (json!(0), json!("channel"), "unknown_channel".into()),
            (json!(1), json!("task"), "missing_task".into()),
        ]
    );
    assert_eq!(
        app.registrations(KOEGE).await.len(),
        2,
        "nothing more stored"
    );
}

#[tokio::test]
async fn the_read_apis_refuse_a_parameter_out_of_its_documented_range() {
    let app = App::new().await;
    app.add_user("admin@komhen.example", &[(Role::NationalAdmin, None, None)])
        .await;
    let session = app.session("admin@komhen.example", "/").await;
    for (path, named) in [
        ("/api/v1/public/metrics?side=0", "side"),
        ("/api/v1/public/metrics?pr_side=0", "pr_side"),
        ("/api/v1/public/metrics?pr_side=1001", "pr_side"),
        (
            "/api/v1/public/metrics?periode=99999999999999999999",
            "periode",
        ),
        ("/api/v1/public/metrics?format=xml", "format"),
        ("/api/v1/public/metrics?side=1&side=2", "side"),
        ("/api/v1/public/savings?periode=0", "periode"),
        ("/api/v1/report?format=xml", "format"),
        ("/api/v1/report?median=kanske", "median"),
        ("/api/v1/report?omkostning=", "omkostning"),
    ] {
        let refused = app.get(path, &session.cookie).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            refused.body
        );
        assert_eq!(refused.errors()[0].2, "invalid_query", "{path}");
        assert!(
            refused.body.contains(&format!("«{named}»")),
            "{path}: {}",
            refused.body
        );
    }
    let taken = app
        .get("/api/v1/public/metrics?side=1&pr_side=1000&format=json", "")
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    let taken = app
        .get("/api/v1/report?median=ja&omkostning=nej", &session.cookie)
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
}
