//! Reading the report off the folded clocks at `as_of`.

use chrono::TimeDelta;

use crate::error::Result;
use std::sync::Arc;

use crate::explain::{Line, Note, Source};
use crate::policy::EVENT_KINDS;
use crate::report::{CycleReport, CycleSummary, Figures, MetricReport, Report, Status, ThresholdCrossing};
use crate::zone::printable_anywhere;

use super::clock::{Clock, Measure, State, instant, late};
use super::fold::Fold;

impl Fold<'_> {
    /// The report at second `as_of`.
    pub(crate) fn report(&mut self, as_of: i64) -> Result<Report> {
        let as_of_at = instant(as_of);
        let mut warnings = std::mem::take(&mut self.warnings);
        let mut metrics = Vec::with_capacity(self.clocks.len());
        let mut wake: Option<i64> = None;
        let clocks = std::mem::take(&mut self.clocks);
        for (m, mut clock) in clocks.into_iter().enumerate() {
            let r = self.metric_report(m, &mut clock, as_of, &mut warnings)?;
            // Only a counting clock can cross anything after `as_of`.
            if clock.state == State::Running {
                let later = r
                    .warnings
                    .iter()
                    .map(|w| w.at.timestamp())
                    .chain(r.due_at.map(|d| d.timestamp()))
                    .filter(|&x| x > as_of)
                    .min();
                wake = match (wake, later) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            metrics.push(r);
        }
        Ok(Report {
            policy: self.policy.id().to_string(),
            region: self.region.id().to_string(),
            timezone: self.zone().to_string(),
            customer_timezone: self.facts.customer_zone.map(|z| z.to_string()),
            rule: self.terms.rule.map(|r| self.policy.rules()[r].id().to_string()),
            versions: self.setting.versions(self.policy, &self.terms),
            severity: self.severity_id().to_string(),
            channel: self.channel_id().to_string(),
            as_of: as_of_at,
            next_wake_up: wake.map(instant),
            metrics,
            warnings,
        })
    }

    /// The figures of every metric at `as_of`, in the policy's order.
    pub(crate) fn figures_into(&self, as_of: i64, out: &mut Vec<Figures>) -> Result<()> {
        out.reserve(self.clocks.len());
        for (m, clock) in self.clocks.iter().enumerate() {
            // Filled in place: the figures are too large to pass around.
            out.push(Figures::blank(Status::NoTarget));
            let last = out.len() - 1;
            self.fill(m, clock, as_of, &mut out[last])?;
        }
        Ok(())
    }

    /// The figures of clock `m` at `as_of`: what the report of the metric
    /// states, without its explanation. A due instant the report could not
    /// print (outside years 0000-9999 in a zone it shows) is an error here
    /// too.
    fn figures(&self, m: usize, clock: &Clock, as_of: i64) -> Result<Figures> {
        let mut f = Figures::blank(Status::NoTarget);
        self.fill(m, clock, as_of, &mut f)?;
        Ok(f)
    }

    /// `figures`, written over `f` (blank, `NoTarget`).
    fn fill(&self, m: usize, clock: &Clock, as_of: i64, f: &mut Figures) -> Result<()> {
        match clock.state {
            State::NotApplicable => {
                f.status = Status::NotApplicable;
                return Ok(());
            }
            State::Pending => {
                if self.has_target(m, clock.agreement.as_deref()) {
                    f.status = Status::Pending;
                }
                return Ok(());
            }
            _ => {}
        }
        let measure = Measure::new(clock.kind, &self.calendars[clock.calendar as usize].1);
        let end = clock.stopped_at.unwrap_or(as_of).min(as_of);
        let (elapsed, landing) = clock.elapsed_landing(&measure, end, clock.budget.unwrap_or(0))?;
        // A clock that never paused counted all the time since its start
        // (`elapsed` measured the same span, so it is not measured twice).
        let since =
            if clock.runs.is_empty() && clock.open == Some(clock.cycle_start) && end > clock.cycle_start {
                elapsed
            } else {
                measure.between(clock.cycle_start, end.max(clock.cycle_start))?
            };
        f.started_at = Some(clock.cycle_start);
        f.stopped_at = clock.stopped_at;
        f.elapsed = Some(elapsed);
        f.paused = Some(since - elapsed);
        let Some(budget) = clock.budget else {
            return Ok(());
        };
        f.budget = Some(budget);
        f.remaining = Some((budget - elapsed).max(0));
        let due = clock.land(&measure, landing)?;
        f.status = match clock.state {
            _ if late(due, clock.stopped_at.unwrap_or(as_of)) => Status::Breached,
            State::Stopped => Status::Met,
            State::Paused => Status::Paused,
            _ => Status::Running,
        };
        match f.status {
            Status::Met => f.met_by = Some(budget - elapsed),
            Status::Breached => f.breached_by = Some(elapsed - budget),
            _ => {}
        }
        if let Some(d) = due {
            if !printable_anywhere(d) {
                let what = || format!("the due instant of metric {}", self.policy.metrics()[m].id());
                self.zone().local_in_range(instant(d), what)?;
                if let Some(zone) = self.facts.customer_zone {
                    zone.local_in_range(instant(d), what)?;
                }
            }
        }
        f.due_at = due;
        Ok(())
    }

    fn metric_report(
        &self,
        m: usize,
        clock: &mut Clock,
        as_of: i64,
        warnings: &mut Vec<String>,
    ) -> Result<MetricReport> {
        let metric = &self.policy.metrics()[m];
        // The figures are the batch path's; the report adds what explains them.
        let f = self.figures(m, clock, as_of)?;
        let (kind, agreed, target) = match clock.state {
            State::NotApplicable => (clock.kind, clock.agreed, None),
            State::Pending => (
                self.kind(m),
                clock.agreement.is_some(),
                (f.status == Status::Pending)
                    .then(|| self.target_given(m, clock.agreement.as_deref()).0.into_owned()),
            ),
            _ => (
                clock.kind,
                clock.agreed,
                clock.budget.map(|_| clock.target.clone().into_owned()),
            ),
        };
        let seconds = |s: Option<i64>| s.map(TimeDelta::seconds);
        let mut r = MetricReport {
            metric: metric.id().to_string(),
            clock: kind,
            target,
            agreed,
            status: f.status,
            started_at: f.started_at.map(instant),
            due_at: f.due_at.map(instant),
            // `figures` checked the due instant prints in both zones.
            due_local: f.due_at.map(|d| self.zone().local(instant(d))),
            due_customer: f
                .due_at
                .and_then(|d| Some(self.facts.customer_zone?.local(instant(d)))),
            stopped_at: f.stopped_at.map(instant),
            budget: seconds(f.budget),
            elapsed: seconds(f.elapsed),
            paused: seconds(f.paused),
            remaining: seconds(f.remaining),
            met_by: seconds(f.met_by),
            breached_by: seconds(f.breached_by),
            warnings: Vec::new(),
            explanation: Vec::new(),
            cycles: CycleSummary::default(),
        };
        match clock.state {
            State::NotApplicable => {
                r.explanation.push(Note(Line::NotApplicable {
                    metric: metric.id().to_string(),
                    channel: self.channel_id().to_string(),
                }));
                return Ok(r);
            }
            State::Pending => {
                if f.status == Status::NoTarget {
                    r.explanation.push(Note(Line::NoTarget {
                        severity: self.severity_id().to_string(),
                        channel: self.channel_id().to_string(),
                    }));
                }
                let first = if metric.start_events().iter().any(|e| e == "responded") {
                    "the first response".to_string()
                } else {
                    format!("the first {}", metric.start_events().join(" or "))
                };
                r.explanation.push(Note(Line::NotStarted { first }));
                return Ok(r);
            }
            _ => {}
        }
        let measure = Measure::new(clock.kind, &self.calendars[clock.calendar as usize].1);
        let end = clock.stopped_at.unwrap_or(as_of).min(as_of);
        let elapsed = f.elapsed.unwrap_or(0);
        let mut explanation = self.opening_notes(clock)?;
        explanation.append(&mut clock.notes);
        r.explanation = explanation;
        let Some(budget) = clock.budget else {
            self.cycles(&mut r, clock);
            return Ok(r);
        };
        let due = f.due_at;
        let stopped = clock.state == State::Stopped;
        for &p in self.policy.options().warnings() {
            let x = ((p * budget as f64) - 1e-9).ceil().max(0.0) as i64;
            if stopped && elapsed < x {
                continue;
            }
            if let Some(at) = clock.reach(&measure, x)? {
                r.warnings.push(ThresholdCrossing {
                    threshold: p,
                    at: instant(at),
                });
            }
        }
        if let Measure::Business(calendar) = measure {
            let skipped = calendar.closed_between(clock.cycle_start, due.unwrap_or(end));
            if !skipped.is_empty() {
                let dates: Vec<_> = skipped.iter().map(|(d, _)| *d).collect();
                r.explanation.push(Note(Line::HolidaysSkipped(dates)));
                for (date, day) in skipped.iter().filter(|(_, day)| day.estimated) {
                    warnings.push(format!(
                        "{}: the due instant skips {date} ({}), an estimated holiday date not yet officially announced",
                        metric.id(),
                        day.name
                    ));
                }
            }
        }
        match due {
            Some(d) => r.explanation.push(Note(Line::Due {
                at: d,
                zone: self.zone(),
            })),
            None if stopped => r.explanation.push(Note(Line::NoDueStopped)),
            None => r.explanation.push(Note(Line::NoDue)),
        }
        self.cycles(&mut r, clock);
        Ok(r)
    }

    /// The opening lines of clock `m`'s current cycle: what started it,
    /// a start while closed, the budget and where it came from, a start in
    /// a pausing status.
    fn opening_notes(&self, clock: &Clock) -> Result<Vec<Note>> {
        let t = clock.cycle_start;
        let zone = self.zone();
        let mut notes = Vec::with_capacity(6 + clock.notes.len());
        let Some(o) = &clock.opening else {
            return Ok(notes);
        };
        if let Some(r) = self.terms.rule {
            let rule = &self.policy.rules()[r];
            notes.push(Note(Line::Rule(super::terms::why(
                self.policy,
                rule,
                &self.setting,
                &self.facts,
            ))));
        }
        if let Some(from) = o.fresh_from {
            notes.push(Note(Line::FreshClock {
                from: self.policy.severities()[from as usize].id().to_string(),
                to: self.policy.severities()[o.severity as usize].id().to_string(),
                at: t,
            }));
        }
        notes.push(Note(Line::Starts {
            kind: EVENT_KINDS[usize::from(o.cause)],
            at: t,
            zone,
        }));
        if let Measure::Business(c) = Measure::new(clock.kind, &self.calendars[clock.calendar as usize].1) {
            let open = c.next_open_s(t)?;
            if open > t {
                notes.push(Note(Line::ClosedThen { open, zone }));
            }
        }
        let ids = &self.policy.0.names;
        let severity = Arc::clone(&ids.severities[o.severity as usize]);
        let channel = Arc::clone(&ids.channels[self.ticket.channel]);
        let source = match (o.agreed, o.rule) {
            (true, _) => Source::Agreed,
            (false, Some(r)) => Source::Rule {
                rule: self.policy.rules()[r as usize].id().to_string(),
                severity,
                channel,
            },
            (false, None) => Source::Policy { severity, channel },
        };
        notes.push(Note(Line::Budget {
            source,
            target: o.target.clone().into_owned(),
            start: t,
            budget: o.budget,
        }));
        if let Some(standing) = o.paused {
            notes.push(Note(Line::Paused {
                at: t,
                status: self.standing_name(standing),
            }));
        }
        Ok(notes)
    }

    /// The cycle figures; a stopped clock's last cycle is the report's own.
    fn cycles(&self, r: &mut MetricReport, clock: &mut Clock) {
        let mut finished = std::mem::take(&mut clock.finished);
        if let (State::Stopped, Some(started_at), Some(stopped_at)) =
            (clock.state, r.started_at, r.stopped_at)
        {
            finished.push(CycleReport {
                started_at,
                stopped_at,
                due_at: r.due_at,
                status: r.status,
            });
        }
        r.cycles = CycleSummary::of(clock.cycles, finished);
    }
}
