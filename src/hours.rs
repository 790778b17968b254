//! Local business hours: `HH:MM-HH:MM` spans and a week of them.
//!
//! Local ("civil") times live here and in holiday rules only; they become
//! instants in one place, [`crate::Zone`]'s conversion.

use std::fmt;
use std::str::FromStr;

use chrono::Weekday;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Location};

const DAY_S: u32 = 86_400;
/// Most spans one day may have: keeps a compiled calendar's size bounded.
pub(crate) const MAX_SPANS_PER_DAY: usize = 48;

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// A local time-of-day interval `[start, end)`, written `HH:MM-HH:MM` (or
/// with seconds, `HH:MM:SS`); `24:00` is allowed as an end.
///
/// An end before the start is an overnight shift: `22:00-06:00` on a day
/// runs from 22:00 that day to 06:00 the next, and belongs to the day it
/// starts on (a holiday closes the shifts that start on it, not the one
/// that runs into it from the night before). Its end is then counted past
/// midnight ([`end`](LocalSpan::end) > 86400).
///
/// # Example
/// ```
/// use sla_deadline::LocalSpan;
/// let span: LocalSpan = "09:00-24:00".parse()?;
/// assert_eq!(span.seconds(), 15 * 3600);
/// assert_eq!(span.to_string(), "09:00-24:00");
/// let night: LocalSpan = "22:00-06:00".parse()?;
/// assert!(night.crosses_midnight());
/// assert_eq!(night.seconds(), 8 * 3600); // of local clock time
/// assert_eq!(night.to_string(), "22:00-06:00");
/// assert!("09:00-09:00".parse::<LocalSpan>().is_err());
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalSpan {
    start: u32,
    end: u32,
}

impl LocalSpan {
    /// A span from seconds after local midnight; `None` unless
    /// `start < end <= 86400` (an overnight span is parsed from text,
    /// such as `"22:00-06:00"`).
    pub fn from_seconds(start: u32, end: u32) -> Option<LocalSpan> {
        (start < end && end <= DAY_S).then_some(LocalSpan { start, end })
    }

    /// A span that may end the next day: `start < 86400`, `start < end`,
    /// at most a day long.
    pub(crate) fn within_two_days(start: u32, end: u32) -> Option<LocalSpan> {
        (start < DAY_S && start < end && end - start <= DAY_S).then_some(LocalSpan { start, end })
    }

    /// True for an overnight span, one that ends the next day.
    pub fn crosses_midnight(&self) -> bool {
        self.end > DAY_S
    }

    /// Start, in seconds after local midnight.
    pub fn start(&self) -> u32 {
        self.start
    }

    /// End, in seconds after local midnight of its start's day (86400 for
    /// `24:00`; over 86400 for an overnight span).
    pub fn end(&self) -> u32 {
        self.end
    }

    /// Length in seconds of local clock time.
    pub fn seconds(&self) -> u32 {
        self.end - self.start
    }

    /// True if the two spans share some time.
    pub fn overlaps(&self, other: &LocalSpan) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Parses `text`, naming `at` in the error.
    pub(crate) fn parse_at(text: &str, at: impl FnOnce() -> Location) -> Result<LocalSpan, Error> {
        parse_span(text).map_err(|why| {
            Error::invalid(
                at(),
                format!(
                    "{text:?} is not a time span ({why}): expected \"HH:MM-HH:MM\" such as \"09:00-17:00\" (or \"22:00-06:00\" overnight)"
                ),
            )
        })
    }
}

fn parse_time(text: &str) -> Option<u32> {
    let mut parts = text.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next();
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 || s.is_some_and(|s| s.len() != 2) {
        return None;
    }
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || !s.is_none_or(digits) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let s: u32 = match s {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    let total = h * 3600 + m * 60 + s;
    (m < 60 && s < 60 && total <= DAY_S).then_some(total)
}

fn parse_span(text: &str) -> Result<LocalSpan, &'static str> {
    let (a, b) = text
        .trim()
        .split_once('-')
        .ok_or("no '-' between start and end")?;
    let start = parse_time(a.trim()).ok_or("bad start time")?;
    let end = parse_time(b.trim()).ok_or("bad end time")?;
    if start == DAY_S {
        return Err("24:00 is only allowed as an end");
    }
    if start == end {
        return Err("start equals end");
    }
    if end < start {
        // Overnight: ends the next day.
        return Ok(LocalSpan {
            start,
            end: end + DAY_S,
        });
    }
    LocalSpan::from_seconds(start, end).ok_or("start is not before end")
}

fn write_time(f: &mut fmt::Formatter<'_>, s: u32) -> fmt::Result {
    write!(f, "{:02}:{:02}", s / 3600, s % 3600 / 60)?;
    if s % 60 != 0 {
        write!(f, ":{:02}", s % 60)?;
    }
    Ok(())
}

impl fmt::Display for LocalSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.start)?;
        f.write_str("-")?;
        write_time(
            f,
            if self.crosses_midnight() {
                self.end - DAY_S
            } else {
                self.end
            },
        )
    }
}

impl FromStr for LocalSpan {
    type Err = Error;
    fn from_str(s: &str) -> Result<LocalSpan, Error> {
        LocalSpan::parse_at(s, || Location::new("time span", ""))
    }
}

impl Serialize for LocalSpan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalSpan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LocalSpan, D::Error> {
        let text = String::deserialize(d)?;
        parse_span(&text).map_err(|why| {
            serde::de::Error::custom(format!(
                "{text:?} is not a time span ({why}): expected \"HH:MM-HH:MM\" such as \"09:00-17:00\" (or \"22:00-06:00\" overnight)"
            ))
        })
    }
}

/// Sorts `spans` and checks that none overlap; `what` names the day in the
/// error (e.g. `hours.mon`).
pub(crate) fn check_day(spans: &mut [LocalSpan], at: impl Fn() -> Location) -> Result<(), Error> {
    if spans.len() > MAX_SPANS_PER_DAY {
        return Err(Error::invalid(
            at(),
            format!(
                "{} spans in one day: expected at most {MAX_SPANS_PER_DAY}",
                spans.len()
            ),
        ));
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if pair[0].overlaps(&pair[1]) {
            return Err(Error::invalid(
                at(),
                format!(
                    "spans {} and {} overlap: expected disjoint spans in one day",
                    pair[0], pair[1]
                ),
            ));
        }
    }
    Ok(())
}

/// Opening hours for each day of the week, Monday first.
///
/// # Example
/// ```
/// use chrono::Weekday;
/// use sla_deadline::WeeklyHours;
/// let mut week = WeeklyHours::default();
/// week.set(Weekday::Mon, vec!["09:00-12:00".parse()?, "13:00-17:00".parse()?])?;
/// assert_eq!(week.day(Weekday::Mon).len(), 2);
/// assert!(week.day(Weekday::Sun).is_empty());
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    days: [Vec<LocalSpan>; 7],
}

impl WeeklyHours {
    /// The same spans on Monday to Friday, nothing at the weekend.
    ///
    /// # Errors
    /// If the spans overlap.
    pub fn weekdays(spans: &[LocalSpan]) -> Result<WeeklyHours, Error> {
        let mut week = WeeklyHours::default();
        for &day in &WEEK[..5] {
            week.set(day, spans.to_vec())?;
        }
        Ok(week)
    }

    /// Sets one weekday's spans (sorted).
    ///
    /// # Errors
    /// If two spans overlap.
    pub fn set(&mut self, day: Weekday, mut spans: Vec<LocalSpan>) -> Result<(), Error> {
        check_day(&mut spans, || {
            Location::new("calendar", format!("hours.{}", weekday_key(day)))
        })?;
        self.days[day.num_days_from_monday() as usize] = spans;
        Ok(())
    }

    /// One weekday's spans, sorted.
    pub fn day(&self, day: Weekday) -> &[LocalSpan] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Sorts each day's spans and checks that none overlap: hours that
    /// came through serde rather than [`WeeklyHours::set`].
    pub(crate) fn check(&mut self) -> Result<(), Error> {
        for (day, spans) in WEEK.iter().zip(&mut self.days) {
            check_day(spans, || {
                Location::new("calendar", format!("hours.{}", weekday_key(*day)))
            })?;
        }
        Ok(())
    }

    /// True if no day has any span.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }
}

/// The short lowercase key of a weekday (`mon` ... `sun`).
pub(crate) fn weekday_key(day: Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_strictly() {
        for (text, start, end) in [
            ("09:00-17:00", 32_400, 61_200),
            ("00:00-24:00", 0, 86_400),
            ("08:30:15-08:30:16", 30_615, 30_616),
            (" 09:00 - 12:00 ", 32_400, 43_200),
            // Overnight: the end counts from the start's midnight.
            ("22:00-06:00", 79_200, 108_000),
            ("12:00-11:00", 43_200, 126_000),
            ("23:30-00:00", 84_600, 86_400),
        ] {
            let span: LocalSpan = text.parse().expect(text);
            assert_eq!((span.start(), span.end()), (start, end), "{text}");
        }
        for bad in [
            "",
            "09:00",
            "9:00-17:00",
            "09:00-24:01",
            "24:00-24:00",
            "10:00-10:00",
            "09:60-10:00",
            "aa:bb-cc:dd",
            "09:00-17:00-18:00",
            "+9:00-10:00",
        ] {
            assert!(bad.parse::<LocalSpan>().is_err(), "{bad}");
        }
    }

    #[test]
    fn overlapping_spans_are_rejected_with_the_day() {
        let mut week = WeeklyHours::default();
        let err = week
            .set(
                Weekday::Tue,
                vec![
                    "09:00-12:00".parse().expect("span"),
                    "11:00-13:00".parse().expect("span"),
                ],
            )
            .expect_err("overlap");
        assert_eq!(
            err.to_string(),
            "calendar: hours.tue: spans 09:00-12:00 and 11:00-13:00 overlap: expected disjoint spans in one day"
        );
        // Touching spans are fine.
        week.set(
            Weekday::Tue,
            vec![
                "12:00-13:00".parse().expect("span"),
                "09:00-12:00".parse().expect("span"),
            ],
        )
        .expect("touching");
        assert_eq!(week.day(Weekday::Tue)[0].to_string(), "09:00-12:00");
    }
}
