// Row mappers and column lists more than one section reads. Included into
// the `queries` module itself (see mod.rs), so every section sees them.

fn task_row(row: &DbRow) -> StoreResult<TaskRow> {
    Ok(TaskRow {
        id: TaskId(get(row, "id")?),
        municipality: opt_municipality(row, "municipality_code")?,
        kle: kle_from(&get::<String>(row, "kle_number")?)?,
        kind: TaskCodeKind::parse(&get::<String>(row, "code_kind")?)
            .map_err(|e| corrupt("opgavetype", e))?,
        name: get(row, "name")?,
        retired: get::<Option<DateTime<Utc>>>(row, "retired_at")?.is_some(),
    })
}

const TASK_COLUMNS: &str =
    "t.id, t.municipality_code, t.kle_number, t.code_kind, t.name, t.retired_at";

fn unit_row(row: &DbRow) -> StoreResult<UnitRow> {
    unit_row_prefixed(row, "")
}

/// A unit from columns named with a prefix (`u_id`, `u_name`, ...).
fn unit_row_prefixed(row: &DbRow, prefix: &str) -> StoreResult<UnitRow> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(UnitRow {
        id: UnitId(get(row, &column("id"))?),
        municipality: municipality_from(get(row, &column("municipality_code"))?)?,
        department: get::<Option<i64>>(row, &column("department_id"))?.map(DepartmentId),
        name: get(row, &column("name"))?,
        login: get(row, &column("login"))?,
        password_hash: get(row, &column("password_hash"))?,
        active: get(row, &column("active"))?,
        last_login_at: get(row, &column("last_login_at"))?,
    })
}

fn municipality_row(r: &DbRow) -> StoreResult<MunicipalityRow> {
    let year: Option<i32> = get(r, "year")?;
    let population: Option<i64> = get(r, "population")?;
    let region: i32 = get(r, "region_code")?;
    Ok(MunicipalityRow {
        code: municipality_from(get(r, "code")?)?,
        name: get(r, "name")?,
        region_code: RegionCode::parse(&region.to_string()).map_err(|e| corrupt("region", e))?,
        region_name: get(r, "region_name")?,
        landsdel: get(r, "landsdel")?,
        iso_3166_2: get(r, "iso_3166_2")?,
        population: year.zip(population),
        test_mode: get(r, "test_mode")?,
        test_mode_until: get(r, "test_mode_until")?,
        setup_version: get(r, "setup_version")?,
    })
}

/// A municipality with its region and its latest population figure.
const MUNICIPALITY_SELECT: &str = "SELECT m.code, m.name, m.region_code, \
     r.name AS region_name, m.landsdel, m.iso_3166_2, m.test_mode, m.test_mode_until, \
     m.setup_version, p.year, p.population \
     FROM municipalities m JOIN regions r ON r.code = m.region_code \
     LEFT JOIN municipality_populations p ON p.municipality_code = m.code AND p.year = \
     (SELECT MAX(year) FROM municipality_populations x WHERE x.municipality_code = m.code)";

fn batch_row(row: &DbRow) -> StoreResult<BatchRow> {
    let status: String = get(row, "status")?;
    let kind: String = get(row, "kind")?;
    let held_at: Option<DateTime<Utc>> = get(row, "held_at")?;
    let status = BatchStatus::parse(&status).ok_or_else(|| corrupt("batchstatus", &status))?;
    Ok(BatchRow {
        id: BatchId(get(row, "id")?),
        municipality: opt_municipality(row, "municipality_code")?,
        kind: BatchKind::parse(&kind).ok_or_else(|| corrupt("batchtype", &kind))?,
        file_name: get(row, "file_name")?,
        sha256: get(row, "sha256")?,
        fingerprint: get(row, "fingerprint")?,
        row_count: get(row, "row_count")?,
        rejected_count: get(row, "rejected_count")?,
        // A held batch is a loading batch waiting for approval.
        status: match (status, held_at) {
            (BatchStatus::Loading, Some(_)) => BatchStatus::Held,
            (status, _) => status,
        },
        errors: get(row, "errors")?,
        created_by: get(row, "created_by")?,
        created_at: get(row, "created_at")?,
        replaces: get::<Option<i64>>(row, "replaces_batch_id")?.map(BatchId),
    })
}

const BATCH_COLUMNS: &str = "id, municipality_code, kind, file_name, sha256, row_count, \
     rejected_count, status, errors, created_by, created_at, held_at, replaces_batch_id, \
     fingerprint";

fn registration_row(row: &DbRow) -> StoreResult<RegistrationRow> {
    let inquiry_type: Option<String> = get(row, "inquiry_type_code")?;
    let completion: Option<String> = get(row, "completion_code")?;
    let source: String = get(row, "source")?;
    Ok(RegistrationRow {
        id: RegistrationId(get(row, "id")?),
        municipality: municipality_from(get(row, "municipality_code")?)?,
        unit: get::<Option<i64>>(row, "unit_id")?.map(UnitId),
        task: TaskId(get(row, "task_id")?),
        channel: channel_from(&get::<String>(row, "channel_code")?)?,
        inquiry_type: inquiry_type
            .map(|t| InquiryType::parse(&t).map_err(|e| corrupt("henvendelsestype", e)))
            .transpose()?,
        completion: completion
            .map(|c| Completion::parse(&c).map_err(|e| corrupt("afslutning", e)))
            .transpose()?,
        has_form: get(row, "has_form")?,
        registered_at: get(row, "registered_at")?,
        day: get(row, "day")?,
        iso_year: get(row, "iso_year")?,
        iso_week: get(row, "iso_week")?,
        hour: get(row, "hour")?,
        duration_ms: get(row, "duration_ms")?,
        quantity: get(row, "quantity")?,
        source: Source::parse(&source).map_err(|e| corrupt("datakilde", e))?,
        batch: get::<Option<i64>>(row, "import_batch_id")?.map(BatchId),
        is_test: get(row, "is_test")?,
        created_at: get(row, "created_at")?,
    })
}

const REGISTRATION_COLUMNS: &str = "id, municipality_code, unit_id, task_id, channel_code, \
     inquiry_type_code, completion_code, has_form, registered_at, day, iso_year, iso_week, hour, \
     duration_ms, quantity, source, import_batch_id, is_test, created_at";

fn total_row(row: &DbRow) -> StoreResult<TotalCountRow> {
    let measure: String = get(row, "measure")?;
    let channel: Option<String> = get(row, "channel_code")?;
    Ok(TotalCountRow {
        id: TotalCountId(get(row, "id")?),
        municipality: municipality_from(get(row, "municipality_code")?)?,
        measure: TotalMeasure::parse(&measure).ok_or_else(|| corrupt("totaltal", &measure))?,
        channel: channel.as_deref().map(channel_from).transpose()?,
        from: get(row, "from_day")?,
        to: get(row, "to_day")?,
        count: get(row, "count")?,
        source: get(row, "source")?,
        batch: get::<Option<i64>>(row, "import_batch_id")?.map(BatchId),
    })
}

/// An audit log row, as `SELECT municipality_code, actor, action, entity,
/// entity_id, before_json, after_json, at` gives it.
fn audit_row(r: &DbRow) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        entry: NewAuditEntry {
            municipality: opt_municipality(r, "municipality_code")?,
            actor: get(r, "actor")?,
            action: get(r, "action")?,
            entity: get(r, "entity")?,
            entity_id: get(r, "entity_id")?,
            before_json: get(r, "before_json")?,
            after_json: get(r, "after_json")?,
        },
        at: get(r, "at")?,
    })
}
