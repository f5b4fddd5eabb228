//! Values the store takes (`New*`) and returns (`*Row`). Domain types inside,
//! so a row is valid once read: backends parse codes on the way out.

use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::reference::{AnswerKind, AnswerOption};
use komhen_domain::{
    BatchId, ChannelCode, Completion, CountingPeriod, DepartmentId, Direction, InquiryCategory,
    InquiryType, KleNumber, Medium, MunicipalityCode, PeriodId, QuestionId, QuestionOptionId,
    RegionCode, RegistrationId, Role, Season, Source, SystemTokenId, TaskCodeKind, TaskId,
    TaskPackageId, TotalCountId, UnitId, UserId,
};

/// How many rows of each kind of reference data are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceCounts {
    pub regions: i64,
    pub municipalities: i64,
    pub populations: i64,
    pub channels: i64,
    pub inquiry_types: i64,
    pub completions: i64,
    pub kle_entries: i64,
    pub national_tasks: i64,
    pub task_packages: i64,
    pub package_tasks: i64,
    pub national_questions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityRow {
    pub code: MunicipalityCode,
    pub name: String,
    pub region_code: RegionCode,
    pub region_name: String,
    pub landsdel: String,
    pub iso_3166_2: String,
    /// The latest population figure and its year.
    pub population: Option<(i32, i64)>,
    pub test_mode: bool,
    /// When set, test mode ends by itself at this moment.
    pub test_mode_until: Option<DateTime<Utc>>,
    /// Raised by every change to what the municipality's units may register
    /// (tasks, questions, the national catalogue): a cached catalogue of an
    /// older version is stale.
    pub setup_version: i64,
}

impl MunicipalityRow {
    /// Whether registrations made at `now` are test registrations.
    pub fn in_test_mode(&self, now: DateTime<Utc>) -> bool {
        self.test_mode && self.test_mode_until.is_none_or(|until| now < until)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationRow {
    pub year: i32,
    pub population: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRow {
    pub code: ChannelCode,
    pub label_da: String,
    pub label_en: String,
    pub medium: Medium,
    pub direction: Direction,
    pub form_applicable: bool,
    pub digital: bool,
    pub sort_order: i32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryTypeRow {
    pub inquiry_type: InquiryType,
    pub label_da: String,
    pub label_en: String,
    pub category: InquiryCategory,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRow {
    pub completion: Completion,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KleEntryRow {
    pub number: KleNumber,
    pub level: TaskCodeKind,
    pub title: String,
    pub parent: Option<KleNumber>,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPackageRow {
    pub id: TaskPackageId,
    pub code: String,
    pub name_da: String,
    pub name_en: String,
    pub season: Season,
    pub year: i32,
    pub description_da: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageTaskRow {
    pub task: TaskRow,
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: TaskId,
    /// None for a national task.
    pub municipality: Option<MunicipalityCode>,
    pub kle: KleNumber,
    pub kind: TaskCodeKind,
    pub name: String,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocalTask {
    pub municipality: MunicipalityCode,
    pub kle: KleNumber,
    pub kind: TaskCodeKind,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub municipality: MunicipalityCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    pub id: DepartmentId,
    pub municipality: MunicipalityCode,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub municipality: MunicipalityCode,
    pub department: Option<DepartmentId>,
    pub name: String,
    pub login: String,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: UnitId,
    pub municipality: MunicipalityCode,
    pub department: Option<DepartmentId>,
    pub name: String,
    pub login: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// Units, departments and tasks of every municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organisation {
    pub units: Vec<UnitRow>,
    pub departments: Vec<DepartmentRow>,
    /// National tasks and every municipality's own.
    pub tasks: Vec<TaskRow>,
}

/// A task assigned to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub unit: UnitId,
    pub task: TaskId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The language the user chose for the pages (`da`, `en`); None until
    /// the user chooses.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRoleGrant {
    pub user: UserId,
    pub role: Role,
    /// None only for a national administrator or a national analyst.
    pub municipality: Option<MunicipalityCode>,
    /// Set for a unit lead.
    pub unit: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrantRow {
    pub role: Role,
    pub municipality: Option<MunicipalityCode>,
    pub unit: Option<UnitId>,
}

/// A grant with the user it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGrantRow {
    pub user: UserId,
    pub grant: RoleGrantRow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    /// None for a national question.
    pub municipality: Option<MunicipalityCode>,
    /// Set for the method's optional parameters (`gender`, `age_band`, ...).
    pub code: Option<String>,
    /// Set for a task's extra question.
    pub task: Option<TaskId>,
    pub label_da: String,
    pub label_en: String,
    pub answer_kind: AnswerKind,
    pub sort_order: i32,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRow {
    pub id: QuestionId,
    pub municipality: Option<MunicipalityCode>,
    pub code: Option<String>,
    pub task: Option<TaskId>,
    pub label_da: String,
    pub label_en: String,
    pub answer_kind: AnswerKind,
    pub sort_order: i32,
    pub options: Vec<QuestionOptionRow>,
    /// False when switched off: kept for the answers already given.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionOptionRow {
    pub id: QuestionOptionId,
    pub code: String,
    pub label_da: String,
    pub label_en: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPeriod {
    /// None for a national period.
    pub municipality: Option<MunicipalityCode>,
    pub period: CountingPeriod,
    pub task_package: Option<TaskPackageId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRow {
    pub id: PeriodId,
    pub municipality: Option<MunicipalityCode>,
    pub period: CountingPeriod,
    pub task_package: Option<TaskPackageId>,
    pub published_at: Option<DateTime<Utc>>,
}

/// One publication of a national period: the figures the public saw from
/// `published_at` on, as the portal's snapshot (JSON, read and written by
/// the portal only). A correction adds a publication; none is ever changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRow {
    pub id: i64,
    pub period: PeriodId,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// Empty for the first publication; what was corrected for a later one.
    pub note: String,
    pub figures: String,
}

/// A publication to store with [`SetupChange::PublishPeriod`](crate::SetupChange).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    /// When these figures went public (a correction's own moment; the
    /// period keeps its first publication date).
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub note: String,
    pub figures: String,
}

/// The outcome of storing one registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created(RegistrationId),
    /// The idempotency key was seen before: nothing new was stored.
    Duplicate(RegistrationId),
}

impl Inserted {
    pub fn id(self) -> RegistrationId {
        match self {
            Self::Created(id) | Self::Duplicate(id) => id,
        }
    }
}

/// Which registrations to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unit: Option<UnitId>,
    pub batch: Option<BatchId>,
    pub include_test: bool,
    pub limit: u32,
}

impl Default for RegistrationFilter {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            unit: None,
            batch: None,
            include_test: false,
            limit: 1000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    pub id: RegistrationId,
    pub municipality: MunicipalityCode,
    pub unit: Option<UnitId>,
    pub task: TaskId,
    pub channel: ChannelCode,
    pub inquiry_type: Option<InquiryType>,
    pub completion: Option<Completion>,
    pub has_form: Option<bool>,
    pub registered_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub iso_year: i32,
    pub iso_week: i32,
    pub hour: i32,
    pub duration_ms: Option<i64>,
    pub quantity: i64,
    pub source: Source,
    pub batch: Option<BatchId>,
    pub is_test: bool,
    pub created_at: DateTime<Utc>,
}

/// A correction of a registration's coded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationChange {
    pub task: TaskId,
    pub channel: ChannelCode,
    pub inquiry_type: Option<InquiryType>,
    pub completion: Option<Completion>,
    pub has_form: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskUsage {
    pub task: TaskId,
    pub inquiries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourChannelCount {
    pub hour: i32,
    pub channel: ChannelCode,
    pub inquiries: i64,
    /// Of which test registrations.
    pub test_inquiries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    pub municipality: Option<MunicipalityCode>,
    pub unit: Option<UnitId>,
    pub user: Option<UserId>,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub type SessionRow = NewSession;

/// A unit's live session with the unit and its municipality, read together
/// because every request of the registration tool needs all three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSessionRow {
    pub session: SessionRow,
    pub unit: UnitRow,
    pub municipality: MunicipalityRow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub question: QuestionId,
    pub option: Option<QuestionOptionId>,
    pub text: Option<String>,
}

/// Inquiries of one unit (or none), channel and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    pub unit: Option<UnitId>,
    pub channel: ChannelCode,
    pub day: NaiveDate,
    pub inquiries: i64,
}

/// Rows of one committed batch on one unit (or none), task, channel and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCell {
    pub batch: BatchId,
    pub unit: Option<UnitId>,
    pub task: TaskId,
    pub channel: ChannelCode,
    pub day: NaiveDate,
    pub rows: i64,
    /// Sum of quantity.
    pub inquiries: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MunicipalityCount {
    pub municipality: MunicipalityCode,
    /// Sum of quantity: the number of inquiries.
    pub inquiries: i64,
    /// Number of stored rows.
    pub rows: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodCount {
    pub period: PeriodId,
    pub inquiries: i64,
}

/// What a total count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalMeasure {
    /// All inquiries on one channel (direction built in) for the range.
    Inquiries,
    /// Visits (sessions) to the municipality's website.
    WebsiteSessions,
    /// Logins to borger.dk for the municipality.
    BorgerdkLogins,
    /// NemID issued by the municipality.
    NemidIssued,
}

impl TotalMeasure {
    pub fn code(self) -> &'static str {
        match self {
            Self::Inquiries => "inquiries",
            Self::WebsiteSessions => "website_sessions",
            Self::BorgerdkLogins => "borgerdk_logins",
            Self::NemidIssued => "nemid_issued",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Inquiries,
            Self::WebsiteSessions,
            Self::BorgerdkLogins,
            Self::NemidIssued,
        ]
        .into_iter()
        .find(|m| m.code() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTotalCount {
    pub municipality: MunicipalityCode,
    pub measure: TotalMeasure,
    /// Set exactly when the measure is `Inquiries`.
    pub channel: Option<ChannelCode>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub count: i64,
    pub source: String,
    pub batch: Option<BatchId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalCountRow {
    pub id: TotalCountId,
    pub municipality: MunicipalityCode,
    pub measure: TotalMeasure,
    pub channel: Option<ChannelCode>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub count: i64,
    pub source: String,
    pub batch: Option<BatchId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub municipality: Option<MunicipalityCode>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub entry: NewAuditEntry,
    pub at: DateTime<Utc>,
}

/// A bearer token issued to one system of a municipality (a queue system,
/// a phone system) for the JSON API. Only the token's SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSystemToken {
    pub municipality: MunicipalityCode,
    /// The system's name as the coordinator gave it ("Kø-system Borgerservice").
    pub name: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Who issued it, as the audit log names them.
    pub created_by: String,
}

/// A system token as stored, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemTokenRow {
    pub id: SystemTokenId,
    pub municipality: MunicipalityCode,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

impl SystemTokenRow {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// A coordinator's recommendations on a period report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodNotesRow {
    pub municipality: MunicipalityCode,
    pub period: PeriodId,
    pub recommendations: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}
