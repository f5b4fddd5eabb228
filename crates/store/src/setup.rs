//! Changes to set-up data: the one way to change what a municipality's
//! organisation, logins, tasks, questions, test mode, participation, phone
//! system mapping, the national catalogue, code lists, periods and users
//! look like.
//!
//! Every change goes through [`crate::Store::apply`] together with its audit
//! entry: the backend applies the change, writes the entry and, when the
//! change alters what units may register, raises the municipality's set-up
//! version, all in one transaction. So no change can skip the audit log and
//! no cached unit catalogue can outlive a change.

use crate::{
    HotlineMember, HotlineRole, HotlineSettings, NewHotlinePrice, NewInitiative, NewScenario,
    NewShift, NewStatement, NewTarget, OpeningRow,
};
use crate::{NewCdrRule, NewDepartment, NewLocalTask, NewPeriod, NewQuestion, NewRoleGrant};
use crate::{NewChannelPrice, NewSystemToken, NewUnit, NewUser, NewWebPage};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::reference::{Channel, KleEntry};
use komhen_domain::{
    BatchId, CdrRuleId, ChannelCode, Completion, DepartmentId, InquiryType, KleNumber,
    MunicipalityCode, PeriodId, QuestionId, Role, Season, SystemTokenId, TaskCodeKind, TaskId,
    TaskPackageId, UnitId, UserId, WebPageId,
};
use komhen_domain::{ChannelPriceId, HotlineId, InitiativeId, ScenarioId, ShiftId, TargetId};
use komhen_domain::{QuestionnaireId, QuestionnaireQuestionId};

/// The set-up one import creates: see [`SetupChange::CreateImportSetup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSetup {
    pub municipality: MunicipalityCode,
    /// The loading batch the set-up is made for.
    pub batch: BatchId,
    pub tasks: Vec<NewLocalTask>,
    /// Created inactive.
    pub units: Vec<NewUnit>,
    /// Created switched off.
    pub questions: Vec<NewQuestion>,
}

/// One change to set-up data. Municipal changes name their municipality;
/// the store refuses (`NotFound`) any id that belongs to another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupChange {
    // --- a municipality's organisation -----------------------------------
    CreateDepartment(NewDepartment),
    UpdateDepartment {
        municipality: MunicipalityCode,
        department: DepartmentId,
        name: String,
        active: bool,
    },
    CreateUnit(NewUnit),
    /// Rename, move to another department (or none), change the login,
    /// deactivate or reactivate. History is kept: units are never deleted.
    UpdateUnit {
        municipality: MunicipalityCode,
        unit: UnitId,
        department: Option<DepartmentId>,
        name: String,
        login: String,
        active: bool,
    },
    /// Sets (or with None removes) a unit's password hash; the unit's open
    /// sessions end.
    SetUnitPassword {
        municipality: MunicipalityCode,
        unit: UnitId,
        password_hash: Option<String>,
    },
    /// Adds tasks to a unit; tasks already assigned stay as they are.
    AssignTasks {
        municipality: MunicipalityCode,
        unit: UnitId,
        tasks: Vec<TaskId>,
    },
    /// Makes the unit's tasks exactly these.
    SetUnitTasks {
        municipality: MunicipalityCode,
        unit: UnitId,
        tasks: Vec<TaskId>,
    },
    /// Makes the questions switched on for the unit exactly these.
    SetUnitQuestions {
        municipality: MunicipalityCode,
        unit: UnitId,
        questions: Vec<QuestionId>,
    },
    /// Gives `to` the tasks and switched-on questions of `from`.
    CopyUnitSetup {
        municipality: MunicipalityCode,
        from: UnitId,
        to: UnitId,
    },
    CreateLocalTask(NewLocalTask),
    /// Retires a task (or brings it back): it leaves every unit's choices,
    /// its registrations and assignments stay. `municipality` None is a
    /// national task (the national administrator's).
    SetTaskRetired {
        municipality: Option<MunicipalityCode>,
        task: TaskId,
        retired: bool,
    },
    CreateQuestion(NewQuestion),
    /// What an imported history file needs and the municipality lacks, made
    /// for that loading batch in one transaction: its task codes as the
    /// municipality's own tasks, its units (inactive) and its question
    /// columns (switched off). Each is recorded with the batch, so a batch
    /// that is deleted before it was ever committed takes them with it
    /// ([`Store::delete_batch`](crate::Store::delete_batch)).
    CreateImportSetup(ImportSetup),
    /// Switches a question off (or on again); answers already given stay.
    SetQuestionActive {
        municipality: Option<MunicipalityCode>,
        question: QuestionId,
        active: bool,
    },
    SetTestMode {
        municipality: MunicipalityCode,
        on: bool,
        until: Option<DateTime<Utc>>,
    },
    /// Removes the municipality's test registrations (and their answers).
    DeleteTestRegistrations {
        municipality: MunicipalityCode,
    },
    /// Whether the municipality takes part in a period, and which of its
    /// units count in it (all active units when `units` is empty).
    SetParticipation {
        municipality: MunicipalityCode,
        period: PeriodId,
        joined: bool,
        units: Vec<UnitId>,
    },

    // --- national -----------------------------------------------------------
    /// Inserts or updates KLE entries; entries of the catalogue missing from
    /// a complete import are marked retired when `retire_missing`.
    ImportKle {
        entries: Vec<KleEntry>,
        retire_missing: bool,
    },
    CreateNationalTask {
        kle: KleNumber,
        kind: TaskCodeKind,
        name: String,
    },
    RenameTask {
        municipality: Option<MunicipalityCode>,
        task: TaskId,
        name: String,
    },
    CreateTaskPackage {
        code: String,
        name_da: String,
        season: Season,
        year: i32,
        /// The package whose tasks (and mandatory flags) the new one starts with.
        copy_from: Option<TaskPackageId>,
    },
    /// Puts a national task in a package (mandatory or not), or with None
    /// takes it out.
    SetPackageTask {
        package: TaskPackageId,
        task: TaskId,
        mandatory: Option<bool>,
    },
    /// Creates a period, or returns the national period with the same dates.
    CreatePeriod(NewPeriod),
    UpdatePeriod {
        period: PeriodId,
        name: String,
        mandatory: bool,
        submission_deadline: NaiveDate,
        task_package: Option<TaskPackageId>,
    },
    /// Publishes a national period's figures at `at`, or withdraws them.
    /// With `publication`, the figures shown from now on are stored too (a
    /// first publication, or a correction keeping `at` as it was).
    PublishPeriod {
        period: PeriodId,
        at: Option<DateTime<Utc>>,
        publication: Option<crate::NewPublication>,
    },
    /// Inserts a channel or updates its labels, form flag, digital flag,
    /// order and active flag. Its code, medium and direction never change.
    UpsertChannel {
        channel: Channel,
        active: bool,
    },
    SetInquiryTypeLabels {
        inquiry_type: InquiryType,
        label_da: String,
        label_en: String,
    },
    SetCompletionLabels {
        completion: Completion,
        label_da: String,
        label_en: String,
    },

    // --- users --------------------------------------------------------------
    CreateUser(NewUser),
    UpdateUser {
        user: UserId,
        name: String,
        active: bool,
    },
    /// Sets a user's password hash; the user's open sessions end.
    SetUserPassword {
        user: UserId,
        password_hash: String,
    },
    GrantRole(NewRoleGrant),
    RevokeRole {
        user: UserId,
        role: Role,
        municipality: Option<MunicipalityCode>,
        unit: Option<UnitId>,
    },
    /// A one-time link (invitation or password reset) for a user; only the
    /// token's SHA-256 is stored. Earlier unused links of the user expire.
    CreateUserToken {
        user: UserId,
        token_hash: String,
        expires_at: DateTime<Utc>,
    },
    /// Uses a one-time link: sets the password and marks the link used.
    /// `NotFound` when the link is unknown, used or expired at `now`.
    RedeemUserToken {
        token_hash: String,
        password_hash: String,
        now: DateTime<Utc>,
    },

    // --- the website channel and central statistics -------------------------
    /// Maps a path of the municipality's website to a task (national or the
    /// municipality's own). `Conflict` when the path is mapped already.
    CreateWebPage(NewWebPage),
    /// Removes a mapping; visits already loaded stay.
    DeleteWebPage {
        municipality: MunicipalityCode,
        page: WebPageId,
    },
    /// Whether the municipality loads its own statistics of a centrally
    /// delivered channel (then central loads leave its rows out).
    SetOwnStatistics {
        municipality: MunicipalityCode,
        channel: ChannelCode,
        own: bool,
    },

    // --- systems (the JSON API) -------------------------------------------
    /// A bearer token for one system of a municipality; only its SHA-256
    /// is stored.
    CreateSystemToken(NewSystemToken),
    /// Revokes a system's token at once: the next request with it is
    /// refused. `NotFound` for a token of another municipality or one
    /// already revoked.
    RevokeSystemToken {
        municipality: MunicipalityCode,
        token: SystemTokenId,
        revoked_by: String,
    },

    // --- reports -----------------------------------------------------------
    /// The coordinator's recommendations on the municipality's report of a
    /// period (replacing the earlier text; empty removes it).
    SavePeriodNotes {
        municipality: MunicipalityCode,
        period: PeriodId,
        recommendations: String,
        by: String,
        now: DateTime<Utc>,
    },

    /// Replaces the municipalities the municipality compares itself with on
    /// the portal's benchmark page (empty: no group).
    SetComparisonGroup {
        municipality: MunicipalityCode,
        members: Vec<MunicipalityCode>,
    },

    // --- channel prices ------------------------------------------------------
    /// Keeps a price, replacing the one of the same scope (national or the
    /// municipality's), channel, task and date.
    SetChannelPrice(NewChannelPrice),
    /// Removes a price of the scope (the national list or the municipality).
    RemoveChannelPrice {
        municipality: Option<MunicipalityCode>,
        price: ChannelPriceId,
    },

    // --- a municipality's channel strategy ------------------------------------
    SaveScenario(NewScenario),
    RemoveScenario {
        municipality: MunicipalityCode,
        scenario: ScenarioId,
    },
    SetTarget(NewTarget),
    RemoveTarget {
        municipality: MunicipalityCode,
        target: TargetId,
    },
    SetInitiative(NewInitiative),
    RemoveInitiative {
        municipality: MunicipalityCode,
        initiative: InitiativeId,
    },

    // --- a municipality's phone-system mapping ------------------------------
    /// Adds a rule saying which calls of the municipality's phone system
    /// are incoming or outgoing; rules are tried in the order added.
    CreateCdrRule(NewCdrRule),
    DeleteCdrRule {
        municipality: MunicipalityCode,
        rule: CdrRuleId,
    },

    // --- joint hotlines ------------------------------------------------------
    CreateHotline {
        settings: HotlineSettings,
        now: DateTime<Utc>,
    },
    UpdateHotline {
        hotline: HotlineId,
        settings: HotlineSettings,
    },
    /// Replaces the names of the queues whose calls are the line's.
    SetHotlineQueues {
        hotline: HotlineId,
        queues: Vec<String>,
    },
    /// Adds a membership; refused when it overlaps one of the same
    /// municipality.
    AddHotlineMember {
        hotline: HotlineId,
        member: HotlineMember,
    },
    /// Ends the municipality's open membership on a day (its first day out).
    EndHotlineMembership {
        hotline: HotlineId,
        municipality: MunicipalityCode,
        left_on: NaiveDate,
    },
    /// Replaces the opening hours of every weekday (absent: closed).
    SetOpeningHours {
        hotline: HotlineId,
        days: Vec<OpeningRow>,
    },
    GrantHotlineRole {
        hotline: HotlineId,
        user: UserId,
        role: HotlineRole,
    },
    RevokeHotlineRole {
        hotline: HotlineId,
        user: UserId,
        role: HotlineRole,
    },
    /// Keeps a price rule, replacing the one of the same date.
    SetHotlinePrice(NewHotlinePrice),
    RemoveHotlinePrice {
        hotline: HotlineId,
        price: i64,
    },
    /// Adds a shift to the roster (the member must be a staffing member on
    /// the shift's day).
    AddShift(NewShift),
    RemoveShift {
        hotline: HotlineId,
        shift: ShiftId,
    },
    /// Issues a statement. Issued statements never change; a correction is
    /// a new statement naming the one it corrects.
    IssueStatement(NewStatement),
    /// Sets (or with None removes) a national period's deadline of a kind.
    SetPeriodDeadline {
        period: PeriodId,
        kind: crate::DeadlineKind,
        due_on: Option<NaiveDate>,
    },
    /// Makes a unit (of a member municipality) one that answers the line.
    AddHotlineUnit {
        hotline: HotlineId,
        unit: UnitId,
        now: DateTime<Utc>,
    },
    RemoveHotlineUnit {
        hotline: HotlineId,
        unit: UnitId,
    },
    /// Creates a questionnaire of a national period, as a draft.
    CreateQuestionnaire(crate::NewQuestionnaire),
    UpdateQuestionnaire {
        questionnaire: QuestionnaireId,
        title: String,
        intro: String,
    },
    SetQuestionnaireState {
        questionnaire: QuestionnaireId,
        state: crate::QuestionnaireState,
    },
    /// Adds a question at the end of the questionnaire.
    AddQuestionnaireQuestion(crate::NewQuestionnaireQuestion),
    /// Removes a question; refused (not found) once the questionnaire has
    /// a response.
    RemoveQuestionnaireQuestion {
        questionnaire: QuestionnaireId,
        question: QuestionnaireQuestionId,
    },
    /// Swaps a question with the one before it (`up`) or after it.
    MoveQuestionnaireQuestion {
        questionnaire: QuestionnaireId,
        question: QuestionnaireQuestionId,
        up: bool,
    },
    /// Records that the municipality's coordinator sent a unit
    /// questionnaire to its units (again: nothing changes).
    SendQuestionnaire {
        questionnaire: QuestionnaireId,
        municipality: MunicipalityCode,
        sent_by: String,
        sent_at: DateTime<Utc>,
    },
    /// Stores a response, replacing the respondent's earlier one with its
    /// answers: there is never more than one.
    SaveQuestionnaireResponse(crate::NewQuestionnaireResponse),
}

impl SetupChange {
    /// The municipality whose units' catalogues the change alters: `Some(None)`
    /// for all municipalities (a national change), `None` when it alters no
    /// catalogue.
    pub fn catalog_scope(&self) -> Option<Option<MunicipalityCode>> {
        use SetupChange::*;
        match self {
            AssignTasks { municipality, .. }
            | SetUnitTasks { municipality, .. }
            | SetUnitQuestions { municipality, .. }
            | CopyUnitSetup { municipality, .. } => Some(Some(*municipality)),
            CreateLocalTask(task) => Some(Some(task.municipality)),
            CreateQuestion(question) => Some(question.municipality),
            CreateImportSetup(setup) => Some(Some(setup.municipality)),
            SetTaskRetired { municipality, .. }
            | SetQuestionActive { municipality, .. }
            | RenameTask { municipality, .. } => Some(*municipality),
            ImportKle { .. }
            | CreateNationalTask { .. }
            | UpsertChannel { .. }
            | SetInquiryTypeLabels { .. }
            | SetCompletionLabels { .. } => Some(None),
            CreateDepartment(_)
            | UpdateDepartment { .. }
            | CreateUnit(_)
            | UpdateUnit { .. }
            | SetUnitPassword { .. }
            | SetTestMode { .. }
            | DeleteTestRegistrations { .. }
            | SetParticipation { .. }
            | CreateTaskPackage { .. }
            | SetPackageTask { .. }
            | CreatePeriod(_)
            | UpdatePeriod { .. }
            | PublishPeriod { .. }
            | CreateUser(_)
            | UpdateUser { .. }
            | SetUserPassword { .. }
            | GrantRole(_)
            | RevokeRole { .. }
            | CreateUserToken { .. }
            | RedeemUserToken { .. }
            | CreateWebPage(_)
            | DeleteWebPage { .. }
            | SetOwnStatistics { .. }
            | CreateSystemToken(_)
            | RevokeSystemToken { .. }
            | SavePeriodNotes { .. }
            | SetComparisonGroup { .. }
            | SetChannelPrice(_)
            | RemoveChannelPrice { .. }
            | SaveScenario(_)
            | RemoveScenario { .. }
            | SetTarget(_)
            | RemoveTarget { .. }
            | SetInitiative(_)
            | RemoveInitiative { .. }
            | CreateCdrRule(_)
            | DeleteCdrRule { .. }
            | CreateHotline { .. }
            | UpdateHotline { .. }
            | SetHotlineQueues { .. }
            | AddHotlineMember { .. }
            | EndHotlineMembership { .. }
            | SetOpeningHours { .. }
            | GrantHotlineRole { .. }
            | RevokeHotlineRole { .. }
            | SetHotlinePrice(_)
            | RemoveHotlinePrice { .. }
            | AddShift(_)
            | RemoveShift { .. }
            | IssueStatement(_)
            | AddHotlineUnit { .. }
            | RemoveHotlineUnit { .. }
            | SetPeriodDeadline { .. }
            | CreateQuestionnaire(_)
            | UpdateQuestionnaire { .. }
            | SetQuestionnaireState { .. }
            | AddQuestionnaireQuestion(_)
            | RemoveQuestionnaireQuestion { .. }
            | MoveQuestionnaireQuestion { .. }
            | SendQuestionnaire { .. }
            | SaveQuestionnaireResponse(_) => None,
        }
    }
}

/// What applying a change produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The id of the row a create made (or found, for an existing national
    /// period; or the user, for a redeemed link).
    pub id: Option<i64>,
    /// Rows affected where that is the answer (KLE entries imported, test
    /// registrations deleted).
    pub count: u64,
}

impl Applied {
    /// The created id; an internal error when the change created none.
    pub fn created(self) -> crate::StoreResult<i64> {
        self.id
            .ok_or_else(|| crate::StoreError::internal("ændringen oprettede intet"))
    }
}

/// A user's one-time link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTokenRow {
    pub user: UserId,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// One change of a plan that [`crate::Store::apply_all`] applies with the
/// others in one transaction: all of them or none.
///
/// A plan creates rows and then refers to them (a unit in a department
/// made two steps earlier), before any id exists. Such an id is written
/// [`created_by`]`(step)`, a negative number no row has, and the store puts
/// in the id that step created before it applies the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    pub change: SetupChange,
    pub audit: crate::NewAuditEntry,
}

/// The id the plan's `step` (counted from 0) will create.
pub fn created_by(step: usize) -> i64 {
    -1 - i64::try_from(step).unwrap_or(i64::MAX - 1)
}

impl SetupChange {
    /// The change with every [`created_by`] id replaced by the id its step
    /// created; `None` when one names a step that created nothing (yet).
    /// The ids a plan may refer to: departments, units, tasks and questions
    /// in the changes that set up a municipality's organisation, and the
    /// task of a channel price.
    pub fn with_created(&self, created: &[Option<i64>]) -> Option<SetupChange> {
        let id = |value: i64| -> Option<i64> {
            if value >= 0 {
                return Some(value);
            }
            let step = usize::try_from(-1 - value).ok()?;
            created.get(step).copied().flatten()
        };
        let department = |d: Option<DepartmentId>| match d {
            Some(d) => id(d.0).map(|v| Some(DepartmentId(v))),
            None => Some(None),
        };
        let tasks = |ts: &[TaskId]| -> Option<Vec<TaskId>> {
            ts.iter().map(|t| id(t.0).map(TaskId)).collect()
        };
        use SetupChange::*;
        Some(match self {
            CreateUnit(unit) => CreateUnit(NewUnit {
                department: department(unit.department)?,
                ..unit.clone()
            }),
            UpdateUnit {
                municipality,
                unit,
                department: d,
                name,
                login,
                active,
            } => UpdateUnit {
                municipality: *municipality,
                unit: UnitId(id(unit.0)?),
                department: department(*d)?,
                name: name.clone(),
                login: login.clone(),
                active: *active,
            },
            UpdateDepartment {
                municipality,
                department: d,
                name,
                active,
            } => UpdateDepartment {
                municipality: *municipality,
                department: DepartmentId(id(d.0)?),
                name: name.clone(),
                active: *active,
            },
            AssignTasks {
                municipality,
                unit,
                tasks: ts,
            } => AssignTasks {
                municipality: *municipality,
                unit: UnitId(id(unit.0)?),
                tasks: tasks(ts)?,
            },
            SetUnitTasks {
                municipality,
                unit,
                tasks: ts,
            } => SetUnitTasks {
                municipality: *municipality,
                unit: UnitId(id(unit.0)?),
                tasks: tasks(ts)?,
            },
            SetUnitQuestions {
                municipality,
                unit,
                questions,
            } => SetUnitQuestions {
                municipality: *municipality,
                unit: UnitId(id(unit.0)?),
                questions: questions
                    .iter()
                    .map(|q| id(q.0).map(QuestionId))
                    .collect::<Option<_>>()?,
            },
            CreateQuestion(question) => CreateQuestion(NewQuestion {
                task: match question.task {
                    Some(t) => Some(TaskId(id(t.0)?)),
                    None => None,
                },
                ..question.clone()
            }),
            SetTaskRetired {
                municipality,
                task,
                retired,
            } => SetTaskRetired {
                municipality: *municipality,
                task: TaskId(id(task.0)?),
                retired: *retired,
            },
            SetQuestionActive {
                municipality,
                question,
                active,
            } => SetQuestionActive {
                municipality: *municipality,
                question: QuestionId(id(question.0)?),
                active: *active,
            },
            SetChannelPrice(price) => SetChannelPrice(NewChannelPrice {
                task: match price.task {
                    Some(t) => Some(TaskId(id(t.0)?)),
                    None => None,
                },
                ..price.clone()
            }),
            other => other.clone(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failure should panic
mod tests {
    use super::*;

    #[test]
    fn a_plan_refers_to_rows_its_earlier_steps_created() {
        let municipality = MunicipalityCode::parse("259").unwrap();
        let planned = SetupChange::AssignTasks {
            municipality,
            unit: UnitId(created_by(1)),
            tasks: vec![TaskId(7), TaskId(created_by(0))],
        };
        assert_eq!(
            planned.with_created(&[Some(40), Some(41)]),
            Some(SetupChange::AssignTasks {
                municipality,
                unit: UnitId(41),
                tasks: vec![TaskId(7), TaskId(40)],
            })
        );
        assert_eq!(planned.with_created(&[Some(40)]), None);
        assert_eq!(planned.with_created(&[None, Some(41)]), None);
    }

    #[test]
    fn a_planned_price_names_the_task_an_earlier_step_created() {
        let price = NewChannelPrice {
            municipality: Some(MunicipalityCode::parse("259").unwrap()),
            channel: ChannelCode::parse("TLFIND").unwrap(),
            task: Some(TaskId(created_by(0))),
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            price_ore: 4_125,
            basis: crate::PriceBasis::Amount,
            source: "Egen opgørelse".into(),
            source_year: 2026,
            example: false,
            set_by: "kommandolinje".into(),
            set_at: DateTime::default(),
        };
        let planned = SetupChange::SetChannelPrice(price.clone());
        assert_eq!(
            planned.with_created(&[Some(77)]),
            Some(SetupChange::SetChannelPrice(NewChannelPrice {
                task: Some(TaskId(77)),
                ..price
            }))
        );
        assert_eq!(planned.with_created(&[]), None);
    }
}
