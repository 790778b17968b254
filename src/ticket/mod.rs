//! The ticket engine: fold a ticket's events into a report (SPEC 5-7).
//!
//! Pure: no clock, no I/O. Events are validated on the way in (naming
//! their index and kind), ordered by instant, and folded into one clock
//! per metric; the report is read off the clocks at `as_of`.

mod clock;
mod event;

use chrono::{DateTime, Utc};

use crate::calendar::rfc3339;
use crate::error::{Error, Location, Result};
use crate::explain::{Line, Note, Source, Why};
use crate::policy::{ClockKind, OnReopen, Policy, Region, SeverityChange};
use crate::report::{MetricReport, Report, Status, ThresholdCrossing};
use crate::target::Target;
use crate::zone::{Zone, checked_instant, whole_second};

pub(crate) use self::event::EVENT_NAMES;
pub use self::event::{Event, EventKind};

use self::clock::{Clock, Measure, State};

/// Most events one ticket may hold: keeps a report's cost bounded.
pub(crate) const MAX_EVENTS: usize = 10_000;

/// A ticket being tracked: open it in a region, apply events as they come
/// (in any order), and ask for its report as of any instant.
///
/// # Example
/// ```
/// use sla_deadline::{Event, EventKind, Policy, Status, Ticket};
///
/// let policy = Policy::builtin("ol-care")?;
/// let mut ticket = Ticket::open(&policy, "americas")?;
/// ticket.apply(Event::new(
///     "2026-11-20T16:30:00-05:00".parse().unwrap(),
///     EventKind::Created { severity: "P1".into(), channel: "phone".into() },
/// ))?;
/// let report = ticket.report(None)?;
/// let first_response = &report.metrics[1];
/// assert_eq!(first_response.metric, "first_response");
/// assert_eq!(first_response.status, Status::Running);
/// assert_eq!(first_response.due_local.unwrap().to_rfc3339(), "2026-11-20T18:30:00-05:00");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ticket<'p> {
    policy: &'p Policy,
    region: &'p Region,
    events: Vec<Event>,
}

impl<'p> Ticket<'p> {
    /// A ticket with no events yet, in `region` of `policy`.
    ///
    /// # Errors
    /// An unknown region.
    pub fn open(policy: &'p Policy, region: &str) -> Result<Ticket<'p>> {
        Ok(Ticket {
            policy,
            region: policy.region(region)?,
            events: Vec::new(),
        })
    }

    /// Records one event (it may be older than events already applied).
    ///
    /// # Errors
    /// An event that names an unknown severity, channel or metric, carries a
    /// malformed target, or is one too many; the error names its index.
    pub fn apply(&mut self, event: Event) -> Result<()> {
        let index = self.events.len();
        if index >= MAX_EVENTS {
            return Err(Error::Limit {
                what: "events per ticket",
                limit: MAX_EVENTS as u64,
                value: index as u64 + 1,
            });
        }
        check_event(self.policy, index, &event)?;
        self.events.push(event);
        Ok(())
    }

    /// The events applied so far, in the order given.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The report as of `as_of` (default: the latest event's instant).
    ///
    /// # Errors
    /// No `created` event, an event before `created`, a second `created`,
    /// `as_of` before `created`, or a computation outside the region
    /// calendar's horizon.
    pub fn report(&self, as_of: Option<DateTime<Utc>>) -> Result<Report> {
        fold(self.policy, self.region, &self.events, as_of)
    }
}

/// The report of a ticket given all its events at once (SPEC 5-7).
///
/// # Errors
/// As [`Ticket::apply`] and [`Ticket::report`].
///
/// # Example
/// ```
/// use sla_deadline::{evaluate, Event, Policy};
///
/// let policy = Policy::builtin("ol-care")?;
/// let events: Vec<Event> = serde_json::from_str(r#"[
///   {"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"},
///   {"at": "2026-11-24T10:00:00-05:00", "type": "waiting_on_customer"},
///   {"at": "2026-11-25T15:00:00-05:00", "type": "customer_replied"}
/// ]"#).unwrap();
/// let report = evaluate(&policy, "americas", &events, None)?;
/// let resolution = report.metrics.iter().find(|m| m.metric == "resolution").unwrap();
/// assert_eq!(resolution.due_local.unwrap().to_rfc3339(), "2026-11-27T14:00:00-05:00");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
pub fn evaluate(
    policy: &Policy,
    region: &str,
    events: &[Event],
    as_of: Option<DateTime<Utc>>,
) -> Result<Report> {
    if events.len() > MAX_EVENTS {
        return Err(Error::Limit {
            what: "events per ticket",
            limit: MAX_EVENTS as u64,
            value: events.len() as u64,
        });
    }
    let region = policy.region(region)?;
    for (index, event) in events.iter().enumerate() {
        check_event(policy, index, event)?;
    }
    fold(policy, region, events, as_of)
}

/// Checks what can be checked of one event on its own.
fn check_event(policy: &Policy, index: usize, event: &Event) -> Result<()> {
    let kind = event.kind.name();
    let bad = |message: String| Error::event(index, kind, message);
    // Events built in code (not read) may lie outside years 0000-9999.
    checked_instant(event.at.timestamp(), "at").map_err(|e| bad(e.to_string()))?;
    match &event.kind {
        EventKind::Created { severity, channel } => {
            policy.severity(severity).map_err(|e| bad(e.to_string()))?;
            policy.channel(channel).map_err(|e| bad(e.to_string()))?;
        }
        EventKind::SeverityChanged { severity } => {
            policy.severity(severity).map_err(|e| bad(e.to_string()))?;
        }
        EventKind::TargetAgreed { metric, target } => {
            let m = policy.metric(metric).map_err(|e| bad(e.to_string()))?;
            let t = Target::parse_at(target, || Location::new("target", "")).map_err(|e| match e {
                Error::Invalid { message, .. } => bad(message),
                other => bad(other.to_string()),
            })?;
            if m.clock() == ClockKind::Calendar && matches!(t, Target::BusinessDays(_)) {
                return Err(bad(format!(
                    "target {target:?} counts business days but metric {metric} runs on a calendar clock: expected a duration such as \"30m\""
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Stable order by instant, `created` first among events at its instant.
fn ordered(events: &[Event]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| {
        (
            secs(events[i].at),
            !matches!(events[i].kind, EventKind::Created { .. }),
        )
    });
    order
}

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn instant(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The state of a ticket while its events are folded.
struct Fold<'p> {
    policy: &'p Policy,
    region: &'p Region,
    severity: usize,
    channel: usize,
    waiting: bool,
    resolved: bool,
    closed: bool,
    acknowledged: bool,
    agreed: Vec<Option<Target>>,
    clocks: Vec<Clock>,
    warnings: Vec<String>,
}

fn fold(policy: &Policy, region: &Region, events: &[Event], as_of: Option<DateTime<Utc>>) -> Result<Report> {
    // Whole seconds in years 0000-9999, as events are read.
    let as_of = as_of.map(|t| whole_second(t, "as_of")).transpose()?;
    let order = ordered(events);
    let Some(&first) = order.first() else {
        return Err(Error::invalid(
            Location::new("ticket", "events"),
            "no events: expected a created event first",
        ));
    };
    let EventKind::Created { severity, channel } = &events[first].kind else {
        return Err(Error::event(
            first,
            events[first].kind.name(),
            format!(
                "at {} comes before the ticket is created: expected a created event first",
                rfc3339(secs(events[first].at))
            ),
        ));
    };
    let created_at = events[first].at;
    let as_of = as_of.unwrap_or_else(|| order.last().map_or(created_at, |&i| events[i].at));
    if as_of < created_at {
        return Err(Error::invalid(
            Location::new("ticket", "as_of"),
            format!(
                "{} is before the ticket was created ({}): expected an instant at or after it",
                rfc3339(secs(as_of)),
                rfc3339(secs(created_at))
            ),
        ));
    }
    let severity = policy.severity_index(severity).unwrap_or(0);
    let channel_id = channel.as_str();
    let channel = policy.channel_index(channel).unwrap_or(0);
    let mut f = Fold {
        policy,
        region,
        severity,
        channel,
        waiting: false,
        resolved: false,
        closed: false,
        acknowledged: false,
        agreed: vec![None; policy.metrics().len()],
        clocks: policy
            .metrics()
            .iter()
            .map(|m| Clock::new(m.applies_to(channel_id)))
            .collect(),
        warnings: Vec::new(),
    };
    for (n, &i) in order.iter().enumerate() {
        let event = &events[i];
        if n > 0 && matches!(event.kind, EventKind::Created { .. }) {
            return Err(Error::event(
                i,
                "created",
                "a second created event: expected one per ticket",
            ));
        }
        if secs(event.at) > secs(as_of) {
            continue;
        }
        f.apply(i, event)?;
    }
    f.report(secs(as_of))
}

impl Fold<'_> {
    fn measure(&self, m: usize) -> Measure<'_> {
        Measure::new(self.policy.metrics()[m].clock(), self.region.calendar())
    }

    fn ignore(&mut self, index: usize, kind: &str, why: &str) {
        self.warnings
            .push(format!("event {index} ({kind}) ignored: {why}"));
    }

    fn severity_id(&self) -> &str {
        self.policy.severities()[self.severity].id()
    }

    fn channel_id(&self) -> &str {
        self.policy.channels()[self.channel].id()
    }

    /// The target metric `m` has now: agreed, else the policy's.
    fn target(&self, m: usize) -> Target {
        self.agreed[m]
            .or_else(|| self.policy.metrics()[m].target_at(self.severity, self.channel))
            .unwrap_or(Target::None)
    }

    fn zone(&self) -> Zone {
        self.region.calendar().zone()
    }

    /// Starts a new cycle of clock `m` at `t`, caused by event `kind`.
    fn start(&mut self, m: usize, t: i64, kind: &'static str) -> Result<()> {
        let target = self.target(m);
        let measure = self.measure(m);
        let budget = measure.budget(target, t, self.policy.options().day_mode())?;
        let zone = self.zone();
        let mut notes = vec![Note(Line::Starts { kind, at: t, zone })];
        if let Measure::Business(c) = measure {
            let open = c.next_open_s(t)?;
            if open > t {
                notes.push(Note(Line::ClosedThen { open, zone }));
            }
        }
        let source = if self.agreed[m].is_some() {
            Source::Agreed
        } else {
            Source::Policy {
                severity: self.severity_id().to_string(),
                channel: self.channel_id().to_string(),
            }
        };
        notes.push(Note(Line::Budget {
            source,
            target,
            start: t,
            budget,
        }));
        let waiting = self.waiting && self.policy.metrics()[m].pauses();
        if waiting {
            notes.push(Note(Line::Paused { at: t }));
        }
        let clock = &mut self.clocks[m];
        clock.start_cycle(t, waiting);
        clock.target = target;
        clock.budget = budget;
        clock.agreed = self.agreed[m].is_some();
        clock.notes = notes;
        Ok(())
    }

    /// Re-reads clock `m`'s target from its cycle start, for `why`.
    fn recompute(&mut self, m: usize, why: Why) -> Result<()> {
        let target = self.target(m);
        let start = self.clocks[m].cycle_start;
        let budget = self
            .measure(m)
            .budget(target, start, self.policy.options().day_mode())?;
        let clock = &mut self.clocks[m];
        clock.target = target;
        clock.budget = budget;
        clock.agreed = self.agreed[m].is_some();
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

    fn resolve(&mut self, t: i64, reason: &'static str) {
        self.waiting = false;
        self.resolved = true;
        for m in 0..self.clocks.len() {
            if self.clocks[m].is_active() && self.policy.metrics()[m].stops_on("resolved") {
                self.stop(m, t, reason);
            }
        }
    }

    fn apply(&mut self, index: usize, event: &Event) -> Result<()> {
        let t = secs(event.at);
        let kind = event.kind.name();
        if self.closed {
            self.ignore(index, kind, "the ticket is closed");
            return Ok(());
        }
        match &event.kind {
            EventKind::Created { .. } => {
                for m in 0..self.clocks.len() {
                    if self.clocks[m].state == State::Pending && self.policy.metrics()[m].starts_on(kind) {
                        self.start(m, t, kind)?;
                    }
                }
            }
            EventKind::Acknowledged => {
                let any = (0..self.clocks.len()).any(|m| {
                    self.clocks[m].state != State::NotApplicable && self.policy.metrics()[m].stops_on(kind)
                });
                if self.acknowledged {
                    self.ignore(index, kind, "the ticket was already acknowledged");
                } else if !any {
                    self.ignore(
                        index,
                        kind,
                        &format!("channel {} has no acknowledgement", self.channel_id()),
                    );
                } else {
                    self.acknowledged = true;
                    self.step(t, kind, "acknowledged")?;
                }
            }
            EventKind::Responded | EventKind::Updated => {
                // While resolved, replies restart nothing (SPEC 6).
                if !self.resolved {
                    let reason = if kind == "responded" {
                        "first response"
                    } else {
                        "first update"
                    };
                    self.step(t, kind, reason)?;
                }
            }
            EventKind::SeverityChanged { severity } => {
                let new = self.policy.severity_index(severity).unwrap_or(self.severity);
                if new == self.severity {
                    self.ignore(index, kind, &format!("the severity is already {severity}"));
                    return Ok(());
                }
                let old = self.severity_id().to_string();
                self.severity = new;
                let restart = self.policy.options().severity_change() == SeverityChange::Restart;
                for m in 0..self.clocks.len() {
                    if !self.clocks[m].is_active() || self.agreed[m].is_some() {
                        continue;
                    }
                    if restart {
                        self.start(m, t, kind)?;
                        let fresh = Line::FreshClock {
                            from: old.clone(),
                            to: severity.clone(),
                            at: t,
                        };
                        self.clocks[m].notes.insert(0, Note(fresh));
                    } else {
                        let why = Why::Severity {
                            from: old.clone(),
                            to: severity.clone(),
                            at: t,
                        };
                        self.recompute(m, why)?;
                    }
                }
            }
            EventKind::WaitingOnCustomer => {
                if self.waiting {
                    self.ignore(index, kind, "the ticket is already waiting on the customer");
                } else if self.resolved {
                    self.ignore(index, kind, "the ticket is resolved");
                } else {
                    self.waiting = true;
                    for m in 0..self.clocks.len() {
                        if self.clocks[m].state == State::Running && self.policy.metrics()[m].pauses() {
                            self.clocks[m].pause(t);
                            self.clocks[m].notes.push(Note(Line::Paused { at: t }));
                        }
                    }
                }
            }
            EventKind::CustomerReplied => {
                if !self.waiting {
                    self.ignore(index, kind, "the ticket is not waiting on the customer");
                } else {
                    self.waiting = false;
                    for m in 0..self.clocks.len() {
                        if self.clocks[m].state == State::Paused {
                            self.clocks[m].resume(t);
                            self.clocks[m].notes.push(Note(Line::Resumed { at: t }));
                        }
                    }
                }
            }
            EventKind::TargetAgreed { metric, target } => {
                let m = self
                    .policy
                    .metrics()
                    .iter()
                    .position(|x| x.id() == metric)
                    .unwrap_or(0);
                if self.clocks[m].state == State::NotApplicable {
                    self.ignore(
                        index,
                        kind,
                        &format!("metric {metric} does not apply to channel {}", self.channel_id()),
                    );
                    return Ok(());
                }
                // check_event parsed this target already: the fallback is unreachable.
                let target = Target::parse_at(target, || Location::new("target", "")).unwrap_or(Target::None);
                self.agreed[m] = Some(target);
                if self.clocks[m].is_active() {
                    self.recompute(m, Why::Agreed { at: t })?;
                }
                // A pending clock reads the agreement when it starts; a stopped
                // one only if it runs again (a reopened resolution).
            }
            EventKind::Resolved => {
                if self.resolved {
                    self.ignore(index, kind, "the ticket is already resolved");
                } else {
                    self.resolve(t, "resolved");
                }
            }
            EventKind::Reopened => {
                if !self.resolved {
                    self.ignore(index, kind, "the ticket is not resolved");
                    return Ok(());
                }
                self.resolved = false;
                for m in 0..self.clocks.len() {
                    let clock = &self.clocks[m];
                    match self.policy.metrics()[m].on_reopen() {
                        OnReopen::Resume if clock.state == State::Stopped => {
                            let changed = self.target(m) != clock.target;
                            self.clocks[m].reopen(t);
                            self.clocks[m].notes.push(Note(Line::Reopened { at: t }));
                            if changed {
                                self.recompute(m, Why::ChangedWhileResolved { at: t })?;
                            }
                        }
                        OnReopen::NewCycle if clock.ever_started && clock.state != State::NotApplicable => {
                            self.start(m, t, kind)?;
                        }
                        _ => {}
                    }
                }
            }
            EventKind::Closed => {
                if !self.resolved {
                    self.resolve(t, "closed");
                }
                self.closed = true;
            }
        }
        Ok(())
    }

    /// The generic effect of `kind` on every clock: stop, new cycle, start.
    fn step(&mut self, t: i64, kind: &'static str, reason: &'static str) -> Result<()> {
        for m in 0..self.clocks.len() {
            let metric = &self.policy.metrics()[m];
            let state = self.clocks[m].state;
            if matches!(state, State::Running | State::Paused) {
                if metric.stops_on(kind) {
                    self.stop(m, t, reason);
                } else if metric.restarts_on(kind) {
                    self.start(m, t, kind)?;
                }
            } else if state == State::Pending && metric.starts_on(kind) {
                self.start(m, t, kind)?;
            }
        }
        Ok(())
    }

    fn report(mut self, as_of: i64) -> Result<Report> {
        let mut warnings = self.warnings.clone();
        let mut metrics = Vec::with_capacity(self.clocks.len());
        let mut wake: Option<i64> = None;
        let clocks = std::mem::take(&mut self.clocks);
        for (m, mut clock) in clocks.into_iter().enumerate() {
            let r = self.metric_report(m, &mut clock, as_of, &mut warnings)?;
            if matches!(r.status, Status::Running | Status::Breached) && clock.stopped_at.is_none() {
                let later = r
                    .warnings
                    .iter()
                    .map(|w| secs(w.at))
                    .chain(r.due_at.map(secs))
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
            timezone: self.region.calendar().zone().to_string(),
            severity: self.severity_id().to_string(),
            channel: self.channel_id().to_string(),
            as_of: instant(as_of),
            next_wake_up: wake.map(instant),
            metrics,
            warnings,
        })
    }

    fn metric_report(
        &self,
        m: usize,
        clock: &mut Clock,
        as_of: i64,
        warnings: &mut Vec<String>,
    ) -> Result<MetricReport> {
        let metric = &self.policy.metrics()[m];
        let mut r = MetricReport {
            metric: metric.id().to_string(),
            clock: metric.clock(),
            target: None,
            agreed: clock.agreed,
            status: Status::NotApplicable,
            started_at: None,
            due_at: None,
            due_local: None,
            stopped_at: None,
            budget_s: None,
            elapsed_s: None,
            paused_s: None,
            remaining_s: None,
            met_by_s: None,
            breached_by_s: None,
            warnings: Vec::new(),
            explanation: Vec::new(),
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
                let target = self.target(m);
                r.agreed = self.agreed[m].is_some();
                if target == Target::None {
                    r.status = Status::NoTarget;
                    r.explanation.push(Note(Line::NoTarget {
                        severity: self.severity_id().to_string(),
                        channel: self.channel_id().to_string(),
                    }));
                } else {
                    r.status = Status::Pending;
                    r.target = Some(target);
                }
                let first = if metric.starts_on("responded") {
                    "the first response".to_string()
                } else {
                    format!("the first {}", metric.start.join(" or "))
                };
                r.explanation.push(Note(Line::NotStarted { first }));
                return Ok(r);
            }
            _ => {}
        }
        let measure = self.measure(m);
        let end = clock.stopped_at.unwrap_or(as_of).min(as_of);
        let elapsed = clock.elapsed(&measure, end)?;
        let since = measure.between(clock.cycle_start, end.max(clock.cycle_start))?;
        r.started_at = Some(instant(clock.cycle_start));
        r.stopped_at = clock.stopped_at.map(instant);
        r.elapsed_s = Some(elapsed);
        r.paused_s = Some(since - elapsed);
        r.explanation = std::mem::take(&mut clock.notes);
        let Some(budget) = clock.budget else {
            r.status = Status::NoTarget;
            return Ok(r);
        };
        r.target = Some(clock.target);
        r.budget_s = Some(budget);
        r.remaining_s = Some((budget - elapsed).max(0));
        let due = clock.reach(&measure, budget)?;
        r.status = match (clock.state, due) {
            (State::Stopped, Some(d)) if clock.stopped_at.is_some_and(|s| s > d) => Status::Breached,
            (State::Stopped, _) => Status::Met,
            (_, Some(d)) if as_of > d => Status::Breached,
            (State::Paused, _) => Status::Paused,
            _ => Status::Running,
        };
        match r.status {
            Status::Met => r.met_by_s = Some(budget - elapsed),
            Status::Breached => r.breached_by_s = Some(elapsed - budget),
            _ => {}
        }
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
            Some(d) => {
                // The report prints it: years 0000-9999, in UTC and locally.
                let what = format!("the due instant of metric {}", metric.id());
                r.due_local = Some(self.zone().checked_local(instant(d), &what)?);
                r.due_at = Some(instant(d));
                r.explanation.push(Note(Line::Due {
                    at: d,
                    zone: self.zone(),
                }));
            }
            None => r.explanation.push(Note(Line::NoDue)),
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests;
