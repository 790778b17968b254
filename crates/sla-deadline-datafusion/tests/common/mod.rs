//! What the test binaries share: reading report rows back.

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{Int64Type, TimestampSecondType};
use sla_deadline::Report;

/// ticket, metric, status, due_at, elapsed_s, remaining_s, breached_by_s, error.
pub type Entry = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// The entries of a report query's batches.
pub fn entries(batches: &[RecordBatch]) -> Vec<Entry> {
    let mut got = Vec::new();
    for b in batches {
        let s = |c: &str| b.column_by_name(c).expect(c).as_string::<i32>().clone();
        let n = |c: &str| b.column_by_name(c).expect(c).as_primitive::<Int64Type>().clone();
        let (id, metric, status, error) = (s("ticket_id"), s("metric"), s("status"), s("error"));
        let due = b
            .column_by_name("due_at")
            .expect("due")
            .as_primitive::<TimestampSecondType>()
            .clone();
        let (el, re, br) = (n("elapsed_s"), n("remaining_s"), n("breached_by_s"));
        let text = |a: &StringArray, i: usize| (!a.is_null(i)).then(|| a.value(i).to_string());
        let num = |a: &dyn Array, i: usize, v: i64| (!a.is_null(i)).then_some(v);
        for i in 0..b.num_rows() {
            got.push((
                id.value(i).to_string(),
                text(&metric, i),
                text(&status, i),
                num(&due, i, due.value(i)),
                num(&el, i, el.value(i)),
                num(&re, i, re.value(i)),
                num(&br, i, br.value(i)),
                text(&error, i),
            ));
        }
    }
    got
}

/// The entries `report` gives for `ticket`: one per metric, from its figures.
pub fn expected(ticket: &str, report: &Report) -> Vec<Entry> {
    report
        .metrics
        .iter()
        .map(|m| {
            let f = m.figures();
            (
                ticket.to_string(),
                Some(m.metric.clone()),
                Some(m.status.to_string()),
                f.due_at,
                f.elapsed,
                f.remaining,
                f.breached_by,
                None,
            )
        })
        .collect()
}
