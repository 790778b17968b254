//! Follow-the-sun calendars: a union is open whenever a member is, with
//! each member's own daylight saving and holidays.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use proptest::prelude::*;
use sla_deadline::{Calendar, DayMode, WeeklyHours, Zone};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

fn site(zone: &str, hours: &str) -> Calendar {
    Calendar::builder(zone.parse().expect("zone"))
        .week(WeeklyHours::weekdays(&[hours.parse().expect("span")]).expect("hours"))
        .horizon(2026, 2027)
        .build()
        .expect("calendar")
}

fn sites() -> Vec<Calendar> {
    vec![
        site("America/Toronto", "09:00-17:00"),
        site("Europe/London", "09:00-17:00"),
        site("Asia/Singapore", "09:00-17:00"),
        site("Asia/Kolkata", "10:00-18:30"), // a half-hour offset
    ]
}

fn utc() -> Zone {
    "UTC".parse().expect("UTC")
}

fn day(union: &Calendar, date: &str) -> TimeDelta {
    let start = at(&format!("{date}T00:00:00Z"));
    union
        .business_time_between(start, start + TimeDelta::days(1))
        .expect("in the horizon")
}

#[test]
fn each_site_keeps_its_own_daylight_saving() {
    let union = Calendar::union(
        utc(),
        &[
            site("America/Toronto", "09:00-17:00"),
            site("Europe/London", "09:00-17:00"),
        ],
    )
    .expect("union");
    // London 09-17 UTC; Toronto 13-21 UTC (summer time since 8 March).
    assert_eq!(day(&union, "2026-03-16"), TimeDelta::hours(12));
    // Both on summer time: London 08-16 UTC, Toronto 13-21 UTC.
    assert_eq!(day(&union, "2026-03-30"), TimeDelta::hours(13));
    // London back on GMT (25 October), Toronto not yet (1 November).
    assert_eq!(day(&union, "2026-10-26"), TimeDelta::hours(12));
    // Both on winter time: London 09-17 UTC, Toronto 14-22 UTC.
    assert_eq!(day(&union, "2026-11-02"), TimeDelta::hours(13));
    // The gap between the sites is closed; both ends are each site's.
    assert!(!union.is_open(at("2026-11-02T22:00:00Z")).expect("in range"));
    assert_eq!(
        union.next_open(at("2026-11-02T22:00:00Z")).expect("opens"),
        at("2026-11-03T09:00:00Z")
    );
}

#[test]
fn a_holiday_at_one_site_leaves_the_others_open() {
    let london_closed = Calendar::builder("Europe/London".parse().expect("zone"))
        .week(WeeklyHours::weekdays(&["09:00-17:00".parse().expect("span")]).expect("hours"))
        .closed(
            NaiveDate::from_ymd_opt(2026, 12, 28).expect("date"),
            "Boxing Day (substitute)",
        )
        .horizon(2026, 2027)
        .build()
        .expect("calendar");
    let union =
        Calendar::union(utc(), &[site("America/Toronto", "09:00-17:00"), london_closed]).expect("union");
    // Only Toronto: 14-22 UTC.
    assert_eq!(day(&union, "2026-12-28"), TimeDelta::hours(8));
    assert_eq!(day(&union, "2026-12-29"), TimeDelta::hours(13));
}

#[test]
fn a_union_of_one_is_that_calendar() {
    let toronto = site("America/Toronto", "09:00-17:00");
    let alone = Calendar::union(toronto.zone(), std::slice::from_ref(&toronto)).expect("union");
    let t = at("2026-11-20T21:30:00Z");
    for d in [1, 3600, 8 * 3600, 40 * 3600, 400 * 3600] {
        let d = TimeDelta::seconds(d);
        assert_eq!(
            alone.add_business(t, d).ok(),
            toronto.add_business(t, d).ok(),
            "{d}"
        );
    }
    for n in [0, 1, 2, 15] {
        for mode in [DayMode::SameTime, DayMode::EndOfDay] {
            assert_eq!(
                alone.add_business_days(t, n, mode).ok(),
                toronto.add_business_days(t, n, mode).ok(),
                "{n} {mode:?}"
            );
        }
    }
}

#[test]
fn unions_refuse_what_they_cannot_cover() {
    assert!(Calendar::union(utc(), &[]).is_err());
    let other_years = Calendar::builder(utc())
        .week(WeeklyHours::weekdays(&["09:00-17:00".parse().expect("span")]).expect("hours"))
        .horizon(2026, 2030)
        .build()
        .expect("calendar");
    let err = Calendar::union(utc(), &[site("Europe/London", "09:00-17:00"), other_years])
        .expect_err("different horizons")
        .to_string();
    assert!(err.contains("2026-2027") && err.contains("2026-2030"), "{err}");
    // Past the instants every member covers.
    let union = Calendar::union(utc(), &sites()).expect("union");
    assert!(union.is_open(at("2028-01-01T12:00:00Z")).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Business time of the union is the time some member is open, counted
    /// minute by minute (every site opens and closes on whole minutes).
    #[test]
    fn business_time_is_the_time_some_site_is_open(
        start_min in 0i64..(700 * 24 * 60),
        len_min in 0i64..(3 * 24 * 60),
    ) {
        let members = sites();
        let union = Calendar::union(utc(), &members).expect("union");
        let a = at("2026-01-02T00:00:00Z") + TimeDelta::minutes(start_min);
        let b = a + TimeDelta::minutes(len_min);
        let brute = (0..len_min)
            .filter(|m| {
                let t = a + TimeDelta::minutes(*m);
                members.iter().any(|c| c.is_open(t).expect("in range"))
            })
            .count() as i64;
        prop_assert_eq!(union.business_time_between(a, b).expect("in range"), TimeDelta::minutes(brute));
        // add_business is its inverse: the earliest instant with that much.
        let d = TimeDelta::minutes(brute);
        let due = union.add_business(a, d).expect("in range");
        prop_assert_eq!(union.business_time_between(a, due).expect("in range"), d);
        if brute > 0 {
            prop_assert!(union.business_time_between(a, due - TimeDelta::seconds(1)).expect("in range") < d);
        }
    }
}

const FOLLOW_THE_SUN: &str = "policies/examples/follow-the-sun.toml";

#[test]
fn a_union_region_is_the_union_of_its_member_regions() {
    let policy = sla_deadline::Policy::from_path(FOLLOW_THE_SUN).expect("example policy");
    let member = |id: &str| policy.region(id).expect("region").calendar().clone();
    let global = policy.region("global").expect("global");
    let expected =
        Calendar::union(utc(), &[member("singapore"), member("london"), member("toronto")]).expect("union");
    assert_eq!(global.calendar(), &expected);
    // Friday 2026-11-20, 16:30 in Toronto (21:30 UTC): a P1 answered within
    // 30 business minutes. Toronto closes at 22:00 UTC, so the global clock
    // is due at 22:00 UTC; Toronto's own region, the same; London's own
    // region waits for Monday 08:00 London.
    let created = sla_deadline::Event::new(
        at("2026-11-20T21:30:00Z"),
        sla_deadline::EventKind::created("P1", "email"),
    );
    let due = |region: &str| {
        let report =
            sla_deadline::evaluate(&policy, region, std::slice::from_ref(&created), None).expect("report");
        report
            .metric("first_response")
            .and_then(|m| m.due_at)
            .expect("due")
    };
    assert_eq!(due("global"), at("2026-11-20T22:00:00Z"));
    assert_eq!(due("london"), at("2026-11-23T08:30:00Z"));
    // At 22:15 UTC no site is open until Singapore's Monday 08:00 (00:00 UTC).
    let late = sla_deadline::Event::new(at("2026-11-20T22:15:00Z"), created.kind.clone());
    let report = sla_deadline::evaluate(&policy, "global", &[late], None).expect("report");
    let first = report
        .metric("first_response")
        .and_then(|m| m.due_at)
        .expect("due");
    assert_eq!(first, at("2026-11-23T00:30:00Z"));
}

#[test]
fn union_regions_are_checked_like_any_region() {
    let text = std::fs::read_to_string(FOLLOW_THE_SUN).expect("example policy");
    let err = |from: &str, to: &str| {
        let bad = text.replacen(from, to, 1);
        assert_ne!(bad, text, "{from}");
        sla_deadline::Policy::from_toml_str(&bad, "fts.toml")
            .expect_err(to)
            .to_string()
    };
    let e = err("union = [\"singapore\",", "union = [\"singapour\",");
    assert!(
        e.contains("regions.global.union") && e.contains("singapour") && e.contains("toronto"),
        "{e}"
    );
    let e = err("union = [\"singapore\", \"london\", \"toronto\"]", "union = []");
    assert!(e.contains("regions.global.union") && e.contains("empty"), "{e}");
    let e = err(
        "union = [\"singapore\", \"london\", \"toronto\"]",
        "union = [\"london\", \"london\"]",
    );
    assert!(e.contains("listed twice"), "{e}");
    let e = err(
        "union = [\"singapore\", \"london\", \"toronto\"]",
        "union = [\"global\"]",
    );
    assert!(e.contains("is itself a union"), "{e}");
    let e = err(
        "zone = \"UTC\"                           #",
        "hours = { mon = [\"09:00-10:00\"] }\n#",
    );
    assert!(
        e.contains("regions.global.hours") && e.contains("beside `union`"),
        "{e}"
    );
    let e = err("zone = \"UTC\"                           #", "zone = \"EST\"\n#");
    assert!(
        e.contains("regions.global.zone") && e.contains("America/New_York"),
        "{e}"
    );
    // Without a zone, the first member's.
    let text = text.replacen("zone = \"UTC\"                           #", "#", 1);
    let policy = sla_deadline::Policy::from_toml_str(&text, "policies/examples/fts.toml").expect("loads");
    assert_eq!(
        policy
            .region("global")
            .expect("global")
            .calendar()
            .zone()
            .to_string(),
        "Asia/Singapore"
    );
}

#[test]
fn many_unions_of_many_regions_stay_within_the_interval_budget() {
    // 40 round-the-clock regions and 40 unions of all of them: the merges
    // would read 40 x 40 calendars; the budget refuses it, quickly.
    let mut text = String::from(
        "[policy]\nid = \"big\"\nname = \"Big\"\nvendor = \"V\"\n[severities.P1]\n[channels.email]\n",
    );
    let ids: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    for id in &ids {
        text.push_str(&format!(
            "[regions.{id}]\nzone = \"UTC\"\nhours = {{ mon-sun = [\"00:00-12:00\", \"13:00-24:00\"] }}\nholidays = []\n"
        ));
    }
    let members: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    for i in 0..40 {
        text.push_str(&format!("[regions.u{i}]\nunion = [{}]\n", members.join(", ")));
    }
    text.push_str("[metrics.first_response]\nclock = \"business\"\nstart = [\"created\"]\nstop = [\"responded\"]\ntarget = \"1h\"\n");
    let started = std::time::Instant::now();
    let err = sla_deadline::Policy::from_toml_str(&text, "big.toml")
        .expect_err("over budget")
        .to_string();
    assert!(err.contains("union") && err.contains("open intervals"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
