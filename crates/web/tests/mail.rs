//! E-mail through the router, sent to a real SMTP server (aiosmtpd, started
//! by the test): with a mailer, an invitation's one-time link goes by mail
//! and not on the page, the outbox shows the mail without the link, and the
//! link from the mail sets the password; the outbox is the national
//! administrator's and, for its own mails, the coordinator's.
#![allow(clippy::unwrap_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{App, KOEGE};
use komhen_backend::smtp_sink::SmtpSink;
use komhen_core::mail::Mailer;
use komhen_domain::Role;
use std::sync::Arc;

const SITE: &str = "https://komhen.example.dk";

/// The national administrator invites Nina Ny as Køge's coordinator.
async fn invite_nina(app: &App, admin: &common::Session) -> common::Reply {
    app.post(
        "/admin/brugere",
        &admin.cookie,
        &[
            ("csrf", &admin.csrf),
            ("email", "ny@koege.dk"),
            ("name", "Nina Ny"),
            ("role", "coordinator"),
            ("municipality", &KOEGE.to_string()),
            ("unit", ""),
        ],
    )
    .await
}

async fn app_with_mailer(sink: &SmtpSink) -> App {
    let mut app = App::new().await;
    let mailer = Mailer::new(&sink.url(), "komhen@kommune.example.dk", SITE).unwrap();
    app.router = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            clock: app.clock.clone(),
            mailer: Some(Arc::new(mailer)),
            ..komhen_web::Options::default()
        },
    );
    app
}

#[tokio::test]
async fn an_invitation_is_mailed_once_and_the_outbox_keeps_it_without_the_link() {
    let sink = SmtpSink::start();
    let app = app_with_mailer(&sink).await;
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    let admin = app.session("admin@komhen.dk", "/admin/brugere").await;
    let reply = invite_nina(&app, &admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .body
            .contains("Linket er sendt med e-mail til ny@koege.dk"),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("/adgangskode/"),
        "the page keeps the link to itself"
    );

    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].to.contains("ny@koege.dk"));
    let body = &mails[0].body;
    assert!(body.contains("Kære Nina Ny"), "{body}");
    let start = body.find(&format!("{SITE}/adgangskode/")).unwrap();
    let url: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let path = url.trim_start_matches(SITE).to_owned();

    // The outbox shows the mail, sent, with the link left out.
    let outbox = app.get("/admin/udbakke", &admin.cookie).await;
    assert_eq!(outbox.status, StatusCode::OK);
    assert!(outbox.body.contains("ny@koege.dk"), "{}", outbox.body);
    assert!(outbox.body.contains("Sendt"), "{}", outbox.body);
    assert!(outbox
        .body
        .contains("[linket vises kun i mailen til modtageren]"));
    assert!(!outbox.body.contains(&path), "no token in the outbox");
    // Køge's outbox page has it too (it is about Køge); Roskilde's has not.
    let stored = komhen_core::mail::outbox(app.store(), None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].municipality, None,
        "invited by the national administrator"
    );

    // The link from the mail sets the password.
    let password = "et langt kodeord";
    let set = app
        .post(&path, "", &[("password", password), ("repeated", password)])
        .await;
    assert!(
        set.status.is_success() || set.status.is_redirection(),
        "{}",
        set.body
    );
    let login = app.log_in("ny@koege.dk", password).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
}

#[tokio::test]
async fn a_coordinator_sees_the_outbox_of_the_municipality_only() {
    let sink = SmtpSink::start();
    let app = app_with_mailer(&sink).await;
    app.add_user("tov@koege.dk", &[(Role::Coordinator, Some(KOEGE), None)])
        .await;
    app.add_user("tov@roskilde.dk", &[(Role::Coordinator, Some(265), None)])
        .await;
    let koege = app.session("tov@koege.dk", "/kommune/259/brugere").await;
    // Køge's coordinator makes a new link for a colleague: mailed.
    let colleague = app
        .add_user("kollega@koege.dk", &[(Role::Analyst, Some(KOEGE), None)])
        .await;
    let reply = app
        .post(
            &format!("/kommune/259/brugere/{colleague}/link"),
            &koege.cookie,
            &[("csrf", &koege.csrf)],
        )
        .await;
    assert!(
        reply
            .body
            .contains("Linket er sendt med e-mail til kollega@koege.dk"),
        "{}",
        reply.body
    );
    assert_eq!(sink.mails().len(), 1);

    let own = app.get("/kommune/259/udbakke", &koege.cookie).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("kollega@koege.dk"), "{}", own.body);
    let roskilde = app.session("tov@roskilde.dk", "/kommune/265/udbakke").await;
    let theirs = app.get("/kommune/265/udbakke", &roskilde.cookie).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("kollega@koege.dk"), "{}", theirs.body);
    assert!(theirs.body.contains("Udbakken er tom"));
    // Nor may Roskilde's coordinator open Køge's.
    let refused = app.get("/kommune/259/udbakke", &roskilde.cookie).await;
    assert_ne!(refused.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_mailer_the_link_is_shown_and_reminders_wait_in_the_outbox() {
    let app = App::new().await;
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    let admin = app.session("admin@komhen.dk", "/admin/udbakke").await;
    let outbox = app.get("/admin/udbakke", &admin.cookie).await;
    assert!(
        outbox.body.contains("Der er ingen SMTP-server sat op"),
        "{}",
        outbox.body
    );
    // Without KOMHEN_BASE_URL no reminder is made: its link would be wrong
    // for good.
    let run = app
        .post(
            "/admin/udbakke/paamindelser",
            &admin.cookie,
            &[("csrf", &admin.csrf)],
        )
        .await;
    assert!(run.body.contains("Sæt KOMHEN_BASE_URL"), "{}", run.body);
    assert!(
        !run.body.contains("påmindelser er aktuelle i dag"),
        "{}",
        run.body
    );
    let reply = invite_nina(&app, &admin).await;
    assert!(reply.body.contains("/adgangskode/"), "{}", reply.body);
}

#[tokio::test]
async fn the_button_stores_the_reminders_once_and_leaves_sending_to_the_server() {
    let mut app = App::new().await;
    app.router = komhen_web::router_with(
        app.db.store.clone(),
        komhen_web::Options {
            clock: app.clock.clone(),
            base_url: Some(SITE.into()),
            ..komhen_web::Options::default()
        },
    );
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    app.add_user("tov@koege.dk", &[(Role::Coordinator, Some(KOEGE), None)])
        .await;
    // A national period that ended ten days ago: due in four days, and
    // Køge (taking part) has registered nothing.
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let period = komhen_core::setup::catalogue::create_period(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        &komhen_core::setup::catalogue::PeriodInput {
            name: "Efterår".into(),
            starts_on: today - chrono::Duration::days(30),
            ends_on: today - chrono::Duration::days(10),
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap();
    komhen_core::setup::set_participation(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        common::koege(),
        period,
        true,
        &[],
    )
    .await
    .unwrap();
    let admin = app.session("admin@komhen.dk", "/admin/udbakke").await;
    for stored in [1, 0] {
        let run = app
            .post(
                "/admin/udbakke/paamindelser",
                &admin.cookie,
                &[("csrf", &admin.csrf)],
            )
            .await;
        assert!(
            run.body.contains(&format!(
                "1 påmindelser er aktuelle i dag; {stored} er lagt i udbakken nu"
            )),
            "{}",
            run.body
        );
    }
    let mails = komhen_core::mail::outbox(app.store(), None).await.unwrap();
    assert_eq!(mails.len(), 1);
    assert!(mails[0]
        .body
        .contains(&format!("{SITE}/kommune/259/tjekliste")));
    assert!(
        mails[0].sent_at.is_none(),
        "the request sends nothing itself"
    );
}
