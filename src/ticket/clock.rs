//! One metric's clock: its cycle start, the segments during which it ran,
//! its budget, its finished cycles, and the arithmetic that turns them into
//! a due instant.
//!
//! A clock keeps closed running segments in `runs` and the start of the
//! segment still open in `open`. A clock stopped while running keeps its
//! last segment in `open` too, with `stopped_at` set: elapsed time counts
//! up to the stop, but the due instant is computed as if it ran on, which
//! is "the due instant it had when it stopped" ([contract §6](crate::contract)).

use std::borrow::Cow;

use crate::calendar::{Calendar, DayMode};
use crate::error::{Error, Result};
use crate::explain::Note;
use crate::policy::ClockKind;
use crate::report::{CycleReport, Status};
use crate::target::{Target, WrittenTarget};

use super::rules::Standing;

/// What a clock counts: every second, or a calendar's business seconds.
#[derive(Clone, Copy)]
pub(crate) enum Measure<'a> {
    Calendar,
    Business(&'a Calendar),
}

impl<'a> Measure<'a> {
    pub(crate) fn new(kind: ClockKind, calendar: &'a Calendar) -> Measure<'a> {
        match kind {
            ClockKind::Calendar => Measure::Calendar,
            ClockKind::Business => Measure::Business(calendar),
        }
    }

    /// Seconds counted from `a` to `b` (`a <= b`).
    pub(crate) fn between(&self, a: i64, b: i64) -> Result<i64> {
        match self {
            Measure::Calendar => Ok(b - a),
            Measure::Business(c) => Ok(c.position(b)? - c.position(a)?),
        }
    }

    /// The earliest instant `u >= t` with `d` counted between them.
    pub(crate) fn add(&self, t: i64, d: i64) -> Result<i64> {
        match self {
            Measure::Calendar => t.checked_add(d).ok_or_else(|| Error::Limit {
                what: "instant plus budget (seconds)",
                limit: i64::MAX as u64,
                value: d.unsigned_abs(),
            }),
            Measure::Business(c) => c.add_s(t, d),
        }
    }

    /// A target converted to a budget at `start`; `None` for no target.
    /// Business days on a calendar clock were rejected on input.
    pub(crate) fn budget(&self, target: Target, start: i64, mode: DayMode) -> Result<Option<i64>> {
        match (target, self) {
            (Target::None, _) => Ok(None),
            (Target::Time(s), _) => Ok(Some(s)),
            (Target::BusinessDays(n), Measure::Business(c)) => c.days_budget(start, n, mode).map(Some),
            // Guarded by the loaders; count business days as 24 h rather
            // than fail if one slips through.
            (Target::BusinessDays(n), Measure::Calendar) => Ok(Some(i64::from(n) * 86_400)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    NotApplicable,
    Pending,
    Running,
    Paused,
    Stopped,
}

#[derive(Debug, Clone)]
pub(crate) struct Clock<'p> {
    pub(crate) state: State,
    /// Business or calendar, fixed at the cycle's start (a severity change
    /// under `recompute` may change it for the whole cycle).
    pub(crate) kind: ClockKind,
    /// The business calendar it counts in, by index among the ticket's
    /// calendars: fixed at the cycle's start like `kind`.
    pub(crate) calendar: u32,
    pub(crate) cycle_start: i64,
    pub(crate) runs: Vec<(i64, i64)>,
    pub(crate) open: Option<i64>,
    pub(crate) stopped_at: Option<i64>,
    /// Borrowed from the policy unless agreed: a clone counts no shared
    /// reference.
    pub(crate) target: Cow<'p, WrittenTarget>,
    pub(crate) agreed: bool,
    /// The target agreed for the metric, if any: it holds for every cycle
    /// from the agreement on. Boxed: agreements are rare, and four clocks
    /// must stay in the allocator's cheap size class (below).
    pub(crate) agreement: Option<Box<WrittenTarget>>,
    pub(crate) budget: Option<i64>,
    /// Cycles started so far.
    pub(crate) cycles: u32,
    /// Cycles that ended (by a stop or a new cycle), oldest first. A stopped
    /// clock's last cycle is recorded only when a new cycle replaces it, or
    /// by the report: its figures are the report's own.
    pub(crate) finished: Vec<CycleReport>,
    /// How the current cycle began (its explanation's opening lines); none
    /// before the first cycle.
    pub(crate) opening: Option<Opening<'p>>,
    /// What happened to the current cycle since it began.
    pub(crate) notes: Vec<Note>,
}

/// The facts behind a cycle's opening explanation lines. They are rendered
/// only for the cycle a report shows: a next-reply ticket opens many cycles
/// and reports one.
#[derive(Debug, Clone)]
pub(crate) struct Opening<'p> {
    /// The event kind that started the cycle, by its trigger bit. The fields are narrow: four
    /// clocks stay under a kilobyte, the allocator's cheap size class.
    pub(crate) cause: u8,
    pub(crate) target: Cow<'p, WrittenTarget>,
    pub(crate) budget: Option<i64>,
    pub(crate) agreed: bool,
    /// The severity whose target it took (at most `MAX_SEVERITIES`).
    pub(crate) severity: u16,
    /// The status it started paused in.
    pub(crate) paused: Option<Standing>,
    /// Under `severity_change = "restart"`: the severity it replaced.
    pub(crate) fresh_from: Option<u16>,
    /// The rule whose target it took, if a rule's.
    pub(crate) rule: Option<u16>,
}

impl<'p> Clock<'p> {
    pub(crate) fn new(applicable: bool, kind: ClockKind) -> Clock<'p> {
        Clock {
            state: if applicable {
                State::Pending
            } else {
                State::NotApplicable
            },
            kind,
            calendar: 0,
            cycle_start: 0,
            runs: Vec::new(),
            open: None,
            stopped_at: None,
            target: Cow::Borrowed(WrittenTarget::none_ref()),
            agreed: false,
            agreement: None,
            budget: None,
            cycles: 0,
            finished: Vec::new(),
            opening: None,
            notes: Vec::new(),
        }
    }

    /// The clock `new` gives, keeping the lists' buffers: a batch reuses
    /// one set of clocks from ticket to ticket.
    pub(crate) fn reset(&mut self, applicable: bool, kind: ClockKind) {
        // Field by field (a new value would copy the whole clock); the
        // destructuring makes a field added later an error here.
        let Clock {
            state,
            kind: own_kind,
            calendar,
            cycle_start,
            runs,
            open,
            stopped_at,
            target,
            agreed,
            agreement,
            budget,
            cycles,
            finished,
            opening,
            notes,
        } = self;
        *state = if applicable {
            State::Pending
        } else {
            State::NotApplicable
        };
        *own_kind = kind;
        *calendar = 0;
        *cycle_start = 0;
        runs.clear();
        *open = None;
        *stopped_at = None;
        *target = Cow::Borrowed(WrittenTarget::none_ref());
        *agreed = false;
        *agreement = None;
        *budget = None;
        *cycles = 0;
        finished.clear();
        *opening = None;
        notes.clear();
    }

    /// Running or paused: a cycle is under way.
    pub(crate) fn is_active(&self) -> bool {
        matches!(self.state, State::Running | State::Paused)
    }

    /// A fresh cycle at `t`, paused if `paused`.
    pub(crate) fn start_cycle(&mut self, t: i64, paused: bool) {
        self.cycle_start = t;
        self.runs.clear();
        self.open = (!paused).then_some(t);
        self.state = if paused { State::Paused } else { State::Running };
        self.stopped_at = None;
        self.cycles += 1;
        self.notes.clear();
    }

    pub(crate) fn pause(&mut self, t: i64) {
        if let Some(a) = self.open.take() {
            self.runs.push((a, t));
        }
        self.state = State::Paused;
    }

    pub(crate) fn resume(&mut self, t: i64) {
        self.open = Some(t);
        self.state = State::Running;
    }

    /// Stops the cycle at `t`.
    pub(crate) fn stop(&mut self, t: i64) {
        self.stopped_at = Some(t);
        self.state = State::Stopped;
    }

    /// Records the current cycle as finished, before a new one replaces
    /// it: a running or paused cycle ends at `t`, a stopped one at its stop.
    /// Without `keep` only its due instant is computed, so that a cycle
    /// past the horizon fails the figures as it fails the report.
    pub(crate) fn end_cycle(&mut self, m: &Measure<'_>, t: i64, keep: bool) -> Result<()> {
        if !keep {
            if let Some(b) = self.budget {
                self.reach(m, b)?;
            }
            return Ok(());
        }
        let record = self.record(m, self.stopped_at.unwrap_or(t))?;
        self.finished.push(record);
        Ok(())
    }

    /// The current cycle as a finished one, ended at `end`.
    fn record(&self, m: &Measure<'_>, end: i64) -> Result<CycleReport> {
        let due = match self.budget {
            Some(b) => self.reach(m, b)?,
            None => None,
        };
        let status = match self.budget {
            None => Status::NoTarget,
            Some(_) if late(due, end) => Status::Breached,
            Some(_) => Status::Met,
        };
        Ok(CycleReport {
            started_at: instant(self.cycle_start),
            stopped_at: instant(end),
            due_at: due.map(instant),
            status,
        })
    }

    /// Runs again after a stop (reopen), from `t`: the same cycle goes on.
    pub(crate) fn reopen(&mut self, t: i64) {
        if let (Some(a), Some(s)) = (self.open.take(), self.stopped_at) {
            self.runs.push((a, s));
        }
        self.stopped_at = None;
        self.resume(t);
    }

    /// Seconds counted up to `end` (the stop if stopped earlier).
    pub(crate) fn elapsed(&self, m: &Measure<'_>, end: i64) -> Result<i64> {
        let mut total = 0;
        for &(a, b) in &self.runs {
            total += m.between(a, b)?;
        }
        if let Some(a) = self.open {
            let end = self.stopped_at.map_or(end, |s| s.min(end));
            if end > a {
                total += m.between(a, end)?;
            }
        }
        Ok(total)
    }

    /// The earliest instant at which `x` seconds have been counted, if the
    /// known segments reach it (an open segment reaches everything). Zero
    /// seconds are counted at the cycle's start, even one that starts
    /// paused.
    pub(crate) fn reach(&self, m: &Measure<'_>, x: i64) -> Result<Option<i64>> {
        if x <= 0 {
            return Ok(Some(self.cycle_start));
        }
        let mut cum = 0;
        for &(a, b) in &self.runs {
            let len = m.between(a, b)?;
            if cum + len >= x {
                return m.add(a, x - cum).map(Some);
            }
            cum += len;
        }
        match self.open {
            Some(a) => m.add(a, (x - cum).max(0)).map(Some),
            None => Ok(None),
        }
    }
}

/// True if a cycle stopped (or looked at) at `end` is past its due
/// instant: met and breached are judged by instants.
pub(crate) fn late(due: Option<i64>, end: i64) -> bool {
    due.is_some_and(|d| end > d)
}

/// Seconds since the epoch as an instant (instants here come from
/// `DateTime`s and bounded sums, so the fallback is not reached).
pub(crate) fn instant(t: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t, 0).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

#[cfg(test)]
#[test]
fn four_clocks_fit_in_a_kilobyte() {
    // glibc serves requests up to 1032 bytes from its per-thread cache; a
    // policy's usual four clocks stay there (a measured 2% of a typical
    // report).
    assert!(
        4 * std::mem::size_of::<Clock<'static>>() <= 1024,
        "{}",
        std::mem::size_of::<Clock<'static>>()
    );
}
