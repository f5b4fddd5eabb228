//! E-mail from the command line, to a real SMTP server (aiosmtpd, started
//! by the test), on the test backend: `komhen user add` mails the one-time
//! link, `komhen remind` run twice mails the coordinator one reminder, and
//! `komhen outbox` shows both as sent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use chrono::{Duration, Utc};
use common::{migrated, succeeds};
use komhen_backend::smtp_sink::SmtpSink;
use komhen_core::accounts::access::Actor;
use komhen_core::setup::catalogue::{self, PeriodInput};
use komhen_domain::{DateDimensions, MunicipalityCode};

#[test]
fn links_and_reminders_are_mailed_once_from_the_command_line() {
    let sink = SmtpSink::start();
    let db = migrated();
    let url = db.url.as_str();
    let smtp = sink.url();
    let mail_flags = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(
            [
                "--smtp-url",
                smtp.as_str(),
                "--mail-from",
                "komhen@kommune.example.dk",
                "--base-url",
                "https://komhen.example.dk",
                "--database-url",
                url,
            ]
            .map(str::to_owned),
        );
        all
    };
    let run = |args: &[&str]| {
        let all = mail_flags(args);
        succeeds(&all.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let out = run(&[
        "user",
        "add",
        "--role",
        "coordinator",
        "--municipality",
        "259",
        "--email",
        "tov@koege.dk",
        "--name",
        "Tove Holder",
    ]);
    assert!(out.contains("er sendt til tov@koege.dk"), "{out}");
    assert!(
        !out.contains("/adgangskode/"),
        "the link goes by mail only: {out}"
    );
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0]
        .body
        .contains("https://komhen.example.dk/adgangskode/"));

    // A national period that ended ten days ago: its deadline is in four
    // days, and Køge (taking part) has registered nothing.
    let today = DateDimensions::of(Utc::now()).day;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = komhen_backend::open(url, komhen_backend::OpenMode::MustExist)
                .await
                .unwrap();
            let period = catalogue::create_period(
                store.as_ref(),
                &Actor::command_line(),
                &PeriodInput {
                    name: "Efterår".into(),
                    starts_on: today - Duration::days(30),
                    ends_on: today - Duration::days(10),
                    mandatory: false,
                    submission_deadline: None,
                    task_package: None,
                },
            )
            .await
            .unwrap();
            komhen_core::setup::set_participation(
                store.as_ref(),
                &Actor::command_line(),
                MunicipalityCode::parse("259").unwrap(),
                period,
                true,
                &[],
            )
            .await
            .unwrap();
        });
    let first = run(&["remind"]);
    assert!(
        first.contains("1 påmindelser er aktuelle i dag; 1 er nye"),
        "{first}"
    );
    assert!(first.contains("1 mails"), "{first}");
    let second = run(&["remind"]);
    assert!(
        second.contains("1 påmindelser er aktuelle i dag; 0 er nye"),
        "{second}"
    );
    let mails = sink.mails();
    assert_eq!(mails.len(), 2, "the reminder once: {mails:#?}");
    assert!(
        mails
            .iter()
            .any(|m| m.to.contains("tov@koege.dk") && m.body.contains("- Registreringer")),
        "{mails:#?}"
    );

    // Without the address users reach komhen at, no reminder is made.
    let refused = common::komhen(&["remind", "--database-url", url]);
    assert!(!refused.ok);
    assert!(refused.out.contains("KOMHEN_BASE_URL"), "{}", refused.out);

    let outbox = succeeds(&["outbox", "--database-url", url]);
    assert_eq!(outbox.matches("Sendt").count(), 2, "{outbox}");
    assert!(outbox.contains("tov@koege.dk"), "{outbox}");
}
