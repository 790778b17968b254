//! Folding events into clocks: the ticket-level change comes from the
//! table in `rules`; every clock then reacts the same way, in three steps
//! that `Fold::apply` spells out: settle (pause or resume by the ticket's
//! new standing), the event's own effect, the lists.

use std::borrow::Cow;

use crate::error::Result;
use crate::explain::{Line, Note, Why};
use crate::policy::{ClockKind, Cycles, OnReopen, Policy, Region, SeverityChange, Triggers};
use crate::target::WrittenTarget;
use crate::zone::Zone;

use super::clock::{Clock, Measure, Opening, State};
use super::event::{Event, EventKind};
use super::rules::{self, Change, Effect, Standing, Step, TicketState, standing_bit};

/// The state of a ticket while its events are folded.
pub(crate) struct Fold<'p> {
    pub(crate) policy: &'p Policy,
    pub(crate) region: &'p Region,
    pub(crate) ticket: TicketState,
    /// Per metric: the agreed target.
    pub(crate) agreed: Vec<Option<WrittenTarget>>,
    pub(crate) clocks: Vec<Clock>,
    pub(crate) warnings: Vec<String>,
}

impl<'p> Fold<'p> {
    pub(crate) fn new(policy: &'p Policy, region: &'p Region, severity: usize, channel: usize) -> Fold<'p> {
        let channel_id = policy.channels()[channel].id();
        let clocks: Vec<Clock> = policy
            .metrics()
            .iter()
            .map(|m| Clock::new(m.applies_to(channel_id), m.clock_at(severity)))
            .collect();
        let acknowledged = Triggers::bit(EventKind::Acknowledged.bit());
        let acknowledgeable = policy
            .metrics()
            .iter()
            .zip(&clocks)
            .any(|(m, c)| c.state != State::NotApplicable && m.lists.all().meets(acknowledged));
        Fold {
            policy,
            region,
            ticket: TicketState {
                standing: Standing::Open,
                resolved: false,
                closed: false,
                acknowledged: false,
                acknowledgeable,
                severity,
                channel,
            },
            agreed: vec![None; policy.metrics().len()],
            clocks,
            warnings: Vec::new(),
        }
    }

    /// Applies event number `index` (in input order).
    pub(crate) fn apply(&mut self, index: usize, event: &Event) -> Result<()> {
        let clocks = &self.clocks;
        let applies = |m: usize| clocks[m].state != State::NotApplicable;
        let change = match rules::step(self.policy, &self.ticket, applies, event) {
            Step::Ignore(why) => {
                let kind = event.kind.name();
                self.warnings
                    .push(format!("event {index} ({kind}) ignored: {why}"));
                return Ok(());
            }
            Step::Apply(change) => change,
        };
        let t = event.at.timestamp();
        let before = self.ticket.severity;
        self.ticket.resolved |= change.resolves;
        if let Some(standing) = change.standing {
            self.ticket.standing = standing;
        }
        match change.effect {
            Effect::Acknowledge => self.ticket.acknowledged = true,
            Effect::Severity(s) => self.ticket.severity = s,
            Effect::Reopen => self.ticket.resolved = false,
            Effect::Close => self.ticket.closed = true,
            Effect::None | Effect::Agree { .. } => {}
        }
        // Most events touch few clocks: skip those with nothing to do.
        let quiet = change.standing.is_none() && !change.effect.touches_clocks();
        for m in 0..self.clocks.len() {
            if self.clocks[m].state == State::NotApplicable
                || (quiet && !self.policy.metrics()[m].lists.all().meets(change.fires))
            {
                continue;
            }
            self.settle(m, t, &change, &event.kind);
            if change.effect.touches_clocks() {
                self.effect(m, t, &change.effect, before)?;
            }
            self.lists(m, t, &change, &event.kind)?;
        }
        Ok(())
    }

    /// Step 1: a running clock pauses in a status its metric lists in
    /// `pause_in`; a paused one resumes out of it, except that a
    /// resolution stops, rather than resumes, the clocks it stops.
    fn settle(&mut self, m: usize, t: i64, change: &Change, kind: &EventKind) {
        let Some(standing) = change.standing else {
            return;
        };
        let lists = self.policy.metrics()[m].lists;
        let pause = self.pauses(m, standing);
        match self.clocks[m].state {
            State::Running if pause => {
                let status = self.standing_name(standing);
                let clock = &mut self.clocks[m];
                clock.pause(t);
                clock.notes.push(Note(Line::Paused { at: t, status }));
            }
            State::Paused if !pause => {
                if change.resolves && lists.stop.meets(change.fires) {
                    return;
                }
                let why = match kind {
                    EventKind::CustomerReplied => Cow::Borrowed("customer replied"),
                    EventKind::Resolved => Cow::Borrowed("resolved"),
                    EventKind::Closed => Cow::Borrowed("closed"),
                    EventKind::WaitingOnCustomer => Cow::Borrowed("status waiting_on_customer"),
                    EventKind::StatusChanged { status } => Cow::Owned(format!("status {status}")),
                    other => Cow::Borrowed(other.name()),
                };
                let clock = &mut self.clocks[m];
                clock.resume(t);
                clock.notes.push(Note(Line::Resumed { at: t, why }));
            }
            _ => {}
        }
    }

    /// Step 2: the event's own effect on clock `m`.
    fn effect(&mut self, m: usize, t: i64, effect: &Effect, before: usize) -> Result<()> {
        let state = self.clocks[m].state;
        let active = self.clocks[m].is_active();
        match effect {
            Effect::Severity(_) if active && self.agreed[m].is_none() => {
                if self.policy.options().severity_change() == SeverityChange::Restart {
                    self.end_cycle(m, t)?;
                    self.start(
                        m,
                        t,
                        &EventKind::SeverityChanged {
                            severity: String::new(),
                        },
                    )?;
                    if let Some(o) = &mut self.clocks[m].opening {
                        o.fresh_from = Some(before as u32);
                    }
                } else {
                    let from = self.policy.severities()[before].id().to_string();
                    let to = self.severity_id().to_string();
                    self.clocks[m].kind = self.policy.metrics()[m].clock_at(self.ticket.severity);
                    self.recompute(m, Why::Severity { from, to, at: t })?;
                }
            }
            Effect::Agree { metric, target } if *metric == m => {
                self.agreed[m] = Some(target.clone());
                // A pending clock reads the agreement when it starts; a
                // stopped one if it runs again (a reopened resolution).
                if active {
                    self.recompute(m, Why::Agreed { at: t })?;
                }
            }
            Effect::Reopen if state == State::Stopped => match self.policy.metrics()[m].on_reopen() {
                OnReopen::Resume => {
                    // A stopped clock keeps its kind until it resumes; an
                    // agreed one keeps it for good.
                    let kind = if self.agreed[m].is_some() {
                        self.clocks[m].kind
                    } else {
                        self.kind(m)
                    };
                    let changed = self.target(m) != self.clocks[m].target || kind != self.clocks[m].kind;
                    let clock = &mut self.clocks[m];
                    clock.reopen(t);
                    clock.notes.push(Note(Line::Reopened { at: t }));
                    if changed {
                        clock.kind = kind;
                        self.recompute(m, Why::ChangedWhileResolved { at: t })?;
                    }
                }
                OnReopen::NewCycle => self.start(m, t, &EventKind::Reopened)?,
                OnReopen::Nothing => {}
            },
            _ => {}
        }
        Ok(())
    }

    /// Step 3: the metric's lists. A counting clock stops on `stop`, else
    /// starts a new cycle on `restart`; a clock not started yet (or stopped,
    /// if it repeats) starts on `start`.
    fn lists(&mut self, m: usize, t: i64, change: &Change, kind: &EventKind) -> Result<()> {
        let metric = &self.policy.metrics()[m];
        let lists = metric.lists;
        let fires = change.fires;
        let repeat = metric.cycles() == Cycles::Repeat;
        match self.clocks[m].state {
            State::Running | State::Paused if lists.stop.meets(fires) => {
                let reason = match (kind, repeat) {
                    (EventKind::Responded, false) => "first response",
                    (EventKind::Updated, false) => "first update",
                    (other, _) => other.name(),
                };
                self.stop(m, t, reason);
            }
            State::Running | State::Paused if change.begins && lists.restart.meets(fires) => {
                self.end_cycle(m, t)?;
                self.start(m, t, kind)?;
            }
            State::Pending if change.begins && lists.start.meets(fires) => self.start(m, t, kind)?,
            State::Stopped if repeat && change.begins && lists.start.meets(fires) => {
                self.start(m, t, kind)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// What clock `m` counts, in its kind.
    pub(crate) fn measure(&self, m: usize) -> Measure<'p> {
        Measure::new(self.clocks[m].kind, self.region.calendar())
    }

    pub(crate) fn severity_id(&self) -> &str {
        self.policy.severities()[self.ticket.severity].id()
    }

    pub(crate) fn channel_id(&self) -> &str {
        self.policy.channels()[self.ticket.channel].id()
    }

    pub(crate) fn zone(&self) -> Zone {
        self.region.calendar().zone()
    }

    /// The target metric `m` has now: agreed, else the policy's.
    pub(crate) fn target(&self, m: usize) -> WrittenTarget {
        match &self.agreed[m] {
            Some(target) => target.clone(),
            None => self.policy.metrics()[m]
                .target_at(self.ticket.severity, self.ticket.channel)
                .cloned()
                .unwrap_or_else(WrittenTarget::none),
        }
    }

    /// The clock kind a cycle of metric `m` starting now takes: the
    /// current severity's.
    pub(crate) fn kind(&self, m: usize) -> ClockKind {
        self.policy.metrics()[m].clock_at(self.ticket.severity)
    }

    /// True if metric `m` does not count while the ticket stands so.
    fn pauses(&self, m: usize, standing: Standing) -> bool {
        standing_bit(standing).is_some_and(|b| self.policy.metrics()[m].lists.pause_in.has(b))
    }

    pub(crate) fn standing_name(&self, standing: Standing) -> Cow<'static, str> {
        match standing {
            Standing::Open => Cow::Borrowed("open"),
            Standing::Waiting => Cow::Borrowed("waiting on customer"),
            Standing::Custom(j) => Cow::Owned(self.policy.statuses()[j as usize].name().to_string()),
        }
    }

    /// Starts a new cycle of clock `m` at `t`, caused by event `kind`.
    fn start(&mut self, m: usize, t: i64, kind: &EventKind) -> Result<()> {
        if self.clocks[m].state == State::Stopped {
            self.end_cycle(m, t)?;
        }
        let target = self.target(m);
        self.clocks[m].kind = self.kind(m);
        let measure = self.measure(m);
        let budget = measure.budget(target.value(), t, self.policy.options().day_mode())?;
        let paused = self.pauses(m, self.ticket.standing);
        let agreed = self.agreed[m].is_some();
        let clock = &mut self.clocks[m];
        clock.start_cycle(t, paused);
        clock.target = target.clone();
        clock.budget = budget;
        clock.agreed = agreed;
        clock.opening = Some(Opening {
            cause: kind.bit() as u8,
            target,
            budget,
            agreed,
            severity: self.ticket.severity as u32,
            paused: paused.then_some(self.ticket.standing),
            fresh_from: None,
        });
        Ok(())
    }

    /// Re-reads clock `m`'s target from its cycle start, for `why`.
    fn recompute(&mut self, m: usize, why: Why) -> Result<()> {
        let target = self.target(m);
        let start = self.clocks[m].cycle_start;
        let budget = self
            .measure(m)
            .budget(target.value(), start, self.policy.options().day_mode())?;
        let agreed = self.agreed[m].is_some();
        let clock = &mut self.clocks[m];
        clock.target = target.clone();
        clock.budget = budget;
        clock.agreed = agreed;
        clock.notes.push(Note(Line::Recomputed {
            why,
            target,
            start,
            budget,
        }));
        Ok(())
    }

    fn stop(&mut self, m: usize, t: i64, reason: &'static str) {
        let clock = &mut self.clocks[m];
        clock.stop(t);
        clock.notes.push(Note(Line::Stopped { at: t, reason }));
    }

    /// Records clock `m`'s current cycle as ended at `t` by a new one.
    fn end_cycle(&mut self, m: usize, t: i64) -> Result<()> {
        let measure = self.measure(m);
        self.clocks[m].end_cycle(&measure, t)
    }
}
