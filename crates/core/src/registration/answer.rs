//! An answer to an optional parameter or a task's extra question, read the
//! same way from the registration tool, a file and the API: one rule for
//! what a number, a choice and a text may be.

use komhen_domain::reference::AnswerKind;
use komhen_domain::{da, NewAnswer};
use komhen_store::QuestionRow;

/// The largest number a number question takes.
pub const MAX_NUMBER: u32 = 100_000;
/// The longest text a text question takes, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// How a choice is named: by the option's id (the tool's form) or by its
/// code or label in Danish or English (a file's cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    ById,
    ByName,
}

/// The answer `value` gives to `question`, or why it is none, in Danish.
/// `value` is trimmed and not empty.
pub fn parse(question: &QuestionRow, value: &str, choice: Choice) -> Result<NewAnswer, String> {
    let answer = |option, text| NewAnswer {
        question: question.id,
        option,
        text,
    };
    match question.answer_kind {
        AnswerKind::Choice => question
            .options
            .iter()
            .find(|o| match choice {
                Choice::ById => value.parse::<i64>().is_ok_and(|id| o.id.0 == id),
                Choice::ByName => {
                    o.code.eq_ignore_ascii_case(value)
                        || o.label_da.eq_ignore_ascii_case(value)
                        || o.label_en.eq_ignore_ascii_case(value)
                }
            })
            .map(|o| answer(Some(o.id), None))
            .ok_or_else(|| {
                let expected: Vec<&str> = question
                    .options
                    .iter()
                    .map(|o| o.label_da.as_str())
                    .collect();
                da!(
                    "«{value}» er ikke et svar på «{}». Forventede {}",
                    question.label_da,
                    expected.join(", ")
                )
            }),
        AnswerKind::Number => match value.parse::<u32>() {
            Ok(n) if n <= MAX_NUMBER => Ok(answer(None, Some(n.to_string()))),
            Ok(_) => Err(da!(
                "«{value}» er større end {} og kan ikke være et svar",
                crate::reports::tabular::thousands(i64::from(MAX_NUMBER))
            )),
            Err(_) => Err(da!("«{value}» er ikke et helt tal")),
        },
        AnswerKind::Text if value.chars().count() <= MAX_TEXT_CHARS => {
            Ok(answer(None, Some(value.to_owned())))
        }
        AnswerKind::Text => Err(da!("svaret er længere end {MAX_TEXT_CHARS} tegn")),
    }
}
