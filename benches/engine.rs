//! Engine benchmarks: the report (and the figures alone) of a typical
//! six-event OL Care ticket, a
//! next-reply ticket of 20 cycles on the example desk, and a batch of
//! 100 000 tickets on one core.
//!
//! Run: `cargo bench --bench engine`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sla_deadline::{Batch, Event, EventKind, Policy, evaluate, evaluate_figures};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant literal")
}

/// Created, acknowledged, responded, updated, a wait and the reply: the
/// ticket of worked case 13.
fn typical(shift: Duration) -> Vec<Event> {
    let e = |s: &str, kind| Event::new(at(s) + shift, kind);
    vec![
        e("2026-11-23T14:00:00Z", EventKind::created("P2", "email")),
        e("2026-11-23T14:01:00Z", EventKind::Acknowledged),
        e("2026-11-23T14:30:00Z", EventKind::Responded),
        e("2026-11-24T14:45:00Z", EventKind::Updated),
        e("2026-11-24T15:00:00Z", EventKind::WaitingOnCustomer),
        e("2026-11-25T20:00:00Z", EventKind::CustomerReplied),
    ]
}

fn engine(c: &mut Criterion) {
    let policy = Policy::builtin("ol-care").expect("built-in policy");
    let events = typical(Duration::zero());
    let as_of = Some(at("2026-11-25T21:00:00Z"));
    c.bench_function("report/typical_6_events", |b| {
        b.iter(|| evaluate(&policy, black_box("americas"), black_box(&events), as_of).expect("report"))
    });
    // The same ticket's figures alone, the batch path.
    let mut figures = Vec::new();
    c.bench_function("figures/typical_6_events", |b| {
        b.iter(|| {
            figures.clear();
            evaluate_figures(
                &policy,
                black_box("americas"),
                black_box(&events),
                as_of,
                &mut figures,
            )
            .expect("figures");
            black_box(figures.len())
        })
    });

    // Next reply time: 20 customer messages, each answered, with a vendor
    // hold in between, on the example desk (policies/examples/saas-desk.toml).
    let desk = Policy::from_path("policies/examples/saas-desk.toml").expect("example policy");
    let mut chat = vec![Event::new(
        at("2026-03-02T09:00:00Z"),
        EventKind::created("P2", "chat"),
    )];
    let mut t = at("2026-03-02T09:30:00Z");
    for i in 0..20 {
        chat.push(Event::new(t, EventKind::Responded));
        t += Duration::minutes(if i % 2 == 0 { 50 } else { 170 });
        chat.push(Event::new(t, EventKind::CustomerReplied));
        t += Duration::minutes(40);
    }
    chat.push(Event::new(
        t,
        EventKind::StatusChanged {
            status: "pending_vendor".into(),
        },
    ));
    assert_eq!(
        evaluate(&desk, "emea", &chat, None).expect("report").metrics[1]
            .cycles
            .count,
        20
    );
    c.bench_function("report/next_reply_20_cycles", |b| {
        b.iter(|| evaluate(&desk, black_box("emea"), black_box(&chat), None).expect("report"))
    });

    // 100 000 tickets spread over two years, evaluated one after another.
    let tickets: Vec<Vec<Event>> = (0..100_000)
        .map(|i| typical(Duration::minutes(i * 7 % (600 * 24 * 60))))
        .collect();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.bench_function("100k_tickets", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut breached = 0usize;
                for events in &tickets {
                    let r = evaluate(&policy, "americas", events, None).expect("report");
                    breached += r.metrics.iter().filter(|m| m.breached_by.is_some()).count();
                }
                black_box(breached)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("100k_tickets_figures", |b| {
        let mut figures = Vec::new();
        b.iter(|| {
            let mut breached = 0usize;
            for events in &tickets {
                figures.clear();
                evaluate_figures(&policy, "americas", events, None, &mut figures).expect("figures");
                breached += figures.iter().filter(|f| f.breached_by.is_some()).count();
            }
            black_box(breached)
        })
    });
    // The same through one Batch, as the Arrow kernel and the SQL
    // aggregate run it: the engine alone, without Arrow.
    group.bench_function("100k_tickets_batch", |b| {
        let mut figures = Vec::new();
        let mut batch = Batch::new(&policy);
        b.iter(|| {
            let mut breached = 0usize;
            for events in &tickets {
                figures.clear();
                batch
                    .figures("americas", events, None, &mut figures)
                    .expect("figures");
                breached += figures.iter().filter(|f| f.breached_by.is_some()).count();
            }
            black_box(breached)
        })
    });
    group.finish();
}

/// What a service pays for a policy: parsing the TOML (once per process
/// for a built-in), a built-in after the first call, a clone.
fn policy(c: &mut Criterion) {
    let text = include_str!("../policies/ol-care.toml");
    c.bench_function("policy/parse_ol_care", |b| {
        b.iter(|| Policy::from_toml_str(black_box(text), "policies/ol-care.toml").expect("parses"))
    });
    c.bench_function("policy/builtin_again", |b| {
        b.iter(|| Policy::builtin(black_box("ol-care")).expect("built-in"))
    });
    let policy = Policy::builtin("ol-care").expect("built-in");
    c.bench_function("policy/clone", |b| b.iter(|| black_box(&policy).clone()));
}

criterion_group!(benches, engine, policy);
criterion_main!(benches);
