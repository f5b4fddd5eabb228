//! Reminders by e-mail, sent to a real SMTP server (aiosmtpd, started by
//! the test) on the test backend (SQLite, or PostgreSQL with
//! `KOMHEN_TEST_DATABASE_URL`): a coordinator with missing data gets one
//! reminder before the deadline however often the job runs; a municipality
//! that submitted gets none; units that registered nothing are named to
//! their coordinator; a mail the server refused is tried again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{DateTime, Duration, NaiveDate, Utc};
use komhen_backend::smtp_sink::SmtpSink;
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::accounts::account::{self, Grant};
use komhen_core::mail::{self, MailState, Mailer};
use komhen_core::reminders;
use komhen_core::setup::catalogue::{self, PeriodInput};
use komhen_domain::{danish_instant, PeriodId, Role, Source};
use komhen_store::{NewUnit, Store};
use komhen_store_conformance::SetupShortcuts;

mod common;
use common::code;

const SITE: &str = "https://komhen.example.dk";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(on: NaiveDate) -> DateTime<Utc> {
    danish_instant(on, 8, 0).unwrap()
}

/// Monday 2 to Sunday 22 March 2026, due 5 April; Køge and Roskilde take
/// part, each with a coordinator; Køge also has an analyst (who is not
/// reminded).
async fn set_up(store: &dyn Store) -> PeriodId {
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let id = catalogue::create_period(
        store,
        &Actor::command_line(),
        &PeriodInput {
            name: "Forår 2026".into(),
            starts_on: day(2026, 3, 2),
            ends_on: day(2026, 3, 22),
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap();
    for (m, email) in [(259, "tovholder@koege.dk"), (265, "tovholder@roskilde.dk")] {
        store.join_period(code(m), id).await.unwrap();
        let grant = Grant {
            role: Role::Coordinator,
            municipality: Some(code(m)),
            unit: None,
        };
        account::invite(store, None, email, "Tove Holder", grant, Utc::now())
            .await
            .unwrap();
    }
    let analyst = Grant {
        role: Role::Analyst,
        municipality: Some(code(259)),
        unit: None,
    };
    account::invite(
        store,
        None,
        "analytiker@koege.dk",
        "Ana Lytiker",
        analyst,
        Utc::now(),
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn a_reminder_reaches_the_smtp_server_once_when_the_job_runs_twice() {
    let sink = SmtpSink::start();
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    set_up(store).await;
    // Roskilde registered; Køge has nothing.
    common::register(
        store,
        265,
        "TLFIND",
        day(2026, 3, 10),
        4,
        Source::Tool,
        false,
    )
    .await;
    let mailer = Mailer::new(&sink.url(), "komhen@kommune.example.dk", SITE).unwrap();

    // Six days before the deadline: too early.
    let early = reminders::run(store, Some(&mailer), SITE, at(day(2026, 3, 30)), 5)
        .await
        .unwrap();
    assert_eq!((early.due, early.stored), (0, 0));
    assert!(sink.mails().is_empty());

    let now = at(day(2026, 4, 2));
    let first = reminders::run(store, Some(&mailer), SITE, now, 5)
        .await
        .unwrap();
    assert_eq!((first.due, first.stored), (1, 1), "Køge's coordinator only");
    assert_eq!(first.delivery.as_ref().unwrap().sent, 1);
    let second = reminders::run(store, Some(&mailer), SITE, now + Duration::hours(1), 5)
        .await
        .unwrap();
    assert_eq!(
        (second.due, second.stored),
        (1, 0),
        "stored before: not again"
    );
    assert_eq!(second.delivery.as_ref().unwrap().sent, 0);

    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert!(mail.to.contains("tovholder@koege.dk"), "{}", mail.to);
    assert!(mail.body.contains("05-04-2026"), "{}", mail.body);
    assert!(mail.body.contains("- Registreringer\n"), "{}", mail.body);
    assert!(
        !mail.body.contains("Udtræk"),
        "extracts are not owed: {}",
        mail.body
    );
    assert!(
        mail.body.contains(&format!("{SITE}/kommune/259/tjekliste")),
        "{}",
        mail.body
    );
    // The outbox shows it sent, to Køge's coordinator and to no one else.
    let outbox = mail::outbox(store, None).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(matches!(MailState::of(&outbox[0]), MailState::Sent(_)));
    assert_eq!(outbox[0].municipality, Some(code(259)));
    assert!(mail::outbox(store, Some(code(265)))
        .await
        .unwrap()
        .is_empty());

    // After the deadline no reminder is due.
    let late = reminders::run(store, Some(&mailer), SITE, at(day(2026, 4, 6)), 5)
        .await
        .unwrap();
    assert_eq!(late.due, 0);
}

#[tokio::test]
async fn units_that_registered_nothing_yesterday_are_named_to_their_coordinator() {
    let sink = SmtpSink::start();
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    set_up(store).await;
    for login in ["259borger", "259byg"] {
        store
            .create_unit(&NewUnit {
                municipality: code(259),
                department: None,
                name: format!("Enhed {login}"),
                login: login.into(),
                password_hash: None,
            })
            .await
            .unwrap();
    }
    let busy = store
        .list_units(code(259))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.login == "259borger")
        .unwrap();
    let task = store.list_national_tasks().await.unwrap()[0].id;
    store
        .insert_registration(&komhen_domain::NewRegistration {
            municipality: code(259),
            unit: Some(busy.id),
            task,
            channel: komhen_domain::ChannelCode::parse("TLFIND").unwrap(),
            inquiry_type: Some(komhen_domain::InquiryType::Guidance),
            completion: Some(komhen_domain::Completion::AtOnce),
            has_form: None,
            registered_at: danish_instant(day(2026, 3, 6), 10, 0).unwrap(),
            duration_ms: None,
            quantity: 1,
            source: Source::Tool,
            is_test: false,
            idempotency_key: None,
            answers: Vec::new(),
        })
        .await
        .unwrap();
    let mailer = Mailer::new(&sink.url(), "komhen@kommune.example.dk", SITE).unwrap();
    // Monday 9 March: Friday 6 March is the day looked at.
    let now = at(day(2026, 3, 9));
    for _ in 0..2 {
        reminders::run(store, Some(&mailer), SITE, now, 5)
            .await
            .unwrap();
    }
    let mails = sink.mails();
    // Køge's coordinator hears of the one quiet unit; Roskilde has none.
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].to.contains("tovholder@koege.dk"));
    assert!(
        mails[0].body.contains("- Enhed 259byg (259byg)\n"),
        "{}",
        mails[0].body
    );
    assert!(!mails[0].body.contains("259borger"), "{}", mails[0].body);
    assert!(mails[0].body.contains("06-03-2026"), "{}", mails[0].body);
}

#[tokio::test]
async fn a_mail_the_server_did_not_take_is_tried_again_and_then_sent_once() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    set_up(store).await;
    // No server listens on the sink's port before it starts.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = Mailer::new(
        &format!("smtp://127.0.0.1:{closed}"),
        "komhen@example.dk",
        SITE,
    )
    .unwrap();
    let now = at(day(2026, 4, 2));
    let run = reminders::run(store, Some(&down), SITE, now, 5)
        .await
        .unwrap();
    // Both coordinators are due a reminder; the server is down.
    assert_eq!(run.delivery.unwrap().failed.len(), 2);
    let outbox = mail::outbox(store, None).await.unwrap();
    assert_eq!(outbox.len(), 2);
    for m in &outbox {
        assert!(matches!(MailState::of(m), MailState::Failing(_)), "{m:?}");
        assert_eq!(m.attempts, 1);
    }

    let sink = SmtpSink::start();
    let up = Mailer::new(&sink.url(), "komhen@example.dk", SITE).unwrap();
    let delivery = mail::deliver(store, &up).await.unwrap();
    assert_eq!(delivery.sent, 2);
    assert_eq!(mail::deliver(store, &up).await.unwrap().sent, 0);
    assert_eq!(sink.mails().len(), 2);
    for m in mail::outbox(store, None).await.unwrap() {
        assert_eq!(m.attempts, 2);
        assert!(m.sent_at.is_some());
    }
}

#[tokio::test]
async fn a_mail_to_no_address_is_refused_and_nothing_is_stored() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let e = mail::enqueue(
        store,
        &mail::Outgoing {
            key: "x".into(),
            kind: mail::MailKind::DeadlineReminder,
            municipality: None,
            recipient: "ikke en adresse".into(),
            subject: "Hej".into(),
            body: "Hej".into(),
        },
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("ikke en e-mailadresse"), "{e}");
    assert!(mail::outbox(store, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn one_sender_takes_a_mail_and_another_only_when_the_first_stopped() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let now = Utc::now();
    let outgoing = mail::Outgoing {
        key: "frist/1/2026-04-05/259/a@b.dk".into(),
        kind: mail::MailKind::DeadlineReminder,
        municipality: Some(code(259)),
        recipient: "a@b.dk".into(),
        subject: "Frist".into(),
        body: "Tekst".into(),
    };
    assert!(mail::enqueue(store, &outgoing, now).await.unwrap());
    assert!(
        !mail::enqueue(store, &outgoing, now).await.unwrap(),
        "the key is taken"
    );
    let id = mail::outbox(store, None).await.unwrap()[0].id;
    let stale = |at: DateTime<Utc>| at - Duration::minutes(mail::CLAIM_MINUTES);
    assert!(store.claim_mail(id, now, stale(now)).await.unwrap());
    assert!(
        !store.claim_mail(id, now, stale(now)).await.unwrap(),
        "taken by the first"
    );
    let later = now + Duration::minutes(mail::CLAIM_MINUTES + 1);
    assert!(
        store.claim_mail(id, later, stale(later)).await.unwrap(),
        "a sender that stopped mid-send frees the mail after a while"
    );
    assert_eq!(mail::outbox(store, None).await.unwrap()[0].attempts, 2);

    // A mail kept without its secret is never sent from the outbox, even
    // when whoever stored it stopped before sending it.
    let redacted = komhen_store::NewMail {
        key: "adgangskode/7/abc".into(),
        kind: mail::MailKind::PasswordLink.code().into(),
        municipality: None,
        recipient: "ny@koege.dk".into(),
        subject: "Vælg din adgangskode".into(),
        body: "[linket vises kun i mailen til modtageren]".into(),
        created_at: now,
        redacted: true,
    };
    assert!(store.enqueue_mail(&redacted).await.unwrap().is_some());
    let much_later = now + Duration::days(1);
    let pending = store
        .pending_mails(mail::MAX_ATTEMPTS, much_later, 100)
        .await
        .unwrap();
    assert!(pending.iter().all(|m| m.key != redacted.key), "{pending:?}");
}

#[tokio::test]
async fn a_coordinator_komhen_cannot_mail_is_named_and_the_others_are_reminded() {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    set_up(store).await;
    // An address from before komhen checked addresses as its mail client
    // does: two @.
    let odd = store
        .create_user(&komhen_store::NewUser {
            email: "tove@roskilde@kommune.dk".into(),
            name: "Tove".into(),
            password_hash: None,
        })
        .await
        .unwrap();
    store
        .grant_role(&komhen_store::NewRoleGrant {
            user: odd,
            role: Role::Coordinator,
            municipality: Some(code(265)),
            unit: None,
        })
        .await
        .unwrap();
    let run = reminders::run(store, None, SITE, at(day(2026, 4, 2)), 5)
        .await
        .unwrap();
    assert_eq!(run.due, 3);
    assert_eq!(run.stored, 2, "Køge's and Roskilde's other coordinator");
    assert_eq!(run.refused.len(), 1);
    assert_eq!(run.refused[0].0, "tove@roskilde@kommune.dk");
    let refused = account::invite(
        store,
        None,
        "tove@roskilde@kommune.dk",
        "Tove",
        Grant {
            role: Role::Analyst,
            municipality: Some(code(265)),
            unit: None,
        },
        Utc::now(),
    )
    .await;
    assert!(
        refused.is_err(),
        "such an address is refused at the door now"
    );
}
