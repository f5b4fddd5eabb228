//! The registration tool through the router, in-process, on the test backend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Timelike, Utc};
mod common;

use common::{csrf_of, encode, koege, App, PASSWORD};
use komhen_domain::{danish_local, DateDimensions, KleNumber, MunicipalityCode, Source, UnitId};
use komhen_store::RegistrationFilter;
use komhen_store_conformance::SetupShortcuts;

impl App {
    /// Køge's unit `259borgerservice` with three tasks and København's
    /// `101bs` with one.
    async fn with_units() -> Self {
        let app = Self::new().await;
        app.with_unit(
            259,
            "259borgerservice",
            &["23.09.02", "29.03.04", "23.05.10"],
        )
        .await;
        app.with_unit(101, "101bs", &["23.09.02"]).await;
        app
    }

    async fn with_unit(&self, municipality: u16, login: &str, kle: &[&str]) -> UnitId {
        let code = MunicipalityCode::new(municipality).unwrap();
        let unit = self.add_unit(municipality, login, None).await;
        let tasks: Vec<_> = self
            .store()
            .list_tasks(code)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| kle.contains(&t.kle.as_str()))
            .map(|t| t.id)
            .collect();
        self.store().assign_tasks(code, unit, &tasks).await.unwrap();
        unit
    }

    async fn task_id(&self, kle: &str) -> i64 {
        let kle = KleNumber::parse(kle).unwrap();
        self.store()
            .list_tasks(koege())
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.kle == kle)
            .unwrap()
            .id
            .0
    }

    /// Logs in and returns the cookie and the page's CSRF token.
    async fn unit_login(&self, login: &str) -> (String, String) {
        let reply = self.log_in(login, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location, "/registrering");
        let cookie = reply.cookie.unwrap();
        let page = self.get("/registrering", &cookie).await;
        (cookie, csrf_of(&page.body))
    }

    async fn rows(&self, municipality: MunicipalityCode) -> Vec<komhen_store::RegistrationRow> {
        let all = RegistrationFilter {
            include_test: true,
            ..RegistrationFilter::default()
        };
        self.store()
            .list_registrations(municipality, &all)
            .await
            .unwrap()
    }
}

fn phone_guidance<'a>(csrf: &'a str, task: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("idempotency_key", key),
        ("direction", "in"),
        ("channel", "TLFIND"),
        ("task", task),
        ("inquiry_type", "VEJL"),
        ("completion", "STRAKS"),
        ("duration_ms", "4321"),
    ]
}

#[tokio::test]
async fn unit_pages_need_a_login_and_wrong_passwords_are_throttled() {
    let app = App::with_units().await;
    let anonymous = app.get("/registrering", "").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location, "/log-ind");
    assert_eq!(
        app.get("/registrering", "komhen_session=forged")
            .await
            .location,
        "/log-ind"
    );

    for _ in 0..5 {
        let wrong = app
            .post(
                "/log-ind",
                "",
                &[("login", "259borgerservice"), ("password", "gæt")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("Forkert login eller adgangskode."));
        assert!(wrong.cookie.is_none());
    }
    let throttled = app
        .post(
            "/log-ind",
            "",
            &[("login", "259BorgerService"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(throttled.body.contains("For mange forkerte forsøg"));
    // Another unit is not affected.
    app.unit_login("101bs").await;
}

#[tokio::test]
async fn a_registration_is_stored_once_for_the_session_unit() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let form = phone_guidance(&csrf, &pas, "key-1");
    let saved = app.post("/registrering", &cookie, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location.starts_with("/registrering?gemt="));
    let again = app.post("/registrering", &cookie, &form).await;
    assert_eq!(
        again.location, saved.location,
        "a resent form points at the same registration"
    );

    let rows = app.rows(koege()).await;
    assert_eq!(rows.len(), 1, "one row, not two");
    let row = &rows[0];
    let unit = app
        .store()
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.unit, row.source, row.quantity),
        (Some(unit.id), Source::Tool, 1)
    );
    assert_eq!(row.duration_ms, Some(4321));
    assert_eq!(row.channel.as_str(), "TLFIND");
    assert_eq!(row.has_form, None, "no form on the phone");
    assert!(!row.is_test);
    assert!((Utc::now() - row.registered_at).num_seconds() < 60);

    let page = app.get(&saved.location, &cookie).await;
    assert!(page.body.contains("id=\"confirmation\""));
    assert!(page
        .body
        .contains("Telefon, indgående · 23.09.02 Pas · Råd og vejledning · afsluttet straks"));
    assert!(page
        .body
        .contains(r#"<span id="today-count">1</span> henvendelse registreret"#));
    // Direction and channel stay chosen for the next registration.
    assert!(page.body.contains(r#"id="channel-TLFIND" name="channel" value="TLFIND" data-key="1" data-form="false" data-direction="in" checked"#));
}

#[tokio::test]
async fn a_change_of_the_unit_set_up_takes_effect_on_the_next_save() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    // Not assigned yet: refused, with the catalogue now cached.
    let tax = app.task_id("17.13.10").await.to_string();
    let refused = app
        .post("/registrering", &cookie, &phone_guidance(&csrf, &tax, "k1"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Opgaven er ikke tildelt enheden."));

    let unit = app
        .store()
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    app.store()
        .assign_tasks(
            koege(),
            unit.id,
            &[komhen_domain::TaskId(tax.parse().unwrap())],
        )
        .await
        .unwrap();
    let saved = app
        .post("/registrering", &cookie, &phone_guidance(&csrf, &tax, "k2"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.rows(koege()).await.len(), 1);
}

#[tokio::test]
async fn forms_without_the_session_token_or_from_another_site_store_nothing() {
    let app = App::with_units().await;
    let (cookie, _) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let forged = "0".repeat(64);
    let reply = app
        .post(
            "/registrering",
            &cookie,
            &phone_guidance(&forged, &pas, "k"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let cross_site = app
        .send(
            Request::post("/log-ind")
                .header(header::HOST, "komhen.example.dk")
                .header(header::ORIGIN, "https://evil.example.com")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "login=259borgerservice&password={}",
                    encode(PASSWORD)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert!(app.rows(koege()).await.is_empty());
}

#[tokio::test]
async fn invalid_registrations_are_refused_in_danish_and_store_nothing() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let not_assigned = app.task_id("32.03.04").await.to_string();

    let mut wrong_direction = phone_guidance(&csrf, &pas, "a");
    wrong_direction[2] = ("direction", "out");
    let reply = app.post("/registrering", &cookie, &wrong_direction).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Telefon, indgående er en indgående kanal."),
        "{}",
        reply.body
    );

    let reply = app
        .post(
            "/registrering",
            &cookie,
            &phone_guidance(&csrf, &not_assigned, "b"),
        )
        .await;
    assert!(reply.body.contains("Opgaven er ikke tildelt enheden."));

    let mut no_form = phone_guidance(&csrf, &pas, "c");
    no_form[3] = ("channel", "PRSNLG");
    let reply = app.post("/registrering", &cookie, &no_form).await;
    assert!(reply.body.contains("Vælg, om der fulgte en blanket med."));
    assert!(
        reply.body.contains(
            r#"value="PRSNLG" data-key="2" data-form="true" data-direction="in" checked"#
        ),
        "choices are kept"
    );

    let empty = app
        .post("/registrering", &cookie, &[("csrf", csrf.as_str())])
        .await;
    for message in [
        "Vælg en kanal.",
        "Vælg en opgave.",
        "Vælg en henvendelsestype.",
    ] {
        assert!(empty.body.contains(message), "{message}");
    }
    let mut web = phone_guidance(&csrf, &pas, "d");
    web[3] = ("channel", "WEB");
    assert!(app
        .post("/registrering", &cookie, &web)
        .await
        .body
        .contains("kan ikke registreres her"));
    assert!(app.rows(koege()).await.is_empty());

    // The same key after fixing the form is still one registration.
    no_form.push(("form", "JA"));
    assert_eq!(
        app.post("/registrering", &cookie, &no_form).await.status,
        StatusCode::SEE_OTHER
    );
    let rows = app.rows(koege()).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].has_form, Some(true));
}

#[tokio::test]
async fn test_mode_flags_registrations_and_shows_a_banner() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    komhen_core::setup::set_test_mode(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        koege(),
        true,
        None,
    )
    .await
    .unwrap();
    let page = app.get("/registrering", &cookie).await;
    assert!(page.body.contains("id=\"test-mode-banner\""));
    app.post("/registrering", &cookie, &phone_guidance(&csrf, &pas, "t1"))
        .await;
    let rows = app.rows(koege()).await;
    assert!(rows[0].is_test);
    let page = app.get("/registrering", &cookie).await;
    assert!(
        page.body.contains("test-badge"),
        "the unit sees its test rows"
    );
    assert!(
        app.store()
            .count_by_municipality()
            .await
            .unwrap()
            .is_empty(),
        "never counted"
    );

    // Test mode that ran out a minute ago (set in the store: the use case
    // refuses an end already passed).
    let ended = Utc::now() - Duration::minutes(1);
    app.store()
        .set_test_mode(koege(), true, Some(ended))
        .await
        .unwrap();
    assert!(
        !app.get("/registrering", &cookie)
            .await
            .body
            .contains("id=\"test-mode-banner\""),
        "ended by itself"
    );
    let audit = app.store().list_audit(Some(koege()), 10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.entry.action == "set_test_mode")
            .count(),
        1,
        "switched on through the use case, which audits it"
    );
}

#[tokio::test]
async fn undo_and_correction_work_on_the_unit_own_rows_and_are_audited() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let (other_cookie, other_csrf) = app.unit_login("101bs").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let kort = app.task_id("29.03.04").await.to_string();
    let first = app
        .post("/registrering", &cookie, &phone_guidance(&csrf, &pas, "u1"))
        .await;
    let id = first.location.rsplit('=').next().unwrap().to_owned();

    // Another municipality's unit can neither undo nor open it.
    let foreign = app
        .post(
            &format!("/registrering/{id}/fortryd"),
            &other_cookie,
            &[("csrf", &other_csrf)],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/registrering/{id}/ret"), &other_cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let mut change = phone_guidance(&csrf, &kort, "");
    change[5] = ("inquiry_type", "OPRET");
    let corrected = app
        .post(&format!("/registrering/{id}/ret"), &cookie, &change)
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let row = app.rows(koege()).await.remove(0);
    assert_eq!(row.task.0.to_string(), kort);
    assert_eq!(row.inquiry_type.map(|t| t.code()), Some("OPRET"));

    let undone = app
        .post(
            &format!("/registrering/{id}/fortryd"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(undone.location, "/registrering?fortrudt=1");
    assert!(app.rows(koege()).await.is_empty());
    let audit = app.store().list_audit(Some(koege()), 10).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.entry.action.as_str()).collect();
    assert_eq!(actions, vec!["undo", "correct"]);
    assert!(
        audit[0]
            .entry
            .before_json
            .as_deref()
            .unwrap()
            .contains("\"inquiry_type\":\"OPRET\""),
        "the undone row is kept"
    );
}

#[tokio::test]
async fn undo_is_refused_after_five_minutes() {
    let app = App::with_units().await;
    app.unit_login("259borgerservice").await;
    let unit = app
        .store()
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    let catalogs = komhen_core::registration::Catalogs::new();
    let ctx =
        komhen_core::registration::UnitContext::load(app.store(), &catalogs, koege(), unit.id)
            .await
            .unwrap()
            .unwrap();
    let input = komhen_core::registration::RegistrationInput {
        channel: "TLFIND".into(),
        task: app.task_id("23.09.02").await.to_string(),
        inquiry_type: "INFO".into(),
        completion: "HOLD".into(),
        ..Default::default()
    };
    let now = Utc::now();
    let saved = komhen_core::registration::register(app.store(), &ctx, &input, now)
        .await
        .unwrap();
    let late = now + Duration::minutes(6);
    let refused = komhen_core::registration::undo(app.store(), &ctx, saved.id, late).await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("kun fortrydes i 5 minutter"));
    assert_eq!(app.rows(koege()).await.len(), 1);
}

#[tokio::test]
async fn late_entry_stores_the_chosen_time_today_and_refuses_the_future() {
    let app = App::with_units().await;
    // The server's clock at ten in the morning, Danish time, whenever the
    // test runs: 00:05 is earlier today, 12:00 is later.
    let now = Utc::now();
    let local = danish_local(now);
    app.clock.set(
        now - Duration::hours(i64::from(local.hour()) - 10)
            - Duration::minutes(i64::from(local.minute())),
    );
    assert_eq!(danish_local(app.clock.now()).hour(), 10);
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let mut early = phone_guidance(&csrf, &pas, "l1");
    early.push(("time", "00:05"));
    assert_eq!(
        app.post("/registrering", &cookie, &early).await.status,
        StatusCode::SEE_OTHER
    );
    let row = app.rows(koege()).await.remove(0);
    let local = danish_local(row.registered_at);
    assert_eq!((local.hour(), chrono::Timelike::minute(&local)), (0, 5));
    assert_eq!(row.day, DateDimensions::of(app.clock.now()).day);
    assert_eq!(row.hour, 0);

    let mut future = phone_guidance(&csrf, &pas, "l2");
    future.push(("time", "12:00"));
    let reply = app.post("/registrering", &cookie, &future).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Tidspunktet ligger efter nu."));
    let mut nonsense = phone_guidance(&csrf, &pas, "l3");
    nonsense.push(("time", "25:99"));
    assert!(app
        .post("/registrering", &cookie, &nonsense)
        .await
        .body
        .contains("er ikke et klokkeslæt"));
    assert_eq!(app.rows(koege()).await.len(), 1);
}

#[tokio::test]
async fn a_typed_in_paper_sheet_becomes_counted_rows_once() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let sheet = app.get("/registrering/skema", &cookie).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.body.contains("23.09.02 Pas"));
    assert!(sheet.body.contains("Personligt fremmøde"));
    let entry = app.get("/registrering/skema/indtast", &cookie).await;
    let pas = app.task_id("23.09.02").await;
    let box_a = format!("c_{pas}_PRSNLG_VEJL_STRAKS");
    let box_b = format!("c_{pas}_TLFIND_OPRET_HOLD");
    assert!(entry.body.contains(&box_a));
    let day = (DateDimensions::of(Utc::now()).day - Duration::days(1)).to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("day", day.as_str()),
        (box_a.as_str(), "12"),
        (box_b.as_str(), "3"),
        ("c_1_TLFIND_VEJL_STRAKS", ""),
    ];
    let saved = app
        .post("/registrering/skema/indtast", &cookie, &form)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location.contains("antal=15"));

    let rows = app.rows(koege()).await;
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r.source == Source::Paper && r.day.to_string() == day && r.batch.is_some()));
    assert_eq!(rows.iter().map(|r| r.quantity).sum::<i64>(), 15);

    let again = app
        .post("/registrering/skema/indtast", &cookie, &form)
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("allerede indtastet"));
    let bad = [
        ("csrf", csrf.as_str()),
        ("day", day.as_str()),
        (box_a.as_str(), "mange"),
    ];
    assert!(app
        .post("/registrering/skema/indtast", &cookie, &bad)
        .await
        .body
        .contains("er ikke et antal"));
    let future = (DateDimensions::of(Utc::now()).day + Duration::days(1)).to_string();
    let ahead = [
        ("csrf", csrf.as_str()),
        ("day", future.as_str()),
        (box_a.as_str(), "1"),
    ];
    assert!(app
        .post("/registrering/skema/indtast", &cookie, &ahead)
        .await
        .body
        .contains("fremtiden"));
    assert_eq!(
        app.rows(koege()).await.len(),
        2,
        "nothing stored twice or half"
    );
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let out = app.post("/log-ud", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(out.location, "/log-ind");
    assert_eq!(app.get("/registrering", &cookie).await.location, "/log-ind");
}

#[tokio::test]
async fn the_unit_pages_switch_to_english_and_back() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let switched = app
        .get("/sprog?til=en&tilbage=//evil.example.com", &cookie)
        .await;
    assert_eq!(
        switched.location, "/registrering",
        "never back to another site"
    );
    let lang = switched.cookie.unwrap();
    assert_eq!(lang, "komhen_lang=en");
    let both = format!("{cookie}; {lang}");
    let page = app.get("/registrering", &both).await;
    assert!(page.body.contains(r#"<html lang="en">"#));
    for text in [
        "1. Direction",
        "Telephone, incoming",
        "Advice and guidance",
        "Finished at once",
        "Dansk",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let pas = app.task_id("23.09.02").await.to_string();
    let saved = app
        .post("/registrering", &both, &phone_guidance(&csrf, &pas, "en1"))
        .await;
    let confirmation = app.get(&saved.location, &both).await;
    assert!(confirmation
        .body
        .contains("Telephone, incoming · 23.09.02 Pas · Advice and guidance · finished at once"));
    let login = app.get("/log-ind", "komhen_lang=en").await;
    assert!(login.body.contains("login or your e-mail"));
    let danish = app
        .get("/registrering", &format!("{cookie}; komhen_lang=da"))
        .await;
    assert!(danish.body.contains(r#"<html lang="da">"#) && danish.body.contains("1. Retning"));
}

#[tokio::test]
async fn the_help_page_explains_the_method_in_danish_and_english_behind_the_unit_login() {
    let app = App::with_units().await;
    let anonymous = app.get("/registrering/hjaelp", "").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location, "/log-ind");

    let (cookie, _) = app.unit_login("259borgerservice").await;
    // The registration page leads to it, by link and by the "?" key.
    let form = app.get("/registrering", &cookie).await;
    assert!(
        form.body.contains(
            r#"<a href="/registrering/hjaelp" id="help-link">Hjælp til registrering</a>"#
        ),
        "{}",
        form.body
    );
    let keyboard = form.body.split(r#"id="keyboard-help""#).nth(1).unwrap();
    assert!(keyboard.contains("<tr><td><kbd>?</kbd></td><td>Hjælp til registrering"));

    let help = app.get("/registrering/hjaelp", &cookie).await;
    assert_eq!(help.status, StatusCode::OK);
    assert!(help.body.contains(r#"<html lang="da">"#));
    for text in [
        "<h1>Hjælp til registrering</h1>",
        r#"<h2 id="en-henvendelse">Hvad er én henvendelse?</h2>"#,
        r#"<h2 id="viderestillet">Hvem registrerer en viderestillet henvendelse?</h2>"#,
        r#"<h2 id="ikke-henvendelse">Hvad er ikke en henvendelse?</h2>"#,
        "Det er den medarbejder, der afslutter henvendelsen, der registrerer den.",
        "Interne henvendelser.",
        "Fejlhenvendelse",
        "4. Henvendelsestype",
        r#"<a href="/registrering" id="help-back">Tilbage til registreringen</a>"#,
        "/sprog?til=en&amp;tilbage=/registrering/hjaelp",
        r#"<script src="/static/registration.js"></script>"#,
    ] {
        assert!(help.body.contains(text), "{text}");
    }
    assert_eq!(help.body.matches("class=\"help-answer\"").count(), 8);

    let switched = app
        .get("/sprog?til=en&tilbage=/registrering/hjaelp", &cookie)
        .await;
    assert_eq!(switched.location, "/registrering/hjaelp");
    let english = format!("{cookie}; {}", switched.cookie.unwrap());
    let help = app.get("/registrering/hjaelp", &english).await;
    assert_eq!(help.status, StatusCode::OK);
    assert!(help.body.contains(r#"<html lang="en">"#));
    for text in [
        "<h1>Help with registering</h1>",
        r#"<h2 id="one-inquiry">What is one inquiry?</h2>"#,
        r#"<h2 id="forwarded">Who registers a forwarded inquiry?</h2>"#,
        r#"<h2 id="not-an-inquiry">What is not an inquiry?</h2>"#,
        "The employee who finishes the inquiry registers it.",
        "4. Inquiry type",
        "Back to registering",
    ] {
        assert!(help.body.contains(text), "{text}");
    }
    assert!(!help.body.contains("Hvad er én henvendelse?"));
    let form = app.get("/registrering", &english).await;
    assert!(form.body.contains(">Help with registering</a>"));
}

#[tokio::test]
async fn the_week_table_shows_the_unit_inquiries_per_day_from_monday() {
    let app = App::with_units().await;
    let pas = app.task_id("23.09.02").await.to_string();
    // Week 17 of 2026, the spring counting week: two inquiries on the
    // Tuesday, one on the Wednesday (a new login each day: sessions end).
    let day = |d: u32| {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 4, d).unwrap();
        komhen_domain::danish_instant(date, 10, 0).unwrap()
    };
    app.clock.set(day(21));
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    for key in ["w1", "w2"] {
        let saved = app
            .post("/registrering", &cookie, &phone_guidance(&csrf, &pas, key))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    // Another unit's inquiry that day is not this unit's.
    let (other, other_csrf) = app.unit_login("101bs").await;
    let kbh_pas = app
        .store()
        .list_unit_tasks(
            MunicipalityCode::new(101).unwrap(),
            app.store()
                .find_unit_by_login("101bs")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
        .id
        .0
        .to_string();
    let saved = app
        .post(
            "/registrering",
            &other,
            &phone_guidance(&other_csrf, &kbh_pas, "w9"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    app.clock.set(day(22));
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let saved = app
        .post("/registrering", &cookie, &phone_guidance(&csrf, &pas, "w3"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/registrering", &cookie).await;
    let week = page
        .body
        .split(r#"id="week-graph""#)
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(week.contains("Ugen indtil nu: henvendelser pr. dag"));
    let rows: Vec<&str> = week.split("<tr").skip(2).collect();
    assert_eq!(rows.len(), 4, "Monday to Wednesday and the total: {week}");
    assert!(rows[0].contains(
        r#"<th scope="row"><span class="day-name">Mandag 20.4.</span></th><td class="num">0</td>"#
    ));
    assert!(rows[1].contains(
        r#"<th scope="row"><span class="day-name">Tirsdag 21.4.</span></th><td class="num">2</td>"#
    ));
    assert!(rows[2].contains(r#"aria-current="date""#));
    assert!(rows[2].contains(
        r#"Onsdag 22.4.</span> <span class="week-today">(i dag)</span></th><td class="num">1</td>"#
    ));
    assert!(rows[3].contains(r#"<td class="num" id="week-count">3</td>"#));
    // The day's own count is still the day's.
    assert!(page
        .body
        .contains(r#"<span id="today-count">1</span> henvendelse registreret"#));

    let english = app
        .get("/registrering", &format!("{cookie}; komhen_lang=en"))
        .await;
    assert!(english.body.contains("The week so far: inquiries per day"));
    assert!(english.body.contains(
        r#"<th scope="row"><span class="day-name">Tuesday 21/4</span></th><td class="num">2</td>"#
    ));
}

#[tokio::test]
async fn the_server_refusal_marks_each_missing_step_and_links_to_it() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let mut no_task = phone_guidance(&csrf, &pas, "m1");
    no_task.retain(|(name, _)| *name != "task" && *name != "completion");
    let reply = app.post("/registrering", &cookie, &no_task).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &reply.body;
    // The summary links to the step ...
    assert!(
        body.contains(r##"<a class="function-link" href="#step-task">Vælg en opgave.</a>"##),
        "{body}"
    );
    assert!(body.contains(r##"href="#step-completion""##), "{body}");
    // ... and the step is marked the DKFDS way, its message tied to it.
    assert!(
        body.contains(
            r#"<fieldset id="step-task" class="step form-error" aria-describedby="error-task""#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"<span class="form-error-message" id="error-task"><span class="sr-only">Fejl:</span> Vælg en opgave.</span>"#),
        "{body}"
    );
    assert!(body.contains(r#"aria-describedby="task-search-hint error-task" aria-invalid="true""#));
    assert!(body.contains(r#"class="step form-error" aria-describedby="error-completion""#));
    // The steps that were answered are not marked.
    assert!(body.contains(r#"<fieldset id="step-channel" class="step" data-step="channel""#));
    assert!(!body.contains(r#"id="error-channel""#));
    assert!(app.rows(koege()).await.is_empty());

    // On the English page the open steps are named in English.
    let both = format!("{cookie}; komhen_lang=en");
    let mut no_task = phone_guidance(&csrf, &pas, "m2");
    no_task.retain(|(name, _)| *name != "task");
    let english = app.post("/registrering", &both, &no_task).await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        english.body.contains(
            r#"<span class="form-error-message" id="error-task"><span class="sr-only">Error:</span> Choose a task.</span>"#
        ),
        "{}",
        english.body
    );
    assert!(english
        .body
        .contains(r##"href="#step-task">Choose a task.</a>"##));
}

#[tokio::test]
async fn a_registration_kept_in_the_browser_keeps_the_moment_it_was_made() {
    let app = App::with_units().await;
    let (cookie, csrf) = app.unit_login("259borgerservice").await;
    let pas = app.task_id("23.09.02").await.to_string();
    let now = app.clock.now();
    // Made offline yesterday, sent today: counted on yesterday, at its moment.
    let made = (now - Duration::hours(20)).to_rfc3339();
    let mut queued = phone_guidance(&csrf, &pas, "o1");
    queued.push(("made_at", &made));
    assert_eq!(
        app.post("/registrering", &cookie, &queued).await.status,
        StatusCode::SEE_OTHER
    );
    // Sent twice (the answer was lost on the way): stored once.
    assert_eq!(
        app.post("/registrering", &cookie, &queued).await.status,
        StatusCode::SEE_OTHER
    );
    let rows = app.rows(koege()).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].registered_at.timestamp(),
        (now - Duration::hours(20)).timestamp()
    );
    assert_eq!(
        rows[0].day,
        DateDimensions::of(now - Duration::hours(20)).day
    );
    // A browser clock ahead of the server's never stores a future moment.
    let ahead = (now + Duration::hours(2)).to_rfc3339();
    let mut early = phone_guidance(&csrf, &pas, "o2");
    early.push(("made_at", &ahead));
    assert_eq!(
        app.post("/registrering", &cookie, &early).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(app
        .rows(koege())
        .await
        .iter()
        .all(|r| r.registered_at <= app.clock.now()));
    // Older than a paper sheet may be: refused, said why, nothing stored.
    let ancient =
        (now - Duration::days(komhen_core::registration::QUEUED_MAX_AGE_DAYS + 1)).to_rfc3339();
    let mut old = phone_guidance(&csrf, &pas, "o3");
    old.push(("made_at", &ancient));
    let reply = app.post("/registrering", &cookie, &old).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("gemt i browseren for mere end"),
        "{}",
        reply.body
    );
    assert_eq!(app.rows(koege()).await.len(), 2);
}
