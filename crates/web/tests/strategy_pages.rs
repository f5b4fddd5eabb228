//! The savings simulator and the channel strategy through their pages, the
//! API and the files, on the test backend with the demo: the page, the
//! workbook and the JSON API give the simulator's figures to the øre; the
//! "add a move" form lands on the scenario's own link, a move that cannot
//! be made is refused in Danish and keeps the scenario; a scenario saved by
//! name opens again by its link; targets and initiatives are kept (audited),
//! shown with the report engine's shares and named in the period report;
//! another municipality's coordinator sees and changes none of it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{code, csrf_of, App};
use komhen_core::economics::savings::{self, Move, Scenario};
use komhen_core::economics::strategy;
use komhen_core::reports::tabular::decimal_da;
use komhen_core::reports::Dates;
use komhen_domain::ChannelCode;

const AARHUS: u16 = 751;

async fn period_2026(app: &App) -> Dates {
    let period = common::demo_period(app, 2026).await;
    Dates {
        from: period.starts_on,
        to: period.ends_on,
    }
}

fn ch(c: &str) -> ChannelCode {
    ChannelCode::parse(c).unwrap()
}

#[tokio::test]
async fn the_page_the_workbook_and_the_api_give_the_simulator_s_figures() {
    let app = common::demo_app().await;
    let dates = period_2026(&app).await;
    let cookie = common::log_in_demo(&app, "tovholder@aarhus.example").await;
    let scenario = Scenario {
        municipality: code(AARHUS),
        dates,
        moves: vec![Move::Share {
            task: None,
            from: ch("PRSNLG"),
            to: ch("SLVBTJN"),
            percent: 30,
        }],
        units: None,
    };
    let simulation = savings::simulate(app.store(), &scenario).await.unwrap();
    assert!(simulation.saving > savings::Fraction::from(0));
    assert!(
        simulation.realistic_saving > savings::Fraction::from(0),
        "Aarhus's demo asks whether the citizen could have done it"
    );
    let query = format!(
        "fra={}&til={}&flyt=PRSNLG%3ASLVBTJN%3A30",
        dates.from, dates.to
    );

    // The "add a move" form lands on the scenario's own link.
    let added = app
        .get(
            &format!(
                "/kommune/751/besparelser?fra={}&til={}&ny=flyt&ny_fra=PRSNLG&ny_til=SLVBTJN&ny_pct=30&ny_opgave=alle",
                dates.from, dates.to
            ),
            &cookie,
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location, format!("/kommune/751/besparelser?{query}"));

    let page = app
        .get(&format!("/kommune/751/besparelser?{query}"), &cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let year = |v| savings::amount(simulation.per_year(v));
    assert!(page
        .body
        .contains(&format!("{} kr. om året", year(simulation.saving))));
    assert!(page.body.contains(&format!(
        "{} kr. om året",
        year(simulation.realistic_saving)
    )));
    assert!(
        page.body.contains("364/21"),
        "the annualisation rule is printed"
    );
    assert!(page.body.contains("Eksempelpriser"));

    // The JSON API: the same øre.
    let api = app
        .get(&format!("/api/v1/savings?kommune=751&{query}"), &cookie)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    assert_eq!(
        json["saving"]["year_ore"].as_i64().unwrap(),
        savings::ore(simulation.per_year(simulation.saving))
    );
    assert_eq!(
        json["saving_realistic"]["period_ore"].as_i64().unwrap(),
        savings::ore(simulation.realistic_saving)
    );
    assert_eq!(json["inquiries"].as_i64().unwrap(), simulation.inquiries);

    // The workbook: a zip with the three sheets.
    let xlsx = app
        .get(&format!("/kommune/751/besparelser.xlsx?{query}"), &cookie)
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert_eq!(&xlsx.bytes[..2], b"PK");

    // A move that cannot be made: refused, why, and the scenario kept.
    let refused = app
        .get(
            &format!(
                "/kommune/751/besparelser?{query}&ny=flyt&ny_fra=PRSNLG&ny_til=PRSNLG&ny_pct=10"
            ),
            &cookie,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("fra og til samme kanal"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Flyt 30 % af Personligt fremmøde"));
    let bad_link = app
        .get(
            "/kommune/751/besparelser?flyt=PRSNLG%3ASLVBTJN%3A300",
            &cookie,
        )
        .await;
    assert_eq!(bad_link.status, StatusCode::BAD_REQUEST);
    assert!(bad_link.body.contains("ikke en procent"));
    let bad_api = app
        .get("/api/v1/savings?kommune=751&maal=80%3ATLFIND", &cookie)
        .await;
    assert_eq!(bad_api.status, StatusCode::BAD_REQUEST);
    assert!(bad_api.body.contains("digital kanal"), "{}", bad_api.body);

    // Saved by name, listed with its link, audited; removed again.
    let csrf = csrf_of(&page.body);
    let saved = app
        .post(
            "/kommune/751/besparelser/gem",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Fremmøde til selvbetjening"),
                ("query", &query),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location,
        format!("/kommune/751/besparelser?{query}&besked=scenarie-gemt")
    );
    let kept = app.store().list_scenarios(code(AARHUS)).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].query, query);
    let listed = app.get("/kommune/751/besparelser", &cookie).await;
    assert!(listed.body.contains("Fremmøde til selvbetjening"));
    let link = listed
        .body
        .split("Fremmøde til selvbetjening")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap();
    assert!(link.contains("flyt=PRSNLG%3ASLVBTJN%3A30"), "{link}");

    // Another municipality's coordinator: no page, no API, no removal.
    let koege = common::log_in_demo(&app, "tovholder@koege.example").await;
    assert_eq!(
        app.get(&format!("/kommune/751/besparelser?{query}"), &koege)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let foreign = app
        .get(&format!("/api/v1/savings?kommune=751&{query}"), &koege)
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.json()["errors"][0]["code"], "no_access");
    let koege_page = app.get("/kommune/259/besparelser", &koege).await;
    let forged = app
        .post(
            &format!("/kommune/751/besparelser/{}/fjern", kept[0].id.0),
            &koege,
            &[("csrf", &csrf_of(&koege_page.body))],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store()
            .list_scenarios(code(AARHUS))
            .await
            .unwrap()
            .len(),
        1
    );

    let removed = app
        .post(
            &format!("/kommune/751/besparelser/{}/fjern", kept[0].id.0),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(app
        .store()
        .list_scenarios(code(AARHUS))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn targets_and_initiatives_show_the_engine_s_shares_and_the_period_report_names_them() {
    let app = common::demo_app().await;
    let cookie = common::log_in_demo(&app, "tovholder@aarhus.example").await;
    let page = app.get("/kommune/751/strategi", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.body);

    // Mistakes are named at once and keep nothing.
    let refused = app
        .post(
            "/kommune/751/strategi/maal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("task", "99.99.99"),
                ("subject", "TLFUD"),
                ("bound", "min"),
                ("percent", "120"),
                ("by_year", "1999"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "99.99.99",
        "indgående kanal",
        "«120» er ikke en procent",
        "«1999» er ikke et år",
    ] {
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
    }
    assert!(app
        .store()
        .list_targets(code(AARHUS))
        .await
        .unwrap()
        .is_empty());

    let saved = app
        .post(
            "/kommune/751/strategi/maal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("subject", "digital"),
                ("bound", "min"),
                ("percent", "80"),
                ("by_year", "2027"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let initiative = app
        .post(
            "/kommune/751/strategi/initiativer",
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Ny selvbetjening"),
                ("starts_on", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(
        initiative.status,
        StatusCode::SEE_OTHER,
        "{}",
        initiative.body
    );

    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let overview = strategy::overview(app.store(), code(AARHUS), today)
        .await
        .unwrap();
    let progress = &overview.targets[0].progress;
    assert_eq!(progress.len(), 2, "the demo's 2025 and 2026 periods");
    let shown = app.get("/kommune/751/strategi", &cookie).await;
    for p in progress {
        let share = format!("{} %", decimal_da(p.share.unwrap() * 100.0, 1));
        assert!(shown.body.contains(&share), "{share}");
        assert!(shown.body.contains(&p.period));
    }
    assert!(shown.body.contains("mindst 80 % i 2027"));
    assert!(shown.body.contains("Ny selvbetjening"));
    assert!(shown.body.contains("procentpoint"));

    // The API and the period report say the same.
    let api = app.get("/api/v1/strategy?kommune=751", &cookie).await;
    assert_eq!(api.status, StatusCode::OK);
    let json = api.json();
    let api_share = json["targets"][0]["progress"][1]["share"].as_f64().unwrap();
    assert!((api_share - progress[1].share.unwrap()).abs() < 1e-12);
    assert_eq!(json["initiatives"][0]["title"], "Ny selvbetjening");
    let report = app.get("/kommune/751/tal/beretning", &cookie).await;
    assert!(report.body.contains("Kanalstrategi"));
    assert!(report.body.contains("mindst 80 % i 2027"));
    assert!(report.body.contains("Ny selvbetjening (fra 01-01-2026"));

    // Audited.
    let audit = app
        .store()
        .list_audit(Some(code(AARHUS)), 50)
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.entry.entity == "strategy_target"));
    assert!(audit
        .iter()
        .any(|e| e.entry.entity == "strategy_initiative"));

    // Another municipality's coordinator can neither read nor remove.
    let koege = common::log_in_demo(&app, "tovholder@koege.example").await;
    assert_eq!(
        app.get("/api/v1/strategy?kommune=751", &koege).await.status,
        StatusCode::FORBIDDEN
    );
    let koege_page = app.get("/kommune/259/strategi", &koege).await;
    let forged = app
        .post(
            &format!(
                "/kommune/751/strategi/maal/{}/fjern",
                overview.targets[0].row.id.0
            ),
            &koege,
            &[("csrf", &csrf_of(&koege_page.body))],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store().list_targets(code(AARHUS)).await.unwrap().len(),
        1
    );
}
