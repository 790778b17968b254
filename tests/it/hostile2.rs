//! Hostile input, second round (issue 16): special files, inputs sized to
//! every documented limit and past it, instants at the ends of the range,
//! odd offsets, far-future DST. One test per root cause; every input is
//! made here (FIFOs by `mkfifo`, sizes generated), none is committed.

// Some tests run the sla-deadline tool (feature `cli`); without it their
// helpers are unused.
#![cfg_attr(not(feature = "cli"), allow(unused_imports, dead_code))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use sla_deadline::{Calendar, Error, Event, HolidaySet, Policy, WeeklyHours, evaluate};

#[cfg(feature = "cli")]
use crate::cli::{run, stderr, tool};
use crate::harness;

/// A directory of its own under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sla-deadline-h2-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A FIFO named `name`, or `None` where `mkfifo` is missing.
    fn fifo(&self, name: &str) -> Option<PathBuf> {
        let path = self.path(name);
        let made = Command::new("mkfifo").arg(&path).status().ok()?;
        made.success().then_some(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `f` on a thread and fails if it takes longer than `limit`: a read
/// that blocks on a FIFO must fail the test, not hang it.
#[track_caller]
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

const SECS_10: Duration = Duration::from_secs(10);

/// A small valid policy; tests edit it with `replace`.
const ACME: &str = r#"[policy]
id = "acme"
name = "Acme support"
vendor = "Acme"

[regions.hq]
zone = "UTC"
hours = { mon-fri = ["09:00-17:00"] }
holidays = []

[severities.P1]

[channels.email]

[metrics.ack]
clock = "calendar"
start = ["created"]
stop = ["acknowledged"]
target = "10m"
"#;

fn err_of(text: &str) -> String {
    match Policy::from_toml_str(text, "acme.toml") {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

// 1. Unbounded reads -------------------------------------------------------

#[cfg(feature = "cli")] // runs the sla-deadline tool
#[test]
fn special_files_are_refused_without_reading_or_blocking() {
    let dir = TempDir::new("special");
    let not_regular = "not a regular file (a FIFO, socket or device): expected a file";
    if let Some(fifo) = dir.fifo("p.toml") {
        // Nobody writes to the FIFO: opening it would block forever.
        let shown = fifo.display().to_string();
        let f = fifo.clone();
        let err = within(SECS_10, move || Policy::from_path(&f)).expect_err("a FIFO");
        assert_eq!(err.to_string(), format!("{shown}: cannot read: {not_regular}"));
        let f = fifo.clone();
        let err = within(SECS_10, move || HolidaySet::from_path(&f)).expect_err("a FIFO");
        assert_eq!(err.to_string(), format!("{shown}: cannot read: {not_regular}"));

        // A holiday FIFO named by a policy: the error names the key.
        let policy = dir.path("acme.toml");
        std::fs::write(&policy, ACME.replace("holidays = []", "holidays = \"p.toml\"")).expect("write");
        let err = within(SECS_10, move || Policy::from_path(&policy)).expect_err("a FIFO");
        let msg = err.to_string();
        assert!(
            msg.ends_with(&format!(
                ": line 9, column 12: regions.hq.holidays: holiday file {shown:?}: cannot read: {not_regular}"
            )),
            "{msg}"
        );

        // The replay example, given the FIFO as its ticket file.
        let ticket = shown.clone();
        let out = within(SECS_10, move || run("replay", &[&ticket]));
        assert!(!out.status.success());
        assert_eq!(
            stderr(&out).lines().next(),
            Some(format!("error: {shown}: cannot read: {not_regular}").as_str())
        );
    } else {
        eprintln!("mkfifo is missing: FIFO cases skipped");
    }
    if Path::new("/dev/zero").exists() {
        let err = within(SECS_10, || Policy::from_path("/dev/zero")).expect_err("a device");
        assert_eq!(err.to_string(), format!("/dev/zero: cannot read: {not_regular}"));
        let out = within(SECS_10, || run("replay", &["/dev/zero"]));
        assert!(stderr(&out).starts_with(&format!("error: /dev/zero: cannot read: {not_regular}")));
    }
    let shown = dir.0.display().to_string();
    let err = Policy::from_path(&dir.0).expect_err("a directory");
    assert_eq!(
        err.to_string(),
        format!("{shown}: cannot read: not a regular file (a directory): expected a file")
    );
}

#[cfg(feature = "cli")] // runs the sla-deadline tool
#[test]
fn files_and_standard_input_over_their_limit_are_refused() {
    let dir = TempDir::new("sizes");
    let big = dir.path("big.toml");
    let mut text = ACME.to_string();
    text.push('#');
    text.push_str(&"x".repeat(1024 * 1024 + 1 - text.len()));
    std::fs::write(&big, &text).expect("write");
    let err = Policy::from_path(&big).expect_err("too large");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: cannot read: too large (1048577 bytes): expected at most 1048576 bytes for a policy file",
            big.display()
        )
    );
    // One byte less is read (and parses).
    text.pop();
    std::fs::write(&big, &text).expect("write");
    Policy::from_path(&big).expect("1 MiB exactly is read");

    // A ticket file over 4 MiB.
    let ticket = dir.path("ticket.json");
    std::fs::write(&ticket, " ".repeat(4 * 1024 * 1024 + 1)).expect("write");
    let shown = ticket.display().to_string();
    let out = run("replay", &[&shown]);
    assert_eq!(
        stderr(&out).lines().next(),
        Some(
            format!(
                "error: {shown}: cannot read: too large (4194305 bytes): expected at most 4194304 bytes for a ticket"
            )
            .as_str()
        )
    );

    // Standard input that never ends: read up to the limit, then refused.
    let mut child = tool("replay")
        .arg("-")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("replay starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        // Ends when replay stops reading and closes the pipe.
        while stdin.write_all(&chunk).is_ok() {}
    });
    let out = within(SECS_10, move || child.wait_with_output()).expect("replay ends");
    writer.join().expect("writer ends");
    assert_eq!(
        stderr(&out).lines().next(),
        Some(
            "error: standard input: cannot read: too large (more than 4194304 bytes): expected at most 4194304 bytes for a ticket"
        )
    );
}

// 2. Quadratic loaders -----------------------------------------------------

/// Loads `text`, failing the test if it takes more than `limit` (debug
/// build: the linear loaders take well under a second here).
#[track_caller]
fn load_within(text: String, limit: Duration) -> Result<Policy, Error> {
    let start = Instant::now();
    let result = Policy::from_toml_str(&text, "sized.toml");
    let took = start.elapsed();
    assert!(took < limit, "took {took:?}");
    result
}

/// The error of a policy that must not load (without printing the policy,
/// which may be huge, when it does).
#[track_caller]
fn load_err(text: String, what: &str) -> Error {
    match load_within(text, SECS_10) {
        Ok(_) => panic!("{what}: the policy loaded"),
        Err(e) => e,
    }
}

#[test]
fn duplicate_checks_are_linear() {
    // 110 000 languages fill the 1 MiB text; 78 000 channels too.
    let text = harness::sized_policy_text(0, 110_000);
    assert!(text.len() < 1024 * 1024, "{}", text.len());
    let policy = load_within(text, SECS_10).expect("110 000 languages load");
    assert_eq!(policy.regions()[0].languages().len(), 110_000);

    let text = harness::sized_policy_text(1, 78_000);
    let policy = load_within(text, SECS_10).expect("78 000 channels load");
    assert_eq!(policy.channels().len(), 78_001);
    // A metric listing 60 000 of them (each checked against the others).
    let text = harness::sized_policy_text(2, 60_000);
    let policy = load_within(text, SECS_10).expect("60 000 listed channels load");
    assert!(policy.metric("first_response").expect("metric").applies_to("zz"));

    // A duplicate at the end is still found, and named.
    // The last of 100 000 tags is "255r" (99 999 in base 36).
    let text = harness::sized_policy_text(0, 100_000).replace("\"255r\"]", "\"255r\",\"5\"]");
    let err = load_err(text, "5 twice");
    assert!(
        err.to_string()
            .ends_with(": regions.hq.languages: language \"5\" is listed twice: expected each language once"),
        "{err}"
    );
    // Warnings: 110 000 thresholds fit in the text, and are refused at once.
    let err = load_err(harness::sized_policy_text(8, 110_000), "110 000 thresholds");
    assert!(
        err.to_string()
            .ends_with(": options.warnings: 110000 warning thresholds: expected at most 20 (each metric of each report lists a crossing for each)"),
        "{err}"
    );
}

// 4. Memory bounded by the limits -------------------------------------------

#[test]
fn targets_and_calendar_intervals_have_a_budget() {
    // 1000 severities x 1002 channels x 1 metric: past 10^6 targets.
    let mut text = ACME.to_string();
    for i in 0..1001 {
        if i < 999 {
            text.push_str(&format!("[severities.s{i}]\n"));
        }
        text.push_str(&format!("[channels.c{i}]\n"));
    }
    let err = load_err(text.clone(), "too many targets");
    assert_eq!(
        err.to_string(),
        "sized.toml: line 15, column 2: metrics: 1 metrics x 1000 severities x 1002 channels make 1002000 targets: expected at most 1000000 (fewer metrics, severities or channels)"
    );
    // Every severity change scans the severities: 1001 are refused.
    let err = load_err(
        text.replace("[channels.c0]", "[severities.s999]\n[channels.c0]"),
        "1001 severities",
    );
    assert_eq!(
        err.to_string(),
        "sized.toml: line 11, column 2: severities: 1001 severities: expected at most 1000 (every severity change looks the severity up)"
    );

    // Every event visits every metric: 101 metrics are refused.
    let err = load_err(harness::sized_policy_text(4, 100), "101 metrics");
    assert_eq!(
        err.to_string(),
        "sized.toml: line 18, column 2: metrics: 101 metrics: expected at most 100 (every event of a ticket visits every metric)"
    );

    // Two regions over 200 years: 8 spans a day (584 000 intervals), then
    // 48 a day (3.5 million): past the 4 million of one policy.
    let spans = |n: u32| {
        let items: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "\"{:02}:{:02}-{:02}:{:02}\"",
                    i / 2,
                    i % 2 * 30,
                    i / 2,
                    i % 2 * 30 + 10
                )
            })
            .collect();
        format!("[{}]", items.join(", "))
    };
    let text = format!(
        "{}\n[regions.b]\nzone = \"UTC\"\nhours = {{ mon-sun = {} }}\nholidays = []\n\n[options]\nhorizon = [1900, 2099]\n",
        ACME.replace(
            "{ mon-fri = [\"09:00-17:00\"] }",
            &format!("{{ mon-sun = {} }}", spans(8))
        ),
        spans(48)
    );
    let err = load_err(text, "over the interval budget");
    assert_eq!(
        err.to_string(),
        "sized.toml: line 23, column 9: regions.b.hours: the calendars up to region b hold 4090744 open intervals over 1900-2099 (days x spans a day): expected at most 4000000 (fewer spans a day, fewer regions or a shorter horizon)"
    );
}

// 5. Values cut in messages ----------------------------------------------------

#[test]
fn long_values_are_cut_in_messages() {
    let err = err_of(&ACME.replace("zone = \"UTC\"", &format!("zone = \"{}\"", "z".repeat(100_000))));
    assert_eq!(
        err,
        format!(
            "acme.toml: line 7, column 8: regions.hq.zone: unknown time zone \"{}\"... (100000 bytes): expected an IANA name such as \"America/Toronto\" or a fixed offset such as \"UTC+01:00\"",
            "z".repeat(80)
        )
    );
    let err = err_of(&ACME.replace("[regions.hq]", &format!("[regions.\"{}\"]", "é".repeat(50_000))));
    assert!(err.len() < 1024, "{}", err.len());
    assert!(err.contains("... (100000 bytes)"), "{err}");

    let policy = Policy::builtin("ol-care").expect("built-in");
    let err = evaluate(&policy, &"r".repeat(1_000_000), &[], None).expect_err("unknown region");
    assert_eq!(
        err.to_string(),
        format!(
            "unknown region \"{}... (1000000 bytes)\": expected one of americas, uk, germany, france, netherlands, australia, malaysia, japan",
            "r".repeat(80)
        )
    );
    // 100 000 channels are not all listed.
    let text = harness::sized_policy_text(1, 100_000).replace(
        "stop = [\"responded\"]",
        "stop = [\"responded\"]\nchannels = [\"FAX\"]",
    );
    let err = load_err(text, "unknown channel");
    assert!(err.to_string().ends_with(", i, ... (100001 in all)"), "{err}");
}

// 6-8. Events: whole seconds, years 0000-9999, known keys ---------------------

fn events(json: &str) -> Result<Vec<Event>, String> {
    serde_json::from_str::<Vec<Event>>(json).map_err(|e| e.to_string())
}

#[test]
fn sub_second_parts_and_leap_seconds_are_dropped_on_the_way_in() {
    // The reply at .2 used to sort before the creation at .5.
    let evs = events(
        r#"[{"at": "2026-11-23T21:30:00.5Z", "type": "created", "severity": "P2", "channel": "email"},
            {"at": "2026-11-23T21:30:00.2Z", "type": "responded"},
            {"at": "2026-12-31T23:59:60.5Z", "type": "updated"}]"#,
    )
    .expect("events read");
    let ats: Vec<String> = evs.iter().map(|e| e.at.to_rfc3339()).collect();
    assert_eq!(
        ats,
        [
            "2026-11-23T21:30:00+00:00",
            "2026-11-23T21:30:00+00:00",
            "2026-12-31T23:59:59+00:00"
        ]
    );
    let policy = Policy::builtin("ol-care").expect("built-in");
    let report = evaluate(&policy, "americas", &evs[..2], None).expect("created first");
    assert_eq!(report.metrics[1].status.to_string(), "met");
    // Built in code, the same.
    let at: DateTime<Utc> = "2026-11-23T21:30:00.7Z".parse().expect("instant");
    assert_eq!(
        Event::new(at, sla_deadline::EventKind::Resolved).at.to_rfc3339(),
        "2026-11-23T21:30:00+00:00"
    );
}

#[test]
fn instants_outside_years_0000_to_9999_are_refused() {
    let range = "is outside the supported range: expected an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z";
    for at in ["9999-12-31T23:00:00-05:00", "0000-01-01T00:00:00+01:00"] {
        let err = events(&format!(r#"[{{"at": "{at}", "type": "resolved"}}]"#)).expect_err(at);
        assert_eq!(err, format!("key \"at\": \"{at}\" {range} at line 1 column 56"));
    }
    events(r#"[{"at": "9999-12-31T23:59:59Z", "type": "resolved"}, {"at": "0000-01-01T00:00:00Z", "type": "resolved"}]"#)
        .expect("the ends of the range");

    // `as_of` and events built in code.
    let policy = Policy::builtin("ol-care").expect("built-in");
    let created: Vec<Event> = serde_json::from_str(
        r#"[{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}]"#,
    )
    .expect("event");
    let far = DateTime::from_timestamp(253_402_300_800, 0).expect("10000-01-01");
    let err = evaluate(&policy, "americas", &created, Some(far)).expect_err("as_of in 10000");
    assert_eq!(
        err.to_string(),
        format!("instant: as_of: +10000-01-01T00:00:00Z {range}")
    );
    let err = evaluate(
        &policy,
        "americas",
        &[Event::new(far, sla_deadline::EventKind::Resolved)],
        None,
    )
    .expect_err("an event in 10000");
    assert_eq!(
        err.to_string(),
        format!("event 0 (resolved): instant: at: +10000-01-01T00:00:00Z {range}")
    );

    // A due instant computed past 9999 (calendar clock), or whose local
    // reading is (UTC+14:00).
    let policy = Policy::from_toml_str(ACME, "acme.toml").expect("acme");
    let late: Vec<Event> = serde_json::from_str(
        r#"[{"at": "9999-12-31T23:55:00Z", "type": "created", "severity": "P1", "channel": "email"}]"#,
    )
    .expect("event");
    let err = evaluate(&policy, "hq", &late, None).expect_err("due in 10000");
    assert_eq!(
        err.to_string(),
        format!("instant: the due instant of metric ack: +10000-01-01T00:05:00Z {range}")
    );
    let east = Policy::from_toml_str(
        &ACME.replace("zone = \"UTC\"", "zone = \"UTC+14:00\""),
        "acme.toml",
    )
    .expect("acme east");
    let noon: Vec<Event> = serde_json::from_str(
        r#"[{"at": "9999-12-31T12:00:00Z", "type": "created", "severity": "P1", "channel": "email"}]"#,
    )
    .expect("event");
    let err = evaluate(&east, "hq", &noon, None).expect_err("due locally in 10000");
    assert_eq!(
        err.to_string(),
        format!("instant: the due instant of metric ack: 9999-12-31T12:10:00Z {range}")
    );
}

#[test]
fn unknown_keys_in_events_are_named() {
    for (json, message) in [
        (
            r#"{"at": "2026-11-23T09:00:00Z", "type": "created", "sevrity": "P1", "channel": "email"}"#,
            "unknown key \"sevrity\" in a created event: expected at, type, severity, channel (optional: attributes, customer_zone) at line 1 column 86",
        ),
        (
            r#"{"sevrity": "P1", "at": "2026-11-23T09:00:00Z", "type": "created", "channel": "email"}"#,
            "unknown key \"sevrity\" in a created event: expected at, type, severity, channel (optional: attributes, customer_zone) at line 1 column 86",
        ),
        (
            r#"{"at": "2026-11-23T09:00:00Z", "type": "resolved", "metric": "update"}"#,
            "key \"metric\" does not belong in a resolved event: expected at, type at line 1 column 70",
        ),
        (
            r#"{"at": "2026-11-23T09:00:00Z", "type": "target_agreed", "metric": "update"}"#,
            "missing key \"target\" in a target_agreed event: expected at, type, metric, target at line 1 column 75",
        ),
        (
            r#"{"at": "2026-11-23T09:00:00Z", "type": "resolved", "type": "closed"}"#,
            "duplicate key \"type\": expected each key once at line 1 column 57",
        ),
        (
            r#"{"at": "2026-11-23T09:00:00Z", "type": "resolvd"}"#,
            "unknown event type \"resolvd\": expected one of created, acknowledged, responded, updated, severity_changed, waiting_on_customer, customer_replied, target_agreed, resolved, reopened, closed, status_changed, attributes_changed at line 1 column 49",
        ),
        (
            r#"{"at": 1764000000, "type": "resolved"}"#,
            "key \"at\" is a number: expected a string at line 1 column 17",
        ),
    ] {
        let got = serde_json::from_str::<Event>(json)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(got, Err(message.to_string()), "{json}");
    }
    // Through the tool's replay: one line, the position once.
    #[cfg(feature = "cli")]
    {
        let dir = TempDir::new("keys");
        let file = dir.path("t.json");
        std::fs::write(
            &file,
            r#"{"policy": "ol-care", "region": "americas", "events": [{"at": "2026-11-23T09:00:00Z", "type": "created", "sevrity": "P1", "channel": "email"}]}"#,
        )
        .expect("write");
        let shown = file.display().to_string();
        let out = run("replay", &[&shown]);
        assert_eq!(
            stderr(&out).lines().next(),
            Some(
                format!(
                    "error: {shown}: line 1, column 141: unknown key \"sevrity\" in a created event: expected at, type, severity, channel (optional: attributes, customer_zone)"
                )
                .as_str()
            )
        );
    }
}

// 9-11. Zones -------------------------------------------------------------------

#[test]
fn fixed_offsets_stop_at_fourteen_hours() {
    for ok in ["UTC+14:00", "UTC-14:00", "UTC+13:59"] {
        assert!(ok.parse::<sla_deadline::Zone>().is_ok(), "{ok}");
    }
    for bad in ["UTC+14:01", "UTC+14:59", "UTC-14:30", "UTC++1:00"] {
        assert!(bad.parse::<sla_deadline::Zone>().is_err(), "{bad}");
    }
    assert_eq!(
        err_of(&ACME.replace("zone = \"UTC\"", "zone = \"UTC+14:59\"")),
        "acme.toml: line 7, column 8: regions.hq.zone: fixed offset \"UTC+14:59\" is more than 14 hours from UTC: expected an offset from UTC-14:00 to UTC+14:00"
    );
}

#[test]
fn horizons_past_2099_need_a_zone_without_daylight_saving() {
    let with = |zone: &str, horizon: &str| {
        err_of(&format!(
            "{}\n[options]\nhorizon = {horizon}\n",
            ACME.replace("zone = \"UTC\"", &format!("zone = \"{zone}\""))
        ))
    };
    assert_eq!(
        with("America/Toronto", "[2020, 2100]"),
        "acme.toml: line 22, column 11: options.horizon: [2020, 2100] goes past 2099, the last year for which the daylight-saving rules of regions.hq.zone (America/Toronto) are known: expected a last year of at most 2099, or a fixed offset such as \"UTC+01:00\" in regions.hq.zone"
    );
    assert_eq!(with("America/Toronto", "[2020, 2099]"), "ok");
    assert!(with("Australia/Melbourne", "[2100, 2101]").contains("goes past 2099"));
    // No DST: the last offset is right for later years too.
    assert_eq!(with("Asia/Tokyo", "[2100, 2200]"), "ok");
    assert_eq!(with("UTC+01:00", "[2001, 2200]"), "ok");

    let week = WeeklyHours::weekdays(&["09:00-17:00".parse().expect("span")]).expect("week");
    let err = Calendar::builder("Europe/London".parse().expect("zone"))
        .week(week)
        .horizon(2090, 2110)
        .build()
        .expect_err("past 2099");
    assert_eq!(
        err.to_string(),
        "calendar: horizon: 2090-2110 goes past 2099, the last year for which the daylight-saving rules of Europe/London are known: expected a last year of at most 2099, or a fixed offset such as \"UTC+01:00\""
    );
}

#[test]
fn due_local_denotes_the_due_instant_when_the_offset_has_seconds() {
    // Monrovia kept -00:44:30 until 1972.
    let text = format!(
        "{}\n[options]\nhorizon = [1960, 1961]\n",
        ACME.replace("zone = \"UTC\"", "zone = \"Africa/Monrovia\"")
    );
    let policy = Policy::from_toml_str(&text, "acme.toml").expect("Monrovia");
    let created: Vec<Event> = serde_json::from_str(
        r#"[{"at": "1960-06-01T12:00:00Z", "type": "created", "severity": "P1", "channel": "email"}]"#,
    )
    .expect("event");
    let report = evaluate(&policy, "hq", &created, None).expect("report");
    let m = &report.metrics[0];
    let (due_at, due_local) = (m.due_at.expect("due"), m.due_local.expect("due"));
    assert_eq!(due_at.to_rfc3339(), "1960-06-01T12:10:00+00:00");
    assert_eq!(due_local.to_rfc3339(), "1960-06-01T11:25:00-00:45");
    let back = DateTime::parse_from_rfc3339(&due_local.to_rfc3339()).expect("RFC 3339");
    assert_eq!(back, due_at);
    let json = serde_json::to_value(&report).expect("json");
    let local = json["metrics"][0]["due_local"].as_str().expect("due_local");
    assert_eq!(DateTime::parse_from_rfc3339(local).expect("RFC 3339"), due_at);
}

// 13. Wording -------------------------------------------------------------------

#[test]
fn policy_errors_speak_the_policy_format() {
    assert_eq!(
        err_of(&ACME.replace("start = [\"created\"]", "start = \"created\"")),
        "acme.toml: line 17, column 9: metrics.ack.start: invalid type: string \"created\", expected a list of events such as [\"resolved\"]"
    );
    assert_eq!(
        err_of(&format!("{ACME}\n[options]\nhorizon = [\"2020\", 2030]\n")),
        "acme.toml: line 22, column 12: options.horizon: invalid type: string \"2020\", expected a year such as 2035"
    );
    assert_eq!(
        err_of(&format!("{ACME}\n[options]\nwarnings = 0.5\n")),
        "acme.toml: line 22, column 12: options.warnings: invalid type: floating point `0.5`, expected a list of fractions of the target such as [0.5, 0.75]"
    );
}

#[test]
fn holiday_file_errors_name_the_key_that_loaded_them() {
    let dir = TempDir::new("holfile");
    std::fs::create_dir_all(dir.path("sub")).expect("sub");
    std::fs::write(
        dir.path("sub/h.toml"),
        "id = \"h\"\nname = \"H\"\n[holidays.x]\nname = \"X\"\ndate = \"13-01\"\n",
    )
    .expect("write");
    let policy = dir.path("acme.toml");
    std::fs::write(
        &policy,
        ACME.replace("holidays = []", "holidays = \"./sub/h.toml\""),
    )
    .expect("write");
    let err = Policy::from_path(&policy).expect_err("month 13");
    let msg = err.to_string();
    let sub = dir.0.join("sub").join("h.toml").display().to_string();
    assert_eq!(
        msg,
        format!(
            "{sub}: line 5, column 8: holidays.x.date: \"13-01\" is not a valid month-day (there is no month 13): expected \"MM-DD\", e.g. \"12-25\" (loaded by regions.hq.holidays in {})",
            policy.display()
        )
    );
    // A directory, written with `./` and a trailing `/`.
    std::fs::write(&policy, ACME.replace("holidays = []", "holidays = \"./sub/\"")).expect("write");
    let err = Policy::from_path(&policy).expect_err("a directory");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 9, column 12: regions.hq.holidays: holiday file \"{}\": cannot read: not a regular file (a directory): expected a file",
            policy.display(),
            dir.0.join("sub").display()
        )
    );
}

#[cfg(feature = "cli")] // runs the sla-deadline tool
#[test]
fn the_policy_hint_comes_only_when_the_path_is_the_problem() {
    let dir = TempDir::new("hint");
    let bad = dir.path("bad.toml");
    std::fs::write(&bad, ACME.replace("target = \"10m\"", "target = \"10 minutes\"")).expect("write");
    let shown = bad.display().to_string();
    let due = |policy: &str| {
        run(
            "due",
            &[
                "--policy",
                policy,
                "--region",
                "hq",
                "--severity",
                "P1",
                "--channel",
                "email",
                "--at",
                "2026-11-20T16:30:00-05:00",
            ],
        )
    };
    let err = stderr(&due(&shown));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "error: {shown}: line 19, column 10: metrics.ack.target: \"10 minutes\" is not a target"
        )),
        "{err}"
    );
    assert_eq!(
        lines[1],
        "hint: the policy format is described in policies/README.md"
    );
    let err = stderr(&due("no/such/policy.toml"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "error: no/such/policy.toml: cannot read: no such file or directory (os error 2)",
            "hint: --policy takes a built-in id (see --help) or the path of a policy file"
        ]
    );
}

// Harnesses at every size class ----------------------------------------------------

#[test]
fn sized_inputs_at_the_limits_end_in_time_with_short_errors() {
    // Each structure at the sizes around its limit.
    for shape in 0..harness::POLICY_SHAPES.len() {
        for n in [0, 1, 48, 49, 2_000, 120_000] {
            let start = Instant::now();
            harness::policy_toml(harness::sized_policy_text(shape, n).as_bytes());
            let took = start.elapsed();
            assert!(
                took < SECS_10,
                "{} x {n}: {took:?}",
                harness::POLICY_SHAPES[shape]
            );
        }
    }
    for shape in 0..harness::TICKET_SHAPES.len() {
        for n in [0, 1, 6, 10_000, 10_001, 200_000] {
            let start = Instant::now();
            harness::replay_events(harness::sized_ticket_json(shape, n).as_bytes());
            let took = start.elapsed();
            assert!(
                took < SECS_10,
                "{} x {n}: {took:?}",
                harness::TICKET_SHAPES[shape]
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sized_inputs_of_any_class(pick in any::<u8>(), class in 0u8..4, fine in any::<u16>()) {
        harness::sized_inputs(&[pick, class, fine.to_le_bytes()[0], fine.to_le_bytes()[1]]);
    }
}
