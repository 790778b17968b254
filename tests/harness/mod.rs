//! Hostile-input harnesses shared by the fuzz targets (`fuzz/`) and the
//! regression and property tests (`tests/it/hostile.rs`). Each takes any
//! bytes and drives one public entry point; the only acceptable outcomes
//! are a value or an `Error` (whose message must not be empty). A panic,
//! a hang or unbounded memory is a bug.

#![allow(dead_code)] // each fuzz target uses one harness

use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, Utc};
use sla_deadline::{
    Calendar, ClosedDay, DayMode, Event, HolidaySet, LocalSpan, Policy, Ticket, WeeklyHours, evaluate,
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

fn check_message(e: &sla_deadline::Error) {
    assert!(!e.to_string().is_empty(), "an error with no message: {e:?}");
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
                let created = Event::new(
                    at,
                    sla_deadline::EventKind::Created {
                        severity: sev.id().into(),
                        channel: chan.id().into(),
                    },
                );
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

/// A replay ticket (SPEC 9 JSON) against a built-in policy; the first byte
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
            // The incremental ticket agrees with the one-shot function.
            if let Ok(mut ticket) = Ticket::open(policy, &file.region) {
                for e in &file.events {
                    ticket.apply(e.clone()).expect("events that evaluate also apply");
                }
                assert_eq!(ticket.report(file.as_of).expect("same report"), report);
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
