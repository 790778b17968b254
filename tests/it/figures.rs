//! `evaluate_figures` (the batch path) agrees with `evaluate` on every
//! shipped policy: the same figures per metric, or the same error.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use sla_deadline::{Batch, Event, EventKind, Policy, evaluate, evaluate_figures};

/// Loaded once: proptest runs hundreds of cases.
fn policies() -> &'static [Policy] {
    static ALL: std::sync::OnceLock<Vec<Policy>> = std::sync::OnceLock::new();
    ALL.get_or_init(load)
}

fn load() -> Vec<Policy> {
    let mut all = vec![
        Policy::builtin("ol-care").expect("built-in ol-care"),
        Policy::builtin("e3k-odoo").expect("built-in e3k-odoo"),
    ];
    for file in ["saas-desk", "saas-tiers", "follow-the-sun"] {
        let path = format!("policies/examples/{file}.toml");
        all.push(Policy::from_path(&path).expect("example policy"));
    }
    all
}

/// An event drawn from raw numbers, naming what `policy` has (and now and
/// then something it lacks, so that errors are compared too).
fn kind(policy: &Policy, pick: u8, a: usize, b: usize) -> EventKind {
    let severities: Vec<&str> = policy.severities().iter().map(|s| s.id()).collect();
    let mut statuses: Vec<&str> = policy.statuses().iter().map(|s| s.id()).collect();
    statuses.push("open");
    let metrics: Vec<&str> = policy.metrics().iter().map(|m| m.id()).collect();
    let some = |list: &[&str], i: usize| {
        if i % 23 == 22 {
            "nonesuch".to_string()
        } else {
            list[i % list.len()].to_string()
        }
    };
    match pick % 14 {
        0 => EventKind::Acknowledged,
        1 | 2 => EventKind::Responded,
        3 => EventKind::Updated,
        4 => EventKind::WaitingOnCustomer,
        5 => EventKind::CustomerReplied,
        6 => EventKind::Resolved,
        7 => EventKind::Reopened,
        8 => EventKind::Closed,
        9 => EventKind::SeverityChanged {
            severity: some(&severities, a),
        },
        10 => EventKind::TargetAgreed {
            metric: some(&metrics, a),
            target: ["1bd", "2bd", "4h", "none", "90m", "3d"][b % 6].to_string(),
        },
        11 => EventKind::StatusChanged {
            status: some(&statuses, a),
        },
        12 => {
            let tier = ["premium", "enterprise", "standard"][a % 3];
            let zone = ["Asia/Kolkata", "Europe/London", "America/St_Johns"][b % 3];
            EventKind::AttributesChanged {
                attributes: BTreeMap::from([("tier".to_string(), Some(tier.to_string()))]),
                customer_zone: (b % 2 == 0).then(|| zone.to_string()),
            }
        }
        _ => EventKind::CustomerReplied,
    }
}

type Raw = (u8, usize, usize, i64);

fn ticket(
    policy: &Policy,
    region: usize,
    start: i64,
    created: (usize, usize, bool),
    rest: &[Raw],
) -> (String, Vec<Event>) {
    let regions: Vec<&str> = policy.regions().iter().map(|r| r.id()).collect();
    let severities: Vec<&str> = policy.severities().iter().map(|s| s.id()).collect();
    let channels: Vec<&str> = policy.channels().iter().map(|c| c.id()).collect();
    let base = "2026-01-05T00:00:00Z".parse::<DateTime<Utc>>().expect("instant") + Duration::seconds(start);
    let (severity, channel, zoned) = created;
    let mut first = EventKind::created(
        severities[severity % severities.len()],
        channels[channel % channels.len()],
    );
    if let EventKind::Created {
        attributes,
        customer_zone,
        ..
    } = &mut first
    {
        // Every shipped policy with a customer-zone region needs one.
        if zoned || regions.contains(&"customer") {
            *customer_zone = Some("Asia/Kathmandu".into());
        }
        if severity % 2 == 0 {
            attributes.insert("tier".into(), "premium".into());
        }
    }
    let mut events = vec![Event::new(base, first)];
    for &(pick, a, b, gap) in rest {
        // A negative gap puts the event before the previous one (and now
        // and then before `created`): the order must not matter.
        let at = events[events.len() - 1].at + Duration::seconds(gap);
        events.push(Event::new(at, kind(policy, pick, a, b)));
    }
    (regions[region % regions.len()].to_string(), events)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn figures_agree_with_the_report(
        p in 0usize..5,
        region in any::<usize>(),
        start in 0i64..(700 * 86_400),
        created in (any::<usize>(), any::<usize>(), any::<bool>()),
        rest in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), -3_600i64..(4 * 86_400)), 0..12),
        as_of in prop::option::of(-86_400i64..(20 * 86_400)),
    ) {
        let policy = &policies()[p];
        let (region, events) = ticket(policy, region, start, created, &rest);
        let as_of = as_of.map(|s| events[0].at + Duration::seconds(s));
        let report = evaluate(policy, &region, &events, as_of);
        let mut figures = Vec::new();
        let fast = evaluate_figures(policy, &region, &events, as_of, &mut figures);
        match (report, fast) {
            (Ok(report), Ok(())) => {
                let expected: Vec<_> = report.metrics.iter().map(|m| m.figures()).collect();
                prop_assert_eq!(figures, expected);
            }
            (Err(a), Err(b)) => {
                prop_assert_eq!(a.to_string(), b.to_string());
                prop_assert!(figures.is_empty());
            }
            (a, b) => prop_assert!(false, "report {:?} but figures {:?}", a.map(|_| ()), b),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    // A batch keeps its clocks, their lists and its calendars from ticket
    // to ticket: nothing of one ticket (a pause, an agreement, a second
    // cycle, a customer zone, an error half way) may leak into the next.
    #[test]
    fn a_batch_reports_each_ticket_as_if_alone(
        p in 0usize..5,
        tickets in prop::collection::vec(
            (
                any::<usize>(),
                0i64..(700 * 86_400),
                (any::<usize>(), any::<usize>(), any::<bool>()),
                prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), -3_600i64..(4 * 86_400)), 0..10),
            ),
            1..8,
        ),
    ) {
        let policy = &policies()[p];
        let (mut batch, mut apart) = (Batch::new(policy), Batch::new(policy));
        for (region, start, created, rest) in tickets {
            let (region, events) = ticket(policy, region, start, created, &rest);
            let (mut alone, mut batched) = (Vec::new(), Vec::new());
            let want = evaluate_figures(policy, &region, &events, None, &mut alone).map_err(|e| e.to_string());
            let got = batch.figures(&region, &events, None, &mut batched).map_err(|e| e.to_string());
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(&batched, &alone);
            // The same events given as kinds beside their seconds.
            let kinds: Vec<EventKind> = events.iter().map(|e| e.kind.clone()).collect();
            let at: Vec<i64> = events.iter().map(|e| e.at.timestamp()).collect();
            let mut given = Vec::new();
            let got = apart.figures_at(&region, &kinds, &at, None, &mut given).map_err(|e| e.to_string());
            prop_assert_eq!(got, want);
            prop_assert_eq!(given, alone);
        }
    }
}

#[test]
fn the_figures_buffer_is_appended_to_and_kept_on_error() {
    let policy = Policy::builtin("ol-care").expect("built-in");
    let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
    let good = [Event::new(
        at("2026-11-23T14:00:00Z"),
        EventKind::created("P2", "email"),
    )];
    let mut out = Vec::new();
    evaluate_figures(&policy, "americas", &good, None, &mut out).expect("figures");
    evaluate_figures(&policy, "americas", &good, None, &mut out).expect("figures");
    assert_eq!(out.len(), 2 * policy.metrics().len());
    let bad = [Event::new(
        at("2026-11-23T14:00:00Z"),
        EventKind::created("P9", "email"),
    )];
    let e = evaluate_figures(&policy, "americas", &bad, None, &mut out).expect_err("unknown severity");
    assert!(e.to_string().contains("P9"), "{e}");
    assert_eq!(out.len(), 2 * policy.metrics().len());
}

#[test]
fn a_batch_can_move_to_another_thread() {
    let policy = Policy::builtin("ol-care").expect("built-in");
    // Moving it into the thread needs `Batch: Send`.
    let batch = Batch::new(&policy);
    let metrics = policy.metrics().len();
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut batch = batch;
            let created = [Event::new(
                "2026-11-23T14:00:00Z".parse().expect("instant"),
                EventKind::created("P2", "email"),
            )];
            let mut out = Vec::new();
            batch
                .figures("americas", &created, None, &mut out)
                .expect("figures");
            assert_eq!(out.len(), metrics);
        });
    });
}

// Instants given apart are checked as those of events: outside years
// 0000-9999 (which an `Event` built in code may hold) the same error; far
// beyond what a `DateTime` holds, an error too rather than a wrap.
#[test]
fn instants_given_apart_are_checked_as_events() {
    let policy = Policy::builtin("ol-care").expect("built-in");
    let kinds = [EventKind::created("P2", "email"), EventKind::Responded];
    let created = "2026-11-23T14:00:00Z".parse::<DateTime<Utc>>().expect("instant");
    let far = "-5000-01-01T00:00:00Z".parse::<DateTime<Utc>>().expect("instant");
    let events = [
        Event::new(created, kinds[0].clone()),
        Event::new(far, EventKind::Responded),
    ];
    let mut out = Vec::new();
    let whole = Batch::new(&policy)
        .figures("americas", &events, None, &mut out)
        .expect_err("year -5000");
    let at = [created.timestamp(), far.timestamp()];
    let apart = Batch::new(&policy)
        .figures_at("americas", &kinds, &at, None, &mut out)
        .expect_err("year -5000");
    assert_eq!(apart.to_string(), whole.to_string());
    for t in [i64::MIN, i64::MAX] {
        let e = Batch::new(&policy)
            .figures_at("americas", &kinds, &[created.timestamp(), t], None, &mut out)
            .expect_err("far instant");
        assert!(e.to_string().starts_with("event 1 (responded)"), "{e}");
    }
    let e = Batch::new(&policy)
        .figures_at("americas", &kinds, &at[..1], None, &mut out)
        .expect_err("lengths differ");
    assert_eq!(
        e.to_string(),
        "ticket: events: 2 event kinds and 1 instants: expected one instant per kind"
    );
    assert!(out.is_empty());
}
