//! The yearly cycle's pages on the demo data, in-process on the test
//! backend: the coordinator's checklist names what is submitted and what is
//! missing; the national administrator's overview lists every municipality,
//! filters, sorts and downloads, and sets the period's own deadlines
//! (checked, in Danish).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{csrf_of, demo_app, log_in_demo};

#[tokio::test]
async fn the_checklist_and_the_overview_show_who_has_submitted_what() {
    let app = demo_app().await;
    let store = app.store();
    let periods = store.list_periods(None).await.unwrap();
    let autumn = periods
        .iter()
        .filter(|p| p.municipality.is_none())
        .max_by_key(|p| p.period.starts_on)
        .unwrap();

    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let page = app
        .get(
            &format!("/kommune/259/tjekliste?periode={}", autumn.id.0),
            &coordinator,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(r#"href="/kommune/259/tjekliste""#),
        "in the side menu"
    );
    assert!(page.body.contains(&autumn.period.name));
    // Køge registered in the demo's counting weeks.
    let registrations = page
        .body
        .split("<th scope=\"row\">Registreringer</th>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    // The demo's rows were all stored as it loaded, after the period's
    // deadline if that has passed: the checklist says what the rule says.
    let cycle = komhen_core::cycle::load(store, autumn.id).await.unwrap();
    let koege =
        komhen_core::cycle::submissions(store, &cycle, Some(common::koege()), app.clock.now())
            .await
            .unwrap()
            .remove(0);
    let status = koege
        .kind(komhen_core::cycle::DataKind::Registrations)
        .unwrap()
        .status;
    assert!(matches!(
        status,
        komhen_core::cycle::Status::Submitted | komhen_core::cycle::Status::Late
    ));
    assert!(
        registrations.contains(&format!(">{}<", status.label_da()))
            && registrations.contains("henvendelser"),
        "{registrations}"
    );
    assert!(
        page.body.contains("Ingen frist sat"),
        "no totals deadline yet"
    );
    // The period is over: the units that count, and their silent weekdays.
    assert!(page.body.contains(r#"id="silent-units""#), "{}", page.body);
    // Another municipality's checklist is not Køge's coordinator's.
    let other = app.get("/kommune/101/tjekliste", &coordinator).await;
    assert!(matches!(
        other.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));

    let admin = log_in_demo(&app, "admin@komhen.example").await;
    let base = format!("/admin/indberetninger?periode={}", autumn.id.0);
    let page = app.get(&base, &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let municipalities = store.list_municipalities().await.unwrap().len();
    assert!(
        page.body.contains(&format!(
            "Viser {municipalities} af {municipalities} kommuner"
        )),
        "every municipality"
    );
    let filter = format!("{base}&art=registreringer&status={}", status.code());
    let submitted = app.get(&filter, &admin).await;
    let shown: usize = submitted
        .body
        .split("Viser ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(shown > 0 && shown <= municipalities, "{shown}");
    let csv = app.get(&format!("{filter}&format=csv"), &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), shown + 1, "a header and the rows shown");
    assert!(
        lines[0].contains("Kommune;Kode;Deltager;Testtilstand;Spørgeskema besvaret;Registreringer")
    );
    let label = format!(";{};", status.label_da());
    assert!(lines[1..].iter().all(|l| l.contains(&label)));
    assert!(lines[1..].iter().any(|l| l.starts_with("Køge;259;")));

    // The period's own deadlines: checked, then saved and audited.
    let csrf = csrf_of(&page.body);
    let before_end = autumn.period.ends_on.to_string();
    let refused = app
        .post(
            "/admin/indberetninger/frister",
            &admin,
            &[
                ("csrf", &csrf),
                ("periode", &autumn.id.0.to_string()),
                ("totals", &before_end),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("skal ligge efter periodens sidste tælledag"));
    let nonsense = app
        .post(
            "/admin/indberetninger/frister",
            &admin,
            &[
                ("csrf", &csrf),
                ("periode", &autumn.id.0.to_string()),
                ("totals", "i morgen"),
            ],
        )
        .await;
    assert!(nonsense
        .body
        .contains("Skriv fristen for totaltal som en dato"));
    let due = (autumn.period.ends_on + chrono::Duration::days(60)).to_string();
    let saved = app
        .post(
            "/admin/indberetninger/frister",
            &admin,
            &[
                ("csrf", &csrf),
                ("periode", &autumn.id.0.to_string()),
                ("totals", &due),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app
        .get(
            &format!("/kommune/259/tjekliste?periode={}", autumn.id.0),
            &coordinator,
        )
        .await;
    let day = (autumn.period.ends_on + chrono::Duration::days(60))
        .format("%d-%m-%Y")
        .to_string();
    assert!(
        page.body.contains(&day),
        "the totals deadline on the checklist"
    );
    let audit = store.list_audit(None, 20).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.entity == "period_deadline"));
}
