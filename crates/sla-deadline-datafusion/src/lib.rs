//! SLA deadlines as SQL functions for Apache DataFusion, registered with
//! one call ([`register`]) for one policy region:
//!
//! | function | returns |
//! |---|---|
//! | `sla_business_seconds(a, b)` | Int64: business seconds from `a` to `b` |
//! | `sla_add_business(ts, seconds)` | `ts` plus `seconds` (Int64) of business time |
//! | `sla_add_business_days(ts, n)` | `ts` plus `n` (Int64) business days, in the policy's `business_days` mode |
//! | `sla_next_open(ts)` | the first open instant at or after `ts` |
//! | `sla_report(at, type, severity, channel [, status, metric, target, customer_zone, attributes])` | aggregate: the ticket's report, a list of structs `{metric, status, due_at, elapsed_s, remaining_s, breached_by_s, error}` |
//!
//! Timestamps may have any unit and zone; results keep them. Values the
//! calendar cannot answer (outside its horizon, a negative duration) are
//! nulls, as in [`sla_deadline_arrow`], whose kernels these functions call.
//! `sla_report` is an aggregate over a ticket's event rows (`GROUP BY
//! ticket_id`); the events are ordered by instant by the engine, as
//! [`sla_deadline::evaluate`] does, and an invalid ticket gives one struct
//! with its `error`. The first four arguments are required; the other
//! keys an event may carry follow in this order, each optional after the
//! previous one: `status` (of `status_changed`), `metric` and `target` (of
//! `target_agreed`), `customer_zone` and `attributes` (a JSON object of
//! strings, of `created` and `attributes_changed`), as in the Arrow
//! kernel's events table. A key an event type does not take is ignored,
//! so a table can carry every column on every row. Keys are text: Utf8,
//! LargeUtf8, Utf8View, or a dictionary of one of them (decoded as it is
//! read).
//!
//! # Example
//! ```
//! # tokio_test();
//! # fn tokio_test() {
//! # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # rt.block_on(async {
//! use datafusion::prelude::SessionContext;
//! use sla_deadline::Policy;
//!
//! let ctx = SessionContext::new();
//! let policy = Policy::builtin("ol-care").unwrap();
//! sla_deadline_datafusion::register(&ctx, &policy, "americas").unwrap();
//! let df = ctx
//!     .sql("SELECT sla_business_seconds(TIMESTAMP '2026-11-20T16:00:00Z', TIMESTAMP '2026-11-23T16:00:00Z') AS s")
//!     .await
//!     .unwrap();
//! let batches = df.collect().await.unwrap();
//! let s = batches[0].column(0).as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap();
//! assert_eq!(s.value(0), 11 * 3600); // Toronto 09:00-20:00: 9 h Friday, 2 h Monday
//! # });
//! # }
//! ```

mod calendar;
mod report;

use std::sync::Arc;

use datafusion::error::Result;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;
use sla_deadline::Policy;

/// Registers the `sla_*` functions of `region` of `policy` with `ctx`.
///
/// # Errors
/// An unknown region.
pub fn register(ctx: &SessionContext, policy: &Policy, region: &str) -> Result<()> {
    let calendar = Arc::new(
        policy
            .region(region)
            .map_err(|e| datafusion::error::DataFusionError::Plan(e.to_string()))?
            .calendar()
            .clone(),
    );
    let key = format!("{}/{region}", policy.id());
    for udf in calendar::all(&key, &calendar, policy.options().day_mode()) {
        ctx.register_udf(ScalarUDF::from(udf));
    }
    ctx.register_udaf(AggregateUDF::from(report::Report::new(
        policy.clone(),
        region.to_string(),
    )));
    Ok(())
}
