//! Hotline calls registered in the registration tool, on the test backend
//! (SQLite, or PostgreSQL with `KOMHEN_TEST_DATABASE_URL`): only a unit of a
//! member that staffs the line is made one that answers it; what it
//! registers is stored once, in the caller's municipality (source hotline,
//! no unit, completion from the outcome), never in its own; a caller that
//! is no member, a missing outcome or a municipality's own task stores
//! nothing; a resent form stores nothing more; the unit's day lists its
//! calls with their outcomes, undo removes a call and its link, a
//! correction is refused; the line's figures count the registered outcomes
//! (test calls left out) and the caller's reports count each call once, as
//! source hotline.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{DateTime, Duration, NaiveDate, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::hotline::admin::{self, Line};
use komhen_core::hotline::desk::{self, Desk};
use komhen_core::hotline::figures::{Grouping, Outcomes};
use komhen_core::hotline::report;
use komhen_core::registration::{
    self, Catalogs, RegisterError, Registered, RegistrationInput, UnitContext,
};
use komhen_core::reports::{self, Dates, Dimension, ReportRequest};
use komhen_core::CoreError;
use komhen_domain::hotline::{HotlineOutcome, MemberKind};
use komhen_domain::{
    Completion, DateDimensions, Direction, HotlineId, InquiryType, KleNumber, MunicipalityCode,
    RegistrationId, Source, TaskCodeKind, TaskId, UnitId,
};
use komhen_store::{
    HotlineMember, HotlineRegistration, HotlineRegistrationFilter, NewLocalTask, NewUnit,
    RegistrationFilter, RegistrationRow, Store,
};
use komhen_store_conformance::SetupShortcuts;

const KOEGE: u16 = 259;
const KBH: u16 = 101;
const AARHUS: u16 = 751;
const LAESOE: u16 = 825;

fn code(n: u16) -> MunicipalityCode {
    MunicipalityCode::new(n).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A line staffed by Køge, paid for by København too; Læsø staffed it and
/// left; Aarhus never joined. Another line staffed by Køge. Units of each,
/// none yet answering a line.
struct Fixture {
    db: TestStore,
    actor: Actor,
    line: Line,
    other: Line,
    /// The clock of the registrations: now, so that undo (which measures
    /// from the moment stored) is within its minutes.
    now: DateTime<Utc>,
    today: NaiveDate,
    /// A national task, and Køge's own.
    pas: TaskId,
    own_task: TaskId,
    /// Køge's units that are to answer the line, and one for the other line.
    desk_unit: UnitId,
    second_desk: UnitId,
    other_desk: UnitId,
    /// Units that register as usual.
    koege_bs: UnitId,
    kbh_bs: UnitId,
}

impl Fixture {
    async fn new() -> Self {
        let db = TestStore::new().await;
        komhen_core::reference::migrate_and_load(db.store.as_ref())
            .await
            .unwrap();
        let store = db.store.as_ref();
        let actor = Actor::command_line();
        let now = Utc::now();
        let line = new_line(store, &actor, "Den Digitale Hotline", now).await;
        let since = day(2020, 1, 1);
        for (municipality, kind, left_on) in [
            (KOEGE, MemberKind::StaffsAndPays, None),
            (KBH, MemberKind::PaysOnly, None),
            (LAESOE, MemberKind::StaffsAndPays, Some(day(2021, 1, 1))),
        ] {
            let current = admin::load(store, line).await.unwrap();
            admin::add_member(
                store,
                &actor,
                &current,
                HotlineMember {
                    municipality: code(municipality),
                    kind,
                    joined_on: since,
                    left_on,
                },
            )
            .await
            .unwrap();
        }
        let other = new_line(store, &actor, "Anden hotline", now).await;
        let current = admin::load(store, other).await.unwrap();
        admin::add_member(
            store,
            &actor,
            &current,
            HotlineMember {
                municipality: code(KOEGE),
                kind: MemberKind::StaffsAndPays,
                joined_on: since,
                left_on: None,
            },
        )
        .await
        .unwrap();

        let national = |kle: &str| {
            let kle = KleNumber::parse(kle).unwrap();
            async move {
                store
                    .list_national_tasks()
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|t| t.kle == kle)
                    .unwrap()
                    .id
            }
        };
        let pas = national("23.09.02").await;
        let sundhedskort = national("29.03.04").await;
        let own_task = store
            .create_local_task(&NewLocalTask {
                municipality: code(KOEGE),
                kle: KleNumber::parse("27.24.00").unwrap(),
                kind: TaskCodeKind::Topic,
                name: "Køges egen opgave".into(),
            })
            .await
            .unwrap();
        let unit = |municipality: u16, login: &'static str, tasks: Vec<TaskId>| async move {
            let id = store
                .create_unit(&NewUnit {
                    municipality: code(municipality),
                    department: None,
                    name: format!("Enhed {login}"),
                    login: login.into(),
                    password_hash: None,
                })
                .await
                .unwrap();
            store
                .assign_tasks(code(municipality), id, &tasks)
                .await
                .unwrap();
            id
        };
        let desk_unit = unit(KOEGE, "259hotline", vec![pas, sundhedskort, own_task]).await;
        let second_desk = unit(KOEGE, "259hotline2", vec![pas]).await;
        let other_desk = unit(KOEGE, "259anden", vec![pas]).await;
        let koege_bs = unit(KOEGE, "259bs", vec![pas]).await;
        let kbh_bs = unit(KBH, "101bs", vec![pas]).await;
        unit(AARHUS, "751bs", vec![]).await;
        unit(LAESOE, "825bs", vec![]).await;
        let line = admin::load(store, line).await.unwrap();
        let other = admin::load(store, other).await.unwrap();
        Self {
            db,
            actor,
            line,
            other,
            now,
            today: DateDimensions::of(now).day,
            pas,
            own_task,
            desk_unit,
            second_desk,
            other_desk,
            koege_bs,
            kbh_bs,
        }
    }

    /// The fixture with Køge's two desk units answering the line and one
    /// answering the other line.
    async fn with_desks() -> Self {
        let f = Self::new().await;
        for (line, login) in [
            (&f.line, "259hotline"),
            (&f.line, "259hotline2"),
            (&f.other, "259anden"),
        ] {
            desk::add_unit(f.store(), &f.actor, line, login, f.now)
                .await
                .unwrap();
        }
        f
    }

    fn store(&self) -> &dyn Store {
        self.db.store.as_ref()
    }

    /// The unit as a session of the registration tool sees it.
    async fn ctx(&self, municipality: u16, unit: UnitId) -> UnitContext {
        UnitContext::load(self.store(), &Catalogs::new(), code(municipality), unit)
            .await
            .unwrap()
            .unwrap()
    }

    async fn desk(&self, unit: UnitId) -> Desk {
        desk::of_unit(self.store(), unit, self.today)
            .await
            .unwrap()
            .expect("the unit answers a line")
    }

    /// A telephone call about a passport, from a citizen of `caller`.
    fn call(&self, caller: &str, outcome: &str, key: &str) -> RegistrationInput {
        RegistrationInput {
            direction: "in".into(),
            channel: "TLFIND".into(),
            task: self.pas.0.to_string(),
            inquiry_type: "VEJL".into(),
            duration_ms: "61000".into(),
            idempotency_key: key.into(),
            caller: caller.into(),
            outcome: outcome.into(),
            ..RegistrationInput::default()
        }
    }

    async fn register(&self, ctx: &UnitContext, input: &RegistrationInput) -> Registered {
        registration::register(self.store(), ctx, input, self.now)
            .await
            .unwrap_or_else(|e| panic!("{input:?}: {e:?}"))
    }

    /// Every registration of the municipality, test ones included.
    async fn rows(&self, municipality: u16) -> Vec<RegistrationRow> {
        self.store()
            .list_registrations(
                code(municipality),
                &RegistrationFilter {
                    include_test: true,
                    ..RegistrationFilter::default()
                },
            )
            .await
            .unwrap()
    }

    /// Every registration of the municipalities of the fixture.
    async fn all_rows(&self) -> Vec<RegistrationRow> {
        let mut all = Vec::new();
        for municipality in [KOEGE, KBH, AARHUS, LAESOE] {
            all.extend(self.rows(municipality).await);
        }
        all
    }

    /// Every registered hotline call, of any line, test ones included.
    async fn calls(&self) -> Vec<(RegistrationId, HotlineRegistration)> {
        self.store()
            .list_hotline_registrations(&HotlineRegistrationFilter {
                hotline: None,
                unit: None,
                from: self.today - Duration::days(400),
                to: self.today + Duration::days(1),
                include_test: true,
                limit: None,
            })
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.registration.id, h.link))
            .collect()
    }
}

async fn new_line(store: &dyn Store, actor: &Actor, name: &str, now: DateTime<Utc>) -> HotlineId {
    admin::create(store, actor, admin::default_settings(name), now)
        .await
        .unwrap()
}

fn refused_fields(result: Result<Registered, RegisterError>) -> Vec<&'static str> {
    match result {
        Err(RegisterError::Invalid(errors)) => errors.iter().map(|e| e.field).collect(),
        other => panic!("not refused as invalid: {other:?}"),
    }
}

#[tokio::test]
async fn only_units_of_members_that_staff_the_line_are_added_to_answer_it() {
    let f = Fixture::new().await;
    let store = f.store();
    for (login, why) in [
        ("", "Skriv enhedens login"),
        ("findes-ikke", "ingen enhed med login"),
        // København pays only; Læsø staffed the line and left; Aarhus is
        // no member.
        ("101bs", "bemander linjen"),
        ("825bs", "bemander linjen"),
        ("751bs", "bemander linjen"),
    ] {
        let e = desk::add_unit(store, &f.actor, &f.line, login, f.now)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, CoreError::Invalid(m) if m.contains(why)),
            "{login:?}: {e}"
        );
    }
    assert!(desk::units(store, &f.line).await.unwrap().is_empty());

    let added = desk::add_unit(store, &f.actor, &f.line, " 259hotline ", f.now)
        .await
        .unwrap();
    assert_eq!(added.id, f.desk_unit);
    desk::add_unit(store, &f.actor, &f.other, "259anden", f.now)
        .await
        .unwrap();
    for (line, login, why) in [
        (&f.line, "259hotline", "besvarer allerede linjen"),
        (&f.other, "259hotline", "besvarer allerede en anden hotline"),
        (&f.line, "259anden", "besvarer allerede en anden hotline"),
    ] {
        let e = desk::add_unit(store, &f.actor, line, login, f.now)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, CoreError::Invalid(m) if m.contains(why)),
            "{login} on {}: {e}",
            line.row.settings.name
        );
    }
    let units = desk::units(store, &f.line).await.unwrap();
    assert_eq!(
        units
            .iter()
            .map(|u| (u.unit, u.municipality, u.login.as_str()))
            .collect::<Vec<_>>(),
        vec![(f.desk_unit, code(KOEGE), "259hotline")]
    );
    assert_eq!(
        store.hotline_of_unit(f.other_desk).await.unwrap(),
        Some(f.other.id())
    );

    // The unit's desk: the line and the municipalities whose citizens
    // call it today (a member that left is not one of them).
    let desk = f.desk(f.desk_unit).await;
    assert_eq!(desk.hotline, f.line.id());
    assert_eq!(desk.name, "Den Digitale Hotline");
    assert_eq!(
        desk.callers
            .iter()
            .map(|c| (c.municipality, c.name.as_str()))
            .collect::<Vec<_>>(),
        vec![(code(KBH), "København"), (code(KOEGE), "Køge")]
    );
    for unit in [f.koege_bs, f.kbh_bs, f.second_desk] {
        assert!(desk::of_unit(store, unit, f.today).await.unwrap().is_none());
    }

    // Removed: it registers as any unit again, and may be added anew.
    desk::remove_unit(store, &f.actor, &f.line, f.desk_unit)
        .await
        .unwrap();
    assert!(desk::of_unit(store, f.desk_unit, f.today)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        desk::remove_unit(store, &f.actor, &f.line, f.desk_unit).await,
        Err(CoreError::Invalid(_))
    ));
    assert!(matches!(
        desk::remove_unit(store, &f.actor, &f.line, f.other_desk).await,
        Err(CoreError::Invalid(_))
    ));
    desk::add_unit(store, &f.actor, &f.line, "259hotline", f.now)
        .await
        .unwrap();
    let actions: Vec<String> = store
        .list_hotline_audit(f.line.id(), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entry.entity == "hotline_unit")
        .map(|a| a.entry.action)
        .collect();
    assert_eq!(actions, vec!["add_unit", "remove_unit", "add_unit"]);
}

#[tokio::test]
async fn a_call_is_stored_once_in_the_caller_municipality() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;

    // The answering unit's questions are its own municipality's: a call
    // stores no answers, whatever the form sent.
    let question = store.list_national_questions().await.unwrap().remove(0);
    let with_answers = RegistrationInput {
        answers: vec![(question.id.0.to_string(), "1".into())],
        ..f.call("101", "henvist_fremmoede", "k1")
    };
    let first = f.register(&ctx, &with_answers).await;
    assert!(!first.duplicate);
    let kbh = f.rows(KBH).await;
    assert_eq!(kbh.len(), 1, "{kbh:?}");
    let row = &kbh[0];
    assert_eq!(
        (row.id, row.municipality, row.unit, row.source),
        (first.id, code(KBH), None, Source::Hotline),
        "in the caller's municipality, without a unit, as a hotline call"
    );
    assert_eq!(
        row.completion,
        Some(Completion::PutAside),
        "referred on: not finished at once"
    );
    assert_eq!(
        (row.task, row.channel.as_str(), row.inquiry_type),
        (f.pas, "TLFIND", Some(InquiryType::Guidance))
    );
    assert_eq!(
        (row.duration_ms, row.quantity, row.is_test, row.day),
        (Some(61_000), 1, false, f.today)
    );
    assert!(
        f.rows(KOEGE).await.is_empty(),
        "nothing in the answering unit's own municipality"
    );
    assert_eq!(
        f.calls().await,
        vec![(
            first.id,
            HotlineRegistration {
                hotline: f.line.id(),
                unit: f.desk_unit,
                outcome: HotlineOutcome::ReferredToAttendance,
            }
        )]
    );
    assert!(store
        .list_answers(code(KBH), first.id)
        .await
        .unwrap()
        .is_empty());

    // The same form again: the same registration, nothing more stored.
    let again = f
        .register(&ctx, &f.call("101", "henvist_fremmoede", "k1"))
        .await;
    assert_eq!((again.id, again.duplicate), (first.id, true));
    assert_eq!(f.all_rows().await.len(), 1);
    assert_eq!(f.calls().await.len(), 1);

    // Solved at once: finished at once, whatever the form said of the
    // completion. A call from Køge's own citizens counts in Køge.
    let mut solved = f.call("259", "loest_straks", "k2");
    solved.completion = "HOLD".into();
    let solved = f.register(&ctx, &solved).await;
    let koege = f.rows(KOEGE).await;
    assert_eq!(koege.len(), 1);
    assert_eq!(
        (
            koege[0].id,
            koege[0].unit,
            koege[0].source,
            koege[0].completion
        ),
        (solved.id, None, Source::Hotline, Some(Completion::AtOnce))
    );

    // The key is the unit's own: another desk's form with the same key is
    // another call.
    let second_ctx = f.ctx(KOEGE, f.second_desk).await;
    let other_desk = f
        .register(&second_ctx, &f.call("101", "henvist_fremmoede", "k1"))
        .await;
    assert!(!other_desk.duplicate);
    assert_ne!(other_desk.id, first.id);
    assert_eq!(f.rows(KBH).await.len(), 2);

    // A unit that answers no line registers as always.
    let plain = f.ctx(KOEGE, f.koege_bs).await;
    let mut typed = f.call("", "", "k1");
    typed.completion = "STRAKS".into();
    let typed = f.register(&plain, &typed).await;
    let typed = store
        .get_registration(code(KOEGE), typed.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((typed.unit, typed.source), (Some(f.koege_bs), Source::Tool));
    assert_eq!(
        store.get_hotline_registration(typed.id).await.unwrap(),
        None
    );
    assert_eq!(f.all_rows().await.len(), 4);
    assert_eq!(f.calls().await.len(), 3);
}

#[tokio::test]
async fn a_call_without_a_member_caller_or_an_outcome_or_on_an_own_task_stores_nothing() {
    let f = Fixture::with_desks().await;
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    let own_task = f.own_task.0.to_string();
    for (input, field, why) in [
        (f.call("", "loest_straks", "a"), "caller", "no caller"),
        (f.call(" ", "loest_straks", "b"), "caller", "a blank caller"),
        (
            f.call("751", "loest_straks", "c"),
            "caller",
            "Aarhus is no member",
        ),
        (f.call("825", "loest_straks", "d"), "caller", "Læsø left"),
        (f.call("Køge", "loest_straks", "e"), "caller", "not a code"),
        (f.call("101", "", "f"), "outcome", "no outcome"),
        (f.call("101", "STRAKS", "g"), "outcome", "not an outcome"),
        (
            RegistrationInput {
                task: own_task.clone(),
                ..f.call("101", "loest_straks", "h")
            },
            "task",
            "Køge's own task",
        ),
    ] {
        let result = registration::register(f.store(), &ctx, &input, f.now).await;
        assert_eq!(refused_fields(result), vec![field], "{why}");
    }
    assert!(f.all_rows().await.is_empty(), "nothing stored");
    assert!(f.calls().await.is_empty(), "no link stored");

    // Several problems at once are all told.
    let result = registration::register(f.store(), &ctx, &f.call("751", "x", "i"), f.now).await;
    assert_eq!(refused_fields(result), vec!["caller", "outcome"]);
    assert!(f.all_rows().await.is_empty());
}

#[tokio::test]
async fn the_unit_day_lists_its_calls_and_undo_removes_one_but_correcting_is_refused() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    let desk = f.desk(f.desk_unit).await;
    let solved = f.register(&ctx, &f.call("101", "loest_straks", "k1")).await;
    let elsewhere = f
        .register(&ctx, &f.call("259", "henvist_andet", "k2"))
        .await;
    // Another desk's call is not this unit's.
    let second_ctx = f.ctx(KOEGE, f.second_desk).await;
    let theirs = f
        .register(&second_ctx, &f.call("101", "loest_straks", "k1"))
        .await;

    let today = registration::today(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap();
    assert_eq!(today.day, f.today);
    assert_eq!(
        today.registrations.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![elsewhere.id, solved.id],
        "its own calls, wherever they count, newest first"
    );
    assert_eq!(
        today.outcomes,
        vec![
            (elsewhere.id, HotlineOutcome::ReferredElsewhere),
            (solved.id, HotlineOutcome::SolvedAtOnce),
        ]
    );
    assert_eq!((today.inquiries, today.test_inquiries), (2, 0));
    assert_eq!(
        today
            .by_hour_and_channel
            .iter()
            .map(|c| (c.channel.as_str(), c.inquiries))
            .collect::<Vec<_>>(),
        vec![("TLFIND", 2)]
    );
    let choices = registration::choices(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap();
    assert_eq!(
        choices.last.map(|(d, c)| (d, c.as_str().to_owned())),
        Some((Direction::Incoming, "TLFIND".to_owned()))
    );

    // Only the unit that registered a call undoes it: not another desk,
    // not a unit of the municipality it counts in.
    let kbh_ctx = f.ctx(KBH, f.kbh_bs).await;
    for other in [&second_ctx, &kbh_ctx] {
        assert!(registration::undo(store, other, solved.id, f.now)
            .await
            .is_err());
        assert!(registration::find_own(store, other, solved.id)
            .await
            .unwrap()
            .is_none());
    }
    assert_eq!(
        registration::find_own(store, &ctx, solved.id)
            .await
            .unwrap()
            .map(|r| (r.id, r.municipality)),
        Some((solved.id, code(KBH)))
    );

    // A hotline call is not corrected (undone and registered again).
    let before = store
        .get_registration(code(KBH), solved.id)
        .await
        .unwrap()
        .unwrap();
    let correction = RegistrationInput {
        completion: "HOLD".into(),
        ..f.call("101", "henvist_andet", "")
    };
    match registration::correct(store, &ctx, solved.id, &correction, f.now).await {
        Err(RegisterError::Invalid(errors)) => {
            assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["id"]);
        }
        other => panic!("corrected: {other:?}"),
    }
    assert_eq!(
        store.get_registration(code(KBH), solved.id).await.unwrap(),
        Some(before)
    );
    assert_eq!(
        store
            .get_hotline_registration(solved.id)
            .await
            .unwrap()
            .map(|h| h.link.outcome),
        Some(HotlineOutcome::SolvedAtOnce)
    );

    // Undone: the registration and its link are gone, and the undo is in
    // the audit log of the municipality it counted in.
    let undone = registration::undo(store, &ctx, solved.id, f.now)
        .await
        .unwrap();
    assert_eq!(
        (undone.id, undone.municipality, undone.source),
        (solved.id, code(KBH), Source::Hotline)
    );
    assert_eq!(
        store.get_registration(code(KBH), solved.id).await.unwrap(),
        None
    );
    assert_eq!(
        store.get_hotline_registration(solved.id).await.unwrap(),
        None
    );
    assert_eq!(
        f.calls()
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        vec![theirs.id, elsewhere.id]
    );
    assert!(registration::undo(store, &ctx, solved.id, f.now)
        .await
        .is_err());
    let audit = store.list_audit(Some(code(KBH)), 10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "undo" && a.entry.entity_id == solved.id.0.to_string()),
        "{audit:?}"
    );
    let today = registration::today(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap();
    assert_eq!(
        today.registrations.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![elsewhere.id]
    );
    assert_eq!(
        today.outcomes,
        vec![(elsewhere.id, HotlineOutcome::ReferredElsewhere)]
    );
    assert_eq!(today.inquiries, 1);
}

#[tokio::test]
async fn the_line_figures_count_the_registered_outcomes_but_not_test_calls() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    for (i, (caller, outcome)) in [
        ("101", "loest_straks"),
        ("259", "loest_straks"),
        ("101", "henvist_fremmoede"),
        ("259", "henvist_andet"),
    ]
    .into_iter()
    .enumerate()
    {
        f.register(&ctx, &f.call(caller, outcome, &format!("k{i}")))
            .await;
    }
    // A resent form is one call.
    f.register(&ctx, &f.call("101", "loest_straks", "k0")).await;
    // The other line's call is the other line's.
    let other_ctx = f.ctx(KOEGE, f.other_desk).await;
    f.register(&other_ctx, &f.call("259", "henvist_fremmoede", "o1"))
        .await;
    // Counting in test mode, the caller's municipality or the answering
    // unit's: a test call.
    store.set_test_mode(code(KBH), true, None).await.unwrap();
    let caller_test = f.register(&ctx, &f.call("101", "loest_straks", "t1")).await;
    store.set_test_mode(code(KBH), false, None).await.unwrap();
    store.set_test_mode(code(KOEGE), true, None).await.unwrap();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    let unit_test = f
        .register(&ctx, &f.call("101", "henvist_fremmoede", "t2"))
        .await;
    store.set_test_mode(code(KOEGE), false, None).await.unwrap();
    for id in [caller_test.id, unit_test.id] {
        assert!(
            store
                .get_registration(code(KBH), id)
                .await
                .unwrap()
                .unwrap()
                .is_test
        );
    }

    let expected = Outcomes {
        registered: 4,
        solved_at_once: 2,
        referred_to_attendance: 1,
        referred_elsewhere: 1,
    };
    let (from, to) = (f.today - Duration::days(1), f.today + Duration::days(1));
    let figures = report::period_figures(store, &f.line, from, to, Grouping::Whole)
        .await
        .unwrap();
    assert_eq!(figures.figures.whole.outcomes, expected);
    assert_eq!(figures.figures.whole.outcomes.solved_share(), Some(0.5));
    assert_eq!(
        figures.figures.whole.outcomes.attendance_share(),
        Some(0.25)
    );
    assert_eq!(figures.figures.whole.outcomes.elsewhere_share(), Some(0.25));
    assert_eq!(
        figures
            .figures
            .groups
            .iter()
            .map(|g| g.figures.outcomes)
            .collect::<Vec<_>>(),
        vec![expected],
        "the one group of the whole period"
    );
    assert_eq!(figures.figures.whole.offered, 0, "no call data imported");
    for grouping in [Grouping::IsoWeek, Grouping::HourOfDay] {
        let grouped = report::period_figures(store, &f.line, from, to, grouping)
            .await
            .unwrap();
        assert_eq!(grouped.figures.whole.outcomes, expected);
        assert_eq!(
            grouped
                .figures
                .groups
                .iter()
                .map(|g| g.figures.outcomes.registered)
                .sum::<u64>(),
            4,
            "each registered call in one group ({grouping:?})"
        );
    }
    let other = report::period_figures(store, &f.other, from, to, Grouping::Whole)
        .await
        .unwrap();
    assert_eq!(
        other.figures.whole.outcomes,
        Outcomes {
            registered: 1,
            referred_to_attendance: 1,
            ..Outcomes::default()
        }
    );
    let before = report::period_figures(
        store,
        &f.line,
        from - Duration::days(30),
        from - Duration::days(1),
        Grouping::Whole,
    )
    .await
    .unwrap();
    assert_eq!(before.figures.whole.outcomes, Outcomes::default());
}

#[tokio::test]
async fn the_caller_municipality_reports_count_each_call_once_as_hotline() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    f.register(&ctx, &f.call("101", "loest_straks", "k1")).await;
    f.register(&ctx, &f.call("101", "henvist_andet", "k2"))
        .await;
    f.register(&ctx, &f.call("101", "henvist_andet", "k2"))
        .await;
    f.register(&ctx, &f.call("259", "henvist_fremmoede", "k3"))
        .await;
    store.set_test_mode(code(KBH), true, None).await.unwrap();
    f.register(&ctx, &f.call("101", "loest_straks", "t1")).await;
    store.set_test_mode(code(KBH), false, None).await.unwrap();
    // København's own unit registers one inquiry in the tool.
    let kbh_ctx = f.ctx(KBH, f.kbh_bs).await;
    let mut typed = f.call("", "", "x1");
    typed.completion = "STRAKS".into();
    f.register(&kbh_ctx, &typed).await;

    let dates = Dates {
        from: f.today,
        to: f.today,
    };
    let by_source = |municipalities: Vec<MunicipalityCode>, by: &[Dimension]| {
        ReportRequest::new(municipalities, dates).by(by)
    };
    let codes = |report: &reports::Report| {
        report
            .rows
            .iter()
            .map(|r| {
                (
                    r.keys.iter().map(|k| k.code.clone()).collect::<Vec<_>>(),
                    r.inquiries,
                    r.rows,
                )
            })
            .collect::<Vec<_>>()
    };
    let kbh = reports::run(store, &by_source(vec![code(KBH)], &[Dimension::Source]))
        .await
        .unwrap();
    assert_eq!(
        codes(&kbh),
        vec![
            (vec!["tool".to_owned()], 1, 1),
            (vec!["hotline".to_owned()], 2, 2),
        ],
        "the calls once, as the joint hotline's; the test call left out"
    );
    assert_eq!(kbh.total.inquiries, 3);
    let hotline_row = kbh
        .rows
        .iter()
        .find(|r| r.keys[0].code == "hotline")
        .unwrap();
    assert_eq!(hotline_row.keys[0].label, Source::Hotline.label_da());

    let koege = reports::run(store, &by_source(vec![code(KOEGE)], &[Dimension::Source]))
        .await
        .unwrap();
    assert_eq!(
        codes(&koege),
        vec![(vec!["hotline".to_owned()], 1, 1)],
        "the answering unit's municipality counts only its own citizens' call"
    );

    // Nationally: each call once, in its caller's municipality, without a
    // unit.
    let national = reports::run(
        store,
        &by_source(vec![], &[Dimension::Municipality, Dimension::Source]),
    )
    .await
    .unwrap();
    assert_eq!(national.total.inquiries, 4);
    let national_rows = national
        .rows
        .iter()
        .map(|r| (r.keys[0].code.clone(), r.keys[1].code.clone(), r.inquiries))
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        national_rows,
        [
            (code(KBH).to_string(), "hotline".to_owned(), 2),
            (code(KBH).to_string(), "tool".to_owned(), 1),
            (code(KOEGE).to_string(), "hotline".to_owned(), 1),
        ]
        .into_iter()
        .collect()
    );
    let by_unit = reports::run(
        store,
        &by_source(vec![code(KBH)], &[Dimension::Unit, Dimension::Source]),
    )
    .await
    .unwrap();
    let hotline_units: Vec<_> = by_unit
        .rows
        .iter()
        .filter(|r| r.keys[1].code == "hotline")
        .collect();
    assert_eq!(hotline_units.len(), 1, "{:?}", by_unit.rows);
    assert_eq!(hotline_units[0].inquiries, 2);
    assert_eq!(
        hotline_units[0].keys[0].code, "ingen",
        "counted without a unit, not under the answering one"
    );
}

#[tokio::test]
async fn a_unit_whose_municipality_no_longer_staffs_the_line_registers_as_its_own_again() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    assert!(desk::of_unit(store, f.desk_unit, f.today)
        .await
        .unwrap()
        .is_some());
    // Køge leaves the line from today.
    admin::end_member(store, &f.actor, &f.line, code(KOEGE), f.today)
        .await
        .unwrap();
    assert!(
        desk::of_unit(store, f.desk_unit, f.today)
            .await
            .unwrap()
            .is_none(),
        "no longer answering the line"
    );
    // The day before, it still did.
    assert!(
        desk::of_unit(store, f.desk_unit, f.today - Duration::days(1))
            .await
            .unwrap()
            .is_some()
    );
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    let input = RegistrationInput {
        completion: "STRAKS".into(),
        ..f.call("", "", "left")
    };
    let saved = f.register(&ctx, &input).await;
    let koege = f.rows(KOEGE).await;
    assert_eq!(koege.len(), 1);
    assert_eq!(
        (koege[0].id, koege[0].unit, koege[0].source),
        (saved.id, Some(f.desk_unit), Source::Tool)
    );
    assert!(f.calls().await.is_empty());
}

#[tokio::test]
async fn a_hotline_unit_sees_its_most_used_tasks_first() {
    let f = Fixture::with_desks().await;
    let store = f.store();
    let ctx = f.ctx(KOEGE, f.desk_unit).await;
    let desk = f.desk(f.desk_unit).await;
    let first = |choices: registration::Choices| choices.tasks[0].id;
    let before = registration::choices(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap();
    // KLE order at first: 23.09.02 Pas before 29.03.04 Sundhedskort.
    assert_eq!(first(before), f.pas);
    let sundhedskort = registration::choices(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap()
        .tasks
        .into_iter()
        .find(|t| t.kle.as_str() == "29.03.04")
        .unwrap()
        .id;
    for key in ["u1", "u2"] {
        let input = RegistrationInput {
            task: sundhedskort.0.to_string(),
            ..f.call("101", "loest_straks", key)
        };
        f.register(&ctx, &input).await;
    }
    let after = registration::choices(store, &ctx, Some(&desk), f.now)
        .await
        .unwrap();
    assert_eq!(
        first(after),
        sundhedskort,
        "its calls count in the callers' municipalities, and still rank its tasks"
    );
}
