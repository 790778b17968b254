//! Policies built in code: the built-in policies written through the
//! builder (from their files, key by key) are the same policies and give
//! the same reports; the builder's errors are the file's, located by key
//! path.

use std::collections::BTreeMap;

use serde::Deserialize;
use sla_deadline::{
    BUILT_IN_CODE, ClockKind, Cycles, DayMode, Event, EventKind, MetricSpec, OnReopen, Policy, PolicyBuilder,
    RegionSpec, RuleSpec, SeverityChange, TargetSpec, evaluate,
};
use toml::{Spanned, Table, Value};

use crate::cases::{case_names, read_case};

/// A policy file's tables, ids in file order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    policy: Table,
    #[serde(default)]
    options: Table,
    #[serde(default)]
    severities: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    channels: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    statuses: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    regions: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    metrics: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    rules: Vec<Table>,
}

/// A TOML date (`2027-01-01`).
fn date(value: &Value) -> chrono::NaiveDate {
    match value {
        Value::Datetime(d) => d.to_string().parse().expect("a date"),
        other => panic!("a date, not {other:?}"),
    }
}

/// `since` and `until` of a dated version or rule.
fn dates(t: &Table) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    (t.get("since").map(date), t.get("until").map(date))
}

/// Clock and targets in the usual forms; `skip` lists the other keys the
/// table may hold.
fn target_spec(t: &Table, skip: &[&str]) -> TargetSpec {
    let mut spec = TargetSpec::new();
    for (key, value) in t {
        let cells = || value.as_table().expect("a table").iter();
        spec = match key.as_str() {
            k if skip.contains(&k) => spec,
            "clock" => match value {
                Value::String(k) => spec.clock(kind(k)),
                Value::Table(by) => by.iter().fold(spec, |s, (sev, k)| {
                    s.clock_for(sev, kind(k.as_str().expect("a kind")))
                }),
                other => panic!("clock {other:?}"),
            },
            "target" => spec.target(value.as_str().expect("a target")),
            "by_severity" => cells().fold(spec, |s, (sev, v)| {
                s.by_severity(sev, v.as_str().expect("a target"))
            }),
            "by_channel" => cells().fold(spec, |s, (c, v)| s.by_channel(c, v.as_str().expect("a target"))),
            "grid" => cells().fold(spec, |s, (sev, row)| match row {
                Value::String(target) => s.grid_row(sev, target),
                Value::Table(by) => by
                    .iter()
                    .fold(s, |s, (c, v)| s.grid(sev, c, v.as_str().expect("a target"))),
                other => panic!("grid row {other:?}"),
            }),
            other => panic!("targets: {other}"),
        };
    }
    spec
}

fn in_file_order(map: &BTreeMap<Spanned<String>, Table>) -> Vec<(&str, &Table)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
        .into_iter()
        .map(|(k, v)| (k.get_ref().as_str(), v))
        .collect()
}

fn text<'a>(table: &'a Table, key: &str) -> Option<&'a str> {
    table
        .get(key)
        .map(|v| v.as_str().unwrap_or_else(|| panic!("{key} is a string")))
}

fn list(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().expect("a list of strings"))
            .collect(),
        other => panic!("a string or a list of strings, not {other:?}"),
    }
}

fn kind(name: &str) -> ClockKind {
    match name {
        "business" => ClockKind::Business,
        "calendar" => ClockKind::Calendar,
        other => panic!("clock {other}"),
    }
}

/// Every key of a policy file, through the builder. A key this does not
/// know fails the test: the builder must learn every key the format has.
fn through_builder(toml_text: &str) -> PolicyBuilder {
    let file: File = toml::from_str(toml_text).expect("a policy file");
    let meta = &file.policy;
    let mut b = Policy::builder(
        text(meta, "id").expect("id"),
        text(meta, "name").expect("name"),
        text(meta, "vendor").expect("vendor"),
    );
    for key in meta.keys() {
        match key.as_str() {
            "id" | "name" | "vendor" => {}
            "source" => b = b.source(text(meta, "source").expect("source")),
            other => panic!("policy.{other}"),
        }
    }
    for (key, value) in &file.options {
        b = match key.as_str() {
            "severity_change" => b.severity_change(match value.as_str() {
                Some("restart") => SeverityChange::Restart,
                _ => SeverityChange::Recompute,
            }),
            "business_days" => b.business_days(match value.as_str() {
                Some("end_of_day") => DayMode::EndOfDay,
                _ => DayMode::SameTime,
            }),
            "warnings" => b.warnings(
                value
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(|v| v.as_float().expect("a float")),
            ),
            "horizon" => {
                let years = value.as_array().expect("a list");
                let year = |i: usize| years[i].as_integer().expect("a year") as i32;
                b.horizon(year(0), year(1))
            }
            other => panic!("options.{other}"),
        };
    }
    for (id, t) in in_file_order(&file.severities) {
        b = b.severity(
            id,
            text(t, "name").unwrap_or(id),
            text(t, "description").unwrap_or(""),
        );
    }
    for (id, t) in in_file_order(&file.channels) {
        b = b.channel(id, text(t, "name").unwrap_or(id));
    }
    for (id, t) in in_file_order(&file.statuses) {
        b = b.status(id, text(t, "name").unwrap_or(id));
    }
    for (id, t) in in_file_order(&file.regions) {
        let mut r = match (text(t, "zone"), t.get("union")) {
            (_, Some(members)) => RegionSpec::union(list(members)),
            (Some(zone), None) => RegionSpec::new(zone),
            (None, None) => panic!("regions.{id}: a zone or a union"),
        };
        for (key, value) in t {
            r = match key.as_str() {
                "union" => r,
                "zone" => r.zone(value.as_str().expect("a zone")),
                "name" => r.name(value.as_str().expect("a name")),
                "holidays" => r.holidays(list(value)),
                "languages" => r.languages(list(value)),
                "hours" => value
                    .as_table()
                    .expect("a table")
                    .iter()
                    .fold(r, |r, (days, spans)| r.hours(days, list(spans))),
                "exceptions" => value
                    .as_table()
                    .expect("a table")
                    .iter()
                    .fold(r, |r, (date, spans)| r.exception(date, list(spans))),
                "versions" => value.as_array().expect("a list").iter().fold(r, |r, v| {
                    let v = v.as_table().expect("a table");
                    let (since, until) = dates(v);
                    for key in v.keys() {
                        assert!(
                            ["since", "until", "hours"].contains(&key.as_str()),
                            "regions.{id}.versions.{key}"
                        );
                    }
                    let hours: Vec<(&str, Vec<&str>)> = v
                        .get("hours")
                        .and_then(Value::as_table)
                        .expect("hours")
                        .iter()
                        .map(|(days, spans)| (days.as_str(), list(spans)))
                        .collect();
                    let hours: Vec<(&str, &[&str])> = hours.iter().map(|(d, s)| (*d, s.as_slice())).collect();
                    r.version(since, until, &hours)
                }),
                other => panic!("regions.{id}.{other}"),
            };
        }
        b = b.region(id, r);
    }
    for (id, t) in in_file_order(&file.metrics) {
        let mut m = match t.get("clock") {
            Some(Value::String(k)) => MetricSpec::new(kind(k)),
            Some(Value::Table(by)) => by.iter().fold(MetricSpec::new(ClockKind::Business), |m, (s, k)| {
                m.clock_for(s, kind(k.as_str().expect("a kind")))
            }),
            other => panic!("metrics.{id}.clock: {other:?}"),
        };
        for (key, value) in t {
            let cells = || value.as_table().expect("a table").iter();
            m = match key.as_str() {
                "clock" => m,
                "name" => m.name(value.as_str().expect("a name")),
                "start" => m.start(list(value)),
                "stop" => m.stop(list(value)),
                "restart" => m.restart(list(value)),
                "pause_in" => m.pause_in(list(value)),
                "channels" => m.channels(list(value)),
                "target" => m.target(value.as_str().expect("a target")),
                "pauses_while_waiting" => m.pauses_while_waiting(value.as_bool().expect("a bool")),
                "on_reopen" => m.on_reopen(match value.as_str() {
                    Some("resume") => OnReopen::Resume,
                    Some("new_cycle") => OnReopen::NewCycle,
                    _ => OnReopen::Nothing,
                }),
                "cycles" => m.cycles(match value.as_str() {
                    Some("repeat") => Cycles::Repeat,
                    _ => Cycles::Once,
                }),
                "by_severity" => cells().fold(m, |m, (s, v)| m.by_severity(s, v.as_str().expect("a target"))),
                "by_channel" => cells().fold(m, |m, (c, v)| m.by_channel(c, v.as_str().expect("a target"))),
                "grid" => cells().fold(m, |m, (s, row)| match row {
                    Value::String(target) => m.grid_row(s, target),
                    Value::Table(by) => by
                        .iter()
                        .fold(m, |m, (c, v)| m.grid(s, c, v.as_str().expect("a target"))),
                    other => panic!("grid row {other:?}"),
                }),
                "versions" => value.as_array().expect("a list").iter().fold(m, |m, v| {
                    let v = v.as_table().expect("a table");
                    let (since, until) = dates(v);
                    m.version(since, until, target_spec(v, &["since", "until"]))
                }),
                other => panic!("metrics.{id}.{other}"),
            };
        }
        b = b.metric(id, m);
    }
    for t in &file.rules {
        let mut r = RuleSpec::new(text(t, "id").expect("a rule's id"));
        for (key, value) in t {
            r = match key.as_str() {
                "id" => r,
                "name" => r.name(value.as_str().expect("a name")),
                "since" => r.since(date(value)),
                "until" => r.until(date(value)),
                "calendar" => r.calendar(value.as_str().expect("a calendar")),
                "when" => value
                    .as_table()
                    .expect("a table")
                    .iter()
                    .fold(r, |r, (k, v)| match k.as_str() {
                        "severity" => r.when_severities(list(v)),
                        "channel" => r.when_channels(list(v)),
                        "region" => r.when_regions(list(v)),
                        "attributes" => v
                            .as_table()
                            .expect("a table")
                            .iter()
                            .fold(r, |r, (name, values)| r.when_attribute(name, list(values))),
                        other => panic!("rules.when.{other}"),
                    }),
                "metrics" => value.as_table().expect("a table").iter().fold(r, |r, (m, t)| {
                    r.metric(m, target_spec(t.as_table().expect("a table"), &[]))
                }),
                other => panic!("rules.{other}"),
            };
        }
        b = b.rule(r);
    }
    b
}

/// The built-in policies and the example desks (statuses, repeating
/// cycles, per-severity clocks; a follow-the-sun union), by the path
/// `Policy::load` takes.
const FILES: [(&str, &str); 5] = [
    ("ol-care", include_str!("../../policies/ol-care.toml")),
    ("e3k-odoo", include_str!("../../policies/e3k-odoo.toml")),
    (
        "policies/examples/saas-desk.toml",
        include_str!("../../policies/examples/saas-desk.toml"),
    ),
    (
        "policies/examples/follow-the-sun.toml",
        include_str!("../../policies/examples/follow-the-sun.toml"),
    ),
    (
        "policies/examples/saas-tiers.toml",
        include_str!("../../policies/examples/saas-tiers.toml"),
    ),
];

#[test]
fn built_in_policies_built_in_code_are_the_same_policies() {
    for (id, file) in FILES {
        let built = through_builder(file).build().expect(id);
        let loaded = Policy::load(id).expect(id);
        assert!(built == loaded, "{id}: the built policy differs from the file's");
    }
}

#[test]
fn built_in_policies_built_in_code_give_identical_reports() {
    let built: Vec<Policy> = FILES
        .iter()
        .map(|(id, file)| through_builder(file).build().expect(id))
        .collect();
    let builtin = |id: &str| Policy::load(id).expect(id);
    let same = |policy: &Policy, region: &str, events: &[Event], as_of| {
        let by_code = built
            .iter()
            .find(|b| b.id() == policy.id())
            .expect("built in code");
        let a = evaluate(policy, region, events, as_of).map(|r| serde_json::to_value(r).expect("json"));
        let b = evaluate(by_code, region, events, as_of).map(|r| serde_json::to_value(r).expect("json"));
        assert_eq!(
            a.map_err(|e| e.to_string()),
            b.map_err(|e| e.to_string()),
            "{region}"
        );
    };
    // Every worked case.
    for name in case_names() {
        let (ticket, expected) = read_case(&name);
        same(
            &builtin(&ticket.policy),
            &ticket.region,
            &ticket.events,
            expected.as_of,
        );
    }
    // Every region, severity and channel, across a week with a wait and a
    // severity change.
    for (id, _) in FILES {
        let policy = builtin(id);
        for region in policy.regions() {
            for severity in policy.severities() {
                for channel in policy.channels() {
                    let at = |s: &str| s.parse().expect("instant");
                    let events = vec![
                        Event::new(
                            at("2026-12-24T16:30:00Z"),
                            EventKind::created(severity.id(), channel.id()),
                        ),
                        Event::new(at("2026-12-28T10:00:00Z"), EventKind::WaitingOnCustomer),
                        Event::new(at("2026-12-29T09:00:00Z"), EventKind::CustomerReplied),
                        Event::new(
                            at("2026-12-29T12:00:00Z"),
                            EventKind::SeverityChanged {
                                severity: policy.severities()[0].id().into(),
                            },
                        ),
                    ];
                    same(&policy, region.id(), &events, Some(at("2027-01-08T00:00:00Z")));
                }
            }
        }
    }
}

#[test]
fn builder_errors_are_the_policy_files_errors_located_by_key() {
    let base = || {
        Policy::builder("acme", "Acme", "Acme")
            .region(
                "hq",
                RegionSpec::new("Europe/Paris")
                    .hours("mon-fri", ["09:00-17:00"])
                    .holidays([]),
            )
            .severity("high", "High", "")
            .channel("email", "Email")
    };
    let metric = || {
        MetricSpec::new(ClockKind::Business)
            .start(["created"])
            .stop(["responded"])
    };
    let err = |b: PolicyBuilder| b.build().expect_err("invalid").to_string();

    let e = err(base().metric("first_response", metric().by_severity("high", "2 hours")));
    assert!(
        e.starts_with(&format!(
            "{BUILT_IN_CODE}: metrics.first_response.by_severity.high: \"2 hours\" is not a target"
        )),
        "{e}"
    );
    assert!(!e.contains("line"), "no line of generated text: {e}");
    let e = err(base().metric("first_response", metric().by_severity("urgent", "2h")));
    assert!(
        e.contains("metrics.first_response.by_severity") && e.contains("urgent"),
        "{e}"
    );
    let e = err(base().region(
        "eu",
        RegionSpec::new("EST")
            .hours("mon-fri", ["09:00-17:00"])
            .holidays([]),
    ));
    assert!(
        e.contains("regions.eu.zone") && e.contains("America/New_York"),
        "{e}"
    );
    let e = err(base().region(
        "eu",
        RegionSpec::new("UTC")
            .hours("mon-fri", ["17:00-17:00"])
            .holidays([]),
    ));
    assert!(
        e.contains("regions.eu.hours.mon-fri") && e.contains("17:00-17:00"),
        "{e}"
    );
    let e = err(base().metric("x", metric().start(["lunch"]).target("1h")));
    assert!(e.contains("metrics.x.start") && e.contains("lunch"), "{e}");
    let e = err(base().warnings([0.5, f64::NAN]));
    assert!(e.contains("options.warnings"), "{e}");
    let e = err(base().horizon(2030, 2020));
    assert!(e.contains("options.horizon"), "{e}");
    let e = err(base().severity("high", "Again", ""));
    assert_eq!(
        e,
        format!("{BUILT_IN_CODE}: severities.high: added twice: expected each id once")
    );
    // A key set twice keeps its last value.
    let policy = base()
        .metric("first_response", metric().target("1h").target("2h"))
        .build()
        .expect("valid");
    let target = policy
        .metric("first_response")
        .expect("metric")
        .target(&policy, "high", "email");
    assert_eq!(target, Some(sla_deadline::Target::Time(7200)));
    // Text with quotes, backslashes and newlines is data, not TOML.
    let odd = "a \"quoted\" \\ name\n[policy]\nid = \"evil\"";
    let policy = base()
        .source(odd)
        .metric("first_response", metric().name(odd).target("1h"))
        .build()
        .expect("any text is a valid name");
    assert_eq!(policy.id(), "acme");
    assert_eq!(policy.source(), odd);
    assert_eq!(policy.metric("first_response").expect("metric").name(), odd);
    let e = err(Policy::builder("bad id!", "x", "x"));
    assert!(e.contains("policy.id"), "{e}");
}

#[test]
fn rules_and_versions_built_in_code_give_the_files_errors() {
    let base = || {
        Policy::builder("acme", "Acme", "Acme")
            .region(
                "hq",
                RegionSpec::new("Europe/Paris")
                    .holidays([])
                    .version(None, "2027-01-01".parse().ok(), &[("mon-fri", &["09:00-17:00"])])
                    .version("2027-02-01".parse().ok(), None, &[("mon-fri", &["08:00-17:00"])]),
            )
            .severity("high", "High", "")
            .channel("email", "Email")
            .metric(
                "first_response",
                MetricSpec::new(ClockKind::Business)
                    .start(["created"])
                    .stop(["responded"])
                    .target("4h"),
            )
    };
    let err = base().build().expect_err("a gap").to_string();
    assert_eq!(
        err,
        "policy built in code: regions.hq.versions[1].since: version 1 starts 2027-02-01, after version 0 ends (2027-01-01): no version is in force in between; expected since = 2027-01-01"
    );
    let err = Policy::builder("acme", "Acme", "Acme")
        .region(
            "hq",
            RegionSpec::new("Europe/Paris")
                .hours("mon-fri", ["09:00-17:00"])
                .holidays([]),
        )
        .severity("high", "High", "")
        .channel("email", "Email")
        .metric(
            "first_response",
            MetricSpec::new(ClockKind::Business)
                .start(["created"])
                .stop(["responded"])
                .target("4h"),
        )
        .rule(
            RuleSpec::new("vip")
                .when_attribute("tier", ["vip"])
                .metric("nope", TargetSpec::new().target("1h")),
        )
        .build()
        .expect_err("unknown metric")
        .to_string();
    assert_eq!(
        err,
        "policy built in code: rules[0].metrics.nope: unknown metric \"nope\": expected one of first_response"
    );
}
