//! The conformance suite: what every backend must do, written once and run
//! unchanged on SQLite and PostgreSQL (`crates/backend/tests/conformance.rs`,
//! one fresh database per check).
//!
//! Each check covers one area's write and read paths and, for tenant data,
//! shows that a method given one municipality never returns another's rows.
//! Checks panic on failure, like test code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::*;
use chrono::{NaiveDate, TimeZone, Utc};
use komhen_domain::reference::*;
use komhen_domain::*;

/// The check names, for the macro that turns them into tests.
pub const CHECKS: &[&str] = &[
    "reference_data_loads_idempotently",
    "municipalities_carry_region_and_latest_population",
    "tasks_are_national_or_local_to_one_municipality",
    "departments_and_units_stay_in_their_municipality",
    "task_assignment_is_scoped_to_the_unit_municipality",
    "users_hold_roles",
    "questions_and_unit_parameters_are_scoped",
    "periods_are_national_or_local_and_joinable",
    "registrations_store_dimensions_answers_and_idempotency",
    "registrations_are_listed_only_for_their_municipality",
    "batches_load_all_rows_once_and_delete_whole",
    "counts_sum_quantity_and_exclude_test",
    "total_counts_are_scoped_and_checked",
    "channel_prices_are_national_or_local",
    "audit_log_is_scoped_and_newest_first",
    "registrations_are_corrected_and_removed_only_in_their_municipality",
    "unit_usage_and_day_counts_are_the_unit_own",
    "sessions_expire_and_logins_are_throttled",
    "unit_passwords_and_test_mode_are_set_per_municipality",
    "unit_sessions_come_with_their_unit_and_municipality",
    "setup_changes_raise_the_setup_version",
    "the_cube_always_equals_the_registrations_that_count",
    "aggregates_filter_group_and_stay_in_their_municipalities",
    "web_pages_map_paths_to_the_municipality_own_tasks",
    "own_statistics_are_set_per_municipality_and_channel",
    "channel_counts_by_task_sum_visible_quantity_of_one_municipality",
    "system_tokens_open_only_their_municipality",
    "api_batches_are_found_by_name_and_stored_once",
    "totals_stage_invisibly_and_commit_only_without_overlap",
    "totals_entered_at_the_same_moment_commit_only_once",
    "central_totals_are_listed_per_municipality_and_deleted_whole",
    "phone_rules_are_set_up_per_municipality_in_order",
];

/// The audit entry the suite's set-up changes are written with.
pub fn test_audit(municipality: Option<MunicipalityCode>) -> NewAuditEntry {
    NewAuditEntry {
        municipality,
        actor: "conformance".into(),
        action: "test".into(),
        entity: "test".into(),
        entity_id: String::new(),
        before_json: None,
        after_json: None,
    }
}

/// Set-up changes as one-line calls with typed results, for tests: each is
/// [`Store::apply`] with [`test_audit`].
#[async_trait::async_trait]
pub trait SetupShortcuts {
    async fn change(&self, change: SetupChange) -> StoreResult<Applied>;

    /// Switches one more question on for the unit.
    async fn enable_question(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        question: QuestionId,
    ) -> StoreResult<()>;

    async fn create_department(&self, d: &NewDepartment) -> StoreResult<DepartmentId> {
        let applied = self
            .change(SetupChange::CreateDepartment(d.clone()))
            .await?;
        Ok(DepartmentId(applied.created()?))
    }

    async fn create_unit(&self, unit: &NewUnit) -> StoreResult<UnitId> {
        let applied = self.change(SetupChange::CreateUnit(unit.clone())).await?;
        Ok(UnitId(applied.created()?))
    }

    async fn create_local_task(&self, task: &NewLocalTask) -> StoreResult<TaskId> {
        let applied = self
            .change(SetupChange::CreateLocalTask(task.clone()))
            .await?;
        Ok(TaskId(applied.created()?))
    }

    async fn assign_tasks(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        tasks: &[TaskId],
    ) -> StoreResult<()> {
        self.change(SetupChange::AssignTasks {
            municipality,
            unit,
            tasks: tasks.to_vec(),
        })
        .await
        .map(|_| ())
    }

    async fn create_user(&self, user: &NewUser) -> StoreResult<UserId> {
        let applied = self.change(SetupChange::CreateUser(user.clone())).await?;
        Ok(UserId(applied.created()?))
    }

    async fn grant_role(&self, grant: &NewRoleGrant) -> StoreResult<()> {
        self.change(SetupChange::GrantRole(grant.clone()))
            .await
            .map(|_| ())
    }

    async fn create_question(&self, question: &NewQuestion) -> StoreResult<QuestionId> {
        let applied = self
            .change(SetupChange::CreateQuestion(question.clone()))
            .await?;
        Ok(QuestionId(applied.created()?))
    }

    async fn upsert_period(&self, period: &NewPeriod) -> StoreResult<PeriodId> {
        let applied = self
            .change(SetupChange::CreatePeriod(period.clone()))
            .await?;
        Ok(PeriodId(applied.created()?))
    }

    async fn join_period(
        &self,
        municipality: MunicipalityCode,
        period: PeriodId,
    ) -> StoreResult<()> {
        self.change(SetupChange::SetParticipation {
            municipality,
            period,
            joined: true,
            units: vec![],
        })
        .await
        .map(|_| ())
    }

    async fn set_unit_password(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        password_hash: Option<&str>,
    ) -> StoreResult<()> {
        self.change(SetupChange::SetUnitPassword {
            municipality,
            unit,
            password_hash: password_hash.map(str::to_owned),
        })
        .await
        .map(|_| ())
    }

    async fn set_test_mode(
        &self,
        municipality: MunicipalityCode,
        on: bool,
        until: Option<chrono::DateTime<Utc>>,
    ) -> StoreResult<()> {
        self.change(SetupChange::SetTestMode {
            municipality,
            on,
            until,
        })
        .await
        .map(|_| ())
    }
}

#[async_trait::async_trait]
impl SetupShortcuts for dyn Store {
    async fn change(&self, change: SetupChange) -> StoreResult<Applied> {
        self.apply(&change, &test_audit(None)).await
    }

    async fn enable_question(
        &self,
        municipality: MunicipalityCode,
        unit: UnitId,
        question: QuestionId,
    ) -> StoreResult<()> {
        let mut questions: Vec<QuestionId> = self
            .list_unit_questions(municipality, unit)
            .await?
            .into_iter()
            .map(|q| q.id)
            .collect();
        questions.push(question);
        questions.dedup();
        self.change(SetupChange::SetUnitQuestions {
            municipality,
            unit,
            questions,
        })
        .await
        .map(|_| ())
    }
}

pub const KOEGE: u16 = 259;
pub const KOEBENHAVN: u16 = 101;
pub const AARHUS: u16 = 751;

pub fn code(n: u16) -> MunicipalityCode {
    MunicipalityCode::new(n).unwrap()
}

/// A small but complete set of reference data.
pub fn reference_fixture() -> ReferenceData {
    let region = |c: &str, n: &str| Region {
        code: RegionCode::parse(c).unwrap(),
        name: n.into(),
    };
    let municipality = |c: u16, n: &str, r: &str| Municipality {
        code: code(c),
        name: n.into(),
        region: RegionCode::parse(r).unwrap(),
        landsdel: "Test".into(),
        iso_3166_2: "DK-00".into(),
    };
    let channel =
        |c: &str, m: Medium, d: Direction, form: bool, digital: bool, order: i32| Channel {
            code: ChannelCode::parse(c).unwrap(),
            label_da: format!("{c} da"),
            label_en: format!("{c} en"),
            medium: m,
            direction: d,
            form_applicable: form,
            digital,
            sort_order: order,
        };
    let kle = |n: &str, t: &str| {
        let number = KleNumber::parse(n).unwrap();
        KleEntry {
            level: number.level(),
            parent: number.parent(),
            number,
            title: t.into(),
        }
    };
    let task = |n: &str, name: &str, mandatory: bool| PackageTask {
        kle: KleNumber::parse(n).unwrap(),
        name: name.into(),
        mandatory,
    };
    ReferenceData {
        regions: vec![
            region("1084", "Region Hovedstaden"),
            region("1085", "Region Sjælland"),
            region("1082", "Region Midtjylland"),
        ],
        municipalities: vec![
            municipality(KOEBENHAVN, "København", "1084"),
            municipality(KOEGE, "Køge", "1085"),
            municipality(AARHUS, "Aarhus", "1082"),
        ],
        populations: vec![
            Population {
                municipality: code(KOEGE),
                year: 2019,
                population: 60_000,
            },
            Population {
                municipality: code(KOEGE),
                year: 2020,
                population: 60_569,
            },
            Population {
                municipality: code(KOEBENHAVN),
                year: 2020,
                population: 632_340,
            },
        ],
        channels: vec![
            channel(
                "TLFIND",
                Medium::Telephone,
                Direction::Incoming,
                false,
                false,
                10,
            ),
            channel(
                "PRSNLG",
                Medium::Personal,
                Direction::Incoming,
                true,
                false,
                20,
            ),
            channel("EMLUD", Medium::Email, Direction::Outgoing, true, false, 31),
            channel("WEB", Medium::Website, Direction::Incoming, false, true, 90),
        ],
        inquiry_types: InquiryType::ALL
            .iter()
            .enumerate()
            .map(|(i, t)| InquiryTypeLabel {
                inquiry_type: *t,
                label_da: t.code().to_lowercase(),
                label_en: t.code().to_lowercase(),
                sort_order: i as i32,
            })
            .collect(),
        completions: Completion::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| CompletionLabel {
                completion: *c,
                label_da: c.code().into(),
                label_en: c.code().into(),
                sort_order: i as i32,
            })
            .collect(),
        kle: vec![
            kle("27", "Beskæftigelse"),
            kle("27.24", "Personlige tillæg"),
            kle("27.24.00", "Personlige tillæg i almindelighed"),
            kle("29", "Sundhed"),
            kle("29.03", "Sygesikring"),
            kle("29.03.04", "Sundhedskort"),
            kle("23.09.02", "Pas"),
        ],
        task_packages: vec![TaskPackage {
            code: "2012-efteraar".into(),
            name_da: "Pakke 2012".into(),
            name_en: "Package 2012".into(),
            season: Season::Autumn,
            year: 2012,
            description_da: String::new(),
            tasks: vec![
                task("29.03.04", "Sundhedskort (gult)", true),
                task("29.03.99", "EU-sygesikringskort (blåt)", true),
                task("23.09.02", "Pas", true),
                task("27.24", "Personlige tillæg", false),
            ],
        }],
        optional_parameters: vec![OptionalParameter {
            code: "gender".into(),
            answer_kind: AnswerKind::Choice,
            label_da: "Køn".into(),
            label_en: "Gender".into(),
            sort_order: 10,
            options: vec![
                AnswerOption {
                    code: "K".into(),
                    label_da: "Kvinde".into(),
                    label_en: "Woman".into(),
                    sort_order: 1,
                },
                AnswerOption {
                    code: "M".into(),
                    label_da: "Mand".into(),
                    label_en: "Man".into(),
                    sort_order: 2,
                },
            ],
        }],
    }
}

async fn with_reference(store: &dyn Store) -> ReferenceData {
    let data = reference_fixture();
    store.apply_reference_data(&data).await.unwrap();
    data
}

async fn national_task(store: &dyn Store, kle: &str) -> TaskRow {
    store
        .list_tasks(code(KOEGE))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == kle && t.municipality.is_none())
        .unwrap()
}

async fn unit_in(store: &dyn Store, municipality: u16, login: &str) -> UnitId {
    store
        .create_unit(&NewUnit {
            municipality: code(municipality),
            department: None,
            name: format!("Enhed {login}"),
            login: login.into(),
            password_hash: None,
        })
        .await
        .unwrap()
}

fn registration(
    municipality: u16,
    unit: Option<UnitId>,
    task: TaskId,
    channel: &str,
) -> NewRegistration {
    NewRegistration {
        municipality: code(municipality),
        unit,
        task,
        channel: ChannelCode::parse(channel).unwrap(),
        inquiry_type: Some(InquiryType::Guidance),
        completion: Some(Completion::AtOnce),
        has_form: None,
        // 09:15 Danish summer time
        registered_at: Utc.with_ymd_and_hms(2025, 10, 21, 7, 15, 0).unwrap(),
        duration_ms: Some(4_200),
        quantity: 1,
        source: Source::Tool,
        is_test: false,
        idempotency_key: None,
        answers: vec![],
    }
}

/// A Køge unit's session of twelve hours from `now`.
fn unit_session(unit: UnitId, now: chrono::DateTime<Utc>) -> NewSession {
    NewSession {
        token_hash: "a".repeat(64),
        municipality: Some(code(KOEGE)),
        unit: Some(unit),
        user: None,
        csrf_token: "csrf".into(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(12),
    }
}

fn batch(municipality: Option<u16>, sha: &str) -> NewBatch {
    NewBatch {
        municipality: municipality.map(code),
        kind: BatchKind::Codebook,
        file_name: "udtraek.csv".into(),
        sha256: sha.into(),
        created_by: "tovholder@koege.dk".into(),
    }
}

pub async fn reference_data_loads_idempotently(store: &dyn Store) {
    let data = with_reference(store).await;
    let first = store.reference_counts().await.unwrap();
    store.apply_reference_data(&data).await.unwrap();
    let second = store.reference_counts().await.unwrap();
    assert_eq!(first, second, "loading twice must change nothing");
    assert_eq!(first.municipalities, 3);
    assert_eq!(first.regions, 3);
    assert_eq!(first.channels, 4);
    assert_eq!(first.inquiry_types, 6);
    assert_eq!(first.completions, 2);
    assert_eq!(first.kle_entries, 7);
    assert_eq!(first.national_tasks, 4);
    assert_eq!(first.package_tasks, 4);
    assert_eq!(first.national_questions, 1);

    let channels = store.list_channels().await.unwrap();
    let web = channels.iter().find(|c| c.code.as_str() == "WEB").unwrap();
    assert!(web.digital && !web.form_applicable);
    assert_eq!(web.medium, Medium::Website);
    let emlud = channels
        .iter()
        .find(|c| c.code.as_str() == "EMLUD")
        .unwrap();
    assert_eq!(emlud.direction, Direction::Outgoing);

    let types = store.list_inquiry_types().await.unwrap();
    assert_eq!(types[0].inquiry_type, InquiryType::NewCase);
    assert_eq!(types[0].category, InquiryCategory::Transaction);

    let entry = store
        .get_kle_entry(&KleNumber::parse("27.24.00").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.level, TaskCodeKind::Topic);
    assert_eq!(entry.parent.unwrap().as_str(), "27.24");
    assert!(store
        .get_kle_entry(&KleNumber::parse("99.99.99").unwrap())
        .await
        .unwrap()
        .is_none());

    let packages = store.list_task_packages().await.unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0].season, Season::Autumn);
    let tasks = store.list_package_tasks(packages[0].id).await.unwrap();
    let pseudo = tasks
        .iter()
        .find(|t| t.task.kle.as_str() == "29.03.99")
        .unwrap();
    assert_eq!(
        pseudo.task.kind,
        TaskCodeKind::Pseudo,
        "29.03.99 is not in KLE"
    );
    assert!(pseudo.mandatory);
    let group = tasks
        .iter()
        .find(|t| t.task.kle.as_str() == "27.24")
        .unwrap();
    assert_eq!(group.task.kind, TaskCodeKind::Group);
    assert!(!group.mandatory);
}

pub async fn municipalities_carry_region_and_latest_population(store: &dyn Store) {
    with_reference(store).await;
    let all = store.list_municipalities().await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.code.get()).collect::<Vec<_>>(),
        vec![101, 259, 751]
    );
    let koege = store.get_municipality(code(KOEGE)).await.unwrap().unwrap();
    assert_eq!(koege.name, "Køge");
    assert_eq!(koege.region_name, "Region Sjælland");
    assert_eq!(koege.population, Some((2020, 60_569)));
    assert!(!koege.test_mode);
    let aarhus = store.get_municipality(code(AARHUS)).await.unwrap().unwrap();
    assert_eq!(aarhus.population, None);
    let years = store.list_populations(code(KOEGE)).await.unwrap();
    assert_eq!(
        years.iter().map(|p| p.year).collect::<Vec<_>>(),
        vec![2019, 2020]
    );
    assert!(store
        .list_populations(code(AARHUS))
        .await
        .unwrap()
        .is_empty());
    assert!(store.get_municipality(code(999)).await.unwrap().is_none());
}

pub async fn tasks_are_national_or_local_to_one_municipality(store: &dyn Store) {
    with_reference(store).await;
    let local = store
        .create_local_task(&NewLocalTask {
            municipality: code(KOEGE),
            kle: KleNumber::parse("27.24.00").unwrap(),
            kind: TaskCodeKind::Topic,
            name: "Køges eget tillæg".into(),
        })
        .await
        .unwrap();
    let koege = store.list_tasks(code(KOEGE)).await.unwrap();
    assert_eq!(koege.len(), 5);
    assert!(koege
        .iter()
        .any(|t| t.id == local && t.municipality == Some(code(KOEGE))));
    let kbh = store.list_tasks(code(KOEBENHAVN)).await.unwrap();
    assert_eq!(kbh.len(), 4);
    assert!(
        kbh.iter().all(|t| t.municipality.is_none()),
        "another municipality's task leaked"
    );
}

pub async fn departments_and_units_stay_in_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let dept = store
        .create_department(&NewDepartment {
            municipality: code(KOEGE),
            name: "Borgerservice".into(),
        })
        .await
        .unwrap();
    store
        .create_department(&NewDepartment {
            municipality: code(KOEBENHAVN),
            name: "Borgerservice".into(),
        })
        .await
        .unwrap();
    let duplicate = store
        .create_department(&NewDepartment {
            municipality: code(KOEGE),
            name: "Borgerservice".into(),
        })
        .await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))));

    let unit = store
        .create_unit(&NewUnit {
            municipality: code(KOEGE),
            department: Some(dept),
            name: "Sekretariatet".into(),
            login: "259sek".into(),
            password_hash: Some("$argon2id$x".into()),
        })
        .await
        .unwrap();
    unit_in(store, KOEBENHAVN, "101bs").await;

    let taken = store
        .create_unit(&NewUnit {
            municipality: code(KOEBENHAVN),
            department: None,
            name: "Andet".into(),
            login: "259sek".into(),
            password_hash: None,
        })
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(ref m)) if m.contains("259sek")));

    let foreign_department = store
        .create_unit(&NewUnit {
            municipality: code(KOEBENHAVN),
            department: Some(dept),
            name: "Snyd".into(),
            login: "101snyd".into(),
            password_hash: None,
        })
        .await;
    assert!(matches!(foreign_department, Err(StoreError::NotFound(_))));

    let depts = store.list_departments(code(KOEGE)).await.unwrap();
    assert_eq!(depts.len(), 1);
    assert!(depts.iter().all(|d| d.municipality == code(KOEGE)));
    let units = store.list_units(code(KOEGE)).await.unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].id, unit);
    assert_eq!(units[0].department, Some(dept));
    assert!(units[0].active);
    assert!(store.list_units(code(AARHUS)).await.unwrap().is_empty());
    assert_eq!(store.count_active_units().await.unwrap(), 2);

    // Every municipality's at once, for national reports.
    let everywhere = store.list_organisation_everywhere().await.unwrap();
    let mut logins: Vec<_> = everywhere.units.iter().map(|u| u.login.as_str()).collect();
    logins.sort_unstable();
    assert_eq!(logins, ["101bs", "259sek"]);
    assert_eq!(everywhere.departments.len(), 2);
    assert_eq!(
        everywhere.tasks.len(),
        store.list_national_tasks().await.unwrap().len(),
        "no municipality has tasks of its own yet"
    );

    let found = store.find_unit_by_login("259sek").await.unwrap().unwrap();
    assert_eq!((found.id, found.municipality), (unit, code(KOEGE)));
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$x"));
    assert!(store.find_unit_by_login("259SEKX").await.unwrap().is_none());
}

pub async fn task_assignment_is_scoped_to_the_unit_municipality(store: &dyn Store) {
    with_reference(store).await;
    let koege_unit = unit_in(store, KOEGE, "259bs").await;
    let kbh_unit = unit_in(store, KOEBENHAVN, "101bs").await;
    let pas = national_task(store, "23.09.02").await;
    let kort = national_task(store, "29.03.04").await;
    let kbh_local = store
        .create_local_task(&NewLocalTask {
            municipality: code(KOEBENHAVN),
            kle: KleNumber::parse("27.24.00").unwrap(),
            kind: TaskCodeKind::Topic,
            name: "Københavns egen".into(),
        })
        .await
        .unwrap();

    store
        .assign_tasks(code(KOEGE), koege_unit, &[pas.id, kort.id])
        .await
        .unwrap();
    store
        .assign_tasks(code(KOEGE), koege_unit, &[pas.id])
        .await
        .unwrap();
    let assigned = store
        .list_unit_tasks(code(KOEGE), koege_unit)
        .await
        .unwrap();
    assert_eq!(
        assigned.iter().map(|t| t.kle.as_str()).collect::<Vec<_>>(),
        vec!["23.09.02", "29.03.04"]
    );

    let foreign_task = store
        .assign_tasks(code(KOEGE), koege_unit, &[kbh_local])
        .await;
    assert!(matches!(foreign_task, Err(StoreError::NotFound(_))));
    let foreign_unit = store.assign_tasks(code(KOEGE), kbh_unit, &[pas.id]).await;
    assert!(matches!(foreign_unit, Err(StoreError::NotFound(_))));
    assert!(store
        .list_unit_tasks(code(KOEBENHAVN), koege_unit)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .list_unit_tasks(code(KOEBENHAVN), kbh_unit)
        .await
        .unwrap()
        .is_empty());
}

pub async fn users_hold_roles(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let admin = store
        .create_user(&NewUser {
            email: "Admin@KL.dk".into(),
            name: "Admin".into(),
            password_hash: None,
        })
        .await
        .unwrap();
    let coordinator = store
        .create_user(&NewUser {
            email: "tov@koege.dk".into(),
            name: "Tovholder".into(),
            password_hash: Some("h".into()),
        })
        .await
        .unwrap();
    let duplicate = store
        .create_user(&NewUser {
            email: "admin@kl.dk".into(),
            name: "Igen".into(),
            password_hash: None,
        })
        .await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))));

    store
        .grant_role(&NewRoleGrant {
            user: admin,
            role: Role::NationalAdmin,
            municipality: None,
            unit: None,
        })
        .await
        .unwrap();
    store
        .grant_role(&NewRoleGrant {
            user: coordinator,
            role: Role::Coordinator,
            municipality: Some(code(KOEGE)),
            unit: None,
        })
        .await
        .unwrap();
    store
        .grant_role(&NewRoleGrant {
            user: coordinator,
            role: Role::UnitLead,
            municipality: Some(code(KOEGE)),
            unit: Some(unit),
        })
        .await
        .unwrap();
    let bad = store
        .grant_role(&NewRoleGrant {
            user: admin,
            role: Role::UnitLead,
            municipality: Some(code(KOEGE)),
            unit: None,
        })
        .await;
    assert!(
        matches!(bad, Err(StoreError::Invalid(_))),
        "a unit lead needs a unit"
    );

    let found = store
        .find_user_by_email(" ADMIN@kl.dk ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, admin);
    let roles = store.list_user_roles(coordinator).await.unwrap();
    assert_eq!(roles.len(), 2);
    assert_eq!(
        roles[1],
        RoleGrantRow {
            role: Role::UnitLead,
            municipality: Some(code(KOEGE)),
            unit: Some(unit)
        }
    );
    let koege_users = store.list_municipality_users(code(KOEGE)).await.unwrap();
    assert_eq!(
        koege_users.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![coordinator]
    );
    assert!(store
        .list_municipality_users(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
}

pub async fn questions_and_unit_parameters_are_scoped(store: &dyn Store) {
    with_reference(store).await;
    let koege_unit = unit_in(store, KOEGE, "259ydelse").await;
    let kbh_unit = unit_in(store, KOEBENHAVN, "101ydelse").await;
    let task = national_task(store, "27.24").await;
    let local = store
        .create_question(&NewQuestion {
            municipality: Some(code(KOEGE)),
            code: None,
            task: Some(task.id),
            label_da: "Hvilket bidrag?".into(),
            label_en: "Which support?".into(),
            answer_kind: AnswerKind::Choice,
            sort_order: 1,
            options: vec![
                AnswerOption {
                    code: "NORMAL".into(),
                    label_da: "Normalbidrag".into(),
                    label_en: "Normal".into(),
                    sort_order: 1,
                },
                AnswerOption {
                    code: "FORHOEJET".into(),
                    label_da: "Forhøjet bidrag".into(),
                    label_en: "Increased".into(),
                    sort_order: 2,
                },
            ],
        })
        .await
        .unwrap();
    let koege = store.list_questions(code(KOEGE)).await.unwrap();
    assert_eq!(koege.len(), 2);
    let gender = koege
        .iter()
        .find(|q| q.code.as_deref() == Some("gender"))
        .unwrap();
    assert_eq!(
        gender
            .options
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>(),
        vec!["K", "M"]
    );
    let own = koege.iter().find(|q| q.id == local).unwrap();
    assert_eq!((own.task, own.options.len()), (Some(task.id), 2));
    let kbh = store.list_questions(code(KOEBENHAVN)).await.unwrap();
    assert_eq!(kbh.len(), 1, "Køge's own question leaked to København");

    store
        .enable_question(code(KOEGE), koege_unit, gender.id)
        .await
        .unwrap();
    store
        .enable_question(code(KOEGE), koege_unit, local)
        .await
        .unwrap();
    store
        .enable_question(code(KOEGE), koege_unit, local)
        .await
        .unwrap();
    assert_eq!(
        store
            .list_unit_questions(code(KOEGE), koege_unit)
            .await
            .unwrap()
            .len(),
        2
    );
    let foreign = store
        .enable_question(code(KOEBENHAVN), kbh_unit, local)
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound(_))));
    let wrong_unit = store
        .enable_question(code(KOEBENHAVN), koege_unit, gender.id)
        .await;
    assert!(matches!(wrong_unit, Err(StoreError::NotFound(_))));
    assert!(store
        .list_unit_questions(code(KOEBENHAVN), koege_unit)
        .await
        .unwrap()
        .is_empty());
}

pub async fn periods_are_national_or_local_and_joinable(store: &dyn Store) {
    with_reference(store).await;
    let autumn = CountingPeriod::national(2025, Season::Autumn).unwrap();
    let national = store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: autumn.clone(),
            task_package: None,
        })
        .await
        .unwrap();
    let again = store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: autumn.clone(),
            task_package: None,
        })
        .await
        .unwrap();
    assert_eq!(national, again, "a national period is stored once");
    let mut local_period = CountingPeriod::national(2026, Season::Spring).unwrap();
    local_period.name = "Køges ekstra uge".into();
    local_period.mandatory = false;
    let local = store
        .upsert_period(&NewPeriod {
            municipality: Some(code(KOEGE)),
            period: local_period,
            task_package: None,
        })
        .await
        .unwrap();

    let koege = store.list_periods(Some(code(KOEGE))).await.unwrap();
    assert_eq!(
        koege.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![local, national],
        "newest first"
    );
    assert_eq!(koege[1].period, autumn);
    assert!(koege[1].published_at.is_none());
    let kbh = store.list_periods(Some(code(KOEBENHAVN))).await.unwrap();
    assert_eq!(kbh.iter().map(|p| p.id).collect::<Vec<_>>(), vec![national]);
    assert_eq!(store.list_periods(None).await.unwrap().len(), 1);

    store.join_period(code(KOEGE), national).await.unwrap();
    store.join_period(code(KOEGE), national).await.unwrap();
    store.join_period(code(KOEGE), local).await.unwrap();
    assert_eq!(
        store.list_participations(code(KOEGE)).await.unwrap(),
        vec![national, local]
    );
    assert!(matches!(
        store.join_period(code(KOEBENHAVN), local).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store
        .list_participations(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
}

pub async fn registrations_store_dimensions_answers_and_idempotency(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut r = registration(KOEGE, Some(unit), task.id, "PRSNLG");
    r.has_form = Some(true);
    r.idempotency_key = Some("form-123".into());
    r.answers = vec![NewAnswer {
        question: gender.id,
        option: Some(gender.options[0].id),
        text: None,
    }];
    let first = store.insert_registration(&r).await.unwrap();
    assert!(matches!(first, Inserted::Created(_)));
    let resent = store.insert_registration(&r).await.unwrap();
    assert_eq!(
        resent,
        Inserted::Duplicate(first.id()),
        "a resent form must not store a second row"
    );

    let mut zero = registration(KOEGE, Some(unit), task.id, "PRSNLG");
    zero.quantity = 0;
    assert!(matches!(
        store.insert_registration(&zero).await,
        Err(StoreError::Invalid(_))
    ));
    let unknown_channel = registration(KOEGE, Some(unit), task.id, "FAX");
    assert!(store.insert_registration(&unknown_channel).await.is_err());

    let rows = store
        .list_registrations(code(KOEGE), &RegistrationFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, first.id());
    assert_eq!(row.day, NaiveDate::from_ymd_opt(2025, 10, 21).unwrap());
    assert_eq!(
        (row.iso_year, row.iso_week, row.hour),
        (2025, 43, 9),
        "Danish local time"
    );
    assert_eq!(row.registered_at, r.registered_at);
    assert_eq!(row.channel.as_str(), "PRSNLG");
    assert_eq!(row.inquiry_type, Some(InquiryType::Guidance));
    assert_eq!(row.completion, Some(Completion::AtOnce));
    assert_eq!(row.has_form, Some(true));
    assert_eq!(
        (row.duration_ms, row.quantity, row.source),
        (Some(4_200), 1, Source::Tool)
    );
    assert_eq!(
        (row.unit, row.batch, row.is_test),
        (Some(unit), None, false)
    );

    let answers = store.list_answers(code(KOEGE), first.id()).await.unwrap();
    assert_eq!(
        answers,
        vec![AnswerRow {
            question: gender.id,
            option: Some(gender.options[0].id),
            text: None
        }]
    );
    assert!(store
        .list_answers(code(KOEBENHAVN), first.id())
        .await
        .unwrap()
        .is_empty());
    // By id range, as an extract's page reads them; never another municipality's.
    assert_eq!(
        store
            .list_answers_between(code(KOEGE), first.id(), first.id())
            .await
            .unwrap(),
        vec![(first.id(), answers[0].clone())]
    );
    assert!(store
        .list_answers_between(code(KOEBENHAVN), first.id(), first.id())
        .await
        .unwrap()
        .is_empty());

    // The same key in another municipality is another registration.
    let mut other = registration(KOEBENHAVN, None, task.id, "TLFIND");
    other.idempotency_key = Some("form-123".into());
    assert!(matches!(
        store.insert_registration(&other).await.unwrap(),
        Inserted::Created(_)
    ));
}

pub async fn registrations_are_listed_only_for_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let koege_unit = unit_in(store, KOEGE, "259bs").await;
    let kbh_unit = unit_in(store, KOEBENHAVN, "101bs").await;
    let task = national_task(store, "23.09.02").await;
    store
        .insert_registration(&registration(KOEGE, Some(koege_unit), task.id, "TLFIND"))
        .await
        .unwrap();
    let mut test = registration(KOEGE, Some(koege_unit), task.id, "TLFIND");
    test.is_test = true;
    store.insert_registration(&test).await.unwrap();
    let mut late = registration(KOEGE, None, task.id, "WEB");
    late.registered_at = Utc.with_ymd_and_hms(2025, 11, 3, 12, 0, 0).unwrap();
    store.insert_registration(&late).await.unwrap();
    for _ in 0..3 {
        store
            .insert_registration(&registration(KOEBENHAVN, Some(kbh_unit), task.id, "TLFIND"))
            .await
            .unwrap();
    }

    let all = |include_test| RegistrationFilter {
        include_test,
        ..RegistrationFilter::default()
    };
    let koege = store
        .list_registrations(code(KOEGE), &all(false))
        .await
        .unwrap();
    assert_eq!(
        koege.len(),
        2,
        "test registrations are left out unless asked for"
    );
    assert!(koege.iter().all(|r| r.municipality == code(KOEGE)));
    assert_eq!(koege[0].channel.as_str(), "WEB", "newest first");
    assert_eq!(
        store
            .list_registrations(code(KOEGE), &all(true))
            .await
            .unwrap()
            .len(),
        3
    );
    let kbh = store
        .list_registrations(code(KOEBENHAVN), &all(true))
        .await
        .unwrap();
    assert_eq!(kbh.len(), 3);
    assert!(kbh.iter().all(|r| r.municipality == code(KOEBENHAVN)));
    assert!(store
        .list_registrations(code(AARHUS), &all(true))
        .await
        .unwrap()
        .is_empty());

    let by_unit = RegistrationFilter {
        unit: Some(kbh_unit),
        ..all(true)
    };
    assert!(store
        .list_registrations(code(KOEGE), &by_unit)
        .await
        .unwrap()
        .is_empty());
    let october = RegistrationFilter {
        from: NaiveDate::from_ymd_opt(2025, 10, 1),
        to: NaiveDate::from_ymd_opt(2025, 10, 31),
        ..all(false)
    };
    assert_eq!(
        store
            .list_registrations(code(KOEGE), &october)
            .await
            .unwrap()
            .len(),
        1
    );
    let limited = RegistrationFilter {
        limit: 2,
        ..all(true)
    };
    assert_eq!(
        store
            .list_registrations(code(KOEBENHAVN), &limited)
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn batches_load_all_rows_once_and_delete_whole(store: &dyn Store) {
    with_reference(store).await;
    let task = national_task(store, "29.03.04").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let id = store
        .create_batch(&batch(Some(KOEGE), "abc"))
        .await
        .unwrap();
    let mut rows: Vec<NewRegistration> = (0..2500)
        .map(|_| registration(KOEGE, None, task.id, "TLFIND"))
        .collect();
    rows[7].answers = vec![NewAnswer {
        question: gender.id,
        option: None,
        text: Some("fri tekst".into()),
    }];
    assert_eq!(store.append_to_batch(id, &rows).await.unwrap(), 2500);

    // A chunk with one bad row stores nothing of that chunk.
    let mut bad: Vec<NewRegistration> = (0..10)
        .map(|_| registration(KOEGE, None, task.id, "TLFIND"))
        .collect();
    bad[9].channel = ChannelCode::parse("UKENDT").unwrap();
    assert!(store.append_to_batch(id, &bad).await.is_err());
    let foreign = vec![registration(KOEBENHAVN, None, task.id, "TLFIND")];
    assert!(matches!(
        store.append_to_batch(id, &foreign).await,
        Err(StoreError::Invalid(_))
    ));

    let found = store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "abc")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.status, found.row_count),
        (id, BatchStatus::Loading, 2500)
    );
    let committed = store.commit_batch(id, None).await.unwrap();
    assert_eq!(
        (committed.status, committed.row_count),
        (BatchStatus::Committed, 2500)
    );
    assert!(matches!(
        store.append_to_batch(id, &rows[..1]).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.commit_batch(id, None).await.is_err());

    assert!(store
        .find_batch(Some(code(KOEBENHAVN)), BatchKind::Codebook, "abc")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch(None, BatchKind::Codebook, "abc")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch(Some(code(KOEGE)), BatchKind::Landkort, "abc")
        .await
        .unwrap()
        .is_none());
    let central = store.create_batch(&batch(None, "central")).await.unwrap();
    assert_eq!(
        store
            .list_batches(Some(code(KOEGE)))
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(
        store
            .list_batches(None)
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect::<Vec<_>>(),
        vec![central]
    );
    assert!(store
        .list_batches(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());

    let in_batch = RegistrationFilter {
        batch: Some(id),
        limit: 10_000,
        ..RegistrationFilter::default()
    };
    let stored = store
        .list_registrations(code(KOEGE), &in_batch)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2500);
    assert!(stored.iter().all(|r| r.batch == Some(id)));
    // The row with an answer is stored after the plain ones: newest id, listed first.
    let answers = store.list_answers(code(KOEGE), stored[0].id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text.as_deref(), Some("fri tekst"));

    assert!(matches!(
        store.delete_batch(Some(code(KOEBENHAVN)), id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.delete_batch(Some(code(KOEGE)), id).await.unwrap(),
        2500
    );
    assert!(store
        .list_registrations(code(KOEGE), &in_batch)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_batches(Some(code(KOEGE))).await.unwrap()[0].status,
        BatchStatus::Deleted
    );
    assert!(store
        .find_batch(Some(code(KOEGE)), BatchKind::Codebook, "abc")
        .await
        .unwrap()
        .is_none());
}

pub async fn counts_sum_quantity_and_exclude_test(store: &dyn Store) {
    with_reference(store).await;
    let task = national_task(store, "29.03.04").await;
    let period = store
        .upsert_period(&NewPeriod {
            municipality: None,
            period: CountingPeriod::national(2025, Season::Autumn).unwrap(),
            task_package: None,
        })
        .await
        .unwrap();
    let mut web = registration(KOEGE, None, task.id, "WEB");
    web.quantity = 1_000;
    web.source = Source::Central;
    store.insert_registration(&web).await.unwrap();
    store
        .insert_registration(&registration(KOEGE, None, task.id, "TLFIND"))
        .await
        .unwrap();
    let mut test = registration(KOEGE, None, task.id, "TLFIND");
    test.is_test = true;
    test.quantity = 50;
    store.insert_registration(&test).await.unwrap();
    let mut outside = registration(KOEBENHAVN, None, task.id, "TLFIND");
    outside.registered_at = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
    store.insert_registration(&outside).await.unwrap();

    let counts = store.count_by_municipality().await.unwrap();
    assert_eq!(
        counts,
        vec![
            MunicipalityCount {
                municipality: code(KOEBENHAVN),
                inquiries: 1,
                rows: 1
            },
            MunicipalityCount {
                municipality: code(KOEGE),
                inquiries: 1_001,
                rows: 2
            },
        ]
    );
    assert_eq!(
        store.count_by_period().await.unwrap(),
        vec![PeriodCount {
            period,
            inquiries: 1_001
        }]
    );
}

pub async fn total_counts_are_scoped_and_checked(store: &dyn Store) {
    with_reference(store).await;
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let total = NewTotalCount {
        municipality: code(KOEGE),
        measure: TotalMeasure::Inquiries,
        channel: Some(ChannelCode::parse("TLFIND").unwrap()),
        from,
        to,
        count: 180_000,
        source: "upload".into(),
        batch: None,
    };
    let id = store.insert_total_count(&total).await.unwrap();
    let sessions = NewTotalCount {
        measure: TotalMeasure::WebsiteSessions,
        channel: None,
        count: 900_000,
        ..total.clone()
    };
    store.insert_total_count(&sessions).await.unwrap();
    let missing_channel = NewTotalCount {
        channel: None,
        ..total.clone()
    };
    assert!(matches!(
        store.insert_total_count(&missing_channel).await,
        Err(StoreError::Invalid(_))
    ));
    let backwards = NewTotalCount {
        from: to,
        to: from,
        ..total.clone()
    };
    assert!(matches!(
        store.insert_total_count(&backwards).await,
        Err(StoreError::Invalid(_))
    ));

    let rows = store.list_total_counts(code(KOEGE)).await.unwrap();
    assert_eq!(rows.len(), 2);
    let phone = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!((phone.count, phone.from, phone.to), (180_000, from, to));
    assert_eq!(
        phone.channel.as_ref().map(ChannelCode::as_str),
        Some("TLFIND")
    );
    assert!(store
        .list_total_counts(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
}

pub async fn channel_prices_are_national_or_local(store: &dyn Store) {
    with_reference(store).await;
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let national = NewChannelPrice {
        municipality: None,
        channel: ChannelCode::parse("PRSNLG").unwrap(),
        valid_from: day,
        price_ore: 12_000,
        source_note: "national".into(),
    };
    store.set_channel_price(&national).await.unwrap();
    store
        .set_channel_price(&NewChannelPrice {
            price_ore: 13_500,
            ..national.clone()
        })
        .await
        .unwrap();
    let local = NewChannelPrice {
        municipality: Some(code(KOEGE)),
        price_ore: 9_900,
        source_note: "Køge".into(),
        ..national.clone()
    };
    store.set_channel_price(&local).await.unwrap();

    let koege = store.list_channel_prices(Some(code(KOEGE))).await.unwrap();
    assert_eq!(koege.len(), 2);
    assert!(koege.contains(&local));
    assert!(
        koege
            .iter()
            .any(|p| p.municipality.is_none() && p.price_ore == 13_500),
        "upsert replaces"
    );
    let kbh = store
        .list_channel_prices(Some(code(KOEBENHAVN)))
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1);
    assert!(kbh.iter().all(|p| p.municipality.is_none()));
    assert_eq!(store.list_channel_prices(None).await.unwrap().len(), 1);
}

pub async fn audit_log_is_scoped_and_newest_first(store: &dyn Store) {
    with_reference(store).await;
    let entry = |m: Option<u16>, action: &str| NewAuditEntry {
        municipality: m.map(code),
        actor: "tov@koege.dk".into(),
        action: action.into(),
        entity: "unit".into(),
        entity_id: "1".into(),
        before_json: None,
        after_json: Some(r#"{"name":"Borgerservice"}"#.into()),
    };
    store
        .append_audit(&entry(Some(KOEGE), "create"))
        .await
        .unwrap();
    store
        .append_audit(&entry(Some(KOEGE), "rename"))
        .await
        .unwrap();
    store
        .append_audit(&entry(Some(KOEBENHAVN), "create"))
        .await
        .unwrap();
    store.append_audit(&entry(None, "publish")).await.unwrap();

    let koege = store.list_audit(Some(code(KOEGE)), 100).await.unwrap();
    assert_eq!(
        koege
            .iter()
            .map(|a| a.entry.action.as_str())
            .collect::<Vec<_>>(),
        vec!["rename", "create"]
    );
    assert!(koege
        .iter()
        .all(|a| a.entry.municipality == Some(code(KOEGE))));
    assert_eq!(koege[0].entry, entry(Some(KOEGE), "rename"));
    assert_eq!(store.list_audit(None, 100).await.unwrap().len(), 4);
    assert_eq!(store.list_audit(None, 2).await.unwrap().len(), 2);
}

pub async fn registrations_are_corrected_and_removed_only_in_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let pas = national_task(store, "23.09.02").await;
    let kort = national_task(store, "29.03.04").await;
    let gender = store.list_questions(code(KOEGE)).await.unwrap().remove(0);
    let mut r = registration(KOEGE, Some(unit), pas.id, "TLFIND");
    r.answers = vec![NewAnswer {
        question: gender.id,
        option: Some(gender.options[1].id),
        text: None,
    }];
    let id = store.insert_registration(&r).await.unwrap().id();

    let row = store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .unwrap();
    assert!(row.created_at >= row.registered_at);
    assert!(store
        .get_registration(code(KOEBENHAVN), id)
        .await
        .unwrap()
        .is_none());

    let change = RegistrationChange {
        task: kort.id,
        channel: ChannelCode::parse("PRSNLG").unwrap(),
        inquiry_type: Some(InquiryType::NewCase),
        completion: Some(Completion::PutAside),
        has_form: Some(true),
    };
    assert!(matches!(
        store
            .update_registration(code(KOEBENHAVN), id, &change)
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .update_registration(code(KOEGE), id, &change)
        .await
        .unwrap();
    let corrected = store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (corrected.task, corrected.channel.as_str()),
        (kort.id, "PRSNLG")
    );
    assert_eq!(
        (
            corrected.inquiry_type,
            corrected.completion,
            corrected.has_form
        ),
        (
            Some(InquiryType::NewCase),
            Some(Completion::PutAside),
            Some(true)
        )
    );
    assert_eq!(
        (corrected.registered_at, corrected.quantity),
        (row.registered_at, 1),
        "time and quantity kept"
    );

    assert!(!store
        .delete_registration(code(KOEBENHAVN), id)
        .await
        .unwrap());
    assert!(store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .is_some());
    assert!(store.delete_registration(code(KOEGE), id).await.unwrap());
    assert!(store
        .get_registration(code(KOEGE), id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .list_answers(code(KOEGE), id)
        .await
        .unwrap()
        .is_empty());
    assert!(!store.delete_registration(code(KOEGE), id).await.unwrap());
}

pub async fn unit_usage_and_day_counts_are_the_unit_own(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let other = unit_in(store, KOEGE, "259sek").await;
    let pas = national_task(store, "23.09.02").await;
    let kort = national_task(store, "29.03.04").await;
    for _ in 0..3 {
        store
            .insert_registration(&registration(KOEGE, Some(unit), kort.id, "TLFIND"))
            .await
            .unwrap();
    }
    let mut test = registration(KOEGE, Some(unit), pas.id, "PRSNLG");
    test.is_test = true;
    test.quantity = 2;
    store.insert_registration(&test).await.unwrap();
    store
        .insert_registration(&registration(KOEGE, Some(other), pas.id, "TLFIND"))
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 10, 21).unwrap();

    let usage = store.unit_task_usage(code(KOEGE), unit, day).await.unwrap();
    assert_eq!(
        usage,
        vec![
            TaskUsage {
                task: kort.id,
                inquiries: 3
            },
            TaskUsage {
                task: pas.id,
                inquiries: 2
            }
        ]
    );
    assert!(store
        .unit_task_usage(code(KOEGE), unit, day.succ_opt().unwrap())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .unit_task_usage(code(KOEBENHAVN), unit, day)
        .await
        .unwrap()
        .is_empty());

    let counts = store.unit_day_counts(code(KOEGE), unit, day).await.unwrap();
    assert_eq!(counts.len(), 2);
    let phone = counts
        .iter()
        .find(|c| c.channel.as_str() == "TLFIND")
        .unwrap();
    assert_eq!(
        (phone.hour, phone.inquiries, phone.test_inquiries),
        (9, 3, 0)
    );
    let personal = counts
        .iter()
        .find(|c| c.channel.as_str() == "PRSNLG")
        .unwrap();
    assert_eq!((personal.inquiries, personal.test_inquiries), (2, 2));
    assert!(store
        .unit_day_counts(code(KOEBENHAVN), unit, day)
        .await
        .unwrap()
        .is_empty());
}

pub async fn sessions_expire_and_logins_are_throttled(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let session = unit_session(unit, now);
    store.create_session(&session).await.unwrap();
    assert_eq!(
        store.find_session(&session.token_hash, now).await.unwrap(),
        Some(session.clone())
    );
    assert!(
        store
            .find_session(&session.token_hash, session.expires_at)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store
        .find_session(&"b".repeat(64), now)
        .await
        .unwrap()
        .is_none());
    let neither = NewSession {
        token_hash: "c".repeat(64),
        unit: None,
        ..session.clone()
    };
    assert!(matches!(
        store.create_session(&neither).await,
        Err(StoreError::Invalid(_))
    ));
    store.prune_sessions(now, now).await.unwrap();
    assert!(
        store
            .find_session(&session.token_hash, now)
            .await
            .unwrap()
            .is_some(),
        "not yet expired"
    );
    store.delete_session(&session.token_hash).await.unwrap();
    assert!(store
        .find_session(&session.token_hash, now)
        .await
        .unwrap()
        .is_none());

    for minutes in [1, 2, 3] {
        store
            .record_login_failure("259bs", now - chrono::Duration::minutes(minutes))
            .await
            .unwrap();
    }
    store
        .record_login_failure("259bs", now - chrono::Duration::hours(2))
        .await
        .unwrap();
    store.record_login_failure("259sek", now).await.unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::minutes(15))
            .await
            .unwrap(),
        3
    );
    store
        .prune_sessions(now, now - chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        3
    );
    store.clear_login_failures("259bs").await.unwrap();
    assert_eq!(
        store
            .count_login_failures("259bs", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_login_failures("259sek", now - chrono::Duration::days(1))
            .await
            .unwrap(),
        1
    );

    store.record_unit_login(unit, now).await.unwrap();
    let row = store.find_unit_by_login("259bs").await.unwrap().unwrap();
    assert_eq!(row.last_login_at, Some(now));
}

pub async fn unit_passwords_and_test_mode_are_set_per_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    assert!(matches!(
        store
            .set_unit_password(code(KOEBENHAVN), unit, Some("x"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .set_unit_password(code(KOEGE), unit, Some("$argon2id$hash"))
        .await
        .unwrap();
    let row = store.find_unit_by_login("259bs").await.unwrap().unwrap();
    assert_eq!(row.password_hash.as_deref(), Some("$argon2id$hash"));

    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let until = now + chrono::Duration::hours(2);
    store
        .set_test_mode(code(KOEGE), true, Some(until))
        .await
        .unwrap();
    let koege = store.get_municipality(code(KOEGE)).await.unwrap().unwrap();
    assert_eq!(
        (koege.test_mode, koege.test_mode_until),
        (true, Some(until))
    );
    assert!(koege.in_test_mode(now));
    assert!(!koege.in_test_mode(until), "switches off by itself");
    assert!(
        !store
            .get_municipality(code(KOEBENHAVN))
            .await
            .unwrap()
            .unwrap()
            .test_mode
    );
    store
        .set_test_mode(code(KOEGE), false, Some(until))
        .await
        .unwrap();
    let off = store.get_municipality(code(KOEGE)).await.unwrap().unwrap();
    assert_eq!((off.test_mode, off.test_mode_until), (false, None));
}

pub async fn unit_sessions_come_with_their_unit_and_municipality(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let session = unit_session(unit, now);
    store.create_session(&session).await.unwrap();
    let found = store
        .find_unit_session(&session.token_hash, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.session, session);
    assert_eq!(found.unit.id, unit);
    assert_eq!(found.unit.login, "259bs");
    assert_eq!(
        Some(found.municipality.clone()),
        store.get_municipality(code(KOEGE)).await.unwrap()
    );
    assert!(store
        .find_unit_session(&session.token_hash, session.expires_at)
        .await
        .unwrap()
        .is_none());

    // A personal user's session is not a unit session.
    let user = store
        .create_user(&NewUser {
            email: "tovholder@koege.dk".into(),
            name: "Tovholder".into(),
            password_hash: None,
        })
        .await
        .unwrap();
    let personal = NewSession {
        token_hash: "d".repeat(64),
        unit: None,
        user: Some(user),
        ..session.clone()
    };
    store.create_session(&personal).await.unwrap();
    assert!(store
        .find_unit_session(&personal.token_hash, now)
        .await
        .unwrap()
        .is_none());
}

pub async fn setup_changes_raise_the_setup_version(store: &dyn Store) {
    with_reference(store).await;
    let version = |code_: u16| async move {
        store
            .get_municipality(code(code_))
            .await
            .unwrap()
            .unwrap()
            .setup_version
    };
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "23.09.02").await;

    let (koege, other) = (version(KOEGE).await, version(KOEBENHAVN).await);
    store
        .assign_tasks(code(KOEGE), unit, &[task.id])
        .await
        .unwrap();
    assert!(version(KOEGE).await > koege, "assigning a task");
    assert_eq!(version(KOEBENHAVN).await, other, "another municipality");

    let koege = version(KOEGE).await;
    store
        .create_local_task(&NewLocalTask {
            municipality: code(KOEGE),
            kle: KleNumber::parse("27.24.00").unwrap(),
            kind: TaskCodeKind::Topic,
            name: "Egen opgave".into(),
        })
        .await
        .unwrap();
    assert!(version(KOEGE).await > koege, "a local task");

    let koege = version(KOEGE).await;
    let question = store
        .create_question(&NewQuestion {
            municipality: Some(code(KOEGE)),
            code: None,
            task: Some(task.id),
            label_da: "Hvilken slags?".into(),
            label_en: "Which kind?".into(),
            answer_kind: AnswerKind::Text,
            sort_order: 1,
            options: vec![],
        })
        .await
        .unwrap();
    assert!(version(KOEGE).await > koege, "a question");

    let koege = version(KOEGE).await;
    store
        .enable_question(code(KOEGE), unit, question)
        .await
        .unwrap();
    assert!(version(KOEGE).await > koege, "a question switched on");
    assert_eq!(version(KOEBENHAVN).await, other);

    store
        .apply_reference_data(&reference_fixture())
        .await
        .unwrap();
    assert!(version(KOEBENHAVN).await > other, "national reference data");
}

/// Every registration that counts, grouped by every column, from the cube
/// and from the registrations, and by channel from the channel cube and
/// from the registrations: they must be the same.
async fn assert_cube_matches(store: &dyn Store, after: &str) {
    let by_all = |table| Aggregate {
        group_by: vec![
            Column::Municipality,
            Column::Day,
            Column::Week,
            Column::Unit,
            Column::Task,
            Column::Channel,
            Column::InquiryType,
            Column::Completion,
            Column::Form,
            Column::Source,
            Column::Test,
        ],
        test: TestRows::Include,
        table,
        ..Aggregate::default()
    };
    let sorted = |mut rows: Vec<AggregateRow>| {
        rows.sort_by(|a, b| a.keys.cmp(&b.keys));
        rows
    };
    let cube = sorted(store.aggregate(&by_all(Table::Cube)).await.unwrap());
    let raw = sorted(
        store
            .aggregate(&by_all(Table::Registrations))
            .await
            .unwrap(),
    );
    assert_eq!(cube, raw, "cube and registrations differ after {after}");

    // By the channel cube's own columns the store answers from the channel
    // cube: it must be the same too.
    let by_channel = |table| Aggregate {
        group_by: vec![
            Column::Municipality,
            Column::Day,
            Column::Week,
            Column::Channel,
            Column::Test,
        ],
        test: TestRows::Include,
        table,
        ..Aggregate::default()
    };
    let channel_cube = sorted(store.aggregate(&by_channel(Table::Cube)).await.unwrap());
    let raw = sorted(
        store
            .aggregate(&by_channel(Table::Registrations))
            .await
            .unwrap(),
    );
    assert_eq!(
        channel_cube, raw,
        "channel cube and registrations differ after {after}"
    );
}

pub async fn the_cube_always_equals_the_registrations_that_count(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let other = unit_in(store, KOEBENHAVN, "101bs").await;
    let task = national_task(store, "29.03.04").await;
    let pas = national_task(store, "23.09.02").await;
    assert_cube_matches(store, "nothing").await;

    // Typed in the tool: added by the insert trigger.
    let mut ids = Vec::new();
    for (i, channel) in ["TLFIND", "PRSNLG", "TLFIND", "EMLUD"].iter().enumerate() {
        let mut r = registration(KOEGE, Some(unit), task.id, channel);
        r.duration_ms = if i == 2 { None } else { Some(1_000 * i as i64) };
        r.has_form = if *channel == "PRSNLG" {
            Some(true)
        } else {
            None
        };
        r.inquiry_type = if i == 3 { None } else { r.inquiry_type };
        r.is_test = i == 1;
        ids.push(store.insert_registration(&r).await.unwrap().id());
    }
    store
        .insert_registration(&registration(KOEBENHAVN, Some(other), pas.id, "TLFIND"))
        .await
        .unwrap();
    assert_cube_matches(store, "typed registrations").await;

    // Corrected and undone: the update and delete triggers.
    store
        .update_registration(
            code(KOEGE),
            ids[0],
            &RegistrationChange {
                task: pas.id,
                channel: ChannelCode::parse("WEB").unwrap(),
                inquiry_type: Some(InquiryType::NewCase),
                completion: None,
                has_form: None,
            },
        )
        .await
        .unwrap();
    assert_cube_matches(store, "a correction").await;
    store
        .delete_registration(code(KOEGE), ids[2])
        .await
        .unwrap();
    assert_cube_matches(store, "an undo").await;

    // A batch: invisible while loading, counted at commit, replaced, deleted.
    let first = store.create_batch(&batch(Some(KOEGE), "a")).await.unwrap();
    let mut rows: Vec<NewRegistration> = (0..30)
        .map(|i| {
            let mut r = registration(KOEGE, (i % 3 == 0).then_some(unit), task.id, "EMLUD");
            r.quantity = 1 + i % 4;
            r.source = Source::Upload;
            r.is_test = i % 10 == 0;
            r
        })
        .collect();
    store.append_to_batch(first, &rows).await.unwrap();
    assert_cube_matches(store, "a batch still loading").await;
    store.commit_batch(first, None).await.unwrap();
    assert_cube_matches(store, "a committed batch").await;
    let second = store.create_batch(&batch(Some(KOEGE), "a")).await.unwrap();
    rows.truncate(12);
    store.append_to_batch(second, &rows).await.unwrap();
    store.commit_batch(second, Some(first)).await.unwrap();
    assert_cube_matches(store, "a replaced batch").await;
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert_cube_matches(store, "the replaced batch's rows removed").await;

    // Test registrations deleted, typed and from batches alike.
    store
        .apply(
            &SetupChange::DeleteTestRegistrations {
                municipality: code(KOEGE),
            },
            &test_audit(Some(code(KOEGE))),
        )
        .await
        .unwrap();
    assert_cube_matches(store, "deleting test registrations").await;
    store.delete_batch(Some(code(KOEGE)), second).await.unwrap();
    assert_cube_matches(store, "a deleted batch").await;
    let left = store
        .aggregate(&Aggregate {
            test: TestRows::Include,
            ..Aggregate::default()
        })
        .await
        .unwrap();
    assert_eq!(
        left[0].rows, 3,
        "two typed Køge rows and one in København remain"
    );
}

pub async fn aggregates_filter_group_and_stay_in_their_municipalities(store: &dyn Store) {
    with_reference(store).await;
    let unit = unit_in(store, KOEGE, "259bs").await;
    let task = national_task(store, "29.03.04").await;
    for (channel, quantity, test) in [
        ("TLFIND", 2, false),
        ("TLFIND", 3, false),
        ("PRSNLG", 5, true),
    ] {
        let mut r = registration(KOEGE, Some(unit), task.id, channel);
        r.quantity = quantity;
        r.is_test = test;
        store.insert_registration(&r).await.unwrap();
    }
    let mut r = registration(KOEBENHAVN, None, task.id, "TLFIND");
    r.quantity = 7;
    store.insert_registration(&r).await.unwrap();

    for table in [Table::Cube, Table::Registrations] {
        let koege = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEGE)],
                group_by: vec![Column::Channel],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(koege.len(), 1, "test rows left out: {koege:?}");
        assert_eq!(
            koege[0].keys,
            vec![Key::Channel(ChannelCode::parse("TLFIND").unwrap())]
        );
        assert_eq!(
            (koege[0].inquiries, koege[0].rows),
            (5, 2),
            "sum of quantity"
        );
        assert_eq!(koege[0].duration_sum_ms, 8_400);

        let national = store
            .aggregate(&Aggregate {
                group_by: vec![Column::Municipality],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(national.len(), 2);

        let filtered = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEBENHAVN)],
                units: vec![None],
                channels: vec![ChannelCode::parse("TLFIND").unwrap()],
                from: NaiveDate::from_ymd_opt(2025, 10, 21),
                to: NaiveDate::from_ymd_opt(2025, 10, 21),
                group_by: vec![Column::Unit, Column::Week],
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].keys, vec![Key::Unit(None), Key::Week(2025, 43)]);
        assert_eq!(filtered[0].inquiries, 7, "only København's");

        let only_test = store
            .aggregate(&Aggregate {
                municipalities: vec![code(KOEGE)],
                test: TestRows::Only,
                table,
                ..Aggregate::default()
            })
            .await
            .unwrap();
        assert_eq!(only_test[0].inquiries, 5);
    }
    let hours = store
        .aggregate(&Aggregate {
            municipalities: vec![code(KOEGE)],
            group_by: vec![Column::Hour],
            ..Aggregate::default()
        })
        .await
        .unwrap();
    assert_eq!(
        hours[0].keys,
        vec![Key::Hour(9)],
        "hours come from the registrations"
    );
    assert!(store
        .aggregate(&Aggregate {
            group_by: vec![Column::Hour],
            table: Table::Cube,
            ..Aggregate::default()
        })
        .await
        .is_err());
}

pub async fn web_pages_map_paths_to_the_municipality_own_tasks(store: &dyn Store) {
    with_reference(store).await;
    let national = national_task(store, "23.09.02").await;
    let local = |m: u16| async move {
        store
            .create_local_task(&NewLocalTask {
                municipality: code(m),
                kle: KleNumber::parse("27.24.00").unwrap(),
                kind: TaskCodeKind::Topic,
                name: "Egen opgave".into(),
            })
            .await
            .unwrap()
    };
    let koege_task = local(KOEGE).await;
    let kbh_task = local(KOEBENHAVN).await;
    let page = |m: u16, path: &str, task: TaskId| {
        SetupChange::CreateWebPage(NewWebPage {
            municipality: code(m),
            path: PagePath::parse(path).unwrap(),
            task,
        })
    };
    let version = store
        .get_municipality(code(KOEGE))
        .await
        .unwrap()
        .unwrap()
        .setup_version;
    let pas = WebPageId(
        store
            .change(page(KOEGE, "/borger/pas", national.id))
            .await
            .unwrap()
            .created()
            .unwrap(),
    );
    store
        .change(page(KOEGE, "/borger/tillaeg", koege_task))
        .await
        .unwrap();
    assert!(
        matches!(
            store.change(page(KOEGE, "/borger/pas", koege_task)).await,
            Err(StoreError::Conflict(_))
        ),
        "one task per path"
    );
    assert!(
        matches!(
            store.change(page(KOEGE, "/borger/andet", kbh_task)).await,
            Err(StoreError::NotFound(_))
        ),
        "another municipality's own task"
    );
    store
        .change(page(KOEBENHAVN, "/borger/pas", kbh_task))
        .await
        .unwrap();

    let koege = store.list_web_pages(code(KOEGE)).await.unwrap();
    let listed: Vec<(&str, TaskId)> = koege.iter().map(|p| (p.path.as_str(), p.task)).collect();
    assert_eq!(
        listed,
        vec![
            ("/borger/pas", national.id),
            ("/borger/tillaeg", koege_task)
        ]
    );
    assert!(koege.iter().all(|p| p.municipality == code(KOEGE)));
    let kbh = store.list_web_pages(code(KOEBENHAVN)).await.unwrap();
    assert_eq!(kbh.len(), 1);
    assert_eq!(kbh[0].task, kbh_task);
    assert!(store.list_web_pages(code(AARHUS)).await.unwrap().is_empty());
    assert_eq!(
        store
            .get_municipality(code(KOEGE))
            .await
            .unwrap()
            .unwrap()
            .setup_version,
        version,
        "a mapping changes nothing units register"
    );

    assert!(matches!(
        store
            .change(SetupChange::DeleteWebPage {
                municipality: code(KOEBENHAVN),
                page: pas,
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .change(SetupChange::DeleteWebPage {
            municipality: code(KOEGE),
            page: pas,
        })
        .await
        .unwrap();
    assert_eq!(store.list_web_pages(code(KOEGE)).await.unwrap().len(), 1);
    assert_eq!(
        store.list_web_pages(code(KOEBENHAVN)).await.unwrap().len(),
        1
    );
}

pub async fn own_statistics_are_set_per_municipality_and_channel(store: &dyn Store) {
    with_reference(store).await;
    let set = |m: u16, channel: &str, own: bool| SetupChange::SetOwnStatistics {
        municipality: code(m),
        channel: ChannelCode::parse(channel).unwrap(),
        own,
    };
    store.change(set(KOEGE, "WEB", true)).await.unwrap();
    store.change(set(KOEGE, "WEB", true)).await.unwrap();
    store.change(set(KOEGE, "EMLUD", true)).await.unwrap();
    store.change(set(AARHUS, "WEB", true)).await.unwrap();
    assert!(matches!(
        store.change(set(KOEGE, "UKENDT", true)).await,
        Err(StoreError::NotFound(_))
    ));
    let channels = |rows: Vec<OwnStatisticsRow>| -> Vec<(u16, String)> {
        rows.into_iter()
            .map(|r| (r.municipality.get(), r.channel.to_string()))
            .collect()
    };
    assert_eq!(
        channels(store.list_own_statistics(Some(code(KOEGE))).await.unwrap()),
        vec![(KOEGE, "EMLUD".into()), (KOEGE, "WEB".into())]
    );
    assert!(store
        .list_own_statistics(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        channels(store.list_own_statistics(None).await.unwrap()),
        vec![
            (KOEGE, "EMLUD".into()),
            (KOEGE, "WEB".into()),
            (AARHUS, "WEB".into())
        ]
    );
    store.change(set(KOEGE, "WEB", false)).await.unwrap();
    store.change(set(KOEGE, "WEB", false)).await.unwrap();
    assert_eq!(
        channels(store.list_own_statistics(Some(code(KOEGE))).await.unwrap()),
        vec![(KOEGE, "EMLUD".into())]
    );
    assert_eq!(
        channels(store.list_own_statistics(Some(code(AARHUS))).await.unwrap()),
        vec![(AARHUS, "WEB".into())]
    );
}

pub async fn channel_counts_by_task_sum_visible_quantity_of_one_municipality(store: &dyn Store) {
    with_reference(store).await;
    let pas = national_task(store, "23.09.02").await;
    let card = national_task(store, "29.03.04").await;
    let web = |m: u16, task: TaskId, quantity: i64| NewRegistration {
        quantity,
        unit: None,
        source: Source::Upload,
        ..registration(m, None, task, "WEB")
    };
    let committed = store
        .create_batch(&batch(Some(KOEGE), "web-1"))
        .await
        .unwrap();
    store
        .append_to_batch(
            committed,
            &[web(KOEGE, pas.id, 120), web(KOEGE, card.id, 7)],
        )
        .await
        .unwrap();
    store.commit_batch(committed, None).await.unwrap();
    let loading = store
        .create_batch(&batch(Some(KOEGE), "web-2"))
        .await
        .unwrap();
    store
        .append_to_batch(loading, &[web(KOEGE, pas.id, 1_000)])
        .await
        .unwrap();
    store
        .insert_registration(&web(KOEGE, pas.id, 3))
        .await
        .unwrap();
    store
        .insert_registration(&NewRegistration {
            is_test: true,
            ..web(KOEGE, pas.id, 50)
        })
        .await
        .unwrap();
    store
        .insert_registration(&registration(KOEGE, None, pas.id, "TLFIND"))
        .await
        .unwrap();
    store
        .insert_registration(&web(KOEBENHAVN, pas.id, 9_999))
        .await
        .unwrap();

    let web_code = ChannelCode::parse("WEB").unwrap();
    let counts = store
        .count_channel_by_task(code(KOEGE), &web_code)
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![
            TaskCount {
                task: pas.id,
                rows: 2,
                inquiries: 123
            },
            TaskCount {
                task: card.id,
                rows: 1,
                inquiries: 7
            },
        ],
        "committed and typed rows, not the loading batch, the test row or the phone"
    );
    let kbh = store
        .count_channel_by_task(code(KOEBENHAVN), &web_code)
        .await
        .unwrap();
    assert_eq!(kbh.len(), 1);
    assert_eq!(kbh[0].inquiries, 9_999);
    assert!(store
        .count_channel_by_task(code(AARHUS), &web_code)
        .await
        .unwrap()
        .is_empty());
}

/// A system token of a municipality, issued through [`Store::apply`].
async fn system_token(
    store: &dyn Store,
    municipality: u16,
    name: &str,
    hash: &str,
) -> SystemTokenId {
    let applied = store
        .apply(
            &SetupChange::CreateSystemToken(NewSystemToken {
                municipality: code(municipality),
                name: name.into(),
                token_hash: hash.into(),
                created_by: "bruger:tovholder@koege.dk".into(),
            }),
            &test_audit(Some(code(municipality))),
        )
        .await
        .unwrap();
    SystemTokenId(applied.created().unwrap())
}

pub async fn system_tokens_open_only_their_municipality(store: &dyn Store) {
    with_reference(store).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let koege = system_token(store, KOEGE, "Kø-system Borgerservice", &"a".repeat(64)).await;
    let kbh = system_token(store, KOEBENHAVN, "Telefonsystem", &"b".repeat(64)).await;
    // The same hash twice is refused: a token opens one municipality only.
    assert!(matches!(
        store
            .apply(
                &SetupChange::CreateSystemToken(NewSystemToken {
                    municipality: code(KOEGE),
                    name: "Kopi".into(),
                    token_hash: "b".repeat(64),
                    created_by: "x".into(),
                }),
                &test_audit(Some(code(KOEGE))),
            )
            .await,
        Err(StoreError::Conflict(_))
    ));

    let listed = store.list_system_tokens(code(KOEGE)).await.unwrap();
    assert_eq!(listed.len(), 1);
    let row = &listed[0];
    assert_eq!(
        (
            row.id,
            row.municipality,
            row.name.as_str(),
            row.created_by.as_str()
        ),
        (
            koege,
            code(KOEGE),
            "Kø-system Borgerservice",
            "bruger:tovholder@koege.dk"
        )
    );
    assert_eq!((row.last_used_at, row.revoked_at.is_some()), (None, false));
    assert_eq!(
        store
            .list_system_tokens(code(KOEBENHAVN))
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        vec![kbh],
        "another municipality's tokens are never listed"
    );

    // Using a token returns its own municipality and marks it used.
    let used = store
        .use_system_token(&"b".repeat(64), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((used.id, used.municipality), (kbh, code(KOEBENHAVN)));
    assert_eq!(used.last_used_at, Some(now));
    assert_eq!(
        store.list_system_tokens(code(KOEGE)).await.unwrap()[0].last_used_at,
        None,
        "using 101's token touches nothing of 259"
    );
    assert!(store
        .use_system_token(&"c".repeat(64), now)
        .await
        .unwrap()
        .is_none());

    // Revoking: only in the token's own municipality, once, and at once.
    assert!(matches!(
        store
            .apply(
                &SetupChange::RevokeSystemToken {
                    municipality: code(KOEGE),
                    token: kbh,
                    revoked_by: "bruger:tovholder@koege.dk".into(),
                },
                &test_audit(Some(code(KOEGE))),
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store
        .use_system_token(&"b".repeat(64), now)
        .await
        .unwrap()
        .is_some());
    let revoke = SetupChange::RevokeSystemToken {
        municipality: code(KOEGE),
        token: koege,
        revoked_by: "bruger:tovholder@koege.dk".into(),
    };
    store
        .apply(&revoke, &test_audit(Some(code(KOEGE))))
        .await
        .unwrap();
    assert!(store
        .use_system_token(&"a".repeat(64), now)
        .await
        .unwrap()
        .is_none());
    let revoked = &store.list_system_tokens(code(KOEGE)).await.unwrap()[0];
    assert!(revoked.is_revoked());
    assert_eq!(
        revoked.revoked_by.as_deref(),
        Some("bruger:tovholder@koege.dk")
    );
    assert!(matches!(
        store.apply(&revoke, &test_audit(Some(code(KOEGE)))).await,
        Err(StoreError::NotFound(_))
    ));
    // The audit log has the changes but never a token's hash.
    let audit = store.list_audit(None, 100).await.unwrap();
    assert!(audit.iter().all(|a| {
        !a.entry
            .after_json
            .clone()
            .unwrap_or_default()
            .contains("aaaa")
            && !a
                .entry
                .before_json
                .clone()
                .unwrap_or_default()
                .contains("aaaa")
    }));
}

pub async fn api_batches_are_found_by_name_and_stored_once(store: &dyn Store) {
    with_reference(store).await;
    let api = |municipality: u16, name: &str, sha: &str| NewBatch {
        municipality: Some(code(municipality)),
        kind: BatchKind::Api,
        file_name: name.into(),
        sha256: sha.into(),
        created_by: "system:Kø-system".into(),
    };
    let first = store.create_batch(&api(KOEGE, "kø-1", "s1")).await.unwrap();
    let found = store
        .find_batch_named(code(KOEGE), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.sha256.as_str()), (first, "s1"));
    assert!(store
        .find_batch_named(code(KOEBENHAVN), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_batch_named(code(KOEGE), BatchKind::Codebook, "kø-1")
        .await
        .unwrap()
        .is_none());

    // While one copy is loading or committed, no second live API batch with
    // the same identity or the same name can be opened in the municipality.
    assert!(matches!(
        store.create_batch(&api(KOEGE, "kø-2", "s1")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.create_batch(&api(KOEGE, "kø-1", "s2")).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .create_batch(&api(KOEBENHAVN, "kø-1", "s1"))
        .await
        .unwrap();
    // Unnamed batches differ by identity only; other kinds are not limited.
    store.create_batch(&api(KOEGE, "", "s3")).await.unwrap();
    store.create_batch(&api(KOEGE, "", "s4")).await.unwrap();
    store.create_batch(&batch(Some(KOEGE), "s1")).await.unwrap();
    store.create_batch(&batch(Some(KOEGE), "s1")).await.unwrap();

    store.commit_batch(first, None).await.unwrap();
    assert!(store.create_batch(&api(KOEGE, "kø-1", "s1")).await.is_err());
    // A deleted batch frees its identity and its name.
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert!(store
        .find_batch_named(code(KOEGE), BatchKind::Api, "kø-1")
        .await
        .unwrap()
        .is_none());
    store.create_batch(&api(KOEGE, "kø-1", "s1")).await.unwrap();
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn phone_total(municipality: u16, channel: &str, from: NaiveDate, to: NaiveDate) -> NewTotalCount {
    NewTotalCount {
        municipality: code(municipality),
        measure: TotalMeasure::Inquiries,
        channel: Some(ChannelCode::parse(channel).unwrap()),
        from,
        to,
        count: 1_234,
        source: "form".into(),
        batch: None,
    }
}

fn totals_batch(municipality: Option<u16>, kind: BatchKind, sha: &str) -> NewBatch {
    NewBatch {
        municipality: municipality.map(code),
        kind,
        file_name: String::new(),
        sha256: sha.into(),
        created_by: "bruger:tovholder@koege.dk".into(),
    }
}

/// Polls two futures until both are done, so neither waits for the other
/// to start: what two coordinators pressing "Gem" at once look like.
async fn both<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future,
    B: std::future::Future,
{
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

pub async fn totals_stage_invisibly_and_commit_only_without_overlap(store: &dyn Store) {
    with_reference(store).await;
    let october = phone_total(KOEGE, "TLFIND", day(2025, 10, 1), day(2025, 10, 31));
    let first = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "a"),
            std::slice::from_ref(&october),
        )
        .await
        .unwrap();
    assert!(
        store
            .list_totals(Some(code(KOEGE)))
            .await
            .unwrap()
            .is_empty(),
        "a staged batch is invisible"
    );
    assert!(store
        .list_total_counts(code(KOEGE))
        .await
        .unwrap()
        .is_empty());
    assert!(
        store
            .find_total_overlaps(std::slice::from_ref(&october))
            .await
            .unwrap()
            .is_empty(),
        "a staged batch blocks nothing"
    );
    assert!(matches!(
        store.commit_totals(Some(code(KOEBENHAVN)), first).await,
        Err(StoreError::NotFound(_))
    ));
    let committed = match store.commit_totals(Some(code(KOEGE)), first).await.unwrap() {
        TotalsCommit::Committed(batch) => batch,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (committed.status, committed.row_count),
        (BatchStatus::Committed, 1)
    );
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), first).await,
        Err(StoreError::NotFound(_))
    ));
    let listed = store.list_totals(Some(code(KOEGE))).await.unwrap();
    assert_eq!(listed.len(), 1);
    let entry = &listed[0];
    assert_eq!(
        (entry.total.count, entry.total.from, entry.total.to),
        (1_234, october.from, october.to)
    );
    assert_eq!(entry.total.batch, Some(first));
    assert_eq!(entry.batch_kind.map(BatchKind::code), Some("totals_form"));
    assert_eq!(
        entry.entered_by.as_deref(),
        Some("bruger:tovholder@koege.dk")
    );
    assert!(store
        .list_totals(Some(code(KOEBENHAVN)))
        .await
        .unwrap()
        .is_empty());
    assert!(
        store.list_totals(None).await.unwrap().is_empty(),
        "not central"
    );

    // Overlaps: same municipality, measure and channel, a day in common.
    let last_day = phone_total(KOEGE, "TLFIND", day(2025, 10, 31), day(2025, 11, 2));
    let outgoing = phone_total(KOEGE, "TLFUD", day(2025, 10, 1), day(2025, 10, 31));
    let november = phone_total(KOEGE, "TLFIND", day(2025, 11, 1), day(2025, 11, 30));
    let elsewhere = phone_total(KOEBENHAVN, "TLFIND", day(2025, 10, 1), day(2025, 10, 31));
    let found = store
        .find_total_overlaps(&[
            outgoing.clone(),
            last_day.clone(),
            november.clone(),
            elsewhere.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].index, 1);
    assert_eq!(found[0].existing.total.batch, Some(first));

    let second = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "b"),
            &[november.clone(), last_day.clone()],
        )
        .await
        .unwrap();
    match store
        .commit_totals(Some(code(KOEGE)), second)
        .await
        .unwrap()
    {
        TotalsCommit::Overlaps(overlaps) => {
            assert_eq!(overlaps.len(), 1);
            assert_eq!(overlaps[0].index, 1, "the second total of the batch");
            assert_eq!(overlaps[0].existing.total.from, day(2025, 10, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.list_totals(Some(code(KOEGE))).await.unwrap().len(),
        1,
        "a refused batch stays invisible"
    );

    // The same file (kind and SHA-256) again is refused as such.
    let again = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "a"),
            std::slice::from_ref(&november),
        )
        .await
        .unwrap();
    match store.commit_totals(Some(code(KOEGE)), again).await.unwrap() {
        TotalsCommit::Duplicate(batch) => assert_eq!(batch.id, first),
        other => panic!("{other:?}"),
    }

    // A total of another municipality does not go in a Køge batch.
    assert!(matches!(
        store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, "c"),
                &[elsewhere]
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Every total or none.
    let backwards = phone_total(KOEGE, "TLFUD", day(2025, 12, 31), day(2025, 12, 1));
    let batches_before = store.list_batches(Some(code(KOEGE))).await.unwrap().len();
    assert!(matches!(
        store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "d"),
                &[outgoing.clone(), backwards]
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.list_batches(Some(code(KOEGE))).await.unwrap().len(),
        batches_before,
        "no batch is left of a refused stage"
    );

    // Deleting the first entry frees its days.
    store.delete_batch(Some(code(KOEGE)), first).await.unwrap();
    assert!(store
        .list_totals(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
    store.delete_batch(Some(code(KOEGE)), second).await.unwrap();
    let third = store
        .stage_totals(
            &totals_batch(Some(KOEGE), BatchKind::TotalsCsv, "b"),
            &[last_day],
        )
        .await
        .unwrap();
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), third).await.unwrap(),
        TotalsCommit::Committed(_)
    ));
}

pub async fn totals_entered_at_the_same_moment_commit_only_once(store: &dyn Store) {
    with_reference(store).await;
    for round in 0..5 {
        let from = day(2025, 1 + round, 1);
        let a = store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, &format!("a{round}")),
                &[phone_total(
                    KOEGE,
                    "TLFIND",
                    from,
                    from + chrono::Duration::days(20),
                )],
            )
            .await
            .unwrap();
        let b = store
            .stage_totals(
                &totals_batch(Some(KOEGE), BatchKind::TotalsForm, &format!("b{round}")),
                &[phone_total(
                    KOEGE,
                    "TLFIND",
                    from + chrono::Duration::days(10),
                    from + chrono::Duration::days(25),
                )],
            )
            .await
            .unwrap();
        let (ra, rb) = both(
            store.commit_totals(Some(code(KOEGE)), a),
            store.commit_totals(Some(code(KOEGE)), b),
        )
        .await;
        let committed = [ra.unwrap(), rb.unwrap()]
            .iter()
            .filter(|r| matches!(r, TotalsCommit::Committed(_)))
            .count();
        assert_eq!(
            committed, 1,
            "round {round}: exactly one of two overlapping entries"
        );
    }
    assert_eq!(store.list_totals(Some(code(KOEGE))).await.unwrap().len(), 5);
}

pub async fn central_totals_are_listed_per_municipality_and_deleted_whole(store: &dyn Store) {
    with_reference(store).await;
    let logins = |municipality: u16, count: i64| NewTotalCount {
        municipality: code(municipality),
        measure: TotalMeasure::BorgerdkLogins,
        channel: None,
        from: day(2025, 1, 1),
        to: day(2025, 12, 31),
        count,
        source: "national".into(),
        batch: None,
    };
    let central = store
        .stage_totals(
            &totals_batch(
                None,
                BatchKind::TotalsNational(TotalMeasure::BorgerdkLogins),
                "n",
            ),
            &[logins(KOEGE, 61_000), logins(KOEBENHAVN, 512_000)],
        )
        .await
        .unwrap();
    assert!(matches!(
        store.commit_totals(Some(code(KOEGE)), central).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.commit_totals(None, central).await.unwrap(),
        TotalsCommit::Committed(_)
    ));
    let all = store.list_totals(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|e| e.total.batch == Some(central)));
    let koege = store.list_totals(Some(code(KOEGE))).await.unwrap();
    assert_eq!(koege.len(), 1, "a municipality sees its own central figure");
    assert_eq!(koege[0].total.count, 61_000);
    assert!(store
        .list_totals(Some(code(AARHUS)))
        .await
        .unwrap()
        .is_empty());

    // NemID issued is another measure: no overlap with the logins.
    let nemid = NewTotalCount {
        measure: TotalMeasure::NemidIssued,
        ..logins(KOEGE, 3_000)
    };
    assert!(store
        .find_total_overlaps(&[nemid])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .find_total_overlaps(&[logins(KOEGE, 1)])
            .await
            .unwrap()
            .len(),
        1
    );

    assert!(matches!(
        store.delete_batch(Some(code(KOEGE)), central).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_batch(None, central).await.unwrap();
    assert!(store.list_totals(None).await.unwrap().is_empty());
    assert!(store
        .list_totals(Some(code(KOEGE)))
        .await
        .unwrap()
        .is_empty());
}

pub async fn phone_rules_are_set_up_per_municipality_in_order(store: &dyn Store) {
    with_reference(store).await;
    let rule = |municipality: u16, field, matching, pattern: &str, direction| NewCdrRule {
        municipality: code(municipality),
        field,
        matching,
        pattern: pattern.into(),
        direction,
    };
    let trunk_in = rule(
        KOEGE,
        CdrRuleField::Channel,
        CdrMatch::Prefix,
        "SIP/trunk-",
        Direction::Incoming,
    );
    let trunk_out = rule(
        KOEGE,
        CdrRuleField::DstChannel,
        CdrMatch::Prefix,
        "SIP/trunk-",
        Direction::Outgoing,
    );
    let audit = test_audit(Some(code(KOEGE)));
    let first = store
        .apply(&SetupChange::CreateCdrRule(trunk_in.clone()), &audit)
        .await
        .unwrap()
        .created()
        .unwrap();
    store
        .apply(&SetupChange::CreateCdrRule(trunk_out.clone()), &audit)
        .await
        .unwrap();
    let rules = store.list_cdr_rules(code(KOEGE)).await.unwrap();
    assert_eq!(
        rules.iter().map(|r| r.rule.clone()).collect::<Vec<_>>(),
        vec![trunk_in.clone(), trunk_out.clone()],
        "in the order added"
    );
    assert_eq!(rules[0].id, CdrRuleId(first));
    assert!(store
        .list_cdr_rules(code(KOEBENHAVN))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_audit(Some(code(KOEGE)), 10).await.unwrap().len(),
        2
    );
    assert!(matches!(
        store
            .apply(
                &SetupChange::CreateCdrRule(NewCdrRule {
                    pattern: String::new(),
                    ..trunk_in.clone()
                }),
                &audit
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    assert!(matches!(
        store
            .change(SetupChange::DeleteCdrRule {
                municipality: code(KOEBENHAVN),
                rule: CdrRuleId(first),
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .change(SetupChange::DeleteCdrRule {
            municipality: code(KOEGE),
            rule: CdrRuleId(first),
        })
        .await
        .unwrap();
    let rules = store.list_cdr_rules(code(KOEGE)).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].rule, trunk_out);
}
