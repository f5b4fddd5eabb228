//! The demo's joint hotline: the central Jutland municipalities' line of
//! seed `003_*` (about 1,3 million citizens, 60 opening hours a week, two
//! agents at a time in 3-hour shifts, 0,21 kr per citizen a month, 272 kr
//! credited per staffed hour), with a year of generated calls, a roster
//! split by population, and the last quarter's statements issued.
//!
//! The calls are simulated, not drawn: arrivals follow a summer peak, the
//! weekday and the day's shape; each caller waits for the first of the two
//! agents on the roster and gives up after an exponential patience, so the
//! waits, losses and service level come out of the queue itself. A few
//! calls arrive after closing (no agents) and the last day's last call has
//! no end, as a log cut mid-call has.
//!
//! Aarhus answers the line in the registration tool too: its unit «Den
//! Digitale Hotline» (`751hotline`) has registered the answered calls of the
//! last weeks, each in the caller's municipality (drawn by population among
//! the members) with what came of it (seed 003: only 18 % were referred on
//! to a personal visit).
//!
//! Idempotent: nothing is done when the line exists.

use super::generate::pick;
use super::{DEMO_USER_PASSWORD, SEED};
use crate::accounts::access::Actor;
use crate::hotline::admin::{self, ShiftInput};
use crate::hotline::desk;
use crate::hotline::report::{self, Issue};
use crate::setup;
use crate::{CoreError, CoreResult};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use komhen_domain::hotline::{Call, CallOutcome, HotlineOutcome, MemberKind};
use komhen_domain::{
    danish_instant, ChannelCode, InquiryType, MunicipalityCode, NewRegistration, Source, TaskId,
};
use komhen_store::{
    HotlineMember, HotlineRegistration, HotlineRole, NewAuditEntry, NewCallBatch, NewHotlinePrice,
    NewUser, SetupChange, Store,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The demo line's name.
pub const HOTLINE_NAME: &str = "Den Digitale Hotline Midtjylland";

/// The demo line's administrator (password [`DEMO_USER_PASSWORD`]).
pub const HOTLINE_ADMIN: &str = "hotline@komhen.example";

/// The unit in Aarhus that answers the line and registers its calls in the
/// registration tool (password [`super::DEMO_PASSWORD`]).
pub const HOTLINE_UNIT_LOGIN: &str = "751hotline";
const HOTLINE_UNIT_NAME: &str = "Den Digitale Hotline";
const HOTLINE_UNIT_MUNICIPALITY: u16 = 751;

/// The national tasks the hotline unit handles and their shares of its
/// calls: help with the self-service solutions of "wave 1" (moving, health
/// card, day care places) and the ones around them, and general guidance
/// (seed 003). All are in the demo's task package.
const HOTLINE_TASKS: &[(&str, f64)] = &[
    ("23.05.10", 0.22), // Flytning
    ("29.03.04", 0.15), // Sundhedskort (gult)
    ("28.09.40", 0.10), // Optagelse i dagtilbud (pladsanvisning)
    ("29.03.12", 0.08), // Valg af læge og sygesikringsgruppe
    ("23.09.02", 0.08), // Pas
    ("29.03.99", 0.06), // EU-sygesikringskort (blåt)
    ("17.20.01", 0.06), // Skoleindskrivning/optagelse
    ("32.06.04", 0.06), // Boligydelse
    ("25.10.00", 0.06), // SKAT - person
    ("23.09.04", 0.05), // Kørekort
    ("32.12.00", 0.04), // Børne- og ungeydelse
    ("32.03.04", 0.04), // Folkepension
];

/// Weeks of answered calls, up to the last Sunday, registered by the unit
/// (about 470 a week: a few thousand rows, loaded in seconds).
const REGISTERED_WEEKS: i64 = 8;

/// What came of a registered call (seed 003: 18 % referred on to a
/// personal visit; most of the rest solved on the phone).
const OUTCOME_SHARES: [(HotlineOutcome, f64); 3] = [
    (HotlineOutcome::SolvedAtOnce, 0.75),
    (HotlineOutcome::ReferredToAttendance, 0.18),
    (HotlineOutcome::ReferredElsewhere, 0.07),
];

/// The members: the 19 municipalities of Region Midtjylland; Samsø pays
/// only.
const MEMBERS: &[(u16, MemberKind)] = &[
    (615, MemberKind::StaffsAndPays), // Horsens
    (657, MemberKind::StaffsAndPays), // Herning
    (661, MemberKind::StaffsAndPays), // Holstebro
    (665, MemberKind::StaffsAndPays), // Lemvig
    (671, MemberKind::StaffsAndPays), // Struer
    (706, MemberKind::StaffsAndPays), // Syddjurs
    (707, MemberKind::StaffsAndPays), // Norddjurs
    (710, MemberKind::StaffsAndPays), // Favrskov
    (727, MemberKind::StaffsAndPays), // Odder
    (730, MemberKind::StaffsAndPays), // Randers
    (740, MemberKind::StaffsAndPays), // Silkeborg
    (741, MemberKind::PaysOnly),      // Samsø
    (746, MemberKind::StaffsAndPays), // Skanderborg
    (751, MemberKind::StaffsAndPays), // Aarhus
    (756, MemberKind::StaffsAndPays), // Ikast-Brande
    (760, MemberKind::StaffsAndPays), // Ringkøbing-Skjern
    (766, MemberKind::StaffsAndPays), // Hedensted
    (779, MemberKind::StaffsAndPays), // Skive
    (791, MemberKind::StaffsAndPays), // Viborg
];

/// Calls in an ordinary week (the summer peak adds up to 45 %).
const CALLS_PER_WEEK: f64 = 520.0;
/// Shifts of the opening day, from–to hour.
const SHIFTS: [(u32, u32); 4] = [(8, 11), (11, 14), (14, 17), (17, 20)];
/// The day's shape from 8 to 20 o'clock (relative calls per hour).
const HOUR_SHAPE: [f64; 12] = [0.9, 1.5, 1.6, 1.3, 1.0, 1.1, 1.0, 0.8, 0.6, 0.45, 0.35, 0.3];
/// Mean patience of a waiting caller, seconds.
const PATIENCE_SECONDS: f64 = 150.0;
/// Talk time: a minimum plus an exponential part, seconds.
const TALK_MIN_SECONDS: f64 = 60.0;
const TALK_MEAN_EXTRA_SECONDS: f64 = 200.0;

/// Sets the demo line up, unless it exists.
/// `unit_password_hash` is the demo units' password hash.
pub(super) async fn set_up(
    store: &dyn Store,
    today: NaiveDate,
    unit_password_hash: &str,
) -> CoreResult<()> {
    if store
        .list_hotlines()
        .await?
        .iter()
        .any(|h| h.settings.name == HOTLINE_NAME)
    {
        return Ok(());
    }
    let actor = Actor::demo();
    let now = Utc::now();
    let id = admin::create(store, &actor, admin::default_settings(HOTLINE_NAME), now).await?;
    let line = admin::load(store, id).await?;
    admin::set_queues(store, &actor, &line, "hotline").await?;
    let open = (time(8), time(20));
    let mut days = [None; 7];
    for day in days.iter_mut().take(5) {
        *day = Some(open);
    }
    admin::set_opening_hours(store, &actor, &line, days).await?;
    let joined = NaiveDate::from_ymd_opt(2014, 1, 1).ok_or_else(bad_date)?;
    for (code, kind) in MEMBERS {
        admin::add_member(
            store,
            &actor,
            &line,
            HotlineMember {
                municipality: code_of(*code)?,
                kind: *kind,
                joined_on: joined,
                left_on: None,
            },
        )
        .await?;
    }
    admin::set_price(
        store,
        &actor,
        &line,
        NewHotlinePrice {
            hotline: id,
            valid_from: joined,
            price_millikr: 210,
            credit_ore_per_hour: 27_200,
            note: "Seed 003: 0,21 kr. pr. borger pr. måned, 272 kr. pr. bemandet time".into(),
            set_by: actor.as_str().to_owned(),
            set_at: now,
        },
    )
    .await?;
    set_up_admin(store, &actor).await?;
    let line = admin::load(store, id).await?;
    admin::grant_role(store, &actor, &line, HOTLINE_ADMIN, HotlineRole::Admin).await?;

    // A year of whole weeks up to the last Sunday before today.
    let last = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 1);
    let first = last - Duration::days(7 * 52 - 1);
    let (split, _) = report::staffing_split(store, &line, first).await?;
    let mut due: Vec<(MunicipalityCode, f64, f64)> = split
        .rows
        .iter()
        .map(|r| (r.code, r.share_f64(), 0.0))
        .collect();
    let mut day = first;
    while day <= last {
        if day.weekday().num_days_from_monday() < 5 {
            for (from, to) in SHIFTS {
                // The member furthest behind its share takes the shift.
                let total: f64 = due.iter().map(|d| d.2).sum::<f64>() + 1.0;
                let Some(next) = due
                    .iter_mut()
                    .max_by(|a, b| (a.1 * total - a.2).total_cmp(&(b.1 * total - b.2)))
                else {
                    break;
                };
                next.2 += 1.0;
                admin::add_shift(
                    store,
                    &actor,
                    &line,
                    ShiftInput {
                        municipality: next.0,
                        day,
                        starts: time(from),
                        ends: time(to),
                        agents: line.row.settings.agents_at_a_time,
                        note: String::new(),
                    },
                    now,
                )
                .await?;
            }
        }
        day = day.succ_opt().ok_or_else(bad_date)?;
    }

    let calls = simulate(first, last)?;
    let audit = NewAuditEntry {
        municipality: None,
        actor: actor.as_str().to_owned(),
        action: "import_calls".into(),
        entity: "hotline_calls".into(),
        entity_id: format!("{id}/opkald"),
        before_json: None,
        after_json: Some(serde_json::json!({ "opkald": calls.len() }).to_string()),
    };
    store
        .store_calls(
            &NewCallBatch {
                hotline: id,
                file_name: format!("demo-queue_log-{first}-{last}"),
                format: "queue_log".into(),
                fingerprint: format!("demo-hotline:{SEED}:{first}"),
                loaded_by: actor.as_str().to_owned(),
                loaded_at: now,
            },
            &calls,
            &audit,
        )
        .await?;

    // Aarhus' hotline unit and the calls it registered.
    let line = admin::load(store, id).await?;
    let unit = set_up_unit(store, &actor, &line, unit_password_hash, now).await?;
    register_calls(
        store,
        &line,
        unit,
        &calls,
        last - Duration::days(7 * REGISTERED_WEEKS - 1),
    )
    .await?;

    // The last whole quarter's statements, one per member.
    let quarter_start = |d: NaiveDate| {
        NaiveDate::from_ymd_opt(d.year(), (d.month0() / 3) * 3 + 1, 1).ok_or_else(bad_date)
    };
    let this_quarter = quarter_start(today)?;
    let previous = quarter_start(this_quarter - Duration::days(1))?;
    let last_month = (this_quarter - Duration::days(1))
        .with_day(1)
        .ok_or_else(bad_date)?;
    let line = admin::load(store, id).await?;
    for (code, _) in MEMBERS {
        report::issue_statement(
            store,
            &actor,
            &line,
            &Issue {
                municipality: code_of(*code)?,
                first_month: previous,
                last_month,
                corrects: None,
                reason: "",
            },
        )
        .await?;
    }
    Ok(())
}

/// Aarhus' unit «Den Digitale Hotline», with the hotline's national tasks,
/// made a unit that answers the line.
async fn set_up_unit(
    store: &dyn Store,
    actor: &Actor,
    line: &admin::Line,
    password_hash: &str,
    now: chrono::DateTime<Utc>,
) -> CoreResult<komhen_domain::UnitId> {
    let code = code_of(HOTLINE_UNIT_MUNICIPALITY)?;
    let unit = match store.find_unit_by_login(HOTLINE_UNIT_LOGIN).await? {
        Some(unit) => unit.id,
        None => {
            let department = store
                .list_departments(code)
                .await?
                .into_iter()
                .find(|d| d.name == "Borgerservice")
                .map(|d| d.id);
            setup::create_unit_with(
                store,
                actor,
                code,
                HOTLINE_UNIT_NAME,
                HOTLINE_UNIT_LOGIN,
                department,
                Some(password_hash.to_owned()),
            )
            .await?
        }
    };
    let tasks = hotline_tasks(store).await?;
    let ids: Vec<TaskId> = tasks.iter().map(|(t, _)| *t).collect();
    setup::assign_tasks(store, actor, code, unit, &ids).await?;
    if store.hotline_of_unit(unit).await?.is_none() {
        desk::add_unit(store, actor, line, HOTLINE_UNIT_LOGIN, now).await?;
    }
    Ok(unit)
}

/// The hotline's tasks among the national ones, with their weights.
async fn hotline_tasks(store: &dyn Store) -> CoreResult<Vec<(TaskId, f64)>> {
    let national = store.list_national_tasks().await?;
    let tasks: Vec<(TaskId, f64)> = HOTLINE_TASKS
        .iter()
        .filter_map(|(kle, weight)| {
            national
                .iter()
                .find(|t| !t.retired && t.municipality.is_none() && t.kle.as_str() == *kle)
                .map(|t| (t.id, *weight))
        })
        .collect();
    if tasks.is_empty() {
        return Err(CoreError::Invalid(
            "demohotlinens opgaver findes ikke i opgavekataloget".into(),
        ));
    }
    Ok(tasks)
}

/// One registration per answered call from `from` on, made by `unit` when
/// the call ended: in the caller's municipality (drawn by population among
/// the members that day), telephone in, one of the hotline's tasks, with
/// an outcome of [`OUTCOME_SHARES`].
async fn register_calls(
    store: &dyn Store,
    line: &admin::Line,
    unit: komhen_domain::UnitId,
    calls: &[Call],
    from: NaiveDate,
) -> CoreResult<()> {
    let tasks = hotline_tasks(store).await?;
    let populations: Vec<(MunicipalityCode, i64)> = store
        .list_municipalities()
        .await?
        .into_iter()
        .filter_map(|m| m.population.map(|(_, p)| (m.code, p)))
        .collect();
    let channel = ChannelCode::parse("TLFIND").map_err(|e| CoreError::Invalid(e.to_string()))?;
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x4854_5245);
    let mut rows = Vec::new();
    for call in calls {
        let (CallOutcome::Answered, Some(ended)) = (call.outcome, call.ended_at) else {
            continue;
        };
        let day = komhen_domain::danish_local(ended).date();
        if day < from {
            continue;
        }
        let callers: Vec<(MunicipalityCode, f64)> = line
            .members_on(day)
            .iter()
            .map(|m| {
                let code = m.member.municipality;
                let population = populations
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map_or(10_000, |(_, p)| *p);
                (code, population as f64)
            })
            .collect();
        if callers.is_empty() {
            continue;
        }
        let caller = *pick(&mut rng, &callers);
        let outcome = *pick(&mut rng, &OUTCOME_SHARES);
        let inquiry_type = *pick(
            &mut rng,
            &match outcome {
                HotlineOutcome::ReferredElsewhere => [
                    (InquiryType::Misdirected, 0.5),
                    (InquiryType::Guidance, 0.4),
                    (InquiryType::SelfServiceHelp, 0.1),
                ],
                _ => [
                    (InquiryType::SelfServiceHelp, 0.6),
                    (InquiryType::Guidance, 0.35),
                    (InquiryType::CaseInformation, 0.05),
                ],
            },
        );
        let task = *pick(&mut rng, &tasks);
        // Registering takes 4-20 seconds after the call.
        let duration_ms = rng.random_range(4_000..20_000);
        let registration = NewRegistration {
            municipality: caller,
            unit: None,
            task,
            channel: channel.clone(),
            inquiry_type: Some(inquiry_type),
            // The outcome answers the completion, as in the tool.
            completion: Some(outcome.completion()),
            has_form: None,
            registered_at: ended,
            duration_ms: Some(duration_ms),
            quantity: 1,
            source: Source::Hotline,
            is_test: false,
            idempotency_key: Some(format!("demo-hotline:{}", call.call_id)),
            answers: Vec::new(),
        };
        let link = HotlineRegistration {
            hotline: line.id(),
            unit,
            outcome,
        };
        rows.push((registration, link));
    }
    // Drawn in order above (deterministic), stored in four lanes at once
    // (every fourth row each): each row is its own transaction, and
    // PostgreSQL commits concurrent ones together (SQLite's single writer
    // takes them in turn).
    let lane = |i: usize| {
        let rows = &rows;
        async move {
            for (registration, link) in rows.iter().skip(i).step_by(4) {
                store
                    .insert_hotline_registration(registration, link)
                    .await?;
            }
            CoreResult::Ok(())
        }
    };
    let (a, b, c, d) = tokio::join!(lane(0), lane(1), lane(2), lane(3));
    a.and(b).and(c).and(d)
}

/// The line's administrator as a demo user.
async fn set_up_admin(store: &dyn Store, actor: &Actor) -> CoreResult<()> {
    if store.find_user_by_email(HOTLINE_ADMIN).await?.is_some() {
        return Ok(());
    }
    let hash = crate::accounts::auth::hash_password(DEMO_USER_PASSWORD).await?;
    setup::change(
        store,
        actor,
        SetupChange::CreateUser(NewUser {
            email: HOTLINE_ADMIN.into(),
            name: "Administrator af Den Digitale Hotline".into(),
            password_hash: Some(hash),
        }),
        setup::Entry {
            municipality: None,
            action: "create",
            entity: "user",
            entity_id: String::new(),
            before: None,
            after: Some(serde_json::json!({ "email": HOTLINE_ADMIN })),
        },
    )
    .await?;
    Ok(())
}

/// The calls of the weeks from `first` to `last`, as a queue log of the
/// line would give them.
fn simulate(first: NaiveDate, last: NaiveDate) -> CoreResult<Vec<Call>> {
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x4854_4c4e);
    let shape_total: f64 = HOUR_SHAPE.iter().sum();
    let mut calls = Vec::new();
    let mut serial = 0u64;
    let mut day = first;
    while day <= last {
        let weekday = day.weekday().num_days_from_monday();
        if weekday < 5 {
            let week = f64::from(day.iso_week().week());
            let summer = 1.0 + 0.45 * (-((week - 30.0) / 4.5).powi(2)).exp();
            let weekday_factor = [1.3, 1.1, 1.0, 0.9, 0.7][weekday as usize];
            let day_calls = CALLS_PER_WEEK / 5.0 * summer * weekday_factor;
            // Both agents free at opening.
            let mut free = [0i64; 2];
            for (slot, shape) in HOUR_SHAPE.iter().enumerate() {
                let hour = 8 + slot as u32;
                let start = danish_instant(day, hour, 0).ok_or_else(bad_date)?;
                let expected = day_calls * shape / shape_total;
                let n = poisson(&mut rng, expected);
                let mut arrivals: Vec<i64> = (0..n)
                    .map(|_| start.timestamp() + rng.random_range(0..3600))
                    .collect();
                arrivals.sort_unstable();
                for arrived in arrivals {
                    serial += 1;
                    let agent = if free[0] <= free[1] { 0 } else { 1 };
                    let wait = (free[agent] - arrived).max(0);
                    let patience = exponential(&mut rng, PATIENCE_SECONDS).round() as i64;
                    let arrived_at = at(arrived)?;
                    let call_id = format!("{arrived}.{serial}");
                    if wait > patience {
                        calls.push(Call {
                            call_id,
                            queue: "hotline".into(),
                            arrived_at,
                            answered_at: None,
                            ended_at: Some(at(arrived + patience)?),
                            outcome: if rng.random_bool(0.1) {
                                CallOutcome::LeftWithKey
                            } else {
                                CallOutcome::Abandoned
                            },
                            agent: None,
                            transferred: false,
                        });
                        continue;
                    }
                    let talk = (TALK_MIN_SECONDS + exponential(&mut rng, TALK_MEAN_EXTRA_SECONDS))
                        .round() as i64;
                    let answered = arrived + wait;
                    free[agent] = answered + talk;
                    calls.push(Call {
                        call_id,
                        queue: "hotline".into(),
                        arrived_at,
                        answered_at: Some(at(answered)?),
                        ended_at: Some(at(answered + talk)?),
                        outcome: CallOutcome::Answered,
                        agent: Some(format!("Agent/{}", 1001 + agent)),
                        transferred: rng.random_bool(0.08),
                    });
                }
            }
            // After closing: a few callers meet an empty queue.
            let closed = danish_instant(day, 20, 0).ok_or_else(bad_date)?;
            for _ in 0..poisson(&mut rng, 1.2) {
                serial += 1;
                let arrived = closed.timestamp() + rng.random_range(0..1800);
                calls.push(Call {
                    call_id: format!("{arrived}.{serial}"),
                    queue: "hotline".into(),
                    arrived_at: at(arrived)?,
                    answered_at: None,
                    ended_at: Some(at(arrived)?),
                    outcome: CallOutcome::NoAgents,
                    agent: None,
                    transferred: false,
                });
            }
        }
        day = day.succ_opt().ok_or_else(bad_date)?;
    }
    // The log was cut during the last answered call.
    if let Some(call) = calls
        .iter_mut()
        .rev()
        .find(|c| c.outcome == CallOutcome::Answered)
    {
        call.ended_at = None;
    }
    Ok(calls)
}

fn poisson(rng: &mut StdRng, mean: f64) -> u32 {
    // Knuth's method: small means only (an hour's calls).
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

fn exponential(rng: &mut StdRng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

fn at(seconds: i64) -> CoreResult<chrono::DateTime<Utc>> {
    chrono::DateTime::from_timestamp(seconds, 0).ok_or_else(bad_date)
}

fn time(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn code_of(code: u16) -> CoreResult<MunicipalityCode> {
    MunicipalityCode::new(code).map_err(|e| CoreError::Invalid(e.to_string()))
}

fn bad_date() -> CoreError {
    CoreError::Invalid("demohotlinens dato er uden for kalenderen".into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_year_of_calls_has_a_summer_peak_and_a_morning_peak() {
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        let last = first + Duration::days(7 * 52 - 1);
        let calls = simulate(first, last).unwrap();
        let n = calls.len() as f64;
        assert!((25_000.0..40_000.0).contains(&n), "{n} calls");
        let week = |c: &Call| komhen_domain::danish_local(c.arrived_at).iso_week().week();
        let in_weeks = |from: u32, to: u32| {
            calls
                .iter()
                .filter(|c| (from..=to).contains(&week(c)))
                .count() as f64
        };
        assert!(in_weeks(28, 32) > in_weeks(10, 14) * 1.2, "summer peak");
        let hour = |c: &Call| {
            use chrono::Timelike;
            komhen_domain::danish_local(c.arrived_at).hour()
        };
        let at_hour = |h| calls.iter().filter(|c| hour(c) == h).count();
        assert!(at_hour(10) > at_hour(18) * 3);
        let lost = calls.iter().filter(|c| c.outcome.is_lost()).count() as f64;
        assert!(lost / n > 0.01 && lost / n < 0.3, "lost share {}", lost / n);
        assert_eq!(calls.iter().filter(|c| c.ended_at.is_none()).count(), 1);
        // Deterministic.
        assert_eq!(simulate(first, last).unwrap(), calls);
    }
}
