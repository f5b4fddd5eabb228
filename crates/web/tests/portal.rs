//! The public portal through the router on the test backend with the demo
//! data: nothing of a period before it is published (for anonymous visitors
//! and for another municipality), the same figure on the map's table, the
//! ranking, the municipality's page and the public API once it is; small
//! cells suppressed everywhere; a comparison group chosen by the
//! coordinator appears on the public page.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{csrf_of, demo_app, log_in_demo};
use komhen_core::portal::{Metric, MIN_CELL};

/// The text of the cell after `<th ...>…name…</th>` in the row with `data-code`.
fn row_of<'a>(html: &'a str, table_id: &str, code: &str) -> &'a str {
    let table = html.split(&format!("id=\"{table_id}\"")).nth(1).unwrap();
    let row = table
        .split(&format!("data-code=\"{code}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no row {code} in #{table_id}"));
    &row[..row.find("</tr>").unwrap()]
}

#[tokio::test]
async fn a_period_is_invisible_until_published_then_one_figure_everywhere() {
    let app = demo_app().await;
    let store = app.store();
    let periods = store.list_periods(None).await.unwrap();
    let newest = periods
        .iter()
        .find(|p| p.period.year == 2026)
        .unwrap()
        .clone();
    assert!(
        newest.published_at.is_none(),
        "the demo leaves 2026 to publish"
    );
    let id = newest.id.0;

    // Before: anonymous visitors get nothing of it.
    for path in [
        format!("/api/v1/public/metrics?periode={id}"),
        format!("/rangliste?periode={id}"),
        format!("/kommuner/259?periode={id}"),
        format!("/?periode={id}"),
    ] {
        let reply = app.get(&path, "").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let metrics = app.get("/api/v1/public/metrics", "").await;
    assert!(
        !metrics.body.contains("\"Efterår 2026\""),
        "only published periods"
    );
    let start = app.get("/", "").await;
    assert!(
        !start.body.contains(&format!("value=\"{id}\"")),
        "not in the choices"
    );
    // Another municipality's coordinator sees none of Køge's figures.
    let aarhus = log_in_demo(&app, "tovholder@aarhus.example").await;
    assert_eq!(
        app.get("/kommune/259/tal", &aarhus).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/report?kommune=259", &aarhus).await.status,
        StatusCode::FORBIDDEN
    );

    // The national administrator publishes it.
    let admin = log_in_demo(&app, "admin@komhen.example").await;
    let csrf = csrf_of(&app.get("/admin/perioder", &admin).await.body);
    let published = app
        .post(
            &format!("/admin/perioder/{id}/offentliggoer"),
            &admin,
            &[("csrf", &csrf), ("publish", "ja"), ("confirm", "ja")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    // After: Køge's digital share is the same on the map's table, the
    // ranking, its page and the API.
    let start = app.get(&format!("/?maal=digital&periode={id}"), "").await;
    assert_eq!(start.status, StatusCode::OK);
    let map_row = row_of(&start.body, "map-table", "259");
    let on_map = map_row.split("class=\"num\">").nth(1).unwrap();
    let on_map = &on_map[..on_map.find(['<', ' ']).unwrap()];
    assert!(on_map.contains(','), "a share: {on_map}");
    let ranking = app
        .get(&format!("/rangliste?maal=digital&periode={id}"), "")
        .await;
    assert_eq!(ranking.status, StatusCode::OK);
    assert!(ranking.body.contains("Metode"));
    assert!(ranking.body.contains("mindst 100 henvendelser"));
    let ranked = row_of(&ranking.body, "ranking", "259");
    assert!(ranked.contains(&format!(">{on_map} %<")), "{ranked}");
    let page = app.get(&format!("/kommuner/259?periode={id}"), "").await;
    let own = page.body.split("data-metric=\"digital\"").nth(1).unwrap();
    assert!(
        own.contains(&format!("class=\"num own\">{on_map} %")),
        "{own}"
    );
    let api = app
        .get(
            &format!("/api/v1/public/metrics?periode={id}&kommune=259"),
            "",
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let digital = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "digital")
        .unwrap();
    let value = digital["value"].as_f64().unwrap();
    assert_eq!(Metric::Digital.format(value), format!("{on_map} %"));
    // The API's figure is the report engine's: Køge's own page agrees.
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let own_api = app
        .get(
            &format!(
                "/api/v1/report?grupper=digital&retning=in&fra={}&til={}",
                newest.period.starts_on, newest.period.ends_on
            ),
            &coordinator,
        )
        .await;
    let own: serde_json::Value = serde_json::from_str(&own_api.body).unwrap();
    let digital_rows = own["rows"].as_array().unwrap();
    let yes = digital_rows
        .iter()
        .find(|r| r["keys"][0]["code"] == "ja")
        .unwrap();
    assert_eq!(
        yes["inquiries"].as_i64().unwrap(),
        digital["numerator"].as_i64().unwrap()
    );
    assert_eq!(
        own["total"]["inquiries"].as_i64().unwrap(),
        digital["denominator"].as_i64().unwrap()
    );

    // Paging and CSV.
    let first = app
        .get(
            &format!("/api/v1/public/metrics?periode={id}&pr_side=50"),
            "",
        )
        .await;
    let first: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(first["total"], 98 * Metric::ALL.len());
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["next_page"], 2);
    let csv = app
        .get(
            &format!("/api/v1/public/metrics?periode={id}&kommune=259&format=csv"),
            "",
        )
        .await;
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(csv.body.contains(";259;Køge;digital;"));
}

#[tokio::test]
async fn small_cells_are_suppressed_and_a_comparison_group_is_shown() {
    let app = demo_app().await;
    let store = app.store();
    // One day of the demo's published autumn, published as a period of its
    // own: a day leaves the smaller municipalities under the cell size.
    let autumn = komhen_core::portal::published_periods(store).await.unwrap()[0].clone();
    let day = autumn.period.starts_on;
    let actor = komhen_core::accounts::access::Actor::command_line();
    let id = komhen_core::setup::catalogue::create_period(
        store,
        &actor,
        &komhen_core::setup::catalogue::PeriodInput {
            name: "Én dag".into(),
            starts_on: day,
            ends_on: day,
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap();
    komhen_core::setup::catalogue::set_published(store, &actor, id, true, chrono::Utc::now())
        .await
        .unwrap();
    let period = komhen_core::portal::published_period(store, id.0)
        .await
        .unwrap();
    let figures = komhen_core::portal::period_figures(store, &period)
        .await
        .unwrap();
    // The misdirected share's base, recounted from the stored rows (not
    // from the portal's figures): incoming inquiries with a type. A base
    // under the cell size is suppressed; any other is shown on that base.
    let incoming: std::collections::HashSet<_> = store
        .list_channels()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.direction == komhen_domain::Direction::Incoming)
        .map(|c| c.code)
        .collect();
    let mut base = std::collections::HashMap::new();
    for m in &figures.municipalities {
        let rows = store
            .list_registrations(
                m.municipality.code,
                &komhen_store::RegistrationFilter {
                    from: Some(period.period.starts_on),
                    to: Some(period.period.ends_on),
                    limit: 1_000_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let typed_incoming: i64 = rows
            .iter()
            .filter(|r| r.inquiry_type.is_some() && incoming.contains(&r.channel))
            .map(|r| r.quantity)
            .sum();
        let figure = m.figure(Metric::Misdirected);
        assert_eq!(
            figure.value.is_none(),
            typed_incoming < MIN_CELL,
            "{}: {typed_incoming} typed incoming inquiries",
            m.municipality.name
        );
        base.insert(u64::from(m.municipality.code.get()), typed_incoming);
    }
    let small = base.values().filter(|&&b| b < MIN_CELL).count();
    assert!(
        small > 0 && small < base.len(),
        "the demo's published period has misdirected shares both under and over the cell size: {:?}", (base.values().min(), base.values().max(), base.len())
    );
    let api = app
        .get(
            &format!(
                "/api/v1/public/metrics?periode={}&pr_side=1000",
                period.id.0
            ),
            "",
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let mut suppressed = 0;
    for row in json["rows"].as_array().unwrap() {
        if row["metric"] == "fejl" {
            let counted = base[&row["municipality"].as_u64().unwrap()];
            assert_eq!(row["suppressed"], counted < MIN_CELL, "{row}");
            if counted >= MIN_CELL {
                assert_eq!(row["denominator"], counted, "{row}");
            }
        }
        if row["suppressed"] == true {
            suppressed += 1;
            assert!(
                row["value"].is_null() && row["numerator"].is_null(),
                "{row}"
            );
        } else {
            assert!(row["value"].is_number(), "{row}");
        }
    }
    assert!(suppressed > 0, "the API suppresses the small cells");

    // The coordinator's comparison group.
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let page = app.get("/kommune/259/sammenligning", &coordinator).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.body);
    let saved = app
        .send(
            axum::http::Request::post("/kommune/259/sammenligning")
                .header(axum::http::header::COOKIE, &coordinator)
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(axum::body::Body::from(format!(
                    "csrf={csrf}&kommune=253&kommune=269&kommune=259"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        store
            .list_comparison_group(common::koege())
            .await
            .unwrap()
            .iter()
            .map(|m| m.get())
            .collect::<Vec<_>>(),
        vec![253, 269],
        "itself left out"
    );
    let public = app.get("/kommuner/259", "").await;
    assert!(public.body.contains("Sammenligningsgruppen"));
    assert!(public.body.contains("Greve, Solrød") || public.body.contains("Greve"));
    // The analyst reads the group but cannot change it.
    let analyst = log_in_demo(&app, "analytiker@koege.example").await;
    let page = app.get("/kommune/259/sammenligning", &analyst).await;
    assert!(!page.body.contains("Gem gruppen"));
}

/// With English chosen, the portal's public pages, the figures pages and
/// the account pages speak English throughout, not only in the header:
/// their headings, labels, table headers and hints, with none of the
/// Danish left.
#[tokio::test]
async fn the_portal_figures_and_account_pages_are_in_english_when_chosen() {
    let app = demo_app().await;
    let en = "komhen_lang=en";
    let pages: [(&str, &[&str], &[&str]); 6] = [
        (
            "/",
            &["Key figures", "Counting periods", "See all municipalities"],
            &["Nøgletal", "Se alle kommuner", "Der er endnu ingen"],
        ),
        (
            "/kommuner",
            &[
                ">Municipality code<",
                ">Population ",
                "Municipalities and inquiries",
            ],
            &[">Kommunekode<", "Kommuner og henvendelser"],
        ),
        (
            "/kommuner/259",
            &[
                "Køge Municipality",
                "Municipality code 259",
                "Published period",
            ],
            &["Køge Kommune", "Kommunekode 259", "Offentliggjort periode"],
        ),
        (
            "/rangliste",
            &["<h1>Ranking</h1>"],
            &["<h1>Rangliste</h1>", "Ingen tælleperiode"],
        ),
        (
            "/landstal",
            &["<h1>National figures</h1>"],
            &["<h1>Landstal</h1>", "Ingen tælleperiode"],
        ),
        (
            "/om",
            &["What is counted", "Where the figures come from"],
            &["Hvad tælles", "Hvor tallene kommer fra"],
        ),
    ];
    for (path, english, danish) in pages {
        let reply = app.get(path, en).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains("<html lang=\"en\">"), "{path}");
        for text in english {
            assert!(reply.body.contains(text), "{path}: {text}\n{}", reply.body);
        }
        for text in danish {
            assert!(!reply.body.contains(text), "{path}: {text}\n{}", reply.body);
        }
    }
    // Danish stays the default.
    let danish = app.get("/kommuner", "").await;
    assert!(danish.body.contains(">Kommunekode<"));

    let session = log_in_demo(&app, "tovholder@koege.example").await;
    let cookie = format!("{session}; {en}");
    let pages: [(&str, &[&str], &[&str]); 10] = [
        (
            "/kommune/259/tal",
            &[
                "Report bank",
                "Channels by direction",
                "Inquiries in total",
                "Compare with",
            ],
            &[
                "Rapportbank",
                "Kanaler efter retning",
                "Henvendelser i alt",
                "Sammenlign med",
            ],
        ),
        (
            "/kommune/259/tal/rapporter",
            &["Back to figures and reports"],
            &["Tilbage til tal og rapporter"],
        ),
        (
            "/kommune/259/tal/pivot",
            &["Show the table", "Link to this table", ">Rows<"],
            &["Vis tabellen", "Link til denne tabel", ">Rækker<"],
        ),
        (
            "/kommune/259/tal/beretning",
            &["What the figures show", "Print or save as PDF"],
            &["Det viser tallene", "Udskriv eller gem som PDF"],
        ),
        (
            "/kommune/259/tal/udtraek",
            &["Good to know", "Download the codebook"],
            &["Godt at vide", "Hent kodebogen"],
        ),
        (
            "/kommune/259/tal/registreringer",
            &[">Source<", ">Completion<"],
            &[">Kilde<", ">Afslutning<"],
        ),
        (
            "/mit",
            &["Here are the places your roles give you access to."],
            &["Her er de steder"],
        ),
        (
            "/konto",
            &["Change password", "Current password"],
            &["Skift adgangskode", "Nuværende adgangskode"],
        ),
        (
            "/kommune/259/brugere",
            &["Invite a person", "Last logged in"],
            &["Invitér en person", "Sidst logget ind"],
        ),
        (
            "/kommune/259/sammenligning",
            &["Save the group"],
            &["Gem gruppen"],
        ),
    ];
    for (path, english, danish) in pages {
        let reply = app.get(path, &cookie).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains("<html lang=\"en\">"), "{path}");
        for text in english {
            assert!(reply.body.contains(text), "{path}: {text}\n{}", reply.body);
        }
        for text in danish {
            assert!(!reply.body.contains(text), "{path}: {text}\n{}", reply.body);
        }
    }
}
