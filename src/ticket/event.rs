//! Ticket events ([contract §5](crate::contract)), in the JSON shape of [contract §9](crate::contract):
//! `{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}`.
//!
//! Reading is strict, because a misspelt key would otherwise change the
//! ticket silently (`"sevrity": "P1"` made a P4 ticket): each event type
//! takes exactly the keys of [`KEYS`], and `at` enters the crate as a whole
//! second within years 0000-9999 (see [`crate::parse_instant`]). serde's
//! `#[serde(flatten)]` cannot deny unknown keys, hence the hand-written
//! `Deserialize`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::input::shorten;
use crate::policy::EVENT_KINDS;
use crate::zone::instant_of_text;

/// One thing that happened to a ticket, at an instant.
///
/// Instants are taken to the whole second: [`Event::new`] and reading
/// drop sub-second parts, so that events sort as the engine counts them.
///
/// # Example
/// ```
/// use sla_deadline::{Event, EventKind};
/// let event: Event = serde_json::from_str(
///     r#"{"at": "2026-11-23T09:00:00.5-05:00", "type": "created", "severity": "P2", "channel": "email"}"#,
/// ).unwrap();
/// assert_eq!(event.at.to_rfc3339(), "2026-11-23T14:00:00+00:00");
/// assert_eq!(event.kind.name(), "created");
///
/// let err = serde_json::from_str::<Event>(
///     r#"{"at": "2026-11-23T09:00:00-05:00", "type": "created", "sevrity": "P1", "channel": "email"}"#,
/// ).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "unknown key \"sevrity\" in a created event: expected at, type, severity, channel (optional: attributes, customer_zone) at line 1 column 91"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When it happened (any RFC 3339 offset; kept in UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// An event of `kind` at `at`, sub-second part dropped.
    pub fn new(at: DateTime<Utc>, kind: EventKind) -> Event {
        if at.timestamp_subsec_nanos() == 0 {
            return Event { at, kind };
        }
        let at = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
        Event { at, kind }
    }
}

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was opened with a severity and an intake channel, and
    /// optionally facts about the customer that the policy's `[[rules]]`
    /// and `zone = "customer"` regions read.
    Created {
        /// Severity id, e.g. `P2`.
        severity: String,
        /// Channel id, e.g. `email`.
        channel: String,
        /// The ticket's attributes, e.g. `tier = "premium"` (JSON key
        /// `attributes`, an object of strings; absent when empty).
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        attributes: BTreeMap<String, String>,
        /// The customer's IANA time zone, e.g. `Asia/Tokyo` (JSON key
        /// `customer_zone`, optional).
        #[serde(skip_serializing_if = "Option::is_none")]
        customer_zone: Option<String>,
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
    /// The ticket's attributes or customer zone changed: each attribute
    /// given is set, one given as `null` (`None`) is removed, the others
    /// are kept. When the SLA rule or the calendar that applies changes,
    /// running clocks follow the policy's `severity_change` option.
    AttributesChanged {
        /// The attributes to set (`Some`) or remove (`None`).
        attributes: BTreeMap<String, Option<String>>,
        /// The customer's new time zone, if it changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        customer_zone: Option<String>,
    },
}

impl EventKind {
    /// A `created` event's kind without attributes or customer zone.
    ///
    /// ```
    /// use sla_deadline::EventKind;
    /// let kind = EventKind::created("P1", "phone");
    /// assert_eq!(kind.name(), "created");
    /// ```
    pub fn created(severity: impl Into<String>, channel: impl Into<String>) -> EventKind {
        EventKind::Created {
            severity: severity.into(),
            channel: channel.into(),
            attributes: BTreeMap::new(),
            customer_zone: None,
        }
    }

    /// The [contract §5](crate::contract) name of the kind, as in JSON's `type`.
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
            EventKind::AttributesChanged { .. } => "attributes_changed",
        }
    }

    /// True for the kinds that name something (a severity, a channel, a
    /// metric, a status, attributes or a zone) for the policy to check.
    pub(crate) fn takes_keys(&self) -> bool {
        !matches!(
            self,
            EventKind::Acknowledged
                | EventKind::Responded
                | EventKind::Updated
                | EventKind::WaitingOnCustomer
                | EventKind::CustomerReplied
                | EventKind::Resolved
                | EventKind::Reopened
                | EventKind::Closed
        )
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
            EventKind::AttributesChanged { .. } => 12,
        }
    }

    /// The kind named `name`, with its keys taken from `fields`; `KEYS`
    /// has already checked that each key it requires is there.
    fn from_fields(name: &str, fields: &mut Fields) -> Option<EventKind> {
        if name == "created" {
            return Some(EventKind::Created {
                severity: fields.take("severity")?,
                channel: fields.take("channel")?,
                attributes: fields
                    .take_map("attributes")
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v?)))
                    .collect(),
                customer_zone: fields.take("customer_zone"),
            });
        }
        if name == "attributes_changed" {
            return Some(EventKind::AttributesChanged {
                attributes: fields.take_map("attributes"),
                customer_zone: fields.take("customer_zone"),
            });
        }
        let mut take = |key: &str| fields.take(key);
        Some(match name {
            "acknowledged" => EventKind::Acknowledged,
            "responded" => EventKind::Responded,
            "updated" => EventKind::Updated,
            "severity_changed" => EventKind::SeverityChanged {
                severity: take("severity")?,
            },
            "waiting_on_customer" => EventKind::WaitingOnCustomer,
            "customer_replied" => EventKind::CustomerReplied,
            "target_agreed" => EventKind::TargetAgreed {
                metric: take("metric")?,
                target: take("target")?,
            },
            "resolved" => EventKind::Resolved,
            "reopened" => EventKind::Reopened,
            "closed" => EventKind::Closed,
            "status_changed" => EventKind::StatusChanged {
                status: take("status")?,
            },
            _ => return None,
        })
    }
}

/// Each event type with the keys it requires besides `at` and `type`: the
/// one table to extend with a new type (with its arm in
/// `EventKind::from_fields`). [`OPTIONAL`] lists the keys a type may take.
const KEYS: [(&str, &[&str]); 13] = [
    ("created", &["severity", "channel"]),
    ("acknowledged", &[]),
    ("responded", &[]),
    ("updated", &[]),
    ("severity_changed", &["severity"]),
    ("waiting_on_customer", &[]),
    ("customer_replied", &[]),
    ("target_agreed", &["metric", "target"]),
    ("resolved", &[]),
    ("reopened", &[]),
    ("closed", &[]),
    ("status_changed", &["status"]),
    ("attributes_changed", &["attributes"]),
];

/// The keys an event type may take without requiring them.
const OPTIONAL: [(&str, &[&str]); 2] = [
    ("created", &["attributes", "customer_zone"]),
    ("attributes_changed", &["customer_zone"]),
];

/// The key whose value is an object of strings rather than a string.
const OBJECT_KEY: &str = "attributes";

/// Most attributes one event may carry, and the longest attribute name or
/// value: attributes are ids to match, not documents.
pub(crate) const MAX_ATTRIBUTES: usize = 64;
pub(crate) const MAX_ATTRIBUTE_LEN: usize = 256;

/// The keys of an event so far: known keys with string values, and the
/// first key no event type takes (later ones are skipped, so memory stays
/// bounded by the known keys).
#[derive(Default)]
struct Fields {
    known: Vec<(&'static str, Value)>,
    unknown: Option<String>,
}

impl Fields {
    fn take(&mut self, key: &str) -> Option<String> {
        let i = self.known.iter().position(|(k, _)| *k == key)?;
        match self.known.swap_remove(i).1 {
            Value::Str(s) => Some(s),
            Value::Map(_) | Value::Other(_) => None,
        }
    }

    fn take_map(&mut self, key: &str) -> BTreeMap<String, Option<String>> {
        let Some(i) = self.known.iter().position(|(k, _)| *k == key) else {
            return BTreeMap::new();
        };
        match self.known.swap_remove(i).1 {
            Value::Map(m) => m,
            Value::Str(_) | Value::Other(_) => BTreeMap::new(),
        }
    }
}

/// An event's value: every key takes a string, `attributes` an object of
/// strings (or nulls); anything else is named in the error.
enum Value {
    Str(String),
    Map(BTreeMap<String, Option<String>>),
    Other(&'static str),
}

/// The attributes object: string keys to strings or nulls, at most
/// [`MAX_ATTRIBUTES`] of them.
struct Attributes(BTreeMap<String, Option<String>>);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Attributes, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"an object of strings such as {"tier": "premium"}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let fail = |message: String| <A::Error as de::Error>::custom(shorten(&message));
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Option<Value>>()?;
                    let value = match value {
                        None => None,
                        Some(Value::Str(s)) => Some(s),
                        Some(Value::Map(_)) => {
                            return Err(fail(format!(
                                "attribute {key:?} is an object: expected a string, or null to remove it"
                            )));
                        }
                        Some(Value::Other(what)) => {
                            return Err(fail(format!(
                                "attribute {key:?} is {what}: expected a string, or null to remove it"
                            )));
                        }
                    };
                    for text in std::iter::once(&key).chain(value.as_ref()) {
                        if text.chars().count() > MAX_ATTRIBUTE_LEN {
                            return Err(fail(format!(
                                "attribute {key:?} is longer than {MAX_ATTRIBUTE_LEN} characters: expected an id such as \"premium\""
                            )));
                        }
                    }
                    if out.insert(key.clone(), value).is_some() {
                        return Err(fail(format!("attribute {key:?} given twice: expected each once")));
                    }
                    if out.len() > MAX_ATTRIBUTES {
                        return Err(fail(format!(
                            "more than {MAX_ATTRIBUTES} attributes: expected at most {MAX_ATTRIBUTES}"
                        )));
                    }
                }
                Ok(Attributes(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
                Ok(Value::Str(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
                Ok(Value::Other("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
                Ok(Value::Other("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
                Ok(Value::Other("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
                Ok(Value::Other("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other("null"))
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other("null"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Value::Other("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Value::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// `at`, `type` and every key some event type takes.
fn is_known(key: &str) -> Option<&'static str> {
    ["at", "type"]
        .into_iter()
        .chain(
            KEYS.iter()
                .chain(&OPTIONAL)
                .flat_map(|(_, keys)| keys.iter().copied()),
        )
        .find(|k| *k == key)
}

/// The optional keys of event type `name`.
fn optional(name: &str) -> &'static [&'static str] {
    OPTIONAL
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, keys)| keys)
}

fn expected_keys(name: &str, keys: &[&str]) -> String {
    let mut all = vec!["at", "type"];
    all.extend_from_slice(keys);
    let mut text = all.join(", ");
    let optional = optional(name);
    if !optional.is_empty() {
        text.push_str(&format!(" (optional: {})", optional.join(", ")));
    }
    text
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        d.deserialize_map(EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an event such as {"at": "2026-11-23T09:00:00-05:00", "type": "resolved"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let fail = |message: String| <A::Error as de::Error>::custom(shorten(&message));
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<String>()? {
            let Some(known) = is_known(&key) else {
                map.next_value::<IgnoredAny>()?;
                if fields.unknown.is_none() {
                    fields.unknown = Some(key);
                }
                continue;
            };
            if fields.known.iter().any(|(k, _)| *k == known) {
                return Err(fail(format!("duplicate key {key:?}: expected each key once")));
            }
            let value = if known == OBJECT_KEY {
                Value::Map(map.next_value::<Attributes>()?.0)
            } else {
                map.next_value::<Value>()?
            };
            if let Value::Other(what) = value {
                return Err(fail(format!("key {key:?} is {what}: expected a string")));
            }
            fields.known.push((known, value));
        }
        let types = || EVENT_KINDS.join(", ");
        let Some(name) = fields.take("type") else {
            return Err(match &fields.unknown {
                Some(key) => fail(format!(
                    "unknown key {key:?}, and no key \"type\": expected at, type and the keys of the event type"
                )),
                None => fail(format!("missing key \"type\": expected one of {}", types())),
            });
        };
        let Some((name, keys)) = KEYS.iter().find(|(n, _)| *n == name) else {
            return Err(fail(format!(
                "unknown event type {name:?}: expected one of {}",
                types()
            )));
        };
        if let Some(key) = &fields.unknown {
            return Err(fail(format!(
                "unknown key {key:?} in a {name} event: expected {}",
                expected_keys(name, keys)
            )));
        }
        if let Some((key, _)) = fields
            .known
            .iter()
            .find(|(k, _)| *k != "at" && !keys.contains(k) && !optional(name).contains(k))
        {
            return Err(fail(format!(
                "key {key:?} does not belong in a {name} event: expected {}",
                expected_keys(name, keys)
            )));
        }
        for key in ["at"].iter().chain(keys.iter()) {
            if !fields.known.iter().any(|(k, _)| k == key) {
                return Err(fail(format!(
                    "missing key {key:?} in a {name} event: expected {}",
                    expected_keys(name, keys)
                )));
            }
        }
        let at = fields.take("at").unwrap_or_default();
        let at = instant_of_text(&at).map_err(|m| fail(format!("key \"at\": {m}")))?;
        let kind = EventKind::from_fields(name, &mut fields)
            .ok_or_else(|| fail(format!("event type {name:?} is not readable")))?;
        Ok(Event { at, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::WAITING;

    #[test]
    fn every_event_name_has_its_keys() {
        let names: Vec<&str> = KEYS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, EVENT_KINDS);
    }

    #[test]
    fn bits_follow_the_policy_list_of_kinds() {
        let s = || String::new();
        let kinds = [
            EventKind::created(s(), s()),
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
            EventKind::AttributesChanged {
                attributes: BTreeMap::new(),
                customer_zone: None,
            },
        ];
        assert_eq!(kinds.len(), EVENT_KINDS.len());
        for k in &kinds {
            assert_eq!(EVENT_KINDS[k.bit() as usize], k.name());
        }
        assert_eq!(EventKind::WaitingOnCustomer.bit(), WAITING);
    }
}
