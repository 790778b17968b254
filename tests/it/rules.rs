//! SLA rules chosen by who the ticket is for: `[[rules]]`, first match
//! wins, read from the ticket's severity, channel, region and attributes;
//! `attributes_changed` chooses again.

use chrono::{DateTime, TimeDelta, Utc};
use sla_deadline::{Event, EventKind, Policy, Report, Status, evaluate};

/// A desk in Toronto (09-17 weekdays, no holidays) and one in London, two
/// metrics; `rules` is appended.
pub(crate) fn desk(rules: &str, severity_change: &str) -> Policy {
    let text = format!(
        r#"
[policy]
id = "desk"
name = "Desk"
vendor = "Test"

[regions.toronto]
zone = "America/Toronto"
hours = {{ mon-fri = ["09:00-17:00"] }}
holidays = []

[regions.london]
zone = "Europe/London"
hours = {{ mon-fri = ["08:00-18:00"] }}
holidays = []

[severities.P1]
[severities.P2]
[severities.P3]

[channels.email]
[channels.phone]

[metrics.first_response]
clock = "business"
start = ["created"]
stop = ["responded", "resolved"]
by_severity = {{ P1 = "1h", P2 = "4h", P3 = "1bd" }}

[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
on_reopen = "resume"
pause_in = ["waiting_on_customer"]
by_severity = {{ P1 = "1bd", P2 = "3bd", P3 = "5bd" }}

[options]
severity_change = "{severity_change}"
horizon = [2025, 2028]

{rules}
"#
    );
    Policy::from_toml_str(&text, "desk.toml").unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

pub(crate) fn events(json: &str) -> Vec<Event> {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn due(report: &Report, metric: &str) -> DateTime<Utc> {
    report
        .metric(metric)
        .and_then(|m| m.due_at)
        .unwrap_or_else(|| panic!("{metric} has a due instant: {report:#?}"))
}

fn lines(report: &Report, metric: &str) -> Vec<String> {
    report
        .metric(metric)
        .expect("metric")
        .explanation
        .iter()
        .map(|n| n.to_string())
        .collect()
}

fn created(at_: &str, severity: &str, channel: &str, attributes: &[(&str, &str)]) -> Event {
    Event::new(
        at(at_),
        EventKind::Created {
            severity: severity.into(),
            channel: channel.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            customer_zone: None,
        },
    )
}

const PREMIUM: &str = r#"
[[rules]]
id = "premium-p1"
name = "Premium critical"
when = { severity = "P1", attributes = { tier = "premium" } }
[rules.metrics.first_response]
target = "15m"

[[rules]]
id = "premium"
name = "Premium"
when = { attributes = { tier = ["premium", "platinum"] } }
[rules.metrics.first_response]
by_severity = { P1 = "30m", P2 = "2h" }
"#;

#[test]
fn the_first_matching_rule_applies() {
    let policy = desk(PREMIUM, "recompute");
    // Monday 2026-11-23 10:00 in Toronto.
    let t = "2026-11-23T15:00:00Z";
    let report = |sev: &str, attrs: &[(&str, &str)]| {
        evaluate(&policy, "toronto", &[created(t, sev, "email", attrs)], None).expect("report")
    };
    let p1 = report("P1", &[("tier", "premium")]);
    assert_eq!(p1.rule.as_deref(), Some("premium-p1"));
    assert_eq!(due(&p1, "first_response"), at("2026-11-23T15:15:00Z"));
    // The second rule: its list means any of.
    let p1 = report("P1", &[("tier", "platinum")]);
    assert_eq!(p1.rule.as_deref(), Some("premium"));
    assert_eq!(due(&p1, "first_response"), at("2026-11-23T15:30:00Z"));
    let p2 = report("P2", &[("tier", "premium"), ("org", "acme")]);
    assert_eq!(p2.rule.as_deref(), Some("premium"));
    assert_eq!(due(&p2, "first_response"), at("2026-11-23T17:00:00Z"));
    // No rule: the policy's 4h.
    let plain = report("P2", &[("tier", "standard")]);
    assert_eq!(plain.rule, None);
    assert_eq!(due(&plain, "first_response"), at("2026-11-23T19:00:00Z"));
    assert_eq!(report("P2", &[]).rule, None);
}

#[test]
fn the_explanation_says_which_rule_and_why() {
    let policy = desk(PREMIUM, "recompute");
    let r = evaluate(
        &policy,
        "toronto",
        &[created(
            "2026-11-23T15:00:00Z",
            "P1",
            "email",
            &[("tier", "premium")],
        )],
        None,
    )
    .expect("report");
    let fr = lines(&r, "first_response");
    assert_eq!(
        fr[0],
        "rule premium-p1 (Premium critical) applies: tier = premium, severity P1"
    );
    assert!(
        fr.iter()
            .any(|l| l.starts_with("rule premium-p1 (P1, email): target 15m")),
        "{fr:#?}"
    );
    // A metric the rule leaves alone keeps the policy's target, and says so.
    let res = lines(&r, "resolution");
    assert!(
        res.iter()
            .any(|l| l.starts_with("policy (P1, email): target 1bd")),
        "{res:#?}"
    );
    // The rule is in the JSON report, and reads back.
    let json = serde_json::to_string(&r).expect("json");
    assert!(json.contains(r#""rule":"premium-p1""#));
    let back: Report = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, r);
}

#[test]
fn a_partial_override_keeps_the_other_cells() {
    let policy = desk(PREMIUM, "recompute");
    // P3 under rule `premium`, which gives P1 and P2 only: the policy's 1bd.
    let r = evaluate(
        &policy,
        "toronto",
        &[created(
            "2026-11-23T15:00:00Z",
            "P3",
            "phone",
            &[("tier", "premium")],
        )],
        None,
    )
    .expect("report");
    assert_eq!(r.rule.as_deref(), Some("premium"));
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.target.as_ref().map(|t| t.as_str()), Some("1bd"));
}

#[test]
fn conditions_all_hold_and_lists_mean_any_of() {
    let rules = r#"
[[rules]]
id = "acme-phone"
when = { severity = ["P1", "P2"], channel = "phone", region = "toronto", attributes = { tier = ["gold", "platinum"], org = "acme" } }
[rules.metrics.resolution]
target = "2h"
"#;
    let policy = desk(rules, "recompute");
    let t = "2026-11-23T15:00:00Z";
    let rule = |region: &str, sev: &str, chan: &str, attrs: &[(&str, &str)]| {
        evaluate(&policy, region, &[created(t, sev, chan, attrs)], None)
            .expect("report")
            .rule
    };
    let acme = [("tier", "gold"), ("org", "acme")];
    assert_eq!(
        rule("toronto", "P1", "phone", &acme).as_deref(),
        Some("acme-phone")
    );
    assert_eq!(
        rule("toronto", "P2", "phone", &[("tier", "platinum"), ("org", "acme")]).as_deref(),
        Some("acme-phone")
    );
    assert_eq!(rule("toronto", "P3", "phone", &acme), None, "severity");
    assert_eq!(rule("toronto", "P1", "email", &acme), None, "channel");
    assert_eq!(rule("london", "P1", "phone", &acme), None, "region");
    assert_eq!(
        rule("toronto", "P1", "phone", &[("tier", "gold")]),
        None,
        "org missing"
    );
    assert_eq!(
        rule("toronto", "P1", "phone", &[("tier", "silver"), ("org", "acme")]),
        None,
        "tier"
    );
    // Attribute values match exactly (case and all).
    assert_eq!(
        rule("toronto", "P1", "phone", &[("tier", "Gold"), ("org", "acme")]),
        None
    );
}

#[test]
fn rules_that_never_match_change_nothing() {
    let never = r#"
[[rules]]
id = "gold"
when = { attributes = { tier = "gold" } }
calendar = "24x7"
[rules.metrics.first_response]
clock = "calendar"
target = "5m"
"#;
    for change in ["recompute", "restart"] {
        let with = desk(never, change);
        let without = desk("", change);
        let script = r#"[
          {"at": "2026-11-20T21:00:00Z", "type": "created", "severity": "P2", "channel": "email", "attributes": {"tier": "silver"}},
          {"at": "2026-11-23T15:00:00Z", "type": "severity_changed", "severity": "P1"},
          {"at": "2026-11-23T16:00:00Z", "type": "waiting_on_customer"},
          {"at": "2026-11-24T16:00:00Z", "type": "customer_replied"},
          {"at": "2026-11-24T17:00:00Z", "type": "attributes_changed", "attributes": {"tier": "bronze"}},
          {"at": "2026-11-25T15:00:00Z", "type": "responded"}
        ]"#;
        for region in ["toronto", "london"] {
            let a = evaluate(&with, region, &events(script), None).expect("report");
            let b = evaluate(&without, region, &events(script), None).expect("report");
            assert_eq!(a, b, "{change} {region}");
        }
    }
}

#[test]
fn a_rule_can_count_every_hour() {
    let rules = r#"
[[rules]]
id = "around-the-clock"
when = { severity = "P1" }
calendar = "24x7"
"#;
    let policy = desk(rules, "recompute");
    // Saturday noon in Toronto: 1h business on a 24x7 calendar is 13:00.
    let r = evaluate(
        &policy,
        "toronto",
        &[created("2026-11-28T17:00:00Z", "P1", "email", &[])],
        None,
    )
    .expect("report");
    assert_eq!(due(&r, "first_response"), at("2026-11-28T18:00:00Z"));
    // 1bd (same time) on a 24x7 calendar: a day later.
    assert_eq!(due(&r, "resolution"), at("2026-11-29T17:00:00Z"));
    assert_eq!(r.timezone, "America/Toronto");
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.clock, sla_deadline::ClockKind::Business);
    assert!(lines(&r, "first_response")[0].ends_with("business time counts 24x7"));
}

#[test]
fn a_rule_can_count_in_another_regions_calendar() {
    let rules = r#"
[[rules]]
id = "to-london"
when = { attributes = { team = "emea" } }
calendar = "london"
"#;
    let policy = desk(rules, "recompute");
    for t in [
        "2026-11-23T15:00:00Z",
        "2026-11-27T21:00:00Z",
        "2026-03-27T17:30:00Z",
    ] {
        for sev in ["P1", "P2", "P3"] {
            let routed = evaluate(
                &policy,
                "toronto",
                &[created(t, sev, "email", &[("team", "emea")])],
                None,
            )
            .expect("report");
            let london = evaluate(&policy, "london", &[created(t, sev, "email", &[])], None).expect("report");
            assert_eq!(routed.timezone, "Europe/London");
            for m in ["first_response", "resolution"] {
                assert_eq!(due(&routed, m), due(&london, m), "{t} {sev} {m}");
                let a = routed.metric(m).expect("metric");
                let b = london.metric(m).expect("metric");
                assert_eq!(a.due_local, b.due_local);
                assert_eq!(a.budget, b.budget);
            }
        }
    }
}

#[test]
fn a_rule_can_change_the_clock() {
    let rules = r#"
[[rules]]
id = "vip"
when = { attributes = { vip = "yes" } }
[rules.metrics.first_response]
clock = "calendar"
target = "2h"
"#;
    let policy = desk(rules, "recompute");
    // Saturday: a calendar clock counts anyway.
    let r = evaluate(
        &policy,
        "toronto",
        &[created("2026-11-28T17:00:00Z", "P3", "email", &[("vip", "yes")])],
        None,
    )
    .expect("report");
    let fr = r.metric("first_response").expect("metric");
    assert_eq!(fr.clock, sla_deadline::ClockKind::Calendar);
    assert_eq!(fr.due_at, Some(at("2026-11-28T19:00:00Z")));
}

#[test]
fn attributes_changed_recomputes_from_the_original_start() {
    let policy = desk(PREMIUM, "recompute");
    // Monday 10:00 Toronto, P2: 4h -> 14:00. Premium at 10:30: 2h from the
    // original start -> 12:00. Premium removed at 11:00: back to 14:00.
    let mut script = vec![
        created("2026-11-23T15:00:00Z", "P2", "email", &[]),
        Event::new(
            at("2026-11-23T15:30:00Z"),
            EventKind::AttributesChanged {
                attributes: [("tier".to_string(), Some("premium".to_string()))].into(),
                customer_zone: None,
            },
        ),
    ];
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    assert_eq!(r.rule.as_deref(), Some("premium"));
    assert_eq!(due(&r, "first_response"), at("2026-11-23T17:00:00Z"));
    let fr = lines(&r, "first_response");
    assert!(
        fr.iter().any(|l| l.starts_with(
            "attributes changed at 2026-11-23T15:30:00Z, rule premium applies, recomputed from the original start: target 2h"
        )),
        "{fr:#?}"
    );
    // The resolution's target does not change: no recompute line.
    assert!(!lines(&r, "resolution").iter().any(|l| l.contains("recomputed")));
    script.push(Event::new(
        at("2026-11-23T16:00:00Z"),
        EventKind::AttributesChanged {
            attributes: [("tier".to_string(), None)].into(),
            customer_zone: None,
        },
    ));
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    assert_eq!(r.rule, None);
    assert_eq!(due(&r, "first_response"), at("2026-11-23T19:00:00Z"));
    assert!(
        lines(&r, "first_response")
            .iter()
            .any(|l| l.starts_with("attributes changed at 2026-11-23T16:00:00Z, no rule applies"))
    );
}

#[test]
fn attributes_changed_restarts_under_restart() {
    let policy = desk(PREMIUM, "restart");
    let script = events(
        r#"[
      {"at": "2026-11-23T15:00:00Z", "type": "created", "severity": "P2", "channel": "email"},
      {"at": "2026-11-23T15:30:00Z", "type": "attributes_changed", "attributes": {"tier": "premium"}}
    ]"#,
    );
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    let fr = r.metric("first_response").expect("metric");
    // A fresh 2h clock from 10:30.
    assert_eq!(fr.started_at, Some(at("2026-11-23T15:30:00Z")));
    assert_eq!(fr.due_at, Some(at("2026-11-23T17:30:00Z")));
    assert_eq!(fr.cycles.count, 2);
    // The resolution's rule target is the same: it keeps its clock.
    let res = r.metric("resolution").expect("metric");
    assert_eq!(res.started_at, Some(at("2026-11-23T15:00:00Z")));
}

#[test]
fn attributes_that_no_rule_reads_change_nothing() {
    let policy = desk(PREMIUM, "recompute");
    let base = r#"{"at": "2026-11-23T15:00:00Z", "type": "created", "severity": "P2", "channel": "email"}"#;
    let plain = evaluate(
        &policy,
        "toronto",
        &events(&format!("[{base}]")),
        Some(at("2026-11-23T17:00:00Z")),
    )
    .expect("report");
    let with = evaluate(
        &policy,
        "toronto",
        &events(&format!(
            r#"[{base}, {{"at": "2026-11-23T16:00:00Z", "type": "attributes_changed", "attributes": {{"org": "acme"}}}}]"#
        )),
        Some(at("2026-11-23T17:00:00Z")),
    )
    .expect("report");
    assert_eq!(plain, with);
    // The same attributes again: ignored, with a warning.
    let again = evaluate(
        &policy,
        "toronto",
        &events(
            r#"[{"at": "2026-11-23T15:00:00Z", "type": "created", "severity": "P2", "channel": "email", "attributes": {"org": "acme"}},
                {"at": "2026-11-23T16:00:00Z", "type": "attributes_changed", "attributes": {"org": "acme"}}]"#,
        ),
        None,
    )
    .expect("report");
    assert_eq!(
        again.warnings,
        ["event 1 (attributes_changed) ignored: the attributes and customer zone are unchanged"]
    );
}

#[test]
fn a_severity_change_chooses_the_rule_again() {
    let rules = r#"
[[rules]]
id = "p1-around-the-clock"
when = { severity = "P1" }
calendar = "24x7"
"#;
    let policy = desk(rules, "recompute");
    // Friday 16:30 Toronto, P2; P1 at 16:45: first response 1h from 16:30
    // on the 24x7 calendar -> 17:30 (on business hours it would be Monday
    // 09:30).
    let script = events(
        r#"[
      {"at": "2026-11-27T21:30:00Z", "type": "created", "severity": "P2", "channel": "email"},
      {"at": "2026-11-27T21:45:00Z", "type": "severity_changed", "severity": "P1"}
    ]"#,
    );
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    assert_eq!(r.rule.as_deref(), Some("p1-around-the-clock"));
    assert_eq!(due(&r, "first_response"), at("2026-11-27T22:30:00Z"));
    assert_eq!(
        r.metric("first_response").and_then(|m| m.elapsed),
        Some(TimeDelta::minutes(15))
    );
}

#[test]
fn an_agreed_target_stays_but_counts_in_the_new_calendar() {
    let rules = r#"
[[rules]]
id = "around-the-clock"
when = { attributes = { tier = "premium" } }
calendar = "24x7"
"#;
    let policy = desk(rules, "recompute");
    let script = events(
        r#"[
      {"at": "2026-11-27T21:00:00Z", "type": "created", "severity": "P3", "channel": "email"},
      {"at": "2026-11-27T21:10:00Z", "type": "target_agreed", "metric": "first_response", "target": "3h"},
      {"at": "2026-11-27T21:20:00Z", "type": "attributes_changed", "attributes": {"tier": "premium"}}
    ]"#,
    );
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    let fr = r.metric("first_response").expect("metric");
    assert!(fr.agreed);
    assert_eq!(fr.target.as_ref().map(|t| t.as_str()), Some("3h"));
    // Friday 16:00 + 3h of every hour.
    assert_eq!(fr.due_at, Some(at("2026-11-28T00:00:00Z")));
}

#[test]
fn a_reopened_ticket_resumes_in_the_calendar_its_facts_choose() {
    let rules = r#"
[[rules]]
id = "around-the-clock"
when = { attributes = { tier = "premium" } }
calendar = "24x7"
"#;
    let policy = desk(rules, "recompute");
    // Resolution 1bd (P1): resolved after 1h, premium while resolved,
    // reopened Saturday 10:00: the remaining 7h count every hour.
    let script = events(
        r#"[
      {"at": "2026-11-27T14:00:00Z", "type": "created", "severity": "P1", "channel": "email"},
      {"at": "2026-11-27T15:00:00Z", "type": "resolved"},
      {"at": "2026-11-27T16:00:00Z", "type": "attributes_changed", "attributes": {"tier": "premium"}},
      {"at": "2026-11-28T15:00:00Z", "type": "reopened"}
    ]"#,
    );
    let r = evaluate(&policy, "toronto", &script, None).expect("report");
    let res = r.metric("resolution").expect("metric");
    assert_eq!(res.status, Status::Running);
    // 1bd on 24x7 from Friday 09:00 is 24h; 1h used: 23h from Saturday
    // 10:00.
    assert_eq!(res.budget, Some(TimeDelta::hours(24)));
    assert_eq!(res.due_at, Some(at("2026-11-29T14:00:00Z")));
}

fn load_err(rules: &str) -> String {
    let text = format!(
        r#"
[policy]
id = "desk"
name = "Desk"
vendor = "Test"
[regions.toronto]
zone = "America/Toronto"
hours = {{ mon-fri = ["09:00-17:00"] }}
holidays = []
[severities.P1]
[severities.P2]
[channels.email]
[metrics.first_response]
clock = "business"
start = ["created"]
stop = ["responded"]
by_severity = {{ P1 = "1h", P2 = "1bd" }}
{rules}"#
    );
    match Policy::from_toml_str(&text, "r.toml") {
        Ok(_) => "loaded".to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn rule_mistakes_are_located() {
    let cases = [
        (
            "[[rules]]\nwhen = { severity = \"P1\" }\ncalendar = \"24x7\"\n",
            "line 18, column 1: rules[0].id: missing key `id`: expected the rule's id, such as \"premium\"",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { severity = \"P9\" }\ncalendar = \"24x7\"\n",
            "line 20, column 21: rules[0].when.severity: unknown severity \"P9\": expected one of P1, P2",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { severity = [] }\ncalendar = \"24x7\"\n",
            "rules[0].when.severity: an empty list: expected some of P1, P2, or no `severity` for any",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { channel = [\"email\", \"email\"] }\ncalendar = \"24x7\"\n",
            "rules[0].when.channel: channel \"email\" is listed twice: expected each once",
        ),
        (
            "[[rules]]\nid = \"a\"\ncalendar = \"paris\"\n",
            "rules[0].calendar: unknown calendar \"paris\": expected \"24x7\" or a region id (toronto)",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { severity = \"P1\" }\n",
            "rules[0]: a rule that changes nothing: expected `calendar` or `[rules.metrics.<id>]` targets",
        ),
        (
            "[[rules]]\nid = \"a\"\n[rules.metrics.resolution]\ntarget = \"1h\"\n",
            "rules[0].metrics.resolution: unknown metric \"resolution\": expected one of first_response",
        ),
        (
            "[[rules]]\nid = \"a\"\n[rules.metrics.first_response]\nclock = \"calendar\"\n",
            "rules[0].metrics.first_response.clock: a calendar clock for severity \"P2\", but metric \"first_response\" keeps its target \"1bd\" there, which counts business days: expected targets in calendar time for it in this rule",
        ),
        (
            "[[rules]]\nid = \"a\"\n[rules.metrics.first_response]\nclock = \"calendar\"\ntarget = \"2bd\"\n",
            "rules[0].metrics.first_response.target: \"2bd\" counts business days but metric \"first_response\" has a calendar clock: expected calendar time such as \"48h\", or clock = \"business\"",
        ),
        (
            "[[rules]]\nid = \"a\"\n[rules.metrics.first_response]\ntarget = \"1h\"\nby_severity = { P1 = \"2h\" }\n",
            "rules[0].metrics.first_response.by_severity: targets given both by `target` and by `by_severity`",
        ),
        (
            "[[rules]]\nid = \"a\"\nsince = \"next year\"\ncalendar = \"24x7\"\n",
            "rules[0].since: \"next year\" is not a date: expected a date such as 2027-01-01, without a time",
        ),
        (
            "[[rules]]\nid = \"a\"\nsince = 2027-01-01T09:00:00\ncalendar = \"24x7\"\n",
            "rules[0].since: \"2027-01-01T09:00:00\" is not a date: expected a date such as 2027-01-01, without a time",
        ),
        (
            "[[rules]]\nid = \"a\"\nsince = 2027\ncalendar = \"24x7\"\n",
            "rules[0].since: invalid type: integer `2027`, expected a date such as 2027-01-01",
        ),
        (
            "[[rules]]\nid = \"a\"\nsince = 2027-01-01\nuntil = 2027-01-01\ncalendar = \"24x7\"\n",
            "rules[0].until: until 2027-01-01 is not after since 2027-01-01",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { tier = \"gold\" }\ncalendar = \"24x7\"\n",
            "rules[0].when.tier: unknown key `tier`, expected one of `severity`, `channel`, `region`, `attributes`",
        ),
        (
            "[[rules]]\nid = \"a\"\nwhen = { attributes = { tier = 3 } }\ncalendar = \"24x7\"\n",
            "rules[0].when.attributes.tier: invalid type: integer `3`",
        ),
    ];
    for (rules, want) in cases {
        let got = load_err(rules);
        assert!(got.contains(want), "{rules}\n  want: {want}\n  got:  {got}");
        assert!(got.starts_with("r.toml: line "), "{got}");
    }
}

#[test]
fn rules_sharing_an_id_are_dated_versions_end_to_end() {
    let ok = "[[rules]]\nid = \"a\"\nuntil = 2027-01-01\ncalendar = \"24x7\"\n[[rules]]\nid = \"a\"\nsince = 2027-01-01\ncalendar = \"24x7\"\n";
    assert_eq!(load_err(ok), "loaded");
    let gap = "[[rules]]\nid = \"a\"\nuntil = 2027-01-01\ncalendar = \"24x7\"\n[[rules]]\nid = \"a\"\nsince = 2027-02-01\ncalendar = \"24x7\"\n";
    let got = load_err(gap);
    assert!(
        got.contains("rule \"a\": version 1 starts 2027-02-01, after version 0 ends (2027-01-01): no version is in force in between; expected since = 2027-01-01"),
        "{got}"
    );
    let overlap = "[[rules]]\nid = \"a\"\nuntil = 2027-02-01\ncalendar = \"24x7\"\n[[rules]]\nid = \"a\"\nsince = 2027-01-01\ncalendar = \"24x7\"\n";
    assert!(
        load_err(overlap).contains("the versions overlap"),
        "{}",
        load_err(overlap)
    );
    let open = "[[rules]]\nid = \"a\"\ncalendar = \"24x7\"\n[[rules]]\nid = \"a\"\nsince = 2027-01-01\ncalendar = \"24x7\"\n";
    assert!(
        load_err(open).contains("overlaps version 0"),
        "{}",
        load_err(open)
    );
    // A single dated rule is a window, not a version list.
    let window = "[[rules]]\nid = \"a\"\nsince = 2026-12-24\nuntil = 2027-01-02\ncalendar = \"24x7\"\n";
    assert_eq!(load_err(window), "loaded");
    // Quoted dates read the same.
    let quoted = "[[rules]]\nid = \"a\"\nuntil = \"2027-01-01\"\ncalendar = \"24x7\"\n[[rules]]\nid = \"a\"\nsince = 2027-01-01\ncalendar = \"24x7\"\n";
    assert_eq!(load_err(quoted), "loaded");
}

#[test]
fn attributes_are_read_strictly() {
    let read = |json: &str| serde_json::from_str::<Event>(json).map_err(|e| e.to_string());
    let ok = read(
        r#"{"at": "2026-11-23T09:00:00Z", "type": "created", "severity": "P1", "channel": "email", "attributes": {"tier": "premium", "org": "acme"}, "customer_zone": "Asia/Tokyo"}"#,
    )
    .expect("reads");
    let json = serde_json::to_string(&ok).expect("writes");
    assert_eq!(
        json,
        r#"{"at":"2026-11-23T09:00:00Z","type":"created","severity":"P1","channel":"email","attributes":{"org":"acme","tier":"premium"},"customer_zone":"Asia/Tokyo"}"#
    );
    assert_eq!(read(&json).expect("reads back"), ok);
    // Without attributes the JSON is as before.
    let plain =
        read(r#"{"at": "2026-11-23T09:00:00Z", "type": "created", "severity": "P1", "channel": "email"}"#)
            .expect("reads");
    assert_eq!(
        serde_json::to_string(&plain).expect("writes"),
        r#"{"at":"2026-11-23T09:00:00Z","type":"created","severity":"P1","channel":"email"}"#
    );
    let change = read(r#"{"at": "2026-11-23T09:00:00Z", "type": "attributes_changed", "attributes": {"tier": null, "org": "x"}}"#)
        .expect("reads");
    assert_eq!(
        serde_json::to_string(&change).expect("writes"),
        r#"{"at":"2026-11-23T09:00:00Z","type":"attributes_changed","attributes":{"org":"x","tier":null}}"#
    );
    let err = |json: &str| read(json).expect_err(json);
    assert!(
        err(r#"{"at": "2026-11-23T09:00:00Z", "type": "created", "severity": "P1", "channel": "email", "attributes": {"tier": 3}}"#)
            .starts_with("attribute \"tier\" is a number: expected a string, or null to remove it")
    );
    assert!(
        err(r#"{"at": "2026-11-23T09:00:00Z", "type": "created", "severity": "P1", "channel": "email", "attributes": "premium"}"#)
            .contains(r#"expected an object of strings such as {"tier": "premium"}"#)
    );
    assert!(
        err(r#"{"at": "2026-11-23T09:00:00Z", "type": "attributes_changed"}"#)
            .starts_with("missing key \"attributes\" in a attributes_changed event")
    );
    assert!(
        err(r#"{"at": "2026-11-23T09:00:00Z", "type": "resolved", "attributes": {}}"#)
            .starts_with("key \"attributes\" does not belong in a resolved event")
    );
    let many: Vec<String> = (0..65).map(|i| format!("\"a{i}\": \"v\"")).collect();
    assert!(
        err(&format!(
            r#"{{"at": "2026-11-23T09:00:00Z", "type": "attributes_changed", "attributes": {{{}}}}}"#,
            many.join(", ")
        ))
        .starts_with("more than 64 attributes")
    );
    let long = "x".repeat(300);
    assert!(
        err(&format!(
            r#"{{"at": "2026-11-23T09:00:00Z", "type": "attributes_changed", "attributes": {{"tier": "{long}"}}}}"#
        ))
        .contains("is longer than 256 characters")
    );
}
