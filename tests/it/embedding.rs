//! Embedding in a service: owned tickets that stay reportable, reports that
//! round-trip through JSON, public types that cross threads.

use std::sync::Arc;

use serde_json::Value;
use sla_deadline::{
    Calendar, CalendarSpec, Error, Event, EventKind, HolidaySet, MetricReport, Note, Policy, Region, Report,
    Status, Ticket, WrittenTarget, Zone, evaluate,
};

use crate::cases::{Expected, TicketFile, case_names, read_case};

const OL_CARE_TEXT: &str = include_str!("../../policies/ol-care.toml");

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn created(text: &str, severity: &str, channel: &str) -> Event {
    Event::new(at(text), EventKind::created(severity, channel))
}

#[test]
fn public_types_are_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<Policy>();
    check::<Region>();
    check::<Ticket>();
    check::<Event>();
    check::<Report>();
    check::<MetricReport>();
    check::<Note>();
    check::<Status>();
    check::<WrittenTarget>();
    check::<Calendar>();
    check::<CalendarSpec>();
    check::<Zone>();
    check::<HolidaySet>();
    check::<Error>();
}

#[test]
fn an_owned_ticket_lives_beside_its_shared_policy_and_crosses_threads() {
    struct Desk {
        policy: Arc<Policy>,
        tickets: Vec<Ticket>,
    }
    let policy = Arc::new(Policy::builtin("ol-care").expect("built in"));
    let mut desk = Desk {
        tickets: Vec::new(),
        policy,
    };
    let ticket = Ticket::open(
        &desk.policy,
        "americas",
        created("2026-11-20T16:30:00-05:00", "P1", "phone"),
    )
    .expect("opens");
    desk.tickets.push(ticket);
    let ticket = desk.tickets[0].clone();
    let report = std::thread::spawn(move || ticket.report(None).expect("report"))
        .join()
        .expect("thread");
    let resolution = report.metric("resolution").expect("resolution");
    assert_eq!(
        resolution.due_local.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-24T16:30:00-05:00")
    );
    assert_eq!(desk.tickets[0].region().id(), "americas");
    assert_eq!(desk.tickets[0].policy().id(), desk.policy.id());
}

/// Every way an event could make the ticket unreportable is refused, with
/// the report's own error, and leaves the ticket as it was.
#[test]
fn apply_refuses_events_that_would_make_the_ticket_unreportable() {
    let policy = Policy::builtin("ol-care").expect("built in");
    // Only `created` opens a ticket.
    let err = Ticket::open(
        &policy,
        "americas",
        Event::new(at("2026-11-20T16:00:00-05:00"), EventKind::Responded),
    )
    .expect_err("responded first");
    assert_eq!(
        err.to_string(),
        "event 0 (responded): opens the ticket: expected a created event"
    );
    assert!(
        Ticket::open(
            &policy,
            "nowhere",
            created("2026-11-20T16:30:00-05:00", "P1", "phone")
        )
        .is_err()
    );

    let mut ticket = Ticket::open(
        &policy,
        "americas",
        created("2026-11-20T16:30:00-05:00", "P1", "phone"),
    )
    .expect("opens");
    let before = ticket.report(None).expect("report");

    let refused = [
        Event::new(at("2026-11-20T16:29:59-05:00"), EventKind::Responded),
        created("2026-11-21T10:00:00-05:00", "P2", "email"),
        created("2026-11-19T10:00:00-05:00", "P2", "email"),
        // Past OL Care's horizon (2020-2035): the report could not be read.
        Event::new(at("2036-06-01T12:00:00Z"), EventKind::Responded),
    ];
    for event in refused {
        let kind = event.kind.name();
        assert!(ticket.apply(event).is_err(), "{kind} accepted");
        assert_eq!(ticket.events().len(), 1, "{kind} left behind");
        assert_eq!(ticket.report(None).expect("still reportable"), before);
    }

    // A later event still applies, and one older than it (but after
    // `created`) too: events may come in any order.
    ticket
        .apply(Event::new(at("2026-11-20T17:00:00-05:00"), EventKind::Resolved))
        .expect("resolved");
    ticket
        .apply(Event::new(at("2026-11-20T16:45:00-05:00"), EventKind::Responded))
        .expect("responded");
    let report = ticket.report(None).expect("report");
    assert_eq!(
        report.metric("first_response").map(|m| m.status),
        Some(Status::Met)
    );
    assert_eq!(report.metric("resolution").map(|m| m.status), Some(Status::Met));
}

#[test]
fn a_ticket_created_near_the_horizon_end_is_refused_with_the_hint() {
    let policy = Policy::builtin("ol-care").expect("built in");
    let err = Ticket::open(
        &policy,
        "americas",
        created("2035-12-31T16:30:00-05:00", "P3", "email"),
    )
    .expect_err("due past 2035");
    assert!(err.is_out_of_horizon(), "{err}");
    assert!(err.to_string().contains("options.horizon"), "{err}");
}

/// OL Care's P1 phone ticket of the README, as of its creation.
fn readme_ticket() -> (Policy, Report) {
    let policy = Policy::builtin("ol-care").expect("built in");
    let report = evaluate(
        &policy,
        "americas",
        &[created("2026-11-20T16:30:00-05:00", "P1", "phone")],
        None,
    )
    .expect("report");
    (policy, report)
}

#[test]
fn report_metric_finds_by_id() {
    let (policy, report) = readme_ticket();
    for (i, m) in policy.metrics().iter().enumerate() {
        assert_eq!(report.metric(m.id()), Some(&report.metrics[i]));
    }
    assert_eq!(report.metric("nope"), None);
}

/// Every worked case's report, written to JSON and read back, equals the
/// report computed, and writes the same JSON again; the expected reports
/// of the cases read as reports too.
#[test]
fn every_worked_case_round_trips_through_json() {
    for name in case_names() {
        let (input, expected): (TicketFile, Expected) = read_case(&name);
        let policy = Policy::load(&input.policy).expect("policy");
        let report = evaluate(&policy, &input.region, &input.events, expected.as_of).expect("report");
        let json = serde_json::to_string(&report).expect("serializes");
        let back: Report = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, report, "{name}");
        assert_eq!(serde_json::to_string(&back).expect("serializes"), json, "{name}");

        let written: Report = serde_json::from_value(expected.expected.clone()).expect("expected reads");
        if expected.expected["metrics"][0].get("cycles").is_some() {
            assert_eq!(written, report, "{name}: the expected report read back");
        } else {
            // Written before cycles were counted: all else is equal.
            let mut report = report.clone();
            for m in &mut report.metrics {
                m.cycles = Default::default();
            }
            assert_eq!(written, report, "{name}: the expected report read back");
        }
    }
}

#[test]
fn durations_are_time_deltas_written_as_seconds() {
    let (_, report) = readme_ticket();
    let resolution = report.metric("resolution").expect("resolution");
    assert_eq!(resolution.budget, Some(chrono::TimeDelta::hours(22)));
    let json: Value = serde_json::to_value(resolution).expect("serializes");
    assert_eq!(json["budget_s"], Value::from(79_200));
    assert_eq!(json["elapsed_s"], Value::from(0));
    assert_eq!(json.get("budget"), None);
}

#[test]
fn a_malformed_report_is_an_error_naming_the_value() {
    let (_, report) = readme_ticket();
    let mut json = serde_json::to_value(&report).expect("serializes");
    json["metrics"][0]["due_at"] = Value::from("next tuesday");
    let err = serde_json::from_value::<Report>(json.clone()).expect_err("bad instant");
    assert!(
        err.to_string()
            .contains("\"next tuesday\" is not an RFC 3339 instant"),
        "{err}"
    );
    json["metrics"][0]["due_at"] = Value::Null;
    json["metrics"][0]["status"] = Value::from("late");
    assert!(serde_json::from_value::<Report>(json).is_err());
}

#[test]
fn zone_abbreviations_are_refused_with_the_cities_to_use() {
    for (abbr, city) in [
        ("EST", "America/New_York"),
        ("cet", "Europe/Paris"),
        ("MST", "America/Phoenix"),
        ("JST", "Asia/Tokyo"),
    ] {
        let err = abbr.parse::<Zone>().expect_err(abbr).to_string();
        assert!(
            err.contains("abbreviation") && err.contains(city),
            "{abbr}: {err}"
        );
    }
    // POSIX signs are inverted: Etc/GMT+5 is UTC-05:00.
    let err = "Etc/GMT+5".parse::<Zone>().expect_err("inverted").to_string();
    assert!(err.contains("UTC-05:00"), "{err}");
    let err = "GMT-9".parse::<Zone>().expect_err("inverted").to_string();
    assert!(err.contains("UTC+09:00"), "{err}");
    // What is not an abbreviation still parses.
    for ok in ["UTC", "Etc/UTC", "UTC-05:00", "America/New_York", "Asia/Tokyo"] {
        ok.parse::<Zone>().expect(ok);
    }
    // In a policy file the error is located at the region's zone.
    let text = OL_CARE_TEXT.replacen("zone = \"America/Toronto\"", "zone = \"EST\"", 1);
    assert_ne!(text, OL_CARE_TEXT, "the fixture names America/Toronto");
    let err = Policy::from_toml_str(&text, "ol.toml")
        .expect_err("EST")
        .to_string();
    assert!(
        err.contains("ol.toml") && err.contains("zone") && err.contains("America/New_York"),
        "{err}"
    );
}

#[test]
fn zones_convert_both_ways_and_come_from_chrono_tz() {
    let toronto: Zone = sla_deadline::chrono_tz::America::Toronto.into();
    assert_eq!(toronto.to_string(), "America/Toronto");
    let local = toronto.to_local(at("2026-07-01T16:00:00Z"));
    assert_eq!(local.to_rfc3339(), "2026-07-01T12:00:00-04:00");
    let winter = toronto.to_local(at("2026-12-01T17:00:00Z"));
    assert_eq!(winter.to_rfc3339(), "2026-12-01T12:00:00-05:00");
    let naive = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("naive");
    assert_eq!(
        toronto.to_utc(naive("2026-07-01 12:00")).expect("utc"),
        at("2026-07-01T16:00:00Z")
    );
    // 02:30 on 2026-03-08 does not exist in Toronto: the clocks jump at 02:00.
    assert_eq!(
        toronto.to_utc(naive("2026-03-08 02:30")).expect("gap"),
        at("2026-03-08T07:00:00Z")
    );
    // 01:30 on 2026-11-01 happens twice: the earlier (summer) one.
    assert_eq!(
        toronto.to_utc(naive("2026-11-01 01:30")).expect("fold"),
        at("2026-11-01T05:30:00Z")
    );
}
