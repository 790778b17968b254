//! Support-desk SLA deadlines in business time.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod calendar;
mod error;
mod holiday;
mod hours;
mod policy;
mod report;
mod target;
mod ticket;
mod zone;

pub use crate::calendar::{Calendar, CalendarSpec, ClosedDay, DayMode};
pub use crate::error::{Error, Location, Result};
pub use crate::holiday::{Holiday, HolidaySet};
pub use crate::hours::{LocalSpan, WeeklyHours};
pub use crate::policy::{
    Channel, ClockKind, Metric, OnReopen, Options, Policy, Region, Severity, SeverityChange,
};
pub use crate::report::{MetricReport, Report, Status, ThresholdCrossing};
pub use crate::target::Target;
pub use crate::ticket::{Event, EventKind, Ticket, evaluate};
pub use crate::zone::Zone;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
