// Figures: the report engine's aggregate over the cube or the registrations,
// the registrations a drill-down selects, and what a municipality's report
// keeps beside them (comparison group, period notes).

use super::*;

/// Whether the channel cube (the cube folded to municipality, day, channel
/// and test flag; migration `add_registration_channel_cube`) holds every
/// column the query groups or filters by. It has the cube's column names for
/// those and is many times smaller, so such a query reads it instead. The
/// struct is taken apart field by field so that a new filter cannot be
/// forgotten here.
fn fits_channel_cube(query: &Aggregate) -> bool {
    let Aggregate {
        municipalities: _,
        from: _,
        to: _,
        units,
        tasks,
        channels: _,
        inquiry_types,
        completions,
        forms,
        sources,
        hours,
        answers,
        test: _,
        group_by,
        table: _,
    } = query;
    units.is_empty()
        && answers.is_empty()
        && tasks.is_empty()
        && inquiry_types.is_empty()
        && completions.is_empty()
        && forms.is_empty()
        && sources.is_empty()
        && hours.is_empty()
        && group_by.iter().all(|c| {
            matches!(
                c,
                Column::Municipality | Column::Day | Column::Week | Column::Channel | Column::Test
            )
        })
}

/// Whether the week cube (the cube folded to the whole country per ISO week:
/// task, channel, inquiry type, completion, form and test flag; migration
/// `add_registration_week_cube`) answers the query: a national query (no
/// municipality, unit, source, hour or answer named) whose dates are whole
/// ISO weeks, grouping only by those columns. It is many times smaller than
/// the cube for the country, so a national pivot reads it instead. Taken
/// apart field by field like [`fits_channel_cube`].
fn fits_week_cube(query: &Aggregate) -> bool {
    let Aggregate {
        municipalities,
        from,
        to,
        units,
        tasks: _,
        channels: _,
        inquiry_types: _,
        completions: _,
        forms: _,
        sources,
        hours,
        answers,
        test: _,
        group_by,
        table: _,
    } = query;
    municipalities.is_empty()
        && units.is_empty()
        && answers.is_empty()
        && sources.is_empty()
        && hours.is_empty()
        && from.is_none_or(|d| d.weekday() == chrono::Weekday::Mon)
        && to.is_none_or(|d| d.weekday() == chrono::Weekday::Sun)
        && group_by.iter().all(|c| {
            matches!(
                c,
                Column::Week
                    | Column::Task
                    | Column::Channel
                    | Column::InquiryType
                    | Column::Completion
                    | Column::Form
                    | Column::Test
            )
        })
}

/// The table a cube query reads: the smallest that holds every column it
/// groups and filters by.
fn cube_of(query: &Aggregate) -> Cube {
    if fits_channel_cube(query) {
        Cube::Channel
    } else if fits_week_cube(query) {
        Cube::Week
    } else {
        Cube::Full
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cube {
    Full,
    Channel,
    Week,
}

/// An ISO week as one number (`2026 * 100 + 43`), to compare weeks in SQL.
fn week_number(day: NaiveDate) -> i32 {
    let week = day.iso_week();
    week.year() * 100 + i32::try_from(week.week()).unwrap_or(0)
}

/// The SQL of a grouped column, over the registrations (`raw`) or a cube,
/// named `t`. An answer is grouped by the columns of its own join
/// ([`answer_joins`]), not here.
fn column_sql(column: Column, raw: bool) -> &'static str {
    match (column, raw) {
        (Column::Municipality, _) => "t.municipality_code",
        (Column::Day, _) => "t.day",
        (Column::Week, _) => "t.iso_year, t.iso_week",
        (Column::Unit, true) => "COALESCE(t.unit_id, 0)",
        (Column::Unit, false) => "t.unit_id",
        (Column::Task, _) => "t.task_id",
        (Column::Channel, _) => "t.channel_code",
        (Column::InquiryType, true) => "COALESCE(t.inquiry_type_code, '')",
        (Column::InquiryType, false) => "t.inquiry_type_code",
        (Column::Completion, true) => "COALESCE(t.completion_code, '')",
        (Column::Completion, false) => "t.completion_code",
        (Column::Form, true) => {
            "CASE WHEN t.has_form IS NULL THEN -1 WHEN t.has_form THEN 1 ELSE 0 END"
        }
        (Column::Form, false) => "t.form",
        (Column::Source, _) => "t.source",
        (Column::Test, _) => "t.is_test",
        (Column::Hour, _) => "t.hour",
        (Column::DurationSeconds, _) => "CAST(t.duration_ms / 1000 AS BIGINT)",
        (Column::Answer(_), _) => "NULL",
    }
}

/// The joins of the answers a query groups by: the `i`th grouped column
/// joins its question's answers as `a{i}`, an inner join, so only
/// registrations that answered count (primary key: municipality,
/// registration, question).
fn answer_joins<'q>(b: &mut QueryBuilder<'q, Db>, query: &Aggregate) {
    for (i, column) in query.group_by.iter().enumerate() {
        if let Column::Answer(question) = column {
            b.push(format!(
                " JOIN registration_answers a{i} ON a{i}.municipality_code = t.municipality_code \
                 AND a{i}.registration_id = t.id AND a{i}.question_id = "
            ))
            .push_bind(question.0);
        }
    }
}

/// The WHERE conditions of an aggregate's filters, appended to a query over
/// the registrations (`raw`) or the cube named `t` that already has a WHERE.
fn push_filters<'q>(b: &mut QueryBuilder<'q, Db>, query: &Aggregate, raw: bool, weeks: bool) {
    let expr = |column: Column| column_sql(column, raw);
    fn within<'q, T: 'q + sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send>(
        b: &mut QueryBuilder<'q, Db>,
        column: &str,
        values: Vec<T>,
    ) {
        if values.is_empty() {
            return;
        }
        b.push(format!(" AND {column} IN ("));
        let mut list = b.separated(", ");
        for v in values {
            list.push_bind(v);
        }
        list.push_unseparated(")");
    }
    within(
        b,
        "t.municipality_code",
        query.municipalities.iter().map(|m| code_of(*m)).collect(),
    );
    // The week cube has no day: its dates are whole weeks (`fits_week_cube`),
    // the same rows by their ISO week.
    for (bound, op) in [(query.from, ">="), (query.to, "<=")] {
        let Some(day) = bound else { continue };
        if weeks {
            b.push(format!(" AND t.iso_year * 100 + t.iso_week {op} "))
                .push_bind(week_number(day));
        } else {
            b.push(format!(" AND t.day {op} ")).push_bind(day);
        }
    }
    within(
        b,
        expr(Column::Unit),
        query.units.iter().map(|u| u.map_or(0, |u| u.0)).collect(),
    );
    within(
        b,
        expr(Column::Task),
        query.tasks.iter().map(|t| t.0).collect(),
    );
    within(
        b,
        expr(Column::Channel),
        query
            .channels
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
    );
    within(
        b,
        expr(Column::InquiryType),
        query
            .inquiry_types
            .iter()
            .map(|t| t.map_or("", InquiryType::code).to_owned())
            .collect(),
    );
    within(
        b,
        expr(Column::Completion),
        query
            .completions
            .iter()
            .map(|c| c.map_or("", Completion::code).to_owned())
            .collect(),
    );
    within(
        b,
        expr(Column::Form),
        query
            .forms
            .iter()
            .map(|f| match f {
                None => -1i32,
                Some(true) => 1,
                Some(false) => 0,
            })
            .collect(),
    );
    within(
        b,
        expr(Column::Source),
        query.sources.iter().map(|s| s.code().to_owned()).collect(),
    );
    within(
        b,
        "t.hour",
        query
            .hours
            .iter()
            .map(|h| i32::try_from(*h).unwrap_or(-1))
            .collect(),
    );
    if query.group_by.contains(&Column::DurationSeconds) {
        b.push(" AND t.duration_ms IS NOT NULL");
    }
    for answer in &query.answers {
        b.push(
            " AND EXISTS (SELECT 1 FROM registration_answers f \
             WHERE f.municipality_code = t.municipality_code AND f.registration_id = t.id \
             AND f.question_id = ",
        )
        .push_bind(answer.question.0)
        .push(" AND (1 = 0");
        if !answer.options.is_empty() {
            b.push(" OR f.option_id IN (");
            let mut list = b.separated(", ");
            for o in &answer.options {
                list.push_bind(o.0);
            }
            list.push_unseparated(")");
        }
        if !answer.texts.is_empty() {
            b.push(" OR f.value_text IN (");
            let mut list = b.separated(", ");
            for t in &answer.texts {
                list.push_bind(t.clone());
            }
            list.push_unseparated(")");
        }
        b.push("))");
    }
    match query.test {
        TestRows::Exclude => {
            b.push(" AND NOT t.is_test");
        }
        TestRows::Only => {
            b.push(" AND t.is_test");
        }
        TestRows::Include => {}
    }
}

impl Store {
    pub(super) async fn list_comparison_group(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<MunicipalityCode>> {
        let codes: Vec<i32> = sqlx::query_scalar(
            "SELECT member_code FROM comparison_groups WHERE municipality_code = $1 \
             ORDER BY member_code",
        )
        .bind(code_of(municipality))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        codes.into_iter().map(municipality_from).collect()
    }

    pub(super) async fn find_period_notes(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Option<PeriodNotesRow>> {
        let row = sqlx::query(
            "SELECT recommendations, updated_by, updated_at FROM period_notes \
             WHERE municipality_code = $1 AND period_id = $2",
        )
        .bind(code_of(municipality))
        .bind(period.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(PeriodNotesRow {
                municipality,
                period,
                recommendations: get(&r, "recommendations")?,
                updated_by: get(&r, "updated_by")?,
                updated_at: get(&r, "updated_at")?,
            })
        })
        .transpose()
    }

    pub(super) async fn select_registrations(
        &self,
        query: &Aggregate,
        after: Option<RegistrationId>,
        limit: u32,
    ) -> StoreResult<Vec<RegistrationRow>> {
        // One municipality (a drill-down, an extract): its rows in id order
        // straight from the (municipality, id) index, continuing after the
        // last page's id. SQLite's planner would rather find a period's rows
        // by day and sort them all for every page, so it is told.
        let one = query.municipalities.len() == 1;
        let hint = match (BACKEND, one, query.municipalities.is_empty()) {
            (Backend::Sqlite, true, _) => " INDEXED BY registrations_municipality_id",
            (Backend::Sqlite, false, true) => " NOT INDEXED",
            _ => "",
        };
        let mut b: QueryBuilder<Db> = QueryBuilder::new(format!(
            "SELECT {REGISTRATION_COLUMNS} FROM registrations t{hint} WHERE {VISIBLE}"
        ));
        push_filters(&mut b, query, true, false);
        if let Some(after) = after {
            b.push(" AND t.id > ").push_bind(after.0);
        }
        b.push(if one {
            " ORDER BY t.municipality_code, t.id LIMIT "
        } else {
            " ORDER BY t.id LIMIT "
        })
        .push_bind(i64::from(limit));
        // Planned for each page's own values: PostgreSQL's plan for any
        // `after` and any dates (the generic plan a kept statement gets
        // after five runs) reads the whole period by day and sorts it for
        // every page — 1 084 ms a page against 1.3 ms, measured on a
        // million-row extract.
        let rows = b
            .build()
            .persistent(false)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(registration_row).collect()
    }

    pub(super) async fn aggregate(&self, query: &Aggregate) -> StoreResult<Vec<AggregateRow>> {
        let raw = match query.table {
            Table::Registrations => true,
            Table::Cube => false,
            Table::Auto => query.needs_registrations(),
        };
        let needs_raw = query.needs_registrations();
        if !raw && needs_raw {
            return Err(StoreError::invalid(
                "timen findes kun på registreringerne, ikke i kuben",
            ));
        }
        let expr = |column: Column| column_sql(column, raw);
        let mut select = Vec::new();
        let mut group = Vec::new();
        for (i, column) in query.group_by.iter().enumerate() {
            if *column == Column::Week {
                select.push(format!("t.iso_year AS k{i}y, t.iso_week AS k{i}w"));
                group.push("t.iso_year, t.iso_week".to_owned());
            } else if let Column::Answer(_) = column {
                select.push(format!("a{i}.option_id AS k{i}o, a{i}.value_text AS k{i}t"));
                group.push(format!("a{i}.option_id, a{i}.value_text"));
            } else {
                select.push(format!("{} AS k{i}", expr(*column)));
                group.push(expr(*column).to_owned());
            }
        }
        let measures = if raw {
            "CAST(SUM(t.quantity) AS BIGINT) AS inquiries, CAST(COUNT(*) AS BIGINT) AS row_count, \
             CAST(SUM(COALESCE(t.duration_ms, 0)) AS BIGINT) AS duration_sum, \
             CAST(COUNT(t.duration_ms) AS BIGINT) AS duration_count"
        } else {
            "CAST(SUM(t.inquiries) AS BIGINT) AS inquiries, \
             CAST(SUM(t.row_count) AS BIGINT) AS row_count, \
             CAST(SUM(t.duration_sum) AS BIGINT) AS duration_sum, \
             CAST(SUM(t.duration_count) AS BIGINT) AS duration_count"
        };
        select.push(measures.to_owned());
        let mut b: QueryBuilder<Db> = QueryBuilder::new(format!(
            "SELECT {} FROM {} t",
            select.join(", "),
            match (raw, cube_of(query)) {
                (true, _) => "registrations",
                (false, Cube::Channel) => "registration_channel_cube",
                (false, Cube::Week) => "registration_week_cube",
                (false, Cube::Full) => "registration_cube",
            }
        ));
        answer_joins(&mut b, query);
        b.push(" WHERE 1 = 1");
        if raw {
            b.push(
                " AND (t.import_batch_id IS NULL OR t.import_batch_id NOT IN \
                    (SELECT id FROM import_batches WHERE status <> 'committed'))",
            );
        }
        push_filters(&mut b, query, raw, !raw && cube_of(query) == Cube::Week);
        if !group.is_empty() {
            b.push(format!(" GROUP BY {}", group.join(", ")));
        }
        let rows = b.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let mut keys = Vec::with_capacity(query.group_by.len());
                for (i, column) in query.group_by.iter().enumerate() {
                    let k = format!("k{i}");
                    keys.push(match column {
                        Column::Municipality => Key::Municipality(municipality_from(get(r, &k)?)?),
                        Column::Day => Key::Day(get(r, &k)?),
                        Column::Week => Key::Week(
                            get(r, &format!("k{i}y"))?,
                            u32::try_from(get::<i32>(r, &format!("k{i}w"))?)
                                .map_err(|e| corrupt("uge", e))?,
                        ),
                        Column::Unit => {
                            let id: i64 = get(r, &k)?;
                            Key::Unit((id != 0).then_some(UnitId(id)))
                        }
                        Column::Task => Key::Task(TaskId(get(r, &k)?)),
                        Column::Channel => Key::Channel(channel_from(&get::<String>(r, &k)?)?),
                        Column::InquiryType => {
                            let code: String = get(r, &k)?;
                            Key::InquiryType(if code.is_empty() {
                                None
                            } else {
                                Some(
                                    InquiryType::parse(&code)
                                        .map_err(|e| corrupt("henvendelsestype", e))?,
                                )
                            })
                        }
                        Column::Completion => {
                            let code: String = get(r, &k)?;
                            Key::Completion(if code.is_empty() {
                                None
                            } else {
                                Some(
                                    Completion::parse(&code)
                                        .map_err(|e| corrupt("afslutning", e))?,
                                )
                            })
                        }
                        Column::Form => Key::Form(match get::<i32>(r, &k)? {
                            -1 => None,
                            v => Some(v == 1),
                        }),
                        Column::Source => Key::Source(
                            Source::parse(&get::<String>(r, &k)?)
                                .map_err(|e| corrupt("kilde", e))?,
                        ),
                        Column::Test => Key::Test(get(r, &k)?),
                        Column::Hour => Key::Hour(
                            u32::try_from(get::<i32>(r, &k)?).map_err(|e| corrupt("time", e))?,
                        ),
                        Column::DurationSeconds => Key::DurationSeconds(get(r, &k)?),
                        Column::Answer(_) => Key::Answer(
                            get::<Option<i64>>(r, &format!("k{i}o"))?.map(QuestionOptionId),
                            get(r, &format!("k{i}t"))?,
                        ),
                    });
                }
                Ok(AggregateRow {
                    keys,
                    inquiries: get::<Option<i64>>(r, "inquiries")?.unwrap_or(0),
                    rows: get::<Option<i64>>(r, "row_count")?.unwrap_or(0),
                    duration_sum_ms: get::<Option<i64>>(r, "duration_sum")?.unwrap_or(0),
                    duration_count: get::<Option<i64>>(r, "duration_count")?.unwrap_or(0),
                })
            })
            .collect()
    }
}
