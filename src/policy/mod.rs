//! Policies: one vendor's SLA rules as data (SPEC 4).
//!
//! Pipeline: TOML text -> raw serde structs (`raw`) -> validated model
//! (`model`, this module's public types) with compiled calendars.

mod model;

pub use self::model::{
    Channel, ClockKind, Metric, OnReopen, Options, Policy, Region, Severity, SeverityChange,
};
