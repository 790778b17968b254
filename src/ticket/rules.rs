//! The transition table: what each event does to the ticket, read off the
//! ticket's state before it. One arm per row; a row either ignores the event
//! (redundant, with the warning's reason) or says how the ticket changes and
//! which triggers the clocks' lists see.
//!
//! The clocks' reaction is the same for every event and lives in `fold`:
//! the event's own effect first (pause or resume by the new status, the
//! severity recompute or restart, the agreement, `on_reopen`), then each
//! clock's lists (`stop`, else `restart`, for a running or paused clock;
//! `start` for a clock that has not started, or that has stopped and
//! repeats).

use std::borrow::Cow;

use crate::policy::{Policy, Triggers};
use crate::target::WrittenTarget;

use super::event::EventKind;
use super::terms::Facts;

/// Where the ticket stands between events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// `open`: nothing pauses.
    Open,
    /// `waiting_on_customer`.
    Waiting,
    /// A status the policy declares, by index.
    Custom(u32),
}

/// The ticket-level state the table reads.
pub(crate) struct TicketState {
    pub(crate) standing: Standing,
    pub(crate) resolved: bool,
    pub(crate) closed: bool,
    pub(crate) acknowledged: bool,
    /// Some metric that applies to the ticket lists `acknowledged`.
    pub(crate) acknowledgeable: bool,
    pub(crate) severity: usize,
    pub(crate) channel: usize,
}

/// What an event does.
pub(crate) enum Step<'e> {
    /// Redundant: ignored, with a warning giving the reason.
    Ignore(Ignored<'e>),
    /// Applied.
    Apply(Change),
}

/// Why an event (whose names it borrows) is redundant. A reason that
/// names something is written out only for a report's warnings: the
/// figures never read it.
pub(crate) enum Ignored<'e> {
    Because(&'static str),
    /// The ticket's channel has no acknowledgement.
    NoAcknowledgement,
    /// The severity changes to the one the ticket has.
    SameSeverity(&'e str),
    /// The agreed target's metric does not apply to the channel.
    NotApplicable {
        metric: &'e str,
    },
    /// The status changes to the one the ticket is in.
    SameStatus(&'e str),
}

impl Ignored<'_> {
    /// The reason, for a ticket from `channel`.
    pub(crate) fn text(&self, policy: &Policy, channel: usize) -> Cow<'static, str> {
        let channel = policy.channels()[channel].id();
        match self {
            Ignored::Because(why) => Cow::Borrowed(why),
            Ignored::NoAcknowledgement => format!("channel {channel} has no acknowledgement").into(),
            Ignored::SameSeverity(severity) => format!("the severity is already {severity}").into(),
            Ignored::NotApplicable { metric } => {
                format!("metric {metric} does not apply to channel {channel}").into()
            }
            Ignored::SameStatus(status) => format!("the ticket is already in status {status}").into(),
        }
    }
}

/// How an applied event changes the ticket.
pub(crate) struct Change {
    /// The ticket's standing afterwards, when it changes.
    pub(crate) standing: Option<Standing>,
    /// True for `resolved`, and `closed` on an unresolved ticket.
    pub(crate) resolves: bool,
    /// The event's own effect on the clocks, beside pausing and resuming.
    pub(crate) effect: Effect,
    /// The triggers the clocks' lists see: the event's kind, and the status
    /// it enters.
    pub(crate) fires: Triggers,
    /// False when `start` and `restart` may not fire (`responded` and
    /// `updated` while resolved stop clocks but start nothing).
    pub(crate) begins: bool,
}

/// An event's own effect on the clocks.
pub(crate) enum Effect {
    None,
    Acknowledge,
    Severity(usize),
    /// Boxed, as the agreement keeps it: rare, and a change is moved
    /// for every event.
    Agree {
        metric: usize,
        target: Box<WrittenTarget>,
    },
    Reopen,
    Close,
    /// New attributes or customer zone: the ticket's facts afterwards.
    Facts(Box<Facts>),
}

impl Effect {
    /// False for effects on the ticket alone.
    pub(crate) fn touches_clocks(&self) -> bool {
        matches!(
            self,
            Effect::Severity(_) | Effect::Agree { .. } | Effect::Reopen | Effect::Facts(_)
        )
    }
}

/// The table. `check_event` has validated ids and targets already, so the
/// look-ups below cannot miss.
/// `applies(m)` says whether metric `m` applies to the ticket's channel.
#[inline]
pub(crate) fn step<'e>(
    policy: &Policy,
    ticket: &TicketState,
    facts: &Facts,
    applies: impl Fn(usize) -> bool,
    event: &'e EventKind,
) -> Step<'e> {
    use EventKind as E;
    let ignore = |why: &'static str| Step::Ignore(Ignored::Because(why));
    let kind = Triggers::bit(event.bit());
    let apply = |standing, effect| {
        Step::Apply(Change {
            standing,
            resolves: false,
            effect,
            fires: kind,
            begins: true,
        })
    };
    if ticket.closed {
        return ignore("the ticket is closed");
    }
    let waiting = ticket.standing == Standing::Waiting;
    match event {
        E::Created { .. } => apply(None, Effect::None),
        E::Acknowledged if ticket.acknowledged => ignore("the ticket was already acknowledged"),
        E::Acknowledged if !ticket.acknowledgeable => Step::Ignore(Ignored::NoAcknowledgement),
        E::Acknowledged => apply(None, Effect::Acknowledge),
        E::Responded | E::Updated => Step::Apply(Change {
            begins: !ticket.resolved,
            ..change(kind)
        }),
        E::SeverityChanged { severity } => match policy.severity_index(severity) {
            Some(s) if s != ticket.severity => apply(None, Effect::Severity(s)),
            _ => Step::Ignore(Ignored::SameSeverity(severity)),
        },
        E::WaitingOnCustomer if waiting => ignore("the ticket is already waiting on the customer"),
        E::WaitingOnCustomer if ticket.resolved => ignore("the ticket is resolved"),
        E::WaitingOnCustomer => apply(Some(Standing::Waiting), Effect::None),
        E::CustomerReplied if waiting => apply(Some(Standing::Open), Effect::None),
        // A customer message outside a wait matters only to policies that
        // measure from customer messages (next reply time).
        E::CustomerReplied if policy.0.listed.meets(kind) => apply(None, Effect::None),
        E::CustomerReplied => ignore("the ticket is not waiting on the customer"),
        E::TargetAgreed { metric, target } => {
            let m = policy
                .metrics()
                .iter()
                .position(|x| x.id() == metric)
                .unwrap_or(0);
            match target.parse() {
                Ok(target) if applies(m) => apply(
                    None,
                    Effect::Agree {
                        metric: m,
                        target: Box::new(target),
                    },
                ),
                Ok(_) => Step::Ignore(Ignored::NotApplicable { metric }),
                Err(_) => ignore("the target is malformed"),
            }
        }
        E::Resolved if ticket.resolved => ignore("the ticket is already resolved"),
        E::Resolved => Step::Apply(Change {
            standing: Some(Standing::Open),
            resolves: true,
            ..change(kind)
        }),
        E::Reopened if !ticket.resolved => ignore("the ticket is not resolved"),
        E::Reopened => apply(None, Effect::Reopen),
        // Closing an unresolved ticket resolves it first: lists see both.
        E::Closed if ticket.resolved => apply(None, Effect::Close),
        E::Closed => Step::Apply(Change {
            standing: Some(Standing::Open),
            resolves: true,
            effect: Effect::Close,
            fires: kind.with(E::Resolved.bit()),
            begins: true,
        }),
        // Applies while resolved too: a reopened ticket counts under the
        // rule its facts choose.
        E::AttributesChanged {
            attributes,
            customer_zone,
        } => {
            let mut new = facts.clone();
            for (name, value) in attributes {
                match value {
                    Some(v) => new.attributes.insert(name.clone(), v.clone()),
                    None => new.attributes.remove(name),
                };
            }
            if let Some(zone) = customer_zone.as_ref().and_then(|z| z.parse().ok()) {
                new.customer_zone = Some(zone);
            }
            if new == *facts {
                ignore("the attributes and customer zone are unchanged")
            } else {
                apply(None, Effect::Facts(Box::new(new)))
            }
        }
        E::StatusChanged { .. } if ticket.resolved => ignore("the ticket is resolved"),
        E::StatusChanged { status } => {
            let to = match policy.status_index(status) {
                Some(j) => Standing::Custom(j as u32),
                None => Standing::Open,
            };
            if to == ticket.standing {
                return Step::Ignore(Ignored::SameStatus(status));
            }
            let fires = match to {
                Standing::Custom(j) => kind.with(Triggers::status_bit(j as usize)),
                _ => kind,
            };
            Step::Apply(Change {
                standing: Some(to),
                fires,
                ..change(kind)
            })
        }
    }
}

/// The plain change: lists see `kind`, nothing else happens.
fn change(kind: Triggers) -> Change {
    Change {
        standing: None,
        resolves: false,
        effect: Effect::None,
        fires: kind,
        begins: true,
    }
}

/// The `pause_in` bit of a standing, `None` for `open`.
pub(crate) fn standing_bit(standing: Standing) -> Option<u32> {
    match standing {
        Standing::Open => None,
        Standing::Waiting => Some(crate::policy::WAITING),
        Standing::Custom(j) => Some(Triggers::status_bit(j as usize)),
    }
}
