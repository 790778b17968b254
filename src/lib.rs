//! Support-desk SLA deadlines in business time.
//!
//! A [`Policy`] (a TOML file; two real ones are built in) describes regions
//! with their business [`Calendar`]s, severities, channels and metrics. A
//! ticket's [`Event`]s fold into a [`Report`]: per metric its target, due
//! instant, status, budget and figures, with a readable explanation.
//! Batch paths that need only the figures call [`evaluate_figures`]: the
//! same [`Figures`] as the report's, about three times faster; a [`Batch`]
//! does so ticket after ticket, keeping its buffers between tickets, and
//! takes events apart as a table holds them, kinds beside their Unix
//! seconds ([`Batch::figures_at`]).
//!
//! ```
//! use sla_deadline::{evaluate, Event, EventKind, Policy};
//!
//! let policy = Policy::builtin("ol-care")?;
//! let created = Event::new(
//!     "2026-11-20T16:30:00-05:00".parse().unwrap(),
//!     EventKind::created("P1", "phone"),
//! );
//! let report = evaluate(&policy, "americas", &[created], None)?;
//! let resolution = report.metric("resolution").expect("an OL Care metric");
//! // Two business days, same business position: Tuesday 16:30.
//! assert_eq!(resolution.due_local.unwrap().to_rfc3339(), "2026-11-24T16:30:00-05:00");
//! # Ok::<(), sla_deadline::Error>(())
//! ```
//!
//! # Semantics
//!
//! The rules every result follows are written down in the [`contract`]
//! module (also `docs/contract.md`); the API docs cite it as "contract §N".
//! In short:
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
//! # Clocks
//!
//! Each metric of a policy has a clock that counts business time or every
//! second (a kind per severity if the policy says so). What starts, stops,
//! restarts and pauses it is the policy's data; the engine applies one
//! transition model to every event:
//!
//! 1. An event that is redundant (waiting while already waiting, resolving
//!    a resolved ticket, any event after `closed`...) is ignored with a
//!    warning.
//! 2. Otherwise the ticket changes (its status, resolved, severity,
//!    agreement) and every clock reacts in three steps: it pauses or
//!    resumes as its `pause_in` statuses say; the event's own effect
//!    applies (severity recompute or restart, agreement, `on_reopen` on a
//!    stopped clock); then its lists: a counting clock stops on `stop`, else
//!    starts a new cycle on `restart`; a clock not started yet, or stopped
//!    and repeating (`cycles = "repeat"`), starts on `start`.
//!
//! A clock stopped at s is met when s <= due and breached when s > due; a
//! running clock is breached once `as_of` passes its due instant. Reports
//! describe the current (or last) cycle and count the cycles. The policy
//! format, `policies/README.md`, lists each settled reading with the
//! redundant events.
//!
//! # Readings the contract settles
//!
//! Where a rule could be read two ways, [`contract`] takes one; the main ones:
//!
//! - Instants are taken to the whole second: sub-second parts (and a leap
//!   second's `:60`) are dropped as events are read or built, before they
//!   are sorted. Instants must lie in years 0000-9999 in UTC (RFC 3339
//!   cannot write others): events and `as_of` outside are errors, and so is
//!   a due instant computed past 9999, in UTC or in local time.
//! - Ticket events are read strictly: each type takes its own keys
//!   (`created`: `severity`, `channel`; `severity_changed`: `severity`;
//!   `target_agreed`: `metric`, `target`; `status_changed`: `status`; the
//!   others none, besides `at` and `type`), and an unknown or misplaced key
//!   is an error naming it.
//! - `due_local` is written with the zone's offset rounded to the minute
//!   when the offset has seconds (local mean time before about 1972, such as
//!   Monrovia's -00:44:30), so that its RFC 3339 text denotes exactly
//!   `due_at`.
//! - Horizons past 2099 are refused for zones that still change their
//!   clocks in 2099: the time zone data stops applying daylight saving
//!   there.
//! - `add_business_days(t, 0)` is `t` in same-time mode and the close of the
//!   first business date at or after `t` in end-of-day mode ("by close of
//!   business today").
//! - A clock stopped while paused (resolved during a wait) is `met` if its
//!   budget was not used up; it has no due instant, like any paused clock.
//! - `acknowledged` is redundant (a warning) when no metric that applies to
//!   the ticket's channel lists it, including policies with no
//!   acknowledgement metric at all.
//! - A target agreed for, or a severity change during, a stopped clock takes
//!   effect if that clock runs again (a reopened resolution); the explanation
//!   says so.
//! - A cycle takes its clock kind from the severity it starts at, agreed
//!   target or not; a severity change leaves an agreed cycle's kind alone.
//!   Agreeing business days for a metric that is calendar for some severity
//!   is an error naming the event, as such a target is in the policy file.
//! - `responded`/`updated` while resolved start and restart nothing, without
//!   a warning, but stop the clocks that list them in `stop`.
//! - Under the `restart` severity option, a fresh clock starts at the change,
//!   paused if the ticket is in a status that pauses it; the cycle it
//!   replaces counts as finished at the change.
//! - Warning instants use ceil(p x budget) computed with a 1e-9 tolerance so
//!   that 0.75 x 600 is 450, not 451 through floating-point noise.
//! - "Holidays skipped" lists the closed dates between a clock's start and its
//!   due instant that fall on days with weekly hours (a holiday on a Saturday
//!   skips nothing).
//!
//! # Cargo features
//!
//! - `toml` (default): policy files, [`Policy::builtin`], the policy
//!   builder and TOML holiday sets (the built-in policies and sets are
//!   TOML). Without it the crate is the business calendar alone:
//!   [`Zone`], [`WeeklyHours`], [`Calendar`] with dated exceptions, and
//!   iCalendar holiday sets if `ics` is on; `toml` is not compiled.
//! - `ics` (default): iCalendar (`.ics`) holiday files.
//! - `cli`: the `sla-deadline` command-line tool (clap, serde_json).
//!
//! # Limits
//!
//! Every input is bounded (the table is in `policies/README.md`): files are
//! read only if they are regular files, up to their limit (1 MiB for a
//! policy, 4 MiB for a holiday set); a policy holds at most 1000
//! severities, 100 metrics, 52 statuses, 1 000 000 targets and 4 000 000
//! open intervals over all its calendars; a ticket at most 10 000 events.
//! Error messages cut quoted values to 80 bytes and lists to 20 names, so
//! they stay short whatever the input.
#![forbid(unsafe_code)]
// Without the `toml` feature (and `ics`) nothing reads holiday rules or
// policy text, so parts of their models are built by no one.
#![cfg_attr(not(all(feature = "toml", feature = "ics")), allow(dead_code))]
#![deny(missing_docs)]

mod calendar;
pub mod contract;
mod error;
mod explain;
mod holiday;
mod hours;
mod input;
mod policy;
mod report;
mod target;
mod ticket;
mod zone;

/// The date-time crate of the API, re-exported so that callers use the
/// same version.
pub use chrono;
/// The IANA time zones ([`Zone`] converts from `chrono_tz::Tz`).
pub use chrono_tz;

pub use crate::calendar::{Calendar, CalendarSpec, ClosedDay, DayMode};
pub use crate::error::{Error, Location, Result};
pub use crate::explain::Note;
pub use crate::holiday::{Holiday, HolidaySet};
pub use crate::hours::{LocalSpan, WeeklyHours};
#[cfg(feature = "toml")]
pub use crate::policy::{BUILT_IN_CODE, MetricSpec, PolicyBuilder, RegionSpec, RuleSpec, TargetSpec};
pub use crate::policy::{
    Channel, ClockKind, Cycles, InForce, Metric, OnReopen, Options, Policy, Region, Rule, Severity,
    SeverityChange, TicketStatus,
};
pub use crate::report::{
    CycleReport, CycleSummary, Figures, MetricReport, Report, Status, ThresholdCrossing,
};
pub use crate::target::{Target, WrittenTarget};
pub use crate::ticket::{Batch, Event, EventKind, Ticket, evaluate, evaluate_figures};
pub use crate::zone::{Zone, parse_instant};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
