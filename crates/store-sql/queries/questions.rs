// Questions: national and local, and those switched on for a unit.

use super::*;

impl Store {
    pub(super) async fn list_questions(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.questions_where(
            "q.active AND (q.municipality_code IS NULL OR q.municipality_code = $1)",
            Some(municipality),
            None,
        )
        .await
    }

    pub(super) async fn list_national_questions(&self) -> StoreResult<Vec<QuestionRow>> {
        self.questions_where("q.municipality_code IS NULL", None, None)
            .await
    }

    pub(super) async fn list_all_questions(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.questions_where(
            "q.municipality_code IS NULL OR q.municipality_code = $1",
            Some(municipality),
            None,
        )
        .await
    }

    pub(super) async fn list_unit_questions(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.questions_where(
            "q.active AND q.id IN (SELECT question_id FROM unit_questions \
             WHERE municipality_code = $1 AND unit_id = $2)",
            Some(municipality),
            Some(unit),
        )
        .await
    }

    /// when given, as $1 and the unit, when given, as $2), with their options.
    async fn questions_where(
        &self,
        condition: &str,
        municipality: Option<MunicipalityCode>,
        unit: Option<UnitId>,
    ) -> StoreResult<Vec<QuestionRow>> {
        let sql = format!(
            "SELECT q.id, q.municipality_code, q.code, q.task_id, q.label_da, q.label_en, \
             q.answer_kind, q.sort_order, q.active FROM questions q WHERE ({condition}) \
             ORDER BY q.sort_order, q.id"
        );
        let mut query = sqlx::query(&sql);
        if let Some(municipality) = municipality {
            query = query.bind(code_of(municipality));
        }
        if let Some(unit) = unit {
            query = query.bind(unit.0);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(db_err)?;
        // All options of these questions in one query, not one per question.
        let options_sql = format!(
            "SELECT o.question_id, o.id, o.code, o.label_da, o.label_en, o.sort_order \
             FROM question_options o JOIN questions q ON q.id = o.question_id \
             WHERE ({condition}) ORDER BY o.question_id, o.sort_order, o.id"
        );
        let mut options_query = sqlx::query(&options_sql);
        if let Some(municipality) = municipality {
            options_query = options_query.bind(code_of(municipality));
        }
        if let Some(unit) = unit {
            options_query = options_query.bind(unit.0);
        }
        let mut options: Vec<(i64, QuestionOptionRow)> = Vec::new();
        for o in options_query.fetch_all(&self.pool).await.map_err(db_err)? {
            options.push((
                get(&o, "question_id")?,
                QuestionOptionRow {
                    id: QuestionOptionId(get(&o, "id")?),
                    code: get(&o, "code")?,
                    label_da: get(&o, "label_da")?,
                    label_en: get(&o, "label_en")?,
                    sort_order: get(&o, "sort_order")?,
                },
            ));
        }
        let mut questions = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = get(r, "id")?;
            questions.push(QuestionRow {
                id: QuestionId(id),
                municipality: opt_municipality(r, "municipality_code")?,
                code: get(r, "code")?,
                task: get::<Option<i64>>(r, "task_id")?.map(TaskId),
                label_da: get(r, "label_da")?,
                label_en: get(r, "label_en")?,
                answer_kind: AnswerKind::parse(&get::<String>(r, "answer_kind")?)
                    .map_err(|e| corrupt("svartype", e))?,
                sort_order: get(r, "sort_order")?,
                options: options
                    .iter()
                    .filter(|(question, _)| *question == id)
                    .map(|(_, option)| option.clone())
                    .collect(),
                active: get(r, "active")?,
            });
        }
        Ok(questions)
    }
}
