//! What the checks share: the audit entry and set-up shortcuts (also used by
//! the core and web tests), the municipalities, a small but complete set of
//! reference data, and one-line builders of units, tasks, registrations and
//! batches.

use chrono::{TimeZone, Utc};
use komhen_domain::reference::*;
use komhen_domain::*;
use komhen_store::*;

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

pub(crate) async fn with_reference(store: &dyn Store) -> ReferenceData {
    let data = reference_fixture();
    store.apply_reference_data(&data).await.unwrap();
    data
}

pub(crate) async fn national_task(store: &dyn Store, kle: &str) -> TaskRow {
    store
        .list_tasks(code(KOEGE))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kle.as_str() == kle && t.municipality.is_none())
        .unwrap()
}

pub(crate) async fn unit_in(store: &dyn Store, municipality: u16, login: &str) -> UnitId {
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

pub(crate) fn registration(
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

pub(crate) fn batch(municipality: Option<u16>, sha: &str) -> NewBatch {
    NewBatch {
        municipality: municipality.map(code),
        kind: BatchKind::Codebook,
        file_name: "udtraek.csv".into(),
        sha256: sha.into(),
        fingerprint: None,
        created_by: "tovholder@koege.dk".into(),
    }
}
