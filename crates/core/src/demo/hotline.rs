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
//! Idempotent: nothing is done when the line exists.

use super::{DEMO_USER_PASSWORD, SEED};
use crate::accounts::access::Actor;
use crate::hotline::admin::{self, ShiftInput};
use crate::hotline::report::{self, Issue};
use crate::setup;
use crate::{CoreError, CoreResult};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use komhen_domain::hotline::{Call, CallOutcome, MemberKind};
use komhen_domain::{danish_instant, MunicipalityCode};
use komhen_store::{
    HotlineMember, HotlineRole, NewAuditEntry, NewCallBatch, NewHotlinePrice, NewUser, SetupChange,
    Store,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The demo line's name.
pub const HOTLINE_NAME: &str = "Den Digitale Hotline Midtjylland";

/// The demo line's administrator (password [`DEMO_USER_PASSWORD`]).
pub const HOTLINE_ADMIN: &str = "hotline@komhen.example";

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
pub(super) async fn set_up(store: &dyn Store, today: NaiveDate) -> CoreResult<()> {
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
