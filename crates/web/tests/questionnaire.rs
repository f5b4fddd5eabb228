//! Questionnaires through the router on the demo data: the coordinator
//! answers from the checklist (a required question missing is named in the
//! error summary and marked on its field), the checklist and the national
//! overview then say answered; another municipality's questionnaire page
//! is closed to the coordinator; the national administrator's results and
//! CSV; a unit answers the evaluation its coordinator sent, in English too;
//! an answered questionnaire stays out of draft; a flood of values is
//! refused and not shown again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

mod common;

use axum::http::StatusCode;
use common::{csrf_of, demo_app, log_in_demo};
use komhen_store::Audience;

#[tokio::test]
async fn the_coordinator_answers_from_the_checklist_and_the_nation_sees_it() {
    let app = demo_app().await;
    let store = app.store();
    let all = store.list_questionnaires(None).await.unwrap();
    let q = all
        .iter()
        .find(|q| q.audience == Audience::Coordinator)
        .unwrap();
    let questions = store.list_questionnaire_questions(q.id).await.unwrap();

    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let checklist = app
        .get(
            &format!("/kommune/259/tjekliste?periode={}", q.period),
            &coordinator,
        )
        .await;
    assert_eq!(checklist.status, StatusCode::OK, "{}", checklist.body);
    let form_path = format!("/kommune/259/spoergeskema/{}", q.id);
    assert!(checklist.body.contains(&form_path), "a link to the form");
    assert!(checklist.body.contains("Ikke besvaret endnu."));

    let form = app.get(&form_path, &coordinator).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("<fieldset"), "options in a fieldset");
    let csrf = csrf_of(&form.body);
    let field = |i: usize| format!("q_{}", questions[i].id);
    let (single, multiple, number) = (field(0), field(1), field(2));

    // The required first question unanswered.
    let refused = app
        .post(
            &form_path,
            &coordinator,
            &[
                ("csrf", &csrf),
                (&multiple, "Telefon"),
                (&multiple, "Chat"),
                (&number, "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"id="error-summary""#));
    let anchor = format!("#q-{}-0", questions[0].id);
    assert!(
        refused.body.contains(&format!(r#"href="{anchor}""#)),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains(&format!(r#"id="field-{}""#, questions[0].id)));
    assert!(refused.body.contains("form-error"));
    assert!(
        refused.body.contains(r#"value="Chat" checked"#),
        "kept what was given"
    );

    let saved = app
        .post(
            &form_path,
            &coordinator,
            &[
                ("csrf", &csrf),
                (&single, "Godt"),
                (&multiple, "Telefon"),
                (&number, "12"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location.contains("besked=besvaret"));
    let checklist = app.get(&saved.location, &coordinator).await;
    assert!(checklist.body.contains(r#"data-answered="ja""#));
    assert!(checklist.body.contains("Besvaret "));

    // Not another municipality's questionnaire page.
    let other = app
        .get(&format!("/kommune/101/spoergeskema/{}", q.id), &coordinator)
        .await;
    assert!(matches!(
        other.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    // Nor the national results.
    let results = app
        .get(
            &format!("/admin/spoergeskemaer/{}/resultater", q.id),
            &coordinator,
        )
        .await;
    assert!(matches!(
        results.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));

    let admin = log_in_demo(&app, "admin@komhen.example").await;
    let overview = app
        .get(
            &format!(
                "/admin/indberetninger?periode={}&spoergeskema=ja&format=csv",
                q.period
            ),
            &admin,
        )
        .await;
    assert_eq!(overview.status, StatusCode::OK);
    let koege = overview
        .body
        .lines()
        .find(|l| l.starts_with("Køge;"))
        .expect("Køge answered");
    assert!(koege.contains(";Ja;"), "{koege}");
    let results = app
        .get(
            &format!("/admin/spoergeskemaer/{}/resultater", q.id),
            &admin,
        )
        .await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.body);
    assert!(results.body.contains("questionnaire-chart"));
    let csv = app
        .get(
            &format!("/admin/spoergeskemaer/{}/resultater?format=csv", q.id),
            &admin,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(header.split(';').count(), 3 + questions.len(), "{header}");
    assert!(csv.body.contains("Køge;259;"));
    let list = app.get("/admin/spoergeskemaer", &admin).await;
    assert_eq!(list.status, StatusCode::OK);
    let editor = app
        .get(&format!("/admin/spoergeskemaer/{}", q.id), &admin)
        .await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains(r#"id="questions-locked""#));
}

#[tokio::test]
async fn a_unit_answers_the_evaluation_its_coordinator_sent() {
    let app = demo_app().await;
    let store = app.store();
    let e = store
        .list_questionnaires(None)
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.audience == Audience::Unit)
        .unwrap();
    let questions = store.list_questionnaire_questions(e.id).await.unwrap();
    let login = app
        .log_in("259borgerservice", komhen_core::demo::DEMO_PASSWORD)
        .await;
    let unit = login.cookie.unwrap();
    let registering = app.get("/registrering", &unit).await;
    let path = format!("/registrering/evaluering/{}", e.id);
    assert!(
        registering.body.contains(&path),
        "the registration page links to it"
    );
    let page = app.get(&path, &unit).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let (ease, share) = (
        format!("q_{}", questions[0].id),
        format!("q_{}", questions[2].id),
    );
    let refused = app
        .post(
            &path,
            &unit,
            &[("csrf", &csrf), (&ease, "Let"), (&share, "120")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("skal være mellem 0 og 100"));
    let saved = app
        .post(
            &path,
            &unit,
            &[("csrf", &csrf), (&ease, "Let"), (&share, "85")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let responses = store
        .list_questionnaire_responses(e.id, Some(common::koege()))
        .await
        .unwrap();
    let unit_row = store
        .list_units(common::koege())
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.login == "259borgerservice")
        .unwrap();
    assert_eq!(
        responses
            .iter()
            .filter(|r| r.unit == Some(unit_row.id))
            .count(),
        1
    );

    // In English, the fixed texts.
    let english = app
        .get(&format!("/sprog?til=en&tilbage={path}"), &unit)
        .await;
    let cookie = english
        .cookie
        .map(|c| format!("{unit}; {c}"))
        .unwrap_or(unit.clone());
    let page = app.get(&path, &cookie).await;
    assert!(page.body.contains("Save the answers"), "{}", page.body);
    assert!(page.body.contains(r#"<html lang="en""#));
    let refused = app
        .post(
            &path,
            &cookie,
            &[("csrf", &csrf), (&ease, "Let"), (&share, "120")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("must be between 0 and 100"),
        "the answer checks in English: {}",
        refused.body
    );

    // A unit of a municipality that did not send it cannot open it.
    let other = app.log_in("101bs", komhen_core::demo::DEMO_PASSWORD).await;
    if let Some(other) = other.cookie {
        let page = app.get(&path, &other).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn refusals_say_why_and_show_no_flood_again() {
    let app = demo_app().await;
    let store = app.store();
    let q = store
        .list_questionnaires(None)
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.audience == Audience::Coordinator)
        .unwrap();
    let questions = store.list_questionnaire_questions(q.id).await.unwrap();
    let admin = log_in_demo(&app, "admin@komhen.example").await;

    // The turnout counts the municipalities taking part in the period.
    let results = app
        .get(
            &format!("/admin/spoergeskemaer/{}/resultater", q.id),
            &admin,
        )
        .await;
    assert!(
        results.body.contains("deltagende kommuner har svaret."),
        "{}",
        results.body
    );

    // An answered questionnaire never goes back to draft.
    let editor = app
        .get(&format!("/admin/spoergeskemaer/{}", q.id), &admin)
        .await;
    let csrf = csrf_of(&editor.body);
    let refused = app
        .post(
            &format!("/admin/spoergeskemaer/{}/tilstand", q.id),
            &admin,
            &[("csrf", &csrf), ("tilstand", "draft")],
        )
        .await;
    assert!(refused.body.contains("kladde igen"), "{}", refused.body);
    let row = store.get_questionnaire(q.id).await.unwrap().unwrap();
    assert_eq!(row.state, komhen_store::QuestionnaireState::Open);

    // Too many values for one question, each far too long.
    let coordinator = log_in_demo(&app, "tovholder@koege.example").await;
    let form_path = format!("/kommune/259/spoergeskema/{}", q.id);
    let form = app.get(&form_path, &coordinator).await;
    let csrf = csrf_of(&form.body);
    let text = questions
        .iter()
        .find(|x| x.kind == komhen_store::QuestionKind::Text)
        .unwrap();
    let name = format!("q_{}", text.id);
    let long = "x".repeat(10_000);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(std::iter::repeat_n((name.as_str(), long.as_str()), 40));
    let refused = app.post(&form_path, &coordinator, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Giv kun ét svar"), "{}", refused.body);
    let flood = "x".repeat(komhen_core::questionnaire::TEXT_ANSWER_MAX + 2);
    assert!(!refused.body.contains(&flood), "no value shown whole");

    // More fields than a response may hold: refused whole.
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(std::iter::repeat_n(
        (name.as_str(), "x"),
        komhen_core::questionnaire::MAX_ANSWER_VALUES + 1,
    ));
    let refused = app.post(&form_path, &coordinator, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("ikke gemt"), "{}", refused.body);
    assert!(store
        .list_questionnaire_responses(q.id, Some(common::koege()))
        .await
        .unwrap()
        .is_empty());
}
