//! The SQL functions agree with the core crate.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, TimestampSecondArray};
use datafusion::arrow::datatypes::{Int64Type, TimestampSecondType};
use datafusion::prelude::{SessionConfig, SessionContext};
use sla_deadline::{Event, EventKind, Policy, evaluate};

fn context(partitions: usize) -> SessionContext {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    let policy = Policy::builtin("ol-care").expect("policy");
    sla_deadline_datafusion::register(&ctx, &policy, "americas").expect("register");
    ctx
}

async fn rows(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

#[tokio::test]
async fn calendar_functions_answer_as_the_calendar_does() {
    let ctx = context(1);
    let calendar = Policy::builtin("ol-care")
        .expect("policy")
        .region("americas")
        .expect("region")
        .calendar()
        .clone();
    let b = rows(
        &ctx,
        "SELECT sla_business_seconds(TIMESTAMP '2026-11-20T16:00:00Z', TIMESTAMP '2026-11-23T16:00:00Z'),
                sla_add_business(TIMESTAMP '2026-11-20T16:00:00Z', 36000),
                sla_add_business_days(TIMESTAMP '2026-11-20T16:00:00Z', 2),
                sla_next_open(TIMESTAMP '2026-11-21T16:00:00Z'),
                sla_business_seconds(TIMESTAMP '1999-01-01T00:00:00Z', TIMESTAMP '2026-11-23T16:00:00Z'),
                sla_add_business(TIMESTAMP '2026-11-20T16:00:00Z', -5),
                sla_next_open(CAST(NULL AS TIMESTAMP))",
    )
    .await;
    let r = &b[0];
    let fri = "2026-11-20T16:00:00Z".parse().expect("instant");
    let ts = |c: usize| {
        let a = r.column(c);
        match a.data_type() {
            datafusion::arrow::datatypes::DataType::Timestamp(
                datafusion::arrow::datatypes::TimeUnit::Nanosecond,
                _,
            ) => {
                let v = a.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
                (!v.is_null(0)).then(|| v.value(0) / 1_000_000_000)
            }
            other => panic!("{other}"),
        }
    };
    assert_eq!(r.column(0).as_primitive::<Int64Type>().value(0), 11 * 3600);
    assert_eq!(
        ts(1),
        Some(
            calendar
                .add_business(fri, chrono::TimeDelta::hours(10))
                .expect("due")
                .timestamp()
        )
    );
    assert_eq!(
        ts(2),
        Some(
            calendar
                .add_business_days(fri, 2, sla_deadline::DayMode::SameTime)
                .expect("due")
                .timestamp()
        )
    );
    assert_eq!(
        ts(3),
        Some(
            calendar
                .next_open("2026-11-21T16:00:00Z".parse().expect("instant"))
                .expect("open")
                .timestamp()
        )
    );
    assert!(r.column(4).is_null(0), "out of the horizon: null");
    assert!(r.column(5).is_null(0), "a negative duration: null");
    assert!(r.column(6).is_null(0), "null in, null out");
    let err = ctx
        .sql("SELECT sla_next_open(42)")
        .await
        .expect_err("a number is no instant");
    assert!(
        err.to_string()
            .contains("sla_next_open: expected (timestamp), found (Int64)"),
        "{err}"
    );
}

/// Worked OL Care tickets whose events the four report columns can say.
fn tickets() -> Vec<(String, String, Vec<Event>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/cases");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("cases")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("case");
        let v: serde_json_lite::Ticket = serde_json_lite::parse(&text);
        if v.policy != "ol-care" || v.region != "americas" {
            continue;
        }
        let readable = v.events.iter().all(|e| {
            !matches!(
                e.kind,
                EventKind::TargetAgreed { .. }
                    | EventKind::StatusChanged { .. }
                    | EventKind::AttributesChanged { .. }
            )
        });
        if readable {
            out.push((name, v.region, v.events));
        }
    }
    out
}

mod serde_json_lite {
    use sla_deadline::Event;

    #[derive(serde::Deserialize)]
    pub(crate) struct Ticket {
        pub(crate) policy: String,
        pub(crate) region: String,
        pub(crate) events: Vec<Event>,
    }

    pub(crate) fn parse(text: &str) -> Ticket {
        serde_json::from_str(text).expect("a ticket file")
    }
}

/// Ticket, metric, status, due, elapsed, remaining.
type Row = (String, String, String, Option<i64>, Option<i64>, Option<i64>);

#[tokio::test]
async fn sla_report_equals_evaluate_on_the_worked_cases() {
    let tickets = tickets();
    assert!(tickets.len() >= 5, "{}", tickets.len());
    let policy = Policy::builtin("ol-care").expect("policy");
    // Two batches (half the rows each, interleaved) over two partitions:
    // partial aggregates must merge.
    let mut all: Vec<(String, &Event)> = Vec::new();
    for (name, _, events) in &tickets {
        for e in events {
            all.push((name.clone(), e));
        }
    }
    let batch = |rows: &[(String, &Event)]| -> RecordBatch {
        let text = |f: &dyn Fn(&EventKind) -> Option<String>| -> ArrayRef {
            Arc::new(StringArray::from(
                rows.iter().map(|(_, e)| f(&e.kind)).collect::<Vec<_>>(),
            ))
        };
        RecordBatch::try_from_iter([
            (
                "ticket_id",
                Arc::new(StringArray::from(
                    rows.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            (
                "at",
                Arc::new(TimestampSecondArray::from(
                    rows.iter().map(|(_, e)| e.at.timestamp()).collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            ("type", text(&|k| Some(k.name().to_string()))),
            (
                "severity",
                text(&|k| match k {
                    EventKind::Created { severity, .. } | EventKind::SeverityChanged { severity } => {
                        Some(severity.clone())
                    }
                    _ => None,
                }),
            ),
            (
                "channel",
                text(&|k| match k {
                    EventKind::Created { channel, .. } => Some(channel.clone()),
                    _ => None,
                }),
            ),
        ])
        .expect("batch")
    };
    let (odd, even): (Vec<_>, Vec<_>) = all.into_iter().enumerate().partition(|(i, _)| i % 2 == 1);
    let odd: Vec<_> = odd.into_iter().map(|(_, r)| r).collect();
    let even: Vec<_> = even.into_iter().map(|(_, r)| r).collect();
    let ctx = context(2);
    let table = datafusion::datasource::MemTable::try_new(
        batch(&odd).schema(),
        vec![vec![batch(&odd)], vec![batch(&even)]],
    )
    .expect("table");
    ctx.register_table("events", Arc::new(table)).expect("register");
    let out = rows(
        &ctx,
        "SELECT ticket_id, m['metric'] AS metric, m['status'] AS status, m['due_at'] AS due_at,
                m['elapsed_s'] AS elapsed_s, m['remaining_s'] AS remaining_s, m['error'] AS error
         FROM (SELECT ticket_id, unnest(sla_report(at, type, severity, channel)) AS m
               FROM events GROUP BY ticket_id)
         ORDER BY ticket_id, metric",
    )
    .await;
    let mut got: Vec<Row> = Vec::new();
    for b in &out {
        let s = |c: &str| b.column_by_name(c).expect(c).as_string::<i32>().clone();
        let (id, metric, status) = (s("ticket_id"), s("metric"), s("status"));
        let error = b.column_by_name("error").expect("error");
        let due = b
            .column_by_name("due_at")
            .expect("due")
            .as_primitive::<TimestampSecondType>()
            .clone();
        let el = b
            .column_by_name("elapsed_s")
            .expect("e")
            .as_primitive::<Int64Type>()
            .clone();
        let re = b
            .column_by_name("remaining_s")
            .expect("r")
            .as_primitive::<Int64Type>()
            .clone();
        for i in 0..b.num_rows() {
            assert!(error.is_null(i), "{}", error.as_string::<i32>().value(i));
            got.push((
                id.value(i).to_string(),
                metric.value(i).to_string(),
                status.value(i).to_string(),
                (!due.is_null(i)).then(|| due.value(i)),
                (!el.is_null(i)).then(|| el.value(i)),
                (!re.is_null(i)).then(|| re.value(i)),
            ));
        }
    }
    let mut want = Vec::new();
    for (name, region, events) in &tickets {
        let report = evaluate(&policy, region, events, None).expect("report");
        for m in &report.metrics {
            want.push((
                name.clone(),
                m.metric.clone(),
                m.status.to_string(),
                m.due_at.map(|d| d.timestamp()),
                m.elapsed.map(|d| d.num_seconds()),
                m.remaining.map(|d| d.num_seconds()),
            ));
        }
    }
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn one_ticket_without_group_by_and_a_filtered_aggregate() {
    let ctx = context(2);
    let batch = RecordBatch::try_from_iter([
        (
            "ticket_id",
            Arc::new(StringArray::from(vec!["A", "A", "A", "B"])) as ArrayRef,
        ),
        (
            "at",
            Arc::new(TimestampSecondArray::from(vec![
                1_795_190_400,
                1_795_194_000,
                1_795_197_600,
                1_795_190_400,
            ])) as ArrayRef,
        ),
        (
            "type",
            Arc::new(StringArray::from(vec![
                "created",
                "responded",
                "resolved",
                "created",
            ])) as ArrayRef,
        ),
        (
            "severity",
            Arc::new(StringArray::from(vec![Some("P2"), None, None, Some("P9")])) as ArrayRef,
        ),
        (
            "channel",
            Arc::new(StringArray::from(vec![Some("email"), None, None, Some("email")])) as ArrayRef,
        ),
    ])
    .expect("batch");
    ctx.register_batch("events", batch).expect("register");
    let policy = Policy::builtin("ol-care").expect("policy");
    let created = Event::new(
        "2026-11-20T16:00:00Z".parse().expect("t"),
        EventKind::created("P2", "email"),
    );
    let responded = Event::new("2026-11-20T17:00:00Z".parse().expect("t"), EventKind::Responded);
    let status = |events: &[Event], metric: &str| {
        evaluate(&policy, "americas", events, None)
            .expect("report")
            .metric(metric)
            .expect("metric")
            .status
            .to_string()
    };
    // No GROUP BY: the single-group accumulator.
    let out = rows(
        &ctx,
        "SELECT m['metric'] AS metric, m['status'] AS status FROM
           (SELECT unnest(sla_report(at, type, severity, channel)) AS m FROM events WHERE ticket_id = 'A')
         WHERE m['metric'] = 'resolution'",
    )
    .await;
    let resolved = Event::new("2026-11-20T18:00:00Z".parse().expect("t"), EventKind::Resolved);
    assert_eq!(
        out[0].column(1).as_string::<i32>().value(0),
        status(&[created.clone(), responded.clone(), resolved], "resolution")
    );
    // A FILTER clause drops rows from the aggregate: without the
    // resolution, the clock still runs.
    let out = rows(
        &ctx,
        "SELECT ticket_id, m['status'] AS status, m['error'] AS error FROM
           (SELECT ticket_id, unnest(sla_report(at, type, severity, channel) FILTER (WHERE type <> 'resolved')) AS m
            FROM events GROUP BY ticket_id)
         WHERE m['metric'] = 'resolution' OR m['error'] IS NOT NULL
         ORDER BY ticket_id",
    )
    .await;
    let b = &out[0];
    assert_eq!(
        b.column(1).as_string::<i32>().value(0),
        status(&[created, responded], "resolution")
    );
    // Ticket B names an unknown severity: one entry with the error.
    assert!(b.column(1).is_null(1));
    assert!(
        b.column(2)
            .as_string::<i32>()
            .value(1)
            .contains("unknown severity"),
        "{:?}",
        b.column(2)
    );
}
