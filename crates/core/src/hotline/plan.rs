//! The Erlang staffing plan (issue "joint hotline", item 7): for each
//! opening hour of the week, the agents the service-level target needs
//! against the agents the roster put on the line.
//!
//! Owns the plan's rules (below). Pure: no store, no I/O, no clock; the
//! formulas themselves are the domain crate's (`komhen_domain::erlang`).
//! Must not compute the measured key figures (`figures` does).
//!
//! # Rules
//! - **Slots**: the hours of the week in which the line is open for at
//!   least one minute (an opening 08:30–15:00 gives 8, 9, …, 14), in Danish
//!   local time.
//! - **Offered per hour**: the calls that arrived in a slot during the
//!   period ÷ the number of times that slot occurred in it (a period of 4
//!   weeks has 4 Monday 9 o'clocks; a spring-forward night has no 2
//!   o'clock). Calls outside opening hours are not planned for.
//! - **Handle time**: the mean talk time of the slot's answered calls when
//!   there are at least [`MIN_ANSWERED_FOR_SLOT_HANDLE`] of them, otherwise
//!   the mean over all the period's answered calls (stated per slot).
//! - **Patience**: the waiting time of every call in opening hours
//!   (answered calls up to their answer, lost calls up to their end) ÷ the
//!   calls lost: the standard estimate of a mean exponential patience. With
//!   no lost call there is nothing to measure, and Erlang A is not used.
//! - **Needed by Erlang C**: the fewest agents reaching the target share
//!   within the target time with no caller giving up.
//! - **Needed by Erlang A**: the fewest agents (at most [`MAX_PLAN_AGENTS`])
//!   reaching it when callers give up with the measured patience.
//! - **Roster**: the agents the roster had on the line in the slot,
//!   averaged over its occurrences (agent-seconds ÷ 3 600 ÷ occurrences),
//!   and what that many agents (rounded to whole agents) give by Erlang C:
//!   service level and mean wait.
//! - **Verdict**: against the needed agents (Erlang A where patience is
//!   measured, else Erlang C): fewer on the roster is *short*, more is
//!   *idle*, as many is *matched*; a slot with no calls and no agents has
//!   none.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use komhen_domain::erlang::{
    agents_for_service_level, erlang_a_figures, erlang_c_figures, traffic,
};
use komhen_domain::hotline::{Call, CallOutcome, OpeningHours};
use komhen_domain::{danish_instant, danish_local};

use super::staffing::RosterShift;
use crate::CoreResult;
use komhen_domain::dl;

/// A slot's own mean handle time is used from this many answered calls.
pub const MIN_ANSWERED_FOR_SLOT_HANDLE: usize = 30;

/// Erlang A looks for the needed agents up to this many.
pub const MAX_PLAN_AGENTS: u32 = 200;

/// What the plan aims at.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSettings {
    pub opening_hours: OpeningHours,
    /// The target time, in seconds.
    pub service_seconds: u32,
    /// The target share, 0–1.
    pub service_target: f64,
}

/// Whether the roster meets the need in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer agents than needed.
    Short,
    /// More agents than needed.
    Idle,
    /// As many as needed.
    Matched,
    /// No calls and no agents.
    Nothing,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Short => "underbemandet",
            Verdict::Idle => "overbemandet",
            Verdict::Matched => "passer",
            Verdict::Nothing => "ingen",
        }
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Verdict::Short => dl!("For få"),
            Verdict::Idle => dl!("For mange"),
            Verdict::Matched => dl!("Passer"),
            Verdict::Nothing => "–",
        }
    }
}

/// One opening hour of the week.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotPlan {
    pub weekday: Weekday,
    /// The hour of day, 0–23 (Danish local time).
    pub hour: u32,
    /// How often the slot occurred in the period.
    pub occurrences: u32,
    /// Calls that arrived in the slot in the whole period.
    pub calls: u64,
    /// Calls per occurrence.
    pub offered_per_hour: f64,
    /// The mean handle time used, in seconds (None: no answered call at all).
    pub handle_seconds: Option<f64>,
    /// Whether the handle time is the period's mean rather than the slot's.
    pub handle_is_overall: bool,
    /// Offered traffic in Erlang.
    pub traffic: f64,
    /// Agents needed by Erlang C (None: no handle time, or more than the
    /// formulas' maximum).
    pub erlang_c_agents: Option<u32>,
    /// Agents needed by Erlang A (None: patience not measured, or more
    /// than [`MAX_PLAN_AGENTS`]).
    pub erlang_a_agents: Option<u32>,
    /// The roster's agents, averaged over the occurrences.
    pub roster_agents: f64,
    /// The service level the roster's (whole) agents give by Erlang C.
    pub roster_service_level: Option<f64>,
    /// The mean wait they give by Erlang C, in seconds (None when they
    /// cannot keep up, or no handle time).
    pub roster_mean_wait_seconds: Option<f64>,
    pub verdict: Verdict,
}

impl SlotPlan {
    /// The agents the verdict is held against.
    pub fn needed(&self) -> Option<u32> {
        self.erlang_a_agents.or(self.erlang_c_agents)
    }

    /// "Mandag 09–10".
    pub fn label_da(&self) -> String {
        format!(
            "{} {:02}–{:02}",
            super::figures::weekday_da(self.weekday),
            self.hour,
            self.hour + 1
        )
    }
}

/// The plan for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub settings: PlanSettings,
    /// Opening slots, Monday 00 first.
    pub slots: Vec<SlotPlan>,
    /// Mean talk time of all answered calls in the period, in seconds.
    pub overall_handle_seconds: Option<f64>,
    /// The measured mean patience, in seconds (None: no lost call).
    pub patience_seconds: Option<f64>,
    /// Calls lost in opening hours (the patience's divisor).
    pub lost_in_hours: u64,
    /// Calls in the period that arrived outside opening hours: not planned.
    pub outside_hours: u64,
}

impl Plan {
    /// Slots where the roster is short.
    pub fn short_slots(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.verdict == Verdict::Short)
            .count()
    }

    /// Slots where the roster has more agents than needed.
    pub fn idle_slots(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.verdict == Verdict::Idle)
            .count()
    }
}

/// The plan for the Danish local days `from` to `to` (both included), from
/// the calls and the roster shifts of that period (others are ignored).
pub fn plan(
    calls: &[Call],
    roster: &[RosterShift],
    from: NaiveDate,
    to: NaiveDate,
    settings: &PlanSettings,
) -> CoreResult<Plan> {
    // The period's rules (order, length) are the staffing module's.
    super::staffing::period_instants(from, to)?;
    let slot_index =
        |day: Weekday, hour: u32| day.num_days_from_monday() as usize * 24 + hour as usize;
    let hours = &settings.opening_hours;
    let open_slot = |day: Weekday, hour: u32| -> bool {
        hours.of(day).is_some_and(|(opens, closes)| {
            let Some(start) = NaiveTime::from_hms_opt(hour, 0, 0) else {
                return false;
            };
            // The slot is [start, start + 1 h); the last hour of the day
            // runs to midnight, which every opening interval ends before.
            let ends_after_start = opens < closes && start < closes;
            let starts_before_end = hour == 23
                || NaiveTime::from_hms_opt(hour + 1, 0, 0).is_some_and(|end| opens < end);
            ends_after_start && starts_before_end
        })
    };

    // Occurrences of each slot and the roster's agent-seconds in them.
    let mut occurrences = [0u32; 168];
    let mut agent_seconds = [0f64; 168];
    let mut day = from;
    while day <= to {
        let weekday = day.weekday();
        for hour in 0..24 {
            if !open_slot(weekday, hour) {
                continue;
            }
            let Some(start) = danish_instant(day, hour, 0) else {
                continue; // the hour the clocks skip
            };
            let end = start + Duration::hours(1);
            let i = slot_index(weekday, hour);
            occurrences[i] += 1;
            agent_seconds[i] += roster_seconds(roster, start, end);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }

    // Calls per slot.
    let mut slot_calls = vec![0u64; 168];
    let mut slot_talk: Vec<(f64, usize)> = vec![(0.0, 0); 168];
    let mut all_talk = (0.0f64, 0usize);
    let mut waited = 0f64;
    let mut lost_in_hours = 0u64;
    let mut outside_hours = 0u64;
    for call in calls {
        let local = danish_local(call.arrived_at);
        if local.date() < from || local.date() > to {
            continue;
        }
        let talk = (call.outcome == CallOutcome::Answered)
            .then(|| call.talk_seconds())
            .flatten();
        if let Some(t) = talk {
            all_talk.0 += t as f64;
            all_talk.1 += 1;
        }
        if !hours.is_open(local.weekday(), local.time()) {
            outside_hours += 1;
            continue;
        }
        let i = slot_index(local.weekday(), local.hour());
        slot_calls[i] += 1;
        if let Some(t) = talk {
            slot_talk[i].0 += t as f64;
            slot_talk[i].1 += 1;
        }
        if call.outcome == CallOutcome::Answered {
            waited += call.wait_seconds().unwrap_or(0).max(0) as f64;
        } else if call.outcome.is_lost() {
            lost_in_hours += 1;
            if let Some(end) = call.ended_at {
                waited += (end - call.arrived_at).num_seconds().max(0) as f64;
            }
        }
    }
    let overall_handle_seconds = (all_talk.1 > 0).then(|| all_talk.0 / all_talk.1 as f64);
    let patience_seconds =
        (lost_in_hours > 0 && waited > 0.0).then(|| waited / lost_in_hours as f64);

    let target_seconds = f64::from(settings.service_seconds);
    let mut slots = Vec::new();
    for weekday in [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ] {
        for hour in 0..24 {
            let i = slot_index(weekday, hour);
            if occurrences[i] == 0 {
                continue;
            }
            let n = f64::from(occurrences[i]);
            let offered_per_hour = slot_calls[i] as f64 / n;
            let (handle_seconds, handle_is_overall) =
                if slot_talk[i].1 >= MIN_ANSWERED_FOR_SLOT_HANDLE {
                    (Some(slot_talk[i].0 / slot_talk[i].1 as f64), false)
                } else {
                    (overall_handle_seconds, true)
                };
            let erlang = traffic(offered_per_hour, handle_seconds.unwrap_or(0.0), 3600.0);
            let erlang_c_agents = handle_seconds.and_then(|h| {
                agents_for_service_level(erlang, h, target_seconds, settings.service_target)
            });
            let erlang_a_agents = match (handle_seconds, patience_seconds) {
                (Some(h), Some(p)) if offered_per_hour > 0.0 => (0..=MAX_PLAN_AGENTS).find(|a| {
                    erlang_a_figures(offered_per_hour / 3600.0, *a, h, p, target_seconds)
                        .service_level
                        >= settings.service_target
                }),
                (Some(_), Some(_)) => Some(0),
                _ => None,
            };
            let roster_agents = agent_seconds[i] / 3600.0 / n;
            let whole = roster_agents.round() as u32;
            let (roster_service_level, roster_mean_wait_seconds) = match handle_seconds {
                Some(h) => {
                    let c = erlang_c_figures(erlang, whole, h, target_seconds);
                    (
                        Some(c.service_level),
                        c.mean_wait_seconds
                            .is_finite()
                            .then_some(c.mean_wait_seconds),
                    )
                }
                None if slot_calls[i] == 0 => (Some(1.0), Some(0.0)),
                None => (None, None),
            };
            let needed = erlang_a_agents.or(erlang_c_agents);
            let verdict = if slot_calls[i] == 0 && whole == 0 {
                Verdict::Nothing
            } else {
                match needed {
                    Some(need) if whole < need => Verdict::Short,
                    Some(need) if whole > need => Verdict::Idle,
                    Some(_) => Verdict::Matched,
                    // No handle time measured, or beyond every maximum:
                    // calls came, so the roster is short if it is empty.
                    None if whole == 0 => Verdict::Short,
                    None => Verdict::Matched,
                }
            };
            slots.push(SlotPlan {
                weekday,
                hour,
                occurrences: occurrences[i],
                calls: slot_calls[i],
                offered_per_hour,
                handle_seconds,
                handle_is_overall,
                traffic: erlang,
                erlang_c_agents,
                erlang_a_agents,
                roster_agents,
                roster_service_level,
                roster_mean_wait_seconds,
                verdict,
            });
        }
    }
    Ok(Plan {
        from,
        to,
        settings: settings.clone(),
        slots,
        overall_handle_seconds,
        patience_seconds,
        lost_in_hours,
        outside_hours,
    })
}

/// Agent-seconds the roster had on the line between `start` and `end`.
fn roster_seconds(roster: &[RosterShift], start: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
    roster
        .iter()
        .map(|s| {
            let a = s.start.max(start);
            let b = s.end.min(end);
            if b > a {
                (b - a).num_seconds() as f64 * f64::from(s.agents)
            } else {
                0.0
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use komhen_domain::MunicipalityCode;

    fn weekdays(opens: u32, closes: u32) -> OpeningHours {
        let mut h = OpeningHours::default();
        for d in 0..5 {
            h.days[d] = Some((
                NaiveTime::from_hms_opt(opens, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(closes, 0, 0).unwrap(),
            ));
        }
        h
    }

    fn settings() -> PlanSettings {
        PlanSettings {
            opening_hours: weekdays(9, 12),
            service_seconds: 20,
            service_target: 0.8,
        }
    }

    /// `count` answered calls spread over the hour `hour` of `day`, each
    /// waiting `wait` and talking `talk` seconds.
    fn calls(day: NaiveDate, hour: u32, count: u32, wait: i64, talk: i64) -> Vec<Call> {
        let start = danish_instant(day, hour, 0).unwrap();
        (0..count)
            .map(|k| {
                let arrived = start + Duration::seconds(i64::from(k) * 3600 / i64::from(count));
                Call {
                    call_id: format!("{day}-{hour}-{k}"),
                    queue: "q".into(),
                    arrived_at: arrived,
                    answered_at: Some(arrived + Duration::seconds(wait)),
                    ended_at: Some(arrived + Duration::seconds(wait + talk)),
                    outcome: CallOutcome::Answered,
                    agent: Some("a".into()),
                    transferred: false,
                }
            })
            .collect()
    }

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn shift(day: NaiveDate, from: u32, to: u32, agents: u32) -> RosterShift {
        RosterShift {
            member: MunicipalityCode::new(825).unwrap(),
            start: danish_instant(day, from, 0).unwrap(),
            end: danish_instant(day, to, 0).unwrap(),
            agents,
        }
    }

    #[test]
    fn the_published_case_needs_14_agents_and_a_roster_of_14_matches() {
        // 200 calls an hour (100 in 30 minutes), 180 s handle time, 80 %
        // within 20 s: 10 Erlang, 14 agents (SL 0.8884 with 14, below 0.8
        // with 13).
        let day = monday();
        let c = calls(day, 9, 200, 5, 180);
        let roster = vec![shift(day, 9, 10, 14)];
        let p = plan(&c, &roster, day, day, &settings()).unwrap();
        let nine = p.slots.iter().find(|s| s.hour == 9).unwrap();
        assert_eq!(nine.occurrences, 1);
        assert!((nine.traffic - 10.0).abs() < 1e-9);
        assert_eq!(nine.erlang_c_agents, Some(14));
        assert!(!nine.handle_is_overall);
        assert!((nine.roster_agents - 14.0).abs() < 1e-9);
        assert!((nine.roster_service_level.unwrap() - 0.8884).abs() < 5e-4);
        assert!((nine.roster_mean_wait_seconds.unwrap() - 7.84).abs() < 0.01);
        // No call was lost: Erlang A has no patience to work with.
        assert_eq!(p.patience_seconds, None);
        assert_eq!(nine.erlang_a_agents, None);
        assert_eq!(nine.verdict, Verdict::Matched);
        // The hours without calls and agents have no verdict.
        let ten = p.slots.iter().find(|s| s.hour == 10).unwrap();
        assert_eq!(ten.verdict, Verdict::Nothing);
        assert_eq!(p.slots.len(), 3, "a Monday has 3 opening hours");
    }

    #[test]
    fn offered_calls_are_averaged_over_the_slots_occurrences() {
        // Two Mondays: 10 and 30 calls at 9 → 20 an hour.
        let first = monday();
        let second = first + Duration::days(7);
        let mut c = calls(first, 9, 10, 5, 120);
        c.extend(calls(second, 9, 30, 5, 120));
        let roster = vec![shift(first, 9, 10, 2), shift(second, 9, 10, 1)];
        let p = plan(&c, &roster, first, second, &settings()).unwrap();
        let nine = p
            .slots
            .iter()
            .find(|s| s.hour == 9 && s.weekday == Weekday::Mon)
            .unwrap();
        assert_eq!(nine.occurrences, 2);
        assert_eq!(nine.calls, 40);
        assert!((nine.offered_per_hour - 20.0).abs() < 1e-9);
        assert!((nine.roster_agents - 1.5).abs() < 1e-9);
        // Fewer than 30 calls in the slot? No: 40, so its own handle time.
        assert!(!nine.handle_is_overall);
        assert!((nine.handle_seconds.unwrap() - 120.0).abs() < 1e-9);
    }

    #[test]
    fn a_quiet_slot_uses_the_periods_mean_handle_time() {
        let day = monday();
        let mut c = calls(day, 9, 40, 5, 100);
        c.extend(calls(day, 10, 4, 5, 300));
        let p = plan(&c, &[], day, day, &settings()).unwrap();
        let ten = p.slots.iter().find(|s| s.hour == 10).unwrap();
        assert!(ten.handle_is_overall);
        let overall = (40.0 * 100.0 + 4.0 * 300.0) / 44.0;
        assert!((ten.handle_seconds.unwrap() - overall).abs() < 1e-9);
        assert_eq!(ten.verdict, Verdict::Short, "calls came and nobody staffed");
    }

    #[test]
    fn patience_is_all_waiting_over_the_calls_lost_and_erlang_a_needs_no_more_than_c() {
        let day = monday();
        let mut c = calls(day, 9, 100, 30, 180);
        let start = danish_instant(day, 9, 5).unwrap();
        for k in 0..20 {
            c.push(Call {
                call_id: format!("lost-{k}"),
                queue: "q".into(),
                arrived_at: start,
                answered_at: None,
                ended_at: Some(start + Duration::seconds(60)),
                outcome: CallOutcome::Abandoned,
                agent: None,
                transferred: false,
            });
        }
        let p = plan(&c, &[], day, day, &settings()).unwrap();
        // (100 × 30 + 20 × 60) ÷ 20 = 210 s.
        assert_eq!(p.lost_in_hours, 20);
        assert!((p.patience_seconds.unwrap() - 210.0).abs() < 1e-9);
        let nine = p.slots.iter().find(|s| s.hour == 9).unwrap();
        let a = nine.erlang_a_agents.unwrap();
        let c_agents = nine.erlang_c_agents.unwrap();
        assert!(
            a <= c_agents,
            "abandonment relieves the queue: {a} vs {c_agents}"
        );
        assert!(a > 0);
        assert_eq!(nine.needed(), Some(a));
    }

    #[test]
    fn the_spring_forward_night_has_no_2_oclock_and_calls_outside_hours_are_counted_apart() {
        let mut hours = OpeningHours::default();
        hours.days[6] = Some((
            NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(4, 0, 0).unwrap(),
        ));
        let s = PlanSettings {
            opening_hours: hours,
            service_seconds: 20,
            service_target: 0.8,
        };
        let sunday = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let mut c = calls(sunday, 1, 3, 5, 60);
        c.extend(calls(sunday, 10, 2, 5, 60));
        let p = plan(&c, &[], sunday, sunday, &s).unwrap();
        let hours: Vec<u32> = p.slots.iter().map(|s| s.hour).collect();
        assert_eq!(hours, vec![0, 1, 3]);
        assert_eq!(p.outside_hours, 2);
    }

    #[test]
    fn a_slot_that_opens_at_half_past_is_planned_and_bad_periods_are_refused() {
        let mut hours = OpeningHours::default();
        hours.days[0] = Some((
            NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        ));
        let s = PlanSettings {
            opening_hours: hours,
            service_seconds: 20,
            service_target: 0.8,
        };
        let p = plan(&[], &[], monday(), monday(), &s).unwrap();
        assert_eq!(
            p.slots.iter().map(|s| s.hour).collect::<Vec<_>>(),
            vec![8, 9]
        );
        assert!(plan(&[], &[], monday(), monday() - Duration::days(1), &s).is_err());
        assert!(plan(&[], &[], monday(), monday() + Duration::days(400), &s).is_err());
    }
}
