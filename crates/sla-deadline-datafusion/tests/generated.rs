//! Every batch path equals the core crate's `evaluate` row for row on the
//! generated tickets the examples and the benchmark use: the Arrow kernel's
//! `ticket_reports`, and `sla_report` in SQL over two partitions (so that
//! tickets split between them merge).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::TimestampMillisecondType;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use sla_deadline::{Event, EventKind, Policy, evaluate};

mod common;
use common::{Entry, entries, expected as expected_entries};

#[path = "../examples/common/generate.rs"]
#[allow(dead_code)]
mod generate;

const TICKETS: usize = 3_000;

/// What the core crate says, reading the table by hand (not through the
/// kernel's own row reader).
fn expected(policy: &Policy, batch: &RecordBatch) -> Vec<Entry> {
    let text = |name: &str| batch.column_by_name(name).expect(name).as_string::<i32>().clone();
    let (id, kind, severity, channel) = (text("ticket_id"), text("type"), text("severity"), text("channel"));
    let at = batch
        .column_by_name("at")
        .expect("at")
        .as_primitive::<TimestampMillisecondType>()
        .clone();
    let mut tickets: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for i in 0..batch.num_rows() {
        let when = DateTime::from_timestamp(at.value(i).div_euclid(1000), 0).expect("instant");
        let k = match kind.value(i) {
            "created" => EventKind::created(severity.value(i), channel.value(i)),
            "acknowledged" => EventKind::Acknowledged,
            "responded" => EventKind::Responded,
            "updated" => EventKind::Updated,
            "waiting_on_customer" => EventKind::WaitingOnCustomer,
            "customer_replied" => EventKind::CustomerReplied,
            "resolved" => EventKind::Resolved,
            "reopened" => EventKind::Reopened,
            other => panic!("the generator wrote {other}"),
        };
        tickets
            .entry(id.value(i).to_string())
            .or_default()
            .push(Event::new(when, k));
    }
    let mut rows = Vec::new();
    for (ticket, events) in &tickets {
        let report = evaluate(policy, "americas", events, None).expect("generated tickets are valid");
        rows.extend(expected_entries(ticket, &report));
    }
    rows.sort();
    rows
}

/// The rows of a report table, sorted; none may be an error row.
fn read(batches: &[RecordBatch]) -> Vec<Entry> {
    let mut rows = entries(batches);
    if let Some(bad) = rows.iter().find(|r| r.7.is_some()) {
        panic!("{bad:?}");
    }
    rows.sort();
    rows
}

#[test]
fn the_kernel_equals_evaluate_on_generated_tickets() {
    let policy = Policy::builtin("ol-care").expect("policy");
    let batch = generate::events(TICKETS, 11);
    let want = expected(&policy, &batch);
    assert_eq!(want.len(), TICKETS * policy.metrics().len());
    let out = sla_deadline_arrow::ticket_reports(&policy, "americas", &batch, None).expect("reports");
    assert_eq!(read(&[out]), want);
}

#[tokio::test]
async fn sla_report_equals_evaluate_on_generated_tickets() {
    let policy = Policy::builtin("ol-care").expect("policy");
    let batch = generate::events(TICKETS, 12);
    let want = expected(&policy, &batch);
    // Two partitions cut mid-ticket: the partial aggregates merge.
    let half = batch.num_rows() / 2 + 3;
    let (a, b) = (batch.slice(0, half), batch.slice(half, batch.num_rows() - half));
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    sla_deadline_datafusion::register(&ctx, &policy, "americas").expect("register");
    let table = MemTable::try_new(batch.schema(), vec![vec![a], vec![b]]).expect("table");
    ctx.register_table("events", Arc::new(table)).expect("register");
    let out = ctx
        .sql(
            "SELECT ticket_id, m['metric'] AS metric, m['status'] AS status, m['due_at'] AS due_at,
                    m['elapsed_s'] AS elapsed_s, m['remaining_s'] AS remaining_s,
                    m['breached_by_s'] AS breached_by_s, m['error'] AS error
             FROM (SELECT ticket_id, unnest(sla_report(at, type, severity, channel)) AS m
                   FROM events GROUP BY ticket_id)",
        )
        .await
        .expect("plan")
        .collect()
        .await
        .expect("run");
    assert_eq!(read(&out), want);
}
