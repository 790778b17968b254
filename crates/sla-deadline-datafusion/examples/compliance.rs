//! SLA compliance by month and severity, in SQL over a Parquet file of
//! ticket events:
//!
//! ```text
//! cargo run -p sla-deadline-datafusion --example compliance [TICKETS] [FILE.parquet]
//! ```
//!
//! Writes TICKETS synthetic OL Care tickets (default 20 000, seeded, so the
//! same every run) to FILE (default `target/sla-events.parquet`), then asks
//! DataFusion, with the `sla_*` functions registered, how many resolutions
//! were met and breached each month per severity.

use std::time::Instant;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::error::Result;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use sla_deadline::Policy;

#[path = "common/generate.rs"]
mod generate;
use generate::events;

/// Resolution compliance per month and severity.
const COMPLIANCE: &str = "
WITH tickets AS (
    SELECT ticket_id,
           min(at) AS created,
           max(severity) AS severity,
           sla_report(at, type, severity, channel) AS metrics
    FROM events
    GROUP BY ticket_id
),
metrics AS (
    SELECT created, severity, unnest(metrics) AS m FROM tickets
)
SELECT date_trunc('month', created) AS month,
       severity,
       count(*) AS tickets,
       count(*) FILTER (WHERE m['status'] = 'met') AS met,
       count(*) FILTER (WHERE m['status'] = 'breached') AS breached,
       round(100.0 * count(*) FILTER (WHERE m['status'] = 'met') / count(*), 1) AS met_pct,
       count(*) FILTER (WHERE m['error'] IS NOT NULL) AS errors
FROM metrics
WHERE m['metric'] = 'resolution' OR m['error'] IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
";

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let tickets: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let path = args
        .next()
        .unwrap_or_else(|| "target/sla-events.parquet".to_string());

    let ctx = SessionContext::new();
    let started = Instant::now();
    ctx.read_batch(events(tickets, 2026))?
        .write_parquet(
            &path,
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await?;
    eprintln!("wrote {tickets} tickets to {path} in {:.1?}", started.elapsed());

    let policy =
        Policy::builtin("ol-care").map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
    sla_deadline_datafusion::register(&ctx, &policy, "americas")?;
    ctx.register_parquet("events", &path, ParquetReadOptions::default())
        .await?;
    let started = Instant::now();
    let result = ctx.sql(COMPLIANCE).await?;
    result.show().await?;
    eprintln!("compliance of {tickets} tickets in {:.1?}", started.elapsed());
    Ok(())
}
