//! Business hours in the customer's time zone: a region with
//! `zone = "customer"` counts its hours in each ticket's `customer_zone`,
//! and every report gives due instants in the customer's zone too.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use sla_deadline::{Event, EventKind, Policy, evaluate};

fn policy(zone: &str) -> Policy {
    let text = format!(
        r#"
[policy]
id = "cz"
name = "Customer zone"
vendor = "Test"

[regions.standard]
zone = "{zone}"
hours = {{ mon-fri = ["09:00-17:00"], sat = ["10:00-12:30"] }}
holidays = []
exceptions = {{ 2026-12-24 = ["09:00-12:00"], 2026-12-25 = [] }}

[regions.fixed]
zone = "Europe/Paris"
hours = {{ mon-fri = ["09:00-17:00"] }}
holidays = []

[severities.P1]
[severities.P2]
[channels.email]

[metrics.first_response]
clock = "business"
start = ["created"]
stop = ["responded"]
by_severity = {{ P1 = "90m", P2 = "6h" }}

[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
by_severity = {{ P1 = "1bd", P2 = "4bd" }}

[options]
horizon = [2025, 2028]
"#
    );
    Policy::from_toml_str(&text, "cz.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn created(t: DateTime<Utc>, severity: &str, customer_zone: Option<&str>) -> Event {
    Event::new(
        t,
        EventKind::Created {
            severity: severity.into(),
            channel: "email".into(),
            attributes: Default::default(),
            customer_zone: customer_zone.map(str::to_string),
        },
    )
}

/// Zones with whole-hour, half-hour and 45-minute offsets, with and
/// without daylight saving, north and south.
const ZONES: [&str; 8] = [
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A customer-zone region counts exactly as the same region written
    /// with that zone.
    #[test]
    fn the_customer_zone_counts_like_a_fixed_region_there(
        zone in prop::sample::select(ZONES.to_vec()),
        minutes in 0i64..(2 * 366 * 24 * 60),
        p1 in any::<bool>(),
        later in 0i64..(5 * 24 * 60),
    ) {
        let customer = policy("customer");
        let fixed = policy(zone);
        let t = "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().expect("instant") + TimeDelta::minutes(minutes);
        let severity = if p1 { "P1" } else { "P2" };
        let as_of = Some(t + TimeDelta::minutes(later));
        let a = evaluate(&customer, "standard", &[created(t, severity, Some(zone))], as_of).expect("report");
        let b = evaluate(&fixed, "standard", &[created(t, severity, None)], as_of).expect("report");
        prop_assert_eq!(&a.timezone, zone);
        prop_assert_eq!(a.customer_timezone.as_deref(), Some(zone));
        for (x, y) in a.metrics.iter().zip(&b.metrics) {
            prop_assert_eq!(x.due_at, y.due_at);
            prop_assert_eq!(x.due_local, y.due_local);
            prop_assert_eq!(x.due_customer, y.due_local);
            prop_assert_eq!(x.budget, y.budget);
            prop_assert_eq!(x.elapsed, y.elapsed);
            prop_assert_eq!(x.status, y.status);
        }
    }
}

#[test]
fn a_half_hour_offset_across_a_weekend() {
    let customer = policy("customer");
    // Friday 2026-11-27 16:00 in Kolkata (10:30 UTC): 1h today, 2h30 on
    // Saturday 10:00-12:30, so 6h ends Monday 11:30 IST = 06:00 UTC.
    let t = "2026-11-27T10:30:00Z".parse().expect("instant");
    let r = evaluate(
        &customer,
        "standard",
        &[created(t, "P2", Some("Asia/Kolkata"))],
        None,
    )
    .expect("report");
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.due_at, Some("2026-11-30T06:00:00Z".parse().expect("instant")));
    assert_eq!(
        fr.due_customer.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-30T11:30:00+05:30")
    );
}

#[test]
fn dated_exceptions_are_the_customers_dates() {
    let customer = policy("customer");
    // 2026-12-24 09:00-12:00 and 25 closed, read in Tokyo: a ticket at
    // 11:00 on the 24th (02:00 UTC) with 90 min has 1h that day, then
    // the 26th (Saturday 10:00) 30 min -> 10:30 JST.
    let t = "2026-12-24T02:00:00Z".parse().expect("instant");
    let r = evaluate(
        &customer,
        "standard",
        &[created(t, "P1", Some("Asia/Tokyo"))],
        None,
    )
    .expect("report");
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(
        fr.due_customer.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-12-26T10:30:00+09:00")
    );
}

#[test]
fn spring_forward_in_the_customers_zone() {
    let customer = policy("customer");
    // St. John's springs forward on Sunday 2026-03-08; Saturday's hours
    // and Monday's are each in their own offset: Friday 16:00 NST
    // (19:30 UTC) + 6h = 1h Friday + 2h30 Saturday (UTC-3:30) + 2h30
    // Monday (UTC-2:30) -> Monday 11:30 NDT = 14:00 UTC.
    let t = "2026-03-06T19:30:00Z".parse().expect("instant");
    let r = evaluate(
        &customer,
        "standard",
        &[created(t, "P2", Some("America/St_Johns"))],
        None,
    )
    .expect("report");
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.due_at, Some("2026-03-09T14:00:00Z".parse().expect("instant")));
    assert_eq!(
        fr.due_customer.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-03-09T11:30:00-02:30")
    );
}

#[test]
fn a_customer_zone_region_needs_the_tickets_zone() {
    let customer = policy("customer");
    let t = "2026-11-27T10:30:00Z".parse().expect("instant");
    let err = evaluate(&customer, "standard", &[created(t, "P2", None)], None).expect_err("no zone");
    assert_eq!(
        err.to_string(),
        "event 0 (created): region standard counts its hours in the customer's zone: expected a customer_zone in the created event, such as \"Asia/Tokyo\""
    );
    let err = evaluate(&customer, "standard", &[created(t, "P2", Some("EST"))], None).expect_err("bad zone");
    assert!(
        err.to_string().starts_with("event 0 (created): customer_zone: "),
        "{err}"
    );
    assert!(err.to_string().contains("America/New_York"), "{err}");
}

#[test]
fn a_fixed_region_reports_the_customers_time_too() {
    let p = policy("customer");
    let t = "2026-11-23T09:00:00Z".parse().expect("instant");
    let r = evaluate(&p, "fixed", &[created(t, "P1", Some("America/Toronto"))], None).expect("report");
    assert_eq!(r.timezone, "Europe/Paris");
    assert_eq!(r.customer_timezone.as_deref(), Some("America/Toronto"));
    let fr = r.metric("first_response").expect("metric");
    // 10:00 Paris + 90 min = 11:30 Paris = 05:30 Toronto.
    assert_eq!(
        fr.due_local.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-23T11:30:00+01:00")
    );
    assert_eq!(
        fr.due_customer.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-23T05:30:00-05:00")
    );
    // Without a customer zone the report has no customer fields at all.
    let r = evaluate(&p, "fixed", &[created(t, "P1", None)], None).expect("report");
    let json = serde_json::to_string(&r).expect("json");
    assert!(!json.contains("customer"), "{json}");
}

#[test]
fn the_customer_moving_zone_recounts_in_the_new_zone() {
    let p = policy("customer");
    let events: Vec<Event> = serde_json::from_str(
        r#"[
      {"at": "2026-11-23T08:00:00Z", "type": "created", "severity": "P2", "channel": "email", "customer_zone": "Asia/Tokyo"},
      {"at": "2026-11-23T09:00:00Z", "type": "attributes_changed", "attributes": {}, "customer_zone": "Europe/London"}
    ]"#,
    )
    .expect("events");
    let r = evaluate(&p, "standard", &events, None).expect("report");
    assert_eq!(r.timezone, "Europe/London");
    // Recounted from the start (08:00 UTC) in London's hours: 09:00-15:00.
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.due_at, Some("2026-11-23T15:00:00Z".parse().expect("instant")));
}

#[test]
fn customer_zone_keys_are_checked_when_the_policy_loads() {
    let base = |region: &str| {
        format!(
            "[policy]\nid = \"x\"\nname = \"x\"\nvendor = \"x\"\n[regions.a]\nzone = \"customer\"\nhours = {{ mon-fri = [\"09:00-17:00\"] }}\nholidays = []\n{region}\n[severities.P1]\n[channels.email]\n[metrics.m]\nclock = \"business\"\nstart = [\"created\"]\nstop = [\"resolved\"]\ntarget = \"1h\"\n"
        )
    };
    let err = |text: &str| {
        Policy::from_toml_str(text, "c.toml")
            .map(|_| ())
            .expect_err("refused")
            .to_string()
    };
    assert_eq!(
        Policy::from_toml_str(&base(""), "c.toml")
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Ok(())
    );
    assert_eq!(
        err(&base("[regions.u]\nunion = [\"a\"]\n")),
        "c.toml: line 10, column 10: regions.u.union: region \"a\" counts in the customer's zone: expected regions with a fixed zone"
    );
    assert!(
        err(&base("[regions.b]\nzone = \"UTC\"\nhours = { mon = [\"09:00-17:00\"] }\nholidays = []\n[regions.u]\nunion = [\"b\"]\nzone = \"customer\"\n"))
            .contains("regions.u.zone: zone \"customer\" is for a region with hours of its own")
    );
}

#[test]
fn a_ticket_changing_zone_at_every_event_stays_bounded() {
    let p = policy("customer");
    let zones = [
        "Asia/Tokyo",
        "Europe/London",
        "America/Toronto",
        "Asia/Kolkata",
        "Europe/Paris",
        "Africa/Lagos",
        "America/Lima",
        "Asia/Dubai",
        "Asia/Seoul",
        "Europe/Madrid",
        "America/Chicago",
        "Asia/Manila",
        "Europe/Rome",
        "America/Denver",
        "Asia/Bangkok",
        "Europe/Oslo",
        "America/Bogota",
        "Asia/Jakarta",
    ];
    let mut events = vec![created(
        "2026-11-23T08:00:00Z".parse().expect("instant"),
        "P2",
        Some("UTC"),
    )];
    // Two zones in turn, 4 000 times: the ticket reuses its two calendars.
    for i in 0..4000 {
        events.push(Event::new(
            "2026-11-23T08:00:00Z".parse::<DateTime<Utc>>().expect("instant") + TimeDelta::minutes(i + 1),
            EventKind::AttributesChanged {
                attributes: Default::default(),
                customer_zone: Some(zones[(i % 2) as usize].to_string()),
            },
        ));
    }
    let started = std::time::Instant::now();
    let r = evaluate(&p, "standard", &events, None).expect("report");
    assert_eq!(r.timezone, "Europe/London");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // Eighteen zones: past sixteen calendars the ticket is refused.
    let events: Vec<Event> = std::iter::once(created(
        "2026-11-23T08:00:00Z".parse().expect("instant"),
        "P2",
        Some("UTC"),
    ))
    .chain(zones.iter().enumerate().map(|(i, z)| {
        Event::new(
            "2026-11-23T08:00:00Z".parse::<DateTime<Utc>>().expect("instant")
                + TimeDelta::minutes(i as i64 + 1),
            EventKind::AttributesChanged {
                attributes: Default::default(),
                customer_zone: Some(z.to_string()),
            },
        )
    }))
    .collect();
    let err = evaluate(&p, "standard", &events, None).expect_err("too many calendars");
    assert!(
        err.to_string()
            .contains("calendars one ticket counts in (customer zones and rule calendars)"),
        "{err}"
    );
}
