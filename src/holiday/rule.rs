//! The validated model of a holiday set, and its evaluation into dates.
//!
//! Evaluation works on a span of years with one neighbour year on each side
//! (see [`SetDef::evaluate`]), in three passes:
//! 1. every rule's *nominal* dates (the date the rule names);
//! 2. each rule's observed-day transforms, rule by rule in file order, so a
//!    transform sees every nominal date and the days earlier rules' transforms
//!    produced (Christmas, then Boxing Day, gives England's 27/28 December);
//! 3. "between holidays" rules (Japan's citizens' holiday), which look at the
//!    result of the first two passes.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::hours::LocalSpan;

/// First year a rule may name or a query may ask for.
pub(crate) const MIN_YEAR: i32 = 1900;
/// Last year a rule may name or a query may ask for.
pub(crate) const MAX_YEAR: i32 = 2200;
/// Years for which the equinox approximation is defined.
pub(crate) const EQUINOX_YEARS: (i32, i32) = (1900, 2150);
/// How far a transform looks for its target day before giving up.
const MAX_SEARCH_DAYS: u64 = 366;

/// A whole holiday set, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetDef {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Weekend days, indexed by `Weekday::num_days_from_monday`.
    pub(crate) weekend: [bool; 7],
    pub(crate) rules: Vec<Rule>,
    pub(crate) coverage: Option<(i32, i32)>,
}

/// One holiday rule (a `[holidays.<key>]` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) when: When,
    pub(crate) years: YearFilter,
    pub(crate) observed: Vec<Transform>,
    pub(crate) closed_hours: Vec<LocalSpan>,
}

/// Which years a recurring rule applies in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct YearFilter {
    pub(crate) first: Option<i32>,
    pub(crate) last: Option<i32>,
    /// Every n-th year counted from `first` (which is then required).
    pub(crate) every: Option<i32>,
    pub(crate) except: Vec<i32>,
}

impl YearFilter {
    fn applies(&self, year: i32) -> bool {
        if self.first.is_some_and(|f| year < f) || self.last.is_some_and(|l| year > l) {
            return false;
        }
        if let (Some(every), Some(first)) = (self.every, self.first) {
            if (year - first).rem_euclid(every) != 0 {
                return false;
            }
        }
        !self.except.contains(&year)
    }
}

/// When a rule's nominal date falls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    /// The same month and day every year (29 February: leap years only).
    Fixed { month: u32, day: u32 },
    /// The n-th (1-5) or last weekday of a month; no date in a year whose
    /// month has no such weekday (a 5th Monday).
    Nth { month: u32, weekday: Weekday, nth: Nth },
    /// The weekday before or after a month-day.
    Relative {
        weekday: Weekday,
        month: u32,
        day: u32,
        after: bool,
        inclusive: bool,
    },
    /// Western (Gregorian) Easter Sunday plus `0` days.
    Easter(i64),
    /// Japan's vernal or autumnal equinox day.
    Equinox(Equinox),
    /// Explicit dates (one-offs, or per-year dates with the years covered).
    Dates(Vec<ExplicitDate>),
    /// A day that is not a holiday, between two holidays.
    Between,
}

/// An n-th weekday of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nth {
    Nth(u32),
    Last,
}

/// Which equinox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Equinox {
    Vernal,
    Autumnal,
}

/// One explicit date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExplicitDate {
    pub(crate) date: NaiveDate,
    pub(crate) estimated: bool,
}

/// One observed-day transform: if the nominal date is one of the `on`
/// weekdays, move it (or add a substitute) to the `to` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transform {
    pub(crate) on: [bool; 7],
    pub(crate) to: Target,
    pub(crate) substitute: bool,
    /// Name template; `{name}` is replaced by the holiday's name.
    pub(crate) name: Option<String>,
    /// Years (of the nominal date) in which the transform applies.
    pub(crate) years: YearFilter,
    /// At most one day per nominal date: when holidays share a date, only
    /// the first (in file order) whose transform fires produces a day
    /// (Malaysia's Holidays Act s.3: two holidays on one Sunday give one
    /// replacement day).
    pub(crate) once_per_date: bool,
}

/// Where a transform sends a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The first such weekday strictly after the date.
    Next(Weekday),
    /// The last such weekday strictly before the date.
    Previous(Weekday),
    /// The next day that is not a weekend day.
    NextWeekday,
    /// The previous day that is not a weekend day.
    PreviousWeekday,
    /// The next day that is neither a weekend day nor already a holiday.
    NextWorkingDay,
    /// The previous day that is neither a weekend day nor already a holiday.
    PreviousWorkingDay,
    /// The next day that is not already a holiday (Japan's 振替休日).
    NextNonHoliday,
}

/// One produced day, before same-date entries are merged. Names and closed
/// hours stay with the rule (`rule`), so an entry is small and copying one
/// allocates nothing; a transformed day keeps its transform's index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) date: NaiveDate,
    pub(crate) estimated: bool,
    /// Produced by a substitute transform (does not count for `Between`).
    pub(crate) substitute: bool,
    /// Index of the rule, for its name and hours and a stable merge order.
    pub(crate) rule: usize,
    /// The transform that produced this day (moved or substitute), if any.
    pub(crate) transform: Option<usize>,
}

/// Western Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub(crate) fn easter(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Japan's equinox day: the standard approximation (as published with the
/// National Astronomical Observatory's tables), defined for 1900-2150.
pub(crate) fn equinox(year: i32, which: Equinox) -> Option<NaiveDate> {
    if !(EQUINOX_YEARS.0..=EQUINOX_YEARS.1).contains(&year) {
        return None;
    }
    // Constants per period; before 1980 the leap-year term is offset by 3
    // years (truncating division, as in the published formula).
    let (base, leap_origin) = match (which, year) {
        (Equinox::Vernal, ..=1979) => (20.8357, 1983),
        (Equinox::Vernal, 1980..=2099) => (20.8431, 1980),
        (Equinox::Vernal, _) => (21.8510, 1980),
        (Equinox::Autumnal, ..=1979) => (23.2588, 1983),
        (Equinox::Autumnal, 1980..=2099) => (23.2488, 1980),
        (Equinox::Autumnal, _) => (24.2488, 1980),
    };
    let leap = f64::from((year - leap_origin) / 4);
    let day = (base + 0.242_194 * f64::from(year - 1980) - leap).floor();
    // The formula stays within 19..=25 over its range; `as` cannot wrap here.
    let month = match which {
        Equinox::Vernal => 3,
        Equinox::Autumnal => 9,
    };
    NaiveDate::from_ymd_opt(year, month, day as u32)
}

fn add_days(date: NaiveDate, n: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(n))
}

fn sub_days(date: NaiveDate, n: u64) -> Option<NaiveDate> {
    date.checked_sub_days(Days::new(n))
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, nth: Nth) -> Option<NaiveDate> {
    match nth {
        Nth::Nth(n) => {
            let n = u8::try_from(n).ok()?;
            NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
        }
        Nth::Last => {
            let first_next = if month == 12 {
                NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)?
            };
            (1..=7)
                .filter_map(|k| sub_days(first_next, k))
                .find(|d| d.weekday() == weekday)
        }
    }
}

fn relative(
    year: i32,
    weekday: Weekday,
    month: u32,
    day: u32,
    after: bool,
    inclusive: bool,
) -> Option<NaiveDate> {
    let anchor = NaiveDate::from_ymd_opt(year, month, day)?;
    let start = u64::from(!inclusive);
    (start..start + 7)
        .filter_map(|k| {
            if after {
                add_days(anchor, k)
            } else {
                sub_days(anchor, k)
            }
        })
        .find(|d| d.weekday() == weekday)
}

impl SetDef {
    fn is_weekend(&self, date: NaiveDate) -> bool {
        self.weekend[date.weekday().num_days_from_monday() as usize]
    }

    /// The nominal date of a recurring rule in `year`, if it has one.
    fn nominal(when: &When, year: i32) -> Option<NaiveDate> {
        match *when {
            When::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            When::Nth { month, weekday, nth } => nth_weekday(year, month, weekday, nth),
            When::Relative {
                weekday,
                month,
                day,
                after,
                inclusive,
            } => relative(year, weekday, month, day, after, inclusive),
            When::Easter(offset) => {
                let sunday = easter(year)?;
                let days = Days::new(offset.unsigned_abs());
                if offset >= 0 {
                    sunday.checked_add_days(days)
                } else {
                    sunday.checked_sub_days(days)
                }
            }
            When::Equinox(which) => equinox(year, which),
            When::Dates(_) | When::Between => None,
        }
    }

    fn target(&self, date: NaiveDate, to: Target, taken: &HashSet<NaiveDate>) -> Option<NaiveDate> {
        let forward = matches!(
            to,
            Target::Next(_) | Target::NextWeekday | Target::NextWorkingDay | Target::NextNonHoliday
        );
        let fits = |d: NaiveDate| match to {
            Target::Next(w) | Target::Previous(w) => d.weekday() == w,
            Target::NextWeekday | Target::PreviousWeekday => !self.is_weekend(d),
            Target::NextWorkingDay | Target::PreviousWorkingDay => !self.is_weekend(d) && !taken.contains(&d),
            Target::NextNonHoliday => !taken.contains(&d),
        };
        (1..=MAX_SEARCH_DAYS)
            .map_while(|k| {
                if forward {
                    add_days(date, k)
                } else {
                    sub_days(date, k)
                }
            })
            .find(|&d| fits(d))
    }

    /// The name an entry is listed under (borrowed unless a transform
    /// renamed it).
    pub(crate) fn entry_name(&self, entry: &Entry) -> Cow<'_, str> {
        let Some(rule) = self.rules.get(entry.rule) else {
            return Cow::Borrowed("");
        };
        let transform = entry.transform.and_then(|t| rule.observed.get(t));
        match transform {
            None => Cow::Borrowed(&rule.name),
            Some(t) => Cow::Owned(match &t.name {
                Some(template) => template.replace("{name}", &rule.name),
                None if t.substitute => format!("{} (substitute day)", rule.name),
                None => format!("{} (observed)", rule.name),
            }),
        }
    }

    /// Every entry of the years `from..=to`, unmerged and unsorted. The
    /// caller passes a span that includes a neighbour year on each side of
    /// the years it reports, so days moved across a year boundary, and
    /// substitutes that depend on the next year's holidays, come out right.
    ///
    /// Cost: linear in rules x years (pass 1 writes each rule's nominal
    /// entries contiguously, so pass 2 visits only the rule's own range).
    pub(crate) fn evaluate(&self, from: i32, to: i32) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        // Pass 1: nominal dates; `ranges[i]` is rule i's slice of `entries`.
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(self.rules.len());
        for (index, rule) in self.rules.iter().enumerate() {
            let begin = entries.len();
            let mut push = |date: NaiveDate, estimated: bool| {
                entries.push(Entry {
                    date,
                    estimated,
                    substitute: false,
                    rule: index,
                    transform: None,
                });
            };
            match &rule.when {
                When::Dates(dates) => {
                    // Sorted by date at parse time: skip straight to `from`.
                    let first = dates.partition_point(|d| d.date.year() < from);
                    for d in dates.iter().skip(first).take_while(|d| d.date.year() <= to) {
                        push(d.date, d.estimated);
                    }
                }
                When::Between => {}
                when => {
                    for year in (from..=to).filter(|&y| rule.years.applies(y)) {
                        if let Some(date) = Self::nominal(when, year) {
                            push(date, false);
                        }
                    }
                }
            }
            ranges.push((begin, entries.len()));
        }
        // Pass 2: observed days, rule by rule in file order.
        let mut taken: HashSet<NaiveDate> = entries.iter().map(|e| e.date).collect();
        // Nominal dates that already gave a `once_per_date` day.
        let mut once_done: HashSet<NaiveDate> = HashSet::new();
        for ((index, rule), &(begin, end)) in self.rules.iter().enumerate().zip(&ranges) {
            if rule.observed.is_empty() {
                continue;
            }
            for i in begin..end {
                let Some(&entry) = entries.get(i) else {
                    continue;
                };
                let weekday = entry.date.weekday().num_days_from_monday() as usize;
                let year = entry.date.year();
                let Some((t_index, transform)) = rule
                    .observed
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.on[weekday] && t.years.applies(year))
                else {
                    continue;
                };
                if transform.once_per_date && !once_done.insert(entry.date) {
                    continue;
                }
                let Some(date) = self.target(entry.date, transform.to, &taken) else {
                    continue;
                };
                taken.insert(date);
                if transform.substitute {
                    entries.push(Entry {
                        date,
                        substitute: true,
                        transform: Some(t_index),
                        ..entry
                    });
                } else if let Some(moved) = entries.get_mut(i) {
                    moved.date = date;
                    moved.transform = Some(t_index);
                }
                debug_assert_eq!(entry.rule, index);
            }
        }
        // Pass 3: days between two holidays.
        if self.rules.iter().any(|r| r.when == When::Between) {
            let own: HashSet<NaiveDate> = entries.iter().filter(|e| !e.substitute).map(|e| e.date).collect();
            let all: HashSet<NaiveDate> = entries.iter().map(|e| e.date).collect();
            for (index, rule) in self.rules.iter().enumerate() {
                if rule.when != When::Between {
                    continue;
                }
                let mut found: Vec<NaiveDate> = own
                    .iter()
                    .filter_map(|&d| add_days(d, 1))
                    .filter(|d| {
                        rule.years.applies(d.year())
                            && !all.contains(d)
                            && add_days(*d, 1).is_some_and(|next| own.contains(&next))
                    })
                    .collect();
                found.sort_unstable();
                for date in found {
                    entries.push(Entry {
                        date,
                        estimated: false,
                        substitute: false,
                        rule: index,
                        transform: None,
                    });
                }
            }
        }
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test dates are valid")
    }

    /// Western Easter Sunday 1990-2040 (published tables, e.g. the
    /// astronomical society's Easter dates).
    #[test]
    fn easter_sundays_1990_2040() {
        let table: [(i32, u32, u32); 51] = [
            (1990, 4, 15),
            (1991, 3, 31),
            (1992, 4, 19),
            (1993, 4, 11),
            (1994, 4, 3),
            (1995, 4, 16),
            (1996, 4, 7),
            (1997, 3, 30),
            (1998, 4, 12),
            (1999, 4, 4),
            (2000, 4, 23),
            (2001, 4, 15),
            (2002, 3, 31),
            (2003, 4, 20),
            (2004, 4, 11),
            (2005, 3, 27),
            (2006, 4, 16),
            (2007, 4, 8),
            (2008, 3, 23),
            (2009, 4, 12),
            (2010, 4, 4),
            (2011, 4, 24),
            (2012, 4, 8),
            (2013, 3, 31),
            (2014, 4, 20),
            (2015, 4, 5),
            (2016, 3, 27),
            (2017, 4, 16),
            (2018, 4, 1),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2031, 4, 13),
            (2032, 3, 28),
            (2033, 4, 17),
            (2034, 4, 9),
            (2035, 3, 25),
            (2036, 4, 13),
            (2037, 4, 5),
            (2038, 4, 25),
            (2039, 4, 10),
            (2040, 4, 1),
        ];
        for (y, m, d) in table {
            assert_eq!(easter(y), Some(ymd(y, m, d)), "easter {y}");
        }
    }

    #[test]
    fn easter_never_panics_at_extremes() {
        for y in [i32::MIN, -1, 0, 1, 262_143, i32::MAX] {
            let _ = easter(y);
        }
    }

    #[test]
    fn equinox_outside_formula_range_is_none() {
        assert_eq!(equinox(1899, Equinox::Vernal), None);
        assert_eq!(equinox(2151, Equinox::Autumnal), None);
        assert!(equinox(1900, Equinox::Vernal).is_some());
        assert!(equinox(2150, Equinox::Autumnal).is_some());
    }

    #[test]
    fn last_and_relative_weekdays() {
        assert_eq!(
            nth_weekday(2026, 5, Weekday::Mon, Nth::Last),
            Some(ymd(2026, 5, 25))
        );
        assert_eq!(
            nth_weekday(2026, 12, Weekday::Thu, Nth::Last),
            Some(ymd(2026, 12, 31))
        );
        assert_eq!(nth_weekday(2026, 2, Weekday::Mon, Nth::Nth(5)), None);
        // 2020-05-25 is a Monday: "Monday before May 25" is strict.
        assert_eq!(
            relative(2020, Weekday::Mon, 5, 25, false, false),
            Some(ymd(2020, 5, 18))
        );
        assert_eq!(
            relative(2020, Weekday::Mon, 5, 25, false, true),
            Some(ymd(2020, 5, 25))
        );
        assert_eq!(
            relative(2026, Weekday::Sat, 6, 20, true, true),
            Some(ymd(2026, 6, 20))
        );
    }
}
