//! The DataFusion side of `scripts/at-scale.py`:
//!
//! ```text
//! cargo run --release -p sla-deadline-datafusion --example at_scale -- generate TICKETS EVENTS.parquet
//! cargo run --release -p sla-deadline-datafusion --example at_scale -- report EVENTS.parquet REPORTS.parquet
//! ```
//!
//! `generate` writes the seeded synthetic tickets of the compliance
//! example; `report` turns an events file into one row per ticket and
//! metric with `sla_report` in SQL, writes it, and prints the seconds it
//! took.

use std::time::Instant;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use sla_deadline::Policy;

#[path = "common/generate.rs"]
mod generate;

const REPORTS: &str = "
SELECT ticket_id,
       m['metric'] AS metric, m['status'] AS status, m['due_at'] AS due_at,
       m['elapsed_s'] AS elapsed_s, m['remaining_s'] AS remaining_s,
       m['breached_by_s'] AS breached_by_s, m['error'] AS error
FROM (SELECT ticket_id, unnest(sla_report(at, type, severity, channel)) AS m
      FROM events GROUP BY ticket_id)
";

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || DataFusionError::Plan("usage: at_scale generate TICKETS FILE | report EVENTS OUT".into());
    let ctx = SessionContext::new();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", n, file] => {
            let n: usize = n.parse().map_err(|_| usage())?;
            ctx.read_batch(generate::events(n, 2026))?
                .write_parquet(
                    file,
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    None,
                )
                .await?;
        }
        ["report", events, out] => {
            let policy = Policy::builtin("ol-care").map_err(|e| DataFusionError::External(Box::new(e)))?;
            sla_deadline_datafusion::register(&ctx, &policy, "americas")?;
            ctx.register_parquet("events", *events, ParquetReadOptions::default())
                .await?;
            let started = Instant::now();
            ctx.sql(REPORTS)
                .await?
                .write_parquet(
                    out,
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    None,
                )
                .await?;
            println!("{:.3}", started.elapsed().as_secs_f64());
        }
        _ => return Err(usage()),
    }
    Ok(())
}
