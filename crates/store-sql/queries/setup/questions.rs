// Set-up changes: Questions: created with their options, switched off and on.

use super::*;

impl Store {
    pub(super) async fn apply_questions(
        tx: &mut Tx<'_>,
        change: &SetupChange,
    ) -> StoreResult<Applied> {
        use SetupChange::*;
        match change {
            CreateQuestion(question) => {
                if let Some(task) = question.task {
                    // A question may hang on a national task or one of its own.
                    let allowed: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM tasks WHERE id = $1 \
                         AND (municipality_code IS NULL OR municipality_code = $2)",
                    )
                    .bind(task.0)
                    .bind(question.municipality.map(code_of))
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                    if allowed.is_none() {
                        return Err(not_found(format!("opgave {task}")));
                    }
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO questions (municipality_code, code, task_id, label_da, \
                     label_en, answer_kind, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING id",
                )
                .bind(question.municipality.map(code_of))
                .bind(question.code.as_deref())
                .bind(question.task.map(|t| t.0))
                .bind(&question.label_da)
                .bind(&question.label_en)
                .bind(question.answer_kind.code())
                .bind(question.sort_order)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                for o in &question.options {
                    sqlx::query(
                        "INSERT INTO question_options (question_id, code, label_da, label_en, \
                         sort_order) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(&o.code)
                    .bind(&o.label_da)
                    .bind(&o.label_en)
                    .bind(o.sort_order)
                    .execute(&mut **tx)
                    .await
                    .map_err(conflict_as(format!(
                        "svarmuligheden «{}» står der to gange",
                        o.code
                    )))?;
                }
                Ok(created(id))
            }
            SetQuestionActive {
                municipality,
                question,
                active,
            } => {
                let done = sqlx::query(
                    "UPDATE questions SET active = $3 \
                     WHERE id = $2 AND municipality_code IS NOT DISTINCT FROM $1",
                )
                .bind(municipality.map(code_of))
                .bind(question.0)
                .bind(active)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                touched(done, format!("spørgsmål {question}"))
            }
            other => Err(misrouted(other)),
        }
    }
}
