//! The batch kernel on columns of a million rows, Arrow in and out:
//! `cargo bench -p sla-deadline-arrow`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampSecondArray};
use criterion::{Criterion, criterion_group, criterion_main};
use sla_deadline::Policy;
use sla_deadline_arrow::{business_time_between, ticket_reports};

/// A deterministic spread of instants over 2026-2027 (xorshift).
fn instants(n: usize, seed: u64) -> Vec<i64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            1_767_225_600 + (x % (2 * 365 * 86_400)) as i64
        })
        .collect()
}

fn kernel(c: &mut Criterion) {
    let policy = Policy::builtin("ol-care").expect("policy");
    let calendar = policy.region("americas").expect("region").calendar().clone();
    let a = TimestampSecondArray::from(instants(1_000_000, 0x9E37_79B9_7F4A_7C15));
    let b: Vec<i64> = a
        .values()
        .iter()
        .zip(instants(1_000_000, 0xD1B5_4A32_D192_ED03))
        .map(|(x, d)| x + d % (30 * 86_400))
        .collect();
    let b = TimestampSecondArray::from(b);
    let mut group = c.benchmark_group("arrow");
    group.sample_size(20);
    group.bench_function("business_time_between/1M", |bench| {
        bench.iter(|| {
            business_time_between(black_box(&calendar), black_box(&a), black_box(&b)).expect("kernel")
        })
    });

    // 1 000 000 tickets of six events (created, acknowledged, responded,
    // updated, a wait and the reply), rows in ticket order.
    let n = 1_000_000usize;
    let starts = instants(n, 0x2545_F491_4F6C_DD1D);
    let offsets = [0i64, 60, 1800, 88_200, 90_000, 194_400];
    let types = [
        "created",
        "acknowledged",
        "responded",
        "updated",
        "waiting_on_customer",
        "customer_replied",
    ];
    let mut ids = Vec::with_capacity(n * 6);
    let mut at = Vec::with_capacity(n * 6);
    let mut kind = Vec::with_capacity(n * 6);
    let mut severity = Vec::with_capacity(n * 6);
    let mut channel = Vec::with_capacity(n * 6);
    for (t, start) in starts.iter().enumerate() {
        for (k, off) in offsets.iter().enumerate() {
            ids.push(t as i64);
            at.push(start + off);
            kind.push(types[k]);
            severity.push((k == 0).then_some(["P1", "P2", "P3", "P4"][t % 4]));
            channel.push((k == 0).then_some(["phone", "email", "web"][t % 3]));
        }
    }
    let events = RecordBatch::try_from_iter([
        ("ticket_id", Arc::new(Int64Array::from(ids)) as ArrayRef),
        ("at", Arc::new(TimestampSecondArray::from(at)) as ArrayRef),
        ("type", Arc::new(StringArray::from(kind)) as ArrayRef),
        ("severity", Arc::new(StringArray::from(severity)) as ArrayRef),
        ("channel", Arc::new(StringArray::from(channel)) as ArrayRef),
    ])
    .expect("batch");
    group.sample_size(10);
    group.bench_function("ticket_reports/1M_tickets", |bench| {
        bench.iter(|| {
            ticket_reports(black_box(&policy), "americas", black_box(&events), None).expect("reports")
        })
    });
    group.finish();
}

criterion_group!(benches, kernel);
criterion_main!(benches);
