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
        }
    }
}

/// Every event name, for validating policies' start/stop lists.
pub(crate) const EVENT_NAMES: [&str; 11] = [
    "created",
    "acknowledged",
    "responded",
    "updated",
    "severity_changed",
    "waiting_on_customer",
    "customer_replied",
    "target_agreed",
    "resolved",
    "reopened",
    "closed",
];
