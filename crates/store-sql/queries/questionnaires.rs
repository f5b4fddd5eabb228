// Questionnaires: a national period's questionnaires, their questions, the
// responses and answers, and to which municipalities' units an evaluation
// was sent.

use super::*;
use komhen_domain::{QuestionnaireId, QuestionnaireQuestionId};
use komhen_store::{
    Audience, QuestionKind, QuestionnaireAnswerRow, QuestionnaireQuestionRow,
    QuestionnaireResponseRow, QuestionnaireRow, QuestionnaireSendRow, QuestionnaireState,
    UnitQuestionnaireRow,
};

const QUESTIONNAIRE_COLUMNS: &str = "id, period_id, title, audience, intro, state, created_at";

fn questionnaire_row(row: &DbRow) -> StoreResult<QuestionnaireRow> {
    let audience: String = get(row, "audience")?;
    let state: String = get(row, "state")?;
    Ok(QuestionnaireRow {
        id: QuestionnaireId(get(row, "id")?),
        period: PeriodId(get(row, "period_id")?),
        title: get(row, "title")?,
        audience: Audience::parse(&audience).ok_or_else(|| corrupt("målgruppe", &audience))?,
        intro: get(row, "intro")?,
        state: QuestionnaireState::parse(&state).ok_or_else(|| corrupt("tilstand", &state))?,
        created_at: get(row, "created_at")?,
    })
}

impl Store {
    pub(super) async fn list_questionnaires(
        &self,
        period: Option<PeriodId>,
    ) -> StoreResult<Vec<QuestionnaireRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {QUESTIONNAIRE_COLUMNS} FROM questionnaires \
             WHERE $1 IS NULL OR period_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(period.map(|p| p.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(questionnaire_row).collect()
    }

    pub(super) async fn get_questionnaire(
        &self,
        questionnaire: QuestionnaireId,
    ) -> StoreResult<Option<QuestionnaireRow>> {
        let row = sqlx::query(&format!(
            "SELECT {QUESTIONNAIRE_COLUMNS} FROM questionnaires WHERE id = $1"
        ))
        .bind(questionnaire.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(questionnaire_row).transpose()
    }

    pub(super) async fn list_questionnaire_questions(
        &self,
        questionnaire: QuestionnaireId,
    ) -> StoreResult<Vec<QuestionnaireQuestionRow>> {
        let rows = sqlx::query(
            "SELECT id, questionnaire_id, position, kind, text, options, required, min_value, \
             max_value FROM questionnaire_questions WHERE questionnaire_id = $1 \
             ORDER BY position, id",
        )
        .bind(questionnaire.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, "kind")?;
                let options: String = get(row, "options")?;
                Ok(QuestionnaireQuestionRow {
                    id: QuestionnaireQuestionId(get(row, "id")?),
                    questionnaire: QuestionnaireId(get(row, "questionnaire_id")?),
                    position: get(row, "position")?,
                    kind: QuestionKind::parse(&kind)
                        .ok_or_else(|| corrupt("spørgsmålstype", &kind))?,
                    text: get(row, "text")?,
                    options: options
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    required: get(row, "required")?,
                    min: get(row, "min_value")?,
                    max: get(row, "max_value")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_questionnaire_responses(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireResponseRow>> {
        let rows = sqlx::query(
            "SELECT id, municipality_code, questionnaire_id, unit_id, answered_by, answered_at \
             FROM questionnaire_responses \
             WHERE questionnaire_id = $1 AND ($2 IS NULL OR municipality_code = $2) \
             ORDER BY municipality_code, unit_id, id",
        )
        .bind(questionnaire.0)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(QuestionnaireResponseRow {
                    id: get(row, "id")?,
                    questionnaire: QuestionnaireId(get(row, "questionnaire_id")?),
                    municipality: municipality_from(get(row, "municipality_code")?)?,
                    unit: get::<Option<i64>>(row, "unit_id")?.map(UnitId),
                    answered_by: get(row, "answered_by")?,
                    answered_at: get(row, "answered_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_questionnaire_answers(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireAnswerRow>> {
        let rows = sqlx::query(
            "SELECT a.response_id, a.question_id, a.value FROM questionnaire_answers a \
             JOIN questionnaire_responses r ON r.id = a.response_id \
             AND r.municipality_code = a.municipality_code \
             JOIN questionnaire_questions q ON q.id = a.question_id \
             WHERE r.questionnaire_id = $1 AND ($2 IS NULL OR r.municipality_code = $2) \
             ORDER BY a.response_id, q.position, q.id",
        )
        .bind(questionnaire.0)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(QuestionnaireAnswerRow {
                    response: get(row, "response_id")?,
                    question: QuestionnaireQuestionId(get(row, "question_id")?),
                    value: get(row, "value")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_questionnaire_sends(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireSendRow>> {
        let rows = sqlx::query(
            "SELECT municipality_code, sent_by, sent_at FROM questionnaire_sends \
             WHERE questionnaire_id = $1 AND ($2 IS NULL OR municipality_code = $2) \
             ORDER BY municipality_code",
        )
        .bind(questionnaire.0)
        .bind(municipality.map(code_of))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(QuestionnaireSendRow {
                    municipality: municipality_from(get(row, "municipality_code")?)?,
                    sent_by: get(row, "sent_by")?,
                    sent_at: get(row, "sent_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_unit_questionnaires(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<UnitQuestionnaireRow>> {
        let rows = sqlx::query(
            "SELECT q.id, q.title, r.answered_at FROM questionnaire_sends s \
             JOIN questionnaires q ON q.id = s.questionnaire_id \
             LEFT JOIN questionnaire_responses r ON r.questionnaire_id = q.id \
             AND r.municipality_code = s.municipality_code AND r.unit_id = $2 \
             WHERE s.municipality_code = $1 AND q.state = 'open' AND q.audience = 'unit' \
             ORDER BY q.id",
        )
        .bind(code_of(municipality))
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(UnitQuestionnaireRow {
                    id: QuestionnaireId(get(row, "id")?),
                    title: get(row, "title")?,
                    answered_at: get(row, "answered_at")?,
                })
            })
            .collect()
    }
}
