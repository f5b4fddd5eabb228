//! The demo's questionnaires for the newest autumn period: an open
//! coordinators' questionnaire with questions of every kind, answered by
//! about a third of the municipalities (not Køge, so its coordinator can
//! try it), and the evaluation of the counting weeks from the standard
//! template, sent by Køge, Aarhus and Læsø with answers from most of their
//! units (not Køge's Borgerservice, so its unit can try it). Drawn from a
//! fixed seed, so every demo database holds the same answers.
//!
//! Idempotent: nothing is done when the period has a questionnaire.

use super::SEED;
use crate::accounts::access::Actor;
use crate::questionnaire::{self, AnswerInput, QuestionDraft, Respondent, EVALUATION_EASE};
use crate::CoreResult;
use chrono::{DateTime, Utc};
use komhen_domain::{MunicipalityCode, PeriodId};
use komhen_store::{Audience, QuestionKind, QuestionnaireState, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The municipality whose coordinator has not answered (the browser test's).
const UNANSWERED: u16 = 259;
/// The municipalities that sent the evaluation to their units.
const SENDING: [u16; 3] = [259, 751, 825];
/// The unit that has not answered the evaluation (the browser test's).
const UNANSWERED_UNIT: &str = "259borgerservice";

const CHANNELS: [&str; 5] = [
    "Telefon",
    "Personligt fremmøde",
    "Digital post",
    "E-mail",
    "Chat",
];

pub(super) async fn set_up(
    store: &dyn Store,
    period: PeriodId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if !store.list_questionnaires(Some(period)).await?.is_empty() {
        return Ok(());
    }
    let actor = Actor::demo();
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x5155_4553);

    // The coordinators' questionnaire.
    let id = questionnaire::create(
        store,
        &actor,
        period,
        Audience::Coordinator,
        "Koordinatorernes spørgeskema",
        "Spørgsmål til kommunens tovholder om tællingen. Svarene samles nationalt.",
    )
    .await?;
    let q = questionnaire::load(store, id).await?;
    let drafts = [
        QuestionDraft {
            kind: QuestionKind::Single,
            text: "Hvordan gik forberedelsen af tællingen?".into(),
            options: "Godt\nNogenlunde\nDårligt".into(),
            required: true,
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Multiple,
            text: "Hvilke kanaler talte kommunen?".into(),
            options: CHANNELS.join("\n"),
            required: true,
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Number,
            text: "Hvor mange timer brugte tovholderen på tællingen?".into(),
            required: true,
            min: "0".into(),
            max: "500".into(),
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Text,
            text: "Hvad kan gøres bedre til næste tælling?".into(),
            ..QuestionDraft::default()
        },
    ];
    for draft in &drafts {
        questionnaire::add_question(store, &actor, &q, draft).await?;
    }
    let q = questionnaire::load(store, id).await?;
    questionnaire::set_state(store, &actor, &q, QuestionnaireState::Open).await?;
    let q = questionnaire::load(store, id).await?;
    let remarks = [
        "Tidligere besked om perioden.",
        "Flere eksempler på opgaver i vejledningen.",
        "Det gik fint.",
    ];
    for m in store.list_municipalities().await? {
        if m.code.get() == UNANSWERED || !rng.random_bool(0.35) {
            continue;
        }
        let qs = &q.questions;
        let mut input = AnswerInput::new();
        let how = ["Godt", "Godt", "Nogenlunde", "Dårligt"][rng.random_range(0..4)];
        input.insert(qs[0].id, vec![how.into()]);
        let channels: Vec<String> = CHANNELS
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 2 || rng.random_bool(0.5))
            .map(|(_, c)| (*c).to_owned())
            .collect();
        input.insert(qs[1].id, channels);
        input.insert(qs[2].id, vec![rng.random_range(8..80).to_string()]);
        if rng.random_bool(0.4) {
            input.insert(
                qs[3].id,
                vec![remarks[rng.random_range(0..remarks.len())].into()],
            );
        }
        answered(
            questionnaire::answer(
                store,
                &actor,
                &q,
                Respondent::Municipality(m.code),
                &input,
                now,
            )
            .await?,
        )?;
    }

    // The evaluation of the counting weeks, sent by a few municipalities.
    let id = questionnaire::create_evaluation(store, &actor, period).await?;
    let q = questionnaire::load(store, id).await?;
    questionnaire::set_state(store, &actor, &q, QuestionnaireState::Open).await?;
    let q = questionnaire::load(store, id).await?;
    let unclear = [
        "Hvornår en viderestillet opringning tæller.",
        "Hvilken opgave en henvendelse om flere ting hører til.",
        "",
    ];
    for code in SENDING {
        let Ok(m) = MunicipalityCode::new(code) else {
            continue;
        };
        questionnaire::send_to_units(store, &actor, &q, m, now).await?;
        for unit in store.list_units(m).await? {
            if unit.login == UNANSWERED_UNIT || !unit.active || rng.random_bool(0.2) {
                continue;
            }
            let qs = &q.questions;
            let mut input = AnswerInput::new();
            let ease = EVALUATION_EASE[rng.random_range(0..3) + rng.random_range(0..3)];
            input.insert(qs[0].id, vec![ease.into()]);
            let text = unclear[rng.random_range(0..unclear.len())];
            if !text.is_empty() {
                input.insert(qs[1].id, vec![text.into()]);
            }
            input.insert(qs[2].id, vec![rng.random_range(60..=100).to_string()]);
            answered(
                questionnaire::answer(store, &actor, &q, Respondent::Unit(m, unit.id), &input, now)
                    .await?,
            )?;
        }
    }
    Ok(())
}

/// The demo's answers are its own: a refused one is a bug in this file.
fn answered(outcome: Result<(), Vec<questionnaire::Problem>>) -> CoreResult<()> {
    outcome.map_err(|problems| {
        crate::CoreError::Invalid(
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        )
    })
}
