//! Checks of questionnaires: created only for a national period, questions
//! added in order and moved, a response per respondent replaced whole when
//! answered again, responses, answers and sends listed only for the
//! municipality asked for, a unit's open evaluations only once sent to its
//! municipality, and questions that cannot be removed once answered, nor
//! required ones added.

use chrono::{TimeZone, Utc};
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

async fn national_period(store: &dyn Store) -> PeriodId {
    store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: CountingPeriod::national(2026, Season::Autumn).unwrap(),
            task_package: None,
        })
        .await
        .unwrap()
}

async fn add(
    store: &dyn Store,
    q: QuestionnaireId,
    kind: QuestionKind,
    text: &str,
) -> QuestionnaireQuestionId {
    let applied = store
        .change(SetupChange::AddQuestionnaireQuestion(
            NewQuestionnaireQuestion {
                questionnaire: q,
                kind,
                text: text.into(),
                options: if kind.has_options() {
                    vec!["A".into(), "B".into()]
                } else {
                    Vec::new()
                },
                required: true,
                min: (kind == QuestionKind::Number).then_some(0),
                max: (kind == QuestionKind::Number).then_some(100),
            },
        ))
        .await
        .unwrap();
    QuestionnaireQuestionId(applied.created().unwrap())
}

fn response(
    q: QuestionnaireId,
    municipality: u16,
    unit: Option<UnitId>,
    answers: Vec<(QuestionnaireQuestionId, &str)>,
) -> SetupChange {
    SetupChange::SaveQuestionnaireResponse(NewQuestionnaireResponse {
        questionnaire: q,
        municipality: code(municipality),
        unit,
        answered_by: "conformance".into(),
        answered_at: Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap(),
        answers: answers
            .into_iter()
            .map(|(q, v)| (q, v.to_owned()))
            .collect(),
    })
}

pub async fn questionnaires_keep_one_response_per_respondent_and_stay_scoped(store: &dyn Store) {
    with_reference(store).await;
    let period = national_period(store).await;
    let created = store
        .change(SetupChange::CreateQuestionnaire(NewQuestionnaire {
            period,
            title: "Koordinatorer".into(),
            audience: Audience::Coordinator,
            intro: "Indledning".into(),
        }))
        .await
        .unwrap();
    let q = QuestionnaireId(created.created().unwrap());
    let row = store.get_questionnaire(q).await.unwrap().unwrap();
    assert_eq!(
        (row.period, row.audience, row.state, row.title.as_str()),
        (
            period,
            Audience::Coordinator,
            QuestionnaireState::Draft,
            "Koordinatorer"
        )
    );
    // Not for a period that is not national.
    let local = store
        .upsert_period(&NewPeriod {
            municipality: Some(code(KOEGE)),
            period: CountingPeriod::national(2026, Season::Spring).unwrap(),
            task_package: None,
        })
        .await
        .unwrap();
    let refused = store
        .change(SetupChange::CreateQuestionnaire(NewQuestionnaire {
            period: local,
            title: "Lokal".into(),
            audience: Audience::Coordinator,
            intro: String::new(),
        }))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );

    let single = add(store, q, QuestionKind::Single, "Et svar").await;
    let multiple = add(store, q, QuestionKind::Multiple, "Flere svar").await;
    let number = add(store, q, QuestionKind::Number, "Tal").await;
    let questions = store.list_questionnaire_questions(q).await.unwrap();
    assert_eq!(
        questions
            .iter()
            .map(|x| (x.id, x.position))
            .collect::<Vec<_>>(),
        [(single, 1), (multiple, 2), (number, 3)]
    );
    assert_eq!(questions[0].options, ["A", "B"]);
    assert_eq!((questions[2].min, questions[2].max), (Some(0), Some(100)));
    store
        .change(SetupChange::MoveQuestionnaireQuestion {
            questionnaire: q,
            question: number,
            up: true,
        })
        .await
        .unwrap();
    let order: Vec<_> = store
        .list_questionnaire_questions(q)
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(order, [single, number, multiple]);

    // Answered twice: one response with the second answers.
    store
        .change(response(
            q,
            KOEGE,
            None,
            vec![(single, "A"), (multiple, "A"), (multiple, "B")],
        ))
        .await
        .unwrap();
    store
        .change(response(q, KOEGE, None, vec![(single, "B"), (number, "7")]))
        .await
        .unwrap();
    store
        .change(response(q, AARHUS, None, vec![(single, "A")]))
        .await
        .unwrap();
    let koege = store
        .list_questionnaire_responses(q, Some(code(KOEGE)))
        .await
        .unwrap();
    assert_eq!(koege.len(), 1);
    assert_eq!(koege[0].unit, None);
    let answers = store
        .list_questionnaire_answers(q, Some(code(KOEGE)))
        .await
        .unwrap();
    assert_eq!(
        answers
            .iter()
            .map(|a| (a.question, a.value.as_str()))
            .collect::<Vec<_>>(),
        [(single, "B"), (number, "7")]
    );
    assert_eq!(
        store
            .list_questionnaire_responses(q, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .list_questionnaire_responses(q, Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());
    // An answer to another questionnaire's question is refused whole.
    let other = store
        .change(SetupChange::CreateQuestionnaire(NewQuestionnaire {
            period,
            title: "Evaluering".into(),
            audience: Audience::Unit,
            intro: String::new(),
        }))
        .await
        .unwrap();
    let e = QuestionnaireId(other.created().unwrap());
    let ease = add(store, e, QuestionKind::Single, "Svært?").await;
    let refused = store
        .change(response(e, KOEGE, None, vec![(single, "A")]))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    assert!(store
        .list_questionnaire_responses(e, None)
        .await
        .unwrap()
        .is_empty());
    // Answered questions cannot be removed.
    let refused = store
        .change(SetupChange::RemoveQuestionnaireQuestion {
            questionnaire: q,
            question: multiple,
        })
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    // Once answered, the store itself refuses a required question and
    // takes an optional one.
    let question = |required: bool| {
        SetupChange::AddQuestionnaireQuestion(NewQuestionnaireQuestion {
            questionnaire: q,
            kind: QuestionKind::Text,
            text: "Senere".into(),
            options: Vec::new(),
            required,
            min: None,
            max: None,
        })
    };
    let refused = store.change(question(true)).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.list_questionnaire_questions(q).await.unwrap().len(),
        3
    );
    store.change(question(false)).await.unwrap();
    assert_eq!(
        store.list_questionnaire_questions(q).await.unwrap().len(),
        4
    );

    // The evaluation: a unit sees it once its municipality sent it and it
    // is open; one response per unit; a unit of another municipality is
    // refused.
    let unit = unit_in(store, KOEGE, "259bs").await;
    let aarhus_unit = unit_in(store, AARHUS, "751bs").await;
    store
        .change(SetupChange::SetQuestionnaireState {
            questionnaire: e,
            state: QuestionnaireState::Open,
        })
        .await
        .unwrap();
    assert!(store
        .list_unit_questionnaires(code(KOEGE), unit)
        .await
        .unwrap()
        .is_empty());
    let send = |m: u16| SetupChange::SendQuestionnaire {
        questionnaire: e,
        municipality: code(m),
        sent_by: "conformance".into(),
        sent_at: Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap(),
    };
    store.change(send(KOEGE)).await.unwrap();
    store.change(send(KOEGE)).await.unwrap();
    assert_eq!(
        store.list_questionnaire_sends(e, None).await.unwrap().len(),
        1
    );
    assert!(store
        .list_questionnaire_sends(e, Some(code(AARHUS)))
        .await
        .unwrap()
        .is_empty());
    let open = store
        .list_unit_questionnaires(code(KOEGE), unit)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].id, open[0].answered_at), (e, None));
    assert!(store
        .list_unit_questionnaires(code(AARHUS), aarhus_unit)
        .await
        .unwrap()
        .is_empty());
    store
        .change(response(e, KOEGE, Some(unit), vec![(ease, "A")]))
        .await
        .unwrap();
    store
        .change(response(e, KOEGE, Some(unit), vec![(ease, "B")]))
        .await
        .unwrap();
    let refused = store
        .change(response(e, KOEGE, Some(aarhus_unit), vec![(ease, "A")]))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    let responses = store.list_questionnaire_responses(e, None).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].unit, Some(unit));
    let open = store
        .list_unit_questionnaires(code(KOEGE), unit)
        .await
        .unwrap();
    assert!(open[0].answered_at.is_some());
    store
        .change(SetupChange::SetQuestionnaireState {
            questionnaire: e,
            state: QuestionnaireState::Closed,
        })
        .await
        .unwrap();
    assert!(store
        .list_unit_questionnaires(code(KOEGE), unit)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_questionnaires(Some(period)).await.unwrap().len(),
        2
    );
    assert!(store
        .list_questionnaires(Some(local))
        .await
        .unwrap()
        .is_empty());
}
