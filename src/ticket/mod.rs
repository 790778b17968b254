//! The ticket engine: fold a ticket's events into a report.
//!
//! Pure: no clock, no I/O. Events are validated on the way in (naming
//! their index and kind), ordered by instant, and folded into one clock
//! per metric; the report is read off the clocks at `as_of`.
//!
//! The stages, one file each: `event` (what happened), `rules` (the
//! transition table: what an event does to the ticket), `fold` (how every
//! clock reacts: settle, own effect, lists), `clock` (one clock's
//! arithmetic), `read` (the report at `as_of`).

mod clock;
mod event;
mod fold;
mod read;
mod rules;
mod terms;

use chrono::{DateTime, Utc};

use crate::calendar::rfc3339;
use crate::error::{Error, Location, Result};
use crate::policy::{ClockKind, Policy, Region};
use crate::report::{Figures, Report};
use crate::target::Target;
use crate::zone::{Zone, checked_instant, in_range, whole_second};

pub use self::event::{Event, EventKind};

use self::fold::{Buffers, Fold};
use self::terms::Facts;

/// Most events one ticket may hold: keeps a report's cost bounded.
pub(crate) const MAX_EVENTS: usize = 10_000;

/// A ticket being tracked: open it in a region, apply events as they come
/// (in any order after `created`), and ask for its report as of any instant.
///
/// The ticket owns what it needs: a [`Policy`] is a shared handle (cloning
/// it counts a reference), so a ticket can live in a struct, a cache or
/// another thread beside the `Arc<Policy>` or `Policy` it came from. It is
/// `Send + Sync + Clone`.
///
/// A ticket is always reportable: it opens with its `created` event, and
/// [`apply`](Ticket::apply) refuses an event that would make
/// [`report`](Ticket::report) fail (dated before `created`, a second
/// `created`, a deadline past the calendar's horizon) with the error the
/// report would give, leaving the ticket as it was.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use sla_deadline::{Event, EventKind, Policy, Status, Ticket};
///
/// struct Desk {
///     policy: Arc<Policy>,
///     open: Vec<Ticket>,
/// }
///
/// let mut desk = Desk { policy: Arc::new(Policy::builtin("ol-care")?), open: Vec::new() };
/// let created = Event::new(
///     "2026-11-20T16:30:00-05:00".parse().unwrap(),
///     EventKind::created("P1", "phone"),
/// );
/// let mut ticket = Ticket::open(&desk.policy, "americas", created)?;
/// // An event before the ticket existed is refused; the ticket is unchanged.
/// let early = Event::new("2026-11-20T16:00:00-05:00".parse().unwrap(), EventKind::Responded);
/// assert!(ticket.apply(early).is_err());
/// assert_eq!(ticket.events().len(), 1);
/// desk.open.push(ticket);
///
/// let report = desk.open[0].report(None)?;
/// let first_response = report.metric("first_response").expect("an OL Care metric");
/// assert_eq!(first_response.status, Status::Running);
/// assert_eq!(first_response.due_local.unwrap().to_rfc3339(), "2026-11-20T18:30:00-05:00");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ticket {
    policy: Policy,
    region: usize,
    events: Vec<Event>,
}

impl Ticket {
    /// A ticket in `region` of `policy` (the ticket keeps a handle on the
    /// policy), opened by its `created` event.
    ///
    /// # Errors
    /// An unknown region; an event that is not `created` or names an
    /// unknown severity or channel; a deadline outside the region
    /// calendar's horizon.
    pub fn open(policy: &Policy, region: &str, created: Event) -> Result<Ticket> {
        let region = policy.region_index(region)?;
        if !matches!(created.kind, EventKind::Created { .. }) {
            return Err(Error::event(
                0,
                created.kind.name(),
                "opens the ticket: expected a created event",
            ));
        }
        let mut ticket = Ticket {
            policy: policy.clone(),
            region,
            events: Vec::with_capacity(8),
        };
        ticket.apply(created)?;
        Ok(ticket)
    }

    /// A ticket restored from events stored earlier (a database row, a
    /// queue): validated as [`evaluate`] validates them, in one report
    /// rather than one per event.
    ///
    /// # Errors
    /// As [`evaluate`]: more events than a ticket may hold, an event that
    /// names something the policy lacks, no `created` event first, or a
    /// deadline outside the calendar's horizon.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{Event, Policy, Ticket};
    ///
    /// let policy = Policy::builtin("ol-care")?;
    /// let stored: Vec<Event> = serde_json::from_str(r#"[
    ///   {"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"},
    ///   {"at": "2026-11-23T09:40:00-05:00", "type": "responded"}
    /// ]"#).unwrap();
    /// let ticket = Ticket::from_events(&policy, "americas", stored)?;
    /// assert_eq!(ticket.events().len(), 2);
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn from_events(policy: &Policy, region: &str, events: Vec<Event>) -> Result<Ticket> {
        evaluate(policy, region, &events, None)?;
        let region = policy.region_index(region)?;
        Ok(Ticket {
            policy: policy.clone(),
            region,
            events,
        })
    }

    /// Records one event (it may be older than events already applied, but
    /// not older than `created`).
    ///
    /// Costs one report (linear in the events so far): the event is kept
    /// only if the ticket can still be reported as of its latest event.
    ///
    /// # Errors
    /// An event that names an unknown severity, channel, status or metric,
    /// carries a malformed target, or is one too many (the error names its
    /// index); an event that would make the ticket unreportable: before
    /// `created`, a second `created`, or a deadline outside the calendar's
    /// horizon. The ticket is unchanged after an error.
    pub fn apply(&mut self, event: Event) -> Result<()> {
        let index = self.events.len();
        if index >= MAX_EVENTS {
            return Err(Error::Limit {
                what: "events per ticket",
                limit: MAX_EVENTS as u64,
                value: index as u64 + 1,
            });
        }
        check_event(&self.policy, index, &event.kind, secs(event.at))?;
        self.events.push(event);
        if let Err(e) = self.report(None) {
            self.events.pop();
            return Err(e);
        }
        Ok(())
    }

    /// The events applied so far, in the order given.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The policy the ticket is tracked under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The region the ticket is tracked in.
    pub fn region(&self) -> &Region {
        &self.policy.regions()[self.region]
    }

    /// The report as of `as_of` (default: the latest event's instant, which
    /// always succeeds).
    ///
    /// # Errors
    /// `as_of` before `created`, or past the region calendar's horizon.
    pub fn report(&self, as_of: Option<DateTime<Utc>>) -> Result<Report> {
        let seconds: Vec<i64> = self.events.iter().map(|e| secs(e.at)).collect();
        let checked = Checked {
            region: self.region,
            created: None,
        };
        folded(
            &self.policy,
            &checked,
            &self.events,
            &seconds,
            as_of,
            true,
            Buffers::default(),
            Fold::report,
        )
    }
}

/// The report of a ticket given all its events at once ([contract §5-7](crate::contract)).
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
/// let resolution = report.metric("resolution").expect("an OL Care metric");
/// assert_eq!(resolution.due_local.unwrap().to_rfc3339(), "2026-11-27T14:00:00-05:00");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
pub fn evaluate(
    policy: &Policy,
    region: &str,
    events: &[Event],
    as_of: Option<DateTime<Utc>>,
) -> Result<Report> {
    let mut seconds = Vec::new();
    let checked = checked(policy, region, events, |e, _| secs(e.at), &mut seconds)?;
    folded(
        policy,
        &checked,
        events,
        &seconds,
        as_of,
        true,
        Buffers::default(),
        Fold::report,
    )
}

/// The figures of a ticket given all its events at once: what [`evaluate`]
/// reports for each metric ([`MetricReport::figures`](crate::MetricReport::figures)),
/// without the explanation, warnings, cycle list or local times, appended
/// to `out` in the policy's metric order. For batch paths: about three times
/// faster than a report, and `out` can be reused from ticket to ticket; a
/// [`Batch`] reuses the rest of the fold's buffers too.
///
/// # Errors
/// Exactly those of [`evaluate`]; `out` then keeps what it had.
///
/// # Example
/// ```
/// use sla_deadline::{evaluate, evaluate_figures, Event, Policy, Status};
///
/// let policy = Policy::builtin("ol-care")?;
/// let events: Vec<Event> = serde_json::from_str(r#"[
///   {"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"},
///   {"at": "2026-11-23T12:00:00-05:00", "type": "responded"}
/// ]"#).unwrap();
/// let mut figures = Vec::new();
/// evaluate_figures(&policy, "americas", &events, None, &mut figures)?;
/// let report = evaluate(&policy, "americas", &events, None)?;
/// assert_eq!(figures.len(), report.metrics.len());
/// assert_eq!(figures[1], report.metrics[1].figures());
/// // First response by email within 4 business hours: answered in 3.
/// assert_eq!(figures[1].status, Status::Met);
/// assert_eq!(figures[1].met_by, Some(3600));
/// # Ok::<(), sla_deadline::Error>(())
/// ```
pub fn evaluate_figures(
    policy: &Policy,
    region: &str,
    events: &[Event],
    as_of: Option<DateTime<Utc>>,
    out: &mut Vec<Figures>,
) -> Result<()> {
    Batch::new(policy).figures(region, events, as_of, out)
}

/// [`evaluate_figures`] for ticket after ticket of one policy: the
/// buffers a ticket's fold needs (its clocks and their lists, its
/// instants) are kept for the next ticket instead of being allocated and
/// freed for each. Batch paths (the Arrow kernel, the SQL aggregate) hold
/// one per thread.
///
/// # Example
/// ```
/// use sla_deadline::{evaluate_figures, Batch, Event, Policy};
///
/// let policy = Policy::builtin("ol-care")?;
/// let tickets: Vec<Vec<Event>> = serde_json::from_str(r#"[
///   [{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"},
///    {"at": "2026-11-23T12:00:00-05:00", "type": "responded"}],
///   [{"at": "2026-11-24T09:00:00-05:00", "type": "created", "severity": "P1", "channel": "phone"}]
/// ]"#).unwrap();
/// let mut batch = Batch::new(&policy);
/// let (mut figures, mut one) = (Vec::new(), Vec::new());
/// for events in &tickets {
///     figures.clear();
///     batch.figures("americas", events, None, &mut figures)?;
///     one.clear();
///     evaluate_figures(&policy, "americas", events, None, &mut one)?;
///     assert_eq!(figures, one);
/// }
/// # Ok::<(), sla_deadline::Error>(())
/// ```
pub struct Batch<'p> {
    policy: &'p Policy,
    seconds: Vec<i64>,
    buffers: Buffers<'p>,
}

impl<'p> Batch<'p> {
    /// A batch of tickets of `policy`.
    pub fn new(policy: &'p Policy) -> Batch<'p> {
        Batch {
            policy,
            seconds: Vec::new(),
            buffers: Buffers::default(),
        }
    }

    /// As [`evaluate_figures`] under the batch's policy: appends the
    /// figures of each metric to `out`.
    ///
    /// # Errors
    /// Exactly those of [`evaluate`]; `out` then keeps what it had.
    pub fn figures(
        &mut self,
        region: &str,
        events: &[Event],
        as_of: Option<DateTime<Utc>>,
        out: &mut Vec<Figures>,
    ) -> Result<()> {
        let checked = checked(self.policy, region, events, |e, _| secs(e.at), &mut self.seconds)?;
        self.fold_figures(&checked, events, as_of, out)
    }

    /// As [`figures`](Batch::figures), for events given apart: `kinds[i]`
    /// happened at Unix second `at[i]`. The batch paths read events this
    /// way from a table, without building a `DateTime` for each. An
    /// instant outside years 0000-9999 is an error naming its event, as
    /// for an [`Event`] there.
    ///
    /// # Errors
    /// Exactly those of [`figures`](Batch::figures) for the same events;
    /// `kinds` and `at` of different lengths. `out` then keeps what it had.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{Batch, EventKind, Policy, Status};
    ///
    /// let policy = Policy::builtin("ol-care")?;
    /// let kinds = [EventKind::created("P2", "email"), EventKind::Responded];
    /// // 2026-11-23T09:00:00-05:00, then three hours later.
    /// let at = [1_795_442_400, 1_795_453_200];
    /// let mut figures = Vec::new();
    /// Batch::new(&policy).figures_at("americas", &kinds, &at, None, &mut figures)?;
    /// assert_eq!(figures[1].status, Status::Met);
    /// assert_eq!(figures[1].met_by, Some(3600));
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn figures_at(
        &mut self,
        region: &str,
        kinds: &[EventKind],
        at: &[i64],
        as_of: Option<DateTime<Utc>>,
        out: &mut Vec<Figures>,
    ) -> Result<()> {
        if kinds.len() != at.len() {
            return Err(Error::invalid(
                Location::new("ticket", "events"),
                format!(
                    "{} event kinds and {} instants: expected one instant per kind",
                    kinds.len(),
                    at.len()
                ),
            ));
        }
        let checked = checked(self.policy, region, kinds, |_, i| at[i], &mut self.seconds)?;
        self.fold_figures(&checked, kinds, as_of, out)
    }

    /// The figures of the events `checked` has checked (their seconds are
    /// in `self.seconds`), appended to `out`.
    fn fold_figures<E: Kind>(
        &mut self,
        checked: &Checked,
        events: &[E],
        as_of: Option<DateTime<Utc>>,
        out: &mut Vec<Figures>,
    ) -> Result<()> {
        let buffers = std::mem::take(&mut self.buffers);
        let len = out.len();
        folded(
            self.policy,
            checked,
            events,
            &self.seconds,
            as_of,
            false,
            buffers,
            |f, as_of| {
                let figures = f.figures_into(as_of, out).inspect_err(|_| out.truncate(len));
                self.buffers = f.take_buffers();
                figures
            },
        )
    }
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("policy", &self.policy.id())
            .finish_non_exhaustive()
    }
}

/// What checking a ticket's events found, for its fold.
struct Checked {
    /// The region's index.
    region: usize,
    /// The first `created` event in input order: its index, and its
    /// severity's and channel's, which the fold need not look up again.
    created: Option<(usize, usize, usize)>,
}

/// The region's index and the first `created` event's indices, once every
/// event passed `check_event`; `seconds` gets each event's instant in
/// seconds, `second(event, i)`.
fn checked<E: Kind>(
    policy: &Policy,
    region: &str,
    events: &[E],
    second: impl Fn(&E, usize) -> i64,
    seconds: &mut Vec<i64>,
) -> Result<Checked> {
    if events.len() > MAX_EVENTS {
        return Err(Error::Limit {
            what: "events per ticket",
            limit: MAX_EVENTS as u64,
            value: events.len() as u64,
        });
    }
    let region = policy.region_index(region)?;
    let mut created = None;
    seconds.clear();
    for (index, event) in events.iter().enumerate() {
        let t = second(event, index);
        if let Some((severity, channel)) = check_event(policy, index, event.kind(), t)? {
            created = created.or(Some((index, severity, channel)));
        }
        seconds.push(t);
    }
    Ok(Checked { region, created })
}

/// Checks what can be checked of one event on its own (`t`: its second).
/// Most events name nothing and fall in years 0000-9999: they pass here,
/// without the checks' setup.
/// A `created` event gives its severity's and channel's indices.
#[inline(always)]
fn check_event(policy: &Policy, index: usize, event: &EventKind, t: i64) -> Result<Option<(usize, usize)>> {
    if in_range(t) && !event.takes_keys() {
        return Ok(None);
    }
    check_named(policy, index, event, t)
}

/// `check_event` for an event that names something or lies far away.
#[inline(never)]
fn check_named(policy: &Policy, index: usize, event: &EventKind, t: i64) -> Result<Option<(usize, usize)>> {
    let kind = event.name();
    let bad = |message: String| Error::event(index, kind, message);
    // Events built in code (not read) may lie outside years 0000-9999.
    if !in_range(t) {
        checked_instant(t, "at").map_err(|e| bad(e.to_string()))?;
    }
    match event {
        EventKind::Created {
            severity,
            channel,
            customer_zone,
            ..
        } => {
            let unknown = |what, id, known: &mut dyn Iterator<Item = &str>| {
                bad(Error::unknown(what, id, known).to_string())
            };
            let s = policy.severity_index(severity).ok_or_else(|| {
                unknown(
                    "severity",
                    severity,
                    &mut policy.severities().iter().map(|s| s.id()),
                )
            })?;
            let c = policy
                .channel_index(channel)
                .ok_or_else(|| unknown("channel", channel, &mut policy.channels().iter().map(|c| c.id())))?;
            check_zone(customer_zone.as_deref()).map_err(bad)?;
            return Ok(Some((s, c)));
        }
        EventKind::AttributesChanged { customer_zone, .. } => {
            check_zone(customer_zone.as_deref()).map_err(bad)?;
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
            // As in the policy file: business days need a business clock
            // for every severity, since a cycle takes its kind from the
            // severity it starts at.
            let calendar = m.clocks().iter().position(|k| *k == ClockKind::Calendar);
            if let (Some(s), Target::BusinessDays(_)) = (calendar, t) {
                let whose = if m.clocks().iter().all(|k| *k == ClockKind::Calendar) {
                    String::new()
                } else {
                    format!(" for severity {}", policy.severities()[s].id())
                };
                return Err(bad(format!(
                    "target {target:?} counts business days but metric {metric} runs on a calendar clock{whose}: expected a duration such as \"30m\""
                )));
            }
        }
        EventKind::StatusChanged { status } if status != "open" && policy.status_index(status).is_none() => {
            let known = std::iter::once("open").chain(policy.statuses().iter().map(|s| s.id()));
            return Err(bad(Error::unknown("status", status, known).to_string()));
        }
        _ => {}
    }
    Ok(None)
}

/// A customer zone, if given, is a zone the crate knows.
fn check_zone(zone: Option<&str>) -> std::result::Result<(), String> {
    match zone.map(str::parse::<Zone>) {
        Some(Err(Error::Invalid { message, .. })) => Err(format!("customer_zone: {message}")),
        Some(Err(other)) => Err(format!("customer_zone: {other}")),
        _ => Ok(()),
    }
}

/// Stable order by instant (`seconds`, each event's), `created` first
/// among events at its instant; `None` when the events are in that order
/// already (the usual case, which then costs no allocation).
fn ordered<E: Kind>(events: &[E], seconds: &[i64]) -> Option<Vec<usize>> {
    let key = |(e, &t): (&E, &i64)| (t, !matches!(e.kind(), EventKind::Created { .. }));
    let mut keys = events.iter().zip(seconds).map(key);
    let first = keys.next()?;
    if keys
        .try_fold(first, |before, k| (before <= k).then_some(k))
        .is_some()
    {
        return None;
    }
    let mut keyed: Vec<(i64, bool, usize)> = events
        .iter()
        .zip(seconds)
        .enumerate()
        .map(|(i, e)| {
            let (t, not_created) = key(e);
            (t, not_created, i)
        })
        .collect();
    keyed.sort_by_key(|&(t, not_created, _)| (t, not_created));
    Some(keyed.into_iter().map(|(_, _, i)| i).collect())
}

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// What the engine reads of an event besides its instant, which it takes
/// apart in seconds: its kind. Events come whole ([`Event`]) or as kinds
/// beside their seconds ([`Batch::figures_at`]).
trait Kind {
    fn kind(&self) -> &EventKind;
}

impl Kind for Event {
    fn kind(&self) -> &EventKind {
        &self.kind
    }
}

impl Kind for EventKind {
    fn kind(&self) -> &EventKind {
        self
    }
}

/// What `finish` makes of the ticket folded up to `as_of` (default: its
/// latest event) and that instant in seconds, given what checking its
/// events found and each event's second (`seconds`); `explain` keeps what
/// only a full report reads; `buffers` are a batch's, kept between
/// tickets. The fold is lent to `finish` rather than returned: it is
/// large, and the batch path should not copy it.
#[allow(clippy::too_many_arguments)]
fn folded<'p, E: Kind, R>(
    policy: &'p Policy,
    checked: &Checked,
    events: &[E],
    seconds: &[i64],
    as_of: Option<DateTime<Utc>>,
    explain: bool,
    buffers: Buffers<'p>,
    finish: impl FnOnce(&mut Fold<'p>, i64) -> Result<R>,
) -> Result<R> {
    // Whole seconds in years 0000-9999, as events are read.
    let as_of = as_of
        .map(|t| match t.timestamp() {
            s if t.timestamp_subsec_nanos() == 0 && in_range(s) => Ok(s),
            _ => whole_second(t, "as_of").map(secs),
        })
        .transpose()?;
    let order = ordered(events, seconds);
    let at = |n: usize| order.as_ref().map_or(n, |o| o[n]);
    if events.is_empty() {
        return Err(Error::invalid(
            Location::new("ticket", "events"),
            "no events: expected a created event first",
        ));
    }
    let first = at(0);
    let EventKind::Created {
        severity,
        channel,
        attributes,
        customer_zone,
    } = events[first].kind()
    else {
        return Err(Error::event(
            first,
            events[first].kind().name(),
            format!(
                "at {} comes before the ticket is created: expected a created event first",
                rfc3339(seconds[first])
            ),
        ));
    };
    // Compared in whole seconds, as the engine counts.
    let created_at = seconds[first];
    let end = as_of.unwrap_or_else(|| seconds[at(events.len() - 1)]);
    if end < created_at {
        return Err(Error::invalid(
            Location::new("ticket", "as_of"),
            format!(
                "{} is before the ticket was created ({}): expected an instant at or after it",
                rfc3339(end),
                rfc3339(created_at)
            ),
        ));
    }
    // check_event has looked both up already, and passed them on unless
    // the events were checked one by one (a `Ticket`).
    let (severity, channel) = match checked.created {
        Some((index, s, c)) if index == first => (s, c),
        _ => (
            policy.severity_index(severity).unwrap_or(0),
            policy.channel_index(channel).unwrap_or(0),
        ),
    };
    let facts = Facts {
        severity,
        channel,
        attributes: attributes.clone(),
        customer_zone: customer_zone.as_deref().and_then(|z| z.parse().ok()),
    };
    let mut f = Fold::new(
        policy,
        checked.region,
        facts,
        seconds[first],
        first,
        explain,
        buffers,
    )?;
    for n in 0..events.len() {
        let i = at(n);
        let event = events[i].kind();
        if n > 0 && matches!(event, EventKind::Created { .. }) {
            return Err(Error::event(
                i,
                "created",
                "a second created event: expected one per ticket",
            ));
        }
        if seconds[i] > end {
            continue;
        }
        f.apply(i, event, seconds[i])?;
    }
    finish(&mut f, end)
}

#[cfg(test)]
mod tests;
