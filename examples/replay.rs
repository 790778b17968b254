//! A ticket's life, event by event, through the library: a ticket opened,
//! waiting on the customer, answered; its report after each event, then
//! stored as JSON and read back.
//!
//! ```text
//! cargo run --example replay [TICKET.json]
//! ```
//!
//! TICKET.json, if given, is a list of events such as
//! `[{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}]`
//! (an OL Care ticket in the Americas region). For a whole ticket file
//! from the command line, see `cargo run --release --features cli -- replay --help`.

use sla_deadline::{Event, Policy, Report, Ticket};

const SAMPLE: &str = r#"[
  {"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"},
  {"at": "2026-11-23T09:40:00-05:00", "type": "responded"},
  {"at": "2026-11-24T10:00:00-05:00", "type": "waiting_on_customer"},
  {"at": "2026-11-25T15:00:00-05:00", "type": "customer_replied"}
]"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => SAMPLE.to_string(),
    };
    let mut events: Vec<Event> = serde_json::from_str(&text)?;
    if events.is_empty() {
        return Err("no events: expected a created event first".into());
    }
    let policy = Policy::builtin("ol-care")?;
    let mut ticket = Ticket::open(&policy, "americas", events.remove(0))?;
    for event in events {
        let kind = event.kind.name();
        // An event the ticket cannot take is refused; the ticket is unchanged.
        if let Err(e) = ticket.apply(event) {
            println!("refused: {e}");
            continue;
        }
        let report = ticket.report(None)?;
        println!("after {kind}:");
        for m in &report.metrics {
            let due = m.due_local.map_or("-".to_string(), |d| d.to_rfc3339());
            println!("  {:<16} {:<15} due {due}", m.metric, m.status.to_string());
        }
    }
    // A report can be stored or sent, and read back.
    let report = ticket.report(None)?;
    let stored = serde_json::to_string(&report)?;
    let read_back: Report = serde_json::from_str(&stored)?;
    assert_eq!(read_back, report);
    println!("report stored as {} bytes of JSON and read back", stored.len());
    Ok(())
}
