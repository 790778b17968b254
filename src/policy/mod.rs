//! Policies: one vendor's SLA rules as data ([contract §4](crate::contract)).
//!
//! Pipeline, one stage a module: TOML text -> raw serde structs that keep
//! every value's position (`raw`) -> checks and holiday sets -> the
//! validated model with compiled calendars (`load`, building `model`'s
//! types). `builtin` holds the public entry points and the embedded
//! policies. The file format is documented in `policies/README.md`.

#[cfg(feature = "toml")]
mod builder;
#[cfg(feature = "toml")]
mod builtin;
#[cfg(feature = "toml")]
mod load;
mod model;
#[cfg(feature = "toml")]
mod raw;
mod rule;
mod triggers;
mod zoned;

#[cfg(feature = "toml")]
pub use self::builder::{BUILT_IN_CODE, MetricSpec, PolicyBuilder, RegionSpec, RuleSpec, TargetSpec};
#[cfg(test)]
pub(crate) use self::model::{ByChannel, Lists, Parts, SharedIds, listeners};
pub use self::model::{
    Channel, ClockKind, Cycles, Metric, OnReopen, Options, Policy, Region, Severity, SeverityChange,
    TicketStatus,
};
pub(crate) use self::rule::CalendarChoice;
#[cfg(test)]
pub(crate) use self::rule::Dated;
pub use self::rule::{InForce, Rule};
pub(crate) use self::triggers::{EVENT_KINDS, Triggers, WAITING};
pub(crate) use self::zoned::{Key as ZonedKey, all_hours};
