//! SLA rules (`[[rules]]`, first match wins) and the dates a dated version
//! is in force: the parts of a policy that depend on who the ticket is for
//! and when it was opened.

use std::fmt;

use chrono::NaiveDate;

use crate::policy::ClockKind;
use crate::target::WrittenTarget;

/// The local dates a version is in force: from `since` (inclusive) until
/// `until` (exclusive); an open end runs to the horizon's.
///
/// Dates are read in the ticket's zone (its region's, or the customer's for
/// a `zone = "customer"` region) at its `created` instant.
///
/// ```
/// use sla_deadline::Policy;
/// let policy = Policy::builtin("ol-care")?;
/// // Rules without dates are in force always.
/// assert!(policy.rules().is_empty());
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InForce {
    pub(crate) since: Option<NaiveDate>,
    pub(crate) until: Option<NaiveDate>,
}

impl InForce {
    /// The first date in force, if bounded.
    pub fn since(&self) -> Option<NaiveDate> {
        self.since
    }
    /// The first date no longer in force, if bounded.
    pub fn until(&self) -> Option<NaiveDate> {
        self.until
    }
    /// True if `date` is in force.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date < u)
    }
    /// True when neither end is bounded.
    pub fn is_always(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

/// `since 2027-01-01`, `until 2027-01-01`, `2026-01-01 to 2027-01-01`
/// (until excluded) or `always`.
impl fmt::Display for InForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.since, self.until) {
            (None, None) => f.write_str("always"),
            (Some(s), None) => write!(f, "since {s}"),
            (None, Some(u)) => write!(f, "until {u}"),
            (Some(s), Some(u)) => write!(f, "{s} to {u}"),
        }
    }
}

/// Values that change over time: one value per version, in date order,
/// the versions' dates end to end (checked by the loader). An undated
/// value is one version in force always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dated<T>(pub(crate) Vec<(InForce, T)>);

impl<T> Dated<T> {
    pub(crate) fn always(value: T) -> Dated<T> {
        Dated(vec![(InForce::default(), value)])
    }
    /// The index of the version in force on `date`; the nearest one for a
    /// date outside them all (the loader leaves no gap, only the ends).
    pub(crate) fn index_on(&self, date: NaiveDate) -> usize {
        self.0
            .iter()
            .position(|(f, _)| f.contains(date))
            .unwrap_or_else(|| match self.0.first() {
                Some((f, _)) if f.since.is_some_and(|s| date < s) => 0,
                _ => self.0.len().saturating_sub(1),
            })
    }
    /// The latest version.
    pub(crate) fn latest(&self) -> &T {
        // The loader builds at least one version.
        &self.0[self.0.len() - 1].1
    }
    pub(crate) fn get(&self, i: usize) -> &T {
        &self.0[i.min(self.0.len() - 1)].1
    }
    /// True when there is more than one version.
    pub(crate) fn is_versioned(&self) -> bool {
        self.0.len() > 1 || self.0.iter().any(|(f, _)| !f.is_always())
    }
}

/// An SLA rule: what applies to the tickets it matches.
///
/// Rules are tried in file order; the first whose `when` holds and that is
/// in force at the ticket's creation applies. No rule matching keeps the
/// policy's own targets and the region's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) in_force: InForce,
    pub(crate) when: When,
    pub(crate) calendar: Option<CalendarChoice>,
    /// By metric index: the metric's overrides, if the rule gives any.
    pub(crate) metrics: Vec<Option<Override>>,
}

/// A rule's conditions; an empty list means any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct When {
    pub(crate) severities: Vec<usize>,
    pub(crate) channels: Vec<usize>,
    pub(crate) regions: Vec<usize>,
    /// Attribute name and the values that match (any of).
    pub(crate) attributes: Vec<(String, Vec<String>)>,
}

/// The calendar a rule counts business time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CalendarChoice {
    /// Another region's calendar, by index.
    Region(usize),
    /// Every hour of every day (`"24x7"`).
    AllHours,
}

/// A rule's changes to one metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Override {
    /// The clock kind per severity, if the rule sets it.
    pub(crate) clocks: Option<Vec<ClockKind>>,
    /// Targets `[severity][channel]`; `None` keeps the metric's.
    pub(crate) grid: Vec<Vec<Option<WrittenTarget>>>,
}

impl Rule {
    /// Its id, e.g. `premium`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The dates it is in force.
    pub fn in_force(&self) -> InForce {
        self.in_force
    }
}
