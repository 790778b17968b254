//! The ticket engine through the public API, on the built-in policies:
//! the facts of issue 5, scenarios, errors and invariants.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use sla_deadline::{Event, EventKind, MetricReport, Policy, Report, Status, Ticket, evaluate};

fn ol_care() -> Policy {
    Policy::builtin("ol-care").expect("built-in ol-care")
}

#[track_caller]
fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant literal")
}

fn ev(s: &str, kind: EventKind) -> Event {
    Event::new(at(s), kind)
}

fn created(s: &str, severity: &str, channel: &str) -> Event {
    ev(s, EventKind::created(severity, channel))
}

#[track_caller]
fn metric<'r>(report: &'r Report, id: &str) -> &'r MetricReport {
    report
        .metrics
        .iter()
        .find(|m| m.metric == id)
        .expect("metric in report")
}

#[track_caller]
fn due(report: &Report, id: &str) -> String {
    metric(report, id)
        .due_local
        .map_or_else(|| "null".to_string(), |d| d.to_rfc3339())
}

#[track_caller]
fn report(policy: &Policy, region: &str, events: &[Event]) -> Report {
    evaluate(policy, region, events, None).expect("report")
}

#[test]
fn issue_facts_on_the_built_in_policies() {
    let ol = ol_care();
    let e3k = Policy::builtin("e3k-odoo").expect("built-in e3k-odoo");
    let r = report(
        &ol,
        "americas",
        &[created("2026-11-20T16:30:00-05:00", "P1", "phone")],
    );
    assert_eq!(due(&r, "first_response"), "2026-11-20T18:30:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-11-24T16:30:00-05:00");

    let r = report(
        &ol,
        "americas",
        &[created("2026-11-20T19:30:00-05:00", "P2", "email")],
    );
    assert_eq!(due(&r, "acknowledgement"), "2026-11-20T19:40:00-05:00");
    assert_eq!(due(&r, "first_response"), "2026-11-23T12:30:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-11-25T19:30:00-05:00");

    let r = report(
        &ol,
        "americas",
        &[created("2026-11-21T10:00:00-05:00", "P3", "email")],
    );
    assert_eq!(due(&r, "first_response"), "2026-11-23T13:00:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-12-11T20:00:00-05:00");

    let r = report(
        &ol,
        "japan",
        &[created("2026-09-18T15:00:00+09:00", "P1", "email")],
    );
    assert_eq!(due(&r, "first_response"), "2026-09-24T11:00:00+09:00");
    assert_eq!(due(&r, "resolution"), "2026-09-25T15:00:00+09:00");

    let r = report(&ol, "uk", &[created("2026-12-24T16:00:00Z", "P1", "phone")]);
    assert_eq!(due(&r, "first_response"), "2026-12-29T10:00:00+00:00");
    assert_eq!(due(&r, "resolution"), "2026-12-30T16:00:00+00:00");

    let r = report(
        &e3k,
        "quebec",
        &[created("2026-06-23T10:00:00-04:00", "P3", "email")],
    );
    assert_eq!(due(&r, "first_response"), "2026-06-26T10:00:00-04:00");

    let r = report(
        &ol,
        "americas",
        &[
            created("2026-11-23T09:00:00-05:00", "P2", "email"),
            ev("2026-11-24T10:00:00-05:00", EventKind::WaitingOnCustomer),
            ev("2026-11-25T15:00:00-05:00", EventKind::CustomerReplied),
        ],
    );
    assert_eq!(due(&r, "resolution"), "2026-11-27T14:00:00-05:00");

    let r = report(
        &ol,
        "americas",
        &[
            created("2026-11-23T09:00:00-05:00", "P3", "email"),
            ev(
                "2026-11-24T12:00:00-05:00",
                EventKind::SeverityChanged {
                    severity: "P1".into(),
                },
            ),
        ],
    );
    assert_eq!(due(&r, "resolution"), "2026-11-24T20:00:00-05:00");
}

#[test]
fn periodic_updates_restart_at_each_update_and_stop_at_resolution() {
    let ol = ol_care();
    let mut events = vec![
        created("2026-11-23T09:00:00-05:00", "P1", "email"),
        ev("2026-11-23T10:00:00-05:00", EventKind::Responded),
    ];
    let r = report(&ol, "americas", &events);
    assert_eq!(due(&r, "update"), "2026-11-24T10:00:00-05:00");
    events.push(ev("2026-11-23T15:00:00-05:00", EventKind::Updated));
    let r = report(&ol, "americas", &events);
    assert_eq!(due(&r, "update"), "2026-11-24T15:00:00-05:00");
    assert_eq!(
        metric(&r, "update").started_at,
        Some(at("2026-11-23T15:00:00-05:00"))
    );
    events.push(ev("2026-11-24T11:00:00-05:00", EventKind::Resolved));
    let r = report(&ol, "americas", &events);
    let update = metric(&r, "update");
    assert_eq!(update.status, Status::Met);
    assert_eq!(update.stopped_at, Some(at("2026-11-24T11:00:00-05:00")));
    assert_eq!(r.next_wake_up, None);
}

#[test]
fn a_reply_while_resolved_restarts_nothing_and_reopen_resumes() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "email"),
        ev("2026-11-23T10:00:00-05:00", EventKind::Responded),
        ev("2026-11-23T12:00:00-05:00", EventKind::Resolved),
        ev("2026-11-23T13:00:00-05:00", EventKind::Responded),
        ev("2026-11-24T09:00:00-05:00", EventKind::Reopened),
    ];
    let r = report(&ol, "americas", &events);
    let resolution = metric(&r, "resolution");
    assert_eq!(resolution.status, Status::Running);
    // 3h used before the resolution, 30h left from Tuesday 09:00.
    assert_eq!(resolution.elapsed.map(|d| d.num_seconds()), Some(3 * 3600));
    assert_eq!(resolution.paused.map(|d| d.num_seconds()), Some(8 * 3600));
    assert_eq!(due(&r, "resolution"), "2026-11-26T17:00:00-05:00");
    // The update clock starts a new cycle at the reopen.
    assert_eq!(
        metric(&r, "update").started_at,
        Some(at("2026-11-24T09:00:00-05:00"))
    );
}

#[test]
fn an_agreed_target_holds_through_a_severity_change() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P3", "email"),
        ev("2026-11-23T10:00:00-05:00", EventKind::Responded),
        ev(
            "2026-11-23T11:00:00-05:00",
            EventKind::TargetAgreed {
                metric: "update".into(),
                target: "3bd".into(),
            },
        ),
        ev(
            "2026-11-23T12:00:00-05:00",
            EventKind::SeverityChanged {
                severity: "P1".into(),
            },
        ),
    ];
    let r = report(&ol, "americas", &events);
    let update = metric(&r, "update");
    assert!(update.agreed);
    assert_eq!(update.target.as_ref().map(|t| t.to_string()), Some("3bd".into()));
    assert_eq!(due(&r, "update"), "2026-11-26T10:00:00-05:00");
    // Resolution was not agreed: P1's 2bd from the original start, whose
    // business position (the opening) is first reached at Tuesday's close.
    assert_eq!(due(&r, "resolution"), "2026-11-24T20:00:00-05:00");
}

#[test]
fn an_agreement_while_resolved_applies_when_the_ticket_is_reopened() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "email"),
        ev("2026-11-23T10:00:00-05:00", EventKind::Resolved),
        ev(
            "2026-11-23T11:00:00-05:00",
            EventKind::TargetAgreed {
                metric: "resolution".into(),
                target: "5bd".into(),
            },
        ),
    ];
    let r = report(&ol, "americas", &events);
    let resolution = metric(&r, "resolution");
    assert!(
        !resolution.agreed,
        "a stopped clock is not changed after the fact"
    );
    assert_eq!(resolution.budget.map(|d| d.num_seconds()), Some(3 * 11 * 3600));
    let mut events = events.to_vec();
    events.push(ev("2026-11-24T09:00:00-05:00", EventKind::Reopened));
    let r = report(&ol, "americas", &events);
    let resolution = metric(&r, "resolution");
    assert!(resolution.agreed);
    assert_eq!(resolution.budget.map(|d| d.num_seconds()), Some(5 * 11 * 3600));
    // 1 h used; 54 h left from Tuesday 09:00: Tue, Wed, Thu, Fri, then 10 h on Monday.
    assert_eq!(due(&r, "resolution"), "2026-11-30T19:00:00-05:00");
}

#[test]
fn p4_has_no_resolution_target_and_phone_no_acknowledgement() {
    let ol = ol_care();
    let r = report(
        &ol,
        "americas",
        &[created("2026-11-24T11:00:00-05:00", "P4", "phone")],
    );
    assert_eq!(metric(&r, "acknowledgement").status, Status::NotApplicable);
    assert_eq!(metric(&r, "resolution").status, Status::NoTarget);
    assert_eq!(metric(&r, "resolution").due_at, None);
    assert_eq!(metric(&r, "update").status, Status::NoTarget);
    assert_eq!(metric(&r, "first_response").status, Status::Running);
}

#[test]
fn a_reply_after_a_due_at_closing_time_is_late() {
    // P1 phone at 18:00: due 20:00 at closing; a reply at 20:30 is breached
    // by 0 business seconds.
    let ol = ol_care();
    let events = [
        created("2026-11-23T18:00:00-05:00", "P1", "phone"),
        ev("2026-11-23T20:30:00-05:00", EventKind::Responded),
    ];
    let r = report(&ol, "americas", &events);
    let fr = metric(&r, "first_response");
    assert_eq!(fr.status, Status::Breached);
    assert_eq!(fr.breached_by.map(|d| d.num_seconds()), Some(0));
    assert_eq!(due(&r, "first_response"), "2026-11-23T20:00:00-05:00");
}

#[test]
fn redundant_transitions_are_warnings() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "phone"),
        ev("2026-11-23T09:01:00-05:00", EventKind::Acknowledged),
        ev("2026-11-23T09:02:00-05:00", EventKind::CustomerReplied),
        ev(
            "2026-11-23T09:03:00-05:00",
            EventKind::SeverityChanged {
                severity: "P2".into(),
            },
        ),
        ev("2026-11-23T09:04:00-05:00", EventKind::Reopened),
        ev(
            "2026-11-23T09:05:00-05:00",
            EventKind::TargetAgreed {
                metric: "acknowledgement".into(),
                target: "5m".into(),
            },
        ),
        ev("2026-11-23T09:06:00-05:00", EventKind::Resolved),
        ev("2026-11-23T09:07:00-05:00", EventKind::Resolved),
        ev("2026-11-23T09:08:00-05:00", EventKind::WaitingOnCustomer),
        ev("2026-11-23T09:09:00-05:00", EventKind::Closed),
        ev("2026-11-23T09:10:00-05:00", EventKind::Responded),
    ];
    let r = report(&ol, "americas", &events);
    assert_eq!(
        r.warnings,
        vec![
            "event 1 (acknowledged) ignored: channel phone has no acknowledgement",
            "event 2 (customer_replied) ignored: the ticket is not waiting on the customer",
            "event 3 (severity_changed) ignored: the severity is already P2",
            "event 4 (reopened) ignored: the ticket is not resolved",
            "event 5 (target_agreed) ignored: metric acknowledgement does not apply to channel phone",
            "event 7 (resolved) ignored: the ticket is already resolved",
            "event 8 (waiting_on_customer) ignored: the ticket is resolved",
            "event 10 (responded) ignored: the ticket is closed",
        ]
    );
}

#[test]
fn closing_an_unresolved_ticket_resolves_it() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "email"),
        ev("2026-11-23T10:00:00-05:00", EventKind::Closed),
    ];
    let r = report(&ol, "americas", &events);
    assert_eq!(metric(&r, "resolution").status, Status::Met);
    assert_eq!(
        metric(&r, "resolution").stopped_at,
        Some(at("2026-11-23T10:00:00-05:00"))
    );
    assert!(
        metric(&r, "resolution")
            .explanation
            .iter()
            .any(|l| l.to_string().ends_with("(closed)"))
    );
}

#[test]
fn bad_events_are_errors_that_name_the_event() {
    let ol = ol_care();
    let cases: Vec<(Vec<Event>, &str)> = vec![
        (
            vec![],
            "ticket: events: no events: expected a created event first",
        ),
        (
            vec![
                ev("2026-11-23T08:00:00-05:00", EventKind::Responded),
                created("2026-11-23T09:00:00-05:00", "P2", "email"),
            ],
            "event 0 (responded): at 2026-11-23T13:00:00Z comes before the ticket is created: expected a created event first",
        ),
        (
            vec![
                created("2026-11-23T09:00:00-05:00", "P2", "email"),
                created("2026-11-23T10:00:00-05:00", "P1", "email"),
            ],
            "event 1 (created): a second created event: expected one per ticket",
        ),
        (
            vec![created("2026-11-23T09:00:00-05:00", "P9", "email")],
            "event 0 (created): unknown severity \"P9\": expected one of P1, P2, P3, P4",
        ),
        (
            vec![created("2026-11-23T09:00:00-05:00", "P1", "fax")],
            "event 0 (created): unknown channel \"fax\": expected one of phone, email, web",
        ),
        (
            vec![
                created("2026-11-23T09:00:00-05:00", "P1", "email"),
                ev(
                    "2026-11-23T10:00:00-05:00",
                    EventKind::TargetAgreed {
                        metric: "update".into(),
                        target: "2d".into(),
                    },
                ),
            ],
            "event 1 (target_agreed): \"2d\" is not a target (\"d\" is ambiguous: write business days as \"bd\" or calendar time in hours): expected a duration such as \"10m\", \"4h\", \"1h30m\", business days such as \"2bd\", or \"none\"",
        ),
        (
            vec![
                created("2026-11-23T09:00:00-05:00", "P1", "email"),
                ev(
                    "2026-11-23T10:00:00-05:00",
                    EventKind::TargetAgreed {
                        metric: "speed".into(),
                        target: "2h".into(),
                    },
                ),
            ],
            "event 1 (target_agreed): unknown metric \"speed\": expected one of acknowledgement, first_response, resolution, update",
        ),
        (
            vec![
                created("2026-11-23T09:00:00-05:00", "P1", "email"),
                ev(
                    "2026-11-23T10:00:00-05:00",
                    EventKind::TargetAgreed {
                        metric: "acknowledgement".into(),
                        target: "1bd".into(),
                    },
                ),
            ],
            "event 1 (target_agreed): target \"1bd\" counts business days but metric acknowledgement runs on a calendar clock: expected a duration such as \"30m\"",
        ),
    ];
    for (events, want) in cases {
        let err = evaluate(&ol, "americas", &events, None).expect_err(want);
        assert_eq!(err.to_string(), want);
    }
    let err = evaluate(&ol, "mars", &[], None).expect_err("unknown region");
    assert!(
        err.to_string()
            .starts_with("unknown region \"mars\": expected one of americas, uk,"),
        "{err}"
    );
    let err = evaluate(
        &ol,
        "americas",
        &[created("2026-11-23T09:00:00-05:00", "P1", "email")],
        Some(at("2026-11-23T08:00:00-05:00")),
    )
    .expect_err("as_of before created");
    assert_eq!(
        err.to_string(),
        "ticket: as_of: 2026-11-23T13:00:00Z is before the ticket was created (2026-11-23T14:00:00Z): expected an instant at or after it"
    );
}

#[test]
fn the_incremental_ticket_agrees_with_the_one_shot_function() {
    let ol = ol_care();
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "email"),
        ev("2026-11-23T09:01:00-05:00", EventKind::Acknowledged),
        ev("2026-11-23T09:30:00-05:00", EventKind::Responded),
        ev("2026-11-24T10:00:00-05:00", EventKind::WaitingOnCustomer),
    ];
    let mut ticket = Ticket::open(&ol, "americas", events[0].clone()).expect("opens");
    // Out of order on purpose.
    for i in [3, 1, 2] {
        ticket.apply(events[i].clone()).expect("valid event");
    }
    let as_of = Some(at("2026-11-25T09:00:00-05:00"));
    assert_eq!(
        ticket.report(as_of).expect("report"),
        evaluate(&ol, "americas", &events, as_of).expect("report")
    );
}

fn kind_strategy() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        Just(EventKind::Acknowledged),
        Just(EventKind::Responded),
        Just(EventKind::Updated),
        Just(EventKind::WaitingOnCustomer),
        Just(EventKind::CustomerReplied),
        Just(EventKind::Resolved),
        Just(EventKind::Reopened),
        Just(EventKind::Closed),
        prop::sample::select(vec!["P1", "P2", "P3", "P4"]).prop_map(|s| EventKind::SeverityChanged {
            severity: s.to_string()
        }),
        prop::sample::select(vec!["1bd", "2bd", "4h", "none"]).prop_map(|t| EventKind::TargetAgreed {
            metric: "update".into(),
            target: t.to_string()
        }),
    ]
}

/// A ticket: created in 2026 plus up to 8 events at distinct later instants.
fn ticket_strategy() -> impl Strategy<Value = (String, Vec<Event>)> {
    let region = prop::sample::select(vec![
        "americas",
        "uk",
        "germany",
        "australia",
        "japan",
        "malaysia",
    ]);
    let severity = prop::sample::select(vec!["P1", "P2", "P3", "P4"]);
    let channel = prop::sample::select(vec!["phone", "email", "web"]);
    let start = 0i64..(300 * 86_400);
    let rest = prop::collection::vec((1i64..(3 * 86_400), kind_strategy()), 0..8);
    (region, severity, channel, start, rest).prop_map(|(region, severity, channel, start, rest)| {
        let base = at("2026-01-05T00:00:00Z") + Duration::seconds(start);
        let mut events = vec![Event::new(base, EventKind::created(severity, channel))];
        let mut t = base;
        for (gap, kind) in rest {
            t += Duration::seconds(gap);
            events.push(Event::new(t, kind));
        }
        (region.to_string(), events)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn events_after_as_of_do_not_change_the_report((region, events) in ticket_strategy(), cut in 1usize..9) {
        let ol = ol_care();
        let cut = cut.min(events.len());
        let as_of = events[cut - 1].at;
        let full = evaluate(&ol, &region, &events, Some(as_of)).expect("report");
        let prefix = evaluate(&ol, &region, &events[..cut], Some(as_of)).expect("report");
        prop_assert_eq!(full, prefix);
    }

    #[test]
    fn shuffling_events_with_distinct_instants_changes_nothing((region, events) in ticket_strategy(), seed in any::<u64>()) {
        let ol = ol_care();
        let mut shuffled = events.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = evaluate(&ol, &region, &events, None).expect("report");
        let b = evaluate(&ol, &region, &shuffled, None).expect("report");
        // Warnings name input indices, which the shuffle renumbers.
        prop_assert_eq!(a.metrics, b.metrics);
        prop_assert_eq!(a.warnings.len(), b.warnings.len());
    }

    #[test]
    fn elapsed_plus_remaining_is_the_budget_while_running((region, events) in ticket_strategy()) {
        let ol = ol_care();
        let r = evaluate(&ol, &region, &events, None).expect("report");
        for m in &r.metrics {
            if matches!(m.status, Status::Running | Status::Paused) {
                let (b, e, rem) = (m.budget.map(|d| d.num_seconds()).expect("budget"), m.elapsed.map(|d| d.num_seconds()).expect("elapsed"), m.remaining.map(|d| d.num_seconds()).expect("remaining"));
                prop_assert_eq!(e + rem, b, "{}", m.metric);
            }
            if let (Some(e), Some(p), Some(s)) = (m.elapsed.map(|d| d.num_seconds()), m.paused.map(|d| d.num_seconds()), m.started_at) {
                prop_assert!(e >= 0 && p >= 0, "{}: elapsed {} paused {}", m.metric, e, p);
                prop_assert!(s <= r.as_of);
            }
        }
    }

    #[test]
    fn a_pause_never_makes_a_due_instant_earlier(
        region in prop::sample::select(vec!["americas", "uk", "japan", "australia"]),
        severity in prop::sample::select(vec!["P1", "P2", "P3"]),
        start in 0i64..(300 * 86_400),
        wait in 60i64..(5 * 86_400),
        length in 60i64..(5 * 86_400),
    ) {
        let ol = ol_care();
        let base = at("2026-01-05T00:00:00Z") + Duration::seconds(start);
        let created = Event::new(base, EventKind::created(severity, "email"));
        let w = base + Duration::seconds(wait);
        let back = w + Duration::seconds(length);
        let plain = evaluate(&ol, region, std::slice::from_ref(&created), Some(back)).expect("report");
        let paused = evaluate(
            &ol,
            region,
            &[created.clone(), Event::new(w, EventKind::WaitingOnCustomer), Event::new(back, EventKind::CustomerReplied)],
            Some(back),
        )
        .expect("report");
        let due = |r: &Report| metric(r, "resolution").due_at.expect("due");
        prop_assert!(due(&paused) >= due(&plain));
    }
}
