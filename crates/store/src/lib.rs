//! The storage port of komhen: the [`Store`] trait every backend implements,
//! the values it takes (`New*`) and returns (`*Row`), and its error type. The
//! conformance suite every backend must pass is the crate
//! `komhen-store-conformance`, used only by tests.
//!
//! Must not know SQL or any database crate: the backends (`store-sqlite`,
//! `store-postgres`) do. Tenant rule: every method that reads tenant data
//! takes the municipality it reads for and returns only that municipality's
//! rows; the conformance suite proves it for each backend.

mod batch;
mod cycle;
mod error;
mod hotline;
mod mail;
mod prices;
mod questionnaire;
mod report;
mod rows;
mod setup;
mod strategy;
mod totals;
mod website;

pub use batch::*;
pub use cycle::*;
pub use error::{Cause, Detail, StoreError, StoreResult};
pub use hotline::*;
pub use mail::*;
pub use prices::*;
pub use questionnaire::*;
pub use report::*;
pub use rows::*;
pub use setup::*;
pub use strategy::*;
pub use totals::*;
pub use website::*;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::reference::ReferenceData;
use komhen_domain::{
    BatchId, ChannelCode, HotlineId, KleNumber, MunicipalityCode, NewRegistration, PeriodId,
    QuestionnaireId, RegistrationId, TaskPackageId, TotalCountId, UnitId, UserId,
};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Everything komhen reads and writes. One implementation per backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Brings the schema up to date. Safe to run on every start.
    async fn migrate(&self) -> StoreResult<()>;

    /// Answers when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // --- set-up -------------------------------------------------------------

    /// Applies one change to set-up data with its audit entry, in one
    /// transaction (see [`SetupChange`]). `audit.entity_id` may be empty for
    /// a create: the new row's id is filled in.
    async fn apply(&self, change: &SetupChange, audit: &NewAuditEntry) -> StoreResult<Applied>;

    /// Applies a plan of changes in order, each with its audit entry, in
    /// one transaction: all or none (see [`PlannedChange`] for how a step
    /// names a row an earlier step created). Returns what each step did.
    async fn apply_all(&self, plan: &[PlannedChange]) -> StoreResult<Vec<Applied>>;

    // --- reference data -----------------------------------------------------

    /// Loads the national reference data in one transaction. Regions,
    /// municipalities and populations are inserted or updated; the catalogue
    /// (code lists, KLE, task packages, national questions) is inserted only
    /// where missing, so the national administrator's edits survive a later
    /// load. Idempotent: applying the same data twice changes nothing.
    async fn apply_reference_data(&self, data: &ReferenceData) -> StoreResult<()>;

    async fn reference_counts(&self) -> StoreResult<ReferenceCounts>;

    /// All municipalities with region and latest population, by code.
    async fn list_municipalities(&self) -> StoreResult<Vec<MunicipalityRow>>;

    async fn get_municipality(
        &self,
        code: MunicipalityCode,
    ) -> StoreResult<Option<MunicipalityRow>>;

    /// Population per year, oldest first.
    async fn list_populations(&self, code: MunicipalityCode) -> StoreResult<Vec<PopulationRow>>;

    async fn list_channels(&self) -> StoreResult<Vec<ChannelRow>>;

    async fn list_inquiry_types(&self) -> StoreResult<Vec<InquiryTypeRow>>;

    async fn get_kle_entry(&self, number: &KleNumber) -> StoreResult<Option<KleEntryRow>>;

    /// The whole KLE catalogue, by number.
    async fn list_kle_entries(&self) -> StoreResult<Vec<KleEntryRow>>;

    async fn list_completions(&self) -> StoreResult<Vec<CompletionRow>>;

    async fn list_task_packages(&self) -> StoreResult<Vec<TaskPackageRow>>;

    async fn list_package_tasks(&self, package: TaskPackageId) -> StoreResult<Vec<PackageTaskRow>>;

    // --- tasks --------------------------------------------------------------

    /// The national tasks and the municipality's own, by KLE number,
    /// retired ones included (marked).
    async fn list_tasks(&self, municipality: MunicipalityCode) -> StoreResult<Vec<TaskRow>>;

    /// The national tasks alone, retired ones included.
    async fn list_national_tasks(&self) -> StoreResult<Vec<TaskRow>>;

    // --- organisation -------------------------------------------------------

    async fn list_departments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<DepartmentRow>>;

    /// The municipality's units, inactive ones included, by name.
    async fn list_units(&self, municipality: MunicipalityCode) -> StoreResult<Vec<UnitRow>>;

    /// Every municipality's units, departments and tasks (national and
    /// local), in one query each: the names of a national report.
    async fn list_organisation_everywhere(&self) -> StoreResult<Organisation>;

    async fn get_unit(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Option<UnitRow>>;

    /// Every unit-task assignment of the municipality.
    async fn list_assignments(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<Assignment>>;

    /// Active units across the country (a national figure, no unit detail).
    async fn count_active_units(&self) -> StoreResult<i64>;

    /// Active units per municipality (municipalities without any left out):
    /// the national portal's participation figures.
    async fn count_active_units_by_municipality(&self)
        -> StoreResult<Vec<(MunicipalityCode, i64)>>;

    /// A unit by its login (`259sek`). Logins are unique across the country,
    /// so this is how a unit's municipality is found at login.
    async fn find_unit_by_login(&self, login: &str) -> StoreResult<Option<UnitRow>>;

    async fn list_unit_tasks(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<TaskRow>>;

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;

    async fn get_user(&self, user: UserId) -> StoreResult<Option<UserRow>>;

    /// Every user, by e-mail (the national administrator's list).
    async fn list_users(&self) -> StoreResult<Vec<UserRow>>;

    /// The role grants in a municipality, or all grants for None.
    async fn list_grants(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<UserGrantRow>>;

    async fn record_user_login(&self, user: UserId, at: DateTime<Utc>) -> StoreResult<()>;

    /// Keeps the language the user chose for the pages (`da` or `en`).
    async fn set_user_lang(&self, user: UserId, lang: &str) -> StoreResult<()>;

    async fn find_user_token(&self, token_hash: &str) -> StoreResult<Option<UserTokenRow>>;

    async fn list_user_roles(&self, user: UserId) -> StoreResult<Vec<RoleGrantRow>>;

    /// The users that hold a role in the municipality.
    async fn list_municipality_users(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<UserRow>>;

    // --- questions ----------------------------------------------------------

    /// The national questions and the municipality's own, with options.
    async fn list_questions(&self, municipality: MunicipalityCode)
        -> StoreResult<Vec<QuestionRow>>;

    /// The active questions switched on for the unit.
    async fn list_unit_questions(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<QuestionRow>>;

    /// The national questions (optional parameters), with options.
    async fn list_national_questions(&self) -> StoreResult<Vec<QuestionRow>>;

    /// The national questions and the municipality's own, switched-off ones
    /// included (for set-up pages).
    async fn list_all_questions(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<QuestionRow>>;

    // --- periods ------------------------------------------------------------

    /// National periods and, given a municipality, its own; newest first.
    async fn list_periods(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<PeriodRow>>;

    /// The publications of a national period (the figures the public saw),
    /// newest first.
    async fn list_publications(&self, period: PeriodId) -> StoreResult<Vec<PublicationRow>>;

    async fn list_participations(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<PeriodId>>;

    /// The units named to count in a period (empty: all active units count).
    async fn list_period_units(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Vec<UnitId>>;

    // --- registrations ------------------------------------------------------

    /// Stores one registration and its answers. A repeated idempotency key
    /// stores nothing and returns the first registration's id.
    async fn insert_registration(&self, registration: &NewRegistration) -> StoreResult<Inserted>;

    /// Opens a batch in status `loading`.
    async fn create_batch(&self, batch: &NewBatch) -> StoreResult<BatchId>;

    /// Adds rows to a loading batch in one transaction: all of them or none.
    async fn append_to_batch(&self, batch: BatchId, rows: &[NewRegistration]) -> StoreResult<u64>;

    /// Marks a loading batch committed: its rows appear in every figure at
    /// once. The `replaces` batches (committed, of the same municipality)
    /// are marked replaced in the same transaction (their rows vanish at
    /// once; remove them with [`Store::delete_batch`]); should one of them
    /// no longer be committed, nothing changes.
    async fn commit_batch(&self, batch: BatchId, replaces: &[BatchId]) -> StoreResult<BatchRow>;

    /// Holds a loading batch back as a correction of a published period: its
    /// rows stay stored and invisible (it is no longer taken for an
    /// interrupted load) until [`Store::commit_batch`] approves it, with
    /// `replaces` kept for that moment and `why` as the batch's note.
    async fn hold_batch(
        &self,
        batch: BatchId,
        replaces: Option<BatchId>,
        at: DateTime<Utc>,
        why: &str,
    ) -> StoreResult<BatchRow>;

    /// The first and last day a batch's registrations and total counts
    /// cover, or None for an empty batch.
    async fn batch_days(&self, batch: BatchId) -> StoreResult<Option<(NaiveDate, NaiveDate)>>;

    /// Every municipality's and the central held batches, oldest first.
    async fn list_held_batches(&self) -> StoreResult<Vec<BatchRow>>;

    /// Marks a batch deleted (its rows vanish from every figure at once) and
    /// removes its registrations in short transactions, so the registration
    /// tool is never blocked; also removes its total counts. Works on a
    /// replaced batch too. Returns the number of registrations removed.
    async fn delete_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<u64>;

    /// Batches of a municipality (or the central ones for None), newest first.
    async fn list_batches(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<BatchRow>>;

    /// Inquiries (sum of quantity) per channel in one batch of the
    /// municipality, whatever its status.
    async fn batch_counts(
        &self,
        municipality: MunicipalityCode,
        batch: BatchId,
    ) -> StoreResult<Vec<(ChannelCode, i64)>>;

    /// A committed or loading batch of that kind with that file hash, or
    /// (when given) with that fingerprint of its rows; the newest.
    async fn find_batch(
        &self,
        municipality: Option<MunicipalityCode>,
        kind: BatchKind,
        sha256: &str,
        fingerprint: Option<&str>,
    ) -> StoreResult<Option<BatchRow>>;

    async fn list_registrations(
        &self,
        municipality: MunicipalityCode,
        filter: &RegistrationFilter,
    ) -> StoreResult<Vec<RegistrationRow>>;

    /// The inquiries units registered themselves (tool and paper), per unit,
    /// channel and day within the dates: what an upload could count twice.
    async fn tool_cells(
        &self,
        municipality: MunicipalityCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<CellCount>>;

    /// The rows of the municipality's committed batches of those kinds,
    /// counted per batch, unit, task, channel and day within the dates:
    /// what a new file's rows could repeat.
    async fn batch_cells(
        &self,
        municipality: MunicipalityCode,
        kinds: &[BatchKind],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<BatchCell>>;

    async fn list_answers(
        &self,
        municipality: MunicipalityCode,
        registration: RegistrationId,
    ) -> StoreResult<Vec<AnswerRow>>;

    /// The answers of the municipality's registrations with ids from
    /// `first` to `last` (both included), by registration id: a page of an
    /// extract reads its answers in one query.
    async fn list_answers_between(
        &self,
        municipality: MunicipalityCode,
        first: RegistrationId,
        last: RegistrationId,
    ) -> StoreResult<Vec<(RegistrationId, AnswerRow)>>;

    /// The municipality's test registrations (rows, not inquiries).
    async fn count_test_registrations(&self, municipality: MunicipalityCode) -> StoreResult<i64>;

    /// Inquiries (sum of quantity) per municipality, all municipalities,
    /// test registrations excluded.
    async fn count_by_municipality(&self) -> StoreResult<Vec<MunicipalityCount>>;

    /// Inquiries (sum of quantity) per national period, test excluded.
    async fn count_by_period(&self) -> StoreResult<Vec<PeriodCount>>;

    /// The report engine's one query: the registrations that count,
    /// filtered, grouped and summed (see [`Aggregate`]); from the cube
    /// unless the query needs the registrations themselves.
    async fn aggregate(&self, query: &Aggregate) -> StoreResult<Vec<AggregateRow>>;

    /// The registrations behind an aggregate's filters (its grouping and
    /// table are ignored), in id order after `after`, at most `limit`:
    /// drill-downs and extracts page through them at constant memory.
    async fn select_registrations(
        &self,
        query: &Aggregate,
        after: Option<RegistrationId>,
        limit: u32,
    ) -> StoreResult<Vec<RegistrationRow>>;

    /// The channel prices that can apply to a municipality's inquiries: the
    /// national list and, with a municipality, its own prices; every date,
    /// oldest first (`None`: the national list alone).
    async fn list_channel_prices(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<ChannelPriceRow>>;

    /// Every channel price: the national list and every municipality's own
    /// (for national figures), oldest first.
    async fn list_all_channel_prices(&self) -> StoreResult<Vec<ChannelPriceRow>>;

    /// The municipality's saved scenarios, newest first.
    async fn list_scenarios(&self, municipality: MunicipalityCode)
        -> StoreResult<Vec<ScenarioRow>>;

    /// The municipality's channel-strategy targets, in the order set.
    async fn list_targets(&self, municipality: MunicipalityCode) -> StoreResult<Vec<TargetRow>>;

    /// The municipality's initiatives, by date.
    async fn list_initiatives(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<InitiativeRow>>;

    /// The municipalities a municipality compares itself with, by code.
    async fn list_comparison_group(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<MunicipalityCode>>;

    /// The recommendations on a municipality's report of a period, if any.
    async fn find_period_notes(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<Option<PeriodNotesRow>>;

    /// One registration of the municipality.
    async fn get_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<Option<RegistrationRow>>;

    /// Deletes one registration and its answers; false when there is none
    /// in this municipality. Callers keep the row in the audit log.
    async fn delete_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
    ) -> StoreResult<bool>;

    /// Corrects the coded fields of one registration.
    async fn update_registration(
        &self,
        municipality: MunicipalityCode,
        id: RegistrationId,
        change: &RegistrationChange,
    ) -> StoreResult<()>;

    /// How often the unit registered each task since a day (most first).
    async fn unit_task_usage(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        since: NaiveDate,
    ) -> StoreResult<Vec<TaskUsage>>;

    /// The unit's inquiries (sum of quantity) of one day per hour and channel,
    /// test registrations included: this is the unit's own view.
    async fn unit_day_counts(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        day: NaiveDate,
    ) -> StoreResult<Vec<HourChannelCount>>;

    // --- sessions and logins ------------------------------------------------

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// A session that has not expired at `now`.
    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRow>>;

    /// A unit's session that has not expired at `now`, with the unit and its
    /// municipality, in one query: the registration tool's every request.
    async fn find_unit_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UnitSessionRow>>;

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Removes expired sessions, login throttles whose last failure is
    /// older than `throttles_before` and whose wait is over, and ended
    /// address locks.
    async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        throttles_before: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Until when `login` may not be tried from `address`: the later of the
    /// pair's wait and the address's as a whole, if any.
    async fn login_locked_until(
        &self,
        login: &str,
        address: &str,
    ) -> StoreResult<Option<DateTime<Utc>>>;

    /// Records a failed login of `login` from `address` at `at`; returns the
    /// pair's failures in a row. A pair whose last failure was before
    /// `forget_before` starts again at one.
    async fn record_login_failure(
        &self,
        login: &str,
        address: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<i64>;

    /// How many login names failed from `address` since `since`.
    async fn count_failing_logins(&self, address: &str, since: DateTime<Utc>) -> StoreResult<i64>;

    /// Makes `login` from `address` wait until `until`; without a login,
    /// the address as a whole.
    async fn lock_login(
        &self,
        login: Option<&str>,
        address: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Forgets the failures of `login` from `address` (after a success).
    async fn clear_login_failures(&self, login: &str, address: &str) -> StoreResult<()>;

    async fn record_unit_login(&self, unit: UnitId, at: DateTime<Utc>) -> StoreResult<()>;

    // --- totals, audit ----------------------------------------------

    async fn insert_total_count(&self, total: &NewTotalCount) -> StoreResult<TotalCountId>;

    async fn list_total_counts(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<TotalCountRow>>;

    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()>;

    /// The municipality's audit entries, or all for None; newest first.
    async fn list_audit(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>>;

    // --- the website channel and central statistics ---------------------

    /// The municipality's website paths mapped to tasks, by path.
    async fn list_web_pages(&self, municipality: MunicipalityCode) -> StoreResult<Vec<WebPageRow>>;

    /// The centrally delivered channels municipalities load themselves: one
    /// municipality's, or every municipality's for None (the central load).
    async fn list_own_statistics(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<OwnStatisticsRow>>;

    /// The municipality's inquiries (sum of quantity) and rows per task on
    /// one channel, from every source; test registrations excluded, rows of
    /// batches not committed invisible. Most inquiries first.
    async fn count_channel_by_task(
        &self,
        municipality: MunicipalityCode,
        channel: &ChannelCode,
    ) -> StoreResult<Vec<TaskCount>>;
    // --- systems (the JSON API) -------------------------------------------

    /// The municipality's system tokens, revoked ones included, newest first.
    async fn list_system_tokens(
        &self,
        municipality: MunicipalityCode,
    ) -> StoreResult<Vec<SystemTokenRow>>;

    /// The live (not revoked) token with this SHA-256, marked used at `at`,
    /// in one statement: every API request's authentication. The row's
    /// municipality is the only one the request may write to.
    async fn use_system_token(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<SystemTokenRow>>;

    /// A committed or loading batch of that kind with that file name (an
    /// API batch's client `batch_id`), newest first.
    async fn find_batch_named(
        &self,
        municipality: MunicipalityCode,
        kind: BatchKind,
        file_name: &str,
    ) -> StoreResult<Option<BatchRow>>;
    // --- total counts as batches, phone-system rules --------------------------

    /// Stores totals as a new batch in status `loading` in one transaction
    /// (all rows or none): invisible to every figure and list until
    /// [`Store::commit_totals`]. Every total must belong to the batch's
    /// municipality (any municipality for a central batch).
    async fn stage_totals(
        &self,
        batch: &NewBatch,
        totals: &[NewTotalCount],
    ) -> StoreResult<BatchId>;

    /// Commits a staged batch of totals of the municipality (None: a
    /// central batch) in one transaction that first locks the
    /// municipalities its totals are for, so that of two batches entered
    /// at the same moment only one can pass: refused (and left staged)
    /// when a committed batch of the same kind has the same SHA-256, or
    /// when any of its totals covers a day a visible total of the same
    /// municipality, measure and channel covers.
    async fn commit_totals(
        &self,
        municipality: Option<MunicipalityCode>,
        batch: BatchId,
    ) -> StoreResult<TotalsCommit>;

    /// The visible stored totals each of these overlaps (same municipality,
    /// measure and channel, a day in common), read-only, for a preview.
    async fn find_total_overlaps(&self, totals: &[NewTotalCount])
        -> StoreResult<Vec<TotalOverlap>>;

    /// The visible totals of a municipality (those delivered centrally for
    /// it included), or with None the totals of the central batches; by
    /// measure, channel and first day.
    async fn list_totals(
        &self,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<TotalEntryRow>>;

    /// The municipality's phone-system rules, in the order they are tried.
    async fn list_cdr_rules(&self, municipality: MunicipalityCode) -> StoreResult<Vec<CdrRuleRow>>;

    // --- the yearly cycle ----------------------------------------------------
    /// A national period's deadlines beside its submission deadline.
    async fn list_period_deadlines(&self, period: PeriodId) -> StoreResult<Vec<PeriodDeadline>>;

    /// Every municipality's (or one's) registrations on the days from
    /// `from` to `to`, per source, with when the last was stored.
    async fn period_submissions(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<SubmissionRow>>;

    /// Every municipality's (or one's) visible totals of inquiries that
    /// cover a day from `from` to `to`, with when the last was entered.
    async fn period_totals_entered(
        &self,
        municipality: Option<MunicipalityCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<TotalsEnteredRow>>;

    // --- questionnaires -------------------------------------------------------
    /// The questionnaires of a national period (None: of every period),
    /// newest first.
    async fn list_questionnaires(
        &self,
        period: Option<PeriodId>,
    ) -> StoreResult<Vec<QuestionnaireRow>>;

    async fn get_questionnaire(
        &self,
        questionnaire: QuestionnaireId,
    ) -> StoreResult<Option<QuestionnaireRow>>;

    /// The questionnaire's questions, in order.
    async fn list_questionnaire_questions(
        &self,
        questionnaire: QuestionnaireId,
    ) -> StoreResult<Vec<QuestionnaireQuestionRow>>;

    /// The questionnaire's responses of one municipality (None: of all),
    /// by municipality and unit.
    async fn list_questionnaire_responses(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireResponseRow>>;

    /// The answers of those responses, by response and question order.
    async fn list_questionnaire_answers(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireAnswerRow>>;

    /// The municipalities (None: all; Some: just that one) that sent the
    /// unit questionnaire to their units.
    async fn list_questionnaire_sends(
        &self,
        questionnaire: QuestionnaireId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<QuestionnaireSendRow>>;

    /// The open unit questionnaires sent to the unit's municipality, with
    /// the unit's last answer: one small query, for the registration page.
    async fn list_unit_questionnaires(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
    ) -> StoreResult<Vec<UnitQuestionnaireRow>>;

    // --- joint hotlines ------------------------------------------------------
    /// Every hotline, by name.
    async fn list_hotlines(&self) -> StoreResult<Vec<HotlineRow>>;

    async fn get_hotline(&self, hotline: HotlineId) -> StoreResult<Option<HotlineRow>>;

    /// The hotline's memberships, past and present, by municipality and
    /// join date.
    async fn list_hotline_members(&self, hotline: HotlineId) -> StoreResult<Vec<HotlineMemberRow>>;

    /// The hotline's opening hours, Monday first (closed days absent).
    async fn list_opening_hours(&self, hotline: HotlineId) -> StoreResult<Vec<OpeningRow>>;

    /// The users with a role of the hotline's own.
    async fn list_hotline_roles(&self, hotline: HotlineId) -> StoreResult<Vec<HotlineRoleRow>>;

    /// How a user reaches hotlines: their roles there, and for each
    /// municipality they coordinate, the hotlines it is a member of on `day`.
    async fn list_user_hotlines(
        &self,
        user: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<HotlineGrant>>;

    /// The hotline's price rules, by date.
    async fn list_hotline_prices(&self, hotline: HotlineId) -> StoreResult<Vec<HotlinePriceRow>>;

    /// The roster's shifts that overlap `[from, to)`, by start.
    async fn list_shifts(
        &self,
        hotline: HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ShiftRow>>;

    /// The hotline's issued statements, newest first (None: every member's).
    async fn list_statements(
        &self,
        hotline: HotlineId,
        municipality: Option<MunicipalityCode>,
    ) -> StoreResult<Vec<StatementRow>>;

    /// Stores a file of calls in one transaction with its audit entry: every
    /// call not stored before, or nothing (see [`CallsStored`]).
    async fn store_calls(
        &self,
        batch: &NewCallBatch,
        calls: &[komhen_domain::hotline::Call],
        audit: &NewAuditEntry,
    ) -> StoreResult<CallsStored>;

    /// The hotline's imported files, newest first.
    async fn list_call_batches(&self, hotline: HotlineId) -> StoreResult<Vec<CallBatchRow>>;

    /// The hotline's calls that arrived in `[from, to)`, by arrival.
    async fn list_calls(
        &self,
        hotline: HotlineId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<komhen_domain::hotline::Call>>;

    /// The hotline a unit answers, if it answers one.
    async fn hotline_of_unit(&self, unit: UnitId) -> StoreResult<Option<HotlineId>>;

    /// The units that answer the hotline, by municipality and name.
    async fn list_hotline_units(&self, hotline: HotlineId) -> StoreResult<Vec<HotlineUnitRow>>;

    /// Stores a registered hotline call: the registration and its link in
    /// one transaction, or (the idempotency key used before) neither.
    async fn insert_hotline_registration(
        &self,
        registration: &NewRegistration,
        link: &HotlineRegistration,
    ) -> StoreResult<Inserted>;

    /// Registered hotline calls, newest first.
    async fn list_hotline_registrations(
        &self,
        filter: &HotlineRegistrationFilter,
    ) -> StoreResult<Vec<HotlineRegistrationRow>>;

    /// One registered hotline call, whichever municipality it counts in.
    async fn get_hotline_registration(
        &self,
        registration: RegistrationId,
    ) -> StoreResult<Option<HotlineRegistrationRow>>;

    /// The hotline's audit entries, newest first.
    async fn list_hotline_audit(
        &self,
        hotline: HotlineId,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>>;

    /// Stores a mail in the outbox unless a mail with its key is there:
    /// its id when stored, None when the key was taken.
    async fn enqueue_mail(&self, mail: &NewMail) -> StoreResult<Option<i64>>;

    /// The outbox, newest first (`municipality`: the mails about it).
    async fn list_mails(
        &self,
        municipality: Option<MunicipalityCode>,
        limit: i64,
    ) -> StoreResult<Vec<MailRow>>;

    /// The mails not yet sent that may be tried now: tried fewer than
    /// `max_attempts` times, not given up and not taken by a sender after
    /// `stale_before`, oldest first.
    async fn pending_mails(
        &self,
        max_attempts: i64,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<MailRow>>;

    /// Takes a mail for sending: true when this sender got it (it was not
    /// sent, and no other sender took it after `stale_before`).
    async fn claim_mail(
        &self,
        id: i64,
        at: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Records how sending a claimed mail went.
    async fn finish_mail(&self, id: i64, outcome: &MailOutcome) -> StoreResult<()>;
}
