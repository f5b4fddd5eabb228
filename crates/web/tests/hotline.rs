//! The joint hotline's pages driven through the router: the national
//! administrator creates a line and adds a member, a queue_log is
//! previewed and imported, the key figures show its calls, the same file
//! is refused, and a coordinator of a municipality outside the line gets
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{csrf_of, App, KBH, KOEGE};
use komhen_domain::Role;

const QUEUE_LOG: &[u8] = include_bytes!("../../ingest/tests/data/queue_log_sample");

#[tokio::test]
async fn a_line_is_set_up_its_calls_imported_and_its_figures_shown() {
    let app = App::new().await;
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    app.add_user(
        "tovholder@kk.dk",
        &[(komhen_domain::Role::Coordinator, Some(KBH), None)],
    )
    .await;
    let admin = app.session("admin@komhen.dk", "/admin/hotlines").await;

    // The national administrator creates the line and goes to it.
    let reply = app
        .post(
            "/admin/hotlines",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("name", "Den Digitale Hotline")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let line = reply.location.split('?').next().unwrap().to_owned();
    assert!(line.starts_with("/hotline/"), "{line}");
    let list = app.get("/admin/hotlines", &admin.cookie).await;
    assert!(list.body.contains("Den Digitale Hotline"));

    // A member.
    let reply = app
        .post(
            &format!("{line}/medlemmer"),
            &admin.cookie,
            &[
                ("csrf", &admin.csrf),
                ("municipality", &KOEGE.to_string()),
                ("kind", "bemander"),
                ("from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app.get(&line, &admin.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Køge"), "{}", page.body);

    // The queue log: preview, then import.
    let calls_page = app.get(&format!("{line}/opkald"), &admin.cookie).await;
    let csrf = csrf_of(&calls_page.body);
    let preview = app
        .upload(
            &format!("{line}/opkald"),
            &admin.cookie,
            &csrf,
            ("queue_log", QUEUE_LOG),
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains(r#"<dd id="preview-calls">12</dd>"#),
        "{}",
        preview.body
    );
    let sha = common::input(&preview.body, "sha256");
    let reply = app
        .post(
            &format!("{line}/opkald/indlaes"),
            &admin.cookie,
            &[
                ("csrf", &csrf),
                ("sha256", &sha),
                ("file_name", "queue_log"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let done = app.get(&reply.location, &admin.cookie).await;
    assert!(
        done.body.contains("12 opkald tilføjet, 0 var gemt før"),
        "{}",
        done.body
    );
    assert!(done.body.contains("queue_log"));

    // The figures of the week.
    let figures = app
        .get(
            &format!("{line}/tal?fra=2026-03-02&til=2026-03-08&gruppe=hele"),
            &admin.cookie,
        )
        .await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let total = figures
        .body
        .split(r#"<tr id="figures-total">"#)
        .nth(1)
        .and_then(|t| t.split("</tr>").next())
        .expect("the whole period's row");
    let cells: Vec<&str> = total
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    // Offered, inside, outside, answered.
    assert_eq!(cells[0], "12", "{total}");
    assert_eq!(cells[3], "6", "{total}");
    let csv = app
        .get(
            &format!("{line}/tal?fra=2026-03-02&til=2026-03-08&gruppe=uge&format=csv"),
            &admin.cookie,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.body.contains("Hele perioden;12;"), "{}", csv.body);

    // The same file again is refused.
    let again = app
        .upload(
            &format!("{line}/opkald"),
            &admin.cookie,
            &csrf,
            ("queue_log", QUEUE_LOG),
            &[],
        )
        .await;
    assert!(
        again.body.contains("Præcis denne fil er indlæst før"),
        "{}",
        again.body
    );
    assert!(!again.body.contains(r#"id="calls-import""#));

    // A coordinator of a municipality that is not a member.
    let other = app.session("tovholder@kk.dk", "/mit").await;
    for path in [
        line.clone(),
        format!("{line}/tal"),
        format!("{line}/opkald"),
    ] {
        let reply = app.get(&path, &other.cookie).await;
        assert!(
            matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{path}: {}",
            reply.status
        );
    }
}

#[tokio::test]
async fn a_query_that_cannot_be_read_gets_a_message_naming_the_field() {
    let app = App::new().await;
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    let admin = app.session("admin@komhen.dk", "/admin/hotlines").await;
    let reply = app
        .post(
            "/admin/hotlines",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("name", "Linjen")],
        )
        .await;
    let line = reply.location.split('?').next().unwrap().to_owned();
    for (query, message) in [
        ("tal?fra=igaar", "Fra «igaar» er ikke en dato"),
        (
            "tal?fra=2026-13-01",
            "Fra «2026-13-01» er ikke en dag, der findes.",
        ),
        (
            "tal?til=31-11-2026",
            "Til og med «31-11-2026» er ikke en dag, der findes.",
        ),
        ("tal?gruppe=maaned", "Opdelingen «maaned» findes ikke"),
        (
            "tal?fra=2026-12-01&til=2026-01-01",
            "Perioden slutter før den begynder.",
        ),
        ("plan?fra=x", "Fra «x» er ikke en dato"),
        ("bemanding?dag=1.1.26", "Dagen «1.1.26» er ikke en dato"),
        ("bemanding?kommuner=abc", "«abc» er ikke kommunekoder."),
    ] {
        let page = app.get(&format!("{line}/{query}"), &admin.cookie).await;
        assert!(
            page.status.is_success() || page.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            page.status
        );
        assert!(page.body.contains(message), "{query}: {}", page.body);
    }
}

#[tokio::test]
async fn the_line_is_reached_from_mit_komhen_and_its_own_administrator_lands_on_it() {
    let app = App::new().await;
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    app.add_user(
        "tovholder@koege.dk",
        &[(Role::Coordinator, Some(KOEGE), None)],
    )
    .await;
    // A user with no municipal role: only the line's own.
    app.add_user("linje@hotline.dk", &[]).await;
    let admin = app.session("admin@komhen.dk", "/admin/hotlines").await;
    let reply = app
        .post(
            "/admin/hotlines",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("name", "Sjællands hotline")],
        )
        .await;
    let line = reply.location.split('?').next().unwrap().to_owned();
    for (path, form) in [
        (
            "medlemmer",
            vec![
                ("municipality", KOEGE.to_string()),
                ("kind", "bemander".to_string()),
                ("from", "2020-01-01".to_string()),
            ],
        ),
        (
            "roller",
            vec![
                ("email", "linje@hotline.dk".to_string()),
                ("role", "admin".to_string()),
            ],
        ),
    ] {
        let mut fields: Vec<(&str, &str)> = vec![("csrf", &admin.csrf)];
        fields.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
        let reply = app
            .post(&format!("{line}/{path}"), &admin.cookie, &fields)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            reply.body
        );
    }

    // The member's coordinator finds the line on "Mit komhen".
    let coordinator = app.session("tovholder@koege.dk", "/mit").await;
    let mine = app.get("/mit", &coordinator.cookie).await;
    assert!(
        mine.body.contains(r#"id="hotline-places""#),
        "{}",
        mine.body
    );
    assert!(mine.body.contains(&format!(r#"href="{line}""#)));
    assert!(mine.body.contains("Tovholder i medlemskommunen Køge"));

    // The line's own administrator lands on the line after logging in.
    let reply = app.log_in("linje@hotline.dk", common::PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location, line);
    let cookie = reply.cookie.unwrap();
    let mine = app.get("/mit", &cookie).await;
    assert!(!mine.body.contains(r#"id="no-roles""#), "{}", mine.body);
    assert!(mine.body.contains("Sjællands hotline"));
}
