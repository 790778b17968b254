//! The worked tickets of `tests/cases/`: the fifteen of the project's shared
//! cases (01-15, built-in policies) and the example desk's (16-, policies
//! from `policies/examples/`). Each replayed through the engine must give
//! its expected report, field for field.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sla_deadline::{Event, Policy, evaluate};

#[derive(Deserialize)]
pub(crate) struct TicketFile {
    pub(crate) policy: String,
    pub(crate) region: String,
    pub(crate) events: Vec<Event>,
}

#[derive(Deserialize)]
pub(crate) struct Expected {
    case: String,
    pub(crate) as_of: Option<chrono::DateTime<chrono::Utc>>,
    pub(crate) expected: Value,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

pub(crate) fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/cases exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".expected.json").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// A case's ticket and its expected report.
pub(crate) fn read_case(name: &str) -> (TicketFile, Expected) {
    let dir = cases_dir();
    let input: TicketFile =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("input"))
            .expect("input parses");
    let expected: Expected = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).expect("expected"),
    )
    .expect("expected parses");
    assert_eq!(expected.case, name);
    (input, expected)
}

fn run(name: &str) -> (Value, Value) {
    let (input, expected) = read_case(name);
    let policy = Policy::load(&input.policy).expect("built-in policy or policy file");
    let report = evaluate(&policy, &input.region, &input.events, expected.as_of).expect("report");
    (
        serde_json::to_value(&report).expect("report serializes"),
        expected.expected,
    )
}

#[test]
fn the_fifteen_shared_cases_are_all_here() {
    let names = case_names();
    for n in 1..=15 {
        let prefix = format!("{n:02}_");
        assert!(names.iter().any(|c| c.starts_with(&prefix)), "case {prefix}");
    }
    assert!(names.len() >= 18, "the example desk's cases too");
}

/// The fields the cases' README asks for, metric by metric, with a message
/// that names the case, the metric and the field.
#[test]
fn every_case_gives_its_expected_figures() {
    let mut failures = Vec::new();
    for name in case_names() {
        let (got, want) = run(&name);
        for key in [
            "policy",
            "region",
            "timezone",
            "severity",
            "channel",
            "as_of",
            "next_wake_up",
            "warnings",
        ] {
            if got[key] != want[key] {
                failures.push(format!("{name}: {key}: got {} want {}", got[key], want[key]));
            }
        }
        let (Some(got_m), Some(want_m)) = (got["metrics"].as_array(), want["metrics"].as_array()) else {
            failures.push(format!("{name}: metrics missing"));
            continue;
        };
        if got_m.len() != want_m.len() {
            failures.push(format!("{name}: {} metrics, want {}", got_m.len(), want_m.len()));
            continue;
        }
        for (g, w) in got_m.iter().zip(want_m) {
            let metric = w["metric"].as_str().unwrap_or("?");
            let Some(fields) = w.as_object() else {
                continue;
            };
            for key in fields.keys() {
                if g[key] != w[key] {
                    failures.push(format!("{name}: {metric}.{key}: got {} want {}", g[key], w[key]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
