// The one implementation of `komhen_store::Store`, shared by the SQLite and
// PostgreSQL backends through `include!` (see README.md in the folder above).
// Only SQL that both dialects accept belongs here.
//
// This file holds what every section shares (the error policy, value
// conversions, the visibility rule of batches, the set-up version) and the
// one `impl komhen_store::Store` block. Each method of that block hands on,
// in one line, to the inherent method of the same name in the file of its
// section of the trait (inherent methods take precedence over the trait's,
// so `self.name(..)` there calls the section's). Each section is a module of
// its own, so its private helpers stay its own.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use komhen_domain::reference::{AnswerKind, ReferenceData};
use komhen_domain::{
    BatchId, ChannelCode, Completion, CountingPeriod, DepartmentId, Direction, InquiryCategory,
    InquiryType, KleNumber, Medium, MunicipalityCode, NewRegistration, PeriodId, QuestionId,
    QuestionOptionId, RegionCode, RegistrationId, Role, Season, Source, TaskCodeKind, TaskId,
    TaskPackageId, TotalCountId, UnitId, UserId,
};
use komhen_domain::{CdrRuleId, ChannelPriceId, InitiativeId, ScenarioId, SystemTokenId, TargetId};
use komhen_domain::{PagePath, WebPageId};
use komhen_store::Detail;
use komhen_store::PlannedChange;
use komhen_store::SystemTokenRow;
use komhen_store::{
    Aggregate, AggregateRow, Applied, Assignment, BatchCell, CellCount, Column, CompletionRow, Key,
    SetupChange, Table, TestRows, UserGrantRow, UserTokenRow,
};
use komhen_store::{
    AnswerRow, AuditRow, Backend, BatchKind, BatchRow, BatchStatus, ChannelRow, DepartmentRow,
    HourChannelCount, InquiryTypeRow, Inserted, KleEntryRow, MunicipalityCount, MunicipalityRow,
    NewAuditEntry, NewBatch, NewSession, NewTotalCount, PackageTaskRow, PeriodCount, PeriodRow,
    PopulationRow, PublicationRow, QuestionOptionRow, QuestionRow, ReferenceCounts,
    RegistrationChange, RegistrationFilter, RegistrationRow, RoleGrantRow, SessionRow, StoreError,
    StoreResult, TaskPackageRow, TaskRow, TaskUsage, TotalCountRow, TotalMeasure, UnitRow,
    UnitSessionRow, UserRow,
};
use komhen_store::{
    CdrMatch, CdrRuleField, CdrRuleRow, NewCdrRule, TotalEntryRow, TotalOverlap, TotalsCommit,
};
use komhen_store::{ChannelPriceRow, PriceBasis};
use komhen_store::{InitiativeRow, NewInitiative, NewTarget, ScenarioRow, TargetRow};
use komhen_store::{Organisation, OwnStatisticsRow, PeriodNotesRow, TaskCount, WebPageRow};
use sqlx::error::ErrorKind;
use sqlx::{QueryBuilder, Row};

type DbRow = <Db as sqlx::Database>::Row;

/// A transaction on the backend's database.
type Tx<'c> = sqlx::Transaction<'c, Db>;

/// Rows per multi-row INSERT: 17 columns x 1000 stays below both backends'
/// limits on bound parameters (SQLite 32 766, PostgreSQL 65 535).
const INSERT_CHUNK: usize = 1000;

/// Turns a database error into the store's policy: rule violations the
/// caller can explain, everything else internal. The description is
/// komhen's; the driver's error (with its text, table and constraint) is
/// kept as the cause, for the log only. A caller that knows which key or
/// reference it is says so itself (`conflict_as` in `setup/mod.rs`).
pub(crate) fn db_err(error: sqlx::Error) -> StoreError {
    if unreachable(&error) {
        return StoreError::Unavailable(Detail::caused_by("databasen kunne ikke nås", error));
    }
    let kind = match &error {
        sqlx::Error::Database(db) => Some(db.kind()),
        _ => None,
    };
    match kind {
        Some(ErrorKind::UniqueViolation) => {
            StoreError::Conflict(Detail::caused_by("en post med de samme oplysninger", error))
        }
        Some(ErrorKind::ForeignKeyViolation) => {
            StoreError::NotFound(Detail::caused_by("det, som ændringen henviser til", error))
        }
        Some(ErrorKind::CheckViolation | ErrorKind::NotNullViolation) => StoreError::Invalid(
            Detail::caused_by("en værdi, som databasen ikke tillader", error),
        ),
        _ => StoreError::Internal(Detail::caused_by("databasen kunne ikke svare", error)),
    }
}

/// The database could not be reached, or refused work because it is
/// stopping or starting: the connection's own failures (SQLSTATE class 08)
/// and PostgreSQL's shutdown and start-up refusals (57P01–57P03).
fn unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// A stored value that no longer parses: the database was changed behind
/// komhen's back. Internal, because no user can fix it.
fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(Detail::caused_by(
        format!("ugyldig værdi i databasen ({what})"),
        error.to_string(),
    ))
}

fn get<'r, T>(row: &'r DbRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(column).map_err(db_err)
}

fn code_of(municipality: MunicipalityCode) -> i32 {
    i32::from(municipality.get())
}

fn municipality_from(value: i32) -> StoreResult<MunicipalityCode> {
    u16::try_from(value)
        .map_err(|e| corrupt("kommunekode", e))
        .and_then(|v| MunicipalityCode::new(v).map_err(|e| corrupt("kommunekode", e)))
}

fn opt_municipality(row: &DbRow, column: &str) -> StoreResult<Option<MunicipalityCode>> {
    get::<Option<i32>>(row, column)?
        .map(municipality_from)
        .transpose()
}

fn kle_from(value: &str) -> StoreResult<KleNumber> {
    KleNumber::parse(value).map_err(|e| corrupt("KLE", e))
}

fn channel_from(value: &str) -> StoreResult<ChannelCode> {
    ChannelCode::parse(value).map_err(|e| corrupt("kanal", e))
}

/// Registrations every figure counts: typed in the tool, or from a batch
/// that is committed. A batch's rows are written while it is `loading`
/// (chunk by chunk, so a long import never blocks the registration tool)
/// and appear all at once when it is committed; the rows of a deleted or
/// replaced batch vanish at once and are removed afterwards. The set of
/// batches not committed is small, so this costs one tiny lookup.
const VISIBLE: &str = "(import_batch_id IS NULL OR import_batch_id NOT IN \
     (SELECT id FROM import_batches WHERE status <> 'committed'))";

/// Totals every figure and list counts: stored without a batch, or of a
/// committed batch (as [`VISIBLE`] for registrations): a staged batch's
/// totals appear when it is committed, a deleted batch's vanish at once.
const T_VISIBLE: &str = "(t.import_batch_id IS NULL OR t.import_batch_id NOT IN \
     (SELECT id FROM import_batches WHERE status <> 'committed'))";

/// Raises the set-up version of one municipality, or of all for a national
/// change, so cached unit catalogues are reloaded (see the migration
/// `add_setup_version`). Every write to what units may register calls it in
/// the same transaction as the change.
async fn bump_setup_version<'e, E>(
    executor: E,
    municipality: Option<MunicipalityCode>,
) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    sqlx::query(
        "UPDATE municipalities SET setup_version = setup_version + 1 \
         WHERE $1 IS NULL OR code = $1",
    )
    .bind(municipality.map(code_of))
    .execute(executor)
    .await
    .map_err(db_err)?;
    Ok(())
}

include!("rows.rs");

mod setup {
    include!("setup/mod.rs");
}
mod reference {
    include!("reference.rs");
}
mod tasks {
    include!("tasks.rs");
}
mod organisation {
    include!("organisation.rs");
}
mod questions {
    include!("questions.rs");
}
mod periods {
    include!("periods.rs");
}
// PostgreSQL saves each registration alone (`save_alone`), SQLite in groups.
#[allow(unused_imports)]
pub(crate) use registrations::{save_alone, save_group};

mod registrations {
    include!("registrations.rs");
}
mod batches {
    include!("batches.rs");
}
mod aggregate {
    include!("aggregate.rs");
}
mod sessions {
    include!("sessions.rs");
}
mod totals {
    include!("totals.rs");
}
mod website {
    include!("website.rs");
}
mod systems {
    include!("systems.rs");
}
mod total_batches {
    include!("total_batches.rs");
}
mod prices {
    include!("prices.rs");
}
mod strategy {
    include!("strategy.rs");
}
mod hotline {
    include!("hotline.rs");
}
mod mail {
    include!("mail.rs");
}
mod questionnaires {
    include!("questionnaires.rs");
}

// SQLite's bulk path; PostgreSQL loads by `COPY` in its own crate.
#[allow(unused_imports)]
pub(crate) use batches::insert_many;
use registrations::{cube_apply, insert_one};

#[async_trait]
impl komhen_store::Store for Store {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn migrate(&self) -> StoreResult<()> {
        run_migrations(&self.writer).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn apply(&self, change: &SetupChange, audit: &NewAuditEntry) -> StoreResult<Applied> {
        self.apply(change, audit).await
    }

    async fn apply_all(&self, plan: &[PlannedChange]) -> StoreResult<Vec<Applied>> {
        self.apply_all(plan).await
    }

    async fn apply_reference_data(&self, data: &ReferenceData) -> StoreResult<()> {
        self.apply_reference_data(data).await
    }

    async fn reference_counts(&self) -> StoreResult<ReferenceCounts> {
        self.reference_counts().await
    }

    async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRow>> {
        self.list_municipalities().await
    }

    async fn get_municipality(
        &self,
        code: MunicipalityCode,
    ) -> StoreResult<Option<MunicipalityRow>> {
        self.get_municipality(code).await
    }

    async fn list_populations(&self, code: MunicipalityCode) -> StoreResult<Vec<PopulationRow>> {
        self.list_populations(code).await
    }

    async fn list_channels(&self) -> StoreResult<Vec<ChannelRow>> {
        self.list_channels().await
    }

    async fn list_inquiry_types(&self) -> StoreResult<Vec<InquiryTypeRow>> {
        self.list_inquiry_types().await
    }

    async fn get_kle_entry(&self, number: &KleNumber) -> StoreResult<Option<KleEntryRow>> {
        self.get_kle_entry(number).await
    }

    async fn list_kle_entries(&self) -> StoreResult<Vec<KleEntryRow>> {
        self.list_kle_entries().await
    }

    async fn list_completions(&self) -> StoreResult<Vec<CompletionRow>> {
        self.list_completions().await
    }

    async fn list_task_packages(&self) -> StoreResult<Vec<TaskPackageRow>> {
        self.list_task_packages().await
    }

    async fn list_package_tasks(&self, package: TaskPackageId) -> StoreResult<Vec<PackageTaskRow>> {
        self.list_package_tasks(package).await
    }

    async fn list_tasks(&self, municipality: MunicipalityCode) -> StoreResult<Vec<TaskRow>> {
        self.list_tasks(municipality).await
    }

    async fn list_national_tasks(&self) -> StoreResult<Vec<TaskRow>> {
        self.list_national_tasks().await
    }

    async fn list_departments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<DepartmentRow>> {
        self.list_departments(municipality).await
    }

    async fn list_units(&self, municipality: MunicipalityCode) -> StoreResult<Vec<UnitRow>> {
        self.list_units(municipality).await
    }

    async fn list_organisation_everywhere(&self) -> StoreResult<Organisation> {
        self.list_organisation_everywhere().await
    }

    async fn get_unit(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Option<UnitRow>> {
        self.get_unit(municipality, unit).await
    }

    async fn list_assignments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<Assignment>> {
        self.list_assignments(municipality).await
    }

    async fn count_active_units(&self) -> StoreResult<i64> {
        self.count_active_units().await
    }

    async fn count_active_units_by_municipality(
        &self,
    ) -> StoreResult<Vec<(MunicipalityCode, i64)>> {
        self.count_active_units_by_municipality().await
    }

    async fn find_unit_by_login(&self, login: &str) -> StoreResult<Option<UnitRow>> {
        self.find_unit_by_login(login).await
    }

    async fn list_unit_tasks(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<TaskRow>> {
        self.list_unit_tasks(municipality, unit).await
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        self.find_user_by_email(email).await
    }

    async fn get_user(&self, user: UserId) -> StoreResult<Option<UserRow>> {
        self.get_user(user).await
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        self.list_users().await
    }

    async fn list_grants(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<UserGrantRow>> {
        self.list_grants(municipality).await
    }

    async fn record_user_login(&self, user: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.record_user_login(user, at).await
    }

    async fn set_user_lang(&self, user: UserId, lang: &str) -> StoreResult<()> {
        self.set_user_lang(user, lang).await
    }

    async fn find_user_token(&self, token_hash: &str) -> StoreResult<Option<UserTokenRow>> {
        self.find_user_token(token_hash).await
    }

    async fn list_user_roles(&self, user: UserId) -> StoreResult<Vec<RoleGrantRow>> {
        self.list_user_roles(user).await
    }

    async fn list_municipality_users(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<UserRow>> {
        self.list_municipality_users(municipality).await
    }

    async fn list_questions(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.list_questions(municipality).await
    }

    async fn list_national_questions(&self) -> StoreResult<Vec<QuestionRow>> {
        self.list_national_questions().await
    }

    async fn list_all_questions(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.list_all_questions(municipality).await
    }

    async fn list_unit_questions(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<QuestionRow>> {
        self.list_unit_questions(municipality, unit).await
    }

    async fn list_periods(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<PeriodRow>> {
        self.list_periods(municipality).await
    }

    async fn list_publications(&self, period: PeriodId) -> StoreResult<Vec<PublicationRow>> {
        self.list_publications(period).await
    }

    async fn list_participations(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<PeriodId>> {
        self.list_participations(municipality).await
    }

    async fn list_period_units(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Vec<UnitId>> {
        self.list_period_units(municipality, period).await
    }

    async fn insert_registration(&self, registration: &NewRegistration) -> StoreResult<Inserted> {
        self.insert_registration(registration).await
    }

    async fn create_batch(&self, batch: &NewBatch) -> StoreResult<BatchId> {
        self.create_batch(batch).await
    }

    async fn append_to_batch(&self, batch: BatchId, rows: &[NewRegistration]) -> StoreResult<u64> {
        self.append_to_batch(batch, rows).await
    }

    async fn commit_batch(&self, batch: BatchId, replaces: &[BatchId]) -> StoreResult<BatchRow> {
        self.commit_batch(batch, replaces).await
    }

    async fn hold_batch(
        &self,
        batch: BatchId,
        replaces: Option<BatchId>,
        at: DateTime<Utc>,
        why: &str,
    ) -> StoreResult<BatchRow> {
        self.hold_batch(batch, replaces, at, why).await
    }

    async fn batch_days(&self, batch: BatchId) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
        self.batch_days(batch).await
    }

    async fn list_held_batches(&self) -> StoreResult<Vec<BatchRow>> {
        self.list_held_batches().await
    }

    async fn delete_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<u64> {
        self.delete_batch(municipality, batch).await
    }

    async fn tool_cells(
        &self,
        municipality: MunicipalityCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<CellCount>> {
        self.tool_cells(municipality, from, to).await
    }

    async fn batch_cells(
        &self,
        municipality: MunicipalityCode,
        kinds: &[BatchKind],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<BatchCell>> {
        self.batch_cells(municipality, kinds, from, to).await
    }

    async fn list_batches(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<BatchRow>> {
        self.list_batches(municipality).await
    }

    async fn batch_counts(
        &self,
        municipality: MunicipalityCode,
        batch: BatchId,
    ) -> StoreResult<Vec<(ChannelCode, i64)>> {
        self.batch_counts(municipality, batch).await
    }

    async fn find_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        kind: BatchKind,
        sha256: &str,
        fingerprint: Option<&str>,
    ) -> StoreResult<Option<BatchRow>> {
        self.find_batch(municipality, kind, sha256, fingerprint)
            .await
    }

    async fn list_registrations(
        &self,
        municipality: MunicipalityCode,
        filter: &RegistrationFilter,
    ) -> StoreResult<Vec<RegistrationRow>> {
        self.list_registrations(municipality, filter).await
    }

    async fn list_answers(
        &self,
        municipality: MunicipalityCode,
        registration: RegistrationId,
    ) -> StoreResult<Vec<AnswerRow>> {
        self.list_answers(municipality, registration).await
    }

    async fn list_answers_between(
        &self,
        municipality: MunicipalityCode,
        first: RegistrationId,
        last: RegistrationId,
    ) -> StoreResult<Vec<(RegistrationId, AnswerRow)>> {
        self.list_answers_between(municipality, first, last).await
    }

    async fn count_test_registrations(&self, municipality: MunicipalityCode) -> StoreResult<i64> {
        self.count_test_registrations(municipality).await
    }

    async fn count_by_municipality(&self) -> StoreResult<Vec<MunicipalityCount>> {
        self.count_by_municipality().await
    }

    async fn count_by_period(&self) -> StoreResult<Vec<PeriodCount>> {
        self.count_by_period().await
    }

    async fn list_comparison_group(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<MunicipalityCode>> {
        self.list_comparison_group(municipality).await
    }

    async fn list_channel_prices(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<ChannelPriceRow>> {
        self.list_channel_prices(municipality).await
    }

    async fn list_all_channel_prices(&self) -> StoreResult<Vec<ChannelPriceRow>> {
        self.list_all_channel_prices().await
    }

    async fn list_scenarios(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<ScenarioRow>> {
        self.list_scenarios(municipality).await
    }

    async fn list_targets(&self, municipality: MunicipalityCode) -> StoreResult<Vec<TargetRow>> {
        self.list_targets(municipality).await
    }

    async fn list_initiatives(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<InitiativeRow>> {
        self.list_initiatives(municipality).await
    }

    async fn find_period_notes(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Option<PeriodNotesRow>> {
        self.find_period_notes(municipality, period).await
    }

    async fn select_registrations(
        &self,
        query: &Aggregate,
        after: Option<RegistrationId>,
        limit: u32,
    ) -> StoreResult<Vec<RegistrationRow>> {
        self.select_registrations(query, after, limit).await
    }

    async fn aggregate(&self, query: &Aggregate) -> StoreResult<Vec<AggregateRow>> {
        self.aggregate(query).await
    }

    async fn get_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<Option<RegistrationRow>> {
        self.get_registration(municipality, id).await
    }

    async fn delete_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<bool> {
        self.delete_registration(municipality, id).await
    }

    async fn update_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
        change: &RegistrationChange,
    ) -> StoreResult<()> {
        self.update_registration(municipality, id, change).await
    }

    async fn unit_task_usage(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        since: NaiveDate,
    ) -> StoreResult<Vec<TaskUsage>> {
        self.unit_task_usage(municipality, unit, since).await
    }

    async fn unit_day_counts(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        day: NaiveDate,
    ) -> StoreResult<Vec<HourChannelCount>> {
        self.unit_day_counts(municipality, unit, day).await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        self.create_session(session).await
    }

    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRow>> {
        self.find_session(token_hash, now).await
    }

    async fn find_unit_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UnitSessionRow>> {
        self.find_unit_session(token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.delete_session(token_hash).await
    }

    async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        throttles_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.prune_sessions(now, throttles_before).await
    }

    async fn login_locked_until(
        &self,
        login: &str,
        address: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        self.login_locked_until(login, address).await
    }

    async fn record_login_failure(
        &self,
        login: &str,
        address: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<i64> {
        self.record_login_failure(login, address, at, forget_before)
            .await
    }

    async fn count_failing_logins(&self, address: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        self.count_failing_logins(address, since).await
    }

    async fn lock_login(
        &self,
        login: Option<&str>,
        address: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.lock_login(login, address, until).await
    }

    async fn clear_login_failures(&self, login: &str, address: &str) -> StoreResult<()> {
        self.clear_login_failures(login, address).await
    }

    async fn record_unit_login(&self, unit: UnitId, at: DateTime<Utc>) -> StoreResult<()> {
        self.record_unit_login(unit, at).await
    }

    async fn insert_total_count(&self, total: &NewTotalCount) -> StoreResult<TotalCountId> {
        self.insert_total_count(total).await
    }

    async fn list_total_counts(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<TotalCountRow>> {
        self.list_total_counts(municipality).await
    }

    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        self.append_audit(entry).await
    }

    async fn list_audit(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>> {
        self.list_audit(municipality, limit).await
    }

    async fn list_web_pages(&self, municipality: MunicipalityCode) -> StoreResult<Vec<WebPageRow>> {
        self.list_web_pages(municipality).await
    }

    async fn list_own_statistics(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<OwnStatisticsRow>> {
        self.list_own_statistics(municipality).await
    }

    async fn count_channel_by_task(
        &self,
        municipality: MunicipalityCode,
        channel: &ChannelCode,
    ) -> StoreResult<Vec<TaskCount>> {
        self.count_channel_by_task(municipality, channel).await
    }

    async fn list_system_tokens(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<SystemTokenRow>> {
        self.list_system_tokens(municipality).await
    }

    async fn use_system_token(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<SystemTokenRow>> {
        self.use_system_token(token_hash, at).await
    }

    async fn find_batch_named(
        &self,
        municipality: MunicipalityCode,
        kind: BatchKind,
        file_name: &str,
    ) -> StoreResult<Option<BatchRow>> {
        self.find_batch_named(municipality, kind, file_name).await
    }

    async fn stage_totals(
        &self,
        batch: &NewBatch,
        totals: &[NewTotalCount],
    ) -> StoreResult<BatchId> {
        self.stage_totals(batch, totals).await
    }

    async fn commit_totals(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<TotalsCommit> {
        self.commit_totals(municipality, batch).await
    }

    async fn find_total_overlaps(
        &self,
        totals: &[NewTotalCount],
    ) -> StoreResult<Vec<TotalOverlap>> {
        self.find_total_overlaps(totals).await
    }

    async fn list_totals(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<TotalEntryRow>> {
        self.list_totals(municipality).await
    }

    async fn list_cdr_rules(&self, municipality: MunicipalityCode) -> StoreResult<Vec<CdrRuleRow>> {
        self.list_cdr_rules(municipality).await
    }

    async fn list_period_deadlines(
        &self,
        period: PeriodId,
    ) -> StoreResult<Vec<komhen_store::PeriodDeadline>> {
        self.list_period_deadlines(period).await
    }

    async fn period_submissions(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<komhen_store::SubmissionRow>> {
        self.period_submissions(municipality, from, to).await
    }

    async fn period_totals_entered(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<komhen_store::TotalsEnteredRow>> {
        self.period_totals_entered(municipality, from, to).await
    }

    async fn list_questionnaires(
        &self,
        period: Option<PeriodId>,
    ) -> StoreResult<Vec<komhen_store::QuestionnaireRow>> {
        self.list_questionnaires(period).await
    }

    async fn get_questionnaire(
        &self,
        questionnaire: komhen_domain::QuestionnaireId,
    ) -> StoreResult<Option<komhen_store::QuestionnaireRow>> {
        self.get_questionnaire(questionnaire).await
    }

    async fn list_questionnaire_questions(
        &self,
        questionnaire: komhen_domain::QuestionnaireId,
    ) -> StoreResult<Vec<komhen_store::QuestionnaireQuestionRow>> {
        self.list_questionnaire_questions(questionnaire).await
    }

    async fn list_questionnaire_responses(
        &self,
        questionnaire: komhen_domain::QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<komhen_store::QuestionnaireResponseRow>> {
        self.list_questionnaire_responses(questionnaire, municipality)
            .await
    }

    async fn list_questionnaire_answers(
        &self,
        questionnaire: komhen_domain::QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<komhen_store::QuestionnaireAnswerRow>> {
        self.list_questionnaire_answers(questionnaire, municipality)
            .await
    }

    async fn list_questionnaire_sends(
        &self,
        questionnaire: komhen_domain::QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<komhen_store::QuestionnaireSendRow>> {
        self.list_questionnaire_sends(questionnaire, municipality)
            .await
    }

    async fn list_unit_questionnaires(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<komhen_store::UnitQuestionnaireRow>> {
        self.list_unit_questionnaires(municipality, unit).await
    }

    async fn list_hotlines(&self) -> StoreResult<Vec<komhen_store::HotlineRow>> {
        self.list_hotlines().await
    }

    async fn get_hotline(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Option<komhen_store::HotlineRow>> {
        self.get_hotline(hotline).await
    }

    async fn list_hotline_members(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::HotlineMemberRow>> {
        self.list_hotline_members(hotline).await
    }

    async fn list_opening_hours(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::OpeningRow>> {
        self.list_opening_hours(hotline).await
    }

    async fn list_hotline_roles(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::HotlineRoleRow>> {
        self.list_hotline_roles(hotline).await
    }

    async fn list_user_hotlines(
        &self,
        user: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<komhen_store::HotlineGrant>> {
        self.list_user_hotlines(user, day).await
    }

    async fn list_hotline_prices(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::HotlinePriceRow>> {
        self.list_hotline_prices(hotline).await
    }

    async fn list_shifts(
        &self,
        hotline: komhen_domain::HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<komhen_store::ShiftRow>> {
        self.list_shifts(hotline, from, to).await
    }

    async fn list_statements(
        &self,
        hotline: komhen_domain::HotlineId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<komhen_store::StatementRow>> {
        self.list_statements(hotline, municipality).await
    }

    async fn store_calls(
        &self,
        batch: &komhen_store::NewCallBatch,
        calls: &[komhen_domain::hotline::Call],
        audit: &NewAuditEntry,
    ) -> StoreResult<komhen_store::CallsStored> {
        self.store_calls(batch, calls, audit).await
    }

    async fn list_call_batches(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::CallBatchRow>> {
        self.list_call_batches(hotline).await
    }

    async fn list_calls(
        &self,
        hotline: komhen_domain::HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<komhen_domain::hotline::Call>> {
        self.list_calls(hotline, from, to).await
    }

    async fn hotline_of_unit(
        &self,
        unit: komhen_domain::UnitId,
    ) -> StoreResult<Option<komhen_domain::HotlineId>> {
        self.hotline_of_unit(unit).await
    }

    async fn list_hotline_units(
        &self,
        hotline: komhen_domain::HotlineId,
    ) -> StoreResult<Vec<komhen_store::HotlineUnitRow>> {
        self.list_hotline_units(hotline).await
    }

    async fn insert_hotline_registration(
        &self,
        registration: &NewRegistration,
        link: &komhen_store::HotlineRegistration,
    ) -> StoreResult<Inserted> {
        self.insert_hotline_registration(registration, link).await
    }

    async fn list_hotline_registrations(
        &self,
        filter: &komhen_store::HotlineRegistrationFilter,
    ) -> StoreResult<Vec<komhen_store::HotlineRegistrationRow>> {
        self.list_hotline_registrations(filter).await
    }

    async fn get_hotline_registration(
        &self,
        registration: RegistrationId,
    ) -> StoreResult<Option<komhen_store::HotlineRegistrationRow>> {
        self.get_hotline_registration(registration).await
    }

    async fn list_hotline_audit(
        &self,
        hotline: komhen_domain::HotlineId,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        self.list_hotline_audit(hotline, limit).await
    }

    async fn enqueue_mail(&self, mail: &komhen_store::NewMail) -> StoreResult<Option<i64>> {
        self.enqueue_mail(mail).await
    }

    async fn list_mails(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: i64,
    ) -> StoreResult<Vec<komhen_store::MailRow>> {
        self.list_mails(municipality, limit).await
    }

    async fn pending_mails(
        &self,
        max_attempts: i64,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<komhen_store::MailRow>> {
        self.pending_mails(max_attempts, stale_before, limit).await
    }

    async fn claim_mail(
        &self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.claim_mail(id, at, stale_before).await
    }

    async fn finish_mail(&self, id: i64, outcome: &komhen_store::MailOutcome) -> StoreResult<()> {
        self.finish_mail(id, outcome).await
    }
}
