//! Property tests of the calendar: agreement with a naive reference, and
//! the algebra of contract §2.5 (B is a running total, add is its inverse).
//!
//! The reference uses chrono and chrono-tz directly. It turns each local
//! span into UTC with contract §2.4 rules (a gap is resolved by stepping the
//! local clock second by second until it exists again, a fold takes the
//! earlier instant), subtracts partial closures minute by minute, and then
//! answers every question by stepping through UTC a minute at a time (all
//! boundaries fall on whole minutes: spans are generated on minutes and the
//! zones' offsets and transitions are whole minutes). It never uses the
//! crate's index, so a bug in the running totals, the bucket lookup, the
//! position search or the trimming at DST shows up as a disagreement.
//!
//! Cost: each case compiles a one- or two-year calendar and checks several
//! queries on it; the reference's walks are bounded (durations up to 12 h,
//! ranges up to 10 days, queries often near a DST change), so proptest's
//! default 256 cases take about 3 s for `agrees_with_the_reference` and
//! under a second for the others in a debug build on two cores.

use chrono::{DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeDelta};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use sla_deadline::{Calendar, ClosedDay, DayMode, LocalSpan, WeeklyHours};

const ZONES: &[&str] = &[
    "America/Toronto",
    "Europe/London",
    "Australia/Melbourne",
    "America/St_Johns",
    "Asia/Kolkata",
    "UTC",
    "UTC+01:00",
    "UTC-05:00",
];

/// A small random calendar, as plain data. Spans are minutes after local
/// midnight, `[start, end)`.
#[derive(Debug, Clone)]
struct Model {
    zone: &'static str,
    week: Vec<Vec<(u32, u32)>>,
    /// Day offset from the horizon's first date; `Some` closes those hours.
    closed: Vec<(u32, Option<(u32, u32)>)>,
    /// Day offset and the date's hours (empty: closed).
    exceptions: Vec<(u32, Vec<(u32, u32)>)>,
    from_year: i32,
    to_year: i32,
}

impl Model {
    fn first_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.from_year, 1, 1).expect("date")
    }

    fn end_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.to_year + 1, 1, 1).expect("date")
    }

    fn date(&self, offset: u32) -> NaiveDate {
        (self.first_date() + TimeDelta::days(i64::from(offset)))
            .min(self.end_date().pred_opt().expect("date"))
    }

    fn build(&self) -> Calendar {
        let span = |&(a, b): &(u32, u32)| LocalSpan::from_seconds(a * 60, b * 60).expect("span");
        let mut week = WeeklyHours::default();
        for (day, spans) in crate::WEEK.iter().zip(&self.week) {
            week.set(*day, spans.iter().map(span).collect()).expect("week");
        }
        let mut spec = Calendar::builder(self.zone.parse().expect("zone"))
            .week(week)
            .horizon(self.from_year, self.to_year);
        for (offset, hours) in &self.closed {
            spec = spec.closed_day(
                self.date(*offset),
                ClosedDay {
                    name: "closed".to_string(),
                    estimated: false,
                    hours: hours.iter().map(span).collect(),
                },
            );
        }
        for (offset, spans) in &self.exceptions {
            spec = spec.exception(self.date(*offset), spans.iter().map(span).collect());
        }
        spec.build().expect("random calendar")
    }
}

/// Local span boundaries, in minutes: anywhere, or near the DST
/// transitions of the zones above (01:00-03:00) and midnight.
fn boundary() -> impl Strategy<Value = u32> {
    prop_oneof![
        0u32..=1440,
        prop::sample::select(vec![0u32, 30, 60, 90, 120, 130, 150, 170, 180, 210, 1440]),
    ]
}

fn day_spans() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec(boundary(), 0..=6).prop_map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v.chunks_exact(2).map(|c| (c[0], c[1])).collect()
    })
}

fn model() -> impl Strategy<Value = Model> {
    let closed_hours = prop_oneof![
        Just(None),
        (0u32..1440, 1u32..=600).prop_map(|(a, len)| Some((a, (a + len).min(1440)))),
    ];
    (
        prop::sample::select(ZONES),
        prop::collection::vec(day_spans(), 7),
        prop::collection::vec((0u32..730, closed_hours), 0..10),
        prop::collection::vec((0u32..730, day_spans()), 0..4),
        2024i32..=2027,
        0i32..=1,
    )
        .prop_map(|(zone, week, closed, exceptions, from_year, extra)| Model {
            zone,
            week,
            closed,
            exceptions,
            from_year,
            to_year: from_year + extra,
        })
        .prop_filter("some open hours", |m| m.week.iter().any(|d| !d.is_empty()))
}

/// A zone for the reference, straight from chrono / chrono-tz.
#[derive(Debug, Clone, Copy)]
enum RefZone {
    Iana(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl RefZone {
    fn new(name: &str) -> RefZone {
        match name {
            "UTC" => RefZone::Fixed(FixedOffset::east_opt(0).expect("offset")),
            "UTC+01:00" => RefZone::Fixed(FixedOffset::east_opt(3600).expect("offset")),
            "UTC-05:00" => RefZone::Fixed(FixedOffset::west_opt(5 * 3600).expect("offset")),
            _ => RefZone::Iana(name.parse().expect("tz")),
        }
    }

    fn resolve<Z: TimeZone>(zone: &Z, local: NaiveDateTime) -> Option<i64> {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.timestamp()),
            LocalResult::Ambiguous(a, b) => Some(a.timestamp().min(b.timestamp())),
            LocalResult::None => None,
        }
    }

    /// contract §2.4: a gap goes to the transition instant (the first local time
    /// after the gap that exists), a fold to the earlier instant.
    fn instant(&self, local: NaiveDateTime) -> i64 {
        let mut local = local;
        loop {
            let got = match self {
                RefZone::Iana(tz) => Self::resolve(tz, local),
                RefZone::Fixed(o) => Self::resolve(o, local),
            };
            if let Some(t) = got {
                return t;
            }
            local += TimeDelta::seconds(1);
        }
    }
}

/// The naive reference: per local date, its open intervals in UTC.
struct Reference {
    lo: i64,
    hi: i64,
    /// Per date of the horizon, its open intervals (non-empty), in order.
    days: Vec<Vec<(i64, i64)>>,
    /// All open time, merged, for the minute-by-minute membership test.
    union: Vec<(i64, i64)>,
    /// Local midnights that start a day with a DST change, where queries
    /// are most interesting.
    dst_days: Vec<i64>,
}

impl Reference {
    fn new(m: &Model) -> Reference {
        let zone = RefZone::new(m.zone);
        let at = |date: NaiveDate, minute: u32| {
            let midnight = date.and_hms_opt(0, 0, 0).expect("midnight");
            zone.instant(midnight + TimeDelta::minutes(i64::from(minute)))
        };
        let lo = at(m.first_date(), 0);
        let hi = at(m.end_date(), 0);
        let mut days = Vec::new();
        let mut all = Vec::new();
        let mut dst_days = Vec::new();
        let mut date = m.first_date();
        while date < m.end_date() {
            let (start, end) = (at(date, 0), at(date + TimeDelta::days(1), 0));
            if end - start != 86_400 {
                dst_days.push(start);
            }
            let spans = local_spans(m, date);
            let ivals: Vec<(i64, i64)> = spans
                .iter()
                .map(|&(a, b)| (at(date, a), at(date, b)))
                .filter(|(a, b)| a < b)
                .collect();
            all.extend(ivals.iter().copied());
            days.push(ivals);
            date += TimeDelta::days(1);
        }
        all.sort_unstable();
        let mut union: Vec<(i64, i64)> = Vec::new();
        for (a, b) in all {
            match union.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => union.push((a, b)),
            }
        }
        Reference {
            lo,
            hi,
            days,
            union,
            dst_days,
        }
    }

    fn open(&self, x: i64) -> bool {
        let i = self.union.partition_point(|iv| iv.1 <= x);
        self.union.get(i).is_some_and(|iv| iv.0 <= x)
    }

    /// The next whole minute after `x`.
    fn next_minute(x: i64) -> i64 {
        x.div_euclid(60) * 60 + 60
    }

    /// Open seconds in `[a, b)`, stepping a minute at a time.
    fn open_seconds(&self, a: i64, b: i64) -> i64 {
        let mut x = a;
        let mut total = 0;
        while x < b {
            let next = Self::next_minute(x).min(b);
            if self.open(x) {
                total += next - x;
            }
            x = next;
        }
        total
    }

    fn between(&self, a: i64, b: i64) -> i64 {
        if a <= b {
            self.open_seconds(a, b)
        } else {
            -self.open_seconds(b, a)
        }
    }

    fn next_open(&self, t: i64) -> Option<i64> {
        let mut x = t;
        while x < self.hi {
            if self.open(x) {
                return Some(x);
            }
            x = Self::next_minute(x);
        }
        None
    }

    /// The earliest `u >= t` with `d` open seconds in `[t, u)`.
    fn add(&self, t: i64, d: i64) -> Option<i64> {
        let (mut x, mut rest) = (t, d);
        if rest == 0 {
            return Some(t);
        }
        while x < self.hi {
            let next = Self::next_minute(x).min(self.hi);
            if self.open(x) {
                if rest <= next - x {
                    return Some(x + rest);
                }
                rest -= next - x;
            }
            x = next;
        }
        None
    }

    /// contract §2.5 business-days add, from its definition.
    fn add_days(&self, t: i64, n: usize, mode: DayMode) -> Option<i64> {
        if n == 0 && mode == DayMode::SameTime {
            return Some(t);
        }
        let s = self.next_open(t)?;
        let d0 = self
            .days
            .iter()
            .position(|ivals| ivals.iter().any(|&(a, b)| a <= s && s < b))
            .expect("an opening belongs to a date");
        let dn = match n {
            0 => &self.days[d0],
            _ => self.days[d0 + 1..]
                .iter()
                .filter(|ivals| !ivals.is_empty())
                .nth(n - 1)?,
        };
        let (first, last) = (dn.first()?.0, dn.last()?.1);
        match mode {
            DayMode::EndOfDay => Some(last),
            DayMode::SameTime => {
                let off = self.open_seconds(self.days[d0][0].0, s);
                let len = self.open_seconds(first, last);
                let x = off.min(len);
                if x > 0 {
                    return self.add(first, x);
                }
                // The earliest instant with B = B(first): back over closed
                // time to the previous close.
                let mut u = first;
                while u > self.lo && !self.open(u - 1) {
                    u = (u - 1).div_euclid(60) * 60;
                }
                Some(u)
            }
        }
    }
}

/// The local spans (minutes) of `date`, partial closures subtracted minute
/// by minute.
fn local_spans(m: &Model, date: NaiveDate) -> Vec<(u32, u32)> {
    if let Some((_, spans)) = m.exceptions.iter().rev().find(|(o, _)| m.date(*o) == date) {
        return spans.clone();
    }
    let week = &m.week[date.weekday().num_days_from_monday() as usize];
    let Some((_, closed)) = m.closed.iter().rev().find(|(o, _)| m.date(*o) == date) else {
        return week.clone();
    };
    let Some((ca, cb)) = *closed else {
        return Vec::new();
    };
    let mut minutes = [false; 1440];
    for &(a, b) in week {
        for x in a..b {
            minutes[x as usize] = !(ca..cb).contains(&x);
        }
    }
    let mut out = Vec::new();
    let mut x = 0;
    while x < 1440 {
        if minutes[x as usize] {
            let start = x;
            while x < 1440 && minutes[x as usize] {
                x += 1;
            }
            out.push((start, x));
        } else {
            x += 1;
        }
    }
    out
}

fn utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("in range")
}

/// An instant of the horizon: `frac` millionths into it, or (`near`)
/// within a day and a half of a DST change; often rounded to a half hour to
/// hit span boundaries.
fn instant_in(r: &Reference, (frac, round, near): (u32, bool, bool)) -> i64 {
    let t = match (near, r.dst_days.len()) {
        (true, len) if len > 0 => {
            let day = r.dst_days[frac as usize % len];
            day - 36 * 3600 + i64::from(frac) % (96 * 3600)
        }
        _ => r.lo + ((r.hi - r.lo) as i128 * i128::from(frac) / 1_000_000) as i64,
    };
    let t = if round { t - t.rem_euclid(1800) } else { t };
    t.clamp(r.lo, r.hi)
}

fn query() -> impl Strategy<Value = (u32, bool, bool)> {
    (0u32..=1_000_000, any::<bool>(), any::<bool>())
}

/// A business duration in seconds: up to 12 h, often whole quarter hours.
fn duration() -> impl Strategy<Value = i64> {
    prop_oneof![0i64..=12 * 3600, (0i64..=48).prop_map(|q| q * 900)]
}

#[track_caller]
fn same(got: sla_deadline::Result<DateTime<Utc>>, want: Option<i64>, what: &str) {
    match (got, want) {
        (Ok(u), Some(w)) => assert_eq!(u, utc(w), "{what}"),
        (Err(e), None) => assert!(e.is_out_of_horizon(), "{what}: {e}"),
        (got, want) => panic!("{what}: got {got:?}, reference {:?}", want.map(utc)),
    }
}

proptest! {

    #[test]
    fn agrees_with_the_reference(
        m in model(),
        queries in prop::collection::vec((query(), duration(), 0i64..=10 * 86_400), 8),
    ) {
        let c = m.build();
        let r = Reference::new(&m);
        for (q, d, span) in queries {
            let t = instant_in(&r, q);
            let u = (t + span).min(r.hi);
            let what = format!("{} t={} d={d} u={}", m.zone, utc(t), utc(u));
            assert_eq!(c.is_open(utc(t)), Ok(r.open(t)), "is_open {what}");
            same(c.next_open(utc(t)), r.next_open(t), &format!("next_open {what}"));
            assert_eq!(
                c.business_time_between(utc(t), utc(u)),
                Ok(TimeDelta::seconds(r.between(t, u))),
                "between {what}"
            );
            assert_eq!(
                c.business_time_between(utc(u), utc(t)),
                Ok(TimeDelta::seconds(r.between(u, t))),
                "between, reversed {what}"
            );
            same(c.add_business(utc(t), TimeDelta::seconds(d)), r.add(t, d), &format!("add {what}"));
        }
    }

    #[test]
    fn business_days_agree_with_the_reference(
        m in model(),
        queries in prop::collection::vec((query(), 0usize..=6), 6),
    ) {
        let c = m.build();
        let r = Reference::new(&m);
        for (q, n) in queries {
            let t = instant_in(&r, q);
            for mode in [DayMode::SameTime, DayMode::EndOfDay] {
                let what = format!("{} t={} n={n} {mode:?}", m.zone, utc(t));
                same(
                    c.add_business_days(utc(t), n as u32, mode),
                    r.add_days(t, n, mode),
                    &what,
                );
            }
        }
    }
}

proptest! {

    #[test]
    fn add_and_between_are_inverse_monotone_and_additive(
        m in model(),
        queries in prop::collection::vec((query(), query(), any::<u32>(), any::<u32>()), 8),
    ) {
        let c = m.build();
        let r = Reference::new(&m);
        let total: i64 = r.union.iter().map(|(a, b)| b - a).sum();
        for (q1, q2, a, b) in queries {
            let (t1, t2) = (instant_in(&r, q1), instant_in(&r, q2));
            let (t1, t2) = (t1.min(t2), t1.max(t2));
            let a = TimeDelta::seconds(i64::from(a) % (total / 2 + 1));
            let b = TimeDelta::seconds(i64::from(b) % (total / 2 + 1));
            let what = format!("{} t1={} t2={} a={a} b={b}", m.zone, utc(t1), utc(t2));
            // between(t, add(t, d)) == d
            if let Ok(u) = c.add_business(utc(t1), a) {
                prop_assert!(u >= utc(t1), "{what}");
                prop_assert_eq!(c.business_time_between(utc(t1), u), Ok(a), "{}", what);
            }
            // Monotone in t and in d.
            if let (Ok(u1), Ok(u2)) = (c.add_business(utc(t1), a), c.add_business(utc(t2), a)) {
                prop_assert!(u1 <= u2, "{what}");
            }
            let (small, large) = (a.min(b), a.max(b));
            if let Ok(u2) = c.add_business(utc(t1), large) {
                let u1 = c.add_business(utc(t1), small);
                prop_assert!(u1.is_ok_and(|u1| u1 <= u2), "{what}");
            }
            // Additivity, errors included.
            let two_steps = c.add_business(utc(t1), a).and_then(|u| c.add_business(u, b));
            let one_step = c.add_business(utc(t1), a + b);
            match (&two_steps, &one_step) {
                (Ok(x), Ok(y)) => prop_assert_eq!(x, y, "{}", what),
                (Err(x), Err(y)) => prop_assert!(x.is_out_of_horizon() && y.is_out_of_horizon()),
                _ => prop_assert!(false, "{what}: {two_steps:?} vs {one_step:?}"),
            }
            // B is a running total: between(a, b) + between(b, c) == between(a, c).
            let mid = utc(t1 + (t2 - t1) / 3);
            let ab = c.business_time_between(utc(t1), mid).expect("in horizon");
            let bc = c.business_time_between(mid, utc(t2)).expect("in horizon");
            let ac = c.business_time_between(utc(t1), utc(t2)).expect("in horizon");
            prop_assert_eq!(ab + bc, ac, "{}", what);
            let ca = c.business_time_between(utc(t2), utc(t1)).expect("in horizon");
            prop_assert_eq!(ca, -ac, "{}", what);
        }
    }

    #[test]
    fn business_day_results_are_open_or_closing_and_monotone(
        m in model(),
        queries in prop::collection::vec(query(), 4),
    ) {
        let c = m.build();
        let r = Reference::new(&m);
        for q in queries {
            let t = utc(instant_in(&r, q));
            for mode in [DayMode::SameTime, DayMode::EndOfDay] {
                let mut previous = None;
                for n in 0..=25u32 {
                    let what = format!("{} t={t} n={n} {mode:?}", m.zone);
                    let Ok(u) = c.add_business_days(t, n, mode) else {
                        // Past the horizon, and so is every larger n.
                        let e = c.add_business_days(t, n + 7, mode).expect_err(&what);
                        prop_assert!(e.is_out_of_horizon(), "{what}: {e}");
                        break;
                    };
                    if n > 0 || mode == DayMode::EndOfDay {
                        let open = c.is_open(u).expect("in horizon");
                        let closing = c.is_open(u - TimeDelta::seconds(1)).expect("in horizon");
                        prop_assert!(open || closing, "{what}: {u} is neither open nor a close");
                        prop_assert!(u >= t, "{what}");
                    }
                    if mode == DayMode::EndOfDay {
                        prop_assert!(c.is_open(u - TimeDelta::seconds(1)) == Ok(true), "{what}");
                    }
                    if let Some(p) = previous {
                        prop_assert!(p <= u, "{what}: not monotone");
                    }
                    previous = Some(u);
                }
            }
        }
    }
}
