//! Questionnaires as kept: a national period's questionnaire for the
//! coordinators (one response per municipality) or for the units (the
//! evaluation of the counting weeks, one response per unit), its ordered
//! questions, the responses and their answers, and to which municipalities'
//! units an evaluation was sent. What an answer may be, and every figure of
//! the results, is core's (`komhen_core::questionnaire`).

use chrono::{DateTime, Utc};
use komhen_domain::{MunicipalityCode, PeriodId, QuestionnaireId, QuestionnaireQuestionId, UnitId};

/// Who answers a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The municipality's coordinator: one response per municipality.
    Coordinator,
    /// The municipality's units, once the coordinator has sent it to them:
    /// one response per unit.
    Unit,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Self::Coordinator, Self::Unit];

    pub fn code(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::Unit => "unit",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Coordinator => "Tovholderne",
            Self::Unit => "Enhederne (evaluering af tælleugerne)",
        }
    }
}

/// Where a questionnaire stands: a draft is edited and seen by nobody but
/// the national administrator, an open one is answered, a closed one is
/// only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionnaireState {
    Draft,
    Open,
    Closed,
}

impl QuestionnaireState {
    pub const ALL: [QuestionnaireState; 3] = [Self::Draft, Self::Open, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Draft => "Kladde",
            Self::Open => "Åbent",
            Self::Closed => "Lukket",
        }
    }
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum QuestionKind {
    /// One of the options.
    #[default]
    Single,
    /// Any of the options.
    Multiple,
    /// A whole number, optionally within a minimum and maximum.
    Number,
    /// Free text of bounded length.
    Text,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [Self::Single, Self::Multiple, Self::Number, Self::Text];

    pub fn code(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Number => "number",
            Self::Text => "text",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == value.trim())
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Single => "Ét svar",
            Self::Multiple => "Flere svar",
            Self::Number => "Tal",
            Self::Text => "Tekst",
        }
    }

    /// Whether the question offers options to choose from.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Single | Self::Multiple)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireRow {
    pub id: QuestionnaireId,
    pub period: PeriodId,
    pub title: String,
    pub audience: Audience,
    pub intro: String,
    pub state: QuestionnaireState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestionnaire {
    pub period: PeriodId,
    pub title: String,
    pub audience: Audience,
    pub intro: String,
}

/// One question, in its questionnaire's order (`position` from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireQuestionRow {
    pub id: QuestionnaireQuestionId,
    pub questionnaire: QuestionnaireId,
    pub position: i32,
    pub kind: QuestionKind,
    pub text: String,
    /// The options of a single or multiple question, in order.
    pub options: Vec<String>,
    pub required: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// A question added at the end of its questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestionnaireQuestion {
    pub questionnaire: QuestionnaireId,
    pub kind: QuestionKind,
    pub text: String,
    pub options: Vec<String>,
    pub required: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// One response: a municipality's (coordinator) or a unit's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireResponseRow {
    pub id: i64,
    pub questionnaire: QuestionnaireId,
    pub municipality: MunicipalityCode,
    pub unit: Option<UnitId>,
    /// The stored actor who answered (`bruger:…`, `enhed:…`).
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
}

/// One value of a response: the text of a chosen option (a multiple
/// question has one row per option chosen), a number or a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireAnswerRow {
    pub response: i64,
    pub question: QuestionnaireQuestionId,
    pub value: String,
}

/// A response as answered: replaces the respondent's earlier one, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestionnaireResponse {
    pub questionnaire: QuestionnaireId,
    pub municipality: MunicipalityCode,
    pub unit: Option<UnitId>,
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
    /// Every value, in the questions' order (see [`QuestionnaireAnswerRow`]).
    pub answers: Vec<(QuestionnaireQuestionId, String)>,
}

/// A municipality whose coordinator sent a unit questionnaire to its units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireSendRow {
    pub municipality: MunicipalityCode,
    pub sent_by: String,
    pub sent_at: DateTime<Utc>,
}

/// An open unit questionnaire sent to a unit's municipality, and when the
/// unit last answered it: what the registration page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitQuestionnaireRow {
    pub id: QuestionnaireId,
    pub title: String,
    pub answered_at: Option<DateTime<Utc>>,
}
