//! Policy files: the two vendor policies answer contract §4, every file in
//! `policies/` loads, invalid policies give their exact golden errors, and
//! a user's edited copy of a policy loads with the edit.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use sla_deadline::{ClockKind, DayMode, OnReopen, Policy, SeverityChange, Target};

const BD: fn(u32) -> Target = Target::BusinessDays;

fn h(hours: i64) -> Target {
    Target::Time(hours * 3600)
}

fn m(minutes: i64) -> Target {
    Target::Time(minutes * 60)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

#[track_caller]
fn load(id: &str) -> Policy {
    match Policy::builtin(id) {
        Ok(p) => p,
        Err(e) => panic!("built-in policy {id} does not load: {e}"),
    }
}

/// A small valid policy that needs no holiday data.
const ACME: &str = r#"
[policy]
id = "acme"
name = "Acme support"
vendor = "Acme"

[regions.hq]
zone = "Europe/Paris"
hours = { mon-thu = ["09:00-12:00", "13:00-17:00"], fri = ["09:00-12:00"] }
holidays = []
exceptions = { 2026-12-24 = ["09:00-10:00"], 2026-12-31 = [] }
languages = ["en", "fr"]

[severities.P1]
name = "Critical"
description = "Down"
[severities.P2]

[channels.phone]
[channels.email]
name = "E-mail"

[metrics.first_response]
clock = "business"
start = ["created"]
stop = ["responded", "resolved"]
by_channel = { phone = "2h", email = "1h30m" }

[metrics.ack]
clock = "calendar"
start = ["created"]
stop = ["acknowledged"]
channels = ["email"]
target = "10m"

[metrics.resolution]
clock = "business"
start = ["created"]
stop = ["resolved"]
on_reopen = "resume"
pauses_while_waiting = true
[metrics.resolution.grid]
P1 = { phone = "1bd", email = "2bd" }
P2 = "none"

[options]
severity_change = "restart"
business_days = "end_of_day"
warnings = [0.9, 0.5]
horizon = [2025, 2027]
"#;

#[test]
fn a_policy_without_holidays_loads_in_every_target_form() {
    let p = Policy::from_toml_str(ACME, "acme.toml").expect("valid");
    assert_eq!(
        (p.id(), p.name(), p.vendor(), p.source()),
        ("acme", "Acme support", "Acme", "")
    );
    let ids = |v: Vec<&str>| v.join(",");
    assert_eq!(ids(p.severities().iter().map(|s| s.id()).collect()), "P1,P2");
    assert_eq!(p.severity("P1").expect("P1").description(), "Down");
    assert_eq!(p.severity("P2").expect("P2").name(), "P2");
    assert_eq!(ids(p.channels().iter().map(|c| c.id()).collect()), "phone,email");
    assert_eq!(p.channel("email").expect("email").name(), "E-mail");
    // File order, not alphabetical order.
    assert_eq!(
        ids(p.metrics().iter().map(|m| m.id()).collect()),
        "first_response,ack,resolution"
    );
    let t = |metric: &str, s: &str, c: &str| p.metric(metric).expect(metric).target(&p, s, c);
    assert_eq!(t("first_response", "P1", "phone"), Some(h(2)));
    assert_eq!(t("first_response", "P2", "email"), Some(m(90)));
    assert_eq!(t("ack", "P2", "email"), Some(m(10)));
    assert_eq!(t("ack", "P2", "phone"), Some(Target::None));
    assert!(!p.metric("ack").expect("ack").applies_to("phone"));
    assert_eq!(t("resolution", "P1", "phone"), Some(BD(1)));
    assert_eq!(t("resolution", "P1", "email"), Some(BD(2)));
    assert_eq!(t("resolution", "P2", "phone"), Some(Target::None));
    assert_eq!(t("resolution", "P3", "phone"), None);
    let o = p.options();
    assert_eq!(o.severity_change(), SeverityChange::Restart);
    assert_eq!(o.day_mode(), DayMode::EndOfDay);
    assert_eq!(o.warnings(), [0.5, 0.9]);
    assert_eq!(o.horizon(), (2025, 2027));

    let cal = p.region("hq").expect("hq").calendar();
    assert_eq!(cal.horizon(), (2025, 2027));
    let open = |s: &str| cal.is_open(utc(s)).expect("in horizon");
    assert!(!open("2026-12-22T12:59:59+01:00")); // lunch
    assert!(open("2026-12-22T13:00:00+01:00"));
    assert!(!open("2026-12-25T13:00:00+01:00")); // Friday afternoon
    assert!(open("2026-12-24T09:30:00+01:00")); // exception
    assert!(!open("2026-12-24T10:30:00+01:00"));
    assert!(!open("2026-12-31T09:30:00+01:00")); // closed exception
}

#[test]
fn ol_care_regions_answer_spec_4_1() {
    let p = load("ol-care");
    let expected = [
        ("americas", "America/Toronto", "09:00-20:00", "en,fr,es"),
        ("uk", "Europe/London", "09:00-17:00", "en,de,fr,nl"),
        ("germany", "Europe/Berlin", "09:00-17:00", "en,de,fr,nl"),
        ("france", "Europe/Paris", "09:00-17:00", "en,de,fr,nl"),
        ("netherlands", "Europe/Amsterdam", "09:00-17:00", "en,de,fr,nl"),
        ("australia", "Australia/Melbourne", "09:00-19:00", "en,ja"),
        ("malaysia", "Asia/Kuala_Lumpur", "09:00-17:00", "en,ja"),
        ("japan", "Asia/Tokyo", "09:00-17:00", "en,ja"),
    ];
    assert_eq!(p.regions().len(), expected.len());
    for (region, (id, zone, hours, langs)) in p.regions().iter().zip(expected) {
        assert_eq!(region.id(), id);
        let cal = region.calendar();
        assert_eq!(cal.zone().to_string(), zone, "{id}");
        assert_eq!(region.languages().join(","), langs, "{id}");
        assert!(cal.horizon().0 <= 2020 && cal.horizon().1 >= 2035, "{id}");
        let week = serde_json::to_value(cal.spec()).expect("spec serialises");
        for (i, day) in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .enumerate()
        {
            let want = if i < 5 {
                format!("[\"{hours}\"]")
            } else {
                "[]".to_string()
            };
            assert_eq!(week["week"]["days"][i].to_string(), want, "{id} {day}");
        }
    }
}

#[test]
fn ol_care_regions_open_and_close_at_local_times() {
    let p = load("ol-care");
    // Wednesday 2026-06-10 (summer time in the north) and Wednesday
    // 2026-01-14 (summer time in Melbourne): no holiday in any region.
    for (region, open, closed) in [
        (
            "americas",
            "2026-06-10T09:00:00-04:00",
            "2026-06-10T20:00:00-04:00",
        ),
        (
            "americas",
            "2026-01-14T19:59:59-05:00",
            "2026-01-14T08:59:59-05:00",
        ),
        ("uk", "2026-06-10T09:00:00+01:00", "2026-06-10T17:00:00+01:00"),
        ("uk", "2026-01-14T09:00:00+00:00", "2026-01-14T08:59:00+00:00"),
        (
            "germany",
            "2026-06-10T16:59:59+02:00",
            "2026-06-10T17:00:00+02:00",
        ),
        ("france", "2026-01-14T09:00:00+01:00", "2026-01-14T17:00:00+01:00"),
        (
            "netherlands",
            "2026-06-10T09:00:00+02:00",
            "2026-06-10T08:00:00+02:00",
        ),
        (
            "australia",
            "2026-01-14T18:59:00+11:00",
            "2026-01-14T19:00:00+11:00",
        ),
        (
            "australia",
            "2026-06-10T09:00:00+10:00",
            "2026-06-10T19:00:00+10:00",
        ),
        (
            "malaysia",
            "2026-06-10T09:00:00+08:00",
            "2026-06-10T17:00:00+08:00",
        ),
        ("japan", "2026-06-10T09:00:00+09:00", "2026-06-10T17:00:00+09:00"),
        // Saturday.
        ("japan", "2026-06-19T16:00:00+09:00", "2026-06-20T12:00:00+09:00"),
    ] {
        let cal = p.region(region).expect("region").calendar();
        assert!(
            cal.is_open(utc(open)).expect("horizon"),
            "{region} open at {open}"
        );
        assert!(
            !cal.is_open(utc(closed)).expect("horizon"),
            "{region} closed at {closed}"
        );
    }
    // Closed on the holidays of their own sets.
    for (region, instant) in [
        ("malaysia", "2026-06-17T12:00:00+08:00"),  // Awal Muharram
        ("japan", "2026-01-12T12:00:00+09:00"),     // Coming of Age Day
        ("germany", "2026-06-04T12:00:00+02:00"),   // Corpus Christi (Hesse)
        ("australia", "2026-06-08T12:00:00+10:00"), // King's Birthday
    ] {
        let cal = p.region(region).expect("region").calendar();
        assert!(
            !cal.is_open(utc(instant)).expect("horizon"),
            "{region} closed at {instant}"
        );
    }
    // Closed on holidays: Christmas 2026 is a Friday.
    for region in ["americas", "uk", "germany", "france", "netherlands", "australia"] {
        let cal = p.region(region).expect("region").calendar();
        let zone = cal.zone().to_string();
        let noon = NaiveDate::from_ymd_opt(2026, 12, 25)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("date");
        let tz: chrono_tz::Tz = zone.parse().expect("iana");
        let t = noon
            .and_local_timezone(tz)
            .single()
            .expect("unique")
            .with_timezone(&Utc);
        assert!(!cal.is_open(t).expect("horizon"), "{region} closed on Christmas");
    }
}

#[test]
fn ol_care_metrics_answer_spec_4_1() {
    let p = load("ol-care");
    assert_eq!(
        (p.id(), p.name(), p.vendor()),
        ("ol-care", "OL Care", "Objectif Lune")
    );
    let sev: Vec<(&str, &str)> = p.severities().iter().map(|s| (s.id(), s.name())).collect();
    assert_eq!(
        sev,
        [
            ("P1", "Critical"),
            ("P2", "High"),
            ("P3", "Moderate"),
            ("P4", "Low")
        ]
    );
    assert!(p.severities().iter().all(|s| !s.description().is_empty()));
    let chans: Vec<&str> = p.channels().iter().map(|c| c.id()).collect();
    assert_eq!(chans, ["phone", "email", "web"]);
    let ids: Vec<&str> = p.metrics().iter().map(|m| m.id()).collect();
    assert_eq!(ids, ["acknowledgement", "first_response", "resolution", "update"]);

    // The full grid, severity x channel.
    let none = Target::None;
    let grid: [(&str, [[Target; 3]; 4]); 4] = [
        ("acknowledgement", [[none, m(10), m(10)]; 4]),
        ("first_response", [[h(2), h(4), h(4)]; 4]),
        ("resolution", [[BD(2); 3], [BD(3); 3], [BD(15); 3], [none; 3]]),
        ("update", [[BD(1); 3], [BD(1); 3], [BD(2); 3], [none; 3]]),
    ];
    for (metric, rows) in grid {
        let mm = p.metric(metric).expect("metric");
        for (s, row) in ["P1", "P2", "P3", "P4"].iter().zip(rows) {
            for (c, want) in chans.iter().zip(row) {
                assert_eq!(mm.target(&p, s, c), Some(want), "{metric} {s} {c}");
            }
        }
    }
    let ack = p.metric("acknowledgement").expect("ack");
    assert_eq!(ack.clock(&p, "P1"), Some(ClockKind::Calendar));
    assert!(!ack.applies_to("phone"));
    assert!(ack.applies_to("email") && ack.applies_to("web"));
    for id in ["first_response", "resolution", "update"] {
        let mm = p.metric(id).expect("metric");
        assert_eq!(mm.clocks(), [ClockKind::Business; 4], "{id}");
        assert!(chans.iter().all(|c| mm.applies_to(c)), "{id}");
    }

    // contract §6 table, as data.
    let row = |id: &str| {
        let mm = p.metric(id).expect("metric");
        (
            mm.start_events().join(","),
            mm.stop_events().join(","),
            mm.restart_events().join(","),
            mm.on_reopen(),
            !mm.pause_in().is_empty(),
        )
    };
    let s = String::from;
    assert_eq!(
        row("acknowledgement"),
        (
            s("created"),
            s("acknowledged,resolved"),
            s(""),
            OnReopen::Nothing,
            false
        )
    );
    assert_eq!(
        row("first_response"),
        (
            s("created"),
            s("responded,updated,resolved"),
            s(""),
            OnReopen::Nothing,
            false
        )
    );
    assert_eq!(
        row("resolution"),
        (s("created"), s("resolved"), s(""), OnReopen::Resume, true)
    );
    assert_eq!(
        row("update"),
        (
            s("responded,updated"),
            s("resolved"),
            s("responded,updated"),
            OnReopen::NewCycle,
            true
        )
    );
    let o = p.options();
    assert_eq!(o.severity_change(), SeverityChange::Recompute);
    assert_eq!(o.day_mode(), DayMode::SameTime);
    assert_eq!(o.warnings(), [0.75]);
    assert_eq!(o.horizon(), (2020, 2035));
}

#[test]
fn e3k_odoo_answers_spec_4_2() {
    let p = load("e3k-odoo");
    assert_eq!(p.id(), "e3k-odoo");
    assert_eq!(p.regions().len(), 1);
    let quebec = p.region("quebec").expect("quebec");
    assert_eq!(quebec.languages(), ["fr", "en"]);
    let cal = quebec.calendar();
    assert_eq!(cal.zone().to_string(), "America/Toronto");
    assert!(cal.is_open(utc("2026-06-10T08:30:00-04:00")).expect("horizon"));
    assert!(!cal.is_open(utc("2026-06-10T08:29:59-04:00")).expect("horizon"));
    assert!(!cal.is_open(utc("2026-06-10T17:00:00-04:00")).expect("horizon"));
    // Fête nationale, Wednesday 2026-06-24: Quebec holidays.
    assert!(!cal.is_open(utc("2026-06-24T10:00:00-04:00")).expect("horizon"));
    let chans: Vec<&str> = p.channels().iter().map(|c| c.id()).collect();
    assert_eq!(chans, ["portal", "email", "phone"]);
    let sev: Vec<&str> = p.severities().iter().map(|s| s.id()).collect();
    assert_eq!(sev, ["P1", "P2", "P3", "P4"]);
    let ids: Vec<&str> = p.metrics().iter().map(|m| m.id()).collect();
    assert_eq!(ids, ["first_response"]);
    let fr = p.metric("first_response").expect("metric");
    assert!(fr.clocks().iter().all(|k| *k == ClockKind::Business));
    for c in &chans {
        assert!(fr.applies_to(c));
        for (s, want) in [("P1", h(1)), ("P2", h(4)), ("P3", BD(2)), ("P4", Target::None)] {
            assert_eq!(fr.target(&p, s, c), Some(want), "{s} {c}");
        }
    }
    assert!(p.metric("resolution").is_err());
    assert!(p.metric("update").is_err());
}

fn policy_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["policies", "policies/examples"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("policy directory exists"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_policy_file_loads_and_equals_its_builtin() {
    let files = policy_files();
    assert!(files.len() >= 2);
    for file in files {
        let from_file = match Policy::from_path(&file) {
            Ok(p) => p,
            Err(e) => panic!("{} does not load: {e}", file.display()),
        };
        let stem = file.file_stem().and_then(|s| s.to_str()).expect("utf-8 name");
        assert_eq!(
            from_file.id(),
            stem,
            "{}: the id is the file name",
            file.display()
        );
        if Policy::builtin_ids().contains(&stem) {
            assert_eq!(from_file, load(stem), "{}", file.display());
        }
        let by_load = Policy::load(&file.display().to_string()).expect("load by path");
        assert_eq!(by_load, from_file);
    }
    for id in Policy::builtin_ids() {
        assert_eq!(Policy::load(id).expect("load by id").id(), *id);
    }
}

/// Every invalid fixture gives exactly its golden error. `UPDATE_GOLDEN=1`
/// rewrites the `.err` files (then review them by eye).
#[test]
fn invalid_policies_give_their_golden_errors() {
    let dir = Path::new("tests/fixtures/invalid-policies");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{} fixtures", files.len());
    let mut failures = Vec::new();
    for file in files {
        let got = match Policy::from_path(&file) {
            Ok(_) => format!("(no error: {} loaded)", file.display()),
            Err(e) => e.to_string(),
        };
        let golden = file.with_extension("err");
        if update {
            std::fs::write(&golden, format!("{got}\n")).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if want.trim_end() != got {
            failures.push(format!(
                "{}\n  want: {}\n  got:  {got}",
                file.display(),
                want.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = Policy::from_path("tests/fixtures/no-such-policy.toml").expect_err("missing");
    assert!(matches!(err, sla_deadline::Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("tests/fixtures/no-such-policy.toml: cannot read: "),
        "{err}"
    );
    let err = Policy::load("ol_care").expect_err("unknown id");
    assert_eq!(
        err.to_string(),
        "unknown policy \"ol_care\": expected one of ol-care, e3k-odoo"
    );
}

/// A temp dir of our own, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sla-deadline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn an_edited_copy_of_ol_care_loads_with_the_edit() {
    let dir = TempDir::new("edit");
    let text = std::fs::read_to_string("policies/ol-care.toml").expect("ol-care.toml");
    // Longer hours in the UK (Fridays shorter) and a 1h phone response.
    let edited = text
        .replacen(
            "zone = \"Europe/London\"\nhours = { mon-fri = [\"09:00-17:00\"] }",
            "zone = \"Europe/London\"\nhours = { mon-thu = [\"08:00-12:00\", \"13:00-18:00\"], fri = [\"08:00-12:00\"] }",
            1,
        )
        .replacen("phone = \"2h\"", "phone = \"1h\"", 1);
    assert_ne!(edited, text, "the edits apply");
    let path = dir.0.join("my-ol-care.toml");
    std::fs::write(&path, &edited).expect("write copy");
    let p = Policy::from_path(&path).expect("edited copy loads");
    let fr = p.metric("first_response").expect("metric");
    assert_eq!(fr.target(&p, "P1", "phone"), Some(h(1)));
    assert_eq!(fr.target(&p, "P1", "email"), Some(h(4)));
    let uk = p.region("uk").expect("uk").calendar();
    let open = |s: &str| uk.is_open(utc(s)).expect("horizon");
    assert!(open("2026-01-14T08:00:00Z"));
    assert!(!open("2026-01-14T12:30:00Z"));
    assert!(open("2026-01-14T17:59:59Z"));
    assert!(!open("2026-01-16T13:00:00Z")); // Friday afternoon

    // A mistake in the copy: the error points into the copy.
    let broken = edited.replacen(
        "fri = [\"08:00-12:00\"]",
        "fri = [\"08:00-12:00\", \"11:00-13:00\"]",
        1,
    );
    std::fs::write(&path, &broken).expect("write copy");
    let err = Policy::from_path(&path).expect_err("overlap");
    let line = broken
        .lines()
        .position(|l| l.contains("\"11:00-13:00\""))
        .expect("line")
        + 1;
    let column = broken
        .lines()
        .nth(line - 1)
        .and_then(|l| l.find("fri = "))
        .expect("col")
        + 7;
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line {line}, column {column}: regions.uk.hours.fri: spans 08:00-12:00 and 11:00-13:00 overlap: expected disjoint spans in one day",
            path.display()
        )
    );
}

#[test]
fn holiday_files_resolve_relative_to_the_policy() {
    let dir = TempDir::new("relative");
    std::fs::create_dir_all(dir.0.join("sub")).expect("sub dir");
    let text = ACME.replace("holidays = []", "holidays = \"holidays/none-here.toml\"");
    let path = dir.0.join("sub").join("p.toml");
    std::fs::write(&path, &text).expect("write");
    let err = Policy::from_path(&path).expect_err("no such holiday file");
    let msg = err.to_string();
    assert!(msg.contains("regions.hq.holidays"), "{msg}");
    assert!(msg.contains("none-here.toml"), "{msg}");
}

#[test]
fn no_input_panics() {
    // Truncations of a valid file, and some odd values, must all give
    // errors (or a policy), never a panic.
    let text = std::fs::read_to_string("policies/ol-care.toml").expect("ol-care.toml");
    for cut in (0..text.len()).step_by(97) {
        if text.is_char_boundary(cut) {
            let _ = Policy::from_toml_str(&text[..cut], "cut.toml");
        }
    }
    for (old, new) in [
        (
            "horizon = [2025, 2027]",
            "horizon = [-9223372036854775808, 9223372036854775807]",
        ),
        ("horizon = [2025, 2027]", "horizon = [1900, 2200]"),
        ("warnings = [0.9, 0.5]", "warnings = [nan, inf]"),
        ("target = \"10m\"", "target = \"99999999999999999999h\""),
        ("target = \"10m\"", "target = \"\""),
        ("[severities.P2]", "[severities.\"\"]"),
        ("[severities.P2]", "[severities.\"é\"]"),
        ("exceptions = { 2026-12-24", "exceptions = { \"\u{0}\""),
    ] {
        assert!(ACME.contains(old), "{old}");
        let _ = Policy::from_toml_str(&ACME.replace(old, new), "odd.toml");
    }
}

#[test]
fn the_readme_s_complete_example_loads() {
    let readme = std::fs::read_to_string("policies/README.md").expect("README");
    let (_, tail) = readme
        .split_once("## A complete minimal policy")
        .expect("section");
    let block = tail
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("toml block");
    let p = Policy::from_toml_str(block, "README.md").expect("README example loads");
    let fr = p.metric("first_response").expect("metric");
    assert_eq!(fr.target(&p, "normal", "email"), Some(BD(1)));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Splicing arbitrary text anywhere into a valid policy gives a policy
    /// or an error, never a panic.
    #[test]
    fn spliced_policies_never_panic(at in 0usize..2000, cut in 0usize..40, insert in "[ -~\n]{0,12}") {
        let mut at = at.min(ACME.len());
        while !ACME.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(ACME.len());
        while !ACME.is_char_boundary(end) {
            end -= 1;
        }
        let text = format!("{}{insert}{}", &ACME[..at], &ACME[end..]);
        if let Err(e) = Policy::from_toml_str(&text, "spliced.toml") {
            let shown = e.to_string();
            proptest::prop_assert!(shown.starts_with("spliced.toml"), "{}", shown);
        }
    }
}
