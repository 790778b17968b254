//! Business calendars: a zone, weekly hours, closed dates and dated
//! exceptions, compiled into an index that answers [contract §2.5](crate::contract) questions.

mod index;
mod union;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::holiday::HolidaySet;
use crate::hours::{LocalSpan, WeeklyHours, check_day};
use crate::zone::{LAST_RULES_YEAR, Zone};

use self::index::{Index, IndexBuilder, Ival};

/// Earliest and latest year a calendar horizon may cover.
const YEARS: (i32, i32) = (1900, 2200);
/// Most years one calendar may cover (its index grows with them).
pub(crate) const MAX_HORIZON_YEARS: u64 = 200;
/// The horizon of a calendar that does not set one.
const DEFAULT_HORIZON: (i32, i32) = (2020, 2040);
/// Most open intervals (one per open span per day, after holidays and
/// exceptions) that compiled calendars may hold: one calendar, or all the
/// calendars of one policy together. An interval costs about 40 bytes of
/// index, so this is about 160 MB; real calendars hold a few thousand a
/// year (a 48-span day, every day, for 200 years is 3.5 million).
pub(crate) const MAX_INTERVALS: u64 = 4_000_000;

/// How `n` business days are counted from an instant ([contract §2.5](crate::contract)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayMode {
    /// The same business position `n` business dates later (14:00 Tuesday
    /// plus 2 is 14:00 Thursday); a day shorter than the position ends at
    /// its close.
    #[default]
    SameTime,
    /// By the close of business of the `n`-th business date.
    EndOfDay,
}

/// A date on which the calendar is closed, all day or for some hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedDay {
    /// Why it is closed, e.g. `Christmas Day`.
    pub name: String,
    /// True if the date is an estimate not yet officially announced.
    #[serde(default)]
    pub estimated: bool,
    /// Local hours closed; empty means the whole day.
    #[serde(default)]
    pub hours: Vec<LocalSpan>,
}

/// The plain-data description of a calendar, built step by step and then
/// compiled with [`CalendarSpec::build`]. Serde round-trips it.
///
/// # Example
/// ```
/// use chrono::{NaiveDate, Weekday};
/// use sla_deadline::{Calendar, WeeklyHours};
///
/// let calendar = Calendar::builder("Europe/London".parse()?)
///     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?)
///     .closed(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(), "Christmas Day")
///     .exception(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(), vec!["09:00-12:00".parse()?])
///     .horizon(2026, 2027)
///     .build()?;
/// assert_eq!(calendar.zone().to_string(), "Europe/London");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    zone: Zone,
    week: WeeklyHours,
    #[serde(default)]
    closed: BTreeMap<NaiveDate, ClosedDay>,
    #[serde(default)]
    exceptions: BTreeMap<NaiveDate, Vec<LocalSpan>>,
    from_year: i32,
    to_year: i32,
    #[serde(skip)]
    holiday_sets: Vec<HolidaySet>,
}

impl CalendarSpec {
    /// The same hours, holidays and exceptions, read in `zone` (a
    /// `zone = "customer"` region's, for one customer).
    pub(crate) fn in_zone(mut self, zone: Zone) -> CalendarSpec {
        self.zone = zone;
        self
    }

    /// Sets the weekly hours.
    pub fn week(mut self, week: WeeklyHours) -> CalendarSpec {
        self.week = week;
        self
    }

    /// Closes `date` all day (a holiday or a one-off closure).
    pub fn closed(mut self, date: NaiveDate, name: impl Into<String>) -> CalendarSpec {
        self.closed.insert(
            date,
            ClosedDay {
                name: name.into(),
                estimated: false,
                hours: Vec::new(),
            },
        );
        self
    }

    /// Closes `date` as `day` says (all day, or some hours).
    pub fn closed_day(mut self, date: NaiveDate, day: ClosedDay) -> CalendarSpec {
        self.closed.insert(date, day);
        self
    }

    /// Closes every holiday of `set` in the horizon (resolved by
    /// [`CalendarSpec::build`], whatever order the calls come in).
    pub fn holidays(mut self, set: &HolidaySet) -> CalendarSpec {
        self.holiday_sets.push(set.clone());
        self
    }

    /// Other hours on one date (empty: closed). An exception wins over the
    /// weekly hours and over a holiday: it can open a holiday.
    pub fn exception(mut self, date: NaiveDate, spans: Vec<LocalSpan>) -> CalendarSpec {
        self.exceptions.insert(date, spans);
        self
    }

    /// The years the compiled calendar covers, inclusive (default
    /// 2020-2040). Queries outside them are errors.
    pub fn horizon(mut self, from_year: i32, to_year: i32) -> CalendarSpec {
        self.from_year = from_year;
        self.to_year = to_year;
        self
    }

    /// Compiles the calendar.
    ///
    /// # Errors
    /// A horizon that is inverted, outside 1900-2200 or longer than 200
    /// years; a horizon past 2099 in a time zone that still changes its
    /// clocks then (the tz data applies daylight saving through 2099 only:
    /// use a fixed offset for later years); a holiday set that does not
    /// cover the horizon; overlapping exception spans; more than 4 000 000
    /// open intervals ([`Error::Limit`]); a calendar with no open time in
    /// its horizon.
    pub fn build(self) -> Result<Calendar> {
        self.build_within(0, MAX_INTERVALS)
    }

    /// [`CalendarSpec::build`] for one of several calendars that share a
    /// budget of `limit` open intervals, `used` of which are taken.
    pub(crate) fn build_within(mut self, used: u64, limit: u64) -> Result<Calendar> {
        let at = |path: &str| Location::new("calendar", path);
        let (from, to) = (self.from_year, self.to_year);
        if from > to || from < YEARS.0 || to > YEARS.1 {
            return Err(Error::invalid(
                at("horizon"),
                format!(
                    "{from}-{to} is not a horizon: expected first year <= last year, within {}-{}",
                    YEARS.0, YEARS.1
                ),
            ));
        }
        let years = (to - from) as u64 + 1;
        if years > MAX_HORIZON_YEARS {
            return Err(Error::Limit {
                what: "calendar horizon (years)",
                limit: MAX_HORIZON_YEARS,
                value: years,
            });
        }
        if to > LAST_RULES_YEAR && self.zone.has_dst_at_rules_end() {
            return Err(Error::invalid(
                at("horizon"),
                format!(
                    "{from}-{to} goes past {LAST_RULES_YEAR}, the last year for which the daylight-saving rules of {} are known: expected a last year of at most {LAST_RULES_YEAR}, or a fixed offset such as \"UTC+01:00\"",
                    self.zone
                ),
            ));
        }
        for set in std::mem::take(&mut self.holiday_sets) {
            if let Some((first, last)) = set.coverage() {
                if from < first || to > last {
                    return Err(Error::invalid(
                        at("horizon"),
                        format!(
                            "{from}-{to} goes beyond the years holiday set {} covers ({first}-{last}): expected a horizon within them",
                            set.id()
                        ),
                    ));
                }
            }
            for h in set.holidays(from, to)? {
                self.closed.entry(h.date).or_insert(ClosedDay {
                    name: h.name,
                    estimated: h.estimated,
                    hours: h.closed_hours,
                });
            }
        }
        // Hours set through `WeeklyHours::set` are checked already; a
        // deserialized spec's are not.
        self.week.check()?;
        for (date, spans) in &mut self.exceptions {
            check_day(spans, || at(&format!("exceptions.{date}")))?;
        }
        // `subtract` needs closed hours in order; `closed_day` takes any.
        for day in self.closed.values_mut() {
            day.hours.sort_unstable();
        }
        let total = used.saturating_add(self.interval_count());
        if total > limit {
            return Err(Error::Limit {
                what: "open intervals (days x spans a day)",
                limit,
                value: total,
            });
        }
        let index = compile(&self)?;
        Ok(Calendar { spec: self, index })
    }

    /// How many open intervals the index will hold, at most (DST may drop
    /// a span that falls in a gap): counted before compiling, so that a
    /// calendar over its budget allocates nothing.
    fn interval_count(&self) -> u64 {
        let (Some(first), Some(after)) = (
            NaiveDate::from_ymd_opt(self.from_year, 1, 1),
            NaiveDate::from_ymd_opt(self.to_year + 1, 1, 1),
        ) else {
            return 0;
        };
        first
            .iter_days()
            .take_while(|d| *d < after)
            .map(|d| self.spans_of(d).len() as u64)
            .sum()
    }

    /// The open spans of local `date`, before DST.
    fn spans_of(&self, date: NaiveDate) -> Vec<LocalSpan> {
        if let Some(spans) = self.exceptions.get(&date) {
            return spans.clone();
        }
        let week = self.week.day(date.weekday());
        match self.closed.get(&date) {
            None => week.to_vec(),
            Some(c) if c.hours.is_empty() => Vec::new(),
            Some(c) => subtract(week, &c.hours),
        }
    }
}

/// `open` minus `closed`, both sorted and disjoint. Closed hours lie within
/// their date; an overnight span keeps what it has after midnight.
fn subtract(open: &[LocalSpan], closed: &[LocalSpan]) -> Vec<LocalSpan> {
    let mut out = Vec::new();
    for span in open {
        let mut start = span.start();
        for c in closed {
            if c.end() <= start || c.start() >= span.end() {
                continue;
            }
            if let Some(s) = LocalSpan::within_two_days(start, c.start().min(span.end())) {
                out.push(s);
            }
            start = start.max(c.end());
        }
        if let Some(s) = LocalSpan::within_two_days(start, span.end()) {
            out.push(s);
        }
    }
    out
}

/// The instant of `secs` seconds after local midnight of `date`.
fn instant(zone: &Zone, date: NaiveDate, secs: u32) -> Option<i64> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    Some(zone.instant(midnight.checked_add_signed(TimeDelta::seconds(i64::from(secs)))?))
}

/// The dates of years `from..=to` in `zone`: the first date, the date
/// after the last, and the instants of their midnights.
fn local_years(zone: &Zone, from: i32, to: i32) -> Result<(NaiveDate, NaiveDate, i64, i64)> {
    let overflow = || Error::invalid(Location::new("calendar", "horizon"), "dates out of range");
    let first = NaiveDate::from_ymd_opt(from, 1, 1).ok_or_else(overflow)?;
    let after = NaiveDate::from_ymd_opt(to + 1, 1, 1).ok_or_else(overflow)?;
    let lo = instant(zone, first, 0).ok_or_else(overflow)?;
    let hi = instant(zone, after, 0).ok_or_else(overflow)?;
    Ok((first, after, lo, hi))
}

fn compile(spec: &CalendarSpec) -> Result<Index> {
    let overflow = || Error::invalid(Location::new("calendar", "horizon"), "dates out of range");
    let (first, after, lo, hi) = local_years(&spec.zone, spec.from_year, spec.to_year)?;
    let mut builder = IndexBuilder::new(lo);
    let mut spans = Vec::new();
    for date in first.iter_days().take_while(|d| *d < after) {
        spans.clear();
        for span in spec.spans_of(date) {
            let start = instant(&spec.zone, date, span.start()).ok_or_else(overflow)?;
            let end = instant(&spec.zone, date, span.end()).ok_or_else(overflow)?;
            spans.push((start, end.min(hi)));
        }
        builder.day(spans.iter().copied());
    }
    let index = builder.finish(hi);
    if index.ivals.is_empty() {
        return Err(Error::NoOpening {
            what: format!(
                "in the horizon {}-{}: expected weekly hours or exceptions with some open time",
                spec.from_year, spec.to_year
            ),
        });
    }
    Ok(index)
}

/// A compiled business calendar: answers every business-time question of
/// [contract §2.5](crate::contract) in O(1) or O(log n), whatever the size of the duration.
///
/// Instants are taken to the whole second (sub-second parts are dropped).
/// Business time is counted in real elapsed seconds: a `00:00-24:00`
/// calendar has 23 business hours on a spring-forward day.
///
/// # Example
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use sla_deadline::{Calendar, DayMode, WeeklyHours};
///
/// let calendar = Calendar::builder("America/Toronto".parse()?)
///     .week(WeeklyHours::weekdays(&["09:00-20:00".parse()?])?)
///     .horizon(2026, 2026)
///     .build()?;
/// let friday: DateTime<Utc> = "2026-11-20T16:30:00-05:00".parse().unwrap();
/// let due = calendar.add_business(friday, TimeDelta::hours(4))?;
/// assert_eq!(due.to_rfc3339(), "2026-11-23T14:30:00+00:00"); // Monday 09:30
/// let due = calendar.add_business_days(friday, 2, DayMode::SameTime)?;
/// assert_eq!(due.to_rfc3339(), "2026-11-24T21:30:00+00:00"); // Tuesday 16:30
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    spec: CalendarSpec,
    index: Index,
}

pub(crate) fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || format!("{t} s"),
        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn from_secs(t: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| Error::NoOpening {
        what: format!("at {t} s: outside chrono's range"),
    })
}

impl Calendar {
    /// Starts describing a calendar in `zone`, with no hours yet.
    pub fn builder(zone: Zone) -> CalendarSpec {
        CalendarSpec {
            zone,
            week: WeeklyHours::default(),
            closed: BTreeMap::new(),
            exceptions: BTreeMap::new(),
            from_year: DEFAULT_HORIZON.0,
            to_year: DEFAULT_HORIZON.1,
            holiday_sets: Vec::new(),
        }
    }

    /// The calendar's time zone.
    pub fn zone(&self) -> Zone {
        self.spec.zone
    }

    /// Instant `t` read in the calendar's zone: results of the queries,
    /// which are UTC instants, as the people keeping the hours see them.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{Calendar, LocalSpan, WeeklyHours};
    /// use sla_deadline::chrono::{DateTime, TimeDelta, Utc};
    ///
    /// let calendar = Calendar::builder("Europe/London".parse()?)
    ///     .week(WeeklyHours::weekdays(&["09:00-17:00".parse::<LocalSpan>()?])?)
    ///     .build()?;
    /// let friday: DateTime<Utc> = "2026-07-17T15:00:00Z".parse().unwrap();
    /// let due = calendar.add_business(friday, TimeDelta::hours(2))?;
    /// assert_eq!(calendar.to_local(due).to_rfc3339(), "2026-07-20T10:00:00+01:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn to_local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        self.spec.zone.to_local(t)
    }

    /// The first and last year covered.
    pub fn horizon(&self) -> (i32, i32) {
        (self.spec.from_year, self.spec.to_year)
    }

    /// Open intervals in the compiled index.
    pub(crate) fn intervals(&self) -> u64 {
        self.index.ivals.len() as u64
    }

    /// The description it was compiled from, holidays resolved to dates.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    #[inline]
    fn check(&self, t: i64, what: &str) -> Result<()> {
        self.index.check(t, || what.to_string(), self.horizon())
    }

    fn out_after(&self, what: &str) -> Error {
        Error::OutOfHorizon {
            instant: format!("the result of {what}"),
            from_year: self.spec.from_year,
            to_year: self.spec.to_year,
            what: "it needs business time after the horizon's end".to_string(),
        }
    }

    /// B(t) in seconds since the horizon's start.
    #[inline]
    pub(crate) fn position(&self, t: i64) -> Result<i64> {
        self.check(t, "business position")?;
        Ok(self.index.b(t))
    }

    /// [contract §2.5](crate::contract) `next_open`, in seconds.
    pub(crate) fn next_open_s(&self, t: i64) -> Result<i64> {
        self.next_open_in(t).map(|(s, _)| s)
    }

    /// `next_open_s(t)` and the open interval it lies in.
    fn next_open_in(&self, t: i64) -> Result<(i64, Ival)> {
        self.check(t, "next opening")?;
        match self.index.ivals.get(self.index.locate(t)) {
            Some(iv) => Ok((iv.start.max(t), *iv)),
            // `build` rejects a calendar with no open time, so the next
            // opening, if any, lies beyond the horizon's end.
            None => Err(self.out_after("the next opening")),
        }
    }

    /// The earliest instant at business position `x`, not before `t`.
    pub(crate) fn at_position(&self, t: i64, x: i64, what: &str) -> Result<i64> {
        let u = self.index.at_position(x).map_err(|()| self.out_after(what))?;
        Ok(u.max(t))
    }

    /// [contract §2.5](crate::contract) elapsed add, in seconds; `d >= 0`.
    pub(crate) fn add_s(&self, t: i64, d: i64) -> Result<i64> {
        if d == 0 {
            self.check(t, "business time add")?;
            return Ok(t);
        }
        self.add_s_at(t, self.position(t)?, d)
    }

    /// `add_s(t, d)` for a `t` whose position `p` is known (so `t` lies in
    /// the horizon).
    pub(crate) fn add_s_at(&self, t: i64, p: i64, d: i64) -> Result<i64> {
        if d == 0 {
            return Ok(t);
        }
        let x = p
            .checked_add(d)
            .ok_or_else(|| self.out_after("the business time add"))?;
        self.at_position(t, x, "the business time add")
    }

    /// [contract §2.5](crate::contract) business-days add, in seconds.
    pub(crate) fn add_days_s(&self, t: i64, n: u32, mode: DayMode) -> Result<i64> {
        self.days_from(t, n, mode).map(|(due, _)| due)
    }

    /// A target of `n` business days from `t` as a budget: the business
    /// seconds from `t` to `add_days_s(t, n, mode)`, from the positions the
    /// add found rather than two more look-ups. Fails where that difference
    /// of positions would.
    pub(crate) fn days_budget(&self, t: i64, n: u32, mode: DayMode) -> Result<i64> {
        let (due, budget) = self.days_from(t, n, mode)?;
        self.check(due, "business position")?;
        Ok(budget)
    }

    /// `add_days_s`, with B(due) - B(t).
    fn days_from(&self, t: i64, n: u32, mode: DayMode) -> Result<(i64, i64)> {
        if n == 0 && mode == DayMode::SameTime {
            self.check(t, "business days add")?;
            return Ok((t, 0));
        }
        // `s` is an open instant in `iv`; `days` entries and their
        // `first`/`last` were built from `ivals`, so they index it.
        let (s, iv) = self.next_open_in(t)?;
        // B(t) = B(s): no business time passes before the next opening.
        let from = iv.cum + (s - iv.start);
        let d0 = iv.day as usize;
        let days = &self.index.days;
        let dn = d0
            .checked_add(n as usize)
            .and_then(|k| days.get(k))
            .ok_or_else(|| self.out_after("the business days add"))?;
        let first = self.index.ivals[dn.first as usize];
        let last = self.index.ivals[dn.last as usize];
        match mode {
            // B(last.end) is where the day's open time ends.
            DayMode::EndOfDay => Ok((last.end, last.cum_end() - from)),
            DayMode::SameTime => {
                let off = from - self.index.ivals[days[d0].first as usize].cum;
                let len = last.cum_end() - first.cum;
                let x = first.cum + off.min(len);
                // Day `dn` comes after day `d0` (n >= 1 here), so x > B(t)
                // and the earliest instant at x lies after t: B(due) = x.
                let due = self.at_position(t, x, "the business days add")?;
                Ok((due, x - from))
            }
        }
    }

    /// The closed dates (holidays, closures) whose local date lies between
    /// those of `a` and `b` and that would otherwise have open hours: the
    /// dates a computation from `a` to `b` skipped.
    pub(crate) fn closed_between(&self, a: i64, b: i64) -> Vec<(NaiveDate, &ClosedDay)> {
        let (Some(da), Some(db)) = (self.spec.zone.naive_local(a), self.spec.zone.naive_local(b)) else {
            return Vec::new();
        };
        if db.date() < da.date() {
            return Vec::new();
        }
        self.spec
            .closed
            .range(da.date()..=db.date())
            .filter(|(date, _)| {
                !self.spec.exceptions.contains_key(date) && !self.spec.week.day(date.weekday()).is_empty()
            })
            .map(|(date, day)| (*date, day))
            .collect()
    }

    /// True if `t` lies in an open interval (start included, end excluded).
    ///
    /// # Errors
    /// `t` outside the horizon.
    ///
    /// # Example
    /// ```
    /// # use sla_deadline::{Calendar, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// assert!(calendar.is_open("2026-11-23T09:00:00Z".parse().unwrap())?);
    /// assert!(!calendar.is_open("2026-11-23T17:00:00Z".parse().unwrap())?);
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn is_open(&self, t: DateTime<Utc>) -> Result<bool> {
        let t = t.timestamp();
        self.check(t, "is_open")?;
        Ok(self
            .index
            .ivals
            .get(self.index.locate(t))
            .is_some_and(|iv| iv.start <= t))
    }

    /// `t` if open, else the start of the next open interval.
    ///
    /// # Errors
    /// `t` outside the horizon, or no opening after it within the horizon
    /// (an out-of-horizon error: the opening would lie past its end).
    ///
    /// # Example
    /// ```
    /// # use sla_deadline::{Calendar, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// let saturday = "2026-11-21T10:00:00Z".parse().unwrap();
    /// assert_eq!(calendar.next_open(saturday)?.to_rfc3339(), "2026-11-23T09:00:00+00:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn next_open(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>> {
        from_secs(self.next_open_s(t.timestamp())?)
    }

    /// B(b) - B(a): the business time between two instants, negative when
    /// `a > b`.
    ///
    /// # Errors
    /// Either instant outside the horizon.
    ///
    /// # Example
    /// ```
    /// # use chrono::TimeDelta;
    /// # use sla_deadline::{Calendar, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// let fri = "2026-11-20T16:00:00Z".parse().unwrap();
    /// let mon = "2026-11-23T10:00:00Z".parse().unwrap();
    /// assert_eq!(calendar.business_time_between(fri, mon)?, TimeDelta::hours(2));
    /// assert_eq!(calendar.business_time_between(mon, fri)?, TimeDelta::hours(-2));
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn business_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<TimeDelta> {
        let (a, b) = (self.position(a.timestamp())?, self.position(b.timestamp())?);
        Ok(TimeDelta::seconds(b - a))
    }

    /// The earliest instant `u >= t` with B(u) = B(t) + d: `d` of business
    /// time after `t`. A deadline that uses up a day exactly is that day's
    /// closing instant; `add_business(t, 0) == t`.
    ///
    /// # Errors
    /// `d` negative, `t` outside the horizon, or a result past its end.
    ///
    /// # Example
    /// ```
    /// # use chrono::TimeDelta;
    /// # use sla_deadline::{Calendar, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// let t = "2026-11-23T13:00:00Z".parse().unwrap();
    /// // Exactly the rest of the day: due at closing, not at the next opening.
    /// assert_eq!(calendar.add_business(t, TimeDelta::hours(4))?.to_rfc3339(), "2026-11-23T17:00:00+00:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn add_business(&self, t: DateTime<Utc>, d: TimeDelta) -> Result<DateTime<Utc>> {
        if d < TimeDelta::zero() {
            return Err(Error::invalid(
                Location::new("calendar", "add_business"),
                format!("duration {}s is negative: expected zero or more", d.num_seconds()),
            ));
        }
        from_secs(self.add_s(t.timestamp(), d.num_seconds())?)
    }

    /// `n` business days after `t` ([contract §2.5](crate::contract)): in [`DayMode::SameTime`], the
    /// same business position on the `n`-th business date after the date
    /// of `next_open(t)` (`n = 0` gives `t`); in [`DayMode::EndOfDay`], the
    /// close of that date (`n = 0` gives the close of the first business
    /// date at or after `t`).
    ///
    /// # Errors
    /// `t` outside the horizon, or a result past its end.
    ///
    /// # Example
    /// ```
    /// # use sla_deadline::{Calendar, DayMode, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// let tue = "2026-11-24T14:00:00Z".parse().unwrap();
    /// assert_eq!(calendar.add_business_days(tue, 2, DayMode::SameTime)?.to_rfc3339(), "2026-11-26T14:00:00+00:00");
    /// assert_eq!(calendar.add_business_days(tue, 2, DayMode::EndOfDay)?.to_rfc3339(), "2026-11-26T17:00:00+00:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn add_business_days(&self, t: DateTime<Utc>, n: u32, mode: DayMode) -> Result<DateTime<Utc>> {
        from_secs(self.add_days_s(t.timestamp(), n, mode)?)
    }

    /// [`business_time_between`](Calendar::business_time_between) on Unix
    /// seconds: for batch kernels over columns of instants, which should not
    /// build a `DateTime` per value. Sub-second parts are the caller's to
    /// drop (the crate counts whole seconds).
    ///
    /// # Errors
    /// As `business_time_between`.
    ///
    /// ```
    /// # use sla_deadline::{Calendar, WeeklyHours};
    /// # let calendar = Calendar::builder("UTC".parse()?)
    /// #     .week(WeeklyHours::weekdays(&["09:00-17:00".parse()?])?).horizon(2026, 2026).build()?;
    /// let fri = 1_795_190_400; // Friday 2026-11-20T16:00:00Z
    /// assert_eq!(calendar.business_seconds_between(fri, fri + 3 * 86_400 - 6 * 3600)?, 2 * 3600);
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[inline]
    pub fn business_seconds_between(&self, a: i64, b: i64) -> Result<i64> {
        Ok(self.position(b)? - self.position(a)?)
    }

    /// [`add_business`](Calendar::add_business) on Unix seconds.
    ///
    /// # Errors
    /// As `add_business`.
    pub fn add_business_seconds(&self, t: i64, d: i64) -> Result<i64> {
        if d < 0 {
            return Err(Error::invalid(
                Location::new("calendar", "add_business"),
                format!("duration {d}s is negative: expected zero or more"),
            ));
        }
        self.add_s(t, d)
    }

    /// [`add_business_days`](Calendar::add_business_days) on Unix seconds.
    ///
    /// # Errors
    /// As `add_business_days`.
    pub fn add_business_days_seconds(&self, t: i64, n: u32, mode: DayMode) -> Result<i64> {
        self.add_days_s(t, n, mode)
    }

    /// [`next_open`](Calendar::next_open) on Unix seconds.
    ///
    /// # Errors
    /// As `next_open`.
    pub fn next_open_seconds(&self, t: i64) -> Result<i64> {
        self.next_open_s(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: &str) -> LocalSpan {
        s.parse().expect("test span")
    }

    #[cfg(feature = "toml")]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// A business-days budget is the difference of positions it stands
        /// for, errors included: in every built-in region (zones with and
        /// without daylight saving, holidays, split days), from instants
        /// inside the horizon and around its ends.
        #[test]
        fn a_days_budget_is_the_difference_of_positions(
            region in 0usize..9,
            t in proptest::prop_oneof![
                1_577_836_800i64..2_082_758_400,  // 2020-2035
                1_577_000_000i64..1_578_000_000,  // the horizon's start
                2_082_000_000i64..2_084_000_000,  // its end
            ],
            n in 0u32..40,
            end_of_day in proptest::bool::ANY,
        ) {
            let policy = if region < 8 { "ol-care" } else { "e3k-odoo" };
            let policy = crate::Policy::builtin(policy).expect("built-in");
            let c = policy.regions()[region % 8 % policy.regions().len()].calendar();
            let mode = if end_of_day { DayMode::EndOfDay } else { DayMode::SameTime };
            let want = c
                .add_days_s(t, n, mode)
                .and_then(|due| Ok(c.position(due)? - c.position(t)?))
                .map_err(|e| e.to_string());
            proptest::prop_assert_eq!(c.days_budget(t, n, mode).map_err(|e| e.to_string()), want);
        }
    }

    #[test]
    fn subtract_cuts_closed_hours_out_of_open_spans() {
        let open = [span("09:00-12:00"), span("13:00-17:00")];
        let got = subtract(&open, &[span("11:00-14:00")]);
        assert_eq!(got, vec![span("09:00-11:00"), span("14:00-17:00")]);
        assert_eq!(subtract(&open, &[span("00:00-24:00")]), vec![]);
        assert_eq!(subtract(&open, &[span("12:00-13:00")]), open.to_vec());
    }
}
