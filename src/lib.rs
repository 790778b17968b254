//! Support-desk SLA deadlines in business time.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod calendar;
mod error;
mod holiday;
mod hours;
mod policy;
mod target;
mod zone;

pub use crate::calendar::{Calendar, CalendarSpec, ClosedDay, DayMode};
pub use crate::error::{Error, Location, Result};
pub use crate::holiday::{Holiday, HolidaySet};
pub use crate::hours::{LocalSpan, WeeklyHours};
pub use crate::policy::{
    Channel, ClockKind, Metric, OnReopen, Options, Policy, Region, Severity, SeverityChange,
};
pub use crate::target::Target;
pub use crate::zone::Zone;
