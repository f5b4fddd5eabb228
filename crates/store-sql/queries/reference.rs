// The reference data: national facts (regions, municipalities, populations)
// applied from the shipped files, the catalogue seeded, and the code lists read.

use super::*;

fn kle_entry_row(r: &DbRow) -> StoreResult<KleEntryRow> {
    let parent: Option<String> = get(r, "parent_number")?;
    Ok(KleEntryRow {
        number: kle_from(&get::<String>(r, "number")?)?,
        level: TaskCodeKind::parse(&get::<String>(r, "level")?)
            .map_err(|e| corrupt("KLE-niveau", e))?,
        title: get(r, "title")?,
        parent: parent.as_deref().map(kle_from).transpose()?,
        retired: get(r, "retired")?,
    })
}

impl Store {
    pub(super) async fn apply_reference_data(&self, data: &ReferenceData) -> StoreResult<()> {
        // Statistics facts (regions, municipalities, populations) follow the
        // shipped files. The catalogue (code lists, KLE, task packages,
        // national questions) is only seeded: once stored it belongs to the
        // national administrator, whose edits a later `migrate` must keep.
        let mut tx = begin_write(&self.writer).await.map_err(db_err)?;
        let now = Utc::now();
        Self::store_statistics(&mut tx, data).await?;
        Self::seed_code_lists(&mut tx, data).await?;
        Self::seed_tasks(&mut tx, data, now).await?;
        Self::seed_questions(&mut tx, data).await?;
        bump_setup_version(&mut *tx, None).await?;
        tx.commit().await.map_err(db_err)
    }

    /// Regions, municipalities and populations, as the shipped files say.
    async fn store_statistics(tx: &mut Tx<'_>, data: &ReferenceData) -> StoreResult<()> {
        for region in &data.regions {
            sqlx::query(
                "INSERT INTO regions (code, name) VALUES ($1, $2) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            )
            .bind(i32::from(region.code.get()))
            .bind(&region.name)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        for m in &data.municipalities {
            sqlx::query(
                "INSERT INTO municipalities (code, name, region_code, landsdel, iso_3166_2) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
                 name = excluded.name, region_code = excluded.region_code, \
                 landsdel = excluded.landsdel, iso_3166_2 = excluded.iso_3166_2",
            )
            .bind(code_of(m.code))
            .bind(&m.name)
            .bind(i32::from(m.region.get()))
            .bind(&m.landsdel)
            .bind(&m.iso_3166_2)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        for p in &data.populations {
            sqlx::query(
                "INSERT INTO municipality_populations (municipality_code, year, population) \
                 VALUES ($1, $2, $3) ON CONFLICT (municipality_code, year) \
                 DO UPDATE SET population = excluded.population",
            )
            .bind(code_of(p.municipality))
            .bind(p.year)
            .bind(p.population)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    /// Channels, inquiry types and completions that are not stored yet.
    async fn seed_code_lists(tx: &mut Tx<'_>, data: &ReferenceData) -> StoreResult<()> {
        for c in &data.channels {
            sqlx::query(
                "INSERT INTO channels (code, label_da, label_en, medium, direction, \
                 form_applicable, digital, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(c.code.as_str())
            .bind(&c.label_da)
            .bind(&c.label_en)
            .bind(c.medium.code())
            .bind(c.direction.code())
            .bind(c.form_applicable)
            .bind(c.digital)
            .bind(c.sort_order)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        for t in &data.inquiry_types {
            sqlx::query(
                "INSERT INTO inquiry_types (code, label_da, label_en, category, sort_order) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
            )
            .bind(t.inquiry_type.code())
            .bind(&t.label_da)
            .bind(&t.label_en)
            .bind(t.inquiry_type.category().code())
            .bind(t.sort_order)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        for c in &data.completions {
            sqlx::query(
                "INSERT INTO completions (code, label_da, label_en, sort_order) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING",
            )
            .bind(c.completion.code())
            .bind(&c.label_da)
            .bind(&c.label_en)
            .bind(c.sort_order)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    /// KLE entries and task packages (with their national tasks) that are not
    /// stored yet.
    async fn seed_tasks(
        tx: &mut Tx<'_>,
        data: &ReferenceData,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        for chunk in data.kle.chunks(INSERT_CHUNK) {
            let mut builder: QueryBuilder<Db> =
                QueryBuilder::new("INSERT INTO kle_entries (number, level, title, parent_number) ");
            builder.push_values(chunk, |mut b, e| {
                b.push_bind(e.number.as_str().to_owned())
                    .push_bind(e.level.code())
                    .push_bind(e.title.clone())
                    .push_bind(e.parent.as_ref().map(|p| p.as_str().to_owned()));
            });
            builder.push(" ON CONFLICT (number) DO NOTHING");
            builder.build().execute(&mut **tx).await.map_err(db_err)?;
        }
        // Newest package first, so a task's newest name is the one stored.
        for package in data.task_packages.iter().rev() {
            let created: Option<i64> = sqlx::query_scalar(
                "INSERT INTO task_packages (code, name_da, name_en, season, year, description_da) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING RETURNING id",
            )
            .bind(&package.code)
            .bind(&package.name_da)
            .bind(&package.name_en)
            .bind(package.season.code())
            .bind(package.year)
            .bind(&package.description_da)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
            // A package already stored belongs to the national administrator.
            let Some(package_id) = created else { continue };
            for task in &package.tasks {
                let known: Option<String> =
                    sqlx::query_scalar("SELECT level FROM kle_entries WHERE number = $1")
                        .bind(task.kle.as_str())
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_err)?;
                let kind = if known.is_some() {
                    task.kle.level()
                } else {
                    TaskCodeKind::Pseudo
                };
                sqlx::query(
                    "INSERT INTO tasks (municipality_code, kle_number, code_kind, name, created_at) \
                     VALUES (NULL, $1, $2, $3, $4) ON CONFLICT (kle_number) \
                     WHERE municipality_code IS NULL DO NOTHING",
                )
                .bind(task.kle.as_str())
                .bind(kind.code())
                .bind(&task.name)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                let task_id: i64 = sqlx::query_scalar(
                    "SELECT id FROM tasks WHERE municipality_code IS NULL AND kle_number = $1",
                )
                .bind(task.kle.as_str())
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO task_package_tasks (task_package_id, task_id, mandatory) \
                     VALUES ($1, $2, $3) ON CONFLICT (task_package_id, task_id) DO NOTHING",
                )
                .bind(package_id)
                .bind(task_id)
                .bind(task.mandatory)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
        }
        Ok(())
    }

    /// National questions (and their options) that are not stored yet.
    async fn seed_questions(tx: &mut Tx<'_>, data: &ReferenceData) -> StoreResult<()> {
        for q in &data.optional_parameters {
            let created: Option<i64> = sqlx::query_scalar(
                "INSERT INTO questions (municipality_code, code, task_id, label_da, label_en, \
                 answer_kind, sort_order) VALUES (NULL, $1, NULL, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO NOTHING RETURNING id",
            )
            .bind(&q.code)
            .bind(&q.label_da)
            .bind(&q.label_en)
            .bind(q.answer_kind.code())
            .bind(q.sort_order)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
            let Some(question_id) = created else { continue };
            for o in &q.options {
                sqlx::query(
                    "INSERT INTO question_options (question_id, code, label_da, label_en, \
                     sort_order) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (question_id, code) \
                     DO NOTHING",
                )
                .bind(question_id)
                .bind(&o.code)
                .bind(&o.label_da)
                .bind(&o.label_en)
                .bind(o.sort_order)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
        }
        Ok(())
    }

    pub(super) async fn reference_counts(&self) -> StoreResult<ReferenceCounts> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM regions) AS regions, \
             (SELECT COUNT(*) FROM municipalities) AS municipalities, \
             (SELECT COUNT(*) FROM municipality_populations) AS populations, \
             (SELECT COUNT(*) FROM channels) AS channels, \
             (SELECT COUNT(*) FROM inquiry_types) AS inquiry_types, \
             (SELECT COUNT(*) FROM completions) AS completions, \
             (SELECT COUNT(*) FROM kle_entries) AS kle_entries, \
             (SELECT COUNT(*) FROM tasks WHERE municipality_code IS NULL) AS national_tasks, \
             (SELECT COUNT(*) FROM task_packages) AS task_packages, \
             (SELECT COUNT(*) FROM task_package_tasks) AS package_tasks, \
             (SELECT COUNT(*) FROM questions WHERE municipality_code IS NULL) AS national_questions",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(ReferenceCounts {
            regions: get(&row, "regions")?,
            municipalities: get(&row, "municipalities")?,
            populations: get(&row, "populations")?,
            channels: get(&row, "channels")?,
            inquiry_types: get(&row, "inquiry_types")?,
            completions: get(&row, "completions")?,
            kle_entries: get(&row, "kle_entries")?,
            national_tasks: get(&row, "national_tasks")?,
            task_packages: get(&row, "task_packages")?,
            package_tasks: get(&row, "package_tasks")?,
            national_questions: get(&row, "national_questions")?,
        })
    }

    pub(super) async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRow>> {
        let rows = sqlx::query(&format!("{MUNICIPALITY_SELECT} ORDER BY m.code"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(municipality_row).collect()
    }

    pub(super) async fn get_municipality(
        &self,
        code: MunicipalityCode,
    ) -> StoreResult<Option<MunicipalityRow>> {
        let row = sqlx::query(&format!("{MUNICIPALITY_SELECT} WHERE m.code = $1"))
            .bind(code_of(code))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(municipality_row).transpose()
    }

    pub(super) async fn list_populations(
        &self,
        code: MunicipalityCode,
    ) -> StoreResult<Vec<PopulationRow>> {
        let rows = sqlx::query(
            "SELECT year, population FROM municipality_populations \
             WHERE municipality_code = $1 ORDER BY year",
        )
        .bind(code_of(code))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(PopulationRow {
                    year: get(r, "year")?,
                    population: get(r, "population")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_channels(&self) -> StoreResult<Vec<ChannelRow>> {
        let rows = sqlx::query(
            "SELECT code, label_da, label_en, medium, direction, form_applicable, digital, \
             sort_order, active FROM channels ORDER BY sort_order, code",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(ChannelRow {
                    code: channel_from(&get::<String>(r, "code")?)?,
                    label_da: get(r, "label_da")?,
                    label_en: get(r, "label_en")?,
                    medium: Medium::parse(&get::<String>(r, "medium")?)
                        .map_err(|e| corrupt("medie", e))?,
                    direction: Direction::parse(&get::<String>(r, "direction")?)
                        .map_err(|e| corrupt("retning", e))?,
                    form_applicable: get(r, "form_applicable")?,
                    digital: get(r, "digital")?,
                    sort_order: get(r, "sort_order")?,
                    active: get(r, "active")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_inquiry_types(&self) -> StoreResult<Vec<InquiryTypeRow>> {
        let rows = sqlx::query(
            "SELECT code, label_da, label_en, category, sort_order FROM inquiry_types \
             ORDER BY sort_order",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(InquiryTypeRow {
                    inquiry_type: InquiryType::parse(&get::<String>(r, "code")?)
                        .map_err(|e| corrupt("henvendelsestype", e))?,
                    label_da: get(r, "label_da")?,
                    label_en: get(r, "label_en")?,
                    category: InquiryCategory::parse(&get::<String>(r, "category")?)
                        .map_err(|e| corrupt("kategori", e))?,
                    sort_order: get(r, "sort_order")?,
                })
            })
            .collect()
    }

    pub(super) async fn get_kle_entry(
        &self,
        number: &KleNumber,
    ) -> StoreResult<Option<KleEntryRow>> {
        let row = sqlx::query(
            "SELECT number, level, title, parent_number, retired FROM kle_entries WHERE number = $1",
        )
        .bind(number.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(kle_entry_row).transpose()
    }

    pub(super) async fn list_kle_entries(&self) -> StoreResult<Vec<KleEntryRow>> {
        let rows = sqlx::query(
            "SELECT number, level, title, parent_number, retired FROM kle_entries ORDER BY number",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(kle_entry_row).collect()
    }

    pub(super) async fn list_completions(&self) -> StoreResult<Vec<CompletionRow>> {
        let rows = sqlx::query(
            "SELECT code, label_da, label_en, sort_order FROM completions ORDER BY sort_order",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CompletionRow {
                    completion: Completion::parse(&get::<String>(r, "code")?)
                        .map_err(|e| corrupt("afslutning", e))?,
                    label_da: get(r, "label_da")?,
                    label_en: get(r, "label_en")?,
                    sort_order: get(r, "sort_order")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_task_packages(&self) -> StoreResult<Vec<TaskPackageRow>> {
        let rows = sqlx::query(
            "SELECT id, code, name_da, name_en, season, year, description_da FROM task_packages \
             ORDER BY year, season",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let season: String = get(r, "season")?;
                Ok(TaskPackageRow {
                    id: TaskPackageId(get(r, "id")?),
                    code: get(r, "code")?,
                    name_da: get(r, "name_da")?,
                    name_en: get(r, "name_en")?,
                    season: Season::parse(&season).ok_or_else(|| corrupt("sæson", &season))?,
                    year: get(r, "year")?,
                    description_da: get(r, "description_da")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_package_tasks(
        &self,
        package: TaskPackageId,
    ) -> StoreResult<Vec<PackageTaskRow>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS}, pt.mandatory FROM task_package_tasks pt \
             JOIN tasks t ON t.id = pt.task_id WHERE pt.task_package_id = $1 ORDER BY t.kle_number"
        );
        let rows = sqlx::query(&sql)
            .bind(package.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(PackageTaskRow {
                    task: task_row(r)?,
                    mandatory: get(r, "mandatory")?,
                })
            })
            .collect()
    }
}
