//! Questionnaires of a national period (the season): the coordinators'
//! questionnaire (one response per municipality) and the units' evaluation
//! of the counting weeks (one response per unit). One engine for both: the
//! national administrator writes the questions, a respondent answers, and
//! every figure of the results (the page, its CSV and `komhen questionnaire
//! results`) comes from [`results`].
//!
//! # Rules
//! - Only the national administrator creates and edits questionnaires
//!   (the web's guard and the command line decide who calls these use
//!   cases). A draft is seen by nobody else; an open questionnaire is
//!   answered; a closed one is only read. An opened questionnaire never
//!   returns to draft.
//! - Once a questionnaire has a response, its questions cannot be removed
//!   or reordered, and only optional questions can be added, so no stored
//!   answer loses its meaning.
//! - A response is the respondent's one: answering again replaces the
//!   earlier answers in one transaction.
//! - A coordinator answers for their own municipality only; a unit answers
//!   an evaluation only when its municipality's coordinator has sent it,
//!   and only for itself. Nobody but the national administrator reads
//!   other municipalities' answers.
//! - Every answer is checked here, with a Danish message naming the
//!   question: a required question unanswered, a number out of range, an
//!   option not offered, a text too long ([`TEXT_ANSWER_MAX`]).
//!
//! Must not know SQL, HTTP or form field names.

use crate::accounts::access::Actor;
use crate::reports::tabular::{Cell, Table};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{MunicipalityCode, PeriodId, QuestionnaireId, QuestionnaireQuestionId, UnitId};
use komhen_store::StoreError;
use komhen_store::{
    Audience, NewQuestionnaire, NewQuestionnaireQuestion, NewQuestionnaireResponse, QuestionKind,
    QuestionnaireAnswerRow, QuestionnaireQuestionRow, QuestionnaireResponseRow, QuestionnaireRow,
    QuestionnaireSendRow, QuestionnaireState, SetupChange, Store,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The longest title of a questionnaire, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest introduction of a questionnaire, in characters.
pub const INTRO_MAX: usize = 2000;
/// The longest question text, in characters.
pub const QUESTION_MAX: usize = 500;
/// The longest option of a single or multiple question, in characters.
pub const OPTION_MAX: usize = 200;
/// The most options a question may offer.
pub const OPTIONS_MAX: usize = 30;
/// The longest text answer, in characters.
pub const TEXT_ANSWER_MAX: usize = 2000;
/// The most values one question's answer may hold: every option of a
/// multiple question, and no more.
pub const MAX_VALUES_PER_QUESTION: usize = OPTIONS_MAX;
/// The most answer values one response may send, over all its questions.
pub const MAX_ANSWER_VALUES: usize = 2000;

/// The options of the evaluation's first question, easiest first.
pub const EVALUATION_EASE: [&str; 5] = [
    "Meget let",
    "Let",
    "Hverken let eller svært",
    "Svært",
    "Meget svært",
];

/// A questionnaire with its questions in order.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub row: QuestionnaireRow,
    pub questions: Vec<QuestionnaireQuestionRow>,
}

impl Questionnaire {
    pub fn id(&self) -> QuestionnaireId {
        self.row.id
    }

    pub fn is_open(&self) -> bool {
        self.row.state == QuestionnaireState::Open
    }
}

/// A questionnaire and its questions.
pub async fn load(store: &dyn Store, id: QuestionnaireId) -> CoreResult<Questionnaire> {
    let row = store
        .get_questionnaire(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("spørgeskema {id}")))?;
    let questions = store.list_questionnaire_questions(id).await?;
    Ok(Questionnaire { row, questions })
}

/// The questionnaires of a national period (None: all), newest first.
pub async fn list(
    store: &dyn Store,
    period: Option<PeriodId>,
) -> CoreResult<Vec<QuestionnaireRow>> {
    Ok(store.list_questionnaires(period).await?)
}

fn entry(
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    municipality: Option<MunicipalityCode>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> crate::setup::Entry {
    crate::setup::Entry {
        municipality,
        action,
        entity,
        entity_id,
        before,
        after,
    }
}

fn too_long(what: &str, max: usize) -> CoreError {
    CoreError::Invalid(da!("{what} må højst være {max} tegn."))
}

/// A title and introduction checked.
fn checked_text(title: &str, intro: &str) -> CoreResult<(String, String)> {
    let title = title.trim();
    if title.is_empty() {
        return Err(CoreError::Invalid(
            dl!("Skriv en titel på spørgeskemaet.").into(),
        ));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(too_long(dl!("Titlen"), TITLE_MAX));
    }
    let intro = intro.trim();
    if intro.chars().count() > INTRO_MAX {
        return Err(too_long(dl!("Indledningen"), INTRO_MAX));
    }
    Ok((title.to_owned(), intro.to_owned()))
}

/// Creates a questionnaire of a national period, as a draft.
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    period: PeriodId,
    audience: Audience,
    title: &str,
    intro: &str,
) -> CoreResult<QuestionnaireId> {
    let (title, intro) = checked_text(title, intro)?;
    let applied = crate::setup::change(
        store,
        actor,
        SetupChange::CreateQuestionnaire(NewQuestionnaire {
            period,
            title: title.clone(),
            audience,
            intro,
        }),
        entry(
            "create",
            "questionnaire",
            String::new(),
            None,
            None,
            Some(json!({ "titel": title, "periode": period.0, "målgruppe": audience.code() })),
        ),
    )
    .await?;
    Ok(QuestionnaireId(applied.created()?))
}

/// Creates the evaluation of the counting weeks from the standard
/// template: how hard registering was, what was unclear, and the share of
/// inquiries the unit believes it registered.
pub async fn create_evaluation(
    store: &dyn Store,
    actor: &Actor,
    period: PeriodId,
) -> CoreResult<QuestionnaireId> {
    let id = create(
        store,
        actor,
        period,
        Audience::Unit,
        "Evaluering af tælleugerne",
        "Fortæl kort, hvordan det gik med at registrere henvendelser i tælleugerne. \
         Svarene bruges til at gøre næste tælling lettere.",
    )
    .await?;
    let questionnaire = load(store, id).await?;
    let drafts = [
        QuestionDraft {
            kind: QuestionKind::Single,
            text: "Hvor svært var det at registrere?".into(),
            options: EVALUATION_EASE.join("\n"),
            required: true,
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Text,
            text: "Var der noget, der var uklart?".into(),
            ..QuestionDraft::default()
        },
        QuestionDraft {
            kind: QuestionKind::Number,
            text: "Hvor stor en andel af henvendelserne tror du, at enheden fik registreret? (%)"
                .into(),
            required: true,
            min: "0".into(),
            max: "100".into(),
            ..QuestionDraft::default()
        },
    ];
    for draft in &drafts {
        add_question(store, actor, &questionnaire, draft).await?;
    }
    Ok(id)
}

/// Changes the title and introduction.
pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    title: &str,
    intro: &str,
) -> CoreResult<()> {
    let (title, intro) = checked_text(title, intro)?;
    crate::setup::change(
        store,
        actor,
        SetupChange::UpdateQuestionnaire {
            questionnaire: questionnaire.id(),
            title: title.clone(),
            intro: intro.clone(),
        },
        entry(
            "update",
            "questionnaire",
            questionnaire.id().to_string(),
            None,
            Some(
                json!({ "titel": questionnaire.row.title, "indledning": questionnaire.row.intro }),
            ),
            Some(json!({ "titel": title, "indledning": intro })),
        ),
    )
    .await?;
    Ok(())
}

/// Opens, closes or reopens a questionnaire. A questionnaire without
/// questions cannot be opened, and once opened it never returns to draft
/// (which would hide it and its answers from the respondents).
pub async fn set_state(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    state: QuestionnaireState,
) -> CoreResult<()> {
    if state == QuestionnaireState::Open && questionnaire.questions.is_empty() {
        return Err(CoreError::Invalid(
            dl!("Spørgeskemaet har ingen spørgsmål endnu. Tilføj mindst ét, før det åbnes.").into(),
        ));
    }
    if state == QuestionnaireState::Draft && questionnaire.row.state != QuestionnaireState::Draft {
        return Err(CoreError::Invalid(
            dl!("Et åbnet spørgeskema kan ikke blive en kladde igen. Luk det i stedet.").into(),
        ));
    }
    crate::setup::change(
        store,
        actor,
        SetupChange::SetQuestionnaireState {
            questionnaire: questionnaire.id(),
            state,
        },
        entry(
            "set_state",
            "questionnaire",
            questionnaire.id().to_string(),
            None,
            Some(json!({ "tilstand": questionnaire.row.state.code() })),
            Some(json!({ "tilstand": state.code() })),
        ),
    )
    .await?;
    Ok(())
}

/// A question as the administrator wrote it: options one per line, the
/// bounds of a number as text (empty: none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    pub kind: QuestionKind,
    pub text: String,
    pub options: String,
    pub required: bool,
    pub min: String,
    pub max: String,
}

fn bound(text: &str, which: &str) -> CoreResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| CoreError::Invalid(da!("Skriv {which} som et helt tal, fx 0 eller 100.")))
}

/// A draft checked: the question the store adds.
fn checked_question(
    questionnaire: QuestionnaireId,
    draft: &QuestionDraft,
) -> CoreResult<NewQuestionnaireQuestion> {
    let text = draft.text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid(dl!("Skriv spørgsmålets tekst.").into()));
    }
    if text.chars().count() > QUESTION_MAX {
        return Err(too_long(dl!("Spørgsmålets tekst"), QUESTION_MAX));
    }
    let mut options: Vec<String> = Vec::new();
    if draft.kind.has_options() {
        for option in draft
            .options
            .lines()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            if option.chars().count() > OPTION_MAX {
                return Err(too_long(dl!("En svarmulighed"), OPTION_MAX));
            }
            if options.iter().any(|o| o == option) {
                return Err(CoreError::Invalid(da!(
                    "Svarmuligheden «{option}» står der to gange."
                )));
            }
            options.push(option.to_owned());
        }
        if options.len() < 2 {
            return Err(CoreError::Invalid(
                dl!("Skriv mindst to svarmuligheder, én pr. linje.").into(),
            ));
        }
        if options.len() > OPTIONS_MAX {
            return Err(CoreError::Invalid(da!(
                "Et spørgsmål kan højst have {OPTIONS_MAX} svarmuligheder."
            )));
        }
    }
    let (min, max) = if draft.kind == QuestionKind::Number {
        (
            bound(&draft.min, dl!("mindsteværdien"))?,
            bound(&draft.max, dl!("højeste værdi"))?,
        )
    } else {
        (None, None)
    };
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(CoreError::Invalid(
                dl!("Mindsteværdien skal være mindre end eller lig med den højeste værdi.").into(),
            ));
        }
    }
    Ok(NewQuestionnaireQuestion {
        questionnaire,
        kind: draft.kind,
        text: text.to_owned(),
        options,
        required: draft.required,
        min,
        max,
    })
}

/// Whether the questionnaire has any response.
pub async fn is_answered(store: &dyn Store, id: QuestionnaireId) -> CoreResult<bool> {
    Ok(!store
        .list_questionnaire_responses(id, None)
        .await?
        .is_empty())
}

const ANSWERED_LOCKED: &str = dl!(
    "Spørgeskemaet er allerede besvaret, så spørgsmålene kan ikke \
                               længere fjernes eller flyttes, og kun valgfrie spørgsmål kan \
                               tilføjes."
);

/// Adds a question at the end. Once the questionnaire is answered, only an
/// optional question.
pub async fn add_question(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    draft: &QuestionDraft,
) -> CoreResult<QuestionnaireQuestionId> {
    let new = checked_question(questionnaire.id(), draft)?;
    if new.required && is_answered(store, questionnaire.id()).await? {
        return Err(CoreError::Invalid(ANSWERED_LOCKED.into()));
    }
    // The store checks again where it writes: a response saved since the
    // check above refuses a required question there.
    let applied = crate::setup::change(
        store,
        actor,
        SetupChange::AddQuestionnaireQuestion(new.clone()),
        entry(
            "add_question",
            "questionnaire_question",
            String::new(),
            None,
            None,
            Some(json!({
                "spørgeskema": questionnaire.id().0,
                "type": new.kind.code(),
                "tekst": new.text,
                "svarmuligheder": new.options,
                "påkrævet": new.required,
                "min": new.min,
                "max": new.max,
            })),
        ),
    )
    .await;
    let applied = match applied {
        Err(CoreError::Store(StoreError::NotFound(_)))
            if new.required && is_answered(store, questionnaire.id()).await? =>
        {
            return Err(CoreError::Invalid(ANSWERED_LOCKED.into()));
        }
        other => other?,
    };
    Ok(QuestionnaireQuestionId(applied.created()?))
}

fn question_of(
    questionnaire: &Questionnaire,
    question: QuestionnaireQuestionId,
) -> CoreResult<&QuestionnaireQuestionRow> {
    questionnaire
        .questions
        .iter()
        .find(|q| q.id == question)
        .ok_or_else(|| CoreError::NotFound(format!("spørgsmål {question}")))
}

/// Removes a question, while the questionnaire has no response.
pub async fn remove_question(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    question: QuestionnaireQuestionId,
) -> CoreResult<()> {
    let q = question_of(questionnaire, question)?;
    if is_answered(store, questionnaire.id()).await? {
        return Err(CoreError::Invalid(ANSWERED_LOCKED.into()));
    }
    crate::setup::change(
        store,
        actor,
        SetupChange::RemoveQuestionnaireQuestion {
            questionnaire: questionnaire.id(),
            question,
        },
        entry(
            "remove_question",
            "questionnaire_question",
            question.to_string(),
            None,
            Some(json!({ "tekst": q.text })),
            None,
        ),
    )
    .await?;
    Ok(())
}

/// Moves a question one place up or down, while the questionnaire has no
/// response.
pub async fn move_question(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    question: QuestionnaireQuestionId,
    up: bool,
) -> CoreResult<()> {
    let q = question_of(questionnaire, question)?;
    if is_answered(store, questionnaire.id()).await? {
        return Err(CoreError::Invalid(ANSWERED_LOCKED.into()));
    }
    crate::setup::change(
        store,
        actor,
        SetupChange::MoveQuestionnaireQuestion {
            questionnaire: questionnaire.id(),
            question,
            up,
        },
        entry(
            "move_question",
            "questionnaire_question",
            question.to_string(),
            None,
            Some(json!({ "placering": q.position })),
            Some(json!({ "retning": if up { "op" } else { "ned" } })),
        ),
    )
    .await?;
    Ok(())
}

// --- answering ---------------------------------------------------------------

/// Who answers: a municipality's coordinator, or one of its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent {
    Municipality(MunicipalityCode),
    Unit(MunicipalityCode, UnitId),
}

impl Respondent {
    pub fn municipality(self) -> MunicipalityCode {
        match self {
            Self::Municipality(m) | Self::Unit(m, _) => m,
        }
    }

    fn unit(self) -> Option<UnitId> {
        match self {
            Self::Municipality(_) => None,
            Self::Unit(_, u) => Some(u),
        }
    }

    fn audience(self) -> Audience {
        match self {
            Self::Municipality(_) => Audience::Coordinator,
            Self::Unit(..) => Audience::Unit,
        }
    }
}

/// The raw values given per question (a multiple question's chosen
/// options; one value for the others), as typed.
pub type AnswerInput = HashMap<QuestionnaireQuestionId, Vec<String>>;

/// The refusal of a response with more than [`MAX_ANSWER_VALUES`] values.
pub fn too_many_values() -> CoreError {
    CoreError::Invalid(da!(
        "Svarene er ikke gemt: formularen sendte mere end {MAX_ANSWER_VALUES} svar. \
         Indlæs siden igen, og udfyld den derfra."
    ))
}

/// What is wrong with the answer to one question, with what a message in
/// another language needs besides the question's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required question without an answer (of this kind).
    Missing(QuestionKind),
    /// More than one value for a question that takes one (of this kind).
    OnlyOne(QuestionKind),
    /// More values than a multiple question takes: at most this many.
    TooMany(usize),
    /// A value that is not one of the options (cut to [`OPTION_MAX`]).
    NotAnOption(String),
    NotANumber,
    OutOfRange {
        min: Option<i64>,
        max: Option<i64>,
    },
    TooLong,
}

impl ProblemKind {
    /// The Danish message, naming the question.
    pub fn message_da(&self, question: &str) -> String {
        match self {
            Self::Missing(QuestionKind::Single) => da!("Vælg et svar på «{question}»."),
            Self::Missing(QuestionKind::Multiple) => {
                da!("Vælg mindst ét svar på «{question}».")
            }
            Self::Missing(QuestionKind::Number) => {
                da!("Skriv et tal som svar på «{question}».")
            }
            Self::Missing(QuestionKind::Text) => da!("Skriv et svar på «{question}»."),
            Self::OnlyOne(QuestionKind::Single) => da!("Vælg kun ét svar på «{question}»."),
            Self::OnlyOne(_) => da!("Giv kun ét svar på «{question}»."),
            Self::TooMany(n) => da!("For mange svar på «{question}»: højst {n}."),
            Self::NotAnOption(bad) => {
                da!("«{bad}» er ikke en af svarmulighederne på «{question}».")
            }
            Self::NotANumber => da!("Skriv et helt tal som svar på «{question}»."),
            Self::OutOfRange {
                min: Some(lo),
                max: Some(hi),
            } => da!("Svaret på «{question}» skal være mellem {lo} og {hi}."),
            Self::OutOfRange {
                min: Some(lo),
                max: None,
            } => da!("Svaret på «{question}» skal være mindst {lo}."),
            Self::OutOfRange { max, .. } => da!(
                "Svaret på «{question}» må højst være {}.",
                max.unwrap_or_default()
            ),
            Self::TooLong => {
                da!("Svaret på «{question}» må højst være {TEXT_ANSWER_MAX} tegn.")
            }
        }
    }
}

/// A problem with the answer to one question: its kind, and the message in
/// Danish, naming the question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub question: QuestionnaireQuestionId,
    pub kind: ProblemKind,
    pub message: String,
}

/// Checks every answer against its question: the values to store, or every
/// problem found (in the questions' order).
pub fn check(
    questions: &[QuestionnaireQuestionRow],
    input: &AnswerInput,
) -> Result<Vec<(QuestionnaireQuestionId, String)>, Vec<Problem>> {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for q in questions {
        let given: Vec<&str> = input
            .get(&q.id)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut problem = |kind: ProblemKind| {
            problems.push(Problem {
                question: q.id,
                message: kind.message_da(&q.text),
                kind,
            })
        };
        if q.kind == QuestionKind::Multiple && given.len() > MAX_VALUES_PER_QUESTION {
            problem(ProblemKind::TooMany(MAX_VALUES_PER_QUESTION));
            continue;
        }
        if q.kind != QuestionKind::Multiple && given.len() > 1 {
            problem(ProblemKind::OnlyOne(q.kind));
            continue;
        }
        if given.is_empty() {
            if q.required {
                problem(ProblemKind::Missing(q.kind));
            }
            continue;
        }
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if let Some(bad) = given.iter().find(|g| !q.options.iter().any(|o| o == *g)) {
                    problem(ProblemKind::NotAnOption(
                        bad.chars().take(OPTION_MAX).collect(),
                    ));
                    continue;
                }
                // Stored in the options' order, each once.
                for option in &q.options {
                    if given.contains(&option.as_str()) {
                        values.push((q.id, option.clone()));
                    }
                }
            }
            QuestionKind::Number => {
                let text = given[0].replace(' ', "");
                let Ok(n) = text.parse::<i64>() else {
                    problem(ProblemKind::NotANumber);
                    continue;
                };
                let out_of_range = q.min.is_some_and(|lo| n < lo) || q.max.is_some_and(|hi| n > hi);
                if out_of_range {
                    problem(ProblemKind::OutOfRange {
                        min: q.min,
                        max: q.max,
                    });
                    continue;
                }
                values.push((q.id, n.to_string()));
            }
            QuestionKind::Text => {
                let text = given[0];
                if text.chars().count() > TEXT_ANSWER_MAX {
                    problem(ProblemKind::TooLong);
                    continue;
                }
                values.push((q.id, text.to_owned()));
            }
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// Whether the questionnaire is for `audience` and out of draft: a draft,
/// or another audience's questionnaire, is not found.
pub fn check_audience(questionnaire: &Questionnaire, audience: Audience) -> CoreResult<()> {
    if questionnaire.row.audience != audience
        || questionnaire.row.state == QuestionnaireState::Draft
    {
        return Err(CoreError::NotFound(format!(
            "spørgeskema {}",
            questionnaire.id()
        )));
    }
    Ok(())
}

/// Whether the respondent may answer or read their answer to the
/// questionnaire: its audience ([`check_audience`]), and for a unit, that
/// its coordinator sent it. Anything else is not found, as another
/// municipality's would be.
pub async fn check_respondent(
    store: &dyn Store,
    questionnaire: &Questionnaire,
    respondent: Respondent,
) -> CoreResult<()> {
    let not_found = || CoreError::NotFound(format!("spørgeskema {}", questionnaire.id()));
    check_audience(questionnaire, respondent.audience())?;
    if let Respondent::Unit(m, unit) = respondent {
        if store.get_unit(m, unit).await?.is_none() {
            return Err(not_found());
        }
        if store
            .list_questionnaire_sends(questionnaire.id(), Some(m))
            .await?
            .is_empty()
        {
            return Err(not_found());
        }
    }
    Ok(())
}

/// The respondent's response and its values per question, if answered.
pub async fn response_of(
    store: &dyn Store,
    questionnaire: &Questionnaire,
    respondent: Respondent,
) -> CoreResult<Option<(QuestionnaireResponseRow, AnswerInput)>> {
    let m = respondent.municipality();
    let response = store
        .list_questionnaire_responses(questionnaire.id(), Some(m))
        .await?
        .into_iter()
        .find(|r| r.unit == respondent.unit());
    let Some(response) = response else {
        return Ok(None);
    };
    let mut values: AnswerInput = HashMap::new();
    for a in store
        .list_questionnaire_answers(questionnaire.id(), Some(m))
        .await?
        .into_iter()
        .filter(|a| a.response == response.id)
    {
        values.entry(a.question).or_default().push(a.value);
    }
    Ok(Some((response, values)))
}

/// Answers the questionnaire for the respondent, replacing an earlier
/// response. `Ok(Err(problems))` when an answer is refused (nothing is
/// stored then).
pub async fn answer(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    respondent: Respondent,
    input: &AnswerInput,
    now: DateTime<Utc>,
) -> CoreResult<Result<(), Vec<Problem>>> {
    check_respondent(store, questionnaire, respondent).await?;
    if !questionnaire.is_open() {
        return Err(CoreError::Invalid(
            dl!("Spørgeskemaet er lukket og kan ikke længere besvares.").into(),
        ));
    }
    if input.values().map(Vec::len).sum::<usize>() > MAX_ANSWER_VALUES {
        return Err(too_many_values());
    }
    let values = match check(&questionnaire.questions, input) {
        Ok(values) => values,
        Err(problems) => return Ok(Err(problems)),
    };
    let m = respondent.municipality();
    let after: BTreeMap<String, Vec<&str>> =
        values.iter().fold(BTreeMap::new(), |mut acc, (q, v)| {
            acc.entry(q.to_string()).or_default().push(v.as_str());
            acc
        });
    crate::setup::change(
        store,
        actor,
        SetupChange::SaveQuestionnaireResponse(NewQuestionnaireResponse {
            questionnaire: questionnaire.id(),
            municipality: m,
            unit: respondent.unit(),
            answered_by: actor.as_str().to_owned(),
            answered_at: now,
            answers: values.clone(),
        }),
        entry(
            "answer",
            "questionnaire_response",
            match respondent.unit() {
                Some(u) => format!("{}/{m}/{u}", questionnaire.id()),
                None => format!("{}/{m}", questionnaire.id()),
            },
            Some(m),
            None,
            Some(json!(after)),
        ),
    )
    .await?;
    Ok(Ok(()))
}

/// Sends a unit questionnaire to the municipality's units: from now on
/// they see it and can answer it.
pub async fn send_to_units(
    store: &dyn Store,
    actor: &Actor,
    questionnaire: &Questionnaire,
    municipality: MunicipalityCode,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if questionnaire.row.audience != Audience::Unit || !questionnaire.is_open() {
        return Err(CoreError::Invalid(
            dl!("Kun en åben evaluering kan sendes til enhederne.").into(),
        ));
    }
    crate::setup::change(
        store,
        actor,
        SetupChange::SendQuestionnaire {
            questionnaire: questionnaire.id(),
            municipality,
            sent_by: actor.as_str().to_owned(),
            sent_at: now,
        },
        entry(
            "send",
            "questionnaire",
            questionnaire.id().to_string(),
            Some(municipality),
            None,
            Some(json!({ "sendt_til": municipality.to_string() })),
        ),
    )
    .await?;
    Ok(())
}

/// A questionnaire of the period as the municipality's checklist shows it.
#[derive(Debug, Clone)]
pub struct ChecklistItem {
    pub questionnaire: QuestionnaireRow,
    /// The coordinator's response (coordinator questionnaires).
    pub answered: Option<QuestionnaireResponseRow>,
    /// When it was sent to the units (unit questionnaires).
    pub sent: Option<QuestionnaireSendRow>,
    /// Units that answered (unit questionnaires).
    pub unit_responses: usize,
}

/// The period's open and closed questionnaires, with where the
/// municipality stands on each.
pub async fn for_checklist(
    store: &dyn Store,
    period: PeriodId,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<ChecklistItem>> {
    let mut items = Vec::new();
    for q in store.list_questionnaires(Some(period)).await? {
        if q.state == QuestionnaireState::Draft {
            continue;
        }
        let responses = store
            .list_questionnaire_responses(q.id, Some(municipality))
            .await?;
        let sent = store
            .list_questionnaire_sends(q.id, Some(municipality))
            .await?
            .into_iter()
            .next();
        items.push(ChecklistItem {
            answered: responses.iter().find(|r| r.unit.is_none()).cloned(),
            unit_responses: responses.iter().filter(|r| r.unit.is_some()).count(),
            sent,
            questionnaire: q,
        });
    }
    items.reverse();
    Ok(items)
}

/// The municipalities that answered a coordinator questionnaire of the
/// period (open or closed): the overview's "Spørgeskema besvaret".
pub async fn answered_municipalities(
    store: &dyn Store,
    period: PeriodId,
) -> CoreResult<Vec<MunicipalityCode>> {
    let mut answered = Vec::new();
    for q in store.list_questionnaires(Some(period)).await? {
        if q.audience != Audience::Coordinator || q.state == QuestionnaireState::Draft {
            continue;
        }
        for r in store.list_questionnaire_responses(q.id, None).await? {
            if !answered.contains(&r.municipality) {
                answered.push(r.municipality);
            }
        }
    }
    Ok(answered)
}

// --- results -----------------------------------------------------------------

/// One option's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionCount {
    pub option: String,
    pub count: usize,
    /// Of the responses that answered the question (0–1).
    pub share: f64,
}

/// A number question's answers summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberSummary {
    pub answers: usize,
    pub mean: f64,
    pub median: f64,
    pub min: i64,
    pub max: i64,
}

/// What a question's answers add up to.
#[derive(Debug, Clone, PartialEq)]
pub enum Figures {
    Options(Vec<OptionCount>),
    /// None: nobody answered.
    Number(Option<NumberSummary>),
    /// Each text with who wrote it.
    Texts(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    pub question: QuestionnaireQuestionRow,
    /// Responses that answered the question.
    pub answered: usize,
    pub figures: Figures,
}

/// Who a response is, for people: the municipality, and for a unit its
/// department and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentName {
    pub municipality: MunicipalityCode,
    pub municipality_name: String,
    pub unit: Option<UnitId>,
    pub unit_name: String,
    pub department: String,
}

impl RespondentName {
    /// "Køge" or "Køge, Borgerservice".
    pub fn label(&self) -> String {
        if self.unit.is_some() {
            format!("{}, {}", self.municipality_name, self.unit_name)
        } else {
            self.municipality_name.clone()
        }
    }
}

/// A municipality's units (name and department) and departments by id.
type UnitNames = (
    HashMap<UnitId, (String, Option<komhen_domain::DepartmentId>)>,
    HashMap<komhen_domain::DepartmentId, String>,
);

/// The results of a questionnaire, for all municipalities or one.
#[derive(Debug, Clone)]
pub struct Results {
    pub questionnaire: Questionnaire,
    pub responses: Vec<(QuestionnaireResponseRow, RespondentName)>,
    pub answers: Vec<QuestionnaireAnswerRow>,
    pub questions: Vec<QuestionResult>,
}

/// The questionnaire's results: every figure the results page, its CSV
/// and the command line show. `municipality`: only that municipality's
/// responses (a coordinator reading their units' evaluation).
pub async fn results(
    store: &dyn Store,
    questionnaire: Questionnaire,
    municipality: Option<MunicipalityCode>,
) -> CoreResult<Results> {
    let responses = store
        .list_questionnaire_responses(questionnaire.id(), municipality)
        .await?;
    let answers = store
        .list_questionnaire_answers(questionnaire.id(), municipality)
        .await?;
    let municipalities: HashMap<MunicipalityCode, String> = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let mut units: HashMap<MunicipalityCode, UnitNames> = HashMap::new();
    if questionnaire.row.audience == Audience::Unit {
        for r in &responses {
            if units.contains_key(&r.municipality) {
                continue;
            }
            let unit_rows = store.list_units(r.municipality).await?;
            let departments = store.list_departments(r.municipality).await?;
            units.insert(
                r.municipality,
                (
                    unit_rows
                        .into_iter()
                        .map(|u| (u.id, (u.name, u.department)))
                        .collect(),
                    departments.into_iter().map(|d| (d.id, d.name)).collect(),
                ),
            );
        }
    }
    let named: Vec<(QuestionnaireResponseRow, RespondentName)> = responses
        .into_iter()
        .map(|r| {
            let (unit_name, department) = match (r.unit, units.get(&r.municipality)) {
                (Some(u), Some((unit_rows, departments))) => match unit_rows.get(&u) {
                    Some((name, d)) => (
                        name.clone(),
                        d.and_then(|d| departments.get(&d).cloned())
                            .unwrap_or_else(|| NO_DEPARTMENT.to_owned()),
                    ),
                    None => (da!("Enhed {u}"), NO_DEPARTMENT.to_owned()),
                },
                _ => (String::new(), String::new()),
            };
            let name = RespondentName {
                municipality: r.municipality,
                municipality_name: municipalities
                    .get(&r.municipality)
                    .cloned()
                    .unwrap_or_else(|| r.municipality.to_string()),
                unit: r.unit,
                unit_name,
                department,
            };
            (r, name)
        })
        .collect();
    let questions = figures(&questionnaire.questions, &named, &answers);
    Ok(Results {
        questionnaire,
        responses: named,
        answers,
        questions,
    })
}

/// How many of the municipalities taking part in the questionnaire's period
/// answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turnout {
    /// The municipalities taking part in the period.
    pub participating: usize,
    /// Those of them with a response.
    pub answered: usize,
    /// Municipalities with a response that do not take part in the period.
    pub answered_outside: usize,
}

/// The turnout of a coordinators' questionnaire: the responding
/// municipalities against those taking part in its period, not against all.
pub async fn turnout(store: &dyn Store, results: &Results) -> CoreResult<Turnout> {
    let period = results.questionnaire.row.period;
    let mut participating = std::collections::HashSet::new();
    for m in store.list_municipalities().await? {
        if store.list_participations(m.code).await?.contains(&period) {
            participating.insert(m.code);
        }
    }
    let answered: std::collections::HashSet<MunicipalityCode> = results
        .responses
        .iter()
        .map(|(r, _)| r.municipality)
        .collect();
    let inside = answered.intersection(&participating).count();
    Ok(Turnout {
        participating: participating.len(),
        answered: inside,
        answered_outside: answered.len() - inside,
    })
}

/// The department of a unit that belongs to none.
pub const NO_DEPARTMENT: &str = dl!("Uden forvaltning");

/// The figures of every question over the given responses.
pub fn figures(
    questions: &[QuestionnaireQuestionRow],
    responses: &[(QuestionnaireResponseRow, RespondentName)],
    answers: &[QuestionnaireAnswerRow],
) -> Vec<QuestionResult> {
    let names: HashMap<i64, &RespondentName> = responses.iter().map(|(r, n)| (r.id, n)).collect();
    questions
        .iter()
        .map(|q| {
            let mine: Vec<&QuestionnaireAnswerRow> = answers
                .iter()
                .filter(|a| a.question == q.id && names.contains_key(&a.response))
                .collect();
            let mut respondents: Vec<i64> = mine.iter().map(|a| a.response).collect();
            respondents.sort_unstable();
            respondents.dedup();
            let answered = respondents.len();
            let figures = match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => Figures::Options(
                    q.options
                        .iter()
                        .map(|o| {
                            let count = mine.iter().filter(|a| &a.value == o).count();
                            OptionCount {
                                option: o.clone(),
                                count,
                                share: if answered == 0 {
                                    0.0
                                } else {
                                    count as f64 / answered as f64
                                },
                            }
                        })
                        .collect(),
                ),
                QuestionKind::Number => {
                    let mut numbers: Vec<i64> =
                        mine.iter().filter_map(|a| a.value.parse().ok()).collect();
                    numbers.sort_unstable();
                    Figures::Number(summary(&numbers))
                }
                QuestionKind::Text => Figures::Texts(
                    mine.iter()
                        .map(|a| {
                            let who = names.get(&a.response).map_or(String::new(), |n| n.label());
                            (who, a.value.clone())
                        })
                        .collect(),
                ),
            };
            QuestionResult {
                question: q.clone(),
                answered,
                figures,
            }
        })
        .collect()
}

/// Mean, median, least and greatest of sorted numbers (None: none).
pub fn summary(sorted: &[i64]) -> Option<NumberSummary> {
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let n = sorted.len();
    let mean = sorted.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0
    };
    Some(NumberSummary {
        answers: n,
        mean,
        median,
        min,
        max,
    })
}

/// One question's figures as a table: per option count and share, or the
/// number's summary, or the texts with who wrote them.
pub fn question_table(result: &QuestionResult) -> Table {
    match &result.figures {
        Figures::Options(options) => Table {
            header: vec![dl!("Svar").into(), dl!("Antal").into(), dl!("Andel").into()],
            rows: options
                .iter()
                .map(|o| {
                    vec![
                        Cell::Text(o.option.clone()),
                        Cell::Integer(o.count as i64),
                        Cell::Share(o.share),
                    ]
                })
                .collect(),
        },
        Figures::Number(summary) => Table {
            header: vec![
                dl!("Svar").into(),
                dl!("Gennemsnit").into(),
                dl!("Median").into(),
                dl!("Mindste").into(),
                dl!("Største").into(),
            ],
            rows: vec![match summary {
                Some(s) => vec![
                    Cell::Integer(s.answers as i64),
                    Cell::Decimal(s.mean, 1),
                    Cell::Decimal(s.median, 1),
                    Cell::Integer(s.min),
                    Cell::Integer(s.max),
                ],
                None => vec![
                    Cell::Integer(0),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ],
            }],
        },
        Figures::Texts(texts) => Table {
            header: vec![dl!("Besvaret af").into(), dl!("Svar").into()],
            rows: texts
                .iter()
                .map(|(who, text)| vec![Cell::Text(who.clone()), Cell::Text(text.clone())])
                .collect(),
        },
    }
}

/// Every response as a row, one column per question (a multiple
/// question's options joined by "; "): the download.
pub fn responses_table(results: &Results) -> Table {
    let units = results.questionnaire.row.audience == Audience::Unit;
    let mut header = vec![dl!("Kommune").to_owned(), dl!("Kode").to_owned()];
    if units {
        header.push(dl!("Forvaltning").into());
        header.push(dl!("Enhed").into());
    }
    header.push(dl!("Besvaret").into());
    header.extend(
        results
            .questionnaire
            .questions
            .iter()
            .map(|q| format!("{}. {}", q.position, q.text)),
    );
    let rows = results
        .responses
        .iter()
        .map(|(r, name)| {
            let mut row = vec![
                Cell::Text(name.municipality_name.clone()),
                Cell::Text(r.municipality.to_string()),
            ];
            if units {
                row.push(Cell::Text(name.department.clone()));
                row.push(Cell::Text(name.unit_name.clone()));
            }
            row.push(Cell::Text(
                komhen_domain::danish_local(r.answered_at)
                    .format("%d-%m-%Y %H:%M")
                    .to_string(),
            ));
            for q in &results.questionnaire.questions {
                let values: Vec<&str> = results
                    .answers
                    .iter()
                    .filter(|a| a.response == r.id && a.question == q.id)
                    .map(|a| a.value.as_str())
                    .collect();
                row.push(if values.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(values.join("; "))
                });
            }
            row
        })
        .collect();
    Table { header, rows }
}

/// How the evaluation's results are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Unit,
    Department,
}

/// The results per unit or per department: a row per group with its
/// responses, per single or multiple question the count of each option,
/// and per number question the mean. Text answers are in
/// [`question_table`].
pub fn grouped_table(results: &Results, grouping: Grouping) -> Table {
    // A unit is its id: two units of one department may share a name.
    let mut groups: BTreeMap<(String, String, Option<UnitId>), Vec<i64>> = BTreeMap::new();
    for (r, name) in &results.responses {
        let key = match grouping {
            Grouping::Unit => (
                name.municipality_name.clone(),
                format!("{} ({})", name.unit_name, name.department),
                name.unit,
            ),
            Grouping::Department => (
                name.municipality_name.clone(),
                name.department.clone(),
                None,
            ),
        };
        groups.entry(key).or_default().push(r.id);
    }
    let mut header = vec![
        dl!("Kommune").to_owned(),
        match grouping {
            Grouping::Unit => dl!("Enhed").to_owned(),
            Grouping::Department => dl!("Forvaltning").to_owned(),
        },
        dl!("Svar").to_owned(),
    ];
    let questions: Vec<&QuestionnaireQuestionRow> = results
        .questionnaire
        .questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Text)
        .collect();
    for q in &questions {
        match q.kind {
            QuestionKind::Number => header.push(da!("{}. gennemsnit", q.position)),
            _ => header.extend(q.options.iter().map(|o| format!("{}. {o}", q.position))),
        }
    }
    let rows = groups
        .into_iter()
        .map(|((municipality, group, _), ids)| {
            let mut row = vec![
                Cell::Text(municipality),
                Cell::Text(group),
                Cell::Integer(ids.len() as i64),
            ];
            for q in &questions {
                let values: Vec<&str> = results
                    .answers
                    .iter()
                    .filter(|a| a.question == q.id && ids.contains(&a.response))
                    .map(|a| a.value.as_str())
                    .collect();
                match q.kind {
                    QuestionKind::Number => {
                        let mut numbers: Vec<i64> =
                            values.iter().filter_map(|v| v.parse().ok()).collect();
                        numbers.sort_unstable();
                        row.push(
                            summary(&numbers).map_or(Cell::Empty, |s| Cell::Decimal(s.mean, 1)),
                        );
                    }
                    _ => {
                        for o in &q.options {
                            let n = values.iter().filter(|v| **v == o.as_str()).count();
                            row.push(Cell::Integer(n as i64));
                        }
                    }
                }
            }
            row
        })
        .collect();
    Table { header, rows }
}
