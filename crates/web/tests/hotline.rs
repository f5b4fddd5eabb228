//! The joint hotline's pages driven through the router: the national
//! administrator creates a line and adds a member, a queue_log is
//! previewed and imported, the key figures show its calls, the same file
//! is refused, and a coordinator of a municipality outside the line gets
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{csrf_of, koege, App, KBH, KOEGE, PASSWORD};
use komhen_domain::Role;
use komhen_store_conformance::SetupShortcuts;

const QUEUE_LOG: &[u8] = include_bytes!("../../ingest/tests/data/queue_log_sample");

/// The national administrator (logged in) creates a line: the session and
/// the line's address.
async fn new_line(app: &App, name: &str) -> (common::Session, String) {
    app.add_user("admin@komhen.dk", &[(Role::NationalAdmin, None, None)])
        .await;
    let admin = app.session("admin@komhen.dk", "/admin/hotlines").await;
    let reply = app
        .post(
            "/admin/hotlines",
            &admin.cookie,
            &[("csrf", &admin.csrf), ("name", name)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let line = reply.location.split('?').next().unwrap().to_owned();
    assert!(line.starts_with("/hotline/"), "{line}");
    (admin, line)
}

#[tokio::test]
async fn a_line_is_set_up_its_calls_imported_and_its_figures_shown() {
    let app = App::new().await;
    app.add_user(
        "tovholder@kk.dk",
        &[(komhen_domain::Role::Coordinator, Some(KBH), None)],
    )
    .await;

    // The national administrator creates the line and goes to it.
    let (admin, line) = new_line(&app, "Den Digitale Hotline").await;
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
    // Offered, answered (the order of `report::FIGURES_HEADER`).
    assert_eq!(cells[0], "12", "{total}");
    assert_eq!(cells[1], "6", "{total}");
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
    let (admin, line) = new_line(&app, "Linjen").await;
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
    app.add_user(
        "tovholder@koege.dk",
        &[(Role::Coordinator, Some(KOEGE), None)],
    )
    .await;
    // A user with no municipal role: only the line's own.
    app.add_user("linje@hotline.dk", &[]).await;
    let (admin, line) = new_line(&app, "Sjællands hotline").await;
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

/// The column of a CSV header.
fn column(header: &str, name: &str) -> usize {
    header
        .trim_start_matches('\u{feff}')
        .split(';')
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{name} in {header}"))
}

#[tokio::test]
async fn a_hotline_unit_registers_a_call_that_counts_once_in_the_callers_municipality() {
    let app = App::new().await;
    let (admin, line) = new_line(&app, "Den Digitale Hotline").await;
    for (code, kind) in [(KOEGE, "bemander"), (KBH, "betaler")] {
        let reply = app
            .post(
                &format!("{line}/medlemmer"),
                &admin.cookie,
                &[
                    ("csrf", &admin.csrf),
                    ("municipality", &code.to_string()),
                    ("kind", kind),
                    ("from", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    // Køge's hotline unit, with a national task and one of Køge's own.
    let unit = app.add_unit(KOEGE, "259hotline", None).await;
    let pas = app
        .store()
        .list_tasks(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == "23.09.02" && t.municipality.is_none())
        .unwrap()
        .id;
    app.store()
        .assign_tasks(koege(), unit, &[pas])
        .await
        .unwrap();
    // København pays only: its units cannot answer the line.
    app.add_unit(KBH, "101hotline", None).await;
    let refused = app
        .post(
            &format!("{line}/enheder"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("login", "101hotline")],
        )
        .await;
    assert!(
        refused
            .body
            .contains("hører ikke til en kommune, der bemander linjen"),
        "{}",
        refused.body
    );
    let reply = app
        .post(
            &format!("{line}/enheder"),
            &admin.cookie,
            &[("csrf", &admin.csrf), ("login", "259hotline")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let overview = app.get(&line, &admin.cookie).await;
    assert!(overview.body.contains("id=\"hotline-units\""));
    assert!(overview.body.contains("259hotline"));

    // The unit's page asks for the caller's municipality and the outcome.
    let login = app.log_in("259hotline", PASSWORD).await;
    let cookie = login.cookie.unwrap();
    let page = app.get("/registrering", &cookie).await;
    assert!(page.body.contains(r#"id="caller""#), "{}", page.body);
    assert!(page
        .body
        .contains(r#"<option value="101">København</option>"#));
    assert!(page
        .body
        .contains(r#"name="outcome" value="henvist_fremmoede""#));
    assert!(!page.body.contains(r#"name="completion""#));
    let csrf = csrf_of(&page.body);
    let pas = pas.0.to_string();
    let call = |key: &'static str, caller: &'static str, outcome: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("idempotency_key", key.to_owned()),
            ("caller", caller.to_owned()),
            ("direction", "in".to_owned()),
            ("channel", "TLFIND".to_owned()),
            ("task", pas.clone()),
            ("inquiry_type", "VEJL".to_owned()),
            ("outcome", outcome.to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post("/registrering", &cookie, &form).await
        }
    };
    // Nothing is stored without a caller, or with a caller outside the line.
    let missing = post(call("h0", "", "loest_straks")).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Vælg borgerens kommune."));
    let outside = post(call("h0", "175", "loest_straks")).await;
    assert!(outside
        .body
        .contains("er ikke medlem af Den Digitale Hotline"));

    let saved = post(call("h1", "101", "henvist_fremmoede")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let confirmation = app.get(&saved.location, &cookie).await;
    assert!(
        confirmation.body.contains("København · "),
        "{}",
        confirmation.body
    );
    assert!(confirmation
        .body
        .contains("henvist til fremmøde i egen kommune"));
    // The unit's week counts its calls, though they count in the callers'
    // municipalities.
    assert!(
        confirmation
            .body
            .contains(r#"<td class="num" id="week-count">1</td>"#),
        "{}",
        confirmation.body
    );
    // The same form sent again is the same call.
    let again = post(call("h1", "101", "henvist_fremmoede")).await;
    assert_eq!(again.location, saved.location);

    let all = komhen_store::RegistrationFilter {
        include_test: true,
        ..komhen_store::RegistrationFilter::default()
    };
    let kbh = app
        .store()
        .list_registrations(common::code(KBH), &all)
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1, "counted once, in the caller's municipality");
    assert_eq!(kbh[0].source, komhen_domain::Source::Hotline);
    assert_eq!(kbh[0].unit, None);
    assert!(app
        .store()
        .list_registrations(koege(), &all)
        .await
        .unwrap()
        .is_empty());

    // The line's figures count it, with its outcome.
    let today = komhen_domain::DateDimensions::of(app.clock.now()).day;
    let csv = app
        .get(
            &format!("{line}/tal?fra={today}&til={today}&gruppe=hele&format=csv"),
            &admin.cookie,
        )
        .await;
    let mut lines = csv.body.lines();
    let header = lines.next().unwrap();
    let total: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert_eq!(
        total[column(header, "Registrerede opkald")],
        "1",
        "{}",
        csv.body
    );
    assert_eq!(
        total[column(header, "Løst med det samme")],
        "0,0000",
        "{}",
        csv.body
    );
    assert_eq!(
        total[column(header, "Henvist til fremmøde")],
        "100,0000",
        "{}",
        csv.body
    );

    // Undo takes it out of both.
    let id = saved.location.rsplit('=').next().unwrap();
    let undone = app
        .post(
            &format!("/registrering/{id}/fortryd"),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    assert!(app
        .store()
        .list_registrations(common::code(KBH), &all)
        .await
        .unwrap()
        .is_empty());
}

/// The national administration, the channel prices, savings and strategy
/// pages, and the hotline's pages answer in English when the cookie asks
/// for it: headings, labels and page titles, with none of their Danish.
#[tokio::test]
async fn the_national_economics_and_hotline_pages_read_in_english() {
    let app = common::demo_app().await;
    let english = |session: String| format!("{session}; komhen_lang=en");
    let admin = english(common::log_in_demo(&app, "admin@komhen.example").await);
    let coordinator = english(common::log_in_demo(&app, "tovholder@koege.example").await);
    let hotline = english(common::log_in_demo(&app, "hotline@komhen.example").await);

    let lines = app.get("/admin/hotlines", &admin).await;
    let at = lines.body.find("href=\"/hotline/").unwrap() + "href=\"".len();
    let line: String = lines.body[at..].chars().take_while(|c| *c != '"').collect();

    let pages: Vec<(String, &str, &[&str], &[&str])> = vec![
        (
            "/admin".into(),
            &admin,
            &[
                "municipalities and their coordinators. Choose a municipality",
                ">Coordinators</th>",
            ],
            &["Landets kommuner og deres tovholdere", ">Tovholdere</th>"],
        ),
        (
            "/admin/opgaver".into(),
            &admin,
            &[
                "Task packages",
                "New task package",
                "National tasks",
                "Load KLE",
            ],
            &[
                ">Opgavepakker<",
                "Ny opgavepakke",
                ">Nationale opgaver<",
                "Indlæs KLE",
            ],
        ),
        (
            "/admin/perioder".into(),
            &admin,
            &[
                "New counting period",
                "Submission deadline",
                "The national weeks",
            ],
            &[
                "Ny tælleperiode",
                "Frist for indberetning",
                "De nationale uger",
            ],
        ),
        (
            "/admin/kodelister".into(),
            &admin,
            &["Medium and direction", "Inquiry types", "Create channel"],
            &["Medie og retning", "Henvendelsestyper", "Opret kanal"],
        ),
        (
            "/admin/rettelser".into(),
            &admin,
            &["No corrections are waiting."],
            &["Ingen rettelser venter."],
        ),
        (
            "/admin/totaltal".into(),
            &admin,
            &[
                "Load a delivery",
                "Delivered figures",
                "<title>National totals",
            ],
            &[
                "Indlæs en levering",
                "Leverede tal",
                "<title>Nationale totaltal",
            ],
        ),
        (
            "/admin/priser".into(),
            &admin,
            &[
                "The national price list: what one inquiry costs",
                "New price",
                "Valid from",
            ],
            &["Den nationale prisliste: hvad", "Ny pris", "Gælder fra"],
        ),
        (
            "/admin/hotlines".into(),
            &admin,
            &["New hotline", "Create hotline", "<title>Joint hotlines"],
            &["Ny hotline", "Opret hotline", "<title>Fælles hotlines"],
        ),
        (
            "/kommune/259/priser".into(),
            &coordinator,
            &[
                "own prices apply from their date",
                "The national price list",
                "Price per inquiry",
            ],
            &[
                "Kommunens egne priser",
                "Den nationale prisliste",
                "Pris pr. henvendelse",
            ],
        ),
        (
            "/kommune/259/besparelser".into(),
            &coordinator,
            &[
                "The scenario has no moves yet.",
                "Move a share",
                "Saved scenarios",
            ],
            &["Scenariets flytninger", "Flyt en andel", "Gemte scenarier"],
        ),
        (
            "/kommune/259/besparelser?flyt=PRSNLG%3ASLVBTJN%3A30".into(),
            &coordinator,
            &[
                "Theoretical savings",
                "Realistic savings",
                "The moves task by task",
                "kr. a year",
            ],
            &[
                "Teoretisk besparelse",
                "Realistisk besparelse",
                "kr. om året",
            ],
        ),
        (
            "/kommune/259/strategi".into(),
            &coordinator,
            &["New target", "New initiative", "The digital channels"],
            &["Nyt mål", "Nyt initiativ", "De digitale kanaler"],
        ),
        (
            line.clone(),
            &hotline,
            &[
                "Latest whole week",
                "Offered calls",
                "Opening hours per weekday",
                "Monday",
                "Week ",
            ],
            &[
                "Seneste hele uge",
                "Tilbudte opkald",
                "Åbningstid pr. ugedag",
                "Mandag",
                "Uge ",
            ],
        ),
        (
            format!("{line}/opkald"),
            &hotline,
            &["Loaded files, newest first", "Calls added"],
            &["Indlæste filer, nyeste først", "Opkald tilføjet"],
        ),
        (
            format!("{line}/tal"),
            &hotline,
            &[
                "Key figures for the period",
                "cost in the period",
                "The last 4 weeks",
            ],
            &[
                "Nøgletal for perioden",
                "Linjens udgift i perioden",
                "De seneste 4 uger",
            ],
        ),
        (
            format!("{line}/bemanding"),
            &hotline,
            &[
                "Division of the shifts",
                "A proposed group",
                "Rota",
                "Divided by population",
            ],
            &[
                "Fordeling af vagterne",
                "En foreslået gruppe",
                "Fordelt efter folketal",
            ],
        ),
        (
            format!("{line}/opgoerelser"),
            &hotline,
            &[
                "Issued statements, newest first",
                "New statement",
                "To pay ",
            ],
            &[
                "Udstedte opgørelser, nyeste først",
                "Ny opgørelse",
                "At betale ",
            ],
        ),
        (
            format!("{line}/plan"),
            &hotline,
            &[
                "Staffing needs per hour of the week",
                "Erlang C calculates as if nobody",
            ],
            &["Bemandingsbehov pr. time i ugen", "Erlang C regner"],
        ),
    ];
    for (path, cookie, present, absent) in pages {
        let page = app.get(&path, cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("<html lang=\"en\">"), "{path}");
        for text in present {
            assert!(page.body.contains(text), "{path} lacks «{text}»");
        }
        for text in absent {
            assert!(!page.body.contains(text), "{path} still has «{text}»");
        }
    }
}
