//! The `sla-deadline` tool (contract §9's command-line contract), run as a
//! user would: with the `cli` feature, `cargo test` builds it beside this
//! test binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The tool, ready to take a command (`due`, `replay`, `holidays`).
pub(crate) fn tool(command: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sla-deadline"));
    c.arg(command).current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs `command` from the crate's directory, with no standard input.
pub(crate) fn run(command: &str, args: &[&str]) -> Output {
    tool(command)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the tool runs (cargo test --features cli builds it)")
}

/// `due` for OL Care's P1 phone ticket of the README, as JSON.
const DUE_P1_PHONE: [&str; 11] = [
    "--policy",
    "ol-care",
    "--region",
    "americas",
    "--severity",
    "P1",
    "--channel",
    "phone",
    "--at",
    "2026-11-20T16:30:00-05:00",
    "--json",
];

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a failed run whose standard error contains `needle`.
#[track_caller]
fn fails_with(out: &Output, needle: &str) {
    assert!(!out.status.success(), "expected a failure, got success");
    assert!(
        stderr(out).contains(needle),
        "stderr lacks {needle:?}: {}",
        stderr(out)
    );
}

/// `due` for a P1 phone ticket with `--policy path` (region `x`).
fn due_with_policy(path: &str) -> Output {
    run(
        "due",
        &[
            "--policy",
            path,
            "--region",
            "x",
            "--severity",
            "P1",
            "--channel",
            "phone",
            "--at",
            "2026-11-20T16:30:00-05:00",
        ],
    )
}

fn case_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/cases")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".expected.json").map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn replay_prints_each_worked_case_exactly() {
    for name in case_names() {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!(
                "{}/tests/cases/{name}.expected.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("expected file"),
        )
        .expect("expected parses");
        let file = format!("tests/cases/{name}.json");
        let mut args = vec![file.as_str(), "--json"];
        let as_of = expected["as_of"].as_str().map(str::to_string);
        if let Some(t) = &as_of {
            args.extend(["--as-of", t.as_str()]);
        }
        let mut got = stdout_json(&run("replay", &args));
        // The shared cases predate the `cycles` figures: compare those only
        // where a case has them.
        if let (Some(got_m), Some(want_m)) = (
            got["metrics"].as_array_mut(),
            expected["expected"]["metrics"].as_array(),
        ) {
            for (g, w) in got_m.iter_mut().zip(want_m) {
                if w.get("cycles").is_none() {
                    if let Some(g) = g.as_object_mut() {
                        g.remove("cycles");
                    }
                }
            }
        }
        assert_eq!(got, expected["expected"], "{name}");
    }
}

#[test]
fn replay_reads_standard_input() {
    let text = std::fs::read(format!(
        "{}/tests/cases/01_americas_p1_phone_inside_hours.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("case file");
    let mut child = tool("replay")
        .args(["-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("replay starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&text)
        .expect("write stdin");
    let out = child.wait_with_output().expect("replay ends");
    assert_eq!(stdout_json(&out)["next_wake_up"], "2026-11-23T20:00:00Z");
}

#[test]
fn due_prints_the_new_ticket_report() {
    let out = run("due", &DUE_P1_PHONE);
    let report = stdout_json(&out);
    assert_eq!(report["as_of"], "2026-11-20T21:30:00Z");
    let metrics = report["metrics"].as_array().expect("metrics");
    let due: Vec<&Value> = metrics.iter().map(|m| &m["due_local"]).collect();
    assert_eq!(
        due,
        [
            &Value::Null,
            &Value::from("2026-11-20T18:30:00-05:00"),
            &Value::from("2026-11-24T16:30:00-05:00"),
            &Value::Null
        ]
    );
    // The table: one row per metric with local and UTC due instants.
    let out = run(
        "due",
        &[
            "--policy",
            "policies/ol-care.toml",
            "--region",
            "americas",
            "--severity",
            "P1",
            "--channel",
            "phone",
            "--at",
            "2026-11-20T16:30:00-05:00",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("2026-11-24T16:30:00-05:00"), "{table}");
    assert!(table.contains("2026-11-24T21:30:00Z"), "{table}");
}

#[test]
fn due_takes_attributes_and_the_customers_zone() {
    let args = [
        "--policy",
        "policies/examples/saas-tiers.toml",
        "--region",
        "customer",
        "--severity",
        "P2",
        "--channel",
        "email",
        "--at",
        "2026-12-01T10:00:00Z",
        "--attribute",
        "tier=premium",
        "--customer-zone",
        "Asia/Kolkata",
    ];
    let out = run("due", &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("rule: premium"), "{table}");
    assert!(
        table.contains("due in the customer's zone (Asia/Kolkata):"),
        "{table}"
    );
    assert!(
        table.contains("first_response   2026-12-01T17:30:00+05:30"),
        "{table}"
    );
    let mut json = args.to_vec();
    json.push("--json");
    let report = stdout_json(&run("due", &json));
    assert_eq!(report["rule"], "premium");
    assert_eq!(report["metrics"][0]["due_customer"], "2026-12-01T17:30:00+05:30");
    // No '=' in an attribute, and no customer zone for a customer region.
    let out = run("due", &[&args[..12], &["--attribute", "premium"]].concat());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--attribute \"premium\" has no '='"),
        "{}",
        stderr(&out)
    );
    let out = run("due", &args[..12]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("expected a customer_zone in the created event"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_invocations_fail_with_a_message_that_says_what_to_do() {
    let base = ["--policy", "ol-care", "--severity", "P1", "--channel", "phone"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };

    let out = run(
        "due",
        &with(&["--region", "mars", "--at", "2026-11-20T16:30:00-05:00"]),
    );
    fails_with(&out, "unknown region \"mars\": expected one of americas, uk,");

    let out = run(
        "due",
        &with(&["--region", "americas", "--at", "2026-11-20 16:30"]),
    );
    fails_with(&out, "--at: \"2026-11-20 16:30\" is not an RFC 3339 instant");

    let out = run("replay", &["no/such/ticket.json"]);
    fails_with(&out, "no/such/ticket.json: cannot read");

    fails_with(&due_with_policy("tests/cases/README.md"), "tests/cases/README.md");

    let out = due_with_policy("tests/fixtures/invalid-policies/unknown-zone.toml");
    let golden = std::fs::read_to_string(format!(
        "{}/tests/fixtures/invalid-policies/unknown-zone.err",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("golden error");
    fails_with(&out, golden.trim());

    let out = run("due", &["--region", "americas"]);
    fails_with(&out, "--policy");

    let out = run("due", &["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "ol-care", "e3k-odoo", "americas", "quebec", "P1", "phone", "portal",
    ] {
        assert!(help.contains(word), "--help lists {word}: {help}");
    }
}

#[test]
fn holidays_lists_a_set_as_json_and_refuses_bad_sets() {
    let list = stdout_json(&run("holidays", &["jp", "2026", "2027", "--json"]));
    let list = list.as_array().expect("a JSON array");
    assert_eq!(
        list[0],
        serde_json::json!({"date": "2026-01-01", "name": "New Year's Day", "estimated": false})
    );
    let dates: Vec<&str> = list.iter().filter_map(|h| h["date"].as_str()).collect();
    for day in ["2026-09-21", "2026-09-22", "2026-09-23"] {
        assert!(dates.contains(&day), "{day} in {dates:?}");
    }
    assert!(
        dates
            .iter()
            .all(|d| d.starts_with("2026") || d.starts_with("2027"))
    );
    // A file path works like a built-in id.
    let from_file = stdout_json(&run(
        "holidays",
        &["policies/holidays/jp.toml", "2026", "2027", "--json"],
    ));
    assert_eq!(from_file.as_array().map(Vec::len), Some(list.len()));

    let out = run("holidays", &["xx", "2026", "2027"]);
    fails_with(&out, "unknown holiday set \"xx\": expected one of ca-qc,");
    let out = run("holidays", &["my-kul", "2040", "2041"]);
    fails_with(&out, "my-kul");
}

#[test]
fn holidays_marks_estimates_and_reads_icalendar_files() {
    let out = run("holidays", &["my-kul", "2028", "2028"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("2028-02-27  Sun  Hari Raya Aidilfitri  [estimated]"),
        "{table}"
    );
    let list = stdout_json(&run(
        "holidays",
        &[
            "tests/fixtures/ics/closures.ics",
            "2026",
            "2026",
            "--zone",
            "America/Toronto",
            "--json",
        ],
    ));
    let offsite = list
        .as_array()
        .and_then(|l| l.iter().find(|h| h["date"] == "2026-11-05"))
        .cloned();
    assert_eq!(
        offsite,
        Some(serde_json::json!({
            "date": "2026-11-05",
            "name": "All-hands offsite (afternoon)",
            "estimated": false,
            "closed_hours": ["13:00-17:00"]
        }))
    );
    let out = run(
        "holidays",
        &["tests/fixtures/ics/weekly-rrule.ics", "2026", "2026"],
    );
    fails_with(
        &out,
        "weekly-rrule.ics: line 10, column 7: event \"standup@acme.example\".RRULE: \"FREQ=WEEKLY;BYDAY=FR\" is not a supported recurrence",
    );
}

#[test]
fn a_closed_pipe_ends_the_tool_quietly() {
    for args in [
        &["holidays", "jp", "1950", "2100", "--json"][..],
        &[&["due"][..], &DUE_P1_PHONE[..]].concat()[..],
    ] {
        let mut child = tool(args[0])
            .args(&args[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the tool starts");
        // The reader goes away before the tool writes (`| head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("the tool ends");
        assert!(
            out.status.success(),
            "{args:?}: exit {:?}: {}",
            out.status,
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "{args:?}: nothing on standard error");
    }
}
