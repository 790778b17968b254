//! Calendar query and compile costs (issue 2's targets: every query <= 150 ns
//! median, the 1000-business-day add within 1.5x of the 1 h add, compiling
//! 16 years <= 5 ms).
//!
//! Run: `cargo bench --bench calendar -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use criterion::{Criterion, criterion_main};
use sla_deadline::{Calendar, CalendarSpec, DayMode, WeeklyHours};

/// The `n`-th `day` of a month (1-based).
fn nth(year: i32, month: u32, day: Weekday, n: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, day, n as u8).expect("date")
}

/// A support desk in Toronto, Mon-Fri 09:00-20:00, with ten closed dates a
/// year (Ontario-like holidays), 2020-2035.
fn spec() -> CalendarSpec {
    let hours = ["09:00-20:00".parse().expect("span")];
    let mut spec = Calendar::builder("America/Toronto".parse().expect("zone"))
        .week(WeeklyHours::weekdays(&hours).expect("week"))
        .horizon(2020, 2035);
    for year in 2020..=2035 {
        let date = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("date");
        let victoria = (18..=24)
            .map(|d| date(5, d))
            .find(|d| d.weekday() == Weekday::Mon)
            .expect("a monday");
        for (day, name) in [
            (date(1, 1), "New Year's Day"),
            (nth(year, 2, Weekday::Mon, 3), "Family Day"),
            (nth(year, 4, Weekday::Fri, 1), "Good Friday (approx.)"),
            (victoria, "Victoria Day"),
            (date(7, 1), "Canada Day"),
            (nth(year, 8, Weekday::Mon, 1), "Civic Holiday"),
            (nth(year, 9, Weekday::Mon, 1), "Labour Day"),
            (nth(year, 10, Weekday::Mon, 2), "Thanksgiving"),
            (date(12, 25), "Christmas Day"),
            (date(12, 26), "Boxing Day"),
        ] {
            spec = spec.closed(day, name);
        }
    }
    spec
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

/// `add_business` and `business_time_between` from a Tuesday afternoon, at
/// every span; `day` is a business day's length; `prefix` names the
/// calendar ("" for the one-site calendar).
fn spans(c: &mut Criterion, prefix: &str, cal: &Calendar, day: TimeDelta) {
    let open = t("2026-11-24T14:00:00-05:00"); // a Tuesday afternoon
    let mut g = c.benchmark_group(format!("{prefix}add_business"));
    for (name, d) in [
        ("1h", TimeDelta::hours(1)),
        ("15_business_days", day * 15),
        ("1000_business_days", day * 1000),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| cal.add_business(black_box(open), black_box(d)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}business_time_between"));
    for (name, until) in [
        ("1_day", open + TimeDelta::days(1)),
        ("10_years", t("2034-11-24T14:00:00-05:00")),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| cal.business_time_between(black_box(open), black_box(until)))
        });
    }
    g.finish();
}

fn queries(c: &mut Criterion) {
    let cal = spec().build().expect("calendar");
    let open = t("2026-11-24T14:00:00-05:00"); // a Tuesday afternoon
    let closed = t("2026-11-28T12:00:00-05:00"); // a Saturday
    spans(c, "", &cal, TimeDelta::hours(11));

    c.bench_function("add_business_days/15", |b| {
        b.iter(|| cal.add_business_days(black_box(open), black_box(15), DayMode::SameTime))
    });
    c.bench_function("add_business_days/15_end_of_day", |b| {
        b.iter(|| cal.add_business_days(black_box(open), black_box(15), DayMode::EndOfDay))
    });

    c.bench_function("next_open", |b| b.iter(|| cal.next_open(black_box(closed))));
    c.bench_function("is_open", |b| b.iter(|| cal.is_open(black_box(open))));
}

/// A three-site follow-the-sun union (Toronto, London, Singapore, each
/// 08:00-17:00 local with its own DST): the same queries at the same spans.
fn union_queries(c: &mut Criterion) {
    let site = |zone: &str| {
        Calendar::builder(zone.parse().expect("zone"))
            .week(WeeklyHours::weekdays(&["08:00-17:00".parse().expect("span")]).expect("hours"))
            .horizon(2020, 2035)
            .build()
            .expect("calendar")
    };
    let sites = [
        site("America/Toronto"),
        site("Europe/London"),
        site("Asia/Singapore"),
    ];
    let cal = Calendar::union("UTC".parse().expect("UTC"), &sites).expect("union");
    spans(c, "union3/", &cal, TimeDelta::hours(21));
    c.bench_function("union3/compile_16_years", |b| {
        b.iter(|| Calendar::union(black_box("UTC".parse().expect("UTC")), black_box(&sites)))
    });
}

fn compile(c: &mut Criterion) {
    let spec = spec();
    c.bench_function("compile/16_years", |b| b.iter(|| black_box(spec.clone()).build()));
}

/// The group lives in a private module: `criterion_group!` makes an
/// undocumented `pub fn`, which `missing_docs` rejects at the crate root.
mod group {
    use super::{compile, queries, union_queries};
    criterion::criterion_group!(benches, queries, union_queries, compile);
}
criterion_main!(group::benches);
