//! The report of a ticket: per metric its target, status, due instant and
//! figures, with a readable explanation of the due instant.
//!
//! Stages: the engine fills these types; they hold explanation notes, which
//! render themselves (`explain` does not know about reports).

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Serialize, Serializer};

use crate::explain::{Note, local_string, utc_string};
use crate::policy::ClockKind;
use crate::target::WrittenTarget;

/// Where a metric's clock stands at the report's `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Met => "met",
            Status::Breached => "breached",
            Status::NoTarget => "no_target",
            Status::NotApplicable => "not_applicable",
        })
    }
}

/// A ticket's report as of an instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Policy id.
    pub policy: String,
    /// Region id.
    pub region: String,
    /// The region's time zone.
    pub timezone: String,
    /// Current severity.
    pub severity: String,
    /// Intake channel.
    pub channel: String,
    /// What the report knows up to.
    #[serde(serialize_with = "utc")]
    pub as_of: DateTime<Utc>,
    /// The earliest warning or due instant after `as_of` among running
    /// clocks: when to look at the ticket again.
    #[serde(serialize_with = "opt_utc")]
    pub next_wake_up: Option<DateTime<Utc>>,
    /// One entry per metric of the policy, in the policy's order.
    pub metrics: Vec<MetricReport>,
    /// Ignored events and estimated holidays that a due instant relied on.
    pub warnings: Vec<String>,
}

/// One metric's figures. Durations are whole seconds of the metric's own
/// clock (business or calendar seconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    #[serde(serialize_with = "opt_utc")]
    pub started_at: Option<DateTime<Utc>>,
    /// Due instant (null while paused with budget left, pending, no target).
    #[serde(serialize_with = "opt_utc")]
    pub due_at: Option<DateTime<Utc>>,
    /// Due instant in the region's local time.
    #[serde(serialize_with = "opt_local")]
    pub due_local: Option<DateTime<FixedOffset>>,
    /// When the clock stopped, if it has.
    #[serde(serialize_with = "opt_utc")]
    pub stopped_at: Option<DateTime<Utc>>,
    /// The target converted at the clock's start.
    pub budget_s: Option<i64>,
    /// Time counted since the start.
    pub elapsed_s: Option<i64>,
    /// Time since the start that did not count (waits, resolved gaps).
    pub paused_s: Option<i64>,
    /// `max(0, budget - elapsed)`.
    pub remaining_s: Option<i64>,
    /// `budget - elapsed` when met.
    pub met_by_s: Option<i64>,
    /// `elapsed - budget` when breached.
    pub breached_by_s: Option<i64>,
    /// When each warning threshold is (or was) crossed.
    pub warnings: Vec<ThresholdCrossing>,
    /// How the due instant came about, for a person to read.
    pub explanation: Vec<Note>,
    /// The clock's cycles: how many started, how they ended. The fields
    /// above describe the current (or last) cycle.
    pub cycles: CycleSummary,
}

/// A metric's cycles: every metric has at least one once started; update
/// and next-reply metrics start one per restart or per customer message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleReport {
    /// When it started.
    #[serde(serialize_with = "utc")]
    pub started_at: DateTime<Utc>,
    /// When it ended: the stop, or the start of the next cycle.
    #[serde(serialize_with = "utc")]
    pub stopped_at: DateTime<Utc>,
    /// Its due instant (null when it ended paused with budget left, or had
    /// no target).
    #[serde(serialize_with = "opt_utc")]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdCrossing {
    /// Fraction of the budget, e.g. 0.75.
    pub threshold: f64,
    /// The earliest instant at which elapsed >= ceil(threshold x budget).
    #[serde(serialize_with = "utc")]
    pub at: DateTime<Utc>,
}

fn utc<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc_string(t))
}

fn opt_utc<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&utc_string(t)),
        None => s.serialize_none(),
    }
}

fn opt_local<S: Serializer>(t: &Option<DateTime<FixedOffset>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&local_string(t)),
        None => s.serialize_none(),
    }
}
