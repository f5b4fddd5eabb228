// Questionnaires: created, edited and opened by the national administrator,
// sent by a coordinator to the municipality's units, answered by a
// coordinator or a unit (a response replaces the respondent's earlier one).

use super::*;
use komhen_domain::{QuestionnaireId, QuestionnaireQuestionId};

/// Fails with NotFound unless the questionnaire exists.
async fn require_questionnaire(tx: &mut Tx<'_>, questionnaire: QuestionnaireId) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM questionnaires WHERE id = $1")
        .bind(questionnaire.0)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    found
        .map(|_| ())
        .ok_or_else(|| not_found(format!("spørgeskema {questionnaire}")))
}

/// Fails with NotFound when the questionnaire has a response: its
/// questions can then only be read.
async fn require_unanswered(tx: &mut Tx<'_>, questionnaire: QuestionnaireId) -> StoreResult<()> {
    let answered: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM questionnaire_responses WHERE questionnaire_id = $1 LIMIT 1",
    )
    .bind(questionnaire.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    match answered {
        None => Ok(()),
        Some(_) => Err(not_found(format!("ubesvaret spørgeskema {questionnaire}"))),
    }
}

/// Holds the questionnaire's row until the transaction ends, so that adding
/// a required question and saving a response wait for each other: a
/// required question is never added beside a response saved meanwhile.
async fn lock_questionnaire(tx: &mut Tx<'_>, questionnaire: QuestionnaireId) -> StoreResult<()> {
    let done = sqlx::query("UPDATE questionnaires SET state = state WHERE id = $1")
        .bind(questionnaire.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    touched(done, format!("spørgeskema {questionnaire}")).map(|_| ())
}

impl Store {
    pub(super) async fn apply_questionnaires(
        tx: &mut Tx<'_>,
        change: &SetupChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateQuestionnaire(new) => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO questionnaires (period_id, title, audience, intro, state, \
                     created_at) SELECT id, $2, $3, $4, 'draft', $5 FROM counting_periods \
                     WHERE id = $1 AND municipality_code IS NULL RETURNING id",
                )
                .bind(new.period.0)
                .bind(&new.title)
                .bind(new.audience.code())
                .bind(&new.intro)
                .bind(now)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?
                .ok_or_else(|| not_found(format!("national tælleperiode {}", new.period)))?;
                Ok(created(id))
            }
            UpdateQuestionnaire {
                questionnaire,
                title,
                intro,
            } => {
                let done =
                    sqlx::query("UPDATE questionnaires SET title = $1, intro = $2 WHERE id = $3")
                        .bind(title)
                        .bind(intro)
                        .bind(questionnaire.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                touched(done, format!("spørgeskema {questionnaire}"))
            }
            SetQuestionnaireState {
                questionnaire,
                state,
            } => {
                let done = sqlx::query("UPDATE questionnaires SET state = $1 WHERE id = $2")
                    .bind(state.code())
                    .bind(questionnaire.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                touched(done, format!("spørgeskema {questionnaire}"))
            }
            AddQuestionnaireQuestion(new) => {
                require_questionnaire(tx, new.questionnaire).await?;
                if new.required {
                    // Only an optional question joins an answered questionnaire.
                    lock_questionnaire(tx, new.questionnaire).await?;
                    require_unanswered(tx, new.questionnaire).await?;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO questionnaire_questions (questionnaire_id, position, kind, text, \
                     options, required, min_value, max_value) \
                     SELECT $1, COALESCE(MAX(position), 0) + 1, $2, $3, $4, $5, $6, $7 \
                     FROM questionnaire_questions WHERE questionnaire_id = $1 RETURNING id",
                )
                .bind(new.questionnaire.0)
                .bind(new.kind.code())
                .bind(&new.text)
                .bind(new.options.join("\n"))
                .bind(new.required)
                .bind(new.min)
                .bind(new.max)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(created(id))
            }
            RemoveQuestionnaireQuestion {
                questionnaire,
                question,
            } => {
                require_unanswered(tx, *questionnaire).await?;
                let done = sqlx::query(
                    "DELETE FROM questionnaire_questions WHERE questionnaire_id = $1 AND id = $2",
                )
                .bind(questionnaire.0)
                .bind(question.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("spørgsmål {question}"))
            }
            MoveQuestionnaireQuestion {
                questionnaire,
                question,
                up,
            } => move_question(tx, *questionnaire, *question, *up).await,
            SendQuestionnaire {
                questionnaire,
                municipality,
                sent_by,
                sent_at,
            } => {
                let done = sqlx::query(
                    "INSERT INTO questionnaire_sends (municipality_code, questionnaire_id, \
                     sent_by, sent_at) SELECT $1, id, $3, $4 FROM questionnaires \
                     WHERE id = $2 AND audience = 'unit' \
                     ON CONFLICT (municipality_code, questionnaire_id) DO NOTHING",
                )
                .bind(code_of(*municipality))
                .bind(questionnaire.0)
                .bind(sent_by)
                .bind(sent_at)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    require_questionnaire(tx, *questionnaire).await?;
                }
                Ok(Applied {
                    id: None,
                    count: done.rows_affected(),
                })
            }
            SaveQuestionnaireResponse(response) => {
                if let Some(unit) = response.unit {
                    require_unit(tx, response.municipality, unit).await?;
                }
                lock_questionnaire(tx, response.questionnaire).await?;
                // One response per respondent (the partial unique indexes): a
                // response saved meanwhile by the same respondent is replaced,
                // never refused.
                let target = if response.unit.is_some() {
                    "(municipality_code, questionnaire_id, unit_id) WHERE unit_id IS NOT NULL"
                } else {
                    "(municipality_code, questionnaire_id) WHERE unit_id IS NULL"
                };
                let id: i64 = sqlx::query_scalar(&format!(
                    "INSERT INTO questionnaire_responses (municipality_code, \
                     questionnaire_id, unit_id, answered_by, answered_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT {target} DO UPDATE SET \
                     answered_by = excluded.answered_by, answered_at = excluded.answered_at \
                     RETURNING id"
                ))
                .bind(code_of(response.municipality))
                .bind(response.questionnaire.0)
                .bind(response.unit.map(|u| u.0))
                .bind(&response.answered_by)
                .bind(response.answered_at)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "DELETE FROM questionnaire_answers WHERE municipality_code = $1 \
                     AND response_id = $2",
                )
                .bind(code_of(response.municipality))
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                for (question, value) in &response.answers {
                    let done = sqlx::query(
                        "INSERT INTO questionnaire_answers (municipality_code, response_id, \
                         question_id, value) SELECT $5, $1, id, $3 FROM questionnaire_questions \
                         WHERE id = $2 AND questionnaire_id = $4",
                    )
                    .bind(id)
                    .bind(question.0)
                    .bind(value)
                    .bind(response.questionnaire.0)
                    .bind(code_of(response.municipality))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(not_found(format!("spørgsmål {question}")));
                    }
                }
                Ok(created(id))
            }
            other => Err(misrouted(other)),
        }
    }
}

/// Swaps a question's position with its neighbour's (none: nothing moves).
async fn move_question(
    tx: &mut Tx<'_>,
    questionnaire: QuestionnaireId,
    question: QuestionnaireQuestionId,
    up: bool,
) -> StoreResult<Applied> {
    let rows: Vec<(i64, i32)> = sqlx::query_as(
        "SELECT id, position FROM questionnaire_questions WHERE questionnaire_id = $1 \
         ORDER BY position, id",
    )
    .bind(questionnaire.0)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    let at = rows
        .iter()
        .position(|(id, _)| *id == question.0)
        .ok_or_else(|| not_found(format!("spørgsmål {question}")))?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    let Some(other) = other.filter(|o| *o < rows.len()) else {
        return Ok(Applied::default());
    };
    // Renumber in the new order, so equal or missing positions heal too.
    let mut order: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    order.swap(at, other);
    for (index, id) in order.iter().enumerate() {
        sqlx::query("UPDATE questionnaire_questions SET position = $1 WHERE id = $2")
            .bind(i32::try_from(index + 1).unwrap_or(i32::MAX))
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(Applied { id: None, count: 1 })
}
