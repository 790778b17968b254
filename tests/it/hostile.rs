//! Hostile input (issue 7): the fuzz harnesses on the inputs the fuzzers
//! kept (`tests/fuzz-regressions/<target>/`), and bounded property-based
//! fuzzing so CI keeps looking: no input may panic, hang or exhaust memory.

use std::path::Path;

use proptest::prelude::*;
use sla_deadline::{Error, Event, EventKind, Policy, Ticket};

use crate::harness;

fn regression_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let path = e.ok()?.path();
                    Some((path.display().to_string(), std::fs::read(&path).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    inputs.sort();
    inputs
}

#[test]
fn fuzz_regression_inputs_stay_fixed() {
    let mut total = 0;
    for (target, run) in [
        ("policy_toml", harness::policy_toml as fn(&[u8])),
        ("holiday_toml", harness::holiday_toml),
        ("replay_json", harness::replay_json),
        ("calendar_ops", harness::calendar_ops),
    ] {
        for (name, data) in regression_inputs(target) {
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name} panics again");
            total += 1;
        }
    }
    assert!(total > 0, "tests/fuzz-regressions holds the fuzzers' inputs");
}

const OL_CARE: &str = include_str!("../../policies/ol-care.toml");
const JP: &str = include_str!("../../policies/holidays/jp.toml");

/// `base` with line `line` replaced by `with`.
fn splice(base: &str, line: usize, with: &str) -> String {
    let lines: Vec<&str> = base.lines().collect();
    let at = line % lines.len().max(1);
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(if i == at { with } else { l });
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_line_of_a_policy_can_be_replaced(line in any::<usize>(), with in "\\PC{0,40}") {
        harness::policy_toml(splice(OL_CARE, line, &with).as_bytes());
    }

    #[test]
    fn any_line_of_a_holiday_set_can_be_replaced(line in any::<usize>(), with in "\\PC{0,40}") {
        harness::holiday_toml(splice(JP, line, &with).as_bytes());
    }

    #[test]
    fn arbitrary_bytes_are_not_a_policy_or_a_holiday_set(data in prop::collection::vec(any::<u8>(), 0..512)) {
        harness::policy_toml(&data);
        harness::holiday_toml(&data);
        harness::replay_json(&data);
    }

    #[test]
    fn calendar_operations_on_any_instants_and_durations(data in prop::collection::vec(any::<u8>(), 0..256)) {
        harness::calendar_ops(&data);
    }

    #[test]
    fn arbitrary_event_sequences(
        kinds in prop::collection::vec((0u8..11, any::<i32>(), "[A-Za-z0-9_ ]{0,6}"), 0..12),
        region in prop::sample::select(vec!["americas", "uk", "japan", "nowhere"]),
    ) {
        let base = 1_767_225_600i64;
        let events: Vec<Event> = kinds
            .into_iter()
            .filter_map(|(k, dt, word)| {
                let at = chrono::DateTime::from_timestamp(base + i64::from(dt), 0)?;
                let kind = match k {
                    0 => EventKind::created(if word.is_empty() { "P1".to_string() } else { word }, "email"),
                    1 => EventKind::Acknowledged,
                    2 => EventKind::Responded,
                    3 => EventKind::Updated,
                    4 => EventKind::SeverityChanged { severity: if word.len() % 2 == 0 { "P2".into() } else { word } },
                    5 => EventKind::WaitingOnCustomer,
                    6 => EventKind::CustomerReplied,
                    7 => EventKind::TargetAgreed { metric: "update".into(), target: word },
                    8 => EventKind::Resolved,
                    9 => EventKind::Reopened,
                    _ => EventKind::Closed,
                };
                Some(Event::new(at, kind))
            })
            .collect();
        let json = serde_json::json!({ "policy": "ol-care", "region": region, "events": events });
        harness::replay_json(json.to_string().as_bytes());
    }
}

#[test]
fn every_limit_is_a_typed_error_that_says_the_limit() {
    let policy = Policy::builtin("ol-care").expect("built-in");
    // Events per ticket.
    let at: chrono::DateTime<chrono::Utc> = "2026-11-23T14:00:00Z".parse().expect("instant");
    let created = Event::new(at, EventKind::created("P1", "phone"));
    // Restored in one report (applying 10 000 events one by one costs
    // 10 000 reports); the limit is the same either way.
    let mut events = vec![created];
    events.extend((1..10_000).map(|_| Event::new(at, EventKind::Responded)));
    let mut ticket = Ticket::from_events(&policy, "americas", events.clone()).expect("10 000 events");
    let err = ticket
        .apply(Event::new(at, EventKind::Responded))
        .expect_err("the 10 001st event is refused");
    assert_eq!(
        ticket.events().len(),
        10_000,
        "a refused event leaves the ticket as it was"
    );
    events.push(Event::new(at, EventKind::Responded));
    let restored = Ticket::from_events(&policy, "americas", events).expect_err("too many to restore");
    assert!(
        matches!(restored, Error::Limit { limit: 10_000, .. }),
        "{restored:?}"
    );
    assert!(matches!(err, Error::Limit { limit: 10_000, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "events per ticket exceeds the limit of 10000: 10001"
    );

    // Policy size.
    let huge = format!("{OL_CARE}\n#{}\n", "x".repeat(1024 * 1024));
    let err = Policy::from_toml_str(&huge, "huge.toml").expect_err("too large");
    assert!(matches!(err, Error::Limit { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("policy text (bytes) exceeds the limit of 1048576:"),
        "{err}"
    );

    // Horizon years.
    let long = OL_CARE.replace("horizon = [2020, 2035]", "horizon = [1900, 2200]");
    let err = Policy::from_toml_str(&long, "long.toml").expect_err("too long");
    assert!(err.to_string().contains("expected at most 200"), "{err}");

    // Spans per day.
    let mut week = sla_deadline::WeeklyHours::default();
    let spans: Vec<sla_deadline::LocalSpan> = (0..49)
        .filter_map(|i| sla_deadline::LocalSpan::from_seconds(i * 1000, i * 1000 + 500))
        .collect();
    let err = week.set(chrono::Weekday::Mon, spans).expect_err("too many spans");
    assert_eq!(
        err.to_string(),
        "calendar: hours.mon: 49 spans in one day: expected at most 48"
    );
}
