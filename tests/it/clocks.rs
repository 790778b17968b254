//! Clocks driven by the policy's data: each rule of the transition model
//! (every event in the lists, custom statuses, repeating cycles, clock kind
//! per severity, thresholds past 100 %, targets as written) on small
//! policies written for the rule. The desk is open Monday to Friday,
//! 09:00-17:00 UTC; 2026-03-02 is a Monday.

use proptest::prelude::*;
use serde_json::Value;
use sla_deadline::{ClockKind, Event, MetricReport, Policy, Report, Status, evaluate};

const HEAD: &str = r#"
[policy]
id = "t"
name = "t"
vendor = "t"

[regions.hq]
zone = "UTC"
hours = { mon-fri = ["09:00-17:00"] }
holidays = []

[severities.P1]
[severities.P2]

[channels.email]
[channels.phone]
"#;

/// A policy of `HEAD` plus `rest` (statuses, metrics, options).
#[track_caller]
fn policy(rest: &str) -> Policy {
    Policy::from_toml_str(&format!("{HEAD}\n{rest}"), "t.toml").expect("test policy loads")
}

#[track_caller]
fn load_error(rest: &str) -> String {
    Policy::from_toml_str(&format!("{HEAD}\n{rest}"), "t.toml")
        .expect_err("test policy is refused")
        .to_string()
}

/// Events in the JSON shape users write (the `replay` ticket format).
#[track_caller]
fn events(json: &str) -> Vec<Event> {
    serde_json::from_str(json).expect("events parse")
}

#[track_caller]
fn run(p: &Policy, json: &str) -> Report {
    evaluate(p, "hq", &events(json), None).expect("report")
}

#[track_caller]
fn run_at(p: &Policy, json: &str, as_of: &str) -> Report {
    evaluate(p, "hq", &events(json), Some(as_of.parse().expect("as_of"))).expect("report")
}

#[track_caller]
fn metric<'r>(r: &'r Report, id: &str) -> &'r MetricReport {
    r.metrics.iter().find(|m| m.metric == id).expect("metric")
}

fn utc(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "null".into(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

const CREATED: &str =
    r#"{"at": "2026-03-02T10:00:00Z", "type": "created", "severity": "P2", "channel": "email"}"#;

fn with(events: &[&str]) -> String {
    let mut all = vec![CREATED];
    all.extend_from_slice(events);
    format!("[{}]", all.join(","))
}

fn ev(at: &str, kind: &str) -> String {
    format!(r#"{{"at": "2026-03-{at}Z", "type": "{kind}"}}"#)
}

fn status(at: &str, id: &str) -> String {
    format!(r#"{{"at": "2026-03-{at}Z", "type": "status_changed", "status": "{id}"}}"#)
}

// --- 1. Event lists apply to every event that is not redundant ----------

#[test]
fn any_event_kind_starts_and_stops_a_clock() {
    let p = policy(
        r#"
[metrics.after_reopen]
clock = "calendar"
start = ["reopened"]
stop = ["closed"]
target = "1h"

[metrics.hold]
clock = "calendar"
start = ["waiting_on_customer"]
stop = ["customer_replied"]
target = "2h"
"#,
    );
    let r = run(
        &p,
        &with(&[
            &ev("02T11:00:00", "waiting_on_customer"),
            &ev("02T11:30:00", "customer_replied"),
            &ev("02T12:00:00", "resolved"),
            &ev("02T13:00:00", "reopened"),
            &ev("02T15:00:00", "closed"),
        ]),
    );
    let a = metric(&r, "after_reopen");
    assert_eq!(utc(a.started_at), "2026-03-02T13:00:00Z");
    assert_eq!(utc(a.stopped_at), "2026-03-02T15:00:00Z");
    assert_eq!(a.status, Status::Breached);
    let h = metric(&r, "hold");
    assert_eq!(
        (utc(h.started_at), utc(h.stopped_at)),
        ("2026-03-02T11:00:00Z".into(), "2026-03-02T11:30:00Z".into())
    );
    assert_eq!(h.status, Status::Met);
}

#[test]
fn an_event_in_both_stop_and_restart_stops() {
    let p = policy(
        r#"
[metrics.m]
clock = "calendar"
start = ["created"]
stop = ["updated"]
restart = ["updated", "responded"]
target = "1h"
"#,
    );
    let r = run(
        &p,
        &with(&[&ev("02T10:20:00", "responded"), &ev("02T10:40:00", "updated")]),
    );
    let m = metric(&r, "m");
    assert_eq!(m.status, Status::Met);
    assert_eq!(utc(m.started_at), "2026-03-02T10:20:00Z");
    assert_eq!(utc(m.stopped_at), "2026-03-02T10:40:00Z");
    assert_eq!(m.cycles.count, 2);
}

#[test]
fn reopened_leaves_a_running_clock_alone() {
    let p = policy(
        r#"
[metrics.m]
clock = "calendar"
start = ["created"]
stop = ["closed"]
on_reopen = "new_cycle"
target = "1h"
"#,
    );
    let r = run(
        &p,
        &with(&[&ev("02T10:10:00", "resolved"), &ev("02T10:20:00", "reopened")]),
    );
    let m = metric(&r, "m");
    assert_eq!(
        utc(m.started_at),
        "2026-03-02T10:00:00Z",
        "on_reopen acts on stopped clocks only"
    );
    assert_eq!(m.cycles.count, 1);
    assert_eq!(
        m.elapsed.map(|d| d.num_seconds()),
        Some(1200),
        "resolved does not stop it, so it kept counting"
    );
}

#[test]
fn replies_while_resolved_stop_but_start_nothing() {
    let p = policy(
        r#"
[metrics.reply]
clock = "calendar"
start = ["created"]
stop = ["responded"]
target = "4h"

[metrics.update]
clock = "calendar"
start = ["responded"]
stop = ["closed"]
restart = ["updated"]
target = "4h"
"#,
    );
    let r = run(
        &p,
        &with(&[&ev("02T10:10:00", "resolved"), &ev("02T10:20:00", "responded")]),
    );
    assert_eq!(utc(metric(&r, "reply").stopped_at), "2026-03-02T10:20:00Z");
    assert_eq!(metric(&r, "update").status, Status::Pending);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn resolution_during_a_wait_resumes_the_clocks_it_does_not_stop() {
    let p = policy(
        r#"
[metrics.resolution]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
pauses_while_waiting = true
target = "8h"

[metrics.satisfaction]
clock = "calendar"
start = ["created"]
stop = ["closed"]
pauses_while_waiting = true
target = "8h"
"#,
    );
    let r = run_at(
        &p,
        &with(&[
            &ev("02T11:00:00", "waiting_on_customer"),
            &ev("02T12:00:00", "resolved"),
        ]),
        "2026-03-02T13:00:00Z",
    );
    // Stopped while paused with budget left: met, no due instant.
    let res = metric(&r, "resolution");
    assert_eq!(
        (res.status, res.due_at, res.elapsed.map(|d| d.num_seconds())),
        (Status::Met, None, Some(3600))
    );
    assert_eq!(res.met_by.map(|d| d.num_seconds()), Some(7 * 3600));
    // Not stopped by `resolved`: resumes at the resolution.
    let sat = metric(&r, "satisfaction");
    assert_eq!(sat.status, Status::Running);
    assert_eq!(sat.elapsed.map(|d| d.num_seconds()), Some(2 * 3600));
    assert_eq!(utc(sat.due_at), "2026-03-02T19:00:00Z");
}

#[test]
fn targets_are_reported_as_written() {
    let p = policy(
        r#"
[metrics.m]
clock = "business"
start = ["created"]
stop = ["resolved"]
target = "90m"

[metrics.n]
clock = "business"
start = ["created"]
stop = ["resolved"]
target = "1h"
"#,
    );
    let r = run(
        &p,
        &with(&[
            r#"{"at": "2026-03-02T10:10:00Z", "type": "target_agreed", "metric": "n", "target": "0h120m"}"#,
        ]),
    );
    assert_eq!(metric(&r, "m").target.as_ref().map(|t| t.as_str()), Some("90m"));
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["metrics"][0]["target"], "90m");
    assert_eq!(json["metrics"][1]["target"], "0h120m");
    assert_eq!(metric(&r, "n").budget.map(|d| d.num_seconds()), Some(7200));
    let lines: Vec<String> = metric(&r, "m")
        .explanation
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("target 90m converted")),
        "{lines:?}"
    );
}

#[test]
fn a_zero_target_on_a_cycle_that_starts_paused_is_due_at_its_start() {
    let p = policy(
        r#"
[metrics.m]
clock = "business"
start = ["responded"]
stop = ["resolved"]
pauses_while_waiting = true
target = "0s"
"#,
    );
    let r = run(
        &p,
        &with(&[
            &ev("02T11:00:00", "waiting_on_customer"),
            &ev("02T12:00:00", "responded"),
        ]),
    );
    let m = metric(&r, "m");
    assert_eq!(m.status, Status::Paused);
    assert_eq!(utc(m.due_at), "2026-03-02T12:00:00Z");
}

// --- 2. Custom statuses ----------------------------------------------------

const STATUSES: &str = r#"
[statuses.pending_vendor]
name = "Pending vendor"
[statuses.on_hold]
"#;

#[test]
fn custom_statuses_pause_the_metrics_that_list_them() {
    let p = policy(&format!(
        r#"{STATUSES}
[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
pause_in = ["waiting_on_customer", "pending_vendor"]
target = "8h"

[metrics.customer_wait_only]
clock = "business"
start = ["created"]
stop = ["resolved"]
pauses_while_waiting = true
target = "8h"
"#
    ));
    let r = run(
        &p,
        &with(&[
            &status("02T11:00:00", "pending_vendor"),
            &status("02T13:00:00", "on_hold"),
            &status("02T14:00:00", "open"),
            &ev("02T15:00:00", "waiting_on_customer"),
            &status("02T16:00:00", "pending_vendor"),
            &status("02T16:30:00", "open"),
        ]),
    );
    let res = metric(&r, "resolution");
    // Counted 10-11, 13-15 and 16:30-: on_hold does not pause it.
    assert_eq!(res.elapsed.map(|d| d.num_seconds()), Some(3 * 3600));
    assert_eq!(res.paused.map(|d| d.num_seconds()), Some(3 * 3600 + 1800));
    assert_eq!(res.status, Status::Running);
    let lines: Vec<String> = res.explanation.iter().map(|n| n.to_string()).collect();
    assert!(
        lines.contains(&"paused at 2026-03-02T11:00:00Z (Pending vendor)".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"resumed at 2026-03-02T13:00:00Z (status on_hold)".to_string()),
        "{lines:?}"
    );
    let other = metric(&r, "customer_wait_only");
    // Paused only 15:00-16:00 (the wait); pending_vendor does not pause it.
    assert_eq!(other.elapsed.map(|d| d.num_seconds()), Some(5 * 3600 + 1800));
}

#[test]
fn lists_may_name_a_status_meaning_entering_it() {
    let p = policy(&format!(
        r#"{STATUSES}
[metrics.vendor]
clock = "calendar"
start = ["pending_vendor"]
stop = ["status_changed"]
target = "1h"
"#
    ));
    let r = run(
        &p,
        &with(&[
            &status("02T11:00:00", "pending_vendor"),
            &status("02T13:00:00", "open"),
        ]),
    );
    let m = metric(&r, "vendor");
    assert_eq!(
        (utc(m.started_at), utc(m.stopped_at)),
        ("2026-03-02T11:00:00Z".into(), "2026-03-02T13:00:00Z".into())
    );
    assert_eq!(m.status, Status::Breached);
}

#[test]
fn leaving_a_wait_by_a_status_change_is_not_a_customer_reply() {
    let p = policy(&format!(
        r#"{STATUSES}
[metrics.reply]
clock = "calendar"
start = ["customer_replied"]
stop = ["responded"]
target = "1h"
"#
    ));
    let r = run(
        &p,
        &with(&[
            &ev("02T11:00:00", "waiting_on_customer"),
            &status("02T12:00:00", "open"),
        ]),
    );
    assert_eq!(metric(&r, "reply").status, Status::Pending);
}

#[test]
fn customer_messages_outside_a_wait_count_only_where_listed() {
    let listed = policy(&format!(
        r#"{STATUSES}
[metrics.reply]
clock = "calendar"
start = ["customer_replied"]
stop = ["responded"]
cycles = "repeat"
channels = ["phone"]
target = "1h"

[metrics.resolution]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
pause_in = ["on_hold"]
target = "8h"
"#
    ));
    // Listed by a metric that does not even apply to email tickets: still a
    // customer message, no warning; and it does not end the custom status.
    let r = run(
        &listed,
        &with(&[
            &status("02T11:00:00", "on_hold"),
            &ev("02T12:00:00", "customer_replied"),
        ]),
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(metric(&r, "resolution").status, Status::Paused);
    let unlisted = policy(
        r#"
[metrics.resolution]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
target = "8h"
"#,
    );
    let r = run(&unlisted, &with(&[&ev("02T12:00:00", "customer_replied")]));
    assert_eq!(
        r.warnings,
        ["event 1 (customer_replied) ignored: the ticket is not waiting on the customer"]
    );
}

#[test]
fn redundant_status_changes_are_warnings() {
    let p = policy(&format!(
        r#"{STATUSES}
[metrics.resolution]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
pause_in = ["on_hold"]
target = "8h"
"#
    ));
    let r = run(
        &p,
        &with(&[
            &status("02T10:30:00", "open"),
            &status("02T11:00:00", "on_hold"),
            &status("02T11:10:00", "on_hold"),
            &ev("02T12:00:00", "resolved"),
            &status("02T12:30:00", "pending_vendor"),
        ]),
    );
    assert_eq!(
        r.warnings,
        [
            "event 1 (status_changed) ignored: the ticket is already in status open",
            "event 3 (status_changed) ignored: the ticket is already in status on_hold",
            "event 5 (status_changed) ignored: the ticket is resolved",
        ]
    );
    // Resolution ends the status: the clock stopped paused (met, no due).
    assert_eq!(metric(&r, "resolution").status, Status::Met);
}

const ONE_METRIC: &str = r#"
[metrics.resolution]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
target = "8h"
"#;

#[test]
fn unknown_statuses_are_errors_naming_the_event() {
    let p = policy(&format!("{STATUSES}{ONE_METRIC}"));
    let err = evaluate(
        &p,
        "hq",
        &events(&with(&[&status("02T11:00:00", "pendng_vendor")])),
        None,
    )
    .expect_err("unknown status")
    .to_string();
    assert_eq!(
        err,
        "event 1 (status_changed): unknown status \"pendng_vendor\": expected one of open, pending_vendor, on_hold"
    );
}

#[test]
fn status_and_list_validation_errors() {
    let metric =
        |lists: &str| format!("{STATUSES}\n[metrics.m]\nclock = \"calendar\"\ntarget = \"1h\"\n{lists}\n");
    for (rest, want) in [
        (
            "[statuses.open]\n".to_string() + ONE_METRIC,
            "t.toml: line 18, column 11: statuses.open: status id \"open\" is taken by the built-in status `open`: expected another id, such as \"pending_vendor\"",
        ),
        (
            "[statuses.resolved]\n".to_string() + ONE_METRIC,
            "t.toml: line 18, column 11: statuses.resolved: status id \"resolved\" is taken by an event kind: expected another id, such as \"pending_vendor\"",
        ),
        (
            metric("start = [\"open\"]\nstop = []"),
            "t.toml: line 26, column 10: metrics.m.start: status \"open\" cannot be listed (a ticket returns to it; list \"status_changed\" for any change of status): expected one of created, acknowledged, responded, updated, severity_changed, waiting_on_customer, customer_replied, target_agreed, resolved, reopened, closed, status_changed, attributes_changed, pending_vendor, on_hold",
        ),
        (
            metric("start = [\"created\"]\nstop = [\"vendor\"]"),
            "t.toml: line 27, column 9: metrics.m.stop: unknown event \"vendor\": expected one of created, acknowledged, responded, updated, severity_changed, waiting_on_customer, customer_replied, target_agreed, resolved, reopened, closed, status_changed, attributes_changed, pending_vendor, on_hold",
        ),
        (
            metric("start = [\"created\"]\nstop = []\npause_in = [\"resolved\"]"),
            "t.toml: line 28, column 13: metrics.m.pause_in: unknown status \"resolved\": expected one of waiting_on_customer, pending_vendor, on_hold",
        ),
        (
            metric("start = [\"created\"]\nstop = []\npause_in = [\"on_hold\", \"on_hold\"]"),
            "t.toml: line 28, column 24: metrics.m.pause_in: status \"on_hold\" is listed twice: expected each status once",
        ),
        (
            metric("start = [\"created\"]\nstop = []\npause_in = []\npauses_while_waiting = true"),
            "t.toml: line 29, column 24: metrics.m.pauses_while_waiting: both `pause_in` and `pauses_while_waiting` given: expected one (`pauses_while_waiting = true` is short for `pause_in = [\"waiting_on_customer\"]`)",
        ),
        (
            metric("start = [\"created\"]\nstop = []\ncycles = \"many\""),
            "t.toml: line 28, column 10: metrics.m.cycles: unknown cycles \"many\": expected \"once\" or \"repeat\"",
        ),
    ] {
        assert_eq!(load_error(&rest), want);
    }
}

#[test]
fn an_empty_pause_in_pauses_nothing() {
    let p = policy(
        r#"
[metrics.m]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
pause_in = []
target = "8h"
"#,
    );
    let r = run(&p, &with(&[&ev("02T11:00:00", "waiting_on_customer")]));
    assert_eq!(metric(&r, "m").status, Status::Running);
    assert!(p.metrics()[0].pause_in().is_empty());
}

// --- 3. Repeating cycles ---------------------------------------------------

const NEXT_REPLY: &str = r#"
[metrics.next_reply]
clock = "business"
start = ["created", "customer_replied"]
stop = ["responded", "updated"]
cycles = "repeat"
target = "2h"
"#;

#[test]
fn next_reply_time_opens_a_cycle_per_customer_message() {
    let p = policy(NEXT_REPLY);
    let r = run(
        &p,
        &with(&[
            &ev("02T11:00:00", "responded"),        // cycle 1 met (1 h)
            &ev("02T12:00:00", "customer_replied"), // cycle 2 opens
            &ev("02T13:00:00", "customer_replied"), // a second message: no new cycle
            &ev("02T15:00:00", "responded"),        // cycle 2 breached (3 h)
            &ev("02T16:30:00", "customer_replied"), // cycle 3 opens, running over the night
        ]),
    );
    let m = metric(&r, "next_reply");
    assert_eq!(m.cycles.count, 3);
    assert_eq!((m.cycles.met, m.cycles.breached), (1, 1));
    let finished: Vec<(String, String, String, Status)> = m
        .cycles
        .finished
        .iter()
        .map(|c| {
            (
                c.started_at.to_rfc3339(),
                c.stopped_at.to_rfc3339(),
                utc(c.due_at),
                c.status,
            )
        })
        .collect();
    assert_eq!(
        finished,
        [
            (
                "2026-03-02T10:00:00+00:00".into(),
                "2026-03-02T11:00:00+00:00".into(),
                "2026-03-02T12:00:00Z".into(),
                Status::Met
            ),
            (
                "2026-03-02T12:00:00+00:00".into(),
                "2026-03-02T15:00:00+00:00".into(),
                "2026-03-02T14:00:00Z".into(),
                Status::Breached
            ),
        ]
    );
    // The current cycle: a fresh 2 h budget from 16:30, due 10:30 next day.
    assert_eq!(
        (m.status, utc(m.started_at), utc(m.due_at)),
        (
            Status::Running,
            "2026-03-02T16:30:00Z".into(),
            "2026-03-03T10:30:00Z".into()
        )
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn a_stopped_repeating_clock_reports_its_last_cycle() {
    let p = policy(NEXT_REPLY);
    let r = run(&p, &with(&[&ev("02T12:30:00", "responded")]));
    let m = metric(&r, "next_reply");
    assert_eq!(
        (m.status, m.cycles.count, m.cycles.breached),
        (Status::Breached, 1, 1)
    );
    assert_eq!(m.cycles.finished.len(), 1);
    assert_eq!(m.breached_by.map(|d| d.num_seconds()), Some(1800));
}

#[test]
fn a_repeating_clock_may_open_while_resolved_but_not_on_replies() {
    let p = policy(
        r#"
[metrics.next_reply]
clock = "calendar"
start = ["customer_replied", "updated"]
stop = ["responded"]
cycles = "repeat"
target = "1h"
"#,
    );
    let r = run(
        &p,
        &with(&[&ev("02T11:00:00", "resolved"), &ev("02T11:30:00", "updated")]),
    );
    assert_eq!(metric(&r, "next_reply").status, Status::Pending);
    let r = run(
        &p,
        &with(&[
            &ev("02T11:00:00", "resolved"),
            &ev("02T11:30:00", "customer_replied"),
        ]),
    );
    let m = metric(&r, "next_reply");
    assert_eq!(
        (m.status, utc(m.started_at)),
        (Status::Running, "2026-03-02T11:30:00Z".into())
    );
}

#[test]
fn restart_cycles_are_counted_and_judged() {
    let p = policy(
        r#"
[metrics.update]
clock = "calendar"
start = ["responded"]
stop = ["resolved"]
restart = ["updated"]
target = "1h"
"#,
    );
    let r = run(
        &p,
        &with(&[
            &ev("02T10:30:00", "responded"),
            &ev("02T11:00:00", "updated"),
            &ev("02T12:30:00", "updated"),
            &ev("02T13:00:00", "resolved"),
        ]),
    );
    let m = metric(&r, "update");
    assert_eq!(m.cycles.count, 3);
    assert_eq!((m.cycles.met, m.cycles.breached), (2, 1));
    assert_eq!(m.cycles.finished.len(), 3);
}

// --- 4. Clock kind per severity --------------------------------------------

const BY_SEVERITY: &str = r#"
[metrics.resolution]
clock = { P1 = "calendar", P2 = "business" }
start = ["created"]
stop = ["resolved"]
by_severity = { P1 = "4h", P2 = "4h" }
"#;

#[test]
fn the_clock_kind_follows_the_severity() {
    let p = policy(BY_SEVERITY);
    let friday = |sev: &str| {
        format!(
            r#"[{{"at": "2026-03-06T16:00:00Z", "type": "created", "severity": "{sev}", "channel": "email"}}]"#
        )
    };
    let r = run(&p, &friday("P1"));
    let m = metric(&r, "resolution");
    assert_eq!(
        (m.clock, utc(m.due_at)),
        (ClockKind::Calendar, "2026-03-06T20:00:00Z".into())
    );
    let r = run(&p, &friday("P2"));
    let m = metric(&r, "resolution");
    assert_eq!(
        (m.clock, utc(m.due_at)),
        (ClockKind::Business, "2026-03-09T12:00:00Z".into())
    );
    assert_eq!(
        p.metrics()[0].clocks(),
        [ClockKind::Calendar, ClockKind::Business]
    );
}

#[test]
fn a_severity_change_takes_the_new_kind_for_the_whole_cycle() {
    let p = policy(BY_SEVERITY);
    let r = run(
        &p,
        &with(&[r#"{"at": "2026-03-02T18:00:00Z", "type": "severity_changed", "severity": "P1"}"#]),
    );
    let m = metric(&r, "resolution");
    // Calendar from the original start 10:00: due 14:00, breached at 18:00.
    assert_eq!(
        (m.clock, utc(m.due_at), m.status),
        (
            ClockKind::Calendar,
            "2026-03-02T14:00:00Z".into(),
            Status::Breached
        )
    );
    assert_eq!(m.elapsed.map(|d| d.num_seconds()), Some(8 * 3600));
}

#[test]
fn an_agreed_clock_keeps_its_kind() {
    let p = policy(BY_SEVERITY);
    let r = run(
        &p,
        &with(&[
            r#"{"at": "2026-03-02T11:00:00Z", "type": "target_agreed", "metric": "resolution", "target": "6h"}"#,
            r#"{"at": "2026-03-02T12:00:00Z", "type": "severity_changed", "severity": "P1"}"#,
        ]),
    );
    // Agreed under P2 (business): a change to P1 does not make it calendar.
    let m = metric(&r, "resolution");
    assert_eq!(
        (m.clock, m.agreed, utc(m.due_at)),
        (ClockKind::Business, true, "2026-03-02T16:00:00Z".into())
    );
    // Business days need a business clock for every severity.
    let err = evaluate(
        &p,
        "hq",
        &events(&with(&[
            r#"{"at": "2026-03-02T12:00:00Z", "type": "target_agreed", "metric": "resolution", "target": "2bd"}"#,
        ])),
        None,
    )
    .expect_err("bd on a metric with a calendar severity")
    .to_string();
    assert_eq!(
        err,
        "event 1 (target_agreed): target \"2bd\" counts business days but metric resolution runs on a calendar clock for severity P1: expected a duration such as \"30m\""
    );
}

#[test]
fn each_cycle_takes_the_kind_of_the_severity_it_starts_at() {
    let p = policy(
        r#"
[metrics.update]
clock = { P1 = "calendar", P2 = "business" }
start = ["responded"]
stop = ["resolved"]
restart = ["updated"]
target = "2h"
"#,
    );
    let friday = |sev: &str, change: &str| {
        format!(
            r#"[{{"at": "2026-03-06T15:00:00Z", "type": "created", "severity": "{sev}", "channel": "email"}},
                {{"at": "2026-03-06T16:00:00Z", "type": "responded"}},
                {{"at": "2026-03-06T16:30:00Z", "type": "target_agreed", "metric": "update", "target": "3h"}},
                {{"at": "2026-03-06T16:40:00Z", "type": "severity_changed", "severity": "{change}"}},
                {{"at": "2026-03-06T16:45:00Z", "type": "updated"}}]"#
        )
    };
    // The agreed cycle kept its business kind; the cycle that `updated`
    // opens after the change to P1 is calendar: 3 h later, Friday 19:45.
    let r = run(&p, &friday("P2", "P1"));
    let m = metric(&r, "update");
    assert_eq!(
        (m.clock, utc(m.due_at)),
        (ClockKind::Calendar, "2026-03-06T19:45:00Z".into())
    );
    assert_eq!(
        m.cycles.finished[0].due_at.map(|d| d.to_rfc3339()),
        Some("2026-03-09T11:00:00+00:00".into())
    );
}

#[test]
fn clock_tables_are_validated() {
    let m = |clock: &str, target: &str| {
        format!("[metrics.m]\nclock = {clock}\nstart = [\"created\"]\nstop = []\n{target}\n")
    };
    for (rest, want) in [
        (
            m("{ P1 = \"calendar\" }", "target = \"1h\""),
            "t.toml: line 19, column 9: metrics.m.clock: no clock for severity \"P2\": expected a clock for every severity",
        ),
        (
            m("{ P1 = \"calendar\", P3 = \"business\" }", "target = \"1h\""),
            "t.toml: line 19, column 28: metrics.m.clock.P3: unknown severity \"P3\": expected one of P1, P2",
        ),
        (
            m("{ P1 = \"calendar\", P2 = \"bizness\" }", "target = \"1h\""),
            "t.toml: line 19, column 33: metrics.m.clock.P2: unknown clock \"bizness\": expected \"business\" or \"calendar\"",
        ),
        (
            m("{ P1 = \"calendar\", P2 = \"business\" }", "target = \"2bd\""),
            "t.toml: line 22, column 10: metrics.m.target: \"2bd\" counts business days but metric \"m\" has a calendar clock for severity \"P1\": expected calendar time such as \"48h\", or clock = \"business\"",
        ),
        (
            m(
                "{ P1 = \"calendar\", P2 = \"business\" }",
                "by_severity = { P1 = \"1bd\", P2 = \"1bd\" }",
            ),
            "t.toml: line 22, column 22: metrics.m.by_severity.P1: \"1bd\" counts business days but metric \"m\" has a calendar clock for severity \"P1\": expected calendar time such as \"48h\", or clock = \"business\"",
        ),
    ] {
        assert_eq!(load_error(&rest), want);
    }
    // Business days for the business severities only: fine.
    let p = policy(&m(
        "{ P1 = \"calendar\", P2 = \"business\" }",
        "by_severity = { P1 = \"8h\", P2 = \"1bd\" }",
    ));
    assert_eq!(p.metrics()[0].clock(&p, "P2"), Some(ClockKind::Business));
}

// --- 5. Thresholds past 100 % ----------------------------------------------

#[test]
fn thresholds_past_the_deadline_are_reported_and_woken_for() {
    let p = policy(
        r#"
[metrics.m]
clock = "calendar"
start = ["created"]
stop = ["resolved"]
target = "1h"

[options]
warnings = [0.75, 1.0, 1.5, 2.0, 10.0]
"#,
    );
    let r = run_at(&p, &with(&[]), "2026-03-02T11:40:00Z");
    let m = metric(&r, "m");
    assert_eq!(m.status, Status::Breached);
    let at: Vec<(f64, String)> = m
        .warnings
        .iter()
        .map(|w| (w.threshold, utc(Some(w.at))))
        .collect();
    assert_eq!(
        at,
        [
            (0.75, "2026-03-02T10:45:00Z".into()),
            (1.0, "2026-03-02T11:00:00Z".into()),
            (1.5, "2026-03-02T11:30:00Z".into()),
            (2.0, "2026-03-02T12:00:00Z".into()),
            (10.0, "2026-03-02T20:00:00Z".into()),
        ]
    );
    assert_eq!(utc(r.next_wake_up), "2026-03-02T12:00:00Z");
    let err = load_error(
        "[metrics.m]\nclock = \"calendar\"\nstart = [\"created\"]\nstop = []\ntarget = \"1h\"\n[options]\nwarnings = [10.5]\n",
    );
    assert_eq!(
        err,
        "t.toml: line 24, column 13: options.warnings: warning threshold 10.5 is out of range: expected a fraction of the target in (0, 10], such as 0.75 or 1.5"
    );
}

// --- The example policy ------------------------------------------------------

#[test]
fn the_example_desk_loads_and_answers() {
    let p = Policy::from_path("policies/examples/saas-desk.toml").expect("example policy");
    assert_eq!(p.statuses().len(), 2);
    let r = evaluate(
        &p,
        "emea",
        &events(
            r#"[{"at": "2026-03-06T17:50:00Z", "type": "created", "severity": "P1", "channel": "chat"}]"#,
        ),
        None,
    )
    .expect("report");
    // P1 is 24x7: the first reply is due 30 min later although the desk
    // closes at 18:00.
    assert_eq!(utc(metric(&r, "first_reply").due_at), "2026-03-06T18:20:00Z");
}

// --- Properties over random tickets -----------------------------------------

fn kinds() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(serde_json::json!({"type": "acknowledged"})),
        Just(serde_json::json!({"type": "responded"})),
        Just(serde_json::json!({"type": "updated"})),
        Just(serde_json::json!({"type": "waiting_on_customer"})),
        Just(serde_json::json!({"type": "customer_replied"})),
        Just(serde_json::json!({"type": "resolved"})),
        Just(serde_json::json!({"type": "reopened"})),
        Just(serde_json::json!({"type": "closed"})),
        Just(serde_json::json!({"type": "severity_changed", "severity": "P1"})),
        Just(serde_json::json!({"type": "severity_changed", "severity": "P2"})),
        Just(serde_json::json!({"type": "status_changed", "status": "open"})),
        Just(serde_json::json!({"type": "status_changed", "status": "pending_vendor"})),
        Just(serde_json::json!({"type": "status_changed", "status": "on_hold"})),
        Just(serde_json::json!({"type": "target_agreed", "metric": "next_reply", "target": "45m"})),
    ]
}

fn desk() -> Policy {
    policy(&format!(
        r#"{STATUSES}
[metrics.first]
clock = {{ P1 = "calendar", P2 = "business" }}
start = ["created"]
stop = ["responded", "resolved"]
target = "90m"

[metrics.next_reply]
clock = {{ P1 = "calendar", P2 = "business" }}
start = ["customer_replied", "pending_vendor"]
stop = ["responded", "updated", "resolved"]
cycles = "repeat"
target = "1h"

[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
on_reopen = "resume"
pause_in = ["waiting_on_customer", "pending_vendor"]
by_severity = {{ P1 = "1bd", P2 = "3bd" }}

[metrics.update]
clock = "business"
start = ["responded"]
stop = ["resolved"]
restart = ["responded", "updated"]
on_reopen = "new_cycle"
pause_in = ["on_hold"]
target = "0s"

[options]
warnings = [0.5, 1.0, 2.5]
"#
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever the events: figures add up, statuses agree with the due
    /// instants, cycles tally, and every instant in the report is RFC 3339.
    #[test]
    fn reports_are_consistent(steps in prop::collection::vec((1i64..600, kinds()), 0..40), as_of_extra in 0i64..3000) {
        let p = desk();
        let mut t = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").expect("t0").to_utc();
        let mut list = vec![serde_json::json!({"at": t, "type": "created", "severity": "P2", "channel": "email"})];
        for (gap, mut kind) in steps {
            t += chrono::Duration::minutes(gap);
            kind["at"] = serde_json::json!(t);
            list.push(kind);
        }
        let events: Vec<Event> = serde_json::from_value(Value::Array(list)).expect("events");
        let as_of = t + chrono::Duration::minutes(as_of_extra);
        let r = evaluate(&p, "hq", &events, Some(as_of)).expect("report");
        for m in &r.metrics {
            let c = &m.cycles;
            prop_assert!(c.met + c.breached <= c.finished.len() as u32);
            prop_assert!(c.finished.len() as u32 <= c.count);
            for w in c.finished.windows(2) {
                prop_assert!(w[0].stopped_at <= w[1].started_at);
            }
            if let (Some(e), Some(pz)) = (m.elapsed.map(|d| d.num_seconds()), m.paused.map(|d| d.num_seconds())) {
                prop_assert!(e >= 0 && pz >= 0);
            }
            if let (Some(b), Some(e)) = (m.budget.map(|d| d.num_seconds()), m.elapsed.map(|d| d.num_seconds())) {
                prop_assert_eq!(m.remaining.map(|d| d.num_seconds()), Some((b - e).max(0)));
            }
            match m.status {
                Status::Met => prop_assert!(m.stopped_at.is_some() && m.met_by.map(|d| d.num_seconds()).is_some_and(|x| x >= 0)),
                Status::Breached => prop_assert!(m.breached_by.map(|d| d.num_seconds()).is_some_and(|x| x >= 0)),
                Status::Running => prop_assert!(m.due_at.is_some_and(|d| d >= as_of)),
                _ => {}
            }
            if let (Some(d), Some(s)) = (m.due_at, m.stopped_at) {
                prop_assert_eq!(m.status == Status::Breached, s > d);
            }
        }
        let json = serde_json::to_string(&r).expect("json");
        prop_assert!(!json.contains("+10000"));
    }
}

#[test]
fn status_changed_events_are_read_strictly() {
    for (json, want) in [
        (
            r#"{"at": "2026-03-02T10:00:00Z", "type": "status_changed", "stauts": "on_hold"}"#,
            "unknown key \"stauts\" in a status_changed event: expected at, type, status at line 1 column 77",
        ),
        (
            r#"{"at": "2026-03-02T10:00:00Z", "type": "status_changed"}"#,
            "missing key \"status\" in a status_changed event: expected at, type, status at line 1 column 56",
        ),
    ] {
        let err = serde_json::from_str::<Event>(json).expect_err(json).to_string();
        assert_eq!(err, want);
    }
    let event: Event = serde_json::from_str(
        r#"{"at": "2026-03-02T10:00:00Z", "type": "status_changed", "status": "on_hold"}"#,
    )
    .expect("event");
    assert_eq!(event.kind.name(), "status_changed");
}
