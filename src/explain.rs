//! Explanations: the lines a person reads to see how a due instant came
//! about ("created: clock starts at …", "holidays skipped: …", "due …").
//!
//! The engine records structured notes and renders them only when they are
//! displayed or serialized: formatting instants costs more than computing
//! the deadlines, and most reports are read by code, not people.

use std::fmt;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::rfc3339 as utc;
use crate::target::WrittenTarget;
use crate::zone::Zone;

/// A UTC instant as RFC 3339 with `Z` (`2026-11-20T21:30:00Z`).
pub(crate) fn utc_string(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A local instant with its offset (`2026-11-20T16:30:00-05:00`, `+00:00`).
pub(crate) fn local_string(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// One line of a metric's explanation. `Display` renders it; serde writes
/// it as that string and reads it back as that string. Two notes are equal
/// when they read the same.
///
/// # Example
/// ```
/// use sla_deadline::{evaluate, Event, EventKind, Policy};
/// let policy = Policy::builtin("ol-care")?;
/// let created = Event::new(
///     "2026-12-24T16:00:00Z".parse().unwrap(),
///     EventKind::created("P1", "phone"),
/// );
/// let report = evaluate(&policy, "uk", &[created], None)?;
/// let lines: Vec<String> = report.metrics[1].explanation.iter().map(|n| n.to_string()).collect();
/// assert_eq!(lines[2], "holidays skipped: 2026-12-25, 2026-12-28");
/// assert_eq!(lines[3], "due 2026-12-29T10:00:00+00:00");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Note(pub(crate) Line);

/// Where a budget's target came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Policy {
        severity: Arc<str>,
        channel: Arc<str>,
    },
    /// A rule's target.
    Rule {
        rule: String,
        severity: Arc<str>,
        channel: Arc<str>,
    },
    Agreed,
}

/// Why a running clock's budget was recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Why {
    Severity {
        from: String,
        to: String,
        at: i64,
    },
    /// The attributes or customer zone changed; `rule` applies now.
    Rule {
        rule: Option<String>,
        at: i64,
    },
    Agreed {
        at: i64,
    },
    ChangedWhileResolved {
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// Which rule applies and why.
    Rule(String),
    Starts {
        kind: &'static str,
        at: i64,
        zone: Zone,
    },
    ClosedThen {
        open: i64,
        zone: Zone,
    },
    Budget {
        source: Source,
        target: WrittenTarget,
        start: i64,
        budget: Option<i64>,
    },
    Recomputed {
        why: Why,
        target: WrittenTarget,
        start: i64,
        budget: Option<i64>,
    },
    FreshClock {
        from: String,
        to: String,
        at: i64,
    },
    /// Paused at `at`, the ticket being in status `status`.
    Paused {
        at: i64,
        status: Cow<'static, str>,
    },
    /// Resumed at `at` because of `why`.
    Resumed {
        at: i64,
        why: Cow<'static, str>,
    },
    Stopped {
        at: i64,
        reason: &'static str,
    },
    Reopened {
        at: i64,
    },
    NotApplicable {
        metric: String,
        channel: String,
    },
    NotStarted {
        first: String,
    },
    NoTarget {
        severity: String,
        channel: String,
    },
    HolidaysSkipped(Vec<NaiveDate>),
    Due {
        at: i64,
        zone: Zone,
    },
    NoDue,
    NoDueStopped,
    /// A line read back from a serialized report: only its text survives.
    Text(String),
}

fn local(t: i64, zone: Zone) -> String {
    DateTime::<Utc>::from_timestamp(t, 0).map_or_else(|| format!("{t} s"), |d| local_string(&zone.local(d)))
}

fn budget(
    f: &mut fmt::Formatter<'_>,
    target: &WrittenTarget,
    start: i64,
    budget: Option<i64>,
) -> fmt::Result {
    match budget {
        Some(b) => write!(
            f,
            "target {target} converted at the clock's start {} -> budget {b} s",
            utc(start)
        ),
        None => f.write_str("no target"),
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Line::Rule(text) => f.write_str(text),
            Line::Starts { kind, at, zone } => {
                write!(f, "{kind}: clock starts at {} ({})", utc(*at), local(*at, *zone))
            }
            Line::ClosedThen { open, zone } => {
                write!(
                    f,
                    "closed then: business time starts at the next opening {}",
                    local(*open, *zone)
                )
            }
            Line::Budget {
                source,
                target,
                start,
                budget: b,
            } => {
                match source {
                    Source::Policy { severity, channel } => write!(f, "policy ({severity}, {channel}): ")?,
                    Source::Rule {
                        rule,
                        severity,
                        channel,
                    } => write!(f, "rule {rule} ({severity}, {channel}): ")?,
                    Source::Agreed => f.write_str("agreed: ")?,
                }
                budget(f, target, *start, *b)
            }
            Line::Recomputed {
                why,
                target,
                start,
                budget: b,
            } => {
                match why {
                    Why::Severity { from, to, at } => write!(f, "severity {from}->{to} at {}", utc(*at))?,
                    Why::Rule { rule: Some(rule), at } => {
                        write!(f, "attributes changed at {}, rule {rule} applies", utc(*at))?
                    }
                    Why::Rule { rule: None, at } => {
                        write!(f, "attributes changed at {}, no rule applies", utc(*at))?
                    }
                    Why::Agreed { at } => write!(f, "agreed at {}", utc(*at))?,
                    Why::ChangedWhileResolved { at } => write!(
                        f,
                        "target changed while resolved, applied at the reopen {}",
                        utc(*at)
                    )?,
                }
                f.write_str(", recomputed from the original start: ")?;
                budget(f, target, *start, *b)
            }
            Line::FreshClock { from, to, at } => {
                write!(
                    f,
                    "severity {from}->{to} at {}: a fresh clock (severity_change = restart)",
                    utc(*at)
                )
            }
            Line::Paused { at, status } => write!(f, "paused at {} ({status})", utc(*at)),
            Line::Resumed { at, why } => write!(f, "resumed at {} ({why})", utc(*at)),
            Line::Stopped { at, reason } => write!(f, "stopped at {} ({reason})", utc(*at)),
            Line::Reopened { at } => write!(f, "reopened at {}: resumes with its remaining budget", utc(*at)),
            Line::NotApplicable { metric, channel } => {
                write!(f, "{metric} does not apply to channel {channel}")
            }
            Line::NotStarted { first } => write!(f, "not started yet (starts at {first})"),
            Line::NoTarget { severity, channel } => write!(f, "policy ({severity}, {channel}): no target"),
            Line::HolidaysSkipped(dates) => {
                f.write_str("holidays skipped: ")?;
                for (i, d) in dates.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            Line::Due { at, zone } => write!(f, "due {}", local(*at, *zone)),
            Line::NoDue => f.write_str("no due instant while paused: the end of the wait is unknown"),
            Line::NoDueStopped => f.write_str("no due instant: stopped while paused with budget left"),
            Line::Text(text) => f.write_str(text),
        }
    }
}

impl Serialize for Note {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Note {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Note, D::Error> {
        String::deserialize(d).map(|text| Note(Line::Text(text)))
    }
}

// By the text, so that a report read back equals the report written: the
// structure a note was rendered from does not survive serialization.
impl PartialEq for Note {
    fn eq(&self, other: &Note) -> bool {
        self.0 == other.0 || self.to_string() == other.to_string()
    }
}

impl Eq for Note {}
