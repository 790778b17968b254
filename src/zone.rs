//! Time zones, and the one place where a local time becomes an instant.
//!
//! [contract §2.4](crate::contract): a local time in a DST gap maps to the instant the gap ends (the
//! transition), a local time in a fold maps to the earlier of its two
//! instants. Everything else in the crate goes through [`Zone::instant`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Location};

/// A calendar's time zone: an IANA name (`America/Toronto`) or a fixed
/// offset (`UTC+01:00`, `UTC-05:00`, `UTC`).
///
/// # Example
/// ```
/// use sla_deadline::Zone;
/// let toronto: Zone = "America/Toronto".parse()?;
/// let fixed: Zone = "UTC+01:00".parse()?;
/// assert_eq!(fixed.to_string(), "UTC+01:00");
/// assert!("Mars/Olympus".parse::<Zone>().is_err());
/// # let _ = toronto;
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone(Inner);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Inner {
    Iana(chrono_tz::Tz),
    Fixed(FixedOffset),
}

/// Offsets in the tz database stay within +-15 h; brackets for the gap search.
const MAX_OFFSET_S: i64 = 16 * 3600;
/// The largest fixed offset, in minutes: 14 hours either way.
const MAX_FIXED_OFFSET_MIN: i32 = 14 * 60;
/// The last year for which chrono-tz (0.10) applies a zone's daylight-saving
/// rules: later years keep the last offset, which is wrong for half of each
/// year in a zone that still changes its clocks.
pub(crate) const LAST_RULES_YEAR: i32 = 2099;

/// The first instant the crate accepts or produces: 0000-01-01T00:00:00Z.
const MIN_INSTANT_S: i64 = -62_167_219_200;
/// The last instant the crate accepts or produces: 9999-12-31T23:59:59Z.
/// Beyond these, RFC 3339 (four-digit years) cannot write the instant.
const MAX_INSTANT_S: i64 = 253_402_300_799;

impl Zone {
    /// Coordinated Universal Time.
    // `east_opt` is only `None` beyond +-24 h; 0 is in range, and the match
    // runs at compile time, so the arm cannot be reached at run time.
    pub const UTC: Zone = Zone(Inner::Fixed(match FixedOffset::east_opt(0) {
        Some(o) => o,
        None => unreachable!(),
    }));

    /// The local reading of instant `t` in this zone, with the offset in
    /// force then (`2026-11-20T16:30:00-05:00` for 21:30 UTC in Toronto).
    ///
    /// RFC 3339 writes offsets in whole minutes: an offset with seconds
    /// (local mean time before about 1972, such as Monrovia's -00:44:30) is
    /// rounded to the minute so that the result still denotes exactly `t`.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::Zone;
    /// use sla_deadline::chrono::{DateTime, Utc};
    ///
    /// let toronto = Zone::from(sla_deadline::chrono_tz::America::Toronto);
    /// let t: DateTime<Utc> = "2026-11-20T21:30:00Z".parse().unwrap();
    /// assert_eq!(toronto.to_local(t).to_rfc3339(), "2026-11-20T16:30:00-05:00");
    /// let summer: DateTime<Utc> = "2026-07-20T21:30:00Z".parse().unwrap();
    /// assert_eq!(toronto.to_local(summer).to_rfc3339(), "2026-07-20T17:30:00-04:00");
    /// ```
    pub fn to_local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        self.local(t)
    }

    /// The instant of local time `local` in this zone, the way the
    /// calendar reads every local time: a time skipped by a daylight-saving
    /// change (in the gap) is the instant of the change, a time that occurs
    /// twice (in the fold) is the earlier instant.
    ///
    /// # Errors
    /// A local time whose instant lies outside years 0000-9999.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::Zone;
    /// use sla_deadline::chrono::NaiveDate;
    ///
    /// let toronto: Zone = "America/Toronto".parse()?;
    /// let local = |d: u32, h: u32, m: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap();
    /// assert_eq!(toronto.to_utc(local(20, 9, 0))?.to_rfc3339(), "2026-03-20T13:00:00+00:00");
    /// // 02:30 does not exist on 2026-03-08: the clocks go from 02:00 to 03:00.
    /// assert_eq!(toronto.to_utc(local(8, 2, 30))?.to_rfc3339(), "2026-03-08T07:00:00+00:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn to_utc(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, Error> {
        checked_instant(self.instant(local), "the local time's instant")
    }

    /// Parses a zone name, naming `at` in the error.
    pub(crate) fn parse_at(text: &str, at: impl FnOnce() -> Location) -> Result<Zone, Error> {
        parse_zone(text).map_err(|message| Error::invalid(at(), message))
    }

    /// The UTC offset in seconds in force at `t`.
    pub(crate) fn offset_at(&self, t: i64) -> i64 {
        match self.0 {
            Inner::Fixed(o) => i64::from(o.local_minus_utc()),
            Inner::Iana(tz) => match DateTime::from_timestamp(t, 0) {
                Some(utc) => i64::from(
                    tz.offset_from_utc_datetime(&utc.naive_utc())
                        .fix()
                        .local_minus_utc(),
                ),
                None => 0,
            },
        }
    }

    /// The instant (Unix seconds) of local time `local`: gap -> the
    /// transition instant, fold -> the earlier instant.
    pub(crate) fn instant(&self, local: NaiveDateTime) -> i64 {
        let naive_s = local.and_utc().timestamp();
        match self.0 {
            Inner::Fixed(o) => naive_s - i64::from(o.local_minus_utc()),
            Inner::Iana(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.timestamp(),
                LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
                LocalResult::None => self.gap_end(naive_s),
            },
        }
    }

    /// The earliest instant whose local time is at or after `naive_s`: for a
    /// local time inside a gap that is the transition instant. Local time is
    /// increasing over the 32 h bracket because a gap and a fold never sit
    /// that close together in the tz database.
    fn gap_end(&self, naive_s: i64) -> i64 {
        let (mut lo, mut hi) = (naive_s - MAX_OFFSET_S, naive_s + MAX_OFFSET_S);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if mid + self.offset_at(mid) >= naive_s {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// `t` (Unix seconds) as a date-time with this zone's offset, for
    /// display (`2026-11-20T18:30:00-05:00`; UTC+0 is written `+00:00`).
    ///
    /// RFC 3339 writes offsets in whole minutes. An offset with seconds
    /// (local mean time, such as Monrovia's -00:44:30 until 1972) is
    /// rounded to the nearest minute, so that the text denotes exactly the
    /// instant `t` (its wall-clock reading is then up to 30 s off the zone's).
    pub(crate) fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        let offset = self.offset_at(t.timestamp());
        let minutes = (offset as f64 / 60.0).round() as i64;
        let fixed = i32::try_from(minutes * 60)
            .ok()
            .and_then(FixedOffset::east_opt)
            .unwrap_or_else(|| Utc.fix());
        t.with_timezone(&fixed)
    }

    /// [`Zone::local`] for an instant the crate will print: an error if the
    /// instant or its local reading lies outside years 0000-9999.
    pub(crate) fn checked_local(&self, t: DateTime<Utc>, what: &str) -> Result<DateTime<FixedOffset>, Error> {
        let t = checked_instant(t.timestamp(), what)?;
        let local = self.local(t);
        let naive = local.naive_local().and_utc().timestamp();
        if !(MIN_INSTANT_S..=MAX_INSTANT_S).contains(&naive) {
            return Err(out_of_range(t.timestamp(), what));
        }
        Ok(local)
    }

    /// As [`Zone::checked_local`] for the instant `t`, naming it
    /// with `what()` only when it is out of range: instants a day inside the
    /// range, the usual case, are converted without the checks.
    pub(crate) fn local_in_range(
        &self,
        t: DateTime<Utc>,
        what: impl FnOnce() -> String,
    ) -> Result<DateTime<FixedOffset>, Error> {
        if printable_anywhere(t.timestamp()) {
            return Ok(self.local(t));
        }
        self.checked_local(t, &what())
    }

    /// True for an IANA zone whose clocks still change in
    /// [`LAST_RULES_YEAR`]: chrono-tz gets its later years wrong.
    pub(crate) fn has_dst_at_rules_end(&self) -> bool {
        let Inner::Iana(_) = self.0 else {
            return false;
        };
        let at = |m: u32| {
            NaiveDate::from_ymd_opt(LAST_RULES_YEAR, m, 15)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .map_or(0, |d| self.offset_at(d.and_utc().timestamp()))
        };
        at(1) != at(7)
    }

    /// The local wall-clock time of `t`.
    pub(crate) fn naive_local(&self, t: i64) -> Option<NaiveDateTime> {
        DateTime::from_timestamp(t.checked_add(self.offset_at(t))?, 0).map(|d| d.naive_utc())
    }
}

/// The instant at Unix second `t`, if it lies in years 0000-9999 (UTC):
/// the range the crate accepts and prints. `what` names the instant in the
/// error ("the due instant of metric resolution").
/// True if `t` (seconds) lies in the supported years 0000-9999.
/// True if `t` is in years 0000-9999 in every zone (a day from the ends).
pub(crate) fn printable_anywhere(t: i64) -> bool {
    (MIN_INSTANT_S + 86_400..=MAX_INSTANT_S - 86_400).contains(&t)
}

pub(crate) fn in_range(t: i64) -> bool {
    (MIN_INSTANT_S..=MAX_INSTANT_S).contains(&t)
}

pub(crate) fn checked_instant(t: i64, what: &str) -> Result<DateTime<Utc>, Error> {
    if !(MIN_INSTANT_S..=MAX_INSTANT_S).contains(&t) {
        return Err(out_of_range(t, what));
    }
    DateTime::from_timestamp(t, 0).ok_or_else(|| out_of_range(t, what))
}

fn out_of_range(t: i64, what: &str) -> Error {
    let shown = DateTime::from_timestamp(t, 0).map_or_else(
        || format!("{t} s after 1970"),
        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    Error::invalid(
        Location::new("instant", what),
        format!(
            "{shown} is outside the supported range: expected an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        ),
    )
}

/// `t` with its sub-second part dropped (a leap second `:60` becomes
/// `:59`), if it lies in the supported range: how every instant enters the
/// crate.
pub(crate) fn whole_second(t: DateTime<Utc>, what: &str) -> Result<DateTime<Utc>, Error> {
    checked_instant(t.timestamp(), what)
}

/// Parses an RFC 3339 instant the way ticket events are read: any offset,
/// kept in UTC, sub-second parts (and a leap second's `:60`) dropped, and
/// only years 0000 to 9999 once in UTC (`9999-12-31T23:00:00-05:00` is
/// already in year 10000).
///
/// # Errors
/// [`Error::Invalid`] for text that is not RFC 3339, or an instant outside
/// the supported range; the message quotes the text.
///
/// # Example
/// ```
/// use sla_deadline::parse_instant;
/// let t = parse_instant("2026-11-20T16:30:00.750-05:00")?;
/// assert_eq!(t.to_rfc3339(), "2026-11-20T21:30:00+00:00");
/// let err = parse_instant("9999-12-31T23:00:00-05:00").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "instant: \"9999-12-31T23:00:00-05:00\" is outside the supported range: expected an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
/// );
/// # Ok::<(), sla_deadline::Error>(())
/// ```
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, Error> {
    instant_of_text(text).map_err(|m| Error::invalid(Location::new("instant", ""), m))
}

/// [`parse_instant`] with the bare message as its error, for callers that
/// place it themselves (event deserialization).
pub(crate) fn instant_of_text(text: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::parse_from_rfc3339(text).map_err(|e| {
        format!("{text:?} is not an RFC 3339 instant ({e}): expected e.g. 2026-11-20T16:30:00-05:00")
    })?;
    whole_second(t.to_utc(), "").map_err(|_| {
        format!("{text:?} is outside the supported range: expected an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
    })
}

/// A zone, or the message saying why `text` is none.
fn parse_zone(text: &str) -> Result<Zone, String> {
    let unknown = || {
        format!(
            "unknown time zone {text:?}: expected an IANA name such as \"America/Toronto\" or a fixed offset such as \"UTC+01:00\""
        )
    };
    if text == "UTC" || text == "Z" {
        return Ok(Zone::UTC);
    }
    if let Some(message) = abbreviation(text) {
        return Err(message);
    }
    let Some(rest) = text.strip_prefix("UTC") else {
        return chrono_tz::Tz::from_str(text)
            .map(|tz| Zone(Inner::Iana(tz)))
            .map_err(|_| unknown());
    };
    let (sign, hm) = match rest.as_bytes().first() {
        Some(b'+') => (1, &rest[1..]),
        Some(b'-') => (-1, &rest[1..]),
        _ => return Err(unknown()),
    };
    let Some((h, m)) = hm.split_once(':') else {
        return Err(unknown());
    };
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !(two_digits(h) && two_digits(m)) {
        return Err(unknown());
    }
    let h: i32 = h.parse().map_err(|_| unknown())?;
    let m: i32 = m.parse().map_err(|_| unknown())?;
    if m > 59 {
        return Err(unknown());
    }
    // The tz database's offsets stay within -12:00..+14:00; the policy
    // format promises at most 14 hours either way.
    if h * 60 + m > MAX_FIXED_OFFSET_MIN {
        return Err(format!(
            "fixed offset {text:?} is more than 14 hours from UTC: expected an offset from UTC-14:00 to UTC+14:00"
        ));
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        .map(|o| Zone(Inner::Fixed(o)))
        .ok_or_else(unknown)
}

/// Abbreviations and legacy names that are not places, with what to write
/// instead. The tz database keeps `EST`, `MST`, `HST` (fixed offsets, no
/// daylight saving), `CET`, `EET`, `MET`, `WET` and the POSIX-style
/// `EST5EDT`... for compatibility; a desk that writes `EST` almost always
/// means New York or Toronto time, which changes in summer, and would get
/// deadlines an hour off for half the year. The others (`PST`, `BST`,
/// `IST`...) are not in the database at all; naming the city saves a search.
const ABBREVIATIONS: [(&str, &str, &str); 27] = [
    (
        "EST",
        "fixed UTC-05:00 all year",
        "\"America/New_York\" or \"America/Toronto\" (Eastern time), or \"UTC-05:00\"",
    ),
    (
        "EDT",
        "Eastern daylight time",
        "\"America/New_York\" or \"America/Toronto\"",
    ),
    (
        "EST5EDT",
        "US Eastern rules",
        "\"America/New_York\" or \"America/Toronto\"",
    ),
    (
        "CST",
        "ambiguous (US Central, China or Cuba)",
        "\"America/Chicago\", \"Asia/Shanghai\" or \"America/Havana\"",
    ),
    (
        "CDT",
        "Central daylight time",
        "\"America/Chicago\" or \"America/Winnipeg\"",
    ),
    (
        "CST6CDT",
        "US Central rules",
        "\"America/Chicago\" or \"America/Winnipeg\"",
    ),
    (
        "MST",
        "fixed UTC-07:00 all year",
        "\"America/Denver\" or \"America/Edmonton\" (Mountain time), \"America/Phoenix\" (no daylight saving), or \"UTC-07:00\"",
    ),
    (
        "MDT",
        "Mountain daylight time",
        "\"America/Denver\" or \"America/Edmonton\"",
    ),
    (
        "MST7MDT",
        "US Mountain rules",
        "\"America/Denver\" or \"America/Edmonton\"",
    ),
    (
        "PST",
        "Pacific standard time",
        "\"America/Los_Angeles\" or \"America/Vancouver\"",
    ),
    (
        "PDT",
        "Pacific daylight time",
        "\"America/Los_Angeles\" or \"America/Vancouver\"",
    ),
    (
        "PST8PDT",
        "US Pacific rules",
        "\"America/Los_Angeles\" or \"America/Vancouver\"",
    ),
    ("HST", "fixed UTC-10:00 all year", "\"Pacific/Honolulu\""),
    ("AKST", "Alaska time", "\"America/Anchorage\""),
    (
        "CET",
        "Central European rules",
        "\"Europe/Paris\", \"Europe/Berlin\" or another city",
    ),
    (
        "CEST",
        "Central European summer time",
        "\"Europe/Paris\", \"Europe/Berlin\" or another city",
    ),
    (
        "MET",
        "Middle European rules",
        "\"Europe/Paris\", \"Europe/Berlin\" or another city",
    ),
    (
        "EET",
        "Eastern European rules",
        "\"Europe/Athens\", \"Europe/Helsinki\" or another city",
    ),
    ("WET", "Western European rules", "\"Europe/Lisbon\""),
    ("BST", "British summer time", "\"Europe/London\""),
    (
        "IST",
        "ambiguous (India, Ireland or Israel)",
        "\"Asia/Kolkata\", \"Europe/Dublin\" or \"Asia/Jerusalem\"",
    ),
    ("JST", "Japan standard time", "\"Asia/Tokyo\""),
    ("KST", "Korea standard time", "\"Asia/Seoul\""),
    ("SGT", "Singapore time", "\"Asia/Singapore\""),
    ("HKT", "Hong Kong time", "\"Asia/Hong_Kong\""),
    (
        "AEST",
        "Australian Eastern time",
        "\"Australia/Sydney\", \"Australia/Melbourne\" or \"Australia/Brisbane\"",
    ),
    ("NZST", "New Zealand time", "\"Pacific/Auckland\""),
];

/// Why `text` is refused if it is an abbreviation or a sign-inverted
/// `Etc/GMT+N` name, with the names to use instead.
fn abbreviation(text: &str) -> Option<String> {
    if let Some((abbr, meaning, instead)) = ABBREVIATIONS
        .iter()
        .find(|(a, _, _)| a.eq_ignore_ascii_case(text))
    {
        return Some(format!(
            "time zone {text:?} is an abbreviation ({abbr}: {meaning}), not a place: expected an IANA city zone such as {instead}"
        ));
    }
    // POSIX signs: Etc/GMT+5 is five hours *behind* UTC.
    let hours = text
        .strip_prefix("Etc/GMT")
        .or_else(|| text.strip_prefix("GMT"))?;
    let (sign, n) = match hours.as_bytes().first() {
        Some(b'+') => ('-', &hours[1..]),
        Some(b'-') => ('+', &hours[1..]),
        _ => return None,
    };
    let n: u32 = n.parse().ok().filter(|&n| (1..=14).contains(&n))?;
    Some(format!(
        "time zone {text:?} has an inverted sign (it is UTC{sign}{n:02}:00): expected an IANA city zone such as \"America/Toronto\", or \"UTC{sign}{n:02}:00\" for a fixed offset"
    ))
}

/// Any IANA zone of `chrono-tz` (re-exported as `sla_deadline::chrono_tz`).
impl From<chrono_tz::Tz> for Zone {
    fn from(tz: chrono_tz::Tz) -> Zone {
        Zone(Inner::Iana(tz))
    }
}

impl FromStr for Zone {
    type Err = Error;
    fn from_str(s: &str) -> Result<Zone, Error> {
        Zone::parse_at(s, || Location::new("time zone", ""))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Inner::Iana(tz) => f.write_str(tz.name()),
            Inner::Fixed(o) => {
                let s = o.local_minus_utc();
                if s == 0 {
                    return f.write_str("UTC");
                }
                let sign = if s < 0 { '-' } else { '+' };
                let s = s.abs();
                write!(f, "UTC{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
            }
        }
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let text = String::deserialize(d)?;
        parse_zone(&text).map_err(|m| serde::de::Error::custom(crate::input::shorten(&m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test literal")
    }

    fn utc(t: i64) -> String {
        DateTime::from_timestamp(t, 0).expect("in range").to_rfc3339()
    }

    #[test]
    fn gap_maps_to_the_transition_and_fold_to_the_earlier_instant() {
        let z: Zone = "America/Toronto".parse().expect("zone");
        // 2026-03-08 02:30 does not exist; the gap ends at 07:00Z (03:00 EDT).
        assert_eq!(
            utc(z.instant(local("2026-03-08 02:30"))),
            "2026-03-08T07:00:00+00:00"
        );
        assert_eq!(
            utc(z.instant(local("2026-03-08 02:00"))),
            "2026-03-08T07:00:00+00:00"
        );
        assert_eq!(
            utc(z.instant(local("2026-03-08 03:00"))),
            "2026-03-08T07:00:00+00:00"
        );
        // 2026-11-01 01:30 occurs twice; the earlier is 05:30Z (EDT).
        assert_eq!(
            utc(z.instant(local("2026-11-01 01:30"))),
            "2026-11-01T05:30:00+00:00"
        );
        let j: Zone = "America/St_Johns".parse().expect("zone");
        assert_eq!(
            utc(j.instant(local("2026-03-08 02:15"))),
            "2026-03-08T05:30:00+00:00"
        );
    }

    #[test]
    fn fixed_offsets_parse_and_print() {
        for (text, secs) in [
            ("UTC+01:00", 3600),
            ("UTC-05:00", -18000),
            ("UTC+05:30", 19800),
            ("UTC", 0),
        ] {
            let z: Zone = text.parse().expect("zone");
            assert_eq!(z.offset_at(0), secs);
            assert_eq!(z.to_string(), text);
        }
        for bad in ["UTC+1", "UTC+15:00", "UTC+01:60", "utc", "", "Europe/Lodnon"] {
            assert!(bad.parse::<Zone>().is_err(), "{bad}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("date");
        assert_eq!(Zone::UTC.instant(d), 1_767_225_600);
    }
}
