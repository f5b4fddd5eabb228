//! The municipality's questions as dimensions of its figures pages: the
//! pivot's rows, columns and filters, and the headings and notes of a
//! report grouped by an answer.

use crate::format::number;
use crate::WebError;
use komhen_core::reports::tabular::Cell;
use komhen_core::reports::{Asked, Dimension, QuestionRef};
use komhen_domain::MunicipalityCode;
use komhen_store::Store;

/// A question a report can be grouped and filtered by.
pub(crate) struct Question {
    pub(crate) dimension: Dimension,
    pub(crate) label: String,
    /// A choice question's answers as (code, label); empty for text and
    /// number questions.
    pub(crate) options: Vec<(String, String)>,
}

/// The questions of the municipality's figures: the national optional
/// parameters by their code, the municipality's and its tasks' own by id,
/// switched-off ones too (their answers stay).
pub(crate) async fn questions_of(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> Result<Vec<Question>, WebError> {
    let mut questions: Vec<_> = store.list_all_questions(municipality).await?;
    questions.sort_by_key(|q| {
        (
            q.task.is_some(),
            q.municipality.is_some(),
            q.sort_order,
            q.id,
        )
    });
    Ok(questions
        .into_iter()
        .filter_map(|q| {
            let by = match (&q.code, q.municipality) {
                (Some(code), None) => QuestionRef::parse(code)?,
                _ => QuestionRef::Id(q.id),
            };
            Some(Question {
                dimension: Dimension::Answer(by),
                label: crate::i18n::pick(&q.label_da, &q.label_en).to_owned(),
                options: q
                    .options
                    .iter()
                    .map(|o| {
                        (
                            o.code.clone(),
                            crate::i18n::pick(&o.label_da, &o.label_en).to_owned(),
                        )
                    })
                    .collect(),
            })
        })
        .collect())
}

/// A dimension's heading: a question's is the question.
pub(crate) fn heading(dimension: Dimension, questions: &[Question]) -> String {
    match questions.iter().find(|q| q.dimension == dimension) {
        Some(q) => q.label.clone(),
        None => crate::t(dimension.label_da()).to_owned(),
    }
}

/// The note under a report by an answer: shares are of those asked.
pub(crate) fn asked_note(asked: Asked) -> String {
    crate::t3(
        "Spurgt: {0} af {1} henvendelser ({2}). Andelene er af dem, der blev spurgt.",
        number(asked.asked),
        number(asked.all),
        Cell::Share(asked.share()).display_da(),
    )
}
