//! Table-driven tests of the calendar operations (contract §2.4-2.6), through the
//! public API only. Inputs and expected results are RFC 3339 strings; results
//! are printed in the calendar's own zone so that the offset is checked too.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc, Weekday};
use sla_deadline::{Calendar, CalendarSpec, ClosedDay, DayMode, LocalSpan, WeeklyHours, Zone};

#[track_caller]
fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("bad test instant {s:?}: {e}"))
        .with_timezone(&Utc)
}

#[track_caller]
fn date(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("bad test date {s:?}: {e}"))
}

#[track_caller]
fn spans(list: &[&str]) -> Vec<LocalSpan> {
    list.iter()
        .map(|s| s.parse().unwrap_or_else(|e| panic!("bad test span {s:?}: {e}")))
        .collect()
}

#[track_caller]
fn zone(name: &str) -> Zone {
    name.parse()
        .unwrap_or_else(|e| panic!("bad test zone {name:?}: {e}"))
}

/// `u` as RFC 3339 in the calendar's zone (`2026-03-09T10:00:00-04:00`).
#[track_caller]
fn local(cal: &Calendar, u: DateTime<Utc>) -> String {
    let name = cal.zone().to_string();
    if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
        return u.with_timezone(&tz).to_rfc3339();
    }
    // A fixed offset prints as `UTC`, `UTC+01:00` or `UTC-05:00`.
    let secs = match name.strip_prefix("UTC") {
        Some("") => 0,
        Some(rest) => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let h: i32 = rest[1..3].parse().expect("offset hours");
            let m: i32 = rest[4..6].parse().expect("offset minutes");
            sign * (h * 3600 + m * 60)
        }
        None => panic!("unexpected zone name {name:?}"),
    };
    let offset = FixedOffset::east_opt(secs).expect("offset");
    u.with_timezone(&offset).to_rfc3339()
}

fn with_days(mut week: WeeklyHours, days: &[Weekday], list: &[&str]) -> WeeklyHours {
    for &day in days {
        week.set(day, spans(list)).expect("test week");
    }
    week
}

fn weekdays(list: &[&str]) -> WeeklyHours {
    WeeklyHours::weekdays(&spans(list)).expect("test week")
}

/// The test calendars, by name:
/// - `office`: Toronto, Mon-Fri 09:00-17:00; holidays 2026-11-26 (Thu),
///   2026-12-25, 2026-12-28 (reopened 10:00-14:00 by an exception) and
///   2027-01-01; 2026-12-24 closed from 12:00 (a partial closure);
///   2026-12-31 open 09:00-12:00 only (an exception); horizon 2026-2027.
/// - `weekdays:<zone>`: Mon-Fri 09:00-17:00, horizon 2026.
/// - `lunch`: Toronto, Mon-Fri 09:00-12:00 and 13:00-17:00.
/// - `allday:<zone>`: 00:00-24:00 every day.
/// - `straddle`: Toronto, every day 00:00-01:30 and 02:30-04:00 (around
///   the 02:00 transitions).
/// - `ingap`: Toronto, Sundays 02:10-02:50 (inside the spring-forward gap
///   on 2026-03-08), Mon-Fri 09:00-17:00.
#[track_caller]
fn cal(name: &str) -> Calendar {
    spec(name).build().expect("test calendar")
}

#[track_caller]
fn spec(name: &str) -> CalendarSpec {
    let (kind, zone_name) = name.split_once(':').unwrap_or((name, "America/Toronto"));
    let builder = Calendar::builder(zone(zone_name)).horizon(2026, 2026);
    match kind {
        "office" => builder
            .week(weekdays(&["09:00-17:00"]))
            .closed(date("2026-11-26"), "Thanksgiving (test)")
            .closed(date("2026-12-25"), "Christmas Day")
            .closed(date("2026-12-28"), "Boxing Day (observed)")
            .exception(date("2026-12-28"), spans(&["10:00-14:00"]))
            .closed(date("2027-01-01"), "New Year's Day")
            .closed_day(
                date("2026-12-24"),
                ClosedDay {
                    name: "Christmas Eve".to_string(),
                    estimated: false,
                    hours: spans(&["12:00-17:00"]),
                },
            )
            .exception(date("2026-12-31"), spans(&["09:00-12:00"]))
            .horizon(2026, 2027),
        "weekdays" => builder.week(weekdays(&["09:00-17:00"])),
        "lunch" => builder.week(weekdays(&["09:00-12:00", "13:00-17:00"])),
        "allday" => builder.week(with_days(WeeklyHours::default(), &crate::WEEK, &["00:00-24:00"])),
        "straddle" => builder.week(with_days(
            WeeklyHours::default(),
            &crate::WEEK,
            &["00:00-01:30", "02:30-04:00"],
        )),
        "ingap" => builder.week(with_days(
            weekdays(&["09:00-17:00"]),
            &[Weekday::Sun],
            &["02:10-02:50"],
        )),
        _ => panic!("unknown test calendar {name:?}"),
    }
}

#[test]
fn is_open_table() {
    let cases: &[(&str, &str, bool, &str)] = &[
        ("office", "2026-11-24T10:00:00-05:00", true, "inside hours"),
        ("office", "2026-11-24T09:00:00-05:00", true, "opening is open"),
        ("office", "2026-11-24T16:59:59-05:00", true, "last second"),
        ("office", "2026-11-24T17:00:00-05:00", false, "closing is closed"),
        ("office", "2026-11-24T18:30:00-05:00", false, "after closing"),
        ("office", "2026-11-24T08:59:59-05:00", false, "before opening"),
        ("office", "2026-11-28T12:00:00-05:00", false, "saturday"),
        ("office", "2026-11-26T12:00:00-05:00", false, "holiday"),
        (
            "office",
            "2026-12-28T11:00:00-05:00",
            true,
            "exception opens a holiday",
        ),
        (
            "office",
            "2026-12-28T09:30:00-05:00",
            false,
            "exception hours differ",
        ),
        (
            "office",
            "2026-12-24T11:00:00-05:00",
            true,
            "partial closure, morning",
        ),
        (
            "office",
            "2026-12-24T12:00:00-05:00",
            false,
            "partial closure, from noon",
        ),
        ("office", "2026-12-31T11:59:59-05:00", true, "short exception day"),
        (
            "office",
            "2026-12-31T12:00:00-05:00",
            false,
            "short exception day closed",
        ),
        ("lunch", "2026-11-24T11:59:59-05:00", true, "before lunch"),
        ("lunch", "2026-11-24T12:00:00-05:00", false, "lunch starts"),
        ("lunch", "2026-11-24T12:30:00-05:00", false, "lunch"),
        ("lunch", "2026-11-24T13:00:00-05:00", true, "after lunch"),
        // Spring forward in Toronto, 2026-03-08 02:00 EST -> 03:00 EDT.
        ("straddle", "2026-03-08T01:29:59-05:00", true, "before the gap"),
        ("straddle", "2026-03-08T01:30:00-05:00", false, "first span ends"),
        (
            "straddle",
            "2026-03-08T03:00:00-04:00",
            true,
            "02:30 in the gap -> transition",
        ),
        ("straddle", "2026-03-08T03:59:59-04:00", true, "last second"),
        (
            "straddle",
            "2026-03-08T04:00:00-04:00",
            false,
            "closed at 04:00 EDT",
        ),
        // Fall back, 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 is the EDT one.
        ("straddle", "2026-11-01T01:15:00-04:00", true, "fold, first pass"),
        (
            "straddle",
            "2026-11-01T01:30:00-04:00",
            false,
            "01:30 -> earlier instant",
        ),
        (
            "straddle",
            "2026-11-01T01:15:00-05:00",
            false,
            "fold, second pass is closed",
        ),
        ("straddle", "2026-11-01T02:30:00-05:00", true, "02:30 EST"),
        ("straddle", "2026-11-01T03:59:59-05:00", true, "04:00 EST closes"),
        (
            "ingap",
            "2026-03-08T03:00:00-04:00",
            false,
            "span inside the gap is dropped",
        ),
        (
            "ingap",
            "2026-03-01T02:20:00-05:00",
            true,
            "the same span a week earlier",
        ),
        (
            "allday:America/Toronto",
            "2026-03-08T03:00:00-04:00",
            true,
            "24/7 at transition",
        ),
        (
            "allday:Europe/London",
            "2026-10-25T01:30:00+00:00",
            true,
            "24/7 in a fold",
        ),
        ("weekdays:UTC+01:00", "2026-11-24T08:30:00Z", true, "fixed +01:00"),
        (
            "weekdays:UTC+01:00",
            "2026-11-24T16:30:00Z",
            false,
            "fixed +01:00 closed",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-07-14T13:59:59Z",
            false,
            "fixed -05:00, no DST",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-07-14T14:00:00Z",
            true,
            "fixed -05:00 opens",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-11-24T12:29:59Z",
            false,
            "-03:30",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-11-24T12:30:00Z",
            true,
            "09:00 NST",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-07-14T11:30:00Z",
            true,
            "09:00 NDT",
        ),
    ];
    for &(name, at, want, why) in cases {
        let got = cal(name)
            .is_open(t(at))
            .unwrap_or_else(|e| panic!("{name} {at}: {e}"));
        assert_eq!(got, want, "{name} is_open({at}): {why}");
    }
}

#[test]
fn next_open_table() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "office",
            "2026-11-24T10:00:00-05:00",
            "2026-11-24T10:00:00-05:00",
            "open: itself",
        ),
        (
            "office",
            "2026-11-24T18:30:00-05:00",
            "2026-11-25T09:00:00-05:00",
            "after closing",
        ),
        (
            "office",
            "2026-11-24T17:00:00-05:00",
            "2026-11-25T09:00:00-05:00",
            "at closing",
        ),
        (
            "office",
            "2026-11-28T12:00:00-05:00",
            "2026-11-30T09:00:00-05:00",
            "weekend",
        ),
        (
            "office",
            "2026-11-25T17:00:00-05:00",
            "2026-11-27T09:00:00-05:00",
            "skips a holiday",
        ),
        (
            "office",
            "2026-11-26T08:00:00-05:00",
            "2026-11-27T09:00:00-05:00",
            "on a holiday",
        ),
        (
            "office",
            "2026-12-24T12:00:00-05:00",
            "2026-12-28T10:00:00-05:00",
            "partial closure, exception",
        ),
        (
            "office",
            "2026-12-31T12:00:00-05:00",
            "2027-01-04T09:00:00-05:00",
            "short day, new year",
        ),
        (
            "lunch",
            "2026-11-24T12:15:00-05:00",
            "2026-11-24T13:00:00-05:00",
            "lunch",
        ),
        (
            "straddle",
            "2026-03-08T01:45:00-05:00",
            "2026-03-08T03:00:00-04:00",
            "gap -> transition",
        ),
        (
            "straddle",
            "2026-11-01T01:45:00-04:00",
            "2026-11-01T02:30:00-05:00",
            "across the fold",
        ),
        (
            "straddle",
            "2026-11-01T01:15:00-05:00",
            "2026-11-01T02:30:00-05:00",
            "in the fold's repeat",
        ),
        (
            "ingap",
            "2026-03-07T20:00:00-05:00",
            "2026-03-09T09:00:00-04:00",
            "span in gap dropped",
        ),
        (
            "ingap",
            "2026-02-28T20:00:00-05:00",
            "2026-03-01T02:10:00-05:00",
            "normal sunday",
        ),
        (
            "weekdays:Europe/London",
            "2026-03-28T12:00:00+00:00",
            "2026-03-30T09:00:00+01:00",
            "BST starts",
        ),
        (
            "weekdays:Europe/London",
            "2026-10-24T12:00:00+01:00",
            "2026-10-26T09:00:00+00:00",
            "GMT again",
        ),
        (
            "weekdays:Australia/Melbourne",
            "2026-10-03T12:00:00+10:00",
            "2026-10-05T09:00:00+11:00",
            "AEDT starts",
        ),
        (
            "weekdays:Australia/Melbourne",
            "2026-04-04T12:00:00+11:00",
            "2026-04-06T09:00:00+10:00",
            "AEST again",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-03-07T12:00:00-03:30",
            "2026-03-09T09:00:00-02:30",
            "NDT starts",
        ),
        (
            "weekdays:UTC+01:00",
            "2026-11-27T17:30:00+01:00",
            "2026-11-30T09:00:00+01:00",
            "fixed +01:00",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-03-07T12:00:00-05:00",
            "2026-03-09T09:00:00-05:00",
            "fixed -05:00",
        ),
    ];
    for &(name, at, want, why) in cases {
        let c = cal(name);
        let got = c.next_open(t(at)).unwrap_or_else(|e| panic!("{name} {at}: {e}"));
        assert_eq!(local(&c, got), want, "{name} next_open({at}): {why}");
    }
}

#[test]
fn business_time_between_table() {
    let h = |hours: f64| (hours * 3600.0) as i64;
    let cases: &[(&str, &str, &str, i64, &str)] = &[
        (
            "office",
            "2026-11-24T10:00:00-05:00",
            "2026-11-24T15:30:00-05:00",
            h(5.5),
            "same day",
        ),
        (
            "office",
            "2026-11-24T16:00:00-05:00",
            "2026-11-27T10:00:00-05:00",
            h(10.0),
            "over a holiday",
        ),
        (
            "office",
            "2026-11-27T10:00:00-05:00",
            "2026-11-24T16:00:00-05:00",
            -h(10.0),
            "negative",
        ),
        (
            "office",
            "2026-11-24T18:00:00-05:00",
            "2026-11-25T08:00:00-05:00",
            0,
            "overnight",
        ),
        (
            "office",
            "2026-11-24T12:00:00-05:00",
            "2026-11-24T12:00:00-05:00",
            0,
            "same instant",
        ),
        (
            "office",
            "2026-11-28T12:00:00-05:00",
            "2026-11-30T10:00:00-05:00",
            h(1.0),
            "from a weekend",
        ),
        (
            "office",
            "2026-11-26T12:00:00-05:00",
            "2026-11-27T12:00:00-05:00",
            h(3.0),
            "from a holiday",
        ),
        (
            "office",
            "2026-12-24T08:00:00-05:00",
            "2026-12-29T09:00:00-05:00",
            h(7.0),
            "partial closure + exception",
        ),
        (
            "office",
            "2026-12-31T08:00:00-05:00",
            "2027-01-04T09:00:00-05:00",
            h(3.0),
            "short day, holiday",
        ),
        (
            "lunch",
            "2026-11-24T09:00:00-05:00",
            "2026-11-24T17:00:00-05:00",
            h(7.0),
            "lunch break",
        ),
        (
            "lunch",
            "2026-11-24T11:30:00-05:00",
            "2026-11-24T13:30:00-05:00",
            h(1.0),
            "across lunch",
        ),
        (
            "allday:America/Toronto",
            "2026-03-08T00:00:00-05:00",
            "2026-03-09T00:00:00-04:00",
            h(23.0),
            "spring",
        ),
        (
            "allday:America/Toronto",
            "2026-11-01T00:00:00-04:00",
            "2026-11-02T00:00:00-05:00",
            h(25.0),
            "fall",
        ),
        (
            "allday:Europe/London",
            "2026-03-29T00:00:00+00:00",
            "2026-03-30T00:00:00+01:00",
            h(23.0),
            "spring",
        ),
        (
            "allday:Europe/London",
            "2026-10-25T00:00:00+01:00",
            "2026-10-26T00:00:00+00:00",
            h(25.0),
            "fall",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-10-04T00:00:00+10:00",
            "2026-10-05T00:00:00+11:00",
            h(23.0),
            "spring (october)",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-04-05T00:00:00+11:00",
            "2026-04-06T00:00:00+10:00",
            h(25.0),
            "fall (april)",
        ),
        (
            "allday:America/St_Johns",
            "2026-03-08T00:00:00-03:30",
            "2026-03-09T00:00:00-02:30",
            h(23.0),
            "spring",
        ),
        (
            "allday:America/St_Johns",
            "2026-11-01T00:00:00-02:30",
            "2026-11-02T00:00:00-03:30",
            h(25.0),
            "fall",
        ),
        (
            "allday:America/Toronto",
            "2026-07-01T00:00:00-04:00",
            "2026-07-02T00:00:00-04:00",
            h(24.0),
            "plain day",
        ),
        (
            "straddle",
            "2026-03-08T00:00:00-05:00",
            "2026-03-09T00:00:00-04:00",
            h(2.5),
            "spring: 01:30+00:30 real",
        ),
        (
            "straddle",
            "2026-11-01T00:00:00-04:00",
            "2026-11-02T00:00:00-05:00",
            h(3.0),
            "fall: 01:30 EDT",
        ),
        (
            "straddle",
            "2026-07-01T00:00:00-04:00",
            "2026-07-02T00:00:00-04:00",
            h(3.0),
            "plain day",
        ),
        (
            "ingap",
            "2026-03-07T00:00:00-05:00",
            "2026-03-09T00:00:00-04:00",
            0,
            "dropped span",
        ),
        (
            "ingap",
            "2026-02-28T00:00:00-05:00",
            "2026-03-02T00:00:00-05:00",
            h(40.0 / 60.0),
            "kept span",
        ),
        (
            "weekdays:America/Toronto",
            "2026-03-06T09:00:00-05:00",
            "2026-03-09T17:00:00-04:00",
            h(16.0),
            "DST weekend",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-03-06T09:00:00-05:00",
            "2026-03-09T17:00:00-05:00",
            h(16.0),
            "fixed -05:00",
        ),
        (
            "weekdays:UTC+01:00",
            "2026-11-24T07:00:00Z",
            "2026-11-24T17:00:00Z",
            h(8.0),
            "fixed +01:00",
        ),
    ];
    for &(name, a, b, want, why) in cases {
        let got = cal(name)
            .business_time_between(t(a), t(b))
            .unwrap_or_else(|e| panic!("{name} {a} {b}: {e}"));
        assert_eq!(got, TimeDelta::seconds(want), "{name} between({a}, {b}): {why}");
    }
}

#[test]
fn add_business_table() {
    let cases: &[(&str, &str, i64, &str, &str)] = &[
        (
            "office",
            "2026-11-24T10:00:00-05:00",
            120,
            "2026-11-24T12:00:00-05:00",
            "inside",
        ),
        (
            "office",
            "2026-11-24T13:00:00-05:00",
            240,
            "2026-11-24T17:00:00-05:00",
            "exactly to closing",
        ),
        (
            "office",
            "2026-11-24T16:00:00-05:00",
            120,
            "2026-11-25T10:00:00-05:00",
            "overnight",
        ),
        (
            "office",
            "2026-11-24T18:30:00-05:00",
            60,
            "2026-11-25T10:00:00-05:00",
            "after closing",
        ),
        (
            "office",
            "2026-11-24T18:30:00-05:00",
            0,
            "2026-11-24T18:30:00-05:00",
            "zero, closed",
        ),
        (
            "office",
            "2026-11-25T16:00:00-05:00",
            120,
            "2026-11-27T10:00:00-05:00",
            "over a holiday",
        ),
        (
            "office",
            "2026-11-28T12:00:00-05:00",
            480,
            "2026-11-30T17:00:00-05:00",
            "weekend, full day",
        ),
        (
            "office",
            "2026-11-26T10:00:00-05:00",
            30,
            "2026-11-27T09:30:00-05:00",
            "on a holiday",
        ),
        (
            "office",
            "2026-12-24T10:00:00-05:00",
            120,
            "2026-12-24T12:00:00-05:00",
            "partial closure close",
        ),
        (
            "office",
            "2026-12-24T10:00:00-05:00",
            180,
            "2026-12-28T11:00:00-05:00",
            "to the reopened holiday",
        ),
        (
            "office",
            "2026-12-25T11:00:00-05:00",
            240,
            "2026-12-28T14:00:00-05:00",
            "exception's close",
        ),
        (
            "office",
            "2026-12-31T11:00:00-05:00",
            120,
            "2027-01-04T10:00:00-05:00",
            "short day, new year",
        ),
        (
            "lunch",
            "2026-11-24T11:00:00-05:00",
            60,
            "2026-11-24T12:00:00-05:00",
            "stays at lunch",
        ),
        (
            "lunch",
            "2026-11-24T11:00:00-05:00",
            120,
            "2026-11-24T14:00:00-05:00",
            "over lunch",
        ),
        (
            "lunch",
            "2026-11-24T12:30:00-05:00",
            60,
            "2026-11-24T14:00:00-05:00",
            "from lunch",
        ),
        (
            "weekdays:America/Toronto",
            "2026-03-06T16:00:00-05:00",
            120,
            "2026-03-09T10:00:00-04:00",
            "spring",
        ),
        (
            "weekdays:America/Toronto",
            "2026-10-30T16:00:00-04:00",
            120,
            "2026-11-02T10:00:00-05:00",
            "fall",
        ),
        (
            "weekdays:Europe/London",
            "2026-03-27T16:00:00+00:00",
            120,
            "2026-03-30T10:00:00+01:00",
            "spring",
        ),
        (
            "weekdays:Europe/London",
            "2026-10-23T16:00:00+01:00",
            120,
            "2026-10-26T10:00:00+00:00",
            "fall",
        ),
        (
            "weekdays:Australia/Melbourne",
            "2026-10-02T16:00:00+10:00",
            120,
            "2026-10-05T10:00:00+11:00",
            "spring",
        ),
        (
            "weekdays:Australia/Melbourne",
            "2026-04-03T16:00:00+11:00",
            120,
            "2026-04-06T10:00:00+10:00",
            "fall",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-03-06T16:00:00-03:30",
            120,
            "2026-03-09T10:00:00-02:30",
            "spring",
        ),
        (
            "weekdays:America/St_Johns",
            "2026-10-30T16:00:00-02:30",
            120,
            "2026-11-02T10:00:00-03:30",
            "fall",
        ),
        (
            "allday:America/Toronto",
            "2026-03-08T00:00:00-05:00",
            1440,
            "2026-03-09T01:00:00-04:00",
            "23 h day",
        ),
        (
            "allday:America/Toronto",
            "2026-11-01T00:00:00-04:00",
            1440,
            "2026-11-01T23:00:00-05:00",
            "25 h day",
        ),
        (
            "allday:Europe/London",
            "2026-03-29T00:00:00+00:00",
            1440,
            "2026-03-30T01:00:00+01:00",
            "23 h day",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-10-04T00:00:00+10:00",
            1440,
            "2026-10-05T01:00:00+11:00",
            "23 h day",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-04-05T00:00:00+11:00",
            1440,
            "2026-04-05T23:00:00+10:00",
            "25 h day",
        ),
        (
            "allday:America/St_Johns",
            "2026-03-08T00:00:00-03:30",
            180,
            "2026-03-08T04:00:00-02:30",
            "over the gap",
        ),
        (
            "straddle",
            "2026-03-08T01:00:00-05:00",
            60,
            "2026-03-08T03:30:00-04:00",
            "over the gap",
        ),
        (
            "straddle",
            "2026-11-01T01:00:00-04:00",
            60,
            "2026-11-01T03:00:00-05:00",
            "over the fold",
        ),
        (
            "straddle",
            "2026-03-08T01:00:00-05:00",
            30,
            "2026-03-08T01:30:00-05:00",
            "to the close before the gap",
        ),
        (
            "ingap",
            "2026-03-07T12:00:00-05:00",
            60,
            "2026-03-09T10:00:00-04:00",
            "span in the gap dropped",
        ),
        (
            "weekdays:UTC+01:00",
            "2026-11-27T16:00:00+01:00",
            120,
            "2026-11-30T10:00:00+01:00",
            "fixed +01:00",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-03-06T16:00:00-05:00",
            120,
            "2026-03-09T10:00:00-05:00",
            "fixed -05:00",
        ),
    ];
    for &(name, at, minutes, want, why) in cases {
        let c = cal(name);
        let got = c
            .add_business(t(at), TimeDelta::minutes(minutes))
            .unwrap_or_else(|e| panic!("{name} {at} + {minutes} min: {e}"));
        assert_eq!(
            local(&c, got),
            want,
            "{name} add_business({at}, {minutes} min): {why}"
        );
    }
}

#[test]
fn add_business_days_same_time_table() {
    let cases: &[(&str, &str, u32, &str, &str)] = &[
        (
            "weekdays:America/Toronto",
            "2026-11-24T14:00:00-05:00",
            2,
            "2026-11-26T14:00:00-05:00",
            "contract: Tue 14:00 + 2 = Thu 14:00",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-21T12:00:00-05:00",
            15,
            "2026-12-11T17:00:00-05:00",
            "contract: Saturday + 15 = close of the 15th day from Monday",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-21T12:00:00-05:00",
            0,
            "2026-11-21T12:00:00-05:00",
            "zero days is t, even closed",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T14:00:00-05:00",
            0,
            "2026-11-24T14:00:00-05:00",
            "zero days is t",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T18:30:00-05:00",
            1,
            "2026-11-25T17:00:00-05:00",
            "after closing: lands on a close",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T09:00:00-05:00",
            1,
            "2026-11-24T17:00:00-05:00",
            "at opening: earliest is the close",
        ),
        (
            "office",
            "2026-11-24T14:00:00-05:00",
            2,
            "2026-11-27T14:00:00-05:00",
            "skips a holiday",
        ),
        (
            "office",
            "2026-11-26T10:00:00-05:00",
            1,
            "2026-11-27T17:00:00-05:00",
            "on a holiday",
        ),
        (
            "office",
            "2026-12-23T16:00:00-05:00",
            1,
            "2026-12-24T12:00:00-05:00",
            "day shorter than the offset",
        ),
        (
            "office",
            "2026-12-24T10:00:00-05:00",
            1,
            "2026-12-28T11:00:00-05:00",
            "exception opens a holiday",
        ),
        (
            "office",
            "2026-12-30T15:00:00-05:00",
            1,
            "2026-12-31T12:00:00-05:00",
            "short exception day",
        ),
        (
            "office",
            "2026-12-31T10:00:00-05:00",
            1,
            "2027-01-04T10:00:00-05:00",
            "over new year",
        ),
        (
            "lunch",
            "2026-11-24T14:00:00-05:00",
            1,
            "2026-11-25T14:00:00-05:00",
            "afternoon",
        ),
        (
            "lunch",
            "2026-11-24T12:30:00-05:00",
            1,
            "2026-11-25T12:00:00-05:00",
            "from lunch: earliest is 12:00",
        ),
        (
            "allday:America/Toronto",
            "2026-03-07T12:00:00-05:00",
            1,
            "2026-03-08T13:00:00-04:00",
            "same position, not wall clock",
        ),
        (
            "allday:America/Toronto",
            "2026-03-07T12:00:00-05:00",
            2,
            "2026-03-09T12:00:00-04:00",
            "after the short day",
        ),
        (
            "allday:America/Toronto",
            "2026-10-31T12:00:00-04:00",
            1,
            "2026-11-01T11:00:00-05:00",
            "fall back",
        ),
        (
            "allday:America/St_Johns",
            "2026-10-31T12:00:00-02:30",
            1,
            "2026-11-01T11:00:00-03:30",
            "fall back, half hour",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-10-03T12:00:00+10:00",
            1,
            "2026-10-04T13:00:00+11:00",
            "spring (october)",
        ),
        (
            "weekdays:America/Toronto",
            "2026-03-06T14:00:00-05:00",
            1,
            "2026-03-09T14:00:00-04:00",
            "over the DST weekend",
        ),
        (
            "weekdays:Australia/Melbourne",
            "2026-10-02T14:00:00+10:00",
            1,
            "2026-10-05T14:00:00+11:00",
            "over the DST weekend",
        ),
        (
            "weekdays:Europe/London",
            "2026-10-23T14:00:00+01:00",
            1,
            "2026-10-26T14:00:00+00:00",
            "over the DST weekend",
        ),
        (
            "straddle",
            "2026-03-07T03:45:00-05:00",
            1,
            "2026-03-08T04:00:00-04:00",
            "short DST day: its close",
        ),
        (
            "ingap",
            "2026-03-07T12:00:00-05:00",
            1,
            "2026-03-09T17:00:00-04:00",
            "gap sunday is no business date",
        ),
        (
            "ingap",
            "2026-02-28T12:00:00-05:00",
            1,
            "2026-03-01T02:50:00-05:00",
            "a normal sunday is",
        ),
        (
            "weekdays:UTC+01:00",
            "2026-11-24T14:00:00+01:00",
            2,
            "2026-11-26T14:00:00+01:00",
            "fixed +01:00",
        ),
        (
            "weekdays:UTC-05:00",
            "2026-03-06T14:00:00-05:00",
            1,
            "2026-03-09T14:00:00-05:00",
            "fixed -05:00",
        ),
    ];
    for &(name, at, n, want, why) in cases {
        let c = cal(name);
        let got = c
            .add_business_days(t(at), n, DayMode::SameTime)
            .unwrap_or_else(|e| panic!("{name} {at} + {n} days: {e}"));
        assert_eq!(local(&c, got), want, "{name} add_business_days({at}, {n}): {why}");
    }
}

#[test]
fn add_business_days_end_of_day_table() {
    let cases: &[(&str, &str, u32, &str, &str)] = &[
        (
            "weekdays:America/Toronto",
            "2026-11-24T14:00:00-05:00",
            2,
            "2026-11-26T17:00:00-05:00",
            "plain",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T14:00:00-05:00",
            0,
            "2026-11-24T17:00:00-05:00",
            "zero: today's close",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-21T12:00:00-05:00",
            0,
            "2026-11-23T17:00:00-05:00",
            "zero from saturday",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T18:30:00-05:00",
            0,
            "2026-11-25T17:00:00-05:00",
            "zero after closing",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-24T17:00:00-05:00",
            0,
            "2026-11-25T17:00:00-05:00",
            "zero at closing",
        ),
        (
            "weekdays:America/Toronto",
            "2026-11-21T12:00:00-05:00",
            15,
            "2026-12-14T17:00:00-05:00",
            "saturday + 15",
        ),
        (
            "office",
            "2026-11-26T10:00:00-05:00",
            1,
            "2026-11-30T17:00:00-05:00",
            "on a holiday",
        ),
        (
            "office",
            "2026-12-23T10:00:00-05:00",
            1,
            "2026-12-24T12:00:00-05:00",
            "partial closure",
        ),
        (
            "office",
            "2026-12-23T10:00:00-05:00",
            2,
            "2026-12-28T14:00:00-05:00",
            "exception opens a holiday",
        ),
        (
            "office",
            "2026-12-23T10:00:00-05:00",
            3,
            "2026-12-29T17:00:00-05:00",
            "after it",
        ),
        (
            "office",
            "2026-12-30T10:00:00-05:00",
            1,
            "2026-12-31T12:00:00-05:00",
            "short exception day",
        ),
        (
            "lunch",
            "2026-11-24T10:00:00-05:00",
            1,
            "2026-11-25T17:00:00-05:00",
            "last interval's close",
        ),
        (
            "lunch",
            "2026-11-24T12:30:00-05:00",
            0,
            "2026-11-24T17:00:00-05:00",
            "from lunch",
        ),
        (
            "allday:America/Toronto",
            "2026-03-07T12:00:00-05:00",
            1,
            "2026-03-09T00:00:00-04:00",
            "spring",
        ),
        (
            "allday:Australia/Melbourne",
            "2026-04-04T12:00:00+11:00",
            1,
            "2026-04-06T00:00:00+10:00",
            "fall (april)",
        ),
        (
            "allday:America/St_Johns",
            "2026-03-07T12:00:00-03:30",
            1,
            "2026-03-09T00:00:00-02:30",
            "spring",
        ),
        (
            "straddle",
            "2026-10-31T12:00:00-04:00",
            0,
            "2026-11-01T04:00:00-05:00",
            "fold day",
        ),
        (
            "straddle",
            "2026-03-07T12:00:00-05:00",
            0,
            "2026-03-08T04:00:00-04:00",
            "gap day",
        ),
        (
            "ingap",
            "2026-03-07T12:00:00-05:00",
            0,
            "2026-03-09T17:00:00-04:00",
            "gap sunday skipped",
        ),
        (
            "weekdays:Europe/London",
            "2026-03-27T10:00:00+00:00",
            1,
            "2026-03-30T17:00:00+01:00",
            "spring",
        ),
        (
            "weekdays:UTC+01:00",
            "2026-11-27T10:00:00+01:00",
            1,
            "2026-11-30T17:00:00+01:00",
            "fixed +01:00",
        ),
    ];
    for &(name, at, n, want, why) in cases {
        let c = cal(name);
        let got = c
            .add_business_days(t(at), n, DayMode::EndOfDay)
            .unwrap_or_else(|e| panic!("{name} {at} + {n} days: {e}"));
        assert_eq!(
            local(&c, got),
            want,
            "{name} add_business_days({at}, {n}, end of day): {why}"
        );
    }
}

#[test]
fn zero_adds_return_t_at_any_instant() {
    let c = cal("office");
    for at in [
        "2026-11-24T10:00:00-05:00",
        "2026-11-24T17:00:00-05:00",
        "2026-11-28T03:00:00-05:00",
        "2026-01-01T00:00:00-05:00",
        "2028-01-01T00:00:00-05:00",
    ] {
        let at = t(at);
        assert_eq!(c.add_business(at, TimeDelta::zero()), Ok(at));
        assert_eq!(c.add_business_days(at, 0, DayMode::SameTime), Ok(at));
    }
}

#[test]
fn horizon_errors() {
    let c = cal("office"); // 2026-2027 in Toronto
    let before = t("2025-12-31T23:59:59-05:00");
    let first = t("2026-01-01T00:00:00-05:00");
    let last = t("2028-01-01T00:00:00-05:00");
    let after = t("2028-01-01T00:00:01-05:00");
    let inside = t("2026-06-01T12:00:00-04:00");
    let hour = TimeDelta::hours(1);

    // The horizon runs from local midnight of its first day to local
    // midnight after its last day, both included.
    assert_eq!(c.is_open(first), Ok(false));
    assert_eq!(c.is_open(last), Ok(false));
    assert_eq!(c.business_time_between(first, last).map(|d| d > hour), Ok(true));

    for t in [before, after] {
        let errors = [
            c.is_open(t).map(|_| ()),
            c.next_open(t).map(|_| ()),
            c.business_time_between(t, inside).map(|_| ()),
            c.business_time_between(inside, t).map(|_| ()),
            c.add_business(t, hour).map(|_| ()),
            c.add_business(t, TimeDelta::zero()).map(|_| ()),
            c.add_business_days(t, 1, DayMode::SameTime).map(|_| ()),
            c.add_business_days(t, 0, DayMode::SameTime).map(|_| ()),
            c.add_business_days(t, 0, DayMode::EndOfDay).map(|_| ()),
        ];
        for (i, e) in errors.into_iter().enumerate() {
            let e = e.expect_err("outside the horizon");
            assert!(e.is_out_of_horizon(), "case {i} at {t}: {e}");
        }
    }
    assert_eq!(
        c.is_open(before).expect_err("before").to_string(),
        "2026-01-01T04:59:59Z is outside the calendar's horizon 2026-2027: is_open (a policy sets its years with `options.horizon = [first, last]`, a calendar with `CalendarSpec::horizon`)"
    );

    // Results past the horizon's end.
    let late = t("2027-12-31T16:00:00-05:00");
    let closed = t("2027-12-31T18:00:00-05:00");
    let results = [
        c.add_business(late, TimeDelta::hours(2)).map(|_| ()),
        c.add_business(inside, TimeDelta::days(10_000)).map(|_| ()),
        c.add_business(inside, TimeDelta::MAX).map(|_| ()),
        c.add_business_days(late, 1, DayMode::SameTime).map(|_| ()),
        c.add_business_days(late, 1, DayMode::EndOfDay).map(|_| ()),
        c.add_business_days(inside, u32::MAX, DayMode::SameTime)
            .map(|_| ()),
        c.add_business_days(closed, 0, DayMode::EndOfDay).map(|_| ()),
        c.add_business_days(closed, 1, DayMode::SameTime).map(|_| ()),
        c.next_open(closed).map(|_| ()),
    ];
    for (i, e) in results.into_iter().enumerate() {
        let e = e.expect_err("past the horizon");
        assert!(e.is_out_of_horizon(), "case {i}: {e}");
    }
    // The last hour of the horizon can still be used up exactly.
    assert_eq!(
        c.add_business(late, hour).map(|u| local(&c, u)),
        Ok("2027-12-31T17:00:00-05:00".to_string())
    );
    assert_eq!(
        c.add_business_days(late, 0, DayMode::EndOfDay)
            .map(|u| local(&c, u)),
        Ok("2027-12-31T17:00:00-05:00".to_string())
    );
}

#[test]
fn build_errors() {
    let toronto = || Calendar::builder(zone("America/Toronto"));
    let err = toronto().horizon(2026, 2026).build().expect_err("no hours");
    assert_eq!(
        err.to_string(),
        "no opening in the horizon 2026-2026: expected weekly hours or exceptions with some open time: the calendar has no open hours there"
    );
    // Hours that are all closed in the horizon are no better.
    let err = toronto()
        .week(with_days(
            WeeklyHours::default(),
            &[Weekday::Mon],
            &["09:00-10:00"],
        ))
        .horizon(2026, 2026)
        .build();
    assert!(err.is_ok());
    let mut spec = toronto()
        .week(with_days(
            WeeklyHours::default(),
            &[Weekday::Wed],
            &["09:00-10:00"],
        ))
        .horizon(2026, 2026);
    let mut d = date("2026-01-07");
    while d.format("%Y").to_string() == "2026" {
        spec = spec.closed(d, "closed");
        d += TimeDelta::days(7);
    }
    let err = spec.build().expect_err("every wednesday closed");
    assert!(
        err.to_string().starts_with("no opening in the horizon 2026-2026"),
        "{err}"
    );
    // An exception alone is enough.
    let one = toronto()
        .exception(date("2026-05-05"), spans(&["09:00-10:00"]))
        .horizon(2026, 2026)
        .build()
        .expect("one open hour");
    assert_eq!(
        one.business_time_between(t("2026-01-01T00:00:00-05:00"), t("2027-01-01T00:00:00-05:00")),
        Ok(TimeDelta::hours(1))
    );

    let week = || weekdays(&["09:00-17:00"]);
    let err = toronto()
        .week(week())
        .horizon(2027, 2026)
        .build()
        .expect_err("inverted");
    assert!(err.is_invalid());
    assert_eq!(
        err.to_string(),
        "calendar: horizon: 2027-2026 is not a horizon: expected first year <= last year, within 1900-2200"
    );
    let err = toronto()
        .week(week())
        .horizon(1800, 1850)
        .build()
        .expect_err("too early");
    assert!(err.is_invalid(), "{err}");
    let err = toronto()
        .week(week())
        .horizon(2026, 2300)
        .build()
        .expect_err("too late");
    assert!(err.is_invalid(), "{err}");
    let err = toronto()
        .week(week())
        .horizon(1950, 2150)
        .build()
        .expect_err("too long");
    assert_eq!(
        err.to_string(),
        "calendar horizon (years) exceeds the limit of 200: 201"
    );
    toronto()
        .week(week())
        .horizon(1900, 2099)
        .build()
        .expect("200 years are allowed");

    let err = toronto()
        .week(week())
        .exception(date("2026-12-24"), spans(&["11:00-13:00", "09:00-12:00"]))
        .build()
        .expect_err("overlap");
    assert_eq!(
        err.to_string(),
        "calendar: exceptions.2026-12-24: spans 09:00-12:00 and 11:00-13:00 overlap: expected disjoint spans in one day"
    );
}

#[test]
fn negative_duration_is_an_error() {
    let c = cal("office");
    let err = c
        .add_business(t("2026-11-24T10:00:00-05:00"), TimeDelta::seconds(-1))
        .expect_err("negative");
    assert!(err.is_invalid());
    assert_eq!(
        err.to_string(),
        "calendar: add_business: duration -1s is negative: expected zero or more"
    );
}

#[test]
fn partial_closure_hours_need_not_be_sorted() {
    // Regression: `closed_day` hours given out of order were subtracted as
    // if sorted, so 10:00-11:00 stayed open when listed after 14:00-15:00.
    let c = Calendar::builder(zone("America/Toronto"))
        .week(weekdays(&["09:00-17:00"]))
        .closed_day(
            date("2026-11-24"),
            ClosedDay {
                name: "Training".to_string(),
                estimated: false,
                hours: spans(&["14:00-15:00", "10:00-11:00"]),
            },
        )
        .horizon(2026, 2026)
        .build()
        .expect("calendar");
    assert_eq!(c.is_open(t("2026-11-24T10:30:00-05:00")), Ok(false));
    assert_eq!(c.is_open(t("2026-11-24T14:30:00-05:00")), Ok(false));
    assert_eq!(
        c.business_time_between(t("2026-11-24T00:00:00-05:00"), t("2026-11-25T00:00:00-05:00")),
        Ok(TimeDelta::hours(6))
    );
}

#[test]
fn calendar_is_send_sync_and_clone() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Calendar>();
    assert_send_sync_clone::<CalendarSpec>();
    assert_send_sync_clone::<sla_deadline::Error>();
    let c = cal("office");
    let copy = c.clone();
    assert_eq!(copy, c);
    let at = t("2026-11-24T10:00:00-05:00");
    let due = std::thread::spawn(move || copy.add_business(at, TimeDelta::hours(1)))
        .join()
        .expect("thread");
    assert_eq!(due, c.add_business(at, TimeDelta::hours(1)));
}

#[test]
fn no_opening_left_in_the_horizon_is_out_of_horizon() {
    // Regression: after the last opening of the horizon, next_open (and
    // add_business_days through it) said the calendar had "no open hours",
    // a NoOpening error, where the answer simply lies past the horizon.
    let c = cal("office");
    let closed = t("2027-12-31T18:00:00-05:00");
    let err = c.next_open(closed).expect_err("past the end");
    assert!(err.is_out_of_horizon(), "{err}");
    assert_eq!(
        err.to_string(),
        "the result of the next opening is outside the calendar's horizon 2026-2027: it needs business time after the horizon's end (a policy sets its years with `options.horizon = [first, last]`, a calendar with `CalendarSpec::horizon`)"
    );
    let err = c
        .add_business_days(closed, 0, DayMode::EndOfDay)
        .expect_err("past the end");
    assert!(err.is_out_of_horizon(), "{err}");
}

#[test]
fn deserialized_weekly_hours_are_checked_at_build() {
    // Regression: a spec read through serde skipped `WeeklyHours::set`'s
    // checks, so unsorted spans silently lost the later ones and
    // overlapping spans were accepted.
    let json = |mon: &str| {
        format!(
            r#"{{"zone":"America/Toronto","week":{{"days":[{mon},[],[],[],[],[],[]]}},"from_year":2026,"to_year":2026}}"#
        )
    };
    let spec: CalendarSpec = serde_json::from_str(&json(r#"["13:00-17:00","09:00-12:00"]"#)).expect("spec");
    let c = spec.build().expect("unsorted is fine");
    assert_eq!(
        c.business_time_between(t("2026-11-23T00:00:00-05:00"), t("2026-11-24T00:00:00-05:00")),
        Ok(TimeDelta::hours(7))
    );
    let spec: CalendarSpec = serde_json::from_str(&json(r#"["09:00-12:00","11:00-17:00"]"#)).expect("spec");
    assert_eq!(
        spec.build().expect_err("overlap").to_string(),
        "calendar: hours.mon: spans 09:00-12:00 and 11:00-17:00 overlap: expected disjoint spans in one day"
    );
}
