//! Channel economics on the test backend: the optional answers as
//! dimensions of the report engine (shares of those asked), and the savings
//! simulator reproducing a scenario computed by hand, to the øre.
//!
//! The demo gives the catalogue (Køge, its units and tasks, the national
//! questions); the figures are registrations of March 2030, where the demo
//! has none, priced by Køge's own prices.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use chrono::{NaiveDate, TimeZone, Utc};
use komhen_backend::testing::TestStore;
use komhen_core::accounts::access::Actor;
use komhen_core::demo::{self, DemoOptions};
use komhen_core::economics::prices::{self, PriceInput};
use komhen_core::economics::savings::{self, Basis, Fraction, Move, Scenario};
use komhen_core::reports::{
    self, Dates, Dimension, QuestionRef, ReportQuery, ReportRequest, Scope,
};
use komhen_domain::{
    ChannelCode, MunicipalityCode, NewAnswer, NewRegistration, QuestionId, QuestionOptionId,
    Source, TaskId,
};
use komhen_store::Store;

fn koege() -> MunicipalityCode {
    MunicipalityCode::new(259).unwrap()
}

/// 15 days: 2 to 16 March 2030.
fn march() -> Dates {
    Dates {
        from: NaiveDate::from_ymd_opt(2030, 3, 2).unwrap(),
        to: NaiveDate::from_ymd_opt(2030, 3, 16).unwrap(),
    }
}

fn ch(code: &str) -> ChannelCode {
    ChannelCode::parse(code).unwrap()
}

struct Fixture {
    db: TestStore,
    task_a: TaskId,
    task_b: TaskId,
    question: QuestionId,
}

async fn register(
    store: &dyn Store,
    task: TaskId,
    channel: &str,
    quantity: i64,
    answer: Option<(QuestionId, QuestionOptionId)>,
) {
    let unit = store
        .find_unit_by_login("259borgerservice")
        .await
        .unwrap()
        .unwrap();
    store
        .insert_registration(&NewRegistration {
            municipality: koege(),
            unit: Some(unit.id),
            task,
            channel: ch(channel),
            inquiry_type: None,
            completion: None,
            has_form: None,
            registered_at: Utc.with_ymd_and_hms(2030, 3, 5, 10, 0, 0).unwrap(),
            duration_ms: None,
            quantity,
            source: Source::Tool,
            is_test: false,
            idempotency_key: None,
            answers: answer
                .map(|(question, option)| NewAnswer {
                    question,
                    option: Some(option),
                    text: None,
                })
                .into_iter()
                .collect(),
        })
        .await
        .unwrap();
}

/// Task A: 120 phone calls (50 asked: 20 yes, 25 no, 5 don't know) and 40
/// visits (nobody asked); task B: 30 phone calls (nobody asked). Køge's own
/// prices from 1 January 2030: phone 60,00, visit 112,50, self-service 5,00.
async fn fixture() -> Fixture {
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    demo::load(store, &DemoOptions { size: 2_000 }, &mut |_, _| {})
        .await
        .unwrap();
    let tasks = store.list_tasks(koege()).await.unwrap();
    let (task_a, task_b) = (tasks[0].id, tasks[1].id);
    let q = store
        .list_national_questions()
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.code.as_deref() == Some("could_self_serve"))
        .unwrap();
    let option = |code: &str| q.options.iter().find(|o| o.code == code).unwrap().id;
    register(store, task_a, "TLFIND", 70, None).await;
    for (code, n) in [("JA", 20), ("NEJ", 25), ("VEDIKKE", 5)] {
        for _ in 0..n {
            register(store, task_a, "TLFIND", 1, Some((q.id, option(code)))).await;
        }
    }
    register(store, task_a, "PRSNLG", 40, None).await;
    register(store, task_b, "TLFIND", 30, None).await;
    for (channel, amount) in [("TLFIND", "60"), ("PRSNLG", "112,50"), ("SLVBTJN", "5")] {
        prices::set_price(
            store,
            &Actor::command_line(),
            Some(koege()),
            &PriceInput {
                channel: channel.into(),
                valid_from: "2030-01-01".into(),
                amount: amount.into(),
                source: "Egen opgørelse".into(),
                ..PriceInput::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    }
    Fixture {
        db,
        task_a,
        task_b,
        question: q.id,
    }
}

#[tokio::test]
async fn answers_group_and_filter_reports_and_shares_are_of_those_asked() {
    let f = fixture().await;
    let store = f.db.store.as_ref();
    let answer = Dimension::Answer(QuestionRef::Parameter("could_self_serve"));
    let report = reports::run(
        store,
        &ReportRequest::new(vec![koege()], march()).by(&[Dimension::Channel, answer]),
    )
    .await
    .unwrap();
    let rows: Vec<(String, String, i64)> = report
        .rows
        .iter()
        .map(|r| (r.keys[0].code.clone(), r.keys[1].code.clone(), r.inquiries))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("TLFIND".into(), "JA".into(), 20),
            ("TLFIND".into(), "NEJ".into(), 25),
            ("TLFIND".into(), "VEDIKKE".into(), 5),
        ]
    );
    let asked = report.asked.unwrap();
    assert_eq!((asked.asked, asked.all), (50, 190));
    assert!((report.rows[0].share - 0.4).abs() < 1e-12, "20 of 50 asked");
    assert_eq!(
        report.dimension_labels[1],
        "Kunne borgeren have løst det på hjemmesiden eller borger.dk?"
    );

    // As a link names it: grouped by task and answer, filtered by an answer.
    let pairs = |q: &str| -> Vec<(String, String)> {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let scope = Scope {
        municipalities: vec![koege()],
        units: None,
    };
    let query = ReportQuery::parse(&pairs(
        "fra=2030-03-02&til=2030-03-16&grupper=opgave&svar.could_self_serve=JA&svar.could_self_serve=VEDIKKE",
    ))
    .unwrap();
    assert!(query
        .pairs()
        .contains(&("svar.could_self_serve".into(), "JA".into())));
    let request = query
        .request(store, &scope, march(), reports::Comparing::Nothing)
        .await
        .unwrap();
    let filtered = reports::run(store, &request).await.unwrap();
    assert_eq!(filtered.total.inquiries, 25, "JA or VEDIKKE");
    assert_eq!(filtered.rows[0].keys[0].code, f.task_a.to_string());
    // The drill-down selects the same registrations.
    let selection = reports::selection(store, &request).await.unwrap();
    let listed = store
        .select_registrations(&selection, None, 1000)
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|r| r.quantity).sum::<i64>(), 25);

    // By the question's id too; unknown questions and answers are refused.
    let by_id = ReportQuery::parse(&pairs(&format!(
        "fra=2030-03-02&til=2030-03-16&grupper=svar.{}",
        f.question.0
    )))
    .unwrap()
    .request(store, &scope, march(), reports::Comparing::Nothing)
    .await
    .unwrap();
    assert_eq!(
        reports::run(store, &by_id).await.unwrap().total.inquiries,
        50
    );
    for bad in [
        "grupper=svar.999999",
        "svar.could_self_serve=MAASKE",
        "grupper=svar.not_a_parameter",
    ] {
        let parsed = ReportQuery::parse(&pairs(bad));
        let refused = match parsed {
            Err(_) => true,
            Ok(q) => q
                .request(store, &scope, march(), reports::Comparing::Nothing)
                .await
                .is_err(),
        };
        assert!(refused, "{bad} is refused");
    }
    assert_eq!(f.task_b, f.task_b);
}

#[tokio::test]
async fn a_scenario_computed_by_hand_to_the_ore() {
    let f = fixture().await;
    let store = f.db.store.as_ref();
    let scenario = Scenario {
        municipality: koege(),
        dates: march(),
        moves: vec![
            Move::Share {
                task: None,
                from: ch("TLFIND"),
                to: ch("SLVBTJN"),
                percent: 50,
            },
            Move::DigitalTarget {
                task: Some(f.task_a),
                percent: 50,
                to: ch("SLVBTJN"),
            },
        ],
        units: None,
    };
    let sim = savings::simulate(store, &scenario).await.unwrap();
    // The period: 120 × 60 + 40 × 112,50 + 30 × 60 = 13.500,00 kr.
    assert_eq!(sim.inquiries, 190);
    assert_eq!(sim.cost.ore, 1_350_000);
    assert_eq!(sim.days, 15);
    let n = |x: i128| Fraction::from(x);
    let moved: Vec<_> = sim
        .moved
        .iter()
        .map(|m| {
            (
                m.step,
                m.task,
                m.from.to_string(),
                m.before,
                m.theoretical,
                m.realistic,
                m.saving,
                m.realistic_saving,
            )
        })
        .collect();
    assert_eq!(
        moved,
        vec![
            // 50 % of A's phone: 60 of 120, at most 40 % (20 of 50 asked)
            // of 120 = 48 realistic; 60,00 − 5,00 = 55,00 kr. each.
            (
                0,
                f.task_a,
                "TLFIND".into(),
                n(120),
                n(60),
                Some(n(48)),
                Some(n(330_000)),
                Some(n(264_000))
            ),
            // B: 15 of 30; nobody asked about B, so the channel's 40 %: 12.
            (
                0,
                f.task_b,
                "TLFIND".into(),
                n(30),
                n(15),
                Some(n(12)),
                Some(n(82_500)),
                Some(n(66_000))
            ),
            // A's digital share to 50 %: 60 digital of 160, 20 more needed
            // from the 100 non-digital, a fifth of each. Visits: nobody
            // asked; 112,50 − 5,00 = 107,50 kr. each.
            (
                1,
                f.task_a,
                "PRSNLG".into(),
                n(40),
                n(8),
                None,
                Some(n(86_000)),
                None
            ),
            // Phone: the answers' 48 are used up.
            (
                1,
                f.task_a,
                "TLFIND".into(),
                n(60),
                n(12),
                Some(n(0)),
                Some(n(66_000)),
                Some(n(0))
            ),
        ]
    );
    assert_eq!(sim.moved[1].basis, Basis::Channel { asked: 50, yes: 20 });
    assert_eq!(sim.moved[2].basis, Basis::NotAsked);
    assert_eq!(sim.theoretical, n(95));
    assert_eq!(sim.realistic, n(60));
    assert_eq!(sim.moved_without_answers, n(8));
    // 5.645,00 kr. and 3.300,00 kr. in the 15 days; a year is × 364/15.
    assert_eq!(savings::ore(sim.saving), 564_500);
    assert_eq!(savings::ore(sim.realistic_saving), 330_000);
    // 564.500 × 364 / 15 = 13.698.533,33… øre.
    assert_eq!(savings::ore(sim.per_year(sim.saving)), 13_698_533);
    assert_eq!(savings::amount(sim.per_year(sim.saving)), "136.985,33");
    assert_eq!(
        savings::amount(sim.per_year(sim.realistic_saving)),
        "80.080,00"
    );
    assert!(
        !sim.example_prices,
        "Køge's own prices, not the demo's examples"
    );
    assert!(sim.assumptions().iter().any(|a| a.contains("364/15")));

    // The link form reads back to the same moves.
    let channels = store.list_channels().await.unwrap();
    let tasks: Vec<TaskId> = store
        .list_tasks(koege())
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    let pairs = scenario.pairs();
    assert_eq!(
        Scenario::moves_from_pairs(&pairs, &channels, &tasks).unwrap(),
        scenario.moves
    );
    for bad in [
        ("flyt", "TLFIND:SLVBTJN:101"),
        ("flyt", "TLFIND:TLFIND:10"),
        ("flyt", "XX:SLVBTJN:10"),
        ("maal", "80:PRSNLG"),
        ("flyt", "TLFIND:SLVBTJN:10:999999"),
    ] {
        assert!(
            Scenario::moves_from_pairs(&[(bad.0.into(), bad.1.into())], &channels, &tasks).is_err(),
            "{bad:?} is refused"
        );
    }
}

/// The national figures of docs/economics.md's worked example: a published
/// 21-day period in March 2024 (where the demo has no registrations) whose
/// package's first mandatory task T has, in Køge, 50 calls and 50
/// self-service inquiries and, in Copenhagen, 5 calls and 45 self-service;
/// national prices from 2024: phone 60,00, self-service 5,00.
#[tokio::test]
async fn cost_per_inquiry_and_the_national_savings_potential_as_computed_by_hand() {
    use komhen_core::portal::{self, Metric};
    use komhen_core::setup::catalogue::{self, PeriodInput};
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    demo::load(store, &DemoOptions { size: 2_000 }, &mut |_, _| {})
        .await
        .unwrap();
    let actor = Actor::command_line();
    let package = store
        .list_periods(None)
        .await
        .unwrap()
        .into_iter()
        .find_map(|p| p.task_package)
        .unwrap();
    let task = store
        .list_package_tasks(package)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.mandatory)
        .unwrap()
        .task;
    let from = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap();
    let period_id = catalogue::create_period(
        store,
        &actor,
        &PeriodInput {
            name: "Forår 2024 (test)".into(),
            starts_on: from,
            ends_on: from + chrono::Duration::days(20),
            mandatory: false,
            submission_deadline: None,
            task_package: Some(package),
        },
    )
    .await
    .unwrap();
    for (channel, amount) in [("TLFIND", "60"), ("SLVBTJN", "5")] {
        prices::set_price(
            store,
            &actor,
            None,
            &PriceInput {
                channel: channel.into(),
                valid_from: "2024-01-01".into(),
                amount: amount.into(),
                source: "Testpris".into(),
                ..PriceInput::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    }
    let kbh = MunicipalityCode::new(101).unwrap();
    for (municipality, channel, quantity) in [
        (koege(), "TLFIND", 50),
        (koege(), "SLVBTJN", 50),
        (kbh, "TLFIND", 5),
        (kbh, "SLVBTJN", 45),
    ] {
        store
            .insert_registration(&NewRegistration {
                municipality,
                unit: None,
                task: task.id,
                channel: ch(channel),
                inquiry_type: None,
                completion: None,
                has_form: None,
                registered_at: Utc.with_ymd_and_hms(2024, 3, 6, 10, 0, 0).unwrap(),
                duration_ms: None,
                quantity,
                source: Source::Upload,
                is_test: false,
                idempotency_key: None,
                answers: Vec::new(),
            })
            .await
            .unwrap();
    }
    // An own price of Køge's never enters the national figures.
    prices::set_price(
        store,
        &actor,
        Some(koege()),
        &PriceInput {
            channel: "TLFIND".into(),
            valid_from: "2024-01-01".into(),
            amount: "999".into(),
            source: "Egen".into(),
            ..PriceInput::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    catalogue::set_published(store, &actor, period_id, true, Utc::now())
        .await
        .unwrap();
    let period = portal::published_period(store, period_id.0).await.unwrap();

    let figures = portal::period_figures(store, &period).await.unwrap();
    let koege_figures = figures.of(koege()).unwrap();
    let per_inquiry = koege_figures.figure(Metric::CostPerInquiry);
    assert_eq!(per_inquiry.numerator, 325_000, "50 × 60,00 + 50 × 5,00 kr.");
    assert_eq!(per_inquiry.denominator, 100);
    assert_eq!(
        Metric::CostPerInquiry.format(per_inquiry.value.unwrap()),
        "32,50 kr."
    );
    let population = koege_figures.municipality.population.unwrap().1;
    let per_inhabitant = koege_figures.figure(Metric::CostPerInhabitant);
    assert_eq!(per_inhabitant.denominator, population);
    assert!((per_inhabitant.value.unwrap() - 3_250.0 / population as f64).abs() < 1e-12);

    let potential = portal::savings_potential(store, &period, 80).await.unwrap();
    let t = potential
        .tasks
        .iter()
        .find(|t| t.task.id == task.id)
        .unwrap();
    assert_eq!(
        t.moved,
        Fraction::from(30),
        "Køge moves 80 − 50; Copenhagen is at 90 %"
    );
    assert_eq!(
        t.saving,
        Some(Fraction::from(165_000)),
        "30 × (60,00 − 5,00) kr."
    );
    assert_eq!(potential.days, 21);
    assert_eq!(
        savings::ore(potential.per_year(t.saving.unwrap())),
        2_860_000
    );
    assert!(potential.sources.iter().any(|s| s.starts_with("Testpris")));

    // Published figures never move: a new national price after publication
    // changes neither the cost nor the potential.
    prices::set_price(
        store,
        &actor,
        None,
        &PriceInput {
            channel: "TLFIND".into(),
            valid_from: "2024-02-01".into(),
            amount: "70".into(),
            source: "Senere".into(),
            ..PriceInput::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let again = portal::period_figures(store, &period).await.unwrap();
    assert_eq!(
        again.of(koege()).unwrap().figure(Metric::CostPerInquiry),
        per_inquiry
    );
    let potential_again = portal::savings_potential(store, &period, 80).await.unwrap();
    assert_eq!(potential_again, potential);
}

/// The answers to "Henvendelsens varighed (minutter)" as the minutes of a
/// time price: the mean per channel weighted by inquiries, and answers that
/// are no number of minutes left out and counted.
#[tokio::test]
async fn answered_inquiry_minutes_per_channel() {
    use komhen_core::economics::timing;
    let db = TestStore::new().await;
    let store = db.store.as_ref();
    demo::load(store, &DemoOptions { size: 2_000 }, &mut |_, _| {})
        .await
        .unwrap();
    let today = komhen_domain::DateDimensions::of(Utc::now()).day;
    let period = store
        .list_periods(Some(koege()))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period.starts_on <= today)
        .unwrap();
    let q = store
        .list_national_questions()
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.code.as_deref() == Some(timing::INQUIRY_MINUTES))
        .unwrap();
    let task = store.list_tasks(koege()).await.unwrap()[0].id;
    let at = period
        .period
        .starts_on
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    for (channel, quantity, minutes) in [
        ("TLFIND", 1, "4"),
        ("TLFIND", 3, "6,5"),
        ("TLFIND", 1, "lang tid"),
        ("PRSNLG", 2, "12"),
    ] {
        store
            .insert_registration(&NewRegistration {
                municipality: koege(),
                unit: None,
                task,
                channel: ch(channel),
                inquiry_type: None,
                completion: None,
                has_form: None,
                registered_at: at,
                duration_ms: None,
                quantity,
                source: Source::Upload,
                is_test: false,
                idempotency_key: None,
                answers: vec![NewAnswer {
                    question: q.id,
                    option: None,
                    text: Some(minutes.into()),
                }],
            })
            .await
            .unwrap();
    }
    let answered = timing::answered_minutes(store, Some(koege()), today)
        .await
        .unwrap()
        .unwrap();
    let phone = answered
        .channels
        .iter()
        .find(|c| c.channel == "TLFIND")
        .unwrap();
    assert_eq!(phone.answered, 4);
    assert!((phone.mean_minutes - (4.0 + 3.0 * 6.5) / 4.0).abs() < 1e-12);
    let visit = answered
        .channels
        .iter()
        .find(|c| c.channel == "PRSNLG")
        .unwrap();
    assert_eq!((visit.answered, visit.mean_minutes), (2, 12.0));
    assert_eq!(answered.not_minutes, 1);
}
