//! Follow-the-sun calendars: open whenever any member calendar is open,
//! each member with its own zone, daylight saving and holidays.
//!
//! The members are already compiled to open intervals in UTC, so the union
//! is their merged intervals, cut at the union zone's midnights to give
//! business dates, and compiled into the same index as any calendar: every
//! query stays one lookup.

use crate::error::{Error, Location, Result};
use crate::zone::Zone;

use super::index::IndexBuilder;
use super::{Calendar, MAX_INTERVALS, instant, local_years};

impl Calendar {
    /// A follow-the-sun calendar: open whenever any of `members` is open.
    /// Each member keeps its own zone, daylight saving, holidays and
    /// exceptions; `zone` gives the union its business dates (a business
    /// day is a date of `zone` with open time in some member) and its
    /// local times.
    ///
    /// The union covers the members' common years; where their horizons'
    /// ends differ by zone offsets, it covers only the instants all of them
    /// cover. Its [`spec`](Calendar::spec) holds `zone` and the years only:
    /// the hours and closed dates are the members'.
    ///
    /// # Errors
    /// No members; members with different horizons; no open time.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{Calendar, WeeklyHours};
    /// use sla_deadline::chrono::{DateTime, TimeDelta, Utc};
    ///
    /// let site = |zone: &str| -> Result<Calendar, sla_deadline::Error> {
    ///     Calendar::builder(zone.parse()?)
    ///         .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?)
    ///         .horizon(2026, 2027)
    ///         .build()
    /// };
    /// let sites = [site("America/Toronto")?, site("Europe/London")?, site("Asia/Singapore")?];
    /// let global = Calendar::union("UTC".parse()?, &sites)?;
    /// // Monday 2026-03-16, Toronto already on summer time, London not yet:
    /// // Singapore 01-09 UTC, London 09-17 UTC, Toronto 13-21 UTC.
    /// let monday: DateTime<Utc> = "2026-03-16T00:00:00Z".parse().unwrap();
    /// let next: DateTime<Utc> = "2026-03-17T00:00:00Z".parse().unwrap();
    /// assert_eq!(global.business_time_between(monday, next)?, TimeDelta::hours(20));
    /// assert!(global.is_open("2026-03-16T20:30:00Z".parse().unwrap())?);
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn union(zone: Zone, members: &[Calendar]) -> Result<Calendar> {
        let at = |path: &str| Location::new("calendar", path);
        let Some(first) = members.first() else {
            return Err(Error::invalid(
                at("union"),
                "no members: expected at least one calendar",
            ));
        };
        let (from, to) = first.horizon();
        if let Some(other) = members.iter().find(|m| m.horizon() != (from, to)) {
            let (a, b) = other.horizon();
            return Err(Error::invalid(
                at("union"),
                format!("members cover {from}-{to} and {a}-{b}: expected one horizon for all members"),
            ));
        }
        let spec = Calendar::builder(zone).horizon(from, to);
        let overflow = || Error::invalid(at("horizon"), "dates out of range");
        let (first_date, after, lo, hi) = local_years(&zone, from, to)?;
        // The instants every member and the union's own dates cover.
        let lo = members.iter().map(|m| m.index.lo).fold(lo, i64::max);
        let hi = members.iter().map(|m| m.index.hi).fold(hi, i64::min);

        let count: u64 = members.iter().map(|m| m.index.ivals.len() as u64).sum();
        if count > MAX_INTERVALS {
            return Err(Error::Limit {
                what: "open intervals in one calendar",
                limit: MAX_INTERVALS,
                value: count,
            });
        }
        let mut open: Vec<(i64, i64)> = members
            .iter()
            .flat_map(|m| m.index.ivals.iter().map(|iv| (iv.start.max(lo), iv.end.min(hi))))
            .filter(|(s, e)| s < e)
            .collect();
        open.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(open.len());
        for (s, e) in open {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }

        // Cut at the union zone's midnights: each piece belongs to the date
        // it falls in.
        let mut builder = IndexBuilder::new(lo);
        let mut next = 0usize;
        let mut pieces = Vec::new();
        for date in first_date.iter_days().take_while(|d| *d < after) {
            let start = instant(&zone, date, 0).ok_or_else(overflow)?.max(lo);
            let end = date
                .succ_opt()
                .and_then(|d| instant(&zone, d, 0))
                .ok_or_else(overflow)?
                .min(hi);
            pieces.clear();
            while next < merged.len() && merged[next].0 < end {
                let (s, e) = merged[next];
                if e > start {
                    pieces.push((s.max(start), e.min(end)));
                }
                if e <= end {
                    next += 1;
                } else {
                    break; // continues into the next date
                }
            }
            builder.day(pieces.iter().copied());
        }
        let index = builder.finish(hi);
        if index.ivals.is_empty() {
            return Err(Error::NoOpening {
                what: format!("in the union's horizon {from}-{to}: expected members with some open time"),
            });
        }
        Ok(Calendar { spec, index })
    }
}
