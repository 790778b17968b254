//! The kernels agree with the core crate row for row.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampSecondType};
use arrow_array::{
    Array, ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
};
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use sla_deadline::{Calendar, DayMode, Event, EventKind, Policy, evaluate};
use sla_deadline_arrow::{
    KernelError, add_business, add_business_days, business_time_between, next_open, ticket_reports,
};

fn calendar() -> Calendar {
    Policy::builtin("ol-care")
        .expect("built-in")
        .region("uk")
        .expect("region")
        .calendar()
        .clone()
}

fn utc(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).expect("instant")
}

/// Instants from 2019 (before the 2020 horizon) to 2036 (after it), and
/// nulls.
fn instants() -> impl Strategy<Value = Vec<Option<i64>>> {
    let start = 1_546_300_800i64; // 2019-01-01
    let end = 2_114_380_800i64; // 2037-01-01
    prop::collection::vec(prop::option::weighted(0.9, start..end), 0..200)
}

/// A timestamp array of `seconds` in `unit` (0 s, 1 ms, 2 us, 3 ns), with
/// a sub-second part the kernels must drop.
fn in_unit(seconds: &[Option<i64>], unit: u8) -> ArrayRef {
    let scaled = |k: i64, extra: i64| {
        seconds
            .iter()
            .map(move |s| s.map(|s| s * k + extra))
            .collect::<Vec<_>>()
    };
    match unit {
        0 => Arc::new(TimestampSecondArray::from(scaled(1, 0))),
        1 => Arc::new(TimestampMillisecondArray::from(scaled(1_000, 999)).with_timezone("Europe/London")),
        2 => Arc::new(TimestampMicrosecondArray::from(scaled(1_000_000, 1))),
        _ => Arc::new(TimestampNanosecondArray::from(scaled(1_000_000_000, 5)).with_timezone("UTC")),
    }
}

/// Seconds of a kernel's timestamp output, whatever its unit.
fn seconds_of(array: &ArrayRef) -> Vec<Option<i64>> {
    let cast = |k: i64, values: Vec<Option<i64>>| values.into_iter().map(|v| v.map(|x| x / k)).collect();
    match array.data_type() {
        arrow_schema::DataType::Timestamp(unit, _) => match unit {
            arrow_schema::TimeUnit::Second => array.as_primitive::<TimestampSecondType>().iter().collect(),
            arrow_schema::TimeUnit::Millisecond => cast(
                1_000,
                array
                    .as_primitive::<arrow_array::types::TimestampMillisecondType>()
                    .iter()
                    .collect(),
            ),
            arrow_schema::TimeUnit::Microsecond => cast(
                1_000_000,
                array
                    .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                    .iter()
                    .collect(),
            ),
            arrow_schema::TimeUnit::Nanosecond => cast(
                1_000_000_000,
                array
                    .as_primitive::<arrow_array::types::TimestampNanosecondType>()
                    .iter()
                    .collect(),
            ),
        },
        other => panic!("a timestamp output, not {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn calendar_columns_equal_the_scalar_calls(
        a in instants(),
        shift in prop::collection::vec(prop::option::weighted(0.9, -40i64 * 86_400..400 * 86_400), 200),
        durations in prop::collection::vec(prop::option::weighted(0.9, -3600i64..2_000_000), 200),
        unit in 0u8..4,
    ) {
        let cal = calendar();
        let n = a.len();
        let b: Vec<Option<i64>> = a.iter().zip(&shift).map(|(x, d)| Some((*x)? + (*d)?)).collect();
        let d: Vec<Option<i64>> = durations[..n].to_vec();
        let (aa, bb) = (in_unit(&a, unit), in_unit(&b, (unit + 1) % 4));
        let ds = Int64Array::from(d.clone());
        let days = Int64Array::from(d.iter().map(|x| x.map(|x| x / 50_000)).collect::<Vec<_>>());

        let between = business_time_between(&cal, aa.as_ref(), bb.as_ref()).expect("kernel");
        let add = add_business(&cal, aa.as_ref(), &ds).expect("kernel");
        let add_days = add_business_days(&cal, aa.as_ref(), &days, DayMode::EndOfDay).expect("kernel");
        let open = next_open(&cal, aa.as_ref()).expect("kernel");
        prop_assert_eq!(add.values.data_type(), aa.data_type());
        let (add_s, days_s, open_s) = (seconds_of(&add.values), seconds_of(&add_days.values), seconds_of(&open.values));
        let mut counts = [0usize; 4];
        for i in 0..n {
            let want = match (a[i], b[i]) {
                (Some(x), Some(y)) => cal.business_time_between(utc(x), utc(y)).ok().map(|t| t.num_seconds()),
                _ => None,
            };
            prop_assert_eq!(between.values.iter().nth(i).flatten(), want, "between {}", i);
            counts[0] += usize::from(want.is_none() && a[i].is_some() && b[i].is_some());
            let want = match (a[i], d[i]) {
                (Some(x), Some(s)) => cal.add_business(utc(x), TimeDelta::seconds(s)).ok().map(|t| t.timestamp()),
                _ => None,
            };
            prop_assert_eq!(add_s[i], want, "add {}", i);
            counts[1] += usize::from(want.is_none() && a[i].is_some() && d[i].is_some());
            let want = match (a[i], d[i].map(|x| x / 50_000)) {
                (Some(x), Some(k)) => u32::try_from(k)
                    .ok()
                    .and_then(|k| cal.add_business_days(utc(x), k, DayMode::EndOfDay).ok())
                    .map(|t| t.timestamp()),
                _ => None,
            };
            prop_assert_eq!(days_s[i], want, "days {}", i);
            counts[2] += usize::from(want.is_none() && a[i].is_some() && d[i].is_some());
            let want = a[i].and_then(|x| cal.next_open(utc(x)).ok()).map(|t| t.timestamp());
            prop_assert_eq!(open_s[i], want, "next_open {}", i);
            counts[3] += usize::from(want.is_none() && a[i].is_some());
        }
        // Every null the calendar caused is counted, as one or the other.
        prop_assert_eq!(between.out_of_horizon + between.invalid, counts[0]);
        prop_assert_eq!(add.out_of_horizon + add.invalid, counts[1]);
        prop_assert_eq!(add_days.out_of_horizon + add_days.invalid, counts[2]);
        prop_assert_eq!(open.out_of_horizon + open.invalid, counts[3]);
    }
}

#[test]
fn out_of_horizon_values_are_counted_not_guessed() {
    let cal = calendar();
    let a = TimestampSecondArray::from(vec![Some(0), Some(1_795_190_400), None, Some(4_102_444_800)]);
    let b = TimestampSecondArray::from(vec![
        Some(1_795_190_400),
        Some(1_795_190_400),
        Some(0),
        Some(1_795_190_400),
    ]);
    let got = business_time_between(&cal, &a, &b).expect("kernel");
    assert_eq!(got.values.iter().collect::<Vec<_>>(), [None, Some(0), None, None]);
    assert_eq!((got.out_of_horizon, got.invalid), (2, 0));
    let negative = Int64Array::from(vec![Some(-1), Some(3600), None, Some(5)]);
    let got = add_business(&cal, &b, &negative).expect("kernel");
    assert_eq!(got.invalid, 1);
    assert_eq!(got.out_of_horizon, 0);
}

#[test]
fn calls_that_cannot_run_are_errors() {
    let cal = calendar();
    let a = TimestampSecondArray::from(vec![1, 2]);
    let short = TimestampSecondArray::from(vec![1]);
    let ints = Int64Array::from(vec![1, 2]);
    assert_eq!(
        business_time_between(&cal, &a, &short)
            .expect_err("lengths")
            .to_string(),
        "columns of different lengths (2 and 1 rows): expected equal lengths"
    );
    assert_eq!(
        next_open(&cal, &ints).expect_err("type").to_string(),
        "at: expected a timestamp array (any unit, any zone), found Int64"
    );
    assert!(matches!(
        add_business(&cal, &a, &a).expect_err("type"),
        KernelError::Type {
            argument: "seconds",
            ..
        }
    ));
}

/// The worked cases of the core crate, as one events table, rows shuffled.
#[test]
fn ticket_reports_equal_evaluate_on_the_worked_cases() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/cases");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("cases")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .collect();
    names.sort();
    #[derive(serde::Deserialize)]
    struct Ticket {
        policy: String,
        region: String,
        events: Vec<serde_json::Value>,
    }
    // Tickets of the built-in OL Care policy, each in its own region.
    let policy = Policy::builtin("ol-care").expect("policy");
    let mut rows: Vec<(String, serde_json::Value, String)> = Vec::new();
    let mut tickets: Vec<(String, String, Vec<Event>)> = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("case");
        let ticket: Ticket = serde_json::from_str(&text).expect("ticket");
        if ticket.policy != "ol-care" {
            continue;
        }
        let events: Vec<Event> =
            serde_json::from_value(serde_json::Value::Array(ticket.events.clone())).expect("events");
        for e in &ticket.events {
            rows.push((name.clone(), e.clone(), ticket.region.clone()));
        }
        tickets.push((name.clone(), ticket.region, events));
    }
    assert!(tickets.len() >= 10, "{}", tickets.len());
    // A fixed shuffle: reverse, then interleave halves.
    rows.reverse();
    let half = rows.len() / 2;
    let mut shuffled = Vec::with_capacity(rows.len());
    for i in 0..half.max(rows.len() - half) {
        if let Some(r) = rows.get(half + i) {
            shuffled.push(r.clone());
        }
        if i < half {
            shuffled.push(rows[i].clone());
        }
    }
    let col = |key: &str| -> ArrayRef {
        Arc::new(StringArray::from(
            shuffled
                .iter()
                .map(|(_, e, _)| e.get(key).and_then(|v| v.as_str()).map(str::to_string))
                .collect::<Vec<_>>(),
        ))
    };
    let at: Vec<i64> = shuffled
        .iter()
        .map(|(_, e, _)| {
            sla_deadline::parse_instant(e["at"].as_str().expect("at"))
                .expect("instant")
                .timestamp()
        })
        .collect();
    let batch = RecordBatch::try_from_iter([
        (
            "ticket_id",
            Arc::new(StringArray::from(
                shuffled.iter().map(|(n, _, _)| n.clone()).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        ("at", Arc::new(TimestampSecondArray::from(at)) as ArrayRef),
        ("type", col("type")),
        ("severity", col("severity")),
        ("channel", col("channel")),
        ("status", col("status")),
        ("metric", col("metric")),
        ("target", col("target")),
        (
            "region",
            Arc::new(StringArray::from(
                shuffled.iter().map(|(_, _, r)| r.clone()).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .expect("batch");
    let out = ticket_reports(&policy, "americas", &batch, None).expect("reports");
    let ids = out.column_by_name("ticket_id").expect("ids").as_string::<i32>();
    let metric = out.column_by_name("metric").expect("metric").as_string::<i32>();
    let status = out.column_by_name("status").expect("status").as_string::<i32>();
    let due = out
        .column_by_name("due_at")
        .expect("due")
        .as_primitive::<TimestampSecondType>();
    let elapsed = out
        .column_by_name("elapsed_s")
        .expect("elapsed")
        .as_primitive::<Int64Type>();
    let remaining = out
        .column_by_name("remaining_s")
        .expect("remaining")
        .as_primitive::<Int64Type>();
    let error = out.column_by_name("error").expect("error").as_string::<i32>();
    let mut checked = 0;
    for (name, region, events) in &tickets {
        let report = evaluate(&policy, region, events, None).expect("report");
        for m in &report.metrics {
            let row = (0..out.num_rows())
                .find(|&r| ids.value(r) == name && metric.value(r) == m.metric)
                .unwrap_or_else(|| panic!("{name} {}", m.metric));
            assert!(error.is_null(row));
            assert_eq!(status.value(row), m.status.to_string(), "{name} {}", m.metric);
            assert_eq!(
                due.iter().nth(row).flatten(),
                m.due_at.map(|d| d.timestamp()),
                "{name}"
            );
            assert_eq!(
                elapsed.iter().nth(row).flatten(),
                m.elapsed.map(|d| d.num_seconds())
            );
            assert_eq!(
                remaining.iter().nth(row).flatten(),
                m.remaining.map(|d| d.num_seconds())
            );
            checked += 1;
        }
    }
    assert_eq!(checked, out.num_rows());
}

#[test]
fn one_bad_ticket_does_not_fail_the_batch() {
    let policy = Policy::builtin("ol-care").expect("policy");
    let batch = RecordBatch::try_from_iter([
        (
            "ticket_id",
            Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(2), None, Some(3)])) as ArrayRef,
        ),
        (
            "at",
            Arc::new(TimestampSecondArray::from(vec![
                1_795_190_400,
                1_795_190_400,
                1_795_180_000,
                1_795_190_400,
                1_795_190_400,
            ])) as ArrayRef,
        ),
        (
            "type",
            Arc::new(StringArray::from(vec![
                "created",
                "created",
                "resolved",
                "created",
                "teleported",
            ])) as ArrayRef,
        ),
        (
            "severity",
            Arc::new(StringArray::from(vec![
                Some("P1"),
                Some("P2"),
                None,
                Some("P1"),
                None,
            ])) as ArrayRef,
        ),
        (
            "channel",
            Arc::new(StringArray::from(vec![
                Some("email"),
                Some("email"),
                None,
                Some("email"),
                None,
            ])) as ArrayRef,
        ),
    ])
    .expect("batch");
    let out = ticket_reports(&policy, "americas", &batch, None).expect("reports");
    let ids = out
        .column_by_name("ticket_id")
        .expect("ids")
        .as_primitive::<Int64Type>();
    let error = out.column_by_name("error").expect("error").as_string::<i32>();
    let errors: Vec<(Option<i64>, &str)> = (0..out.num_rows())
        .filter(|&r| !error.is_null(r))
        .map(|r| (ids.iter().nth(r).flatten(), error.value(r)))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].1.contains("comes before the ticket is created"),
        "{errors:?}"
    );
    assert_eq!(errors[1], (Some(3), "unknown event type \"teleported\""));
    assert_eq!(errors[2], (None, "1 events have a null ticket_id"));
    // Ticket 1 is reported in full.
    assert_eq!(
        (0..out.num_rows())
            .filter(|&r| ids.value(r) == 1 && !ids.is_null(r))
            .count(),
        4
    );
    let missing =
        RecordBatch::try_from_iter([("ticket_id", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])
            .expect("batch");
    assert_eq!(
        ticket_reports(&policy, "americas", &missing, None)
            .expect_err("no at")
            .to_string(),
        "missing column `at` in the events table"
    );
    let _ = EventKind::Resolved;
}

#[test]
fn whole_second_columns_without_nulls_take_the_fast_path_with_the_same_answers() {
    let cal = calendar();
    let fri = 1_795_190_400i64; // 2026-11-20T16:00:00Z
    let a: Vec<i64> = vec![fri, 0, fri, fri + 86_400, 4_102_444_800, fri];
    let b: Vec<i64> = vec![fri + 3 * 86_400, fri, fri - 86_400, fri + 86_400, fri, fri + 7200];
    let got = business_time_between(
        &cal,
        &TimestampSecondArray::from(a.clone()),
        &TimestampSecondArray::from(b.clone()),
    )
    .expect("kernel");
    let want: Vec<Option<i64>> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| {
            cal.business_time_between(utc(*x), utc(*y))
                .ok()
                .map(|d| d.num_seconds())
        })
        .collect();
    assert_eq!(got.values.iter().collect::<Vec<_>>(), want);
    assert_eq!(want.iter().filter(|w| w.is_none()).count(), 2);
    assert_eq!(got.out_of_horizon, 2);
    assert_eq!(got.values.null_count(), 2);
}

/// Random events of up to eight tickets: every column text, with nulls,
/// unknown names and duplicates (some tickets fail, as they would alone).
fn event_rows() -> impl Strategy<Value = Vec<(u8, i64, [Option<&'static str>; 4])>> {
    let kind = prop::sample::select(vec![
        "created",
        "created",
        "acknowledged",
        "responded",
        "updated",
        "waiting_on_customer",
        "customer_replied",
        "severity_changed",
        "status_changed",
        "resolved",
        "reopened",
        "closed",
        "no_such_event",
    ]);
    let severity = prop::option::of(prop::sample::select(vec!["P1", "P2", "P3", "P9"]));
    let channel = prop::option::of(prop::sample::select(vec!["email", "phone", "fax"]));
    let status = prop::option::of(prop::sample::select(vec!["open", "waiting_on_customer", "nope"]));
    let row = (
        0u8..8,
        0i64..400_000,
        prop::option::weighted(0.95, kind),
        severity,
        channel,
        status,
    )
        .prop_map(|(id, at, kind, s, c, st)| (id, 1_795_190_400 + at, [kind, s, c, st]));
    prop::collection::vec(row, 1..60)
}

/// A text column in one of five encodings.
fn encoded(values: &[Option<&str>], encoding: u8) -> ArrayRef {
    use arrow_array::types::{Int8Type, Int32Type, UInt16Type};
    use arrow_array::{DictionaryArray, LargeStringArray, StringViewArray};
    let values = values.to_vec();
    match encoding {
        0 => Arc::new(StringArray::from(values)),
        1 => Arc::new(LargeStringArray::from(values)),
        2 => Arc::new(StringViewArray::from(values)),
        3 => Arc::new(values.into_iter().collect::<DictionaryArray<Int8Type>>()),
        4 => Arc::new(values.into_iter().collect::<DictionaryArray<Int32Type>>()),
        _ => Arc::new(values.into_iter().collect::<DictionaryArray<UInt16Type>>()),
    }
}

/// The ids `0..8` as an integer column of one of five types, or as text.
fn encoded_ids(ids: &[u8], encoding: u8) -> ArrayRef {
    use arrow_array::{Int8Array, Int32Array, UInt16Array, UInt64Array};
    match encoding {
        0 => Arc::new(Int64Array::from_iter_values(
            ids.iter().map(|&i| i64::from(i) + 7),
        )),
        1 => Arc::new(Int32Array::from_iter_values(
            ids.iter().map(|&i| i32::from(i) + 7),
        )),
        2 => Arc::new(Int8Array::from_iter_values(ids.iter().map(|&i| i as i8 + 7))),
        3 => Arc::new(UInt16Array::from_iter_values(
            ids.iter().map(|&i| u16::from(i) + 7),
        )),
        4 => Arc::new(UInt64Array::from_iter_values(
            ids.iter().map(|&i| u64::from(i) + 7),
        )),
        e => {
            let text: Vec<Option<String>> = ids.iter().map(|i| Some((i + 7).to_string())).collect();
            let text: Vec<Option<&str>> = text.iter().map(|s| s.as_deref()).collect();
            encoded(&text, e - 5)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// How a column is encoded (plain, large, view or dictionary text;
    /// any integer type of ids) never changes a report.
    #[test]
    fn the_encoding_of_the_columns_never_changes_a_report(
        rows in event_rows(),
        text in 0u8..6,
        ids in 0u8..11,
    ) {
        let policy = Policy::builtin("ol-care").expect("policy");
        let batch = |text: u8, ids: u8| {
            let id: Vec<u8> = rows.iter().map(|r| r.0).collect();
            let col = |k: usize| encoded(&rows.iter().map(|r| r.2[k]).collect::<Vec<_>>(), text);
            RecordBatch::try_from_iter([
                ("ticket_id", encoded_ids(&id, ids)),
                ("at", Arc::new(TimestampSecondArray::from_iter_values(rows.iter().map(|r| r.1))) as ArrayRef),
                ("type", col(0)),
                ("severity", col(1)),
                ("channel", col(2)),
                ("status", col(3)),
            ])
            .expect("batch")
        };
        let plain = ticket_reports(&policy, "americas", &batch(0, 0), None).expect("plain");
        let other = ticket_reports(&policy, "americas", &batch(text, ids), None).expect("encoded");
        prop_assert_eq!(plain.num_rows(), other.num_rows());
        // Everything but the ids, then the ids by value.
        for c in 1..plain.num_columns() {
            prop_assert_eq!(plain.column(c).as_ref(), other.column(c).as_ref());
        }
        let expected = plain.column(0).as_primitive::<Int64Type>();
        let got: Vec<Option<String>> = match other.column(0).data_type() {
            arrow_schema::DataType::Int64 => other.column(0).as_primitive::<Int64Type>().iter().map(|v| v.map(|v| v.to_string())).collect(),
            _ => other.column(0).as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect(),
        };
        let want: Vec<Option<String>> = expected.iter().map(|v| v.map(|v| v.to_string())).collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn ids_and_text_of_other_types_are_clear_errors() {
    use arrow_array::types::Int32Type;
    use arrow_array::{DictionaryArray, Float64Array, Int32Array, UInt64Array};
    let policy = Policy::builtin("ol-care").expect("policy");
    let batch = |id: ArrayRef, kind: ArrayRef| {
        RecordBatch::try_from_iter([
            ("ticket_id", id),
            (
                "at",
                Arc::new(TimestampSecondArray::from(vec![1_795_190_400])) as ArrayRef,
            ),
            ("type", kind),
        ])
        .expect("batch")
    };
    let created = || Arc::new(StringArray::from(vec!["created"])) as ArrayRef;
    let error = |b: RecordBatch| {
        ticket_reports(&policy, "americas", &b, None)
            .expect_err("error")
            .to_string()
    };
    assert_eq!(
        error(batch(Arc::new(Float64Array::from(vec![1.0])), created())),
        "ticket_id: expected a text or integer column, found Float64"
    );
    assert_eq!(
        error(batch(Arc::new(UInt64Array::from(vec![u64::MAX])), created())),
        "arrow: ticket_id: UInt64 id 18446744073709551615 is above 9223372036854775807: expected ids that fit in Int64"
    );
    assert_eq!(
        error(batch(
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(Int32Array::from(vec![1]))
        )),
        "type: expected a text column (Utf8, LargeUtf8, Utf8View, or a dictionary of one of them), found Int32"
    );
    // A dictionary of numbers is not text either.
    let numbers =
        DictionaryArray::<Int32Type>::new(Int32Array::from(vec![0]), Arc::new(Int32Array::from(vec![5])));
    assert_eq!(
        error(batch(Arc::new(Int64Array::from(vec![1])), Arc::new(numbers))),
        "type: expected a text column (Utf8, LargeUtf8, Utf8View, or a dictionary of one of them), found Dictionary(Int32, Int32)"
    );
}
