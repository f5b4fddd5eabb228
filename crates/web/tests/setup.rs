//! A coordinator sets up a municipality through the pages, in-process on
//! the test backend: from an invitation link to units that register with
//! the settings made, every change in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{coordinator, csrf_of, koege, App};
use komhen_core::accounts::account::Grant;
use komhen_domain::Role;
use komhen_store::RegistrationFilter;

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
}

#[tokio::test]
async fn a_coordinator_sets_up_units_that_then_register_with_those_settings() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let store = app.store();

    // A department and two units.
    let made = app
        .post(
            "/kommune/259/forvaltninger",
            &cookie,
            &[("csrf", &csrf), ("name", "Borgerservice")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let department = store.list_departments(koege()).await.unwrap()[0].id;
    let department = department.0.to_string();
    let first = app
        .post(
            "/kommune/259/enheder",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Skranken"),
                ("department", &department),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let first_id = id_after(&first.location, "/kommune/259/enheder/");
    let second = app
        .post(
            "/kommune/259/enheder",
            &cookie,
            &[("csrf", &csrf), ("name", "Telefonen"), ("login", "259tlf")],
        )
        .await;
    let second_id = id_after(&second.location, "/kommune/259/enheder/");
    let units = store.list_units(koege()).await.unwrap();
    let logins: Vec<&str> = units.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(
        logins,
        ["259skranken", "259tlf"],
        "made from the name, or as typed"
    );
    let taken = app
        .post(
            "/kommune/259/enheder",
            &cookie,
            &[("csrf", &csrf), ("name", "Igen"), ("login", "259tlf")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("login 259tlf"), "{}", taken.body);

    // The season's mandatory tasks are offered first and marked.
    let unit_page = app
        .get(&format!("/kommune/259/enheder/{first_id}"), &cookie)
        .await;
    assert!(unit_page.body.contains("Obligatoriske opgaver"));
    let period = store.list_periods(None).await.unwrap();
    assert!(
        period.is_empty(),
        "no period yet: the newest package is used"
    );
    let packages = store.list_task_packages().await.unwrap();
    let mandatory: Vec<String> = store
        .list_package_tasks(packages.last().unwrap().id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.mandatory)
        .map(|t| t.task.id.0.to_string())
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend(mandatory.iter().map(|t| ("task", t.as_str())));
    let saved = app
        .post(
            &format!("/kommune/259/enheder/{first_id}/opgaver"),
            &cookie,
            &form,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        store
            .list_unit_tasks(koege(), komhen_domain::UnitId(first_id))
            .await
            .unwrap()
            .len(),
        mandatory.len()
    );

    // One optional parameter and one extra question on a task.
    let questions = store.list_all_questions(koege()).await.unwrap();
    let gender = questions
        .iter()
        .find(|q| q.code.as_deref() == Some("gender"))
        .unwrap()
        .id
        .0
        .to_string();
    let switched = app
        .post(
            &format!("/kommune/259/enheder/{first_id}/spoergsmaal"),
            &cookie,
            &[("csrf", &csrf), ("question", &gender)],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    let asked_task = mandatory[0].clone();
    let created = app
        .post(
            "/kommune/259/spoergsmaal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("task", &asked_task),
                ("label", "Hvilken slags bidrag?"),
                (
                    "options",
                    "Normalbidrag\nForhøjet bidrag\n\nÆgtefællebidrag",
                ),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let one_option = app
        .post(
            "/kommune/259/spoergsmaal",
            &cookie,
            &[
                ("csrf", &csrf),
                ("task", &asked_task),
                ("label", "Kun én?"),
                ("options", "Ja"),
            ],
        )
        .await;
    assert_eq!(one_option.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(one_option.body.contains("mindst to svarmuligheder"));

    // The second unit gets the first one's set-up.
    let copied = app
        .post(
            &format!("/kommune/259/enheder/{second_id}/kopier"),
            &cookie,
            &[("csrf", &csrf), ("from", &first_id.to_string())],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.body);

    // Logins: a password shown once on the login card.
    let card = app
        .post(
            &format!("/kommune/259/enheder/{second_id}/adgangskode"),
            &cookie,
            &[("csrf", &csrf), ("password", "")],
        )
        .await;
    assert_eq!(card.status, StatusCode::OK);
    let password = card
        .body
        .split(r#"<dd id="card-password"><code>"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 14, "{password}");
    assert!(card.body.contains("259tlf"));

    // The unit logs in and registers with those settings.
    let unit_login = app.log_in("259tlf", &password).await;
    assert_eq!(unit_login.location, "/registrering");
    let unit_cookie = unit_login.cookie.unwrap();
    let form_page = app.get("/registrering", &unit_cookie).await;
    assert!(
        form_page.body.contains("Køn"),
        "the optional parameter is asked"
    );
    assert!(
        form_page.body.contains("Hvilken slags bidrag?"),
        "the task question is asked"
    );
    let question = store
        .list_questions(koege())
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.label_da == "Hvilken slags bidrag?")
        .unwrap();
    let option = question
        .options
        .iter()
        .find(|o| o.label_da == "Ægtefællebidrag")
        .unwrap();
    let unit_csrf = csrf_of(&form_page.body);
    let key = format!("q_{}", question.id);
    let option_id = option.id.0.to_string();
    let saved = app
        .post(
            "/registrering",
            &unit_cookie,
            &[
                ("csrf", &unit_csrf),
                ("idempotency_key", "k1"),
                ("direction", "in"),
                ("channel", "TLFIND"),
                ("task", &asked_task),
                ("inquiry_type", "VEJL"),
                ("completion", "STRAKS"),
                (&key, &option_id),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rows = store
        .list_registrations(koege(), &RegistrationFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let answers = store.list_answers(koege(), rows[0].id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].option, Some(option.id));

    // Every change is in the audit log, by the coordinator.
    let audit = store.list_audit(Some(koege()), 100).await.unwrap();
    let mine: Vec<&str> = audit
        .iter()
        .filter(|a| a.entry.actor == "bruger:kim@koege.dk")
        .map(|a| a.entry.action.as_str())
        .collect();
    for action in [
        "create",
        "set_tasks",
        "set_questions",
        "copy_setup",
        "set_password",
    ] {
        assert!(mine.contains(&action), "{action} in {mine:?}");
    }
    let log = app.get("/kommune/259/log", &cookie).await;
    assert!(log.body.contains("copy_setup"));
    assert!(!log.body.contains(&password), "passwords never in the log");
}

#[tokio::test]
async fn test_mode_switches_on_and_off_and_its_rows_can_be_deleted() {
    let app = App::new().await;
    let (cookie, csrf) = coordinator(&app, "kim@koege.dk").await;
    let on = app
        .post(
            "/kommune/259/testtilstand",
            &cookie,
            &[
                ("csrf", &csrf),
                ("state", "on"),
                ("until_date", "2099-01-01"),
                ("until_time", "08:00"),
            ],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let m = app
        .store()
        .get_municipality(koege())
        .await
        .unwrap()
        .unwrap();
    assert!(m.test_mode && m.test_mode_until.is_some());
    let page = app.get("/kommune/259/testtilstand", &cookie).await;
    assert!(
        page.body.contains("slået til indtil 01-01-2099 08:00"),
        "{}",
        page.body
    );

    let past = app
        .post(
            "/kommune/259/testtilstand",
            &cookie,
            &[
                ("csrf", &csrf),
                ("state", "on"),
                ("until_date", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("allerede passeret"));

    let deleted = app
        .post(
            "/kommune/259/testtilstand/slet",
            &cookie,
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let off = app
        .post(
            "/kommune/259/testtilstand",
            &cookie,
            &[("csrf", &csrf), ("state", "off")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        !app.store()
            .get_municipality(koege())
            .await
            .unwrap()
            .unwrap()
            .test_mode
    );
}

#[tokio::test]
async fn forms_without_the_session_token_change_nothing() {
    let app = App::new().await;
    let (cookie, _) = coordinator(&app, "kim@koege.dk").await;
    let refused = app
        .post(
            "/kommune/259/forvaltninger",
            &cookie,
            &[("csrf", "forkert"), ("name", "Borgerservice")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app
        .store()
        .list_departments(koege())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_national_administrator_imports_kle_and_keeps_the_catalogue() {
    let app = App::new().await;
    let store = app.store();
    let link = komhen_core::accounts::account::invite(
        store,
        None,
        "admin@komhen.dk",
        "Admin",
        Grant {
            role: Role::NationalAdmin,
            municipality: None,
            unit: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let password = "et langt kodeord";
    app.post(
        &link.path(),
        "",
        &[("password", password), ("repeated", password)],
    )
    .await;
    let login = app.log_in("admin@komhen.dk", password).await;
    assert_eq!(login.location, "/admin");
    let cookie = login.cookie.unwrap();
    let page = app.get("/admin/opgaver", &cookie).await;
    let csrf = csrf_of(&page.body);
    let before = store.list_kle_entries().await.unwrap().len();

    let xml = include_str!("../../ingest/tests/data/kle_rest_format_sample_kitos.xml");
    let boundary = "grense1234";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kle.xml\"\r\n\
         Content-Type: application/xml\r\n\r\n{xml}\r\n--{boundary}--\r\n"
    );
    let imported = app
        .send(
            Request::post("/admin/kle")
                .header(header::COOKIE, &cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert!(
        imported.body.contains("officielle KLE-format"),
        "{}",
        imported.body
    );
    let after = store.list_kle_entries().await.unwrap();
    assert_eq!(after.len(), before, "retired, never deleted");
    let renamed = after
        .iter()
        .find(|e| e.number.as_str() == "00.03.00")
        .unwrap();
    assert_eq!(renamed.title, "HAS BEEN RENAMED");
    assert!(!renamed.retired);
    assert!(
        after
            .iter()
            .find(|e| e.number.as_str() == "27.24.00")
            .unwrap()
            .retired
    );

    // A mandatory task made voluntary, in the audit log.
    let package = store.list_task_packages().await.unwrap().pop().unwrap();
    let task = store
        .list_package_tasks(package.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.mandatory)
        .unwrap();
    let changed = app
        .post(
            &format!(
                "/admin/opgavepakker/{}/opgaver/{}",
                package.id, task.task.id
            ),
            &cookie,
            &[("csrf", &csrf), ("mandatory", "nej")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let now = store
        .list_package_tasks(package.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.task.id == task.task.id)
        .unwrap();
    assert!(!now.mandatory);
    let audit = store.list_audit(None, 10).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.action == "set_package_task"));
    assert!(audit.iter().any(|a| a.entry.entity == "kle"));

    // Reference data loaded again keeps the administrator's change.
    komhen_core::reference::migrate_and_load(store)
        .await
        .unwrap();
    let kept = store
        .list_package_tasks(package.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.task.id == task.task.id)
        .unwrap();
    assert!(!kept.mandatory, "a later migrate keeps the edit");
}

#[tokio::test]
async fn the_set_up_load_and_checklist_pages_read_in_english_when_chosen() {
    let app = common::demo_app().await;
    let periods = app.store().list_periods(None).await.unwrap();
    let period = periods
        .iter()
        .filter(|p| p.municipality.is_none())
        .max_by_key(|p| p.period.starts_on)
        .unwrap()
        .id
        .0;
    let session = common::log_in_demo(&app, "tovholder@koege.example").await;
    let cookie = format!("{session}; komhen_lang=en");
    let units = app.get("/kommune/259/enheder", &cookie).await;
    let unit = units
        .body
        .split("href=\"/kommune/259/enheder/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a unit on the units page")
        .to_owned();
    let admin = common::log_in_demo(&app, "admin@komhen.example").await;
    let admin = format!("{admin}; komhen_lang=en");

    // Each page: its address, who opens it, English that must be there,
    // and Danish that must not.
    let pages: Vec<(String, &str, &[&str], &[&str])> = vec![
        (
            "/kommune/259".into(),
            &cookie,
            &["Ready to count?", "Active units", "Active departments"],
            &["Klar til optælling?", "Aktive enheder"],
        ),
        (
            "/kommune/259/enheder".into(),
            &cookie,
            &["Create a unit", "Last logged in", "Create a department"],
            &["Opret enhed", "Sidst logget ind", "Opret forvaltning"],
        ),
        (
            format!("/kommune/259/enheder/{unit}"),
            &cookie,
            &[
                "Password and login card",
                "Save tasks",
                "Optional parameters",
            ],
            &[
                "Adgangskode og loginkort",
                "Gem opgaver",
                "Valgfrie parametre",
            ],
        ),
        (
            "/kommune/259/opgaver".into(),
            &cookie,
            &["Add a task of your own", "Extra questions on tasks"],
            &["Kommunens egne opgaver", "Ekstra spørgsmål til opgaver"],
        ),
        (
            "/kommune/259/perioder".into(),
            &cookie,
            &["The municipality takes part", "Save participation"],
            &["Kommunen deltager", "Gem deltagelse"],
        ),
        (
            "/kommune/259/testtilstand".into(),
            &cookie,
            &["Save test mode", "Test registrations"],
            &["Gem testtilstand", "Testregistreringer"],
        ),
        (
            "/kommune/259/systemer".into(),
            &cookie,
            &["New key", "Make key", "Last used"],
            &["Ny nøgle", "Til systemets leverandør", "Sidst brugt"],
        ),
        (
            "/kommune/259/hjemmeside".into(),
            &cookie,
            &["Pages and tasks", "Load from Matomo", "Loaded files"],
            &["Sider og opgaver", "Indlæs fra Matomo", "Indlæste filer"],
        ),
        (
            "/kommune/259/indlaes".into(),
            &cookie,
            &["Load a file", "Check the file", "Loads"],
            &["Indlæs en fil", "Kontrollér filen", "Indlæsninger"],
        ),
        (
            "/kommune/259/totaltal".into(),
            &cookie,
            &[
                "Saved totals",
                "Enter a total",
                "Telephone system (Asterisk)",
            ],
            &[
                "Gemte totaltal",
                "Indtast et totaltal",
                "Telefonsystem (Asterisk)",
            ],
        ),
        (
            format!("/kommune/259/tjekliste?periode={period}"),
            &cookie,
            &["Show the checklist", "Data for the period", "Deadline"],
            &["Vis tjeklisten", "Data til perioden", "Handling"],
        ),
        (
            "/kommune/259/udbakke".into(),
            &cookie,
            &["Every mail komhen has sent"],
            &["Alle mails, komhen har sendt"],
        ),
        (
            "/kodebog".into(),
            &cookie,
            &["The codebook", "Inquiry types", "Completion and form"],
            &["Kodebogen", "Henvendelsestyper", "Afslutning og blanket"],
        ),
        (
            format!("/admin/indberetninger?periode={period}"),
            &admin,
            &["Submissions per municipality", "Save the deadlines"],
            &["Indberetninger pr. kommune", "Gem fristerne"],
        ),
        (
            "/admin/spoergeskemaer".into(),
            &admin,
            &["Create a questionnaire", "Evaluation of the counting weeks"],
            &["Opret et spørgeskema", "Opret evaluering fra skabelonen"],
        ),
    ];
    for (path, cookie, english, danish) in pages {
        let page = app.get(&path, cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("<html lang=\"en\">"), "{path}");
        for text in english {
            assert!(page.body.contains(text), "{path} lacks «{text}»");
        }
        for text in danish {
            assert!(!page.body.contains(text), "{path} still says «{text}»");
        }
    }
}
