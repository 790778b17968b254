//! Support-desk SLA deadlines in business time.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod holiday;
mod hours;
mod zone;

pub use crate::error::{Error, Location, Result};
pub use crate::holiday::{Holiday, HolidaySet};
pub use crate::hours::{LocalSpan, WeeklyHours};
pub use crate::zone::Zone;
