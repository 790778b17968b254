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

    /// As `between(a, b)`, with `a`'s business position when there is one
    /// (for an `add_at` from `a` that need not look it up again).
    pub(crate) fn span(&self, a: i64, b: i64) -> Result<(Option<i64>, i64)> {
        match self {
            Measure::Calendar => Ok((None, b - a)),
            Measure::Business(c) => {
                // `b` first, as `between` looks them up.
                let pb = c.position(b)?;
                let pa = c.position(a)?;
                Ok((Some(pa), pb - pa))
            }
        }
    }

    /// As `add(t, d)`, with `t`'s business position if `span` gave it.
    pub(crate) fn add_at(&self, t: i64, position: Option<i64>, d: i64) -> Result<i64> {
        match (self, position) {
            (Measure::Business(c), Some(p)) => c.add_s_at(t, p, d),
            _ => self.add(t, d),
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

    /// As `(elapsed(m, end), reach(m, budget))`, measuring each segment
    /// once for both; the due instant is computed by `land`, so that a
    /// caller can measure something else in between, in the order the
    /// errors are reported.
    pub(crate) fn elapsed_landing(&self, m: &Measure<'_>, end: i64, budget: i64) -> Result<(i64, Landing)> {
        let mut total = 0;
        let mut landing = (budget <= 0).then_some(Landing::Start);
        for &(a, b) in &self.runs {
            let (position, len) = m.span(a, b)?;
            if landing.is_none() && total + len >= budget {
                landing = Some(Landing::After {
                    from: a,
                    position,
                    seconds: budget - total,
                });
            }
            total += len;
        }
        let runs = total;
        let mut open_position = None;
        if let Some(a) = self.open {
            let end = self.stopped_at.map_or(end, |s| s.min(end));
            if end > a {
                let (position, len) = m.span(a, end)?;
                open_position = position;
                total += len;
            }
        }
        let landing = landing.unwrap_or(match self.open {
            Some(a) => Landing::After {
                from: a,
                position: open_position,
                seconds: (budget - runs).max(0),
            },
            None => Landing::Never,
        });
        Ok((total, landing))
    }

    /// The instant a `landing` stands for (as `reach` gives it).
    pub(crate) fn land(&self, m: &Measure<'_>, landing: Landing) -> Result<Option<i64>> {
        match landing {
            Landing::Start => Ok(Some(self.cycle_start)),
            Landing::After {
                from,
                position,
                seconds,
            } => m.add_at(from, position, seconds).map(Some),
            Landing::Never => Ok(None),
        }
    }

    /// Seconds counted up to `end` (the stop if stopped earlier).
    #[cfg(test)]
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

/// Where a clock's budget is reached: found while its segments are
/// measured (`Clock::elapsed_landing`), turned into an instant by
/// `Clock::land`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Landing {
    /// At the cycle's start: a budget of zero.
    Start,
    /// `seconds` counted from `from`, whose business position is known
    /// when `position` is given.
    After {
        from: i64,
        position: Option<i64>,
        seconds: i64,
    },
    /// Not within the known segments (a clock that no longer counts).
    Never,
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

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Measuring a clock once for its elapsed time and its due instant
        /// gives what `elapsed` and `reach` give apart, errors included:
        /// business and calendar clocks, any runs, running, paused or
        /// stopped, instants in and around the horizon.
        #[test]
        fn one_pass_equals_elapsed_then_reach(
            start in prop_oneof![1_577_000_000i64..1_578_500_000, 1_767_225_600i64..1_830_297_600, 2_082_000_000i64..2_083_000_000],
            gaps in prop::collection::vec(0i64..400_000, 0..7),
            open in any::<bool>(),
            stop in prop::option::of(0i64..400_000),
            end in 0i64..2_000_000,
            budget in prop_oneof![Just(0i64), -5i64..5, 0i64..500_000],
            exact in prop::option::of(0usize..4),
            business in any::<bool>(),
        ) {
            let policy = crate::Policy::builtin("ol-care").expect("built-in");
            let calendar = policy.regions()[0].calendar();
            let measure = if business { Measure::Business(calendar) } else { Measure::Calendar };
            let mut clock = Clock::new(true, ClockKind::Business);
            clock.cycle_start = start;
            // Alternate run and pause boundaries; the last one opens a
            // segment if `open`.
            let mut t = start;
            let mut bounds = Vec::new();
            for g in &gaps {
                t += g;
                bounds.push(t);
            }
            for pair in bounds.chunks(2) {
                if let [a, b] = pair {
                    clock.runs.push((*a, *b));
                }
            }
            if open {
                clock.open = Some(t);
                clock.stopped_at = stop.map(|s| t + s);
            }
            let end = start + end;
            // A budget the runs reach exactly, at the end of run `k`.
            let mut budget = budget;
            if let Some(k) = exact.filter(|k| *k < clock.runs.len()) {
                let lens: Result<Vec<i64>, _> =
                    clock.runs[..=k].iter().map(|&(a, b)| measure.between(a, b)).collect();
                if let Ok(lens) = lens {
                    budget = lens.iter().sum();
                }
            }
            let want = clock
                .elapsed(&measure, end)
                .and_then(|e| Ok((e, clock.reach(&measure, budget)?)))
                .map_err(|e| e.to_string());
            let got = clock
                .elapsed_landing(&measure, end, budget)
                .and_then(|(e, landing)| Ok((e, clock.land(&measure, landing)?)))
                .map_err(|e| e.to_string());
            prop_assert_eq!(got, want);
        }
    }
}
