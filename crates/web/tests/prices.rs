//! Channel prices through their pages on the test backend: the national
//! administrator keeps the national list, a coordinator the municipality's
//! own (as an amount or from time), each change audited; mistakes are
//! refused in Danish and keep nothing; other municipalities and forged
//! forms change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{code, App, Session, KBH, KOEGE};
use komhen_domain::Role;
use komhen_store::PriceBasis;

async fn signed_in(
    app: &App,
    email: &str,
    role: Role,
    municipality: Option<u16>,
    page: &str,
) -> Session {
    app.add_user(email, &[(role, municipality, None)]).await;
    app.session(email, page).await
}

fn price_form<'a>(csrf: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    form
}

#[tokio::test]
async fn the_national_list_and_a_municipality_s_own_prices_are_kept_through_their_pages() {
    let app = App::new().await;
    let store = app.store();
    let admin = signed_in(
        &app,
        "admin@komhen.dk",
        Role::NationalAdmin,
        None,
        "/admin/priser",
    )
    .await;

    // The national administrator sets a national phone price.
    let saved = app
        .post(
            "/admin/priser",
            &admin.cookie,
            &price_form(
                &admin.csrf,
                &[
                    ("channel", "TLFIND"),
                    ("valid_from", "2025-01-01"),
                    ("amount", "52,75"),
                    ("source", "Eksempel til test"),
                    ("example", "on"),
                ],
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, "/admin/priser?besked=pris-gemt");
    let page = app.get(&saved.location, &admin.cookie).await;
    assert!(page.body.contains("Prisen er gemt."));
    assert!(page.body.contains("52,75 kr."), "{}", page.body);
    assert!(page.body.contains("Eksempelpris"), "examples are marked");
    let national = store.list_channel_prices(None).await.unwrap();
    assert_eq!(national.len(), 1);
    assert_eq!(
        (
            national[0].price_ore,
            national[0].source_year,
            national[0].example
        ),
        (5_275, 2025, true)
    );

    // Mistakes are named, all at once, and keep nothing.
    let refused = app
        .post(
            "/admin/priser",
            &admin.cookie,
            &price_form(
                &admin.csrf,
                &[
                    ("channel", "TLFIND"),
                    ("valid_from", "31-02-2025"),
                    ("amount", "12,345"),
                    ("minutes", "4"),
                    ("source", ""),
                ],
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Gælder fra: «31-02-2025» er ikke en dato",
        "Skriv enten en pris pr. henvendelse eller minutter og timepris, ikke begge.",
        "Skriv kilden til prisen.",
    ] {
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
    }
    let too_high = app
        .post(
            "/admin/priser",
            &admin.cookie,
            &price_form(
                &admin.csrf,
                &[
                    ("channel", "TLFIND"),
                    ("valid_from", "2025-01-01"),
                    ("amount", "250.000"),
                    ("source", "tastefejl"),
                ],
            ),
        )
        .await;
    assert!(
        too_high.body.contains("mere end grænsen på 100.000,00 kr."),
        "{}",
        too_high.body
    );
    assert_eq!(store.list_channel_prices(None).await.unwrap().len(), 1);

    // Køge's coordinator sets an own price for passports, from time.
    let kim = signed_in(
        &app,
        "kim@koege.dk",
        Role::Coordinator,
        Some(KOEGE),
        "/kommune/259/priser",
    )
    .await;
    let own = app
        .post(
            "/kommune/259/priser",
            &kim.cookie,
            &price_form(
                &kim.csrf,
                &[
                    ("channel", "PRSNLG"),
                    ("task", "23.09.02"),
                    ("valid_from", "01-10-2025"),
                    ("minutes", "7"),
                    ("hourly_cost", "431"),
                    ("source", "Egen tidsmåling, Borgerservice"),
                ],
            ),
        )
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER, "{}", own.body);
    let page = app.get("/kommune/259/priser", &kim.cookie).await;
    assert!(
        page.body.contains("50,28 kr."),
        "7 min. at 431 kr. an hour: {}",
        page.body
    );
    assert!(page.body.contains("7 min. × 431,00 kr. i timen"));
    assert!(page.body.contains("23.09.02"));
    assert!(page.body.contains("Den nationale prisliste"));
    assert!(page.body.contains("52,75 kr."), "the national list beside");
    let koege_prices = store.list_channel_prices(Some(code(KOEGE))).await.unwrap();
    let kept = koege_prices
        .iter()
        .find(|p| p.municipality.is_some())
        .unwrap();
    assert_eq!(
        kept.basis,
        PriceBasis::Time {
            minutes_hundredths: 700,
            hourly_cost_ore: 43_100
        }
    );
    assert_eq!(kept.price_ore, 5_028);
    assert_eq!(kept.set_by, "bruger:kim@koege.dk");

    // København's coordinator neither sees nor changes Køge's prices, and a
    // form without its token changes nothing.
    let kbh = signed_in(
        &app,
        "kbh@kk.dk",
        Role::Coordinator,
        Some(KBH),
        "/kommune/101/priser",
    )
    .await;
    assert_eq!(
        app.get("/kommune/259/priser", &kbh.cookie).await.status,
        StatusCode::FORBIDDEN
    );
    let kept_id = kept.id.0.to_string();
    for (cookie, csrf, path) in [
        (
            &kbh.cookie,
            kbh.csrf.as_str(),
            format!("/kommune/259/priser/{kept_id}/fjern"),
        ),
        (
            &kbh.cookie,
            kbh.csrf.as_str(),
            format!("/kommune/101/priser/{kept_id}/fjern"),
        ),
        (
            &kim.cookie,
            "",
            format!("/kommune/259/priser/{kept_id}/fjern"),
        ),
        (
            &kim.cookie,
            kim.csrf.as_str(),
            format!("/admin/priser/{}/fjern", national[0].id.0),
        ),
    ] {
        let reply = app.post(&path, cookie, &[("csrf", csrf)]).await;
        assert_ne!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(
        store
            .list_channel_prices(Some(code(KOEGE)))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .list_channel_prices(Some(code(KBH)))
        .await
        .unwrap()
        .iter()
        .all(|p| p.municipality.is_none()));

    // Removing, then the audit log of both.
    let removed = app
        .post(
            &format!("/kommune/259/priser/{kept_id}/fjern"),
            &kim.cookie,
            &[("csrf", &kim.csrf)],
        )
        .await;
    assert_eq!(removed.location, "/kommune/259/priser?besked=pris-fjernet");
    assert_eq!(
        store
            .list_channel_prices(Some(code(KOEGE)))
            .await
            .unwrap()
            .len(),
        1
    );
    let log: Vec<_> = store
        .list_audit(Some(code(KOEGE)), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entry.entity == "channel_price")
        .map(|a| (a.entry.action, a.entry.actor))
        .collect();
    assert_eq!(
        log,
        [
            ("delete".to_owned(), "bruger:kim@koege.dk".to_owned()),
            ("create".to_owned(), "bruger:kim@koege.dk".to_owned()),
        ]
    );
    let national_log = store.list_audit(None, 100).await.unwrap();
    assert!(national_log
        .iter()
        .any(|a| a.entry.entity == "channel_price"
            && a.entry.actor == "bruger:admin@komhen.dk"
            && a.entry
                .after_json
                .as_deref()
                .is_some_and(|j| j.contains("\"price_ore\":5275"))));
}

#[tokio::test]
async fn the_demo_s_prices_are_examples_and_every_page_with_them_says_so() {
    let app = common::demo_app().await;
    let admin = common::log_in_demo(&app, "admin@komhen.example").await;
    let page = app.get("/admin/priser", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<strong>Eksempelpriser.</strong>"));
    assert!(page.body.contains(komhen_core::demo::EXAMPLE_PRICE_SOURCE));
    assert!(
        page.body.contains("112,50 kr.") && page.body.contains("15 min. × 450,00 kr. i timen"),
        "personal attendance found from time"
    );
    let coordinator = common::log_in_demo(&app, "tovholder@koege.example").await;
    let own = app.get("/kommune/259/priser", &coordinator).await;
    assert!(own.body.contains("<strong>Eksempelpriser.</strong>"));
    let prices = app.store().list_channel_prices(None).await.unwrap();
    assert_eq!(prices.len(), 16);
    assert!(prices.iter().all(|p| p.example));
}

/// Cost on every surface equals the sum over the registrations of quantity
/// × the price in force, worked out here from the stored rows and the
/// prices as set: Køge's own phone price from the middle of the period
/// (not before), a national price for e-mails on passports, the national
/// example prices otherwise, channels without a price counted apart.
#[tokio::test]
async fn cost_is_the_inquiries_times_the_price_in_force_on_every_surface() {
    use komhen_core::economics::prices::{set_price, PriceInput};
    let app = common::demo_app().await;
    let store = app.store();
    let period = common::demo_period(&app, 2026).await;
    let (from, to) = (period.starts_on, period.ends_on);
    let middle = from + chrono::Duration::days(7);
    let actor = komhen_core::accounts::access::Actor::command_line();
    let now = chrono::Utc::now();
    let price =
        |channel: &str, task: &str, valid_from: chrono::NaiveDate, amount: &str| PriceInput {
            channel: channel.into(),
            task: task.into(),
            valid_from: valid_from.to_string(),
            amount: amount.into(),
            source: "test".into(),
            ..PriceInput::default()
        };
    set_price(
        store,
        &actor,
        Some(code(KOEGE)),
        &price("TLFIND", "", middle, "20"),
        now,
    )
    .await
    .unwrap();
    set_price(
        store,
        &actor,
        None,
        &price("EMLIND", "23.09.02", from, "99,99"),
        now,
    )
    .await
    .unwrap();
    let pas = store
        .list_tasks(code(KOEGE))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == "23.09.02" && t.municipality.is_none())
        .unwrap()
        .id;
    // The national example prices, one per channel, all from 2025-01-01.
    let national: std::collections::HashMap<_, _> = store
        .list_channel_prices(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.task.is_none())
        .map(|p| (p.channel.to_string(), p.price_ore))
        .collect();
    let rows = store
        .list_registrations(
            code(KOEGE),
            &komhen_store::RegistrationFilter {
                from: Some(from),
                to: Some(to),
                limit: 1_000_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (mut expected, mut unpriced, mut before_middle_phone) = (0i64, 0i64, 0i64);
    for r in &rows {
        let channel = r.channel.as_str();
        let price = if channel == "TLFIND" && r.day >= middle {
            Some(2_000)
        } else if channel == "EMLIND" && r.task == pas {
            Some(9_999)
        } else {
            national.get(channel).copied()
        };
        if channel == "TLFIND" && r.day < middle {
            before_middle_phone += r.quantity;
        }
        match price {
            Some(p) => expected += r.quantity * p,
            None => unpriced += r.quantity,
        }
    }
    assert!(before_middle_phone > 0, "phone calls before Køge's price");
    assert!(expected > 0);

    let coordinator = common::log_in_demo(&app, "tovholder@koege.example").await;
    let query = format!("kommune=259&fra={from}&til={to}&omkostning=ja");
    let api = app
        .get(
            &format!("/api/v1/report?{query}&grupper=kanal"),
            &coordinator,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    assert_eq!(json["total"]["cost"]["ore"], expected, "the API's total");
    assert_eq!(json["total"]["cost"]["unpriced_inquiries"], unpriced);
    assert_eq!(json["example_prices"], true);
    let by_channel: i64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cost"]["ore"].as_i64().unwrap())
        .sum();
    assert_eq!(by_channel, expected, "the channels add up to the total");
    let unpriced_listed: i64 = json["unpriced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["inquiries"].as_i64().unwrap())
        .sum();
    assert_eq!(unpriced_listed, unpriced, "which prices are missing");
    // Grouped by day (the price changes within the dates) and by task, the
    // same total.
    for grouping in ["dag", "opgave"] {
        let grouped = app
            .get(
                &format!("/api/v1/report?{query}&grupper={grouping}"),
                &coordinator,
            )
            .await
            .json();
        assert_eq!(grouped["total"]["cost"]["ore"], expected, "{grouping}");
    }
    // The table download.
    let csv = app
        .get(
            &format!("/kommune/259/tal/tabel.csv?{query}&grupper=kanal"),
            &coordinator,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let header = csv
        .body
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}');
    assert!(
        header.contains("Omkostning (kr.);Henvendelser uden pris"),
        "{header}"
    );
    let total_line = csv.body.lines().find(|l| l.contains(";I alt;")).unwrap();
    let kroner = format!("{},{:02}", expected / 100, expected % 100);
    assert!(
        total_line.contains(&format!(";{kroner};{unpriced}")),
        "{total_line} should hold {kroner}"
    );

    // The pivot with cost in its cells: the same total, and the note on
    // example prices.
    let pivot = app
        .get(
            &format!("/kommune/259/tal/pivot?fra={from}&til={to}&raekker=kanal&maal=omkostning"),
            &coordinator,
        )
        .await;
    assert_eq!(pivot.status, StatusCode::OK, "{}", pivot.body);
    let shown = format!(
        "{},{:02}",
        komhen_core::reports::tabular::thousands(expected / 100),
        expected % 100
    );
    let footer = pivot.body.split("<tfoot>").nth(1).unwrap();
    assert!(
        footer.contains(&format!(">{shown}<")),
        "{shown} in {footer}"
    );
    assert!(pivot.body.contains("Omkostningen bygger på eksempelpriser"));
}
