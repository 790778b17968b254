//! Engine unit tests on a policy built in code (the OL Care grid for one
//! region), independent of the policy loader.

use super::*;
use crate::calendar::{Calendar, DayMode};
use crate::hours::WeeklyHours;
use crate::policy::{
    ByChannel, Channel, Cycles, Dated, Lists, Metric, OnReopen, Options, Parts, Region, Severity,
    SeverityChange, SharedIds, Triggers, WAITING, listeners,
};
use crate::report::{MetricReport, Status};
use crate::target::WrittenTarget;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn t(s: &str) -> WrittenTarget {
    s.parse().expect("target literal")
}

fn bits(names: &[&str]) -> Triggers {
    names.iter().fold(Triggers::default(), |b, n| {
        b.with(Triggers::bit_of(n, std::iter::empty()).expect("event kind"))
    })
}

/// OL Care's metrics with the americas calendar (no holidays needed for
/// late November 2026).
pub(crate) fn ol_care_americas(change: SeverityChange) -> Policy {
    let calendar = Calendar::builder("America/Toronto".parse().expect("zone"))
        .week(WeeklyHours::weekdays(&["09:00-20:00".parse().expect("span")]).expect("week"))
        .horizon(2026, 2027)
        .build()
        .expect("calendar");
    let sev = |id: &str| Severity {
        id: id.into(),
        name: id.into(),
        description: String::new(),
    };
    let chan = |id: &str| Channel {
        id: id.into(),
        name: id.into(),
    };
    // Grid [severity][channel], channels phone, email, web.
    let by_channel = |phone: &str, other: &str| vec![vec![t(phone), t(other), t(other)]; 4];
    let by_severity = |v: [&str; 4]| v.iter().map(|x| vec![t(x); 3]).collect::<Vec<_>>();
    let pause = |yes: bool| {
        if yes {
            Triggers::bit(WAITING)
        } else {
            Triggers::default()
        }
    };
    let metric = |id: &str,
                  clock,
                  start: &[&str],
                  stop: &[&str],
                  restart: &[&str],
                  on_reopen,
                  pauses,
                  channels: &[&str],
                  grid| Metric {
        id: id.into(),
        name: id.into(),
        clocks: vec![clock; 4],
        start: strings(start),
        stop: strings(stop),
        restart: strings(restart),
        pause_in: if pauses {
            strings(&["waiting_on_customer"])
        } else {
            Vec::new()
        },
        lists: Lists {
            start: bits(start),
            stop: bits(stop),
            restart: bits(restart),
            pause_in: pause(pauses),
        },
        cycles: Cycles::Once,
        on_reopen,
        channels: strings(channels),
        grids: Dated::always(grid),
    };
    let mut parts = Parts {
        id: "ol-care".into(),
        name: "OL Care".into(),
        vendor: "Objectif Lune".into(),
        source: String::new(),
        regions: vec![Region {
            id: "americas".into(),
            name: "Americas".into(),
            calendars: Dated::always(std::sync::Arc::new(calendar)),
            customer_zone: false,
            languages: strings(&["en"]),
        }],
        rules: Vec::new(),
        zoned: Default::default(),
        dated: false,
        names: SharedIds::of(
            &[sev("P1"), sev("P2"), sev("P3"), sev("P4")],
            &[chan("phone"), chan("email"), chan("web")],
        ),
        severities: vec![sev("P1"), sev("P2"), sev("P3"), sev("P4")],
        channels: vec![chan("phone"), chan("email"), chan("web")],
        statuses: Vec::new(),
        listed: bits(&["created", "acknowledged", "responded", "updated", "resolved"]),
        metrics: vec![
            metric(
                "acknowledgement",
                ClockKind::Calendar,
                &["created"],
                &["acknowledged", "resolved"],
                &[],
                OnReopen::Nothing,
                false,
                &["email", "web"],
                by_channel("10m", "10m"),
            ),
            metric(
                "first_response",
                ClockKind::Business,
                &["created"],
                &["responded", "updated", "resolved"],
                &[],
                OnReopen::Nothing,
                false,
                &[],
                by_channel("2h", "4h"),
            ),
            metric(
                "resolution",
                ClockKind::Business,
                &["created"],
                &["resolved"],
                &[],
                OnReopen::Resume,
                true,
                &[],
                by_severity(["2bd", "3bd", "15bd", "none"]),
            ),
            metric(
                "update",
                ClockKind::Business,
                &["responded", "updated"],
                &["resolved"],
                &["responded", "updated"],
                OnReopen::NewCycle,
                true,
                &[],
                by_severity(["1bd", "1bd", "2bd", "none"]),
            ),
        ],
        options: Options {
            severity_change: change,
            day_mode: DayMode::SameTime,
            warnings: vec![0.75],
            horizon: (2026, 2027),
        },
        by_channel: Vec::new(),
        listeners: Vec::new(),
    };
    parts.by_channel = ByChannel::of(&parts.channels, &parts.metrics);
    parts.listeners = listeners(&parts.metrics, parts.statuses.len());
    Policy(std::sync::Arc::new(parts))
}

fn ev(at: &str, kind: EventKind) -> Event {
    Event::new(at.parse().expect("instant literal"), kind)
}

fn created(at: &str, severity: &str, channel: &str) -> Event {
    ev(at, EventKind::created(severity, channel))
}

fn due(report: &Report, metric: &str) -> String {
    let m = report
        .metrics
        .iter()
        .find(|m| m.metric == metric)
        .expect("metric");
    m.due_local
        .map(|d| d.to_rfc3339())
        .unwrap_or_else(|| "null".into())
}

fn metric<'r>(report: &'r Report, id: &str) -> &'r MetricReport {
    report.metrics.iter().find(|m| m.metric == id).expect("metric")
}

#[test]
fn p1_phone_inside_hours() {
    let p = ol_care_americas(SeverityChange::Recompute);
    let r = evaluate(
        &p,
        "americas",
        &[created("2026-11-20T16:30:00-05:00", "P1", "phone")],
        None,
    )
    .expect("report");
    assert_eq!(due(&r, "first_response"), "2026-11-20T18:30:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-11-24T16:30:00-05:00");
    assert_eq!(metric(&r, "acknowledgement").status, Status::NotApplicable);
    assert_eq!(metric(&r, "update").status, Status::Pending);
}

#[test]
fn p2_email_after_close() {
    let p = ol_care_americas(SeverityChange::Recompute);
    let r = evaluate(
        &p,
        "americas",
        &[created("2026-11-20T19:30:00-05:00", "P2", "email")],
        None,
    )
    .expect("report");
    assert_eq!(due(&r, "acknowledgement"), "2026-11-20T19:40:00-05:00");
    assert_eq!(due(&r, "first_response"), "2026-11-23T12:30:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-11-25T19:30:00-05:00");
}

#[test]
fn p3_email_on_saturday() {
    let p = ol_care_americas(SeverityChange::Recompute);
    let r = evaluate(
        &p,
        "americas",
        &[created("2026-11-21T10:00:00-05:00", "P3", "email")],
        None,
    )
    .expect("report");
    assert_eq!(due(&r, "first_response"), "2026-11-23T13:00:00-05:00");
    assert_eq!(due(&r, "resolution"), "2026-12-11T20:00:00-05:00");
}

#[test]
fn waiting_on_the_customer_moves_the_resolution() {
    let p = ol_care_americas(SeverityChange::Recompute);
    let events = [
        created("2026-11-23T09:00:00-05:00", "P2", "email"),
        ev("2026-11-24T10:00:00-05:00", EventKind::WaitingOnCustomer),
        ev("2026-11-25T15:00:00-05:00", EventKind::CustomerReplied),
    ];
    let r = evaluate(&p, "americas", &events, None).expect("report");
    assert_eq!(due(&r, "resolution"), "2026-11-27T14:00:00-05:00");
    // Paused as of the middle of the wait: no due instant.
    let mid = "2026-11-24T12:00:00-05:00".parse().ok();
    let r = evaluate(&p, "americas", &events, mid).expect("report");
    assert_eq!(metric(&r, "resolution").status, Status::Paused);
    assert_eq!(due(&r, "resolution"), "null");
}

#[test]
fn severity_change_recomputes_from_the_original_start() {
    let p = ol_care_americas(SeverityChange::Recompute);
    let events = [
        created("2026-11-23T09:00:00-05:00", "P3", "email"),
        ev(
            "2026-11-24T12:00:00-05:00",
            EventKind::SeverityChanged {
                severity: "P1".into(),
            },
        ),
    ];
    let r = evaluate(&p, "americas", &events, None).expect("report");
    assert_eq!(due(&r, "resolution"), "2026-11-24T20:00:00-05:00");
    assert_eq!(r.severity, "P1");
}

#[test]
fn severity_change_restart_option_starts_a_fresh_clock() {
    let p = ol_care_americas(SeverityChange::Restart);
    let events = [
        created("2026-11-23T09:00:00-05:00", "P3", "email"),
        ev(
            "2026-11-24T12:00:00-05:00",
            EventKind::SeverityChanged {
                severity: "P1".into(),
            },
        ),
    ];
    let r = evaluate(&p, "americas", &events, None).expect("report");
    // 2 business days from Tuesday 12:00: Thursday 12:00.
    assert_eq!(due(&r, "resolution"), "2026-11-26T12:00:00-05:00");
    assert_eq!(
        metric(&r, "resolution").started_at.map(|t| t.to_rfc3339()),
        Some("2026-11-24T17:00:00+00:00".into())
    );
}
