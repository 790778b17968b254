//! Ticket events (SPEC 5), in the JSON shape of SPEC 9:
//! `{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One thing that happened to a ticket, at an instant.
///
/// # Example
/// ```
/// use sla_deadline::{Event, EventKind};
/// let event: Event = serde_json::from_str(
///     r#"{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}"#,
/// ).unwrap();
/// assert_eq!(event.at.to_rfc3339(), "2026-11-23T14:00:00+00:00");
/// assert_eq!(event.kind.name(), "created");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened (any RFC 3339 offset; kept in UTC).
    pub at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// An event of `kind` at `at`.
    pub fn new(at: DateTime<Utc>, kind: EventKind) -> Event {
        Event { at, kind }
    }
}

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was opened with a severity and an intake channel.
    Created {
        /// Severity id, e.g. `P2`.
        severity: String,
        /// Channel id, e.g. `email`.
        channel: String,
    },
    /// The receipt was acknowledged (automatic acknowledgement).
    Acknowledged,
    /// An agent replied to the customer.
    Responded,
    /// A progress report was sent to the customer.
    Updated,
    /// The severity changed.
    SeverityChanged {
        /// The new severity id.
        severity: String,
    },
    /// The ticket now waits on the customer (information, access).
    WaitingOnCustomer,
    /// The customer replied: the wait ends.
    CustomerReplied,
    /// The customer and support agreed another target for one metric.
    TargetAgreed {
        /// The metric id, e.g. `update`.
        metric: String,
        /// The new target, e.g. `3bd`.
        target: String,
    },
    /// The problem was resolved.
    Resolved,
    /// The ticket was reopened after a resolution.
    Reopened,
    /// The ticket was closed (resolving it first if needed).
    Closed,
    /// The ticket moved into a status: `open`, or one the policy declares
    /// (`pending_vendor`, `on_hold`...).
    StatusChanged {
        /// The status id.
        status: String,
    },
}

impl EventKind {
    /// The SPEC 5 name of the kind, as in JSON's `type`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "created",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Responded => "responded",
            EventKind::Updated => "updated",
            EventKind::SeverityChanged { .. } => "severity_changed",
            EventKind::WaitingOnCustomer => "waiting_on_customer",
            EventKind::CustomerReplied => "customer_replied",
            EventKind::TargetAgreed { .. } => "target_agreed",
            EventKind::Resolved => "resolved",
            EventKind::Reopened => "reopened",
            EventKind::Closed => "closed",
            EventKind::StatusChanged { .. } => "status_changed",
        }
    }

    /// The kind's trigger bit: its index in the policy's list of event
    /// kinds.
    pub(crate) fn bit(&self) -> u32 {
        match self {
            EventKind::Created { .. } => 0,
            EventKind::Acknowledged => 1,
            EventKind::Responded => 2,
            EventKind::Updated => 3,
            EventKind::SeverityChanged { .. } => 4,
            EventKind::WaitingOnCustomer => 5,
            EventKind::CustomerReplied => 6,
            EventKind::TargetAgreed { .. } => 7,
            EventKind::Resolved => 8,
            EventKind::Reopened => 9,
            EventKind::Closed => 10,
            EventKind::StatusChanged { .. } => 11,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{EVENT_KINDS, WAITING};

    #[test]
    fn bits_follow_the_policy_list_of_kinds() {
        let s = || String::new();
        let kinds = [
            EventKind::Created {
                severity: s(),
                channel: s(),
            },
            EventKind::Acknowledged,
            EventKind::Responded,
            EventKind::Updated,
            EventKind::SeverityChanged { severity: s() },
            EventKind::WaitingOnCustomer,
            EventKind::CustomerReplied,
            EventKind::TargetAgreed {
                metric: s(),
                target: s(),
            },
            EventKind::Resolved,
            EventKind::Reopened,
            EventKind::Closed,
            EventKind::StatusChanged { status: s() },
        ];
        assert_eq!(kinds.len(), EVENT_KINDS.len());
        for k in &kinds {
            assert_eq!(EVENT_KINDS[k.bit() as usize], k.name());
        }
        assert_eq!(EventKind::WaitingOnCustomer.bit(), WAITING);
    }
}
