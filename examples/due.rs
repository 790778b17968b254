//! The deadlines of a new ticket, through the library: an OL Care P1 phone
//! ticket opened on Friday 2026-11-20 at 16:30 in Montreal.
//!
//! ```text
//! cargo run --example due
//! ```
//!
//! (For any ticket from the command line, see the `sla-deadline` tool:
//! `cargo run --release --features cli -- due --help`.)

use sla_deadline::{Event, EventKind, Policy, Ticket};

fn main() -> Result<(), sla_deadline::Error> {
    // Parsed once per process; a `Policy` is a cheap shared handle.
    let policy = Policy::builtin("ol-care")?;
    let created = Event::new(
        "2026-11-20T16:30:00-05:00".parse().expect("an RFC 3339 instant"),
        EventKind::created("P1", "phone"),
    );
    let ticket = Ticket::open(&policy, "americas", created)?;
    // As of the latest event: here, the creation.
    let report = ticket.report(None)?;
    println!(
        "{} ticket in {} ({}):",
        report.severity, report.region, report.timezone
    );
    for metric in &report.metrics {
        let target = metric.target.as_ref().map_or("-".to_string(), |t| t.to_string());
        match metric.due_local {
            Some(due) => println!("  {:<16} {target:<4} due {due}", metric.metric),
            None => println!("  {:<16} {target:<4} {}", metric.metric, metric.status),
        }
    }
    // Why the resolution is due when it is, line by line.
    if let Some(resolution) = report.metric("resolution") {
        for line in &resolution.explanation {
            println!("    {line}");
        }
    }
    Ok(())
}
