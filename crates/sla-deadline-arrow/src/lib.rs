//! Batch SLA deadlines over Apache Arrow: the business-time functions of
//! one region's calendar over columns ([`business_time_between`],
//! [`add_business`], [`add_business_days`], [`next_open`]) and ticket
//! reports from a long-form events table ([`ticket_reports`]).
//!
//! Every value comes from the core crate ([`sla_deadline`]): a kernel's
//! output equals, row for row, what the core crate's `Calendar` methods
//! and [`sla_deadline::evaluate`] give (tests/agree.rs checks it). Ticket
//! reports are computed by [`sla_deadline::Batch::figures_at`] (what
//! [`sla_deadline::evaluate_figures`] gives: the report without its
//! explanation) from the events read into [`Events`], kinds beside their
//! Unix seconds, and written by [`ReportColumns`], which the
//! DataFusion crate shares. Nulls in
//! give nulls out; a value the calendar cannot answer gives a null and is
//! counted ([`Column`]); an invalid ticket gives an error row. Nothing here
//! panics on the data.

mod calendar;
mod columns;
mod tickets;

pub use crate::calendar::{Column, add_business, add_business_days, business_time_between, next_open};
pub use crate::columns::ReportColumns;
pub use crate::tickets::{EventKeys, Events, event, ticket_reports};

/// A call the kernel cannot run: wrong column types or lengths, a missing
/// column. Bad values inside the columns are not errors (see [`Column`]).
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// An argument or column of the wrong Arrow type.
    #[error("{argument}: expected {expected}, found {found}")]
    Type {
        /// The argument or column.
        argument: &'static str,
        /// What it should be.
        expected: &'static str,
        /// Its Arrow type.
        found: String,
    },
    /// Two columns of different lengths.
    #[error("columns of different lengths ({left} and {right} rows): expected equal lengths")]
    Length {
        /// The first column's length.
        left: usize,
        /// The second column's length.
        right: usize,
    },
    /// A required column is missing from the events table.
    #[error("missing column `{column}` in the events table")]
    Missing {
        /// Its name.
        column: &'static str,
    },
    /// Arrow refused to assemble the output.
    #[error("arrow: {0}")]
    Arrow(String),
}
