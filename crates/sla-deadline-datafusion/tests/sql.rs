//! The SQL functions agree with the core crate.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, RecordBatch, StringArray, TimestampSecondArray,
};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use datafusion::prelude::{SessionConfig, SessionContext};
use sla_deadline::{Event, EventKind, Policy, evaluate};

mod common;
use common::{Entry, entries, expected};

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

/// The worked OL Care tickets of region americas.
fn tickets() -> Vec<(String, Vec<Event>)> {
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
        if v.policy == "ol-care" && v.region == "americas" {
            out.push((name, v.events));
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

#[tokio::test]
async fn sla_report_equals_evaluate_on_the_worked_cases() {
    let tickets = tickets();
    assert!(tickets.len() >= 5, "{}", tickets.len());
    let tickets: Vec<(&str, Vec<Event>)> = tickets.iter().map(|(n, e)| (n.as_str(), e.clone())).collect();
    let policy = Policy::builtin("ol-care").expect("policy");
    // The four required columns for the tickets they can say; every
    // column for all of them.
    let plain: Vec<(&str, Vec<Event>)> = tickets
        .iter()
        .filter(|(_, events)| {
            events.iter().all(|e| {
                !matches!(
                    e.kind,
                    EventKind::TargetAgreed { .. }
                        | EventKind::StatusChanged { .. }
                        | EventKind::AttributesChanged { .. }
                )
            })
        })
        .cloned()
        .collect();
    assert!(plain.len() >= 5, "{}", plain.len());
    every_key_agrees(&policy, "americas", &plain, 4, false).await;
    every_key_agrees(&policy, "americas", &tickets, 9, false).await;
    // Categorical key columns read as their values.
    every_key_agrees(&policy, "americas", &tickets, 9, true).await;
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

/// Every key of every event as a column; `sla_report` is called with the
/// first `args` arguments, over two partitions (rows alternate between
/// them, so tickets merge), and must equal `evaluate` ticket by ticket.
/// `dictionary`: every key column dictionary-encoded (as a categorical).
async fn every_key_agrees(
    policy: &Policy,
    region: &str,
    tickets: &[(&str, Vec<Event>)],
    args: usize,
    dictionary: bool,
) {
    let mut all: Vec<(&str, &Event)> = Vec::new();
    for (name, events) in tickets {
        all.extend(events.iter().map(|e| (*name, e)));
    }
    let batch = |rows: &[(&str, &Event)]| -> RecordBatch {
        let text = |f: &dyn Fn(&EventKind) -> Option<String>| -> ArrayRef {
            let values: Vec<Option<String>> = rows.iter().map(|(_, e)| f(&e.kind)).collect();
            if dictionary {
                Arc::new(
                    values
                        .iter()
                        .map(Option::as_deref)
                        .collect::<DictionaryArray<Int32Type>>(),
                )
            } else {
                Arc::new(StringArray::from(values))
            }
        };
        RecordBatch::try_from_iter([
            (
                "ticket_id",
                Arc::new(StringArray::from(
                    rows.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
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
            (
                "status",
                text(&|k| match k {
                    EventKind::StatusChanged { status } => Some(status.clone()),
                    _ => None,
                }),
            ),
            (
                "metric",
                text(&|k| match k {
                    EventKind::TargetAgreed { metric, .. } => Some(metric.clone()),
                    _ => None,
                }),
            ),
            (
                "target",
                text(&|k| match k {
                    EventKind::TargetAgreed { target, .. } => Some(target.clone()),
                    _ => None,
                }),
            ),
            (
                "customer_zone",
                text(&|k| match k {
                    EventKind::Created { customer_zone, .. }
                    | EventKind::AttributesChanged { customer_zone, .. } => customer_zone.clone(),
                    _ => None,
                }),
            ),
            (
                "attributes",
                text(&|k| match k {
                    EventKind::Created { attributes, .. } if !attributes.is_empty() => {
                        Some(serde_json::to_string(attributes).expect("json"))
                    }
                    EventKind::AttributesChanged { attributes, .. } => {
                        Some(serde_json::to_string(attributes).expect("json"))
                    }
                    _ => None,
                }),
            ),
        ])
        .expect("batch")
    };
    let odd: Vec<_> = all.iter().copied().skip(1).step_by(2).collect();
    let even: Vec<_> = all.iter().copied().step_by(2).collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    sla_deadline_datafusion::register(&ctx, policy, region).expect("register");
    let table = datafusion::datasource::MemTable::try_new(
        batch(&odd).schema(),
        vec![vec![batch(&odd)], vec![batch(&even)]],
    )
    .expect("table");
    ctx.register_table("events", Arc::new(table)).expect("register");
    let columns = [
        "at",
        "type",
        "severity",
        "channel",
        "status",
        "metric",
        "target",
        "customer_zone",
        "attributes",
    ];
    let sql = format!(
        "SELECT ticket_id, m['metric'] AS metric, m['status'] AS status, m['due_at'] AS due_at,
                m['elapsed_s'] AS elapsed_s, m['remaining_s'] AS remaining_s,
                m['breached_by_s'] AS breached_by_s, m['error'] AS error
         FROM (SELECT ticket_id, unnest(sla_report({})) AS m FROM events GROUP BY ticket_id)",
        columns[..args].join(", ")
    );
    let mut got = entries(&rows(&ctx, &sql).await);
    // Without GROUP BY (one group, merged from both partitions): the first
    // ticket alone.
    let first = tickets[0].0;
    let single = format!(
        "SELECT '{first}' AS ticket_id, m['metric'] AS metric, m['status'] AS status, m['due_at'] AS due_at,
                m['elapsed_s'] AS elapsed_s, m['remaining_s'] AS remaining_s,
                m['breached_by_s'] AS breached_by_s, m['error'] AS error
         FROM (SELECT unnest(sla_report({})) AS m FROM events WHERE ticket_id = '{first}')",
        columns[..args].join(", ")
    );
    let mut alone = entries(&rows(&ctx, &single).await);
    let mut want: Vec<Entry> = Vec::new();
    for (name, events) in tickets {
        match evaluate(policy, region, events, None) {
            Ok(report) => want.extend(expected(name, &report)),
            Err(e) => want.push((
                name.to_string(),
                None,
                None,
                None,
                None,
                None,
                None,
                Some(e.to_string()),
            )),
        }
    }
    // SQL gives no order to a group's rows: an error names its event by
    // its place among the rows as they came, which may differ.
    for row in got.iter_mut().chain(want.iter_mut()).chain(alone.iter_mut()) {
        row.7 = row.7.take().map(|e| unnumbered(&e));
    }
    want.sort();
    got.sort();
    alone.sort();
    assert_eq!(got, want, "{sql}");
    let want_alone: Vec<Entry> = want.iter().filter(|r| r.0 == first).cloned().collect();
    assert_eq!(alone, want_alone, "{single}");
}

/// `event 3 (status_changed): ...` as `event (status_changed): ...`.
fn unnumbered(error: &str) -> String {
    match error.strip_prefix("event ") {
        Some(rest) => format!(
            "event {}",
            rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start()
        ),
        None => error.to_string(),
    }
}

fn ev(at: &str, kind: EventKind) -> Event {
    Event::new(at.parse().expect("instant"), kind)
}

#[tokio::test]
async fn status_and_agreed_targets_read_from_sql() {
    let policy = Policy::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/examples/saas-desk.toml"
    ))
    .expect("policy");
    let status = |s: &str| EventKind::StatusChanged { status: s.into() };
    let agreed = |m: &str, t: &str| EventKind::TargetAgreed {
        metric: m.into(),
        target: t.into(),
    };
    let tickets = vec![
        (
            "vendor",
            vec![
                ev("2026-03-02T09:00:00Z", EventKind::created("P2", "email")),
                ev("2026-03-02T10:00:00Z", status("pending_vendor")),
                ev("2026-03-03T14:00:00Z", status("open")),
                ev("2026-03-03T15:00:00Z", EventKind::Responded),
                ev("2026-03-03T16:00:00Z", EventKind::CustomerReplied),
                ev("2026-03-03T16:30:00Z", agreed("resolution", "5bd")),
            ],
        ),
        (
            "hold",
            vec![
                ev("2026-03-04T11:00:00Z", EventKind::created("P3", "chat")),
                ev("2026-03-04T12:00:00Z", status("on_hold")),
                ev("2026-03-09T12:00:00Z", status("open")),
                ev("2026-03-09T13:00:00Z", EventKind::Resolved),
                ev("2026-03-10T09:00:00Z", EventKind::Reopened),
            ],
        ),
        (
            "unknown status",
            vec![
                ev("2026-03-04T11:00:00Z", EventKind::created("P1", "portal")),
                ev("2026-03-04T12:00:00Z", status("nonesuch")),
            ],
        ),
    ];
    // All keys up to `target`; and up to `status` only, for the tickets
    // without an agreement (a target_agreed row without its keys is an
    // invalid event).
    every_key_agrees(&policy, "emea", &tickets, 7, false).await;
    let without_agreement: Vec<(&str, Vec<Event>)> = tickets
        .iter()
        .map(|(n, events)| {
            let kept = events
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::TargetAgreed { .. }))
                .cloned()
                .collect();
            (*n, kept)
        })
        .collect();
    every_key_agrees(&policy, "emea", &without_agreement, 5, false).await;
}

#[tokio::test]
async fn attributes_and_customer_zones_read_from_sql() {
    let policy = Policy::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/examples/saas-tiers.toml"
    ))
    .expect("policy");
    let created = |sev: &str, chan: &str, zone: Option<&str>, tier: Option<&str>| {
        let mut kind = EventKind::created(sev, chan);
        if let EventKind::Created {
            attributes,
            customer_zone,
            ..
        } = &mut kind
        {
            *customer_zone = zone.map(str::to_string);
            if let Some(tier) = tier {
                attributes.insert("tier".into(), tier.into());
            }
        }
        kind
    };
    let changed = |zone: Option<&str>, tier: Option<&str>| EventKind::AttributesChanged {
        attributes: [("tier".to_string(), tier.map(str::to_string))]
            .into_iter()
            .collect(),
        customer_zone: zone.map(str::to_string),
    };
    let tickets = vec![
        (
            "upgraded",
            vec![
                ev(
                    "2027-03-01T05:00:00Z",
                    created("P2", "email", Some("Asia/Kolkata"), Some("standard")),
                ),
                ev("2027-03-01T07:00:00Z", EventKind::Responded),
                ev("2027-03-01T08:00:00Z", changed(None, Some("premium"))),
                ev("2027-03-03T08:00:00Z", EventKind::Resolved),
            ],
        ),
        (
            "moved",
            vec![
                ev(
                    "2027-03-05T20:00:00Z",
                    created("P1", "portal", Some("Europe/London"), None),
                ),
                ev(
                    "2027-03-06T01:00:00Z",
                    changed(Some("America/St_Johns"), Some("enterprise")),
                ),
                ev("2027-03-08T13:00:00Z", EventKind::Responded),
            ],
        ),
        (
            "no zone",
            vec![ev("2027-03-05T20:00:00Z", created("P3", "email", None, None))],
        ),
    ];
    every_key_agrees(&policy, "customer", &tickets, 9, true).await;
}
