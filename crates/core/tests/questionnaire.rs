//! Questionnaires on the test backend (SQLite, or PostgreSQL with
//! `KOMHEN_TEST_DATABASE_URL`): answering twice keeps one response with the
//! newer answers; required, range and option rules name the question; the
//! results' counts, shares, mean and median; a coordinator and a unit
//! answer only for themselves; the download has a column per question;
//! answered questions cannot be removed; the overview says who answered.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{Duration, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::cycle;
use komhen_core::questionnaire::{
    self, AnswerInput, Figures, Grouping, QuestionDraft, Questionnaire, Respondent,
};
use komhen_core::setup::catalogue::{self, PeriodInput};
use komhen_core::CoreError;
use komhen_domain::{PeriodId, UnitId};
use komhen_store::{Audience, NewDepartment, NewUnit, QuestionKind, QuestionnaireState, Store};
use komhen_store_conformance::SetupShortcuts;

mod common;
use common::code;

async fn period(store: &dyn Store) -> PeriodId {
    let today = Utc::now().date_naive();
    catalogue::create_period(
        store,
        &Actor::command_line(),
        &PeriodInput {
            name: "Efterår".into(),
            starts_on: today - Duration::days(20),
            ends_on: today,
            mandatory: false,
            submission_deadline: None,
            task_package: None,
        },
    )
    .await
    .unwrap()
}

fn admin() -> Actor {
    Actor::command_line()
}

/// An open coordinators' questionnaire: single (required), multiple,
/// number 0–100 (required) and text.
async fn coordinators(store: &dyn Store, period: PeriodId) -> Questionnaire {
    let id = questionnaire::create(
        store,
        &admin(),
        period,
        Audience::Coordinator,
        "Spørgsmål",
        "",
    )
    .await
    .unwrap();
    let q = questionnaire::load(store, id).await.unwrap();
    for draft in [
        QuestionDraft {
            kind: QuestionKind::Single,
            text: "Gik det godt?".into(),
            options: "Ja\nNej".into(),
            required: true,
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Multiple,
            text: "Hvilke kanaler?".into(),
            options: "Telefon\nChat\nE-mail".into(),
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Number,
            text: "Hvor mange timer?".into(),
            required: true,
            min: "0".into(),
            max: "100".into(),
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Text,
            text: "Andet?".into(),
            ..QuestionDraft::default()
        },
    ] {
        questionnaire::add_question(store, &admin(), &q, &draft)
            .await
            .unwrap();
    }
    let q = questionnaire::load(store, id).await.unwrap();
    questionnaire::set_state(store, &admin(), &q, QuestionnaireState::Open)
        .await
        .unwrap();
    questionnaire::load(store, id).await.unwrap()
}

fn input(q: &Questionnaire, values: [&[&str]; 4]) -> AnswerInput {
    q.questions
        .iter()
        .zip(values)
        .map(|(question, v)| (question.id, v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

async fn answer(
    store: &dyn Store,
    q: &Questionnaire,
    municipality: u16,
    values: [&[&str]; 4],
) -> Result<(), Vec<questionnaire::Problem>> {
    questionnaire::answer(
        store,
        &Actor::command_line(),
        q,
        Respondent::Municipality(code(municipality)),
        &input(q, values),
        Utc::now(),
    )
    .await
    .unwrap()
}

async fn fresh() -> TestStore {
    let db = TestStore::new().await;
    komhen_core::reference::migrate_and_load(db.store.as_ref())
        .await
        .unwrap();
    db
}

#[tokio::test]
async fn answering_again_keeps_one_response_with_the_newer_answers() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    answer(
        store,
        &q,
        259,
        [&["Ja"], &["Telefon", "Chat"], &["10"], &["Første"]],
    )
    .await
    .unwrap();
    answer(store, &q, 259, [&["Nej"], &[], &["12"], &[]])
        .await
        .unwrap();
    let responses = store
        .list_questionnaire_responses(q.id(), None)
        .await
        .unwrap();
    assert_eq!(responses.len(), 1, "never two responses");
    let (_, values) = questionnaire::response_of(store, &q, Respondent::Municipality(code(259)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        values.get(&q.questions[0].id).unwrap(),
        &vec!["Nej".to_owned()]
    );
    assert_eq!(
        values.get(&q.questions[2].id).unwrap(),
        &vec!["12".to_owned()]
    );
    assert!(
        !values.contains_key(&q.questions[1].id),
        "the old options are gone"
    );
    assert!(
        !values.contains_key(&q.questions[3].id),
        "the old text is gone"
    );
}

#[tokio::test]
async fn answers_are_refused_with_the_question_named() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    let problems = answer(store, &q, 259, [&[], &["Fax"], &["101"], &[]])
        .await
        .unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Vælg et svar på «Gik det godt?».",
            "«Fax» er ikke en af svarmulighederne på «Hvilke kanaler?».",
            "Svaret på «Hvor mange timer?» skal være mellem 0 og 100.",
        ]
    );
    assert_eq!(problems[0].question, q.questions[0].id);
    let problems = answer(store, &q, 259, [&["Ja", "Nej"], &[], &["tre"], &[]])
        .await
        .unwrap_err();
    assert_eq!(problems[0].message, "Vælg kun ét svar på «Gik det godt?».");
    assert_eq!(
        problems[1].message,
        "Skriv et helt tal som svar på «Hvor mange timer?»."
    );
    let long = "x".repeat(questionnaire::TEXT_ANSWER_MAX + 1);
    let problems = answer(store, &q, 259, [&["Ja"], &[], &["1"], &[long.as_str()]])
        .await
        .unwrap_err();
    assert_eq!(
        problems[0].message,
        format!(
            "Svaret på «Andet?» må højst være {} tegn.",
            questionnaire::TEXT_ANSWER_MAX
        )
    );
    assert!(store
        .list_questionnaire_responses(q.id(), None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn results_count_options_and_summarise_numbers() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    answer(
        store,
        &q,
        259,
        [&["Ja"], &["Telefon", "Chat"], &["10"], &["Godt"]],
    )
    .await
    .unwrap();
    answer(store, &q, 101, [&["Ja"], &["Telefon"], &["20"], &[]])
        .await
        .unwrap();
    answer(store, &q, 751, [&["Nej"], &[], &["60"], &[]])
        .await
        .unwrap();
    answer(store, &q, 825, [&["Ja"], &["E-mail"], &["30"], &[]])
        .await
        .unwrap();
    let results = questionnaire::results(store, q, None).await.unwrap();
    let Figures::Options(single) = &results.questions[0].figures else {
        panic!("single")
    };
    assert_eq!(
        single
            .iter()
            .map(|o| (o.option.as_str(), o.count))
            .collect::<Vec<_>>(),
        [("Ja", 3), ("Nej", 1)]
    );
    assert!((single[0].share - 0.75).abs() < 1e-9);
    let Figures::Options(multiple) = &results.questions[1].figures else {
        panic!("multiple")
    };
    assert_eq!(results.questions[1].answered, 3);
    assert_eq!(
        multiple.iter().map(|o| o.count).collect::<Vec<_>>(),
        [2, 1, 1]
    );
    let Figures::Number(Some(n)) = &results.questions[2].figures else {
        panic!("number")
    };
    assert_eq!((n.answers, n.min, n.max), (4, 10, 60));
    assert!((n.mean - 30.0).abs() < 1e-9);
    assert!((n.median - 25.0).abs() < 1e-9);
    let Figures::Texts(texts) = &results.questions[3].figures else {
        panic!("text")
    };
    assert_eq!(texts, &[("Køge".to_owned(), "Godt".to_owned())]);

    // The download: a row per municipality, a column per question.
    let table = questionnaire::responses_table(&results);
    assert_eq!(
        table.header,
        [
            "Kommune",
            "Kode",
            "Besvaret",
            "1. Gik det godt?",
            "2. Hvilke kanaler?",
            "3. Hvor mange timer?",
            "4. Andet?"
        ]
    );
    assert_eq!(table.rows.len(), 4);
    let csv = String::from_utf8(table.csv().unwrap()).unwrap();
    assert!(csv.contains("Telefon; Chat"), "{csv}");
}

#[tokio::test]
async fn answered_questions_stay_and_the_overview_says_who_answered() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let period = period(store).await;
    let q = coordinators(store, period).await;
    let second = q.questions[1].id;
    questionnaire::move_question(store, &admin(), &q, second, true)
        .await
        .unwrap();
    let q = questionnaire::load(store, q.id()).await.unwrap();
    assert_eq!(q.questions[0].id, second, "moved up");
    answer(store, &q, 259, [&[], &["Ja"], &["1"], &[]])
        .await
        .unwrap();
    let refused = questionnaire::remove_question(store, &admin(), &q, second).await;
    assert!(matches!(refused, Err(CoreError::Invalid(m)) if m.contains("allerede besvaret")));
    let required = QuestionDraft {
        kind: QuestionKind::Text,
        text: "Nyt".into(),
        required: true,
        ..QuestionDraft::default()
    };
    assert!(questionnaire::add_question(store, &admin(), &q, &required)
        .await
        .is_err());
    let optional = QuestionDraft {
        required: false,
        ..required
    };
    questionnaire::add_question(store, &admin(), &q, &optional)
        .await
        .unwrap();

    let cycle = cycle::load(store, period).await.unwrap();
    let all = cycle::submissions(store, &cycle, None, Utc::now())
        .await
        .unwrap();
    let answered: Vec<u16> = all
        .iter()
        .filter(|s| s.questionnaire_answered)
        .map(|s| s.municipality.get())
        .collect();
    assert_eq!(answered, [259]);
    let filter = cycle::OverviewFilter {
        questionnaire: Some(true),
        ..Default::default()
    };
    let table = cycle::overview_table(&cycle::filtered(&all, &filter));
    assert_eq!(table.rows.len(), 1);
    assert!(table.header.iter().any(|h| h == "Spørgeskema besvaret"));
}

async fn unit(store: &dyn Store, municipality: u16, login: &str, department: &str) -> UnitId {
    let department = store
        .create_department(&NewDepartment {
            municipality: code(municipality),
            name: department.into(),
        })
        .await
        .unwrap();
    store
        .create_unit(&NewUnit {
            municipality: code(municipality),
            department: Some(department),
            name: login.into(),
            login: login.into(),
            password_hash: None,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn respondents_answer_only_for_themselves() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let period = period(store).await;
    let q = coordinators(store, period).await;
    let koege = unit(store, 259, "259bs", "Borgerservice").await;
    let aarhus = unit(store, 751, "751bs", "Borgerservice").await;

    // A unit cannot answer the coordinators' questionnaire.
    let values = input(&q, [&["Ja"], &[], &["1"], &[]]);
    let as_unit = questionnaire::answer(
        store,
        &Actor::unit("259bs"),
        &q,
        Respondent::Unit(code(259), koege),
        &values,
        Utc::now(),
    )
    .await;
    assert!(matches!(as_unit, Err(CoreError::NotFound(_))));

    // The evaluation: not before Køge sends it; Aarhus's unit cannot
    // answer as Køge's, nor can Køge's answer while only Aarhus sent it.
    let id = questionnaire::create_evaluation(store, &admin(), period)
        .await
        .unwrap();
    let e = questionnaire::load(store, id).await.unwrap();
    assert_eq!(e.questions.len(), 3);
    questionnaire::set_state(store, &admin(), &e, QuestionnaireState::Open)
        .await
        .unwrap();
    let e = questionnaire::load(store, id).await.unwrap();
    let evaluation: AnswerInput = e
        .questions
        .iter()
        .zip([vec!["Let"], vec![], vec!["80"]])
        .map(|(q, v)| (q.id, v.into_iter().map(str::to_owned).collect()))
        .collect();
    let answer_as = |m: u16, u: UnitId| {
        let e = e.clone();
        let evaluation = evaluation.clone();
        async move {
            questionnaire::answer(
                store,
                &Actor::unit("x"),
                &e,
                Respondent::Unit(code(m), u),
                &evaluation,
                Utc::now(),
            )
            .await
        }
    };
    assert!(matches!(
        answer_as(259, koege).await,
        Err(CoreError::NotFound(_))
    ));
    questionnaire::send_to_units(store, &admin(), &e, code(751), Utc::now())
        .await
        .unwrap();
    assert!(matches!(
        answer_as(259, koege).await,
        Err(CoreError::NotFound(_))
    ));
    assert!(matches!(
        answer_as(751, koege).await,
        Err(CoreError::NotFound(_))
    ));
    answer_as(751, aarhus).await.unwrap().unwrap();
    questionnaire::send_to_units(store, &admin(), &e, code(259), Utc::now())
        .await
        .unwrap();
    answer_as(259, koege).await.unwrap().unwrap();
    assert_eq!(
        store
            .list_unit_questionnaires(code(259), koege)
            .await
            .unwrap()
            .len(),
        1
    );

    // Each municipality reads only its own units' answers.
    let mine = questionnaire::results(store, e.clone(), Some(code(259)))
        .await
        .unwrap();
    assert_eq!(mine.responses.len(), 1);
    assert_eq!(mine.responses[0].1.unit, Some(koege));
    let by_department = questionnaire::grouped_table(&mine, Grouping::Department);
    assert_eq!(by_department.rows.len(), 1);
    assert_eq!(
        by_department.header[..4],
        ["Kommune", "Forvaltning", "Svar", "1. Meget let"]
    );
    let all = questionnaire::results(store, e, None).await.unwrap();
    assert_eq!(all.responses.len(), 2);
    let csv = questionnaire::responses_table(&all);
    assert_eq!(
        csv.header[..5],
        ["Kommune", "Kode", "Forvaltning", "Enhed", "Besvaret"]
    );
}

#[tokio::test]
async fn two_first_answers_at_once_keep_one_whole_response() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    let first: [&[&str]; 4] = [&["Ja"], &["Telefon", "Chat"], &["10"], &["Første"]];
    let second: [&[&str]; 4] = [&["Nej"], &["E-mail"], &["20"], &["Anden"]];
    for m in [259, 751, 101, 147, 461] {
        let (a, b) = tokio::join!(answer(store, &q, m, first), answer(store, &q, m, second));
        a.unwrap();
        b.unwrap();
        let responses = store
            .list_questionnaire_responses(q.id(), Some(code(m)))
            .await
            .unwrap();
        assert_eq!(responses.len(), 1, "one response for {m}");
        let (_, values) = questionnaire::response_of(store, &q, Respondent::Municipality(code(m)))
            .await
            .unwrap()
            .unwrap();
        assert!(
            values == input(&q, first) || values == input(&q, second),
            "one answer set whole for {m}: {values:?}"
        );
    }
}

#[tokio::test]
async fn an_opened_questionnaire_never_returns_to_draft() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    answer(store, &q, 259, [&["Ja"], &[], &["1"], &[]])
        .await
        .unwrap();
    let refused = questionnaire::set_state(store, &admin(), &q, QuestionnaireState::Draft).await;
    assert!(
        matches!(&refused, Err(CoreError::Invalid(m)) if m.contains("kladde")),
        "{refused:?}"
    );
    questionnaire::set_state(store, &admin(), &q, QuestionnaireState::Closed)
        .await
        .unwrap();
    let q = questionnaire::load(store, q.id()).await.unwrap();
    assert!(
        questionnaire::set_state(store, &admin(), &q, QuestionnaireState::Draft)
            .await
            .is_err()
    );
    let q = questionnaire::load(store, q.id()).await.unwrap();
    assert_eq!(q.row.state, QuestionnaireState::Closed);
}

#[tokio::test]
async fn too_many_values_are_refused() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let q = coordinators(store, period(store).await).await;
    let mut values = input(&q, [&["Ja"], &[], &["1"], &[]]);
    values.insert(
        q.questions[1].id,
        vec!["Telefon".to_owned(); questionnaire::MAX_VALUES_PER_QUESTION + 1],
    );
    values.insert(q.questions[2].id, vec!["1".to_owned(), "2".to_owned()]);
    let problems = questionnaire::check(&q.questions, &values).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0]
        .message
        .contains("For mange svar på «Hvilke kanaler?»"));
    assert_eq!(
        problems[1].message, "Giv kun ét svar på «Hvor mange timer?».",
        "{problems:?}"
    );

    let mut flood = input(&q, [&["Ja"], &[], &["1"], &[]]);
    flood.insert(
        q.questions[3].id,
        vec!["x".to_owned(); questionnaire::MAX_ANSWER_VALUES],
    );
    let refused = questionnaire::answer(
        store,
        &admin(),
        &q,
        Respondent::Municipality(code(259)),
        &flood,
        Utc::now(),
    )
    .await;
    assert!(
        matches!(&refused, Err(CoreError::Invalid(m)) if m.contains("ikke gemt")),
        "{refused:?}"
    );
    assert!(store
        .list_questionnaire_responses(q.id(), None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn units_of_one_name_in_one_department_are_two_rows() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let period = period(store).await;
    let department = store
        .create_department(&NewDepartment {
            municipality: code(259),
            name: "Borgerservice".into(),
        })
        .await
        .unwrap();
    let mut units = Vec::new();
    for login in ["259a", "259b"] {
        units.push(
            store
                .create_unit(&NewUnit {
                    municipality: code(259),
                    department: Some(department),
                    name: "Skranken".into(),
                    login: login.into(),
                    password_hash: None,
                })
                .await
                .unwrap(),
        );
    }
    let id = questionnaire::create_evaluation(store, &admin(), period)
        .await
        .unwrap();
    let e = questionnaire::load(store, id).await.unwrap();
    questionnaire::set_state(store, &admin(), &e, QuestionnaireState::Open)
        .await
        .unwrap();
    let e = questionnaire::load(store, id).await.unwrap();
    questionnaire::send_to_units(store, &admin(), &e, code(259), Utc::now())
        .await
        .unwrap();
    for (unit, ease) in units.iter().zip(["Let", "Svært"]) {
        let values: AnswerInput = e
            .questions
            .iter()
            .zip([vec![ease], vec![], vec!["80"]])
            .map(|(q, v)| (q.id, v.into_iter().map(str::to_owned).collect()))
            .collect();
        questionnaire::answer(
            store,
            &Actor::unit("x"),
            &e,
            Respondent::Unit(code(259), *unit),
            &values,
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    }
    let results = questionnaire::results(store, e, Some(code(259)))
        .await
        .unwrap();
    let by_unit = questionnaire::grouped_table(&results, Grouping::Unit);
    assert_eq!(by_unit.rows.len(), 2, "{:?}", by_unit.rows);
    let by_department = questionnaire::grouped_table(&results, Grouping::Department);
    assert_eq!(by_department.rows.len(), 1);
}

#[tokio::test]
async fn the_turnout_counts_the_municipalities_taking_part() {
    let db = fresh().await;
    let store = db.store.as_ref();
    let period = period(store).await;
    let q = coordinators(store, period).await;
    for m in [259, 751] {
        komhen_core::setup::set_participation(store, &admin(), code(m), period, true, &[])
            .await
            .unwrap();
    }
    answer(store, &q, 259, [&["Ja"], &[], &["1"], &[]])
        .await
        .unwrap();
    answer(store, &q, 101, [&["Nej"], &[], &["2"], &[]])
        .await
        .unwrap();
    let results = questionnaire::results(store, q, None).await.unwrap();
    assert_eq!(
        questionnaire::turnout(store, &results).await.unwrap(),
        questionnaire::Turnout {
            participating: 2,
            answered: 1,
            answered_outside: 1,
        }
    );
}
