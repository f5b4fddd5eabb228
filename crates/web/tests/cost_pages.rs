//! Cost on the figures pages and the stopwatch's hint on the price form,
//! on the test backend: the overview, the period report and the drill-down
//! show the report engine's cost (with `omkostning=ja`, and the period
//! report whenever there are prices), name the inquiries without a price
//! and say when prices are examples; a link shows or hides cost keeping
//! the rest of the query; the price pages show the engine's mean
//! registration time per channel over the latest counting period.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{code, App, KOEGE};
use komhen_core::economics::prices::{kroner, set_price, PriceInput};
use komhen_core::reports::tabular::{decimal_da, thousands};
use komhen_core::reports::{self, Dates, Dimension, Report, ReportRequest};
use komhen_domain::ChannelCode;

/// The demo's 2026 period: the latest that has begun.
async fn period_2026(app: &App) -> (Dates, String) {
    let period = common::demo_period(app, 2026).await;
    (
        Dates {
            from: period.starts_on,
            to: period.ends_on,
        },
        period.name,
    )
}

/// Køge's own phone price from the middle of the period, so the engine
/// cuts the dates and the national example prices apply otherwise.
async fn with_own_phone_price(app: &App, dates: Dates) {
    set_price(
        app.store(),
        &komhen_core::accounts::access::Actor::command_line(),
        Some(code(KOEGE)),
        &PriceInput {
            channel: "TLFIND".into(),
            valid_from: (dates.from + chrono::Duration::days(7)).to_string(),
            amount: "20".into(),
            source: "test".into(),
            ..PriceInput::default()
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

async fn engine_cost(
    app: &App,
    dates: Dates,
    channels: Vec<ChannelCode>,
    compared: bool,
) -> Report {
    let mut request = ReportRequest::new(vec![code(KOEGE)], dates)
        .by(&[Dimension::Channel])
        .compared_with(compared.then(|| dates.a_year_before()));
    request.filters.channels = channels;
    request.cost = true;
    reports::run(app.store(), &request).await.unwrap()
}

/// Every channel's cost of the report stands in the page's cells.
fn assert_channel_costs(page: &str, report: &Report) {
    for row in &report.rows {
        let cost = komhen_core::economics::prices::amount(row.cost.unwrap().ore);
        assert!(
            page.contains(&format!(">{cost}<")),
            "{} costs {cost}",
            row.keys[0].code
        );
    }
}

#[tokio::test]
async fn the_overview_period_report_and_drill_down_show_the_engine_s_cost() {
    let app = common::demo_app().await;
    let (dates, _) = period_2026(&app).await;
    with_own_phone_price(&app, dates).await;
    let coordinator = common::log_in_demo(&app, "tovholder@koege.example").await;
    let (from, to) = (dates.from, dates.to);
    let report = engine_cost(&app, dates, Vec::new(), true).await;
    let total = report.total.cost.unwrap();
    assert!(total.ore > 0);
    assert!(report.example_prices, "the demo's prices are examples");

    // The overview with cost: the total as a key figure, each channel's
    // cost in the channels' table, the notes, and the link to hide it.
    let overview = app
        .get(
            &format!("/kommune/259/tal?fra={from}&til={to}&omkostning=ja"),
            &coordinator,
        )
        .await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let body = &overview.body;
    assert!(body.contains("Omkostning i alt"), "{body}");
    assert!(
        body.contains(&kroner(total.ore)),
        "total {}",
        kroner(total.ore)
    );
    let then = report.total.comparison.unwrap().cost.unwrap();
    assert!(body.contains(&format!("{} i sammenligningen", kroner(then.ore))));
    assert!(body.contains("<th scope=\"col\" class=\"num\">Omkostning (kr.)</th>"));
    assert_channel_costs(body, &report);
    assert!(body.contains("Eksempelpriser."), "the example note");
    if report.unpriced.is_empty() {
        assert!(!body.contains("Henvendelser uden pris."));
    } else {
        assert!(body.contains("Henvendelser uden pris."));
        for u in &report.unpriced {
            assert!(
                body.contains(&format!("{} ({})", u.channel, thousands(u.inquiries))),
                "{} named",
                u.channel
            );
        }
    }
    let hide = toggle(body);
    assert_eq!(hide.0, "Skjul omkostning");
    assert!(
        hide.1.contains(&format!("fra={from}")) && !hide.1.contains("omkostning"),
        "{}",
        hide.1
    );
    // The period form keeps cost shown.
    assert!(body.contains(r#"<input type="hidden" name="omkostning" value="ja">"#));

    // Without it: no cost, and the link to show it keeps the query.
    let plain = app
        .get(
            &format!("/kommune/259/tal?fra={from}&til={to}"),
            &coordinator,
        )
        .await;
    assert!(!plain.body.contains("Omkostning i alt"));
    assert!(!plain.body.contains("Omkostning (kr.)"));
    let show = toggle(&plain.body);
    assert_eq!(show.0, "Vis omkostning");
    assert!(show.1.contains("omkostning=ja") && show.1.contains(&format!("til={to}")));
    let shown = app.get(&show.1, &coordinator).await;
    assert!(shown.body.contains(&kroner(total.ore)), "{}", show.1);

    // The period report: cost shown because there are prices.
    let period = app.get("/kommune/259/tal/beretning", &coordinator).await;
    assert_eq!(period.status, StatusCode::OK, "{}", period.body);
    let shown = period
        .body
        .split("id=\"period-cost\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap();
    assert_eq!(shown, kroner(total.ore), "the period's cost");
    assert!(period.body.contains("Omkostning efter kanal"));
    assert_channel_costs(&period.body, &report);
    assert!(period.body.contains("Eksempelpriser."));
    assert_eq!(toggle(&period.body).0, "Skjul omkostning");
    assert!(
        period
            .body
            .contains(r#"<input type="hidden" name="omkostning" value="ja">"#),
        "choosing another period keeps cost shown"
    );
    let hidden = app.get(&toggle(&period.body).1, &coordinator).await;
    assert!(!hidden.body.contains("period-cost"));
    assert_eq!(toggle(&hidden.body).0, "Vis omkostning");

    // The drill-down behind the phone calls: the engine's cost of them.
    let phone = engine_cost(
        &app,
        dates,
        vec![ChannelCode::parse("TLFIND").unwrap()],
        false,
    )
    .await;
    let drill = app
        .get(
            &format!(
                "/kommune/259/tal/registreringer?fra={from}&til={to}&kanal=TLFIND&omkostning=ja"
            ),
            &coordinator,
        )
        .await;
    assert_eq!(drill.status, StatusCode::OK, "{}", drill.body);
    assert!(
        drill.body.contains(&format!(
            "<strong id=\"drill-cost\">{}</strong>",
            kroner(phone.total.cost.unwrap().ore)
        )),
        "{}",
        drill.body
    );
    let (label, href) = toggle(&drill.body);
    assert_eq!(label, "Skjul omkostning");
    assert!(
        href.contains("kanal=TLFIND") && !href.contains("omkostning"),
        "{href}"
    );
    // A cost cell of the overview links to the drill-down with cost kept.
    assert!(
        body.split("href=\"")
            .any(|a| a.starts_with("/kommune/259/tal/registreringer?")
                && a.split('"').next().unwrap().contains("omkostning=ja")),
        "a drill-down link keeps cost"
    );
}

/// The cost link's text and address.
fn toggle(page: &str) -> (String, String) {
    let at = page
        .split("<a href=\"")
        .find(|part| part.contains("id=\"cost-toggle\""))
        .expect("a cost link");
    let href = at
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let label = at
        .split('>')
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    (label, href)
}

#[tokio::test]
async fn the_price_form_shows_the_stopwatch_s_mean_registration_time_per_channel() {
    let app = common::demo_app().await;
    let (dates, name) = period_2026(&app).await;
    let mean_per_channel = |report: Report| -> Vec<(String, String, String)> {
        report
            .rows
            .into_iter()
            .filter_map(|r| {
                Some((
                    r.keys[0].code.clone(),
                    decimal_da(r.mean_duration_s? / 60.0, 1),
                    thousands(r.timed_rows),
                ))
            })
            .collect()
    };
    let koege = reports::run(
        app.store(),
        &ReportRequest::new(vec![code(KOEGE)], dates).by(&[Dimension::Channel]),
    )
    .await
    .unwrap();
    let everywhere = reports::run(
        app.store(),
        &ReportRequest::new(Vec::new(), dates).by(&[Dimension::Channel]),
    )
    .await
    .unwrap();
    assert!(everywhere.total.timed_rows > koege.total.timed_rows);
    assert!(koege.total.timed_rows > 0 && koege.total.timed_rows <= koege.total.rows);

    for (email, page, times, national) in [
        (
            "tovholder@koege.example",
            "/kommune/259/priser",
            koege,
            false,
        ),
        ("admin@komhen.example", "/admin/priser", everywhere, true),
    ] {
        let cookie = common::log_in_demo(&app, email).await;
        let reply = app.get(page, &cookie).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let hint = reply
            .body
            .split("id=\"measured-times\"")
            .nth(1)
            .expect("the hint");
        assert!(hint.contains("ikke hvor lang tid selve henvendelsen tager"));
        assert!(hint.contains(&format!("periode {name} ({})", dates.label_da())));
        assert_eq!(hint.contains("i alle kommuner"), national, "{page}");
        let expected = mean_per_channel(times);
        assert!(!expected.is_empty());
        for (channel, minutes, count) in expected {
            let row = hint
                .split("<tr>")
                .find(|r| r.contains(&format!("({channel})</th>")))
                .unwrap_or_else(|| panic!("{channel} on {page}"));
            assert!(
                row.contains(&format!(">{minutes} min. i gennemsnit<")),
                "{channel}: {minutes} in {row}"
            );
            assert!(row.contains(&format!(">{count} registrering")), "{row}");
        }
        // The minutes field is described by both sources: the answered
        // inquiry minutes and the stopwatch's hint.
        assert!(reply
            .body
            .contains("aria-describedby=\"answered-minutes-hint measured-times-hint\""));
    }
}
