//! Dated versions: a region's hours and a metric's targets change on a
//! date; a ticket keeps the version in force at its creation, read in its
//! zone.

use chrono::{DateTime, Utc};
use sla_deadline::{Calendar, Event, EventKind, Policy, WeeklyHours, evaluate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

/// Toronto's hours and the resolution's targets change on 2027-01-01.
const VERSIONED: &str = r#"
[policy]
id = "v"
name = "Versions"
vendor = "Test"

[regions.toronto]
zone = "America/Toronto"
holidays = []
[[regions.toronto.versions]]
until = 2027-01-01
hours = { mon-fri = ["09:00-17:00"] }
[[regions.toronto.versions]]
since = 2027-01-01
hours = { mon-fri = ["08:00-18:00"] }

[regions.london]
zone = "Europe/London"
hours = { mon-fri = ["09:00-17:00"] }
holidays = []

[regions.both]
union = ["toronto", "london"]
zone = "UTC"

[severities.P1]
[severities.P2]
[channels.email]

[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
[[metrics.resolution.versions]]
until = 2027-01-01
by_severity = { P1 = "8h", P2 = "3bd" }
[[metrics.resolution.versions]]
since = 2027-01-01
by_severity = { P1 = "4h", P2 = "2bd" }

[options]
horizon = [2025, 2028]
"#;

/// The same policy with one version written out.
fn single(hours: &str, p1: &str, p2: &str) -> Policy {
    let text = format!(
        r#"
[policy]
id = "v"
name = "Versions"
vendor = "Test"
[regions.toronto]
zone = "America/Toronto"
holidays = []
hours = {{ mon-fri = ["{hours}"] }}
[severities.P1]
[severities.P2]
[channels.email]
[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
by_severity = {{ P1 = "{p1}", P2 = "{p2}" }}
[options]
horizon = [2025, 2028]
"#
    );
    Policy::from_toml_str(&text, "single.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn created(t: &str, severity: &str) -> Event {
    Event::new(at(t), EventKind::created(severity, "email"))
}

#[test]
fn a_ticket_keeps_the_version_in_force_at_its_creation() {
    let versioned = Policy::from_toml_str(VERSIONED, "v.toml").unwrap_or_else(|e| panic!("{e}"));
    let old = single("09:00-17:00", "8h", "3bd");
    let new = single("08:00-18:00", "4h", "2bd");
    // Tickets on both sides of the change, some running across it.
    for (t, expect) in [
        ("2026-12-30T20:00:00Z", &old),
        ("2026-12-31T21:00:00Z", &old),
        ("2027-01-01T04:59:59Z", &old), // 23:59:59 on the 31st in Toronto
        ("2027-01-01T05:00:00Z", &new), // midnight in Toronto
        ("2027-01-04T14:00:00Z", &new),
        ("2026-06-01T14:00:00Z", &old),
        ("2027-06-01T14:00:00Z", &new),
    ] {
        for sev in ["P1", "P2"] {
            let a = evaluate(&versioned, "toronto", &[created(t, sev)], None).expect("report");
            let b = evaluate(expect, "toronto", &[created(t, sev)], None).expect("report");
            assert_eq!(a.metrics, b.metrics, "{t} {sev}");
        }
    }
    let r = evaluate(
        &versioned,
        "toronto",
        &[created("2026-12-31T21:00:00Z", "P2")],
        None,
    )
    .expect("report");
    assert_eq!(
        r.versions,
        [
            "regions.toronto.versions: until 2027-01-01",
            "metrics.resolution.versions: until 2027-01-01"
        ]
    );
    let r = evaluate(
        &versioned,
        "toronto",
        &[created("2027-01-05T21:00:00Z", "P2")],
        None,
    )
    .expect("report");
    assert_eq!(
        r.versions,
        [
            "regions.toronto.versions: since 2027-01-01",
            "metrics.resolution.versions: since 2027-01-01"
        ]
    );
    // A policy without versions reports none, and its JSON has no key.
    let r = evaluate(&old, "toronto", &[created("2027-01-05T21:00:00Z", "P2")], None).expect("report");
    assert!(r.versions.is_empty());
    assert!(!serde_json::to_string(&r).expect("json").contains("versions"));
}

#[test]
fn a_union_takes_its_members_versions() {
    let versioned = Policy::from_toml_str(VERSIONED, "v.toml").unwrap_or_else(|e| panic!("{e}"));
    let both = versioned.region("both").expect("region");
    let stretches: Vec<String> = both.calendars().map(|(f, _)| f.to_string()).collect();
    assert_eq!(stretches, ["until 2027-01-01", "since 2027-01-01"]);
    let site = |zone: &str, hours: &str| {
        Calendar::builder(zone.parse().expect("zone"))
            .week(WeeklyHours::weekdays(&[hours.parse().expect("span")]).expect("week"))
            .horizon(2025, 2028)
            .build()
            .expect("calendar")
    };
    let london = site("Europe/London", "09:00-17:00");
    for (i, hours) in ["09:00-17:00", "08:00-18:00"].into_iter().enumerate() {
        let expected = Calendar::union(
            "UTC".parse().expect("UTC"),
            &[site("America/Toronto", hours), london.clone()],
        )
        .expect("union");
        let (_, got) = both.calendars().nth(i).expect("version");
        for t in ["2026-11-23T00:00:00Z", "2027-03-09T00:00:00Z"] {
            let a = at(t);
            let b = a + chrono::TimeDelta::days(20);
            assert_eq!(
                got.business_time_between(a, b).ok(),
                expected.business_time_between(a, b).ok(),
                "{i} {t}"
            );
        }
    }
    // A ticket in the union created in 2027 counts Toronto's new hours:
    // Monday 2027-01-04 22:30 UTC = 17:30 Toronto, open until 18:00.
    let r = evaluate(&versioned, "both", &[created("2027-01-04T22:30:00Z", "P1")], None).expect("report");
    let res = r.metric("resolution").expect("metric");
    // 4h: 30 min Monday, then London from 09:00 UTC Tuesday: 3h30 -> 12:30.
    assert_eq!(res.due_at, Some(at("2027-01-05T12:30:00Z")));
    assert_eq!(r.versions[0], "regions.both.versions: since 2027-01-01");
}

fn load(text: &str) -> String {
    match Policy::from_toml_str(text, "v.toml") {
        Ok(_) => "loaded".to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn versions_must_run_end_to_end() {
    let swap = |from: &str, to: &str| {
        assert!(VERSIONED.contains(from), "{from}");
        load(&VERSIONED.replacen(from, to, 1))
    };
    assert_eq!(load(VERSIONED), "loaded");
    let gap = swap("since = 2027-01-01\nhours", "since = 2027-02-01\nhours");
    assert_eq!(
        gap,
        "v.toml: line 13, column 1: regions.toronto.versions[1].since: version 1 starts 2027-02-01, after version 0 ends (2027-01-01): no version is in force in between; expected since = 2027-01-01"
    );
    let overlap = swap(
        "until = 2027-01-01\nby_severity",
        "until = 2027-03-01\nby_severity",
    );
    assert!(
        overlap.contains("metrics.resolution.versions[1].since: version 1 starts 2027-01-01, before version 0 ends (2027-03-01): the versions overlap"),
        "{overlap}"
    );
    let first = swap(
        "until = 2027-01-01\nhours",
        "since = 2026-01-01\nuntil = 2027-01-01\nhours",
    );
    assert!(
        first.contains(
            "regions.toronto.versions[0].since: the first version starts 2026-01-01: expected no `since`"
        ),
        "{first}"
    );
    let last = swap(
        "since = 2027-01-01\nby_severity",
        "since = 2027-01-01\nuntil = 2028-01-01\nby_severity",
    );
    assert!(
        last.contains(
            "metrics.resolution.versions[1].until: the last version ends 2028-01-01: expected no `until`"
        ),
        "{last}"
    );
    let both = swap(
        "holidays = []\n[[regions.toronto",
        "holidays = []\nhours = { mon = [\"09:00-10:00\"] }\n[[regions.toronto",
    );
    assert!(
        both.contains("regions.toronto.hours: hours given both by `hours` and by `versions`"),
        "{both}"
    );
    let targets_both = swap(
        "stop = [\"resolved\"]\n[[metrics",
        "stop = [\"resolved\"]\ntarget = \"1h\"\n[[metrics",
    );
    assert!(
        targets_both.contains("metrics.resolution.target: targets given both by `target` and by `versions`"),
        "{targets_both}"
    );
    let no_hours = swap(
        "since = 2027-01-01\nhours = { mon-fri = [\"08:00-18:00\"] }",
        "since = 2027-01-01",
    );
    assert!(
        no_hours.contains("regions.toronto.versions[1].hours: missing key `hours`"),
        "{no_hours}"
    );
    let gap_targets = swap(
        "until = 2027-01-01\nby_severity",
        "until = 2026-12-01\nby_severity",
    );
    assert!(
        gap_targets.contains("no version is in force in between"),
        "{gap_targets}"
    );
    let undated = swap("since = 2027-01-01\nby_severity", "by_severity");
    assert!(
        undated.contains("metrics.resolution.versions[1]: version 1 (always) overlaps version 0"),
        "{undated}"
    );
}
