//! Folding events into clocks: the ticket-level change comes from the
//! table in `rules`; every clock then reacts the same way, in three steps
//! that `Fold::apply` spells out: settle (pause or resume by the ticket's
//! new standing), the event's own effect, the lists.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::explain::{Line, Note, Why};
use crate::policy::{ClockKind, Cycles, OnReopen, Policy, Region, SeverityChange};
use crate::target::{Target, WrittenTarget};
use crate::zone::Zone;

use super::clock::{Clock, Measure, Opening, State};
use super::event::EventKind;
use super::rules::{self, Change, Effect, Standing, Step, TicketState, standing_bit};
use super::terms::{self, Cal, Facts, Setting, Source, Terms};

/// Most calendars one ticket may count in: each is up to a megabyte, and
/// a customer who changes zone at every event must not be able to ask for
/// thousands.
const MAX_CALENDARS: usize = 16;

/// What a fold allocates, kept from one ticket to the next by a batch:
/// the clocks (with their lists) and the calendar list.
#[derive(Default)]
pub(crate) struct Buffers<'p> {
    clocks: Vec<Clock<'p>>,
    calendars: Vec<(Source, Cal<'p>)>,
}

/// The state of a ticket while its events are folded.
pub(crate) struct Fold<'p> {
    pub(crate) policy: &'p Policy,
    pub(crate) region: &'p Region,
    pub(crate) ticket: TicketState,
    /// What rules read: severity, channel, attributes, customer zone.
    pub(crate) facts: Facts,
    /// What the creation fixed: region, date, target versions.
    pub(crate) setting: Setting,
    /// The rule and calendar in force now.
    pub(crate) terms: Terms<'p>,
    /// Every calendar the ticket has counted in, with where it came from;
    /// clocks name theirs by index.
    pub(crate) calendars: Vec<(Source, Cal<'p>)>,
    /// The index of the current calendar in `calendars`.
    current: u32,
    /// The last event changed the rule (for its clocks' reaction).
    rule_moved: bool,
    pub(crate) clocks: Vec<Clock<'p>>,
    pub(crate) warnings: Vec<String>,
    /// Keep the explanation (notes, finished cycles, warnings): false for
    /// the figures alone, which skips their text and calendar work.
    pub(crate) explain: bool,
}

impl<'p> Fold<'p> {
    /// The fold of a ticket created at `t` (seconds) by event `index`.
    pub(crate) fn new(
        policy: &'p Policy,
        region: usize,
        facts: Facts,
        t: i64,
        index: usize,
        explain: bool,
        buffers: Buffers<'p>,
    ) -> Result<Fold<'p>> {
        let bad = |e: terms::NoCustomerZone| Error::event(index, "created", e.0);
        let setting = Setting::new(policy, region, t, &facts).map_err(bad)?;
        let terms = terms::choose(policy, &setting, &facts)?.map_err(bad)?;
        let (severity, channel) = (facts.severity, facts.channel);
        let by_channel = policy.0.by_channel[channel];
        let Buffers {
            clocks,
            mut calendars,
        } = buffers;
        calendars.clear();
        calendars.push((terms.source, terms.calendar.clone()));
        let mut fold = Fold {
            policy,
            region: &policy.regions()[region],
            ticket: TicketState {
                standing: Standing::Open,
                resolved: false,
                closed: false,
                acknowledged: false,
                acknowledgeable: by_channel.acknowledgeable,
                severity,
                channel,
            },
            facts,
            setting,
            terms,
            calendars,
            current: 0,
            rule_moved: false,
            clocks,
            warnings: Vec::new(),
            explain,
        };
        let metrics = policy.metrics().len();
        fold.clocks.truncate(metrics);
        for m in 0..metrics {
            let (applies, kind) = (by_channel.applies(m), fold.kind(m));
            match fold.clocks.get_mut(m) {
                Some(clock) => clock.reset(applies, kind),
                None => fold.clocks.push(Clock::new(applies, kind)),
            }
        }
        Ok(fold)
    }

    /// What the fold allocated, for the next ticket's.
    pub(crate) fn take_buffers(&mut self) -> Buffers<'p> {
        Buffers {
            clocks: std::mem::take(&mut self.clocks),
            calendars: std::mem::take(&mut self.calendars),
        }
    }

    /// The index of the current calendar among `calendars`.
    fn current(&self) -> u32 {
        self.current
    }

    /// Chooses the rule and calendar again after the facts changed (event
    /// `index`); remembers whether the rule moved.
    fn rechoose(&mut self, index: usize, kind: &str) -> Result<()> {
        let terms = terms::choose(self.policy, &self.setting, &self.facts)?
            .map_err(|e| Error::event(index, kind, e.0))?;
        self.rule_moved = terms.rule != self.terms.rule;
        if terms.source != self.terms.source {
            self.current = match self.calendars.iter().position(|(s, _)| *s == terms.source) {
                Some(i) => i as u32,
                None if self.calendars.len() >= MAX_CALENDARS => {
                    return Err(Error::Limit {
                        what: "calendars one ticket counts in (customer zones and rule calendars)",
                        limit: MAX_CALENDARS as u64,
                        value: self.calendars.len() as u64 + 1,
                    });
                }
                None => {
                    self.calendars.push((terms.source, terms.calendar.clone()));
                    (self.calendars.len() - 1) as u32
                }
            };
        }
        self.terms = terms;
        Ok(())
    }

    /// Applies event number `index` (in input order), at second `t`.
    pub(crate) fn apply(&mut self, index: usize, event: &EventKind, t: i64) -> Result<()> {
        let clocks = &self.clocks;
        let applies = |m: usize| clocks[m].state != State::NotApplicable;
        let change = match rules::step(self.policy, &self.ticket, &self.facts, applies, event) {
            Step::Ignore(why) => {
                if self.explain {
                    let kind = event.name();
                    let why = why.text(self.policy, self.ticket.channel);
                    self.warnings
                        .push(format!("event {index} ({kind}) ignored: {why}"));
                }
                return Ok(());
            }
            Step::Apply(change) => change,
        };
        let before = self.ticket.severity;
        self.ticket.resolved |= change.resolves;
        if let Some(standing) = change.standing {
            self.ticket.standing = standing;
        }
        self.rule_moved = false;
        match &change.effect {
            Effect::Acknowledge => self.ticket.acknowledged = true,
            Effect::Severity(s) => {
                self.ticket.severity = *s;
                self.facts.severity = *s;
                self.rechoose(index, event.name())?;
            }
            Effect::Facts(facts) => {
                self.facts = (**facts).clone();
                self.rechoose(index, event.name())?;
            }
            Effect::Reopen => self.ticket.resolved = false,
            Effect::Close => self.ticket.closed = true,
            Effect::None | Effect::Agree { .. } => {}
        }
        // The clocks that apply to the ticket's channel; of those, when the
        // event changes neither the standing nor the clocks, the ones whose
        // lists name it (most events touch few clocks).
        let applying = self.policy.0.by_channel[self.ticket.channel].metrics();
        let quiet = change.standing.is_none() && !change.effect.touches_clocks();
        let mut visit = if quiet {
            applying & self.policy.0.listening(change.fires)
        } else {
            applying
        };
        while visit != 0 {
            let m = visit.trailing_zeros() as usize;
            visit &= visit - 1;
            debug_assert!(self.clocks[m].state != State::NotApplicable);
            self.settle(m, t, &change, event);
            if change.effect.touches_clocks() {
                self.effect(m, t, &change.effect, before)?;
            }
            self.lists(m, t, &change, event)?;
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
        let policy: &'p Policy = self.policy;
        let lists = &policy.metrics()[m].lists;
        let pause = self.pauses(m, standing);
        match self.clocks[m].state {
            State::Running if pause => {
                self.clocks[m].pause(t);
                if self.explain {
                    let status = self.standing_name(standing);
                    self.clocks[m].notes.push(Note(Line::Paused { at: t, status }));
                }
            }
            State::Paused if !pause => {
                if change.resolves && lists.stop.meets(change.fires) {
                    return;
                }
                self.clocks[m].resume(t);
                if !self.explain {
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
                self.clocks[m].notes.push(Note(Line::Resumed { at: t, why }));
            }
            _ => {}
        }
    }

    /// Step 2: the event's own effect on clock `m`.
    fn effect(&mut self, m: usize, t: i64, effect: &Effect, before: usize) -> Result<()> {
        let state = self.clocks[m].state;
        let active = self.clocks[m].is_active();
        match effect {
            // A new severity, or new facts that change the rule or the
            // calendar: the clock takes its new target and kind (unless
            // agreed) and counts in the new calendar, by `severity_change`.
            Effect::Severity(_) | Effect::Facts(_) if active => {
                let severity = matches!(effect, Effect::Severity(_));
                // A new rule matters to the clocks whose target or kind it
                // changes (a severity change keeps its own behaviour).
                let retarget = self.clocks[m].agreement.is_none()
                    && (severity
                        || (self.rule_moved
                            && (self.target(m) != self.clocks[m].target
                                || self.kind(m) != self.clocks[m].kind)));
                let moved = self.clocks[m].calendar != self.current();
                if !retarget && !moved {
                    return Ok(());
                }
                let why = self.explain.then(|| {
                    if severity {
                        Why::Severity {
                            from: self.policy.severities()[before].id().to_string(),
                            to: self.severity_id().to_string(),
                            at: t,
                        }
                    } else {
                        Why::Rule {
                            rule: self.terms.rule.map(|r| self.policy.rules()[r].id().to_string()),
                            at: t,
                        }
                    }
                });
                if retarget && self.policy.options().severity_change() == SeverityChange::Restart {
                    self.end_cycle(m, t)?;
                    let cause = if severity {
                        EventKind::SeverityChanged {
                            severity: String::new(),
                        }
                    } else {
                        EventKind::AttributesChanged {
                            attributes: Default::default(),
                            customer_zone: None,
                        }
                    };
                    self.start(m, t, &cause)?;
                    if let Some(o) = &mut self.clocks[m].opening {
                        if severity {
                            o.fresh_from = Some(before as u16);
                        }
                    }
                } else {
                    if retarget {
                        self.clocks[m].kind = self.kind(m);
                    }
                    self.clocks[m].calendar = self.current();
                    self.recompute(m, why)?;
                }
            }
            Effect::Agree { metric, target } if *metric == m => {
                self.clocks[m].agreement = Some(target.clone());
                // A pending clock reads the agreement when it starts; a
                // stopped one if it runs again (a reopened resolution).
                if active {
                    self.recompute(m, Some(Why::Agreed { at: t }))?;
                }
            }
            Effect::Reopen if state == State::Stopped => match self.policy.metrics()[m].on_reopen() {
                OnReopen::Resume => {
                    // A stopped clock keeps its kind until it resumes; an
                    // agreed one keeps it for good.
                    let kind = if self.clocks[m].agreement.is_some() {
                        self.clocks[m].kind
                    } else {
                        self.kind(m)
                    };
                    let current = self.current();
                    let changed = self.target(m) != self.clocks[m].target
                        || kind != self.clocks[m].kind
                        || current != self.clocks[m].calendar;
                    let clock = &mut self.clocks[m];
                    clock.reopen(t);
                    if self.explain {
                        clock.notes.push(Note(Line::Reopened { at: t }));
                    }
                    if changed {
                        clock.kind = kind;
                        clock.calendar = current;
                        self.recompute(m, Some(Why::ChangedWhileResolved { at: t }))?;
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
        let policy: &'p Policy = self.policy;
        let metric = &policy.metrics()[m];
        let lists = &metric.lists;
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

    /// What clock `m` counts, in its kind and calendar.
    pub(crate) fn measure(&self, m: usize) -> Measure<'_> {
        Measure::new(
            self.clocks[m].kind,
            &self.calendars[self.clocks[m].calendar as usize].1,
        )
    }

    pub(crate) fn severity_id(&self) -> &str {
        self.policy.severities()[self.ticket.severity].id()
    }

    pub(crate) fn channel_id(&self) -> &str {
        self.policy.channels()[self.ticket.channel].id()
    }

    /// The zone of the calendar the ticket counts in now.
    pub(crate) fn zone(&self) -> Zone {
        self.terms.calendar.zone()
    }

    /// The target metric `m` has now: agreed, else the rule's, else the
    /// policy's (in the version in force at creation).
    pub(crate) fn target(&self, m: usize) -> Cow<'p, WrittenTarget> {
        self.target_from(m).0
    }

    /// True if metric `m`, with `agreement` (its clock's), has a target now
    /// (as `target`, without the copy).
    pub(crate) fn has_target(&self, m: usize, agreement: Option<&WrittenTarget>) -> bool {
        match agreement {
            Some(target) => target.value() != Target::None,
            None => self.written(m).0.is_some_and(|t| t.value() != Target::None),
        }
    }

    /// The target of metric `m` and the rule it comes from, if a rule's;
    /// borrowed from the policy unless agreed.
    pub(crate) fn target_from(&self, m: usize) -> (Cow<'p, WrittenTarget>, Option<usize>) {
        self.target_given(m, self.clocks[m].agreement.as_deref())
    }

    /// As `target_from`, with `agreement` for the clock's (a report reads
    /// clocks taken out of the fold).
    pub(crate) fn target_given(
        &self,
        m: usize,
        agreement: Option<&WrittenTarget>,
    ) -> (Cow<'p, WrittenTarget>, Option<usize>) {
        if let Some(target) = agreement {
            return (Cow::Owned(target.clone()), None);
        }
        let (target, rule) = self.written(m);
        (
            Cow::Borrowed(target.unwrap_or_else(|| WrittenTarget::none_ref())),
            rule,
        )
    }

    /// The policy's target of metric `m` for the ticket now: the rule's
    /// cell, else the metric's; `None` for a cell left empty.
    fn written(&self, m: usize) -> (Option<&'p WrittenTarget>, Option<usize>) {
        let policy: &'p Policy = self.policy;
        let (s, c) = (self.ticket.severity, self.ticket.channel);
        if let Some(r) = self.terms.rule {
            let cell = policy.rules()[r].metrics[m]
                .as_ref()
                .and_then(|o| o.grid.get(s)?.get(c)?.as_ref());
            if cell.is_some() {
                return (cell, Some(r));
            }
        }
        let target = policy.metrics()[m].target_in(self.setting.target_version(m), s, c);
        (target, None)
    }

    /// The clock kind a cycle of metric `m` starting now takes: the
    /// rule's for the current severity, else the metric's.
    pub(crate) fn kind(&self, m: usize) -> ClockKind {
        let s = self.ticket.severity;
        self.terms
            .rule
            .and_then(|r| {
                self.policy.rules()[r].metrics[m]
                    .as_ref()?
                    .clocks
                    .as_ref()?
                    .get(s)
                    .copied()
            })
            .unwrap_or_else(|| self.policy.metrics()[m].clock_at(s))
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
        let (target, rule) = self.target_from(m);
        self.clocks[m].kind = self.kind(m);
        self.clocks[m].calendar = self.current();
        let measure = self.measure(m);
        let budget = measure.budget(target.value(), t, self.policy.options().day_mode())?;
        let paused = self.pauses(m, self.ticket.standing);
        let agreed = self.clocks[m].agreement.is_some();
        let clock = &mut self.clocks[m];
        clock.start_cycle(t, paused);
        clock.budget = budget;
        clock.agreed = agreed;
        if !self.explain {
            clock.target = target;
            return Ok(());
        }
        clock.target = target.clone();
        clock.opening = Some(Opening {
            cause: kind.bit() as u8,
            target,
            budget,
            agreed,
            severity: self.ticket.severity as u16,
            paused: paused.then_some(self.ticket.standing),
            fresh_from: None,
            rule: rule.map(|r| r as u16),
        });
        Ok(())
    }

    /// Re-reads clock `m`'s target from its cycle start, for `why` (none
    /// when not explaining).
    fn recompute(&mut self, m: usize, why: Option<Why>) -> Result<()> {
        let target = self.target(m);
        let start = self.clocks[m].cycle_start;
        let budget = self
            .measure(m)
            .budget(target.value(), start, self.policy.options().day_mode())?;
        let agreed = self.clocks[m].agreement.is_some();
        let clock = &mut self.clocks[m];
        clock.target = target.clone();
        clock.budget = budget;
        clock.agreed = agreed;
        if let Some(why) = why {
            clock.notes.push(Note(Line::Recomputed {
                why,
                target: target.into_owned(),
                start,
                budget,
            }));
        }
        Ok(())
    }

    fn stop(&mut self, m: usize, t: i64, reason: &'static str) {
        let clock = &mut self.clocks[m];
        clock.stop(t);
        if self.explain {
            clock.notes.push(Note(Line::Stopped { at: t, reason }));
        }
    }

    /// Records clock `m`'s current cycle as ended at `t` by a new one (the
    /// record is kept only when explaining).
    fn end_cycle(&mut self, m: usize, t: i64) -> Result<()> {
        let clock = &mut self.clocks[m];
        let measure = Measure::new(clock.kind, &self.calendars[clock.calendar as usize].1);
        clock.end_cycle(&measure, t, self.explain)
    }
}
