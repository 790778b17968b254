//! Overnight shifts: `22:00-06:00` on a day runs from 22:00 that day to
//! 06:00 the next, belongs to the day it starts on, and counts real time
//! across daylight-saving nights.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use proptest::prelude::*;
use sla_deadline::{Calendar, LocalSpan, WeeklyHours, Zone};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn night_shift(zone: &str, every_day: bool, closed: &[NaiveDate]) -> Calendar {
    let span: LocalSpan = "22:00-06:00".parse().expect("span");
    let mut week = WeeklyHours::default();
    let days = if every_day {
        &crate::WEEK[..]
    } else {
        &crate::WEEK[..5]
    };
    for day in days {
        week.set(*day, vec![span]).expect("hours");
    }
    let mut spec = Calendar::builder(zone.parse().expect("zone"))
        .week(week)
        .horizon(2026, 2027);
    for d in closed {
        spec = spec.closed(*d, "closed");
    }
    spec.build().expect("calendar")
}

#[test]
fn a_shift_runs_into_the_next_day() {
    let noc = night_shift("Europe/London", false, &[]);
    // Tuesday 2026-11-24 23:00 + 2 h = Wednesday 01:00.
    assert_eq!(
        noc.add_business(at("2026-11-24T23:00:00Z"), TimeDelta::hours(2))
            .expect("due"),
        at("2026-11-25T01:00:00Z")
    );
    // Friday's shift runs into Saturday; Sunday has none, so Monday 03:00
    // is closed.
    assert!(noc.is_open(at("2026-11-28T03:00:00Z")).expect("in range"));
    assert!(!noc.is_open(at("2026-11-30T03:00:00Z")).expect("in range"));
    // 7 h left on Friday night from 23:00, then Monday's shift: 1 h more
    // is due Monday 23:00.
    assert_eq!(
        noc.add_business(at("2026-11-27T23:00:00Z"), TimeDelta::hours(8))
            .expect("due"),
        at("2026-11-30T23:00:00Z")
    );
}

#[test]
fn daylight_saving_nights_count_real_time() {
    let noc = night_shift("Europe/London", true, &[]);
    let night = |d: &str| {
        let start = at(&format!("{d}T12:00:00Z"));
        noc.business_time_between(start, start + TimeDelta::days(1))
            .expect("in range")
    };
    assert_eq!(night("2026-03-27"), TimeDelta::hours(8));
    // Saturday 28 March 22:00 GMT to Sunday 06:00 BST: clocks go forward.
    assert_eq!(night("2026-03-28"), TimeDelta::hours(7));
    // Saturday 24 October 22:00 BST to Sunday 06:00 GMT: clocks go back.
    assert_eq!(night("2026-10-24"), TimeDelta::hours(9));
    // Toronto's spring-forward night (8 March 2026), from the other side.
    let toronto = night_shift("America/Toronto", true, &[]);
    let start = at("2026-03-07T12:00:00Z");
    assert_eq!(
        toronto
            .business_time_between(start, start + TimeDelta::days(1))
            .expect("in range"),
        TimeDelta::hours(7)
    );
}

#[test]
fn a_holiday_closes_the_shifts_that_start_on_it() {
    let noc = night_shift("Europe/London", true, &[date(2026, 12, 25)]);
    // Christmas Eve's shift runs into Christmas morning.
    assert!(noc.is_open(at("2026-12-25T03:00:00Z")).expect("in range"));
    // Christmas night's shift does not start.
    assert!(!noc.is_open(at("2026-12-25T23:00:00Z")).expect("in range"));
    assert!(!noc.is_open(at("2026-12-26T03:00:00Z")).expect("in range"));
    assert_eq!(
        noc.next_open(at("2026-12-25T06:00:00Z")).expect("opens"),
        at("2026-12-26T22:00:00Z")
    );
}

#[test]
fn policies_take_overnight_hours_and_refuse_overnight_closed_hours() {
    let text = std::fs::read_to_string("policies/examples/saas-desk.toml").expect("example");
    let with_noc = text.replacen(
        "hours = { mon-fri = [\"08:00-18:00\"] }",
        "hours = { mon-fri = [\"08:00-18:00\", \"22:00-02:00\"] }",
        1,
    );
    assert_ne!(with_noc, text, "the example's hours");
    let policy = sla_deadline::Policy::from_toml_str(&with_noc, "policies/examples/noc.toml").expect("loads");
    let calendar = policy.region("emea").expect("emea").calendar();
    assert!(calendar.is_open(at("2026-11-25T01:00:00Z")).expect("in range"));
    assert!(!calendar.is_open(at("2026-11-25T03:00:00Z")).expect("in range"));
    // An overnight span overlapping the same day's hours is still refused.
    let overlap = text.replacen(
        "hours = { mon-fri = [\"08:00-18:00\"] }",
        "hours = { mon-fri = [\"08:00-18:00\", \"17:00-02:00\"] }",
        1,
    );
    let err = sla_deadline::Policy::from_toml_str(&overlap, "noc.toml")
        .expect_err("overlap")
        .to_string();
    assert!(err.contains("overlap") && err.contains("17:00-02:00"), "{err}");
}

/// Open at `t` by the definition: some shift starting on the local date of
/// `t` or the day before (and not closed) contains `t`.
fn open_by_definition(zone: Zone, t: DateTime<Utc>, weekdays_only: bool, closed: &[NaiveDate]) -> bool {
    let local = zone.to_local(t).date_naive();
    [local.pred_opt().expect("date"), local].iter().any(|d| {
        let works = !weekdays_only || d.weekday().num_days_from_monday() < 5;
        let from = zone
            .to_utc(d.and_hms_opt(22, 0, 0).expect("time"))
            .expect("instant");
        let next = d.succ_opt().expect("date");
        let to = zone
            .to_utc(next.and_hms_opt(6, 0, 0).expect("time"))
            .expect("instant");
        works && !closed.contains(d) && from <= t && t < to
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn business_time_is_the_time_inside_some_shift(
        start_min in 0i64..(700 * 24 * 60),
        len_min in 0i64..(2 * 24 * 60),
        zone in prop::sample::select(vec!["Europe/London", "America/Toronto", "Asia/Kolkata", "Australia/Melbourne"]),
    ) {
        let closed = [date(2026, 12, 25), date(2027, 3, 26)];
        let noc = night_shift(zone, false, &closed);
        let z: Zone = zone.parse().expect("zone");
        let a = at("2026-01-02T00:00:00Z") + TimeDelta::minutes(start_min);
        let brute = (0..len_min)
            .filter(|m| open_by_definition(z, a + TimeDelta::minutes(*m), true, &closed))
            .count() as i64;
        let b = a + TimeDelta::minutes(len_min);
        prop_assert_eq!(noc.business_time_between(a, b).expect("in range"), TimeDelta::minutes(brute));
    }
}
