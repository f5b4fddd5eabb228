//! The hotline's key figures from its calls (seed `003_*`, bilag 1
//! "Målsætninger og pejlemærker": waiting time, lost calls, talk time,
//! active calls, calls per week and per hour), for the whole period and per
//! group: ISO week, weekday, hour of day or hour of week.
//!
//! Owns the definitions of the figures (below) and the grouping of calls by
//! their arrival in Danish local time. Pure: no store, no I/O; the calls
//! come in as [`Call`]s. Must not staff anything (the plan does).
//!
//! # Definitions
//! - **Offered**: calls that arrived. A call belongs to the group of its
//!   arrival, placed in Danish local time ([`danish_local`]), so a
//!   daylight-saving day has 23 or 25 hours and hour 2 is empty or double.
//! - **Inside / outside opening hours**: by the arrival's local weekday and
//!   time against [`OpeningHours`].
//! - **Answered**, **lost** ([`CallOutcome::is_lost`]) and **unknown
//!   outcome** partition the offered calls.
//! - **Short abandons**: calls the caller left (hung up or pressed a key)
//!   within the short-abandon threshold (wait ≤ threshold). A timeout or a
//!   queue with no agents logged in is never short: the line lost those
//!   calls, not an impatient caller. Counted in all hours; shown apart.
//! - **Service level**: calls answered within the target (wait ≤ T
//!   seconds) ÷ (answered + lost − short abandons), only calls that arrived
//!   inside opening hours; `None` when that base is 0. An answered call
//!   without an answer time counts in the base but not as in time.
//! - **Waits** (mean, median, 90th percentile) are those of answered calls
//!   with an answer time. Percentiles are nearest-rank: the P-th percentile
//!   of n sorted values is the value at rank ⌈P × n ÷ 100⌉ (at least 1), so
//!   always one of the waits measured (the median of 4 waits is the 2nd).
//! - **Talk time**: the mean of answered calls with an end.
//! - **Most calls at once**: calls on the line (waiting or talking) at the
//!   same moment, from a sweep over arrivals and ends; a call with no end
//!   counts until its answer, or, without one, at the moment of its
//!   arrival. A call that ends as another arrives is not counted with it.
//!   A group's figure is the most at any moment of the group's time
//!   (including calls that arrived in an earlier group and are still on the
//!   line), so an hour with no arrivals may still show calls on the line.
//! - **Transferred**: calls an agent passed on.
//! - **Registered calls and their outcomes** come from the registration
//!   tool, not the call data: the calls the line's units registered, in the
//!   group of the moment registered; shares resolved at once and referred to
//!   personal attendance are of the registered calls ([`Outcomes`]).

use chrono::{DateTime, Datelike, Duration, DurationRound, NaiveDate, NaiveDateTime, Timelike};
use chrono::{Utc, Weekday};
use komhen_domain::danish_local;
use komhen_domain::hotline::{Call, CallOutcome, HotlineOutcome, OpeningHours};
use komhen_domain::{da, dl};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// What the figures are measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureSettings {
    pub opening_hours: OpeningHours,
    /// The service level's target time, in seconds (e.g. 20 or 60).
    pub service_seconds: u32,
    /// The service level's target share, 0–1 (e.g. 0.8).
    pub service_target: f64,
    /// Calls the caller left within this many seconds are short abandons.
    pub short_abandon_seconds: u32,
}

/// How calls are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grouping {
    /// One group: the whole period.
    Whole,
    /// ISO year and week of the arrival.
    IsoWeek,
    /// Weekday of the arrival, Monday first.
    Weekday,
    /// Hour of day of the arrival, 0–23.
    HourOfDay,
    /// Weekday × hour of day: the 168 hours of a week.
    HourOfWeek,
}

impl Grouping {
    /// Every grouping, in the order shown.
    pub const ALL: [Grouping; 5] = [
        Self::Whole,
        Self::IsoWeek,
        Self::Weekday,
        Self::HourOfDay,
        Self::HourOfWeek,
    ];

    /// The grouping's code in URLs and forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Whole => "hele",
            Self::IsoWeek => "uge",
            Self::Weekday => "ugedag",
            Self::HourOfDay => "time",
            Self::HourOfWeek => "ugetime",
        }
    }

    /// The grouping of a code, if any.
    /// Its code, or `time_i_ugen` for the hour of the week.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim().to_lowercase();
        let value = if value == "time_i_ugen" {
            "ugetime"
        } else {
            &value
        };
        Self::ALL.into_iter().find(|g| g.code() == value)
    }

    /// The grouping's Danish name.
    pub fn label_da(self) -> &'static str {
        match self {
            Self::Whole => dl!("Hele perioden"),
            Self::IsoWeek => dl!("Uge"),
            Self::Weekday => dl!("Ugedag"),
            Self::HourOfDay => dl!("Time på dagen"),
            Self::HourOfWeek => dl!("Time i ugen"),
        }
    }
}

/// One group of a grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKey {
    Whole,
    IsoWeek {
        year: i32,
        week: u32,
    },
    Weekday(Weekday),
    /// 0–23.
    HourOfDay(u32),
    HourOfWeek {
        day: Weekday,
        hour: u32,
    },
}

impl GroupKey {
    /// The group of a Danish local time.
    pub fn of(grouping: Grouping, local: NaiveDateTime) -> Self {
        match grouping {
            Grouping::Whole => Self::Whole,
            Grouping::IsoWeek => {
                let iso = local.date().iso_week();
                Self::IsoWeek {
                    year: iso.year(),
                    week: iso.week(),
                }
            }
            Grouping::Weekday => Self::Weekday(local.weekday()),
            Grouping::HourOfDay => Self::HourOfDay(local.hour()),
            Grouping::HourOfWeek => Self::HourOfWeek {
                day: local.weekday(),
                hour: local.hour(),
            },
        }
    }

    /// The group's Danish label: "Hele perioden", "Uge 10 2026", "mandag",
    /// "kl. 08–09", "mandag kl. 08–09".
    pub fn label_da(&self) -> String {
        match *self {
            Self::Whole => dl!("Hele perioden").to_string(),
            Self::IsoWeek { year, week } => da!("Uge {week} {year}"),
            Self::Weekday(day) => weekday_da(day).to_string(),
            Self::HourOfDay(hour) => hour_label_da(hour),
            Self::HourOfWeek { day, hour } => {
                da!("{} kl. {:02}–{:02}", weekday_da(day), hour, (hour + 1) % 24)
            }
        }
    }

    fn rank(&self) -> (u8, i32, u32, u32) {
        match *self {
            Self::Whole => (0, 0, 0, 0),
            Self::IsoWeek { year, week } => (1, year, week, 0),
            Self::Weekday(day) => (2, 0, day.num_days_from_monday(), 0),
            Self::HourOfDay(hour) => (3, 0, hour, 0),
            Self::HourOfWeek { day, hour } => (4, 0, day.num_days_from_monday(), hour),
        }
    }
}

impl Ord for GroupKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for GroupKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The Danish name of a weekday, lower case ("mandag").
pub fn weekday_da(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => dl!("mandag"),
        Weekday::Tue => dl!("tirsdag"),
        Weekday::Wed => dl!("onsdag"),
        Weekday::Thu => dl!("torsdag"),
        Weekday::Fri => dl!("fredag"),
        Weekday::Sat => dl!("lørdag"),
        Weekday::Sun => dl!("søndag"),
    }
}

fn hour_label_da(hour: u32) -> String {
    da!("kl. {:02}–{:02}", hour, (hour + 1) % 24)
}

/// The key figures of a set of calls (see the module's definitions).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyFigures {
    /// Calls that arrived.
    pub offered: u64,
    /// Of which inside opening hours.
    pub inside_hours: u64,
    /// Of which outside opening hours.
    pub outside_hours: u64,
    pub answered: u64,
    pub lost: u64,
    /// Lost calls the caller left within the short-abandon threshold.
    pub short_abandons: u64,
    pub unknown_outcome: u64,
    /// Calls the file holds no end for.
    pub no_end: u64,
    pub transferred: u64,
    /// The service level's numerator: answered within the target time,
    /// inside opening hours.
    pub answered_in_time: u64,
    /// The service level's base: answered + lost − short abandons, inside
    /// opening hours.
    pub service_base: u64,
    /// `answered_in_time ÷ service_base`; `None` when the base is 0.
    pub service_level: Option<f64>,
    /// Whether the service level reaches the target share.
    pub meets_target: Option<bool>,
    pub mean_wait_seconds: Option<f64>,
    /// Nearest-rank median of the answered calls' waits.
    pub median_wait_seconds: Option<u32>,
    /// Nearest-rank 90th percentile of the answered calls' waits.
    pub p90_wait_seconds: Option<u32>,
    pub mean_talk_seconds: Option<f64>,
    /// The most calls on the line at once during the group's time.
    pub max_concurrent: u32,
    /// What the answering units registered of the calls.
    pub outcomes: Outcomes,
}

/// The calls the line's units registered in the registration tool, by
/// outcome (seed 003: share resolved at once, share referred on to a
/// personal visit). Shares are of the registered calls: the call data does
/// not say what came of a call, the registration does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcomes {
    pub registered: u64,
    pub solved_at_once: u64,
    pub referred_to_attendance: u64,
    pub referred_elsewhere: u64,
}

impl Outcomes {
    fn add(&mut self, outcome: HotlineOutcome) {
        self.registered += 1;
        match outcome {
            HotlineOutcome::SolvedAtOnce => self.solved_at_once += 1,
            HotlineOutcome::ReferredToAttendance => self.referred_to_attendance += 1,
            HotlineOutcome::ReferredElsewhere => self.referred_elsewhere += 1,
        }
    }

    /// Solved at once ÷ registered; `None` with none registered.
    pub fn solved_share(&self) -> Option<f64> {
        share(self.solved_at_once, self.registered)
    }

    /// Referred to personal attendance ÷ registered.
    pub fn attendance_share(&self) -> Option<f64> {
        share(self.referred_to_attendance, self.registered)
    }

    /// Referred elsewhere ÷ registered.
    pub fn elsewhere_share(&self) -> Option<f64> {
        share(self.referred_elsewhere, self.registered)
    }
}

/// Adds the registered calls (when each was registered, and its outcome)
/// to the figures, in the same groups as the calls. A week with
/// registrations and no call data gets a group of its own.
pub fn add_outcomes(figures: &mut Figures, registered: &[(DateTime<Utc>, HotlineOutcome)]) {
    for (at, outcome) in registered {
        let key = GroupKey::of(figures.grouping, danish_local(*at));
        figures.whole.outcomes.add(*outcome);
        match figures.groups.iter_mut().find(|g| g.key == key) {
            Some(group) => group.figures.outcomes.add(*outcome),
            None => {
                let mut group = GroupFigures {
                    key,
                    figures: KeyFigures::default(),
                };
                group.figures.outcomes.add(*outcome);
                figures.groups.push(group);
            }
        }
    }
    figures.groups.sort_by_key(|g| g.key);
}

impl KeyFigures {
    /// Answered ÷ offered; `None` with no calls.
    pub fn answered_share(&self) -> Option<f64> {
        share(self.answered, self.offered)
    }

    /// Lost ÷ offered; `None` with no calls.
    pub fn lost_share(&self) -> Option<f64> {
        share(self.lost, self.offered)
    }
}

/// Answered ÷ offered of a set of figures; `None` with no calls.
pub fn answered_share(figures: &KeyFigures) -> Option<f64> {
    figures.answered_share()
}

/// Lost ÷ offered of a set of figures; `None` with no calls.
pub fn lost_share(figures: &KeyFigures) -> Option<f64> {
    figures.lost_share()
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub key: GroupKey,
    pub figures: KeyFigures,
}

/// The figures of a set of calls, per group and for the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub grouping: Grouping,
    /// In order. Weekdays and hours are all there (empty ones with zeros);
    /// weeks run from the first to the last week with a call, weeks between
    /// with none included.
    pub groups: Vec<GroupFigures>,
    /// All the calls together.
    pub whole: KeyFigures,
}

impl Figures {
    /// The figures of one group, if it is there.
    pub fn group(&self, key: GroupKey) -> Option<&KeyFigures> {
        self.groups
            .iter()
            .find(|g| g.key == key)
            .map(|g| &g.figures)
    }
}

/// The nearest-rank percentile of sorted values: the value at rank ⌈P × n
/// ÷ 100⌉ (at least 1); `None` when there are none. `percent` above 100
/// counts as 100.
pub fn nearest_rank(sorted: &[u32], percent: u32) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(percent.min(100)) * n).div_ceil(100).max(1);
    sorted.get((rank - 1) as usize).copied()
}

/// The key figures of `calls`, grouped by `grouping` and for the whole.
pub fn key_figures(calls: &[Call], settings: &FigureSettings, grouping: Grouping) -> Figures {
    let mut whole = Tally::default();
    let mut groups: BTreeMap<GroupKey, Tally> = BTreeMap::new();
    match grouping {
        Grouping::Whole => {
            groups.insert(GroupKey::Whole, Tally::default());
        }
        Grouping::Weekday => {
            for day in WEEKDAYS {
                groups.insert(GroupKey::Weekday(day), Tally::default());
            }
        }
        Grouping::HourOfDay => {
            for hour in 0..24 {
                groups.insert(GroupKey::HourOfDay(hour), Tally::default());
            }
        }
        Grouping::HourOfWeek => {
            for day in WEEKDAYS {
                for hour in 0..24 {
                    groups.insert(GroupKey::HourOfWeek { day, hour }, Tally::default());
                }
            }
        }
        Grouping::IsoWeek => {}
    }
    for call in calls {
        let local = danish_local(call.arrived_at);
        let inside = settings
            .opening_hours
            .is_open(local.weekday(), local.time());
        whole.add(call, inside, settings);
        groups
            .entry(GroupKey::of(grouping, local))
            .or_default()
            .add(call, inside, settings);
    }
    sweep_concurrency(calls, grouping, &mut whole, &mut groups);
    if grouping == Grouping::IsoWeek {
        fill_weeks(&mut groups);
    }
    Figures {
        grouping,
        groups: groups
            .into_iter()
            .map(|(key, tally)| GroupFigures {
                key,
                figures: tally.finish(settings),
            })
            .collect(),
        whole: whole.finish(settings),
    }
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Adds empty weeks between the first and the last week present.
fn fill_weeks(groups: &mut BTreeMap<GroupKey, Tally>) {
    let monday = |key: &GroupKey| match *key {
        GroupKey::IsoWeek { year, week } => NaiveDate::from_isoywd_opt(year, week, Weekday::Mon),
        _ => None,
    };
    let (Some(first), Some(last)) = (
        groups.keys().next().and_then(monday),
        groups.keys().next_back().and_then(monday),
    ) else {
        return;
    };
    let mut day = first;
    while day < last {
        day += Duration::days(7);
        let iso = day.iso_week();
        groups
            .entry(GroupKey::IsoWeek {
                year: iso.year(),
                week: iso.week(),
            })
            .or_default();
    }
}

/// What happens on the line at an instant; at the same instant ends come
/// first (a call that ends as another arrives is not on the line with it),
/// then arrivals, then calls that last no time, then the hour probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    End,
    Arrival,
    /// A call with no duration: on the line at its arrival only.
    Moment,
    /// The start of a Danish local hour while calls are on the line: the
    /// calls carried into the hour's group.
    HourStart,
}

/// Finds the most calls on the line at once, for the whole and per group.
///
/// The count only rises at an arrival, so within a stretch of time the most
/// is reached at an arrival or at the stretch's start. Groups are unions of
/// Danish local hours, whose starts are whole UTC hours (Danish offsets are
/// whole hours), so each call adds a probe at every whole hour it spans.
fn sweep_concurrency(
    calls: &[Call],
    grouping: Grouping,
    whole: &mut Tally,
    groups: &mut BTreeMap<GroupKey, Tally>,
) {
    let mut events: Vec<(DateTime<Utc>, Event)> = Vec::with_capacity(calls.len() * 2);
    for call in calls {
        let start = call.arrived_at;
        let end = call.ended_at.or(call.answered_at).unwrap_or(start);
        if end <= start {
            events.push((start, Event::Moment));
            continue;
        }
        events.push((start, Event::Arrival));
        events.push((end, Event::End));
        if grouping != Grouping::Whole {
            let mut hour =
                start.duration_trunc(Duration::hours(1)).unwrap_or(start) + Duration::hours(1);
            while hour < end {
                events.push((hour, Event::HourStart));
                hour += Duration::hours(1);
            }
        }
    }
    events.sort_unstable();
    let mut on_line: u32 = 0;
    for (at, event) in events {
        let seen = match event {
            Event::End => {
                on_line = on_line.saturating_sub(1);
                continue;
            }
            Event::Arrival => {
                on_line += 1;
                on_line
            }
            Event::Moment => on_line + 1,
            Event::HourStart => on_line,
        };
        whole.max_concurrent = whole.max_concurrent.max(seen);
        let tally = groups
            .entry(GroupKey::of(grouping, danish_local(at)))
            .or_default();
        tally.max_concurrent = tally.max_concurrent.max(seen);
    }
}

/// What a group keeps while calls are counted: counts, sums and the
/// answered calls' waits (for the percentiles).
#[derive(Debug, Default)]
struct Tally {
    offered: u64,
    inside: u64,
    outside: u64,
    answered: u64,
    lost: u64,
    short: u64,
    unknown: u64,
    no_end: u64,
    transferred: u64,
    in_time: u64,
    base: u64,
    wait_sum: u64,
    waits: Vec<u32>,
    talk_sum: u64,
    talks: u64,
    max_concurrent: u32,
}

impl Tally {
    fn add(&mut self, call: &Call, inside: bool, settings: &FigureSettings) {
        self.offered += 1;
        if inside {
            self.inside += 1;
        } else {
            self.outside += 1;
        }
        if call.ended_at.is_none() {
            self.no_end += 1;
        }
        if call.transferred {
            self.transferred += 1;
        }
        let wait = call.wait_seconds();
        match call.outcome {
            CallOutcome::Answered => {
                self.answered += 1;
                if let Some(w) = wait {
                    let w = u32::try_from(w).unwrap_or(u32::MAX);
                    self.waits.push(w);
                    self.wait_sum += u64::from(w);
                }
                if let Some(t) = call.talk_seconds() {
                    self.talk_sum += t.max(0) as u64;
                    self.talks += 1;
                }
                if inside {
                    self.base += 1;
                    if wait.is_some_and(|w| w <= i64::from(settings.service_seconds)) {
                        self.in_time += 1;
                    }
                }
            }
            CallOutcome::Unknown => self.unknown += 1,
            outcome => {
                self.lost += 1;
                let caller_left =
                    matches!(outcome, CallOutcome::Abandoned | CallOutcome::LeftWithKey);
                let short = caller_left
                    && wait.is_some_and(|w| w <= i64::from(settings.short_abandon_seconds));
                if short {
                    self.short += 1;
                }
                if inside && !short {
                    self.base += 1;
                }
            }
        }
    }

    fn finish(mut self, settings: &FigureSettings) -> KeyFigures {
        self.waits.sort_unstable();
        let service_level = share(self.in_time, self.base);
        let waited = self.waits.len() as u64;
        KeyFigures {
            offered: self.offered,
            inside_hours: self.inside,
            outside_hours: self.outside,
            answered: self.answered,
            lost: self.lost,
            short_abandons: self.short,
            unknown_outcome: self.unknown,
            no_end: self.no_end,
            transferred: self.transferred,
            answered_in_time: self.in_time,
            service_base: self.base,
            service_level,
            meets_target: service_level.map(|s| s >= settings.service_target),
            mean_wait_seconds: share(self.wait_sum, waited),
            median_wait_seconds: nearest_rank(&self.waits, 50),
            p90_wait_seconds: nearest_rank(&self.waits, 90),
            mean_talk_seconds: share(self.talk_sum, self.talks),
            max_concurrent: self.max_concurrent,
            outcomes: Outcomes::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};
    use komhen_domain::danish_instant;

    fn weekdays_8_to_20() -> OpeningHours {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let mut hours = OpeningHours::default();
        for day in 0..5 {
            hours.days[day] = Some((t(8), t(20)));
        }
        hours
    }

    fn settings() -> FigureSettings {
        FigureSettings {
            opening_hours: weekdays_8_to_20(),
            service_seconds: 20,
            service_target: 0.8,
            short_abandon_seconds: 5,
        }
    }

    /// A Danish local time in March 2026 plus seconds.
    fn local(day: u32, hour: u32, minute: u32, second: i64) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        danish_instant(date, hour, minute).unwrap() + Duration::seconds(second)
    }

    /// A call arriving at `at`, leaving the queue after `wait` seconds with
    /// `outcome`, then talking `talk` seconds if answered.
    fn call(at: DateTime<Utc>, wait: i64, outcome: CallOutcome, talk: Option<i64>) -> Call {
        let left = at + Duration::seconds(wait);
        let answered = outcome == CallOutcome::Answered;
        Call {
            call_id: format!("{}", at.timestamp()),
            queue: "hotline".into(),
            arrived_at: at,
            answered_at: answered.then_some(left),
            ended_at: if answered {
                talk.map(|t| left + Duration::seconds(t))
            } else {
                Some(left)
            },
            outcome,
            agent: answered.then(|| "Agent/1".into()),
            transferred: false,
        }
    }

    fn monday_calls() -> Vec<Call> {
        let mut transferred = call(local(2, 10, 1, 0), 30, CallOutcome::Answered, Some(100));
        transferred.transferred = true;
        let mut unknown = call(local(2, 10, 4, 0), 0, CallOutcome::Unknown, None);
        unknown.ended_at = None;
        vec![
            // Answered within 20 s.
            call(local(2, 10, 0, 0), 10, CallOutcome::Answered, Some(300)),
            // Answered after 30 s, passed on.
            transferred,
            // Hung up after 3 s: a short abandon.
            call(local(2, 10, 2, 0), 3, CallOutcome::Abandoned, None),
            // Hung up after 40 s.
            call(local(2, 10, 3, 0), 40, CallOutcome::Abandoned, None),
            // The file holds neither outcome nor end.
            unknown,
            // Monday 21:00, closed: no agents.
            call(local(2, 21, 0, 0), 0, CallOutcome::NoAgents, None),
            // Saturday, closed: hung up after 2 s.
            call(local(7, 10, 0, 0), 2, CallOutcome::Abandoned, None),
        ]
    }

    #[test]
    fn every_figure_of_a_hand_made_day() {
        let f = key_figures(&monday_calls(), &settings(), Grouping::Whole);
        let w = &f.whole;
        assert_eq!(w.offered, 7);
        assert_eq!((w.inside_hours, w.outside_hours), (5, 2));
        assert_eq!((w.answered, w.lost, w.unknown_outcome), (2, 4, 1));
        assert_eq!(w.short_abandons, 2);
        assert_eq!(w.no_end, 1);
        assert_eq!(w.transferred, 1);
        // Inside hours: 2 answered + 2 lost − 1 short abandon = 3; one of
        // them answered within 20 s.
        assert_eq!((w.answered_in_time, w.service_base), (1, 3));
        assert_eq!(w.service_level, Some(1.0 / 3.0));
        assert_eq!(w.meets_target, Some(false));
        assert_eq!(w.mean_wait_seconds, Some(20.0));
        assert_eq!(w.median_wait_seconds, Some(10));
        assert_eq!(w.p90_wait_seconds, Some(30));
        assert_eq!(w.mean_talk_seconds, Some(200.0));
        // 10:02:00: the first call talks, the second waits, the third
        // arrives.
        assert_eq!(w.max_concurrent, 3);
        assert_eq!(w.answered_share(), Some(2.0 / 7.0));
        assert_eq!(lost_share(w), Some(4.0 / 7.0));
        assert_eq!(answered_share(w), w.answered_share());
        assert_eq!(f.groups.len(), 1);
        assert_eq!(f.groups[0].key, GroupKey::Whole);
        assert_eq!(&f.groups[0].figures, w);
    }

    #[test]
    fn groups_by_weekday_and_hour() {
        let calls = monday_calls();
        let f = key_figures(&calls, &settings(), Grouping::Weekday);
        assert_eq!(f.groups.len(), 7);
        let monday = f.group(GroupKey::Weekday(Weekday::Mon)).unwrap();
        assert_eq!(monday.offered, 6);
        let saturday = f.group(GroupKey::Weekday(Weekday::Sat)).unwrap();
        assert_eq!((saturday.offered, saturday.outside_hours), (1, 1));
        assert_eq!(saturday.service_level, None);
        assert_eq!(saturday.max_concurrent, 1);
        assert_eq!(f.group(GroupKey::Weekday(Weekday::Sun)).unwrap().offered, 0);

        let f = key_figures(&calls, &settings(), Grouping::HourOfDay);
        assert_eq!(f.groups.len(), 24);
        assert_eq!(f.group(GroupKey::HourOfDay(10)).unwrap().offered, 6);
        assert_eq!(f.group(GroupKey::HourOfDay(21)).unwrap().offered, 1);
        assert_eq!(f.groups[10].key.label_da(), "kl. 10–11");

        let f = key_figures(&calls, &settings(), Grouping::HourOfWeek);
        assert_eq!(f.groups.len(), 168);
        let key = GroupKey::HourOfWeek {
            day: Weekday::Mon,
            hour: 10,
        };
        assert_eq!(f.group(key).unwrap().offered, 5);
        assert_eq!(key.label_da(), "mandag kl. 10–11");
        assert_eq!(f.whole.offered, 7);
    }

    #[test]
    fn no_calls_give_zeros_and_no_rates() {
        let f = key_figures(&[], &settings(), Grouping::Whole);
        assert_eq!(f.whole, KeyFigures::default());
        assert_eq!(f.whole.service_level, None);
        assert_eq!(f.whole.answered_share(), None);
        assert_eq!(f.whole.median_wait_seconds, None);
        assert!(key_figures(&[], &settings(), Grouping::IsoWeek)
            .groups
            .is_empty());
        let f = key_figures(&[], &settings(), Grouping::Weekday);
        assert!(f.groups.iter().all(|g| g.figures.offered == 0));
    }

    #[test]
    fn only_short_abandons_inside_hours_leave_no_service_level() {
        let calls = [call(local(2, 9, 0, 0), 4, CallOutcome::LeftWithKey, None)];
        let f = key_figures(&calls, &settings(), Grouping::Whole);
        assert_eq!(f.whole.short_abandons, 1);
        assert_eq!(f.whole.service_base, 0);
        assert_eq!(f.whole.service_level, None);
        // A timeout is never short: the line lost it.
        let calls = [call(local(2, 9, 0, 0), 4, CallOutcome::TimedOut, None)];
        let f = key_figures(&calls, &settings(), Grouping::Whole);
        assert_eq!(f.whole.short_abandons, 0);
        assert_eq!(f.whole.service_level, Some(0.0));
    }

    #[test]
    fn calls_still_on_the_line_count_in_the_next_hour() {
        let calls = [
            call(local(2, 9, 50, 0), 0, CallOutcome::Answered, Some(30 * 60)),
            call(local(2, 9, 55, 0), 0, CallOutcome::Answered, Some(15 * 60)),
        ];
        let f = key_figures(&calls, &settings(), Grouping::HourOfDay);
        let nine = f.group(GroupKey::HourOfDay(9)).unwrap();
        let ten = f.group(GroupKey::HourOfDay(10)).unwrap();
        assert_eq!((nine.offered, nine.max_concurrent), (2, 2));
        assert_eq!((ten.offered, ten.max_concurrent), (0, 2));
        assert_eq!(f.group(GroupKey::HourOfDay(11)).unwrap().max_concurrent, 0);
    }

    #[test]
    fn a_call_with_no_end_counts_until_its_answer_or_at_its_arrival() {
        let mut talking = call(local(2, 10, 0, 0), 60, CallOutcome::Answered, None);
        talking.ended_at = None;
        let mut unknown = call(local(2, 10, 0, 30), 0, CallOutcome::Unknown, None);
        unknown.ended_at = None;
        // Arrives as the first is answered: the first has left the count.
        let later = call(local(2, 10, 1, 0), 5, CallOutcome::Abandoned, None);
        let f = key_figures(&[talking, unknown, later], &settings(), Grouping::Whole);
        assert_eq!(f.whole.max_concurrent, 2);
        assert_eq!(f.whole.no_end, 2);
        assert_eq!(f.whole.mean_talk_seconds, None);
        assert_eq!(f.whole.mean_wait_seconds, Some(60.0));
    }

    #[test]
    fn daylight_saving_days_are_placed_in_danish_time() {
        // 29 March 2026 (a Sunday): 02:00 CET becomes 03:00 CEST at 01:00
        // UTC. 00:30 UTC is 01:30, 01:30 UTC is 03:30; hour 2 is empty.
        let t = NaiveTime::from_hms_opt;
        let mut settings = settings();
        settings.opening_hours.days[6] = Some((t(3, 0, 0).unwrap(), t(4, 0, 0).unwrap()));
        let spring = [
            call(
                Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap(),
                5,
                CallOutcome::Answered,
                Some(60),
            ),
            call(
                Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
                5,
                CallOutcome::Answered,
                Some(60),
            ),
        ];
        let f = key_figures(&spring, &settings, Grouping::HourOfDay);
        assert_eq!(f.group(GroupKey::HourOfDay(1)).unwrap().offered, 1);
        assert_eq!(f.group(GroupKey::HourOfDay(2)).unwrap().offered, 0);
        let three = f.group(GroupKey::HourOfDay(3)).unwrap();
        assert_eq!((three.offered, three.inside_hours), (1, 1));
        assert_eq!(f.whole.outside_hours, 1);
        // 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC, so
        // 00:30 and 01:30 UTC are both 02:30.
        let autumn = [
            call(
                Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap(),
                5,
                CallOutcome::Answered,
                Some(60),
            ),
            call(
                Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap(),
                5,
                CallOutcome::Answered,
                Some(60),
            ),
        ];
        let f = key_figures(&autumn, &settings, Grouping::HourOfWeek);
        let two = f
            .group(GroupKey::HourOfWeek {
                day: Weekday::Sun,
                hour: 2,
            })
            .unwrap();
        assert_eq!(two.offered, 2);
        assert_eq!(two.max_concurrent, 1);
    }

    #[test]
    fn weeks_are_iso_weeks_with_the_gaps_filled() {
        let calls = [
            // Sunday 8 March 23:30 is week 10; Monday 9 March week 11.
            call(local(8, 23, 30, 0), 5, CallOutcome::Answered, Some(60)),
            call(local(9, 0, 30, 0), 5, CallOutcome::Answered, Some(60)),
            // Monday 23 March: week 13, so week 12 is empty.
            call(local(23, 9, 0, 0), 5, CallOutcome::Answered, Some(60)),
        ];
        let f = key_figures(&calls, &settings(), Grouping::IsoWeek);
        let weeks: Vec<(u32, u64)> = f
            .groups
            .iter()
            .map(|g| match g.key {
                GroupKey::IsoWeek { week, .. } => (week, g.figures.offered),
                _ => (0, 0),
            })
            .collect();
        assert_eq!(weeks, vec![(10, 1), (11, 1), (12, 0), (13, 1)]);
        assert_eq!(f.groups[0].key.label_da(), "Uge 10 2026");
        // 1 January 2027 belongs to week 53 of 2026.
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        assert_eq!(
            GroupKey::of(Grouping::IsoWeek, new_year),
            GroupKey::IsoWeek {
                year: 2026,
                week: 53
            }
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&ten, 91), Some(10));
        assert_eq!(nearest_rank(&ten, 100), Some(10));
        assert_eq!(nearest_rank(&ten, 0), Some(1));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
        // Through the figures: waits 1..=20 s, unsorted.
        let calls: Vec<Call> = (1..=20)
            .rev()
            .map(|w| call(local(2, 9, w as u32, 0), w, CallOutcome::Answered, Some(10)))
            .collect();
        let f = key_figures(&calls, &settings(), Grouping::Whole);
        assert_eq!(f.whole.median_wait_seconds, Some(10));
        assert_eq!(f.whole.p90_wait_seconds, Some(18));
        assert_eq!(f.whole.mean_wait_seconds, Some(10.5));
        assert_eq!(f.whole.service_level, Some(1.0));
        assert_eq!(f.whole.meets_target, Some(true));
    }

    #[test]
    fn groupings_have_codes_and_danish_labels() {
        for g in Grouping::ALL {
            assert_eq!(Grouping::parse(g.code()), Some(g));
            assert!(!g.label_da().is_empty());
        }
        assert_eq!(GroupKey::Weekday(Weekday::Sat).label_da(), "lørdag");
        assert!(GroupKey::HourOfDay(3) < GroupKey::HourOfDay(10));
    }
}
