//! The report of a ticket: per metric its target, status, due instant and
//! figures, with a readable explanation of the due instant.
//!
//! Stages: the engine fills these types; they hold explanation notes, which
//! render themselves (`explain` does not know about reports).
//!
//! Reports serialize to JSON (or any serde format) and read back equal, so
//! they can be cached, stored or sent to another service. Instants are
//! RFC 3339 text, durations whole seconds in fields named `*_s`. Reading is
//! lenient about fields it does not know (a report written by a newer
//! version still reads), strict about the types of those it knows.

use std::fmt;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::explain::{Note, local_string, utc_string};
use crate::policy::ClockKind;
use crate::target::WrittenTarget;

/// Where a metric's clock stands at the report's `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not started yet (the update clock before the first response).
    Pending,
    /// Counting.
    Running,
    /// Not counting: waiting on the customer.
    Paused,
    /// Stopped at or before its due instant.
    Met,
    /// Stopped after its due instant, or still open past it.
    Breached,
    /// The ticket has no target for this metric.
    NoTarget,
    /// The metric does not apply (e.g. acknowledgement of a phone ticket).
    NotApplicable,
}

impl Status {
    /// The status as reports write it (`"no_target"`), without allocating.
    ///
    /// ```
    /// assert_eq!(sla_deadline::Status::NoTarget.as_str(), "no_target");
    /// ```
    pub const fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Met => "met",
            Status::Breached => "breached",
            Status::NoTarget => "no_target",
            Status::NotApplicable => "not_applicable",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ticket's report as of an instant.
///
/// # Example
/// ```
/// use sla_deadline::{evaluate, Event, EventKind, Policy, Report, Status};
///
/// let policy = Policy::builtin("ol-care")?;
/// let created = Event::new(
///     "2026-11-20T16:30:00-05:00".parse().unwrap(),
///     EventKind::created("P1", "phone"),
/// );
/// let report = evaluate(&policy, "americas", &[created], None)?;
/// let resolution = report.metric("resolution").expect("a metric of OL Care");
/// assert_eq!(resolution.status, Status::Running);
/// assert_eq!(resolution.budget.map(|b| b.num_hours()), Some(22)); // two 11-hour days
///
/// // Stored or sent as JSON, read back equal.
/// let json = serde_json::to_string(&report).unwrap();
/// assert!(json.contains(r#""budget_s":79200"#));
/// let back: Report = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, report);
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Policy id.
    pub policy: String,
    /// Region id.
    pub region: String,
    /// The time zone the ticket counts in: its region's, the customer's
    /// for a `zone = "customer"` region, or that of the calendar a rule
    /// chose.
    pub timezone: String,
    /// The customer's time zone, when the ticket gives one (absent
    /// otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_timezone: Option<String>,
    /// The id of the SLA rule that applies (absent when none does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The dated versions the ticket is counted under, chosen at its
    /// creation, such as `"metrics.resolution.versions: since 2027-01-01"`
    /// (absent for a policy without versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Current severity.
    pub severity: String,
    /// Intake channel.
    pub channel: String,
    /// What the report knows up to.
    #[serde(with = "utc")]
    pub as_of: DateTime<Utc>,
    /// The earliest warning or due instant after `as_of` among running
    /// clocks: when to look at the ticket again.
    #[serde(with = "opt_utc")]
    pub next_wake_up: Option<DateTime<Utc>>,
    /// One entry per metric of the policy, in the policy's order.
    pub metrics: Vec<MetricReport>,
    /// Ignored events and estimated holidays that a due instant relied on.
    pub warnings: Vec<String>,
}

/// One metric's figures. Durations are whole seconds of the metric's own
/// clock (business or calendar seconds), serialized as integers in the
/// fields named `*_s` (`budget_s`, `elapsed_s`...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    /// Metric id.
    pub metric: String,
    /// Business or calendar clock.
    pub clock: ClockKind,
    /// The target as written in the policy or the agreement (`"90m"`
    /// stays `"90m"`); `null` when there is none.
    pub target: Option<WrittenTarget>,
    /// True if the target was agreed for this ticket.
    pub agreed: bool,
    /// Where the clock stands.
    pub status: Status,
    /// Start of the clock or of its current cycle.
    #[serde(with = "opt_utc")]
    pub started_at: Option<DateTime<Utc>>,
    /// Due instant (null while paused with budget left, pending, no target).
    #[serde(with = "opt_utc")]
    pub due_at: Option<DateTime<Utc>>,
    /// Due instant in the local time of the zone the ticket counts in
    /// (`timezone`).
    #[serde(with = "opt_local")]
    pub due_local: Option<DateTime<FixedOffset>>,
    /// Due instant in the customer's local time, when the ticket gives a
    /// customer zone (absent otherwise).
    #[serde(default, with = "opt_local", skip_serializing_if = "Option::is_none")]
    pub due_customer: Option<DateTime<FixedOffset>>,
    /// When the clock stopped, if it has.
    #[serde(with = "opt_utc")]
    pub stopped_at: Option<DateTime<Utc>>,
    /// The target converted at the clock's start.
    #[serde(rename = "budget_s", with = "opt_seconds")]
    pub budget: Option<TimeDelta>,
    /// Time counted since the start.
    #[serde(rename = "elapsed_s", with = "opt_seconds")]
    pub elapsed: Option<TimeDelta>,
    /// Time since the start that did not count (waits, resolved gaps).
    #[serde(rename = "paused_s", with = "opt_seconds")]
    pub paused: Option<TimeDelta>,
    /// `max(0, budget - elapsed)`.
    #[serde(rename = "remaining_s", with = "opt_seconds")]
    pub remaining: Option<TimeDelta>,
    /// `budget - elapsed` when met.
    #[serde(rename = "met_by_s", with = "opt_seconds")]
    pub met_by: Option<TimeDelta>,
    /// `elapsed - budget` when breached.
    #[serde(rename = "breached_by_s", with = "opt_seconds")]
    pub breached_by: Option<TimeDelta>,
    /// When each warning threshold is (or was) crossed.
    pub warnings: Vec<ThresholdCrossing>,
    /// How the due instant came about, for a person to read.
    pub explanation: Vec<Note>,
    /// The clock's cycles: how many started, how they ended. The fields
    /// above describe the current (or last) cycle. Reports written before
    /// cycles were counted read back with an empty summary.
    #[serde(default)]
    pub cycles: CycleSummary,
}

/// A metric's cycles: every metric has at least one once started; update
/// and next-reply metrics start one per restart or per customer message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CycleSummary {
    /// Cycles started, the current one included.
    pub count: u32,
    /// Finished cycles that were met.
    pub met: u32,
    /// Finished cycles that were breached.
    pub breached: u32,
    /// Each finished cycle (ended by a stop or by a new cycle), oldest
    /// first; the last one is the current cycle when the clock is stopped.
    pub finished: Vec<CycleReport>,
}

/// One finished cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleReport {
    /// When it started.
    #[serde(with = "utc")]
    pub started_at: DateTime<Utc>,
    /// When it ended: the stop, or the start of the next cycle.
    #[serde(with = "utc")]
    pub stopped_at: DateTime<Utc>,
    /// Its due instant (null when it ended paused with budget left, or had
    /// no target).
    #[serde(with = "opt_utc")]
    pub due_at: Option<DateTime<Utc>>,
    /// `met`, `breached` or `no_target`.
    pub status: Status,
}

impl CycleSummary {
    pub(crate) fn of(count: u32, finished: Vec<CycleReport>) -> CycleSummary {
        let tally = |s| finished.iter().filter(|c| c.status == s).count() as u32;
        CycleSummary {
            count,
            met: tally(Status::Met),
            breached: tally(Status::Breached),
            finished,
        }
    }
}

/// The instant a warning threshold is crossed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdCrossing {
    /// Fraction of the budget, e.g. 0.75.
    pub threshold: f64,
    /// The earliest instant at which elapsed >= ceil(threshold x budget).
    #[serde(with = "utc")]
    pub at: DateTime<Utc>,
}

/// The figures of one metric without the explanation, in Unix seconds:
/// what [`evaluate_figures`](crate::evaluate_figures) computes for
/// batch paths, equal to the fields of the same name in a
/// [`MetricReport`] ([`MetricReport::figures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Where the clock stands.
    pub status: Status,
    /// Start of the clock or of its current cycle.
    pub started_at: Option<i64>,
    /// The due instant.
    pub due_at: Option<i64>,
    /// When the clock stopped, if it has.
    pub stopped_at: Option<i64>,
    /// The target converted at the clock's start, in seconds.
    pub budget: Option<i64>,
    /// Seconds counted since the start.
    pub elapsed: Option<i64>,
    /// Seconds since the start that did not count.
    pub paused: Option<i64>,
    /// `max(0, budget - elapsed)`.
    pub remaining: Option<i64>,
    /// `budget - elapsed` when met.
    pub met_by: Option<i64>,
    /// `elapsed - budget` when breached.
    pub breached_by: Option<i64>,
}

impl Figures {
    /// No figures yet: a clock not started, or one that does not apply.
    pub(crate) fn blank(status: Status) -> Figures {
        Figures {
            status,
            started_at: None,
            due_at: None,
            stopped_at: None,
            budget: None,
            elapsed: None,
            paused: None,
            remaining: None,
            met_by: None,
            breached_by: None,
        }
    }
}

impl MetricReport {
    /// This metric's figures, as [`evaluate_figures`](crate::evaluate_figures) gives them.
    pub fn figures(&self) -> Figures {
        let s = |d: Option<TimeDelta>| d.map(|d| d.num_seconds());
        let t = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp());
        Figures {
            status: self.status,
            started_at: t(self.started_at),
            due_at: t(self.due_at),
            stopped_at: t(self.stopped_at),
            budget: s(self.budget),
            elapsed: s(self.elapsed),
            paused: s(self.paused),
            remaining: s(self.remaining),
            met_by: s(self.met_by),
            breached_by: s(self.breached_by),
        }
    }
}

impl Report {
    /// The report of metric `id`, if the policy has it.
    pub fn metric(&self, id: &str) -> Option<&MetricReport> {
        self.metrics.iter().find(|m| m.metric == id)
    }
}

// Instants as RFC 3339 text: UTC with `Z`, local with its offset.
mod utc {
    use super::*;

    pub(super) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&utc_string(t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        instant(&text).map_err(serde::de::Error::custom)
    }

    pub(super) fn instant(text: &str) -> Result<DateTime<Utc>, String> {
        super::local(text).map(|t| t.with_timezone(&Utc))
    }
}

/// An RFC 3339 instant with its offset, or what is wrong with `text`.
fn local(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text).map_err(|e| format!("{text:?} is not an RFC 3339 instant: {e}"))
}

mod opt_utc {
    use super::*;

    pub(super) fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&utc_string(t)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| super::utc::instant(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod opt_local {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&local_string(t)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| super::local(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

// Durations as whole seconds: reports never carry fractions.
mod opt_seconds {
    use super::*;

    pub(super) fn serialize<S: Serializer>(t: &Option<TimeDelta>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_i64(t.num_seconds()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimeDelta>, D::Error> {
        Option::<i64>::deserialize(d)?
            .map(|s| {
                TimeDelta::try_seconds(s)
                    .ok_or_else(|| serde::de::Error::custom(format!("{s} s is out of range for a duration")))
            })
            .transpose()
    }
}
