//! Hostile-input harnesses shared by the fuzz targets (`fuzz/`) and the
//! regression and property tests (`tests/it/hostile.rs`). Each takes any
//! bytes and drives one public entry point; the only acceptable outcomes
//! are a value or an `Error` (whose message must not be empty). A panic,
//! a hang or unbounded memory is a bug.

#![allow(dead_code)] // each fuzz target uses one harness

use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, Utc};
use sla_deadline::{
    Calendar, ClosedDay, DayMode, Event, EventKind, HolidaySet, LocalSpan, Policy, Ticket, WeeklyHours,
    evaluate,
};

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        Policy::builtin_ids()
            .iter()
            .filter_map(|id| Policy::builtin(id).ok())
            .collect()
    })
}

/// Every error must say something, and stay printable: under 64 KiB
/// whatever the size of the input.
fn check_message(e: &sla_deadline::Error) {
    let message = e.to_string();
    assert!(!message.is_empty(), "an error with no message: {e:?}");
    assert!(
        message.len() < 64 * 1024,
        "an error of {} bytes: {}...",
        message.len(),
        &message[..message.floor_char_boundary_compat(200)]
    );
}

/// `str::floor_char_boundary` for the crate's minimum Rust version.
trait FloorBoundary {
    fn floor_char_boundary_compat(&self, at: usize) -> usize;
}

impl FloorBoundary for String {
    fn floor_char_boundary_compat(&self, at: usize) -> usize {
        let mut at = at.min(self.len());
        while !self.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

/// Policy TOML text: load it; if it loads, open a ticket in each region.
pub(crate) fn policy_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::from_toml_str(text, "fuzz/policy.toml") {
        Err(e) => check_message(&e),
        Ok(policy) => {
            let (Some(sev), Some(chan)) = (policy.severities().first(), policy.channels().first()) else {
                return;
            };
            for region in policy.regions() {
                let (from, _) = region.calendar().horizon();
                let Some(at) = chrono::NaiveDate::from_ymd_opt(from, 3, 2)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .map(|d| d.and_utc())
                else {
                    continue;
                };
                let created = Event::new(at, sla_deadline::EventKind::created(sev.id(), chan.id()));
                if let Err(e) = evaluate(&policy, region.id(), &[created], None) {
                    check_message(&e);
                }
            }
        }
    }
}

/// Holiday-set TOML text: load it and list its holidays over its coverage
/// (or 2020-2035) and at the ends of the supported years.
pub(crate) fn holiday_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match HolidaySet::from_toml_str(text, "fuzz/holidays.toml") {
        Err(e) => check_message(&e),
        Ok(set) => {
            let (from, to) = set.coverage().unwrap_or((2020, 2035));
            for (a, b) in [
                (from, to.min(from.saturating_add(40))),
                (1900, 1901),
                (2199, 2200),
                (to, from),
                (i32::MIN, i32::MAX),
            ] {
                if let Err(e) = set.holidays(a, b) {
                    check_message(&e);
                }
            }
        }
    }
}

/// A replay ticket (contract §9 JSON) against a built-in policy; the first byte
/// picks an `as_of` mode.
pub(crate) fn replay_json(data: &[u8]) {
    #[derive(serde::Deserialize)]
    struct TicketFile {
        policy: String,
        region: String,
        events: Vec<Event>,
        #[serde(default)]
        as_of: Option<DateTime<Utc>>,
    }
    let Ok(file) = serde_json::from_slice::<TicketFile>(data) else {
        return;
    };
    let Some(policy) = policies()
        .iter()
        .find(|p| p.id() == file.policy)
        .or_else(|| policies().first())
    else {
        return;
    };
    if file.events.len() > 64 {
        return; // the engine's own limit is 10 000; keep fuzz iterations fast
    }
    match evaluate(policy, &file.region, &file.events, file.as_of) {
        Err(e) => check_message(&e),
        Ok(report) => {
            let json = serde_json::to_string(&report).expect("a report always serializes");
            assert!(json.starts_with('{'));
            // The incremental ticket stays reportable whatever it is fed,
            // and agrees with the one-shot function when it takes every
            // event.
            let created = file
                .events
                .iter()
                .position(|e| matches!(e.kind, EventKind::Created { .. }));
            if let Some(Ok(mut ticket)) =
                created.map(|i| Ticket::open(policy, &file.region, file.events[i].clone()))
            {
                let mut all = true;
                for (i, e) in file.events.iter().enumerate() {
                    if Some(i) != created {
                        match ticket.apply(e.clone()) {
                            Ok(()) => {}
                            Err(e) => {
                                check_message(&e);
                                all = false;
                            }
                        }
                        ticket.report(None).expect("an open ticket is always reportable");
                    }
                }
                if all {
                    assert_eq!(ticket.report(file.as_of).expect("same report"), report);
                }
            }
        }
    }
}

/// Reads little-endian integers off the input, zeros when it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn i64(&mut self) -> i64 {
        let lo = u64::from(self.u32());
        let hi = u64::from(self.u32());
        (hi << 32 | lo) as i64
    }
}

const ZONES: [&str; 10] = [
    "America/Toronto",
    "Europe/London",
    "Australia/Melbourne",
    "America/St_Johns",
    "Asia/Tokyo",
    "Pacific/Chatham",
    "America/Sao_Paulo",
    "UTC+01:00",
    "UTC-05:00",
    "Pacific/Kiritimati",
];

/// Instants a query may get: around the horizon, and chrono's extremes.
fn instant(b: &mut Bytes<'_>) -> DateTime<Utc> {
    let base = 1_767_225_600; // 2026-01-01
    let t = match b.u8() % 6 {
        0 => return DateTime::<Utc>::MIN_UTC,
        1 => return DateTime::<Utc>::MAX_UTC,
        2 => b.i64(),
        _ => base + i64::from(b.u32() % (3 * 366 * 86_400)) - 366 * 86_400,
    };
    DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A calendar built from the input, then every operation on instants and
/// durations taken from it (zero, huge, negative included).
pub(crate) fn calendar_ops(data: &[u8]) {
    let mut b = Bytes(data);
    let Ok(zone) = ZONES[usize::from(b.u8()) % ZONES.len()].parse() else {
        return;
    };
    let mut week = WeeklyHours::default();
    for day in [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ] {
        let spans: Vec<LocalSpan> = (0..b.u8() % 4)
            .filter_map(|_| {
                let start = u32::from(b.u8()) * 900 % 86_400;
                LocalSpan::from_seconds(start, (start + 900 * u32::from(b.u8() % 40 + 1)).min(86_400))
            })
            .collect();
        if let Err(e) = week.set(day, spans) {
            check_message(&e);
        }
    }
    let year = 2026 + i32::from(b.u8() % 2);
    let mut spec = Calendar::builder(zone).week(week).horizon(2026, year);
    for _ in 0..b.u8() % 8 {
        let Some(date) = chrono::NaiveDate::from_yo_opt(2026, u32::from(b.u8()) + 1) else {
            continue;
        };
        let hours = LocalSpan::from_seconds(u32::from(b.u8()) * 600, 86_400)
            .into_iter()
            .filter(|_| b.u8() % 2 == 0)
            .collect();
        spec = spec.closed_day(
            date,
            ClosedDay {
                name: "fuzz".into(),
                estimated: false,
                hours,
            },
        );
    }
    let calendar = match spec.build() {
        Ok(c) => c,
        Err(e) => return check_message(&e),
    };
    for _ in 0..8 {
        let t = instant(&mut b);
        let u = instant(&mut b);
        let d = match b.u8() % 4 {
            0 => TimeDelta::zero(),
            1 => TimeDelta::seconds(i64::from(b.u32())),
            2 => TimeDelta::seconds(-i64::from(b.u32())),
            _ => TimeDelta::MAX,
        };
        let n = match b.u8() % 3 {
            0 => 0,
            1 => u32::from(b.u8()),
            _ => u32::MAX,
        };
        let mode = if b.u8() % 2 == 0 {
            DayMode::SameTime
        } else {
            DayMode::EndOfDay
        };
        let _ = calendar.is_open(t).map_err(|e| check_message(&e));
        let _ = calendar.next_open(t).map_err(|e| check_message(&e));
        let _ = calendar
            .business_time_between(t, u)
            .map_err(|e| check_message(&e));
        match calendar.add_business(t, d) {
            Ok(due) => {
                assert!(due >= t, "add_business went back in time");
                let back = calendar
                    .business_time_between(t, due)
                    .expect("both instants are in the horizon");
                assert_eq!(back.num_seconds(), d.num_seconds(), "between(t, add(t, d)) == d");
            }
            Err(e) => check_message(&e),
        }
        match calendar.add_business_days(t, n, mode) {
            Ok(due) => assert!(due >= t, "add_business_days went back in time"),
            Err(e) => check_message(&e),
        }
    }
}

/// Structures a sized policy can grow (issue 16): the fuzzers' inputs stay
/// near 10 KB, so these reach every documented limit and past it.
pub(crate) const POLICY_SHAPES: [&str; 13] = [
    "languages",
    "channels",
    "metric_channels",
    "severities",
    "metrics",
    "regions",
    "exceptions",
    "spans",
    "warnings",
    "grid",
    "long_zone",
    "long_id",
    "nesting",
];

/// A policy whose one structure `shape` (index into [`POLICY_SHAPES`]) has
/// `n` items; everything else is minimal and valid.
pub(crate) fn sized_policy_text(shape: usize, n: usize) -> String {
    use std::fmt::Write as _;
    let mut languages = String::from("[\"en\"]");
    let mut severities = String::from("[severities.P1]\n");
    let mut channels = String::from("[channels.email]\n");
    let mut metrics = String::from(
        "[metrics.first_response]\nclock = \"business\"\nstart = [\"created\"]\nstop = [\"responded\"]\ntarget = \"4h\"\n",
    );
    let mut regions = String::new();
    let mut hours = String::from("[\"09:00-17:00\"]");
    let mut exceptions = String::new();
    let mut options = String::new();
    let mut zone = String::from("UTC");
    let mut region_id = String::from("hq");
    let list = |n: usize, item: &dyn Fn(usize) -> String| {
        let items: Vec<String> = (0..n).map(item).collect();
        format!("[{}]", items.join(","))
    };
    match POLICY_SHAPES.get(shape).copied().unwrap_or("languages") {
        // Short tags, so that 110 000 of them fit in the 1 MiB text.
        "languages" => languages = list(n, &|i| format!("\"{}\"", base36(i))),
        // One short line a channel, so that 78 000 fit in the 1 MiB text.
        "channels" => {
            channels = String::from("[channels]\nemail = {}\n");
            for i in 0..n {
                let _ = writeln!(channels, "{}={{}}", base36(i));
            }
        }
        "metric_channels" => {
            channels = String::from("[channels]\nemail = {}\n");
            for i in 0..n {
                let _ = writeln!(channels, "{}={{}}", base36(i));
            }
            let listed = list(n, &|i| format!("\"{}\"", base36(i)));
            metrics = metrics.replace("target =", &format!("channels = {listed}\ntarget ="));
        }
        "severities" => {
            for i in 0..n {
                let _ = writeln!(severities, "[severities.s{i}]");
            }
        }
        "metrics" => {
            for i in 0..n {
                let _ = write!(
                    metrics,
                    "[metrics.m{i}]\nclock = \"calendar\"\nstart = [\"created\"]\nstop = []\ntarget = \"1h\"\n"
                );
            }
        }
        "regions" => {
            for i in 0..n {
                let _ = write!(
                    regions,
                    "[regions.r{i}]\nzone = \"UTC\"\nhours = {{ mon-fri = [\"09:00-17:00\"] }}\nholidays = []\n"
                );
            }
        }
        "exceptions" => {
            let days = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                .map(|d| d.iter_days().take(n).collect::<Vec<_>>())
                .unwrap_or_default();
            exceptions = String::from("[regions.hq.exceptions]\n");
            for d in days {
                let _ = writeln!(exceptions, "{d} = [\"10:00-11:00\"]");
            }
        }
        "spans" => {
            hours = list(n, &|i| {
                let (a, b) = ((i * 2) % 1440, (i * 2) % 1440 + 1);
                format!("\"{:02}:{:02}-{:02}:{:02}\"", a / 60, a % 60, b / 60, b % 60)
            });
        }
        "warnings" => {
            options = format!(
                "[options]\nwarnings = {}\n",
                list(n, &|i| format!("{:.6}", (i + 1) as f64 / (n + 1) as f64))
            );
        }
        "grid" => {
            let side = (n as f64).sqrt() as usize + 1;
            for i in 0..side {
                let _ = writeln!(severities, "[severities.s{i}]");
                let _ = writeln!(channels, "[channels.c{i}]");
            }
        }
        "long_zone" => zone = "x".repeat(n),
        "long_id" => region_id = format!("\"{}\"", "r".repeat(n)),
        _ => languages = format!("{}{}", "[".repeat(n), "]".repeat(n)),
    }
    format!(
        "[policy]\nid = \"sized\"\nname = \"Sized\"\nvendor = \"Fuzz\"\n\n\
         [regions.{region_id}]\nzone = \"{zone}\"\nhours = {{ mon-sun = {hours} }}\nholidays = []\nlanguages = {languages}\n\n\
         {exceptions}\n{regions}\n{severities}\n{channels}\n{metrics}\n{options}"
    )
}

/// `i` in base 36 (digits, then lower-case letters).
fn base36(mut i: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[i % 36]);
        i /= 36;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Structures a sized ticket can grow.
pub(crate) const TICKET_SHAPES: [&str; 6] = [
    "events",
    "long_type",
    "long_severity",
    "unknown_keys",
    "nesting",
    "instants",
];

/// A replay ticket (contract §9 JSON, ol-care) whose structure `shape` (index
/// into [`TICKET_SHAPES`]) has `n` items.
pub(crate) fn sized_ticket_json(shape: usize, n: usize) -> String {
    let created =
        r#"{"at": "2026-11-23T09:00:00-05:00", "type": "created", "severity": "P2", "channel": "email"}"#;
    let mut events = vec![created.to_string()];
    match TICKET_SHAPES.get(shape).copied().unwrap_or("events") {
        "events" => events.extend((0..n).map(|i| {
            format!(
                r#"{{"at": "2026-11-23T{:02}:{:02}:00-05:00", "type": "updated"}}"#,
                9 + i / 60 % 10,
                i % 60
            )
        })),
        "long_type" => events.push(format!(
            r#"{{"at": "2026-11-23T10:00:00Z", "type": "{}"}}"#,
            "t".repeat(n)
        )),
        "long_severity" => events.push(format!(
            r#"{{"at": "2026-11-23T10:00:00Z", "type": "severity_changed", "severity": "{}"}}"#,
            "s".repeat(n)
        )),
        "unknown_keys" => {
            let keys: Vec<String> = (0..n).map(|i| format!(r#""k{i}": {i}"#)).collect();
            events.push(format!(
                r#"{{"at": "2026-11-23T10:00:00Z", "type": "resolved", {}}}"#,
                keys.join(", ")
            ));
        }
        "nesting" => events.push(format!(
            r#"{{"at": "2026-11-23T10:00:00Z", "type": "resolved", "x": {}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )),
        _ => {
            // Instants at the ends of the supported range, and sub-seconds.
            for (i, at) in [
                "0000-01-01T00:00:00Z",
                "0000-01-01T00:00:00+00:01",
                "9999-12-31T23:59:59Z",
                "9999-12-31T23:59:59-00:01",
                "2026-11-23T09:00:00.999999999-05:00",
                "2026-12-31T23:59:60.5Z",
            ]
            .iter()
            .cycle()
            .take(n)
            .enumerate()
            {
                let kind = if i % 2 == 0 { "responded" } else { "updated" };
                events.push(format!(r#"{{"at": "{at}", "type": "{kind}"}}"#));
            }
        }
    }
    format!(
        r#"{{"policy": "ol-care", "region": "americas", "events": [{}]}}"#,
        events.join(", ")
    )
}

/// Size classes: a few items, thousands, past every limit (the policy
/// text's 1 MiB, 10 000 events), chosen by `class`, scaled by `fine`.
pub(crate) fn size_of_class(class: u8, fine: u16) -> usize {
    let fine = usize::from(fine);
    match class % 4 {
        0 => fine % 16,
        1 => fine % 5_000,
        2 => 5_000 + fine * 2,
        _ => 100_000 + fine % 40_000,
    }
}

/// A sized policy or ticket from the input: byte 0 picks the input kind
/// and structure, byte 1 the size class, bytes 2-3 the size within it. The
/// outcome must be a value or a short error, as for every harness.
pub(crate) fn sized_inputs(data: &[u8]) {
    let mut b = Bytes(data);
    let pick = usize::from(b.u8());
    let class = b.u8();
    let fine = u16::from_le_bytes([b.u8(), b.u8()]);
    let n = size_of_class(class, fine);
    if pick % 2 == 0 {
        policy_toml(sized_policy_text(pick / 2 % POLICY_SHAPES.len(), n).as_bytes());
    } else {
        let text = sized_ticket_json(pick / 2 % TICKET_SHAPES.len(), n);
        replay_events(text.as_bytes());
    }
}

/// A replay ticket of any size: read as the `replay` example reads it, then
/// evaluated whatever its number of events.
pub(crate) fn replay_events(data: &[u8]) {
    #[derive(serde::Deserialize)]
    struct TicketFile {
        policy: String,
        region: String,
        events: Vec<Event>,
    }
    let file = match serde_json::from_slice::<TicketFile>(data) {
        Ok(file) => file,
        Err(e) => {
            assert!(e.to_string().len() < 64 * 1024, "a JSON error over 64 KiB");
            return;
        }
    };
    let Some(policy) = policies().iter().find(|p| p.id() == file.policy) else {
        return;
    };
    match evaluate(policy, &file.region, &file.events, None) {
        Err(e) => check_message(&e),
        Ok(report) => {
            let json = serde_json::to_string(&report).expect("a report always serializes");
            assert!(json.starts_with('{'));
        }
    }
}
