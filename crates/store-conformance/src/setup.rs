//! Checks of set-up and reference data: the national reference data,
//! municipalities, tasks, departments and units, task assignment, users and
//! roles, questions, periods, and the set-up version every set-up change
//! raises.

use komhen_domain::reference::*;
use komhen_domain::*;
use komhen_store::*;

use crate::fixtures::*;

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

pub async fn a_plan_applies_whole_with_ids_of_its_own_steps(store: &dyn Store) {
    with_reference(store).await;
    let koege = code(KOEGE);
    let step = |change| PlannedChange {
        change,
        audit: test_audit(Some(koege)),
    };
    let unit = |login: &str| {
        step(SetupChange::CreateUnit(NewUnit {
            municipality: koege,
            department: Some(DepartmentId(created_by(0))),
            name: format!("Enhed {login}"),
            login: login.into(),
            password_hash: None,
        }))
    };
    let department = step(SetupChange::CreateDepartment(NewDepartment {
        municipality: koege,
        name: "Borgerservice".into(),
    }));
    let audited = store.list_audit(Some(koege), 100).await.unwrap().len();

    // The third step clashes with the second: nothing of the plan is stored.
    let refused = store
        .apply_all(&[department.clone(), unit("259a"), unit("259a")])
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    assert!(store.list_departments(koege).await.unwrap().is_empty());
    assert!(store.list_units(koege).await.unwrap().is_empty());
    assert_eq!(
        store.list_audit(Some(koege), 100).await.unwrap().len(),
        audited
    );

    let task = store.list_national_tasks().await.unwrap()[0].id;
    let applied = store
        .apply_all(&[
            department,
            unit("259a"),
            step(SetupChange::SetUnitTasks {
                municipality: koege,
                unit: UnitId(created_by(1)),
                tasks: vec![task],
            }),
        ])
        .await
        .unwrap();
    let departments = store.list_departments(koege).await.unwrap();
    let units = store.list_units(koege).await.unwrap();
    assert_eq!(applied[0].id, Some(departments[0].id.0));
    assert_eq!(applied[1].id, Some(units[0].id.0));
    assert_eq!(units[0].department, Some(departments[0].id));
    let tasks = store.list_unit_tasks(koege, units[0].id).await.unwrap();
    assert_eq!(tasks.iter().map(|t| t.id).collect::<Vec<_>>(), vec![task]);
    assert_eq!(
        store.list_audit(Some(koege), 100).await.unwrap().len(),
        audited + 3,
        "every step has its audit entry"
    );
}
