//! The joint hotline's vocabulary (seed `003_*`, METHOD.md "The joint
//! hotline"): one call as the phone system's queue saw it, how it ended,
//! the line's opening hours, and a member's kind.
//!
//! A call is the unit every key figure counts: it arrives in a queue, is
//! answered by an agent or leaves unanswered, and ends. The readers of
//! `queue_log` files and of the plain call CSV turn their rows into
//! [`Call`]s; the figures are computed from them in core.

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};

/// What came of a hotline call, as the agent registers it (seed 003: share
/// resolved at once, share referred on to a personal visit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HotlineOutcome {
    /// The citizen got the help there and then.
    SolvedAtOnce,
    /// Referred to personal attendance in the caller's own municipality.
    ReferredToAttendance,
    /// Referred elsewhere (another authority, a case worker, a website).
    ReferredElsewhere,
}

impl HotlineOutcome {
    pub const ALL: [HotlineOutcome; 3] = [
        Self::SolvedAtOnce,
        Self::ReferredToAttendance,
        Self::ReferredElsewhere,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SolvedAtOnce => "loest_straks",
            Self::ReferredToAttendance => "henvist_fremmoede",
            Self::ReferredElsewhere => "henvist_andet",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        Self::ALL.into_iter().find(|o| o.code() == value)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::SolvedAtOnce => dl!("Løst med det samme"),
            Self::ReferredToAttendance => dl!("Henvist til fremmøde i egen kommune"),
            Self::ReferredElsewhere => dl!("Henvist andetsteds"),
        }
    }

    /// The method's completion of the inquiry: a call solved at once is
    /// finished at once; a referred call is not (it is handled on
    /// elsewhere), so the agent answers one question, not two.
    pub fn completion(self) -> crate::Completion {
        match self {
            Self::SolvedAtOnce => crate::Completion::AtOnce,
            Self::ReferredToAttendance | Self::ReferredElsewhere => crate::Completion::PutAside,
        }
    }
}

/// How a call left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallOutcome {
    /// An agent answered (queue_log `CONNECT`).
    Answered,
    /// The caller hung up while waiting (`ABANDON`).
    Abandoned,
    /// The queue's maximum wait ran out (`EXITWITHTIMEOUT`).
    TimedOut,
    /// The queue had no agents logged in (`EXITEMPTY`, `JOINEMPTY`).
    NoAgents,
    /// The caller pressed a key to leave (`EXITWITHKEY`).
    LeftWithKey,
    /// The file holds the arrival but not how the call left the queue.
    Unknown,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 6] = [
        Self::Answered,
        Self::Abandoned,
        Self::TimedOut,
        Self::NoAgents,
        Self::LeftWithKey,
        Self::Unknown,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Answered => "besvaret",
            Self::Abandoned => "opgivet",
            Self::TimedOut => "timeout",
            Self::NoAgents => "ingen_agenter",
            Self::LeftWithKey => "tast",
            Self::Unknown => "ukendt",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim().to_lowercase();
        Self::ALL.into_iter().find(|o| o.code() == value)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::Answered => dl!("Besvaret"),
            Self::Abandoned => dl!("Lagt på i kø"),
            Self::TimedOut => dl!("Maksimal ventetid nået"),
            Self::NoAgents => dl!("Ingen medarbejdere logget på"),
            Self::LeftWithKey => dl!("Forladt køen med tast"),
            Self::Unknown => dl!("Uvist udfald"),
        }
    }

    /// The caller was offered the line and left without an answer: every
    /// way out of the queue but an answer (an unknown outcome is neither).
    pub fn is_lost(self) -> bool {
        matches!(
            self,
            Self::Abandoned | Self::TimedOut | Self::NoAgents | Self::LeftWithKey
        )
    }
}

/// One call as the hotline's queue saw it. Times are instants (UTC); the
/// figures place them in Danish local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The phone system's id of the call (queue_log's callid, the CSV's
    /// `opkald`): with the arrival it recognises a call imported again.
    pub call_id: String,
    /// The queue the call entered.
    pub queue: String,
    pub arrived_at: DateTime<Utc>,
    /// When an agent answered; `None` when nobody did.
    pub answered_at: Option<DateTime<Utc>>,
    /// When the call ended (after talk, or when the caller left the queue);
    /// `None` when the file holds no end.
    pub ended_at: Option<DateTime<Utc>>,
    pub outcome: CallOutcome,
    /// The agent who answered, as the phone system names them.
    pub agent: Option<String>,
    /// The agent passed the call on (queue_log `TRANSFER`).
    pub transferred: bool,
}

impl Call {
    /// Seconds in the queue: to the answer, or to leaving unanswered.
    pub fn wait_seconds(&self) -> Option<i64> {
        let until = self.answered_at.or(if self.outcome.is_lost() {
            self.ended_at
        } else {
            None
        })?;
        Some((until - self.arrived_at).num_seconds().max(0))
    }

    /// Seconds of conversation: from the answer to the end.
    pub fn talk_seconds(&self) -> Option<i64> {
        let answered = self.answered_at?;
        let ended = self.ended_at?;
        Some((ended - answered).num_seconds().max(0))
    }
}

/// What a member municipality brings to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberKind {
    /// Staffs shifts (credited per staffed hour) and pays.
    StaffsAndPays,
    /// Pays only.
    PaysOnly,
}

impl MemberKind {
    pub const ALL: [MemberKind; 2] = [Self::StaffsAndPays, Self::PaysOnly];

    pub fn code(self) -> &'static str {
        match self {
            Self::StaffsAndPays => "bemander",
            Self::PaysOnly => "betaler",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        Self::ALL.into_iter().find(|k| k.code() == value)
    }

    pub fn label_da(self) -> &'static str {
        match self {
            Self::StaffsAndPays => dl!("Bemander vagter og betaler"),
            Self::PaysOnly => dl!("Betaler kun"),
        }
    }
}

/// The line's opening hours: at most one interval per weekday, Danish
/// local time, `[opens, closes)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours {
    /// Monday first.
    pub days: [Option<(NaiveTime, NaiveTime)>; 7],
}

impl OpeningHours {
    /// The interval of a weekday, if the line is open that day.
    pub fn of(&self, day: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.days[day.num_days_from_monday() as usize]
    }

    /// Whether the line is open at a Danish local weekday and time.
    pub fn is_open(&self, day: Weekday, time: NaiveTime) -> bool {
        self.of(day)
            .is_some_and(|(opens, closes)| opens <= time && time < closes)
    }

    /// Whether the line is open at an instant.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        let local = crate::registration::danish_local(at);
        self.is_open(local.weekday(), local.time())
    }

    /// Opening hours a week, in hours (fractions for half hours).
    pub fn hours_per_week(&self) -> f64 {
        self.days
            .iter()
            .flatten()
            .map(|(opens, closes)| (*closes - *opens).num_minutes().max(0) as f64 / 60.0)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
    }

    #[test]
    fn wait_runs_to_the_answer_or_to_leaving() {
        let mut call = Call {
            call_id: "1".into(),
            queue: "hotline".into(),
            arrived_at: at(8, 0, 0),
            answered_at: Some(at(8, 0, 42)),
            ended_at: Some(at(8, 5, 42)),
            outcome: CallOutcome::Answered,
            agent: Some("Agent/1".into()),
            transferred: false,
        };
        assert_eq!(call.wait_seconds(), Some(42));
        assert_eq!(call.talk_seconds(), Some(300));
        call.answered_at = None;
        call.outcome = CallOutcome::Abandoned;
        assert_eq!(call.wait_seconds(), Some(342));
        assert_eq!(call.talk_seconds(), None);
        call.outcome = CallOutcome::Unknown;
        assert_eq!(call.wait_seconds(), None);
    }

    #[test]
    fn sixty_hours_a_week() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let mut hours = OpeningHours::default();
        for day in 0..5 {
            hours.days[day] = Some((t(8), t(20)));
        }
        assert_eq!(hours.hours_per_week(), 60.0);
        assert!(hours.is_open(Weekday::Mon, t(8)));
        assert!(!hours.is_open(Weekday::Mon, t(20)));
        assert!(!hours.is_open(Weekday::Sat, t(10)));
    }
}
