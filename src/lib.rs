//! Support-desk SLA deadlines in business time.
//!
//! A [`Policy`] (a TOML file; two real ones are built in) describes regions
//! with their business [`Calendar`]s, severities, channels and metrics. A
//! ticket's [`Event`]s fold into a [`Report`]: per metric its target, due
//! instant, status, budget and figures, with a readable explanation.
//!
//! ```
//! use sla_deadline::{evaluate, Event, EventKind, Policy};
//!
//! let policy = Policy::builtin("ol-care")?;
//! let created = Event::new(
//!     "2026-11-20T16:30:00-05:00".parse().unwrap(),
//!     EventKind::Created { severity: "P1".into(), channel: "phone".into() },
//! );
//! let report = evaluate(&policy, "americas", &[created], None)?;
//! let resolution = &report.metrics[2];
//! assert_eq!(resolution.metric, "resolution");
//! // Two business days, same business position: Tuesday 16:30.
//! assert_eq!(resolution.due_local.unwrap().to_rfc3339(), "2026-11-24T16:30:00-05:00");
//! # Ok::<(), sla_deadline::Error>(())
//! ```
//!
//! # Semantics
//!
//! Everything is defined through B(x), the business seconds from a fixed
//! origin to instant x: it grows one second per second inside open intervals
//! and is flat elsewhere. `add_business(t, d)` is the *earliest* instant
//! u >= t with B(u) = B(t) + d, so a deadline that uses up a day exactly is due
//! at that day's closing instant. `add_business_days(t, n)` keeps the business
//! position of `next_open(t)` within its day, on the n-th business date after
//! it. Local times become instants in one place: a time in a DST gap maps to
//! the transition instant, a time in a fold to the earlier instant; business
//! time is real elapsed seconds.
//!
//! Clocks (SPEC 6): business clocks count business time, calendar clocks
//! every second; the metrics a policy lists pause while waiting on the
//! customer; a clock stopped at s is met when s <= due and breached when
//! s > due; a running clock is breached once `as_of` passes its due instant.
//!
//! # Choices where the contract is silent
//!
//! - Instants are taken to the whole second (sub-second parts are dropped).
//! - `add_business_days(t, 0)` is `t` in same-time mode and the close of the
//!   first business date at or after `t` in end-of-day mode ("by close of
//!   business today").
//! - A clock stopped while paused (resolved during a wait) is `met` if its
//!   budget was not used up; it has no due instant, like any paused clock.
//! - `acknowledged` is redundant (a warning) when no metric that it stops
//!   applies to the ticket's channel, including policies with no
//!   acknowledgement metric at all.
//! - A target agreed for, or a severity change during, a stopped clock takes
//!   effect if that clock runs again (a reopened resolution); the explanation
//!   says so.
//! - `responded`/`updated` while resolved do nothing, silently (SPEC 6 says
//!   they restart nothing; they are not in SPEC 5's list of redundant events).
//! - Under the `restart` severity option, a fresh clock starts at the change,
//!   paused if the ticket is waiting on the customer.
//! - Warning instants use ceil(p x budget) computed with a 1e-9 tolerance so
//!   that 0.75 x 600 is 450, not 451 through floating-point noise.
//! - "Holidays skipped" lists the closed dates between a clock's start and its
//!   due instant that fall on days with weekly hours (a holiday on a Saturday
//!   skips nothing).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod calendar;
mod error;
mod explain;
mod holiday;
mod hours;
mod policy;
mod report;
mod target;
mod ticket;
mod zone;

pub use crate::calendar::{Calendar, CalendarSpec, ClosedDay, DayMode};
pub use crate::error::{Error, Location, Result};
pub use crate::explain::Note;
pub use crate::holiday::{Holiday, HolidaySet};
pub use crate::hours::{LocalSpan, WeeklyHours};
pub use crate::policy::{
    Channel, ClockKind, Cycles, Metric, OnReopen, Options, Policy, Region, Severity, SeverityChange,
    TicketStatus,
};
pub use crate::report::{CycleReport, CycleSummary, MetricReport, Report, Status, ThresholdCrossing};
pub use crate::target::{Target, WrittenTarget};
pub use crate::ticket::{Event, EventKind, Ticket, evaluate};
pub use crate::zone::Zone;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
