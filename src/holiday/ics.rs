//! iCalendar (.ics) text -> the closed dates of a span of years.
//!
//! Parsing is the `icalendar` crate's (RFC 5545 content lines, unfolding,
//! DATE / DATE-TIME values with TZID); this module decides what a VEVENT
//! closes and reports mistakes where they are. The parser keeps no
//! positions, so a first scan over the raw text records where each
//! top-level VEVENT and each of its properties starts; the n-th parsed
//! VEVENT is the n-th `BEGIN:VEVENT` of that scan.
//!
//! What an event closes, in the calendar's zone (`zone`):
//! - `DTSTART;VALUE=DATE` (all-day): the dates from DTSTART up to DTEND
//!   (exclusive; one day without DTEND).
//! - a DATE-TIME DTSTART (timed): the hours from DTSTART to DTEND (DTSTART
//!   alone closes nothing). A UTC time (`...Z`) is an instant; a `TZID` time
//!   is local time in that IANA zone; a floating time (neither) is local
//!   time in the calendar's zone. Local times become instants by the
//!   crate's one rule (a time in a DST gap is the transition instant, a time
//!   in a fold the earlier instant), and the instants are cut into the
//!   calendar zone's local days; a whole local day closed is a full-day
//!   closure. `VTIMEZONE` blocks are not read: TZID must be an IANA name.
//! - `RRULE:FREQ=YEARLY` (with at most `INTERVAL`, `COUNT`, `UNTIL`, and a
//!   `BYMONTH` / `BYMONTHDAY` equal to DTSTART's): the same closure every
//!   year within the horizon, at the same wall-clock time in the zone the
//!   event was written in (29 February only in leap years, as RFC 5545
//!   says). Any other recurrence, `RDATE` or `EXDATE` is an error naming the
//!   file, line and UID: silently closing too little is worse than refusing.
//! - `STATUS:CANCELLED` events close nothing.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use icalendar::parser::{Component, Property, read_calendar, unfold};
use icalendar::{CalendarDateTime, DatePerhapsTime};

use super::Holiday;
use super::rule::{MAX_YEAR, MIN_YEAR};
use crate::error::{Error, Location};
use crate::hours::{LocalSpan, MAX_SPANS_PER_DAY};
use crate::zone::Zone;

const DAY_S: i64 = 86_400;

/// Where one VEVENT and its properties start in the raw text.
struct EventPos {
    begin: usize,
    /// (property name upper-cased, byte offset of its value)
    props: Vec<(String, usize)>,
}

/// Records every top-level VEVENT's position (folded lines belong to the
/// line before them).
fn scan(text: &str) -> Vec<EventPos> {
    let mut out: Vec<EventPos> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<EventPos> = None;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let content = line.trim_end_matches(['\r', '\n']);
        let upper = content.to_ascii_uppercase();
        if let Some(what) = upper.strip_prefix("BEGIN:") {
            depth += 1;
            if what == "VEVENT" && depth == 2 {
                current = Some(EventPos {
                    begin: start,
                    props: Vec::new(),
                });
            }
            continue;
        }
        if let Some(what) = upper.strip_prefix("END:") {
            if what == "VEVENT" && depth == 2 {
                if let Some(done) = current.take() {
                    out.push(done);
                }
            }
            depth = depth.saturating_sub(1);
            continue;
        }
        if depth == 2 {
            if let Some(ev) = current.as_mut() {
                let name_end = content.find([';', ':']).unwrap_or(content.len());
                let value = content.find(':').map_or(name_end, |i| i + 1);
                let name = upper.get(..name_end).unwrap_or_default().to_string();
                ev.props.push((name, start + value));
            }
        }
    }
    out
}

/// Parsing context for one file.
struct Cx<'t> {
    text: &'t str,
    origin: &'t str,
    zone: Zone,
}

/// One event being read: its label for messages and its positions.
struct Ev<'a> {
    label: String,
    pos: Option<&'a EventPos>,
}

impl Cx<'_> {
    fn err_at(&self, offset: usize, path: &str, message: impl Into<String>) -> Error {
        Error::invalid(
            Location::new(self.origin, path).at_offset(self.text, offset),
            message,
        )
    }

    /// An error on property `prop` of `ev` (or on the event itself).
    fn err(&self, ev: &Ev<'_>, prop: Option<&str>, message: impl Into<String>) -> Error {
        let begin = ev.pos.map_or(0, |p| p.begin);
        let offset = prop
            .and_then(|name| ev.pos?.props.iter().find(|(n, _)| n == name).map(|(_, o)| *o))
            .unwrap_or(begin);
        let path = match prop {
            Some(name) => format!("{}.{name}", ev.label),
            None => ev.label.clone(),
        };
        self.err_at(offset, &path, message)
    }
}

fn prop<'c, 'a>(c: &'c Component<'a>, name: &str) -> Option<&'c Property<'a>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

/// A DTSTART/DTEND/UNTIL value as an instant (timed) or a date (all-day).
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    Date(NaiveDate),
    /// An instant and the zone its wall-clock time was written in (UTC, the
    /// TZID's zone or, floating, the calendar's), so a yearly event keeps
    /// that wall-clock time.
    Instant(i64, Zone),
}

impl Cx<'_> {
    fn when(&self, ev: &Ev<'_>, name: &str, p: &Property<'_>) -> Result<When, Error> {
        let value = p.val.as_str();
        let parsed = DatePerhapsTime::try_from(p).map_err(|_| {
            self.err(
                ev,
                Some(name),
                format!(
                    "{value:?} is not a date or date-time: expected YYYYMMDD or YYYYMMDDTHHMMSS (ending in Z, or with a TZID)"
                ),
            )
        })?;
        let local = |zone: &Zone, t: NaiveDateTime| When::Instant(zone.instant(t), *zone);
        let when = match parsed {
            DatePerhapsTime::Date(d) => When::Date(d),
            DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => When::Instant(t.timestamp(), Zone::UTC),
            DatePerhapsTime::DateTime(CalendarDateTime::Floating(t)) => local(&self.zone, t),
            DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
                let offset = ev
                    .pos
                    .and_then(|pos| pos.props.iter().find(|(n, _)| n == name).map(|(_, o)| *o))
                    .unwrap_or(0);
                let zone = Zone::parse_at(&tzid, || {
                    Location::new(self.origin, format!("{}.{name}", ev.label)).at_offset(self.text, offset)
                })?;
                local(&zone, date_time)
            }
        };
        let year = match when {
            When::Date(d) => d.year(),
            When::Instant(t, _) => chrono::DateTime::from_timestamp(t, 0).map_or(0, |d| d.year()),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(self.err(
                ev,
                Some(name),
                format!("{value:?} is out of range: expected a year from {MIN_YEAR} to {MAX_YEAR}"),
            ));
        }
        Ok(when)
    }
}

/// A supported recurrence: yearly, every `interval` years, up to `count`
/// occurrences or `until`.
struct Yearly {
    interval: i32,
    count: Option<i32>,
    until: Option<When>,
}

const RRULE_EXPECTED: &str = "expected FREQ=YEARLY, optionally with INTERVAL, COUNT or UNTIL (BYMONTH and BYMONTHDAY only as DTSTART's)";

impl Cx<'_> {
    fn rrule(&self, ev: &Ev<'_>, p: &Property<'_>, start: NaiveDate) -> Result<Yearly, Error> {
        let value = p.val.as_str();
        let unsupported = || {
            self.err(
                ev,
                Some("RRULE"),
                format!("{value:?} is not a supported recurrence: {RRULE_EXPECTED}"),
            )
        };
        let mut yearly = false;
        let mut out = Yearly {
            interval: 1,
            count: None,
            until: None,
        };
        for part in value.split(';') {
            let (key, val) = part.split_once('=').ok_or_else(unsupported)?;
            let number = || val.parse::<i32>().ok().filter(|n| (1..=1000).contains(n));
            match key.to_ascii_uppercase().as_str() {
                "FREQ" if val.eq_ignore_ascii_case("YEARLY") => yearly = true,
                "INTERVAL" => out.interval = number().ok_or_else(unsupported)?,
                "COUNT" => out.count = Some(number().ok_or_else(unsupported)?),
                "UNTIL" => {
                    let until = Property::new_ref("UNTIL", val);
                    out.until = Some(self.when(ev, "RRULE", &until)?);
                }
                "BYMONTH" if val.parse::<u32>().ok() == Some(start.month()) => {}
                "BYMONTHDAY" if val.parse::<u32>().ok() == Some(start.day()) => {}
                "WKST" => {}
                _ => return Err(unsupported()),
            }
        }
        if !yearly {
            return Err(unsupported());
        }
        Ok(out)
    }

    /// The local days (and hours) closed by `[start, end)`.
    fn cut(&self, start: i64, end: i64, out: &mut Vec<(NaiveDate, Option<LocalSpan>)>) {
        let mut t = start;
        while t < end {
            let Some(local) = self.zone.naive_local(t) else {
                return;
            };
            let day = local.date();
            let Some(next) = day.succ_opt() else {
                return;
            };
            let day_end = self.zone.instant(next.and_time(NaiveTime::MIN));
            let seg_end = end.min(day_end);
            let from = i64::from(local.num_seconds_from_midnight());
            let to = if seg_end == day_end {
                DAY_S
            } else {
                self.zone
                    .naive_local(seg_end)
                    .map_or(DAY_S, |l| i64::from(l.num_seconds_from_midnight()))
            };
            let span = if from == 0 && to == DAY_S {
                None
            } else {
                match LocalSpan::from_seconds(from as u32, to as u32) {
                    Some(s) => Some(s),
                    None => {
                        // A zero-length piece (a fold's repeated hour).
                        t = seg_end.max(t + 1);
                        continue;
                    }
                }
            };
            out.push((day, span));
            t = seg_end.max(t + 1);
        }
    }
}

/// An iCalendar file read for a span of years.
pub(crate) struct Closures {
    /// The calendar's display name (`X-WR-CALNAME`), if it has one.
    pub(crate) name: Option<String>,
    /// The closed dates, sorted.
    pub(crate) days: Vec<Holiday>,
}

/// Reads an iCalendar file's events into the closed dates of `years`.
pub(crate) fn closures(text: &str, origin: &str, zone: Zone, years: (i32, i32)) -> Result<Closures, Error> {
    let cx = Cx { text, origin, zone };
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).map_err(|e| {
        let first = e
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        cx.err_at(0, "", format!("invalid icalendar: {first}"))
    })?;
    let positions = scan(text);
    let calendar_name = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-CALNAME"))
        .map(|p| p.val.clone().unescape_text().as_str().trim().to_string())
        .filter(|n| !n.is_empty());
    let mut days: BTreeMap<NaiveDate, Holiday> = BTreeMap::new();
    let mut produced: u64 = 0;
    let events = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"));
    for (index, event) in events.enumerate() {
        let label = match prop(event, "UID") {
            Some(uid) => format!("event {:?}", uid.val.as_str()),
            None => format!("event #{} (no UID)", index + 1),
        };
        let ev = Ev {
            label,
            pos: positions.get(index),
        };
        if prop(event, "STATUS").is_some_and(|s| s.val.as_str().eq_ignore_ascii_case("CANCELLED")) {
            continue;
        }
        for name in ["RDATE", "EXDATE", "DURATION"] {
            if prop(event, name).is_some() {
                let hint = if name == "DURATION" {
                    "give DTEND instead"
                } else {
                    "list each date as its own event"
                };
                return Err(cx.err(&ev, Some(name), format!("{name} is not supported: {hint}")));
            }
        }
        let start = prop(event, "DTSTART").ok_or_else(|| {
            cx.err(
                &ev,
                None,
                "missing DTSTART: expected the event's start, a date (DTSTART;VALUE=DATE:20261224) or a date-time",
            )
        })?;
        let start = cx.when(&ev, "DTSTART", start)?;
        let end = match prop(event, "DTEND") {
            Some(p) => Some((cx.when(&ev, "DTEND", p)?, p)),
            None => None,
        };
        // The closure of the first occurrence, as an offset pattern.
        let (first_date, shape) = match (start, end) {
            (When::Date(d), None) => (d, Shape::Days(1)),
            (When::Date(d), Some((When::Date(e), _))) if e > d => (d, Shape::Days((e - d).num_days())),
            (When::Instant(s, z), None) => {
                let d = z.naive_local(s).map_or(NaiveDate::MIN, |l| l.date());
                (d, Shape::Hours(s, s, z))
            }
            (When::Instant(s, z), Some((When::Instant(e, _), _))) if e > s => {
                let d = z.naive_local(s).map_or(NaiveDate::MIN, |l| l.date());
                (d, Shape::Hours(s, e, z))
            }
            (_, Some((_, p))) => {
                return Err(cx.err(
                    &ev,
                    Some("DTEND"),
                    format!(
                        "{:?} does not end after DTSTART: expected a later end of the same kind (a date for an all-day event, a date-time for a timed one)",
                        p.val.as_str()
                    ),
                ));
            }
        };
        let name = prop(event, "SUMMARY")
            .map(|p| p.val.clone().unescape_text().as_str().to_string())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Closure".to_string());
        let rule = match prop(event, "RRULE") {
            Some(p) => Some(cx.rrule(&ev, p, first_date)?),
            None => None,
        };
        // Occurrence k starts k * interval years after the first.
        let mut pieces: Vec<(NaiveDate, Option<LocalSpan>)> = Vec::new();
        let (first_year, interval, count) = match &rule {
            None => (first_date.year(), 1, Some(1)),
            Some(r) => (first_date.year(), r.interval, r.count),
        };
        let mut k = 0i32;
        loop {
            if count.is_some_and(|c| k >= c) {
                break;
            }
            let Some(year) = interval.checked_mul(k).and_then(|o| first_year.checked_add(o)) else {
                break;
            };
            if year > years.1 + 1 || year > MAX_YEAR {
                break;
            }
            k += 1;
            if year < years.0 - 1 {
                continue;
            }
            let shifted = |d: NaiveDate| d.with_year(year);
            let Some(occ_date) = shifted(first_date) else {
                continue; // 29 February in a common year
            };
            if let Some(until) = rule.as_ref().and_then(|r| r.until) {
                let past = match until {
                    When::Date(u) => occ_date > u,
                    When::Instant(u, _) => match shape {
                        Shape::Hours(s, _, z) => shift_instant(&z, s, year).is_none_or(|t| t > u),
                        Shape::Days(_) => cx.zone.naive_local(u).is_none_or(|l| occ_date > l.date()),
                    },
                };
                if past {
                    break;
                }
            }
            match shape {
                Shape::Days(n) => {
                    for i in 0..n.clamp(0, 3660) as u64 {
                        if let Some(d) = occ_date.checked_add_days(Days::new(i)) {
                            pieces.push((d, None));
                        }
                    }
                }
                Shape::Hours(s, e, z) => {
                    if let (Some(s2), Some(len)) = (shift_instant(&z, s, year), e.checked_sub(s)) {
                        cx.cut(s2, s2.saturating_add(len), &mut pieces);
                    }
                }
            }
            produced += 1;
            if produced > super::MAX_RULE_YEARS {
                return Err(Error::Limit {
                    what: "icalendar event occurrences to expand",
                    limit: super::MAX_RULE_YEARS,
                    value: produced,
                });
            }
        }
        for (date, span) in pieces {
            if !(years.0..=years.1).contains(&date.year()) {
                continue;
            }
            let day = days.entry(date).or_insert_with(|| Holiday {
                date,
                name: String::new(),
                estimated: false,
                closed_hours: Vec::new(),
            });
            let was_empty = day.name.is_empty();
            let full_before = was_empty || day.closed_hours.is_empty();
            if !day.name.split(" / ").any(|n| n == name) {
                if !was_empty {
                    day.name.push_str(" / ");
                }
                day.name.push_str(&name);
            }
            match span {
                None => day.closed_hours.clear(),
                Some(s) if was_empty => day.closed_hours = vec![s],
                Some(s) if !full_before => {
                    day.closed_hours.push(s);
                    day.closed_hours = super::unite(std::mem::take(&mut day.closed_hours));
                    if day.closed_hours.len() > MAX_SPANS_PER_DAY {
                        return Err(cx.err(
                            &ev,
                            Some("DTSTART"),
                            format!(
                                "{date} has more than {MAX_SPANS_PER_DAY} separate closed spans: expected at most {MAX_SPANS_PER_DAY} a day"
                            ),
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
    // A day whose spans joined into the whole day is a full-day closure.
    let whole = LocalSpan::from_seconds(0, DAY_S as u32);
    let days = days
        .into_values()
        .map(|mut h| {
            if h.closed_hours.len() == 1 && h.closed_hours.first().copied() == whole {
                h.closed_hours.clear();
            }
            h
        })
        .collect();
    Ok(Closures {
        name: calendar_name,
        days,
    })
}

/// What one occurrence closes.
#[derive(Clone, Copy)]
enum Shape {
    /// Whole days from the date, this many.
    Days(i64),
    /// From one instant to another (the first occurrence's), written in
    /// this zone's wall-clock time.
    Hours(i64, i64, Zone),
}

/// The first occurrence's start instant moved to `year`, keeping its
/// wall-clock time in the zone it was written in.
fn shift_instant(zone: &Zone, t: i64, year: i32) -> Option<i64> {
    let local = zone.naive_local(t)?;
    let moved = local.with_year(year)?;
    Some(zone.instant(moved))
}
