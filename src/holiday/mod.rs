//! Holiday sets: named rules that produce closed dates per year ([contract §3](crate::contract)).
//!
//! A set is data, a TOML file (format: `policies/holidays/README.md`):
//! [`parse`] turns the text into a validated model ([`rule::SetDef`]) and
//! [`rule`] evaluates it into dates. This module is the public face: the
//! built-in sets, coverage checks, and merging of holidays that share a date.

#[cfg(feature = "toml")]
mod cache;
#[cfg(feature = "ics")]
mod ics;
#[cfg(test)]
mod lunar;
#[cfg(feature = "toml")]
mod parse;
mod rule;

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
#[cfg(feature = "toml")]
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::error::{Error, Location};
use crate::hours::LocalSpan;
#[cfg(feature = "toml")]
pub(crate) use cache::SetCache;
use rule::{Entry, MAX_YEAR, MIN_YEAR, SetDef};

/// The longest span of years one [`HolidaySet::holidays`] call may ask for.
const MAX_QUERY_YEARS: u64 = 400;

/// The most rule-years one [`HolidaySet::holidays`] call may evaluate:
/// rules x (years asked for + the two neighbour years). Evaluation time and
/// the merged output grow with it; 2 million is 10,000 rules over 200 years
/// (the built-in sets need under 20 rules x 20 years).
pub(crate) const MAX_RULE_YEARS: u64 = 2_000_000;

/// About how many rule-years one evaluation chunk holds (see
/// [`HolidaySet::holidays`]).
const CHUNK_ENTRIES: usize = 100_000;

/// The largest holiday file read (TOML or iCalendar).
pub(crate) const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// The built-in sets: id and file text (embedded at compile time).
#[cfg(feature = "toml")]
const BUILTINS: [(&str, &str); 14] = [
    ("ca-qc", include_str!("../../policies/holidays/ca-qc.toml")),
    ("gb-eng", include_str!("../../policies/holidays/gb-eng.toml")),
    ("de-he", include_str!("../../policies/holidays/de-he.toml")),
    ("fr", include_str!("../../policies/holidays/fr.toml")),
    ("nl", include_str!("../../policies/holidays/nl.toml")),
    ("au-vic", include_str!("../../policies/holidays/au-vic.toml")),
    ("my-kul", include_str!("../../policies/holidays/my-kul.toml")),
    ("jp", include_str!("../../policies/holidays/jp.toml")),
    ("ca-on", include_str!("../../policies/holidays/ca-on.toml")),
    ("us", include_str!("../../policies/holidays/us.toml")),
    ("sg", include_str!("../../policies/holidays/sg.toml")),
    ("ie", include_str!("../../policies/holidays/ie.toml")),
    ("es", include_str!("../../policies/holidays/es.toml")),
    ("gb-sct", include_str!("../../policies/holidays/gb-sct.toml")),
];

#[cfg(feature = "toml")]
const BUILTIN_IDS: [&str; BUILTINS.len()] = [
    "ca-qc", "gb-eng", "de-he", "fr", "nl", "au-vic", "my-kul", "jp", "ca-on", "us", "sg", "ie", "es",
    "gb-sct",
];

/// A named set of holiday rules, immutable once loaded.
///
/// Load a built-in set with [`HolidaySet::builtin`] or your own file with
/// [`HolidaySet::from_path`] / [`HolidaySet::from_toml_str`], then list its
/// closed dates with [`HolidaySet::holidays`].
///
/// # Example
/// ```
/// use sla_deadline::HolidaySet;
/// let uk = HolidaySet::builtin("gb-eng")?;
/// let days = uk.holidays(2027, 2027)?;
/// let christmas: Vec<String> = days
///     .iter()
///     .filter(|h| h.date.format("%m").to_string() == "12")
///     .map(|h| format!("{} {}", h.date, h.name))
///     .collect();
/// assert_eq!(
///     christmas,
///     [
///         "2027-12-25 Christmas Day",
///         "2027-12-26 Boxing Day",
///         "2027-12-27 Christmas Day (substitute day)",
///         "2027-12-28 Boxing Day (substitute day)",
///     ]
/// );
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HolidaySet {
    def: Arc<SetDef>,
    /// Dates already evaluated for a span of years (a policy's horizon), so
    /// every calendar that uses the set shares one evaluation.
    listed: Option<Arc<Listed>>,
    /// Size of the text the set was read from, for a policy's budget over
    /// all its holiday files.
    source_bytes: usize,
}

/// Two sets are equal when they give the same dates: the same rules (a set
/// evaluated in advance for a horizon equals the same set not evaluated),
/// or, for iCalendar sets (which have no rules), the same listed dates.
impl PartialEq for HolidaySet {
    fn eq(&self, other: &HolidaySet) -> bool {
        self.def == other.def && (!self.def.rules.is_empty() || self.listed == other.listed)
    }
}

impl Eq for HolidaySet {}

/// The evaluated dates of the years `from..=to`.
#[derive(Debug, PartialEq, Eq)]
struct Listed {
    from: i32,
    to: i32,
    days: Vec<Holiday>,
}

/// One closed date of a [`HolidaySet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// The local date that is closed.
    pub date: NaiveDate,
    /// The holiday's name; observed and substitute days are their own
    /// entries, named as such (`Christmas Day (substitute day)`); holidays
    /// that share a date have their names joined with `" / "`.
    pub name: String,
    /// True for an explicit date not yet officially announced.
    pub estimated: bool,
    /// Empty when the date is closed all day; otherwise the local hours that
    /// are closed (a partial-day closure).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closed_hours: Vec<LocalSpan>,
}

impl HolidaySet {
    /// A built-in set by id: one of [`HolidaySet::builtin_ids`].
    ///
    /// # Errors
    /// [`Error::Unknown`] for an id that is not built in.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// let jp = HolidaySet::builtin("jp")?;
    /// assert_eq!(jp.id(), "jp");
    /// assert!(HolidaySet::builtin("xx").is_err());
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn builtin(id: &str) -> Result<HolidaySet, Error> {
        static LOADED: [OnceLock<Result<HolidaySet, Error>>; BUILTINS.len()] =
            [const { OnceLock::new() }; BUILTINS.len()];
        let found = BUILTINS
            .iter()
            .zip(LOADED.iter())
            .find(|((name, _), _)| *name == id);
        let Some(((name, text), cell)) = found else {
            return Err(Error::unknown("holiday set", id, BUILTIN_IDS));
        };
        cell.get_or_init(|| HolidaySet::from_toml_str(text, &format!("builtin:{name}")))
            .clone()
    }

    /// The ids of the built-in sets.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// assert!(HolidaySet::builtin_ids().contains(&"ca-qc"));
    /// ```
    #[cfg(feature = "toml")]
    pub fn builtin_ids() -> &'static [&'static str] {
        &BUILTIN_IDS
    }

    /// Parses a set from TOML text; `origin` (a file name) is used in error
    /// messages.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `origin`, the key path, line and column, the
    /// bad value and what was expected; [`Error::Limit`] for text over 4 MiB.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// let text = r#"
    /// id = "acme"
    /// name = "Acme offices"
    /// [holidays.founders_day]
    /// name = "Founders' Day"
    /// month = 5
    /// weekday = "friday"
    /// nth = "last"
    /// "#;
    /// let set = HolidaySet::from_toml_str(text, "acme.toml")?;
    /// assert_eq!(set.holidays(2026, 2026)?[0].date.to_string(), "2026-05-29");
    ///
    /// let err = HolidaySet::from_toml_str(&text.replace("\"last\"", "6"), "acme.toml")
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "acme.toml: line 8, column 7: holidays.founders_day.nth: 6 is not a valid nth: expected 1 to 5 or \"last\""
    /// );
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str, origin: &str) -> Result<HolidaySet, Error> {
        parse::parse(text, origin).map(|def| HolidaySet {
            def: Arc::new(def),
            listed: None,
            source_bytes: text.len(),
        })
    }

    /// Reads and parses a set from a TOML file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read: missing, not a regular file
    /// (a directory, FIFO or device), over 4 MiB or not UTF-8; otherwise as
    /// [`HolidaySet::from_toml_str`], naming the path.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// let set = HolidaySet::from_path("policies/holidays/fr.toml")?;
    /// assert_eq!(set, HolidaySet::builtin("fr")?);
    /// assert!(HolidaySet::from_path("no/such/file.toml").is_err());
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_path(path: impl AsRef<Path>) -> Result<HolidaySet, Error> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = read_text(path, &shown)?;
        HolidaySet::from_toml_str(&text, &shown)
    }

    /// Reads the closures of an iCalendar file (Outlook, Google Calendar, a
    /// government ICS feed) for the years `from_year..=to_year`, in the
    /// calendar zone `zone`: all-day events close whole dates, timed events
    /// close their hours (a partial-day closure), and yearly `RRULE`s repeat
    /// within the years. The set covers exactly those years. Needs the `ics`
    /// feature (on by default). `policies/holidays/README.md` says how TZID,
    /// UTC and floating times are converted.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::Limit`] for a file
    /// over 4 MiB; [`Error::Invalid`] naming the file, line and event UID for
    /// text that is not iCalendar, an event without DTSTART, a bad date, an
    /// unknown TZID or an unsupported recurrence.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{HolidaySet, Zone};
    /// let zone: Zone = "America/Toronto".parse()?;
    /// let set = HolidaySet::from_ics_path("tests/fixtures/ics/closures.ics", zone, 2026, 2027)?;
    /// assert_eq!((set.id(), set.name()), ("closures.ics", "Acme Toronto closures"));
    /// let offsite = &set.holidays(2026, 2026)?[3];
    /// assert_eq!(offsite.date.to_string(), "2026-11-05");
    /// assert_eq!(offsite.closed_hours[0].to_string(), "13:00-17:00");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[cfg(feature = "ics")]
    pub fn from_ics_path(
        path: impl AsRef<Path>,
        zone: crate::Zone,
        from_year: i32,
        to_year: i32,
    ) -> Result<HolidaySet, Error> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = read_text(path, &shown)?;
        HolidaySet::from_ics_str(&text, &shown, zone, from_year, to_year)
    }

    /// As [`HolidaySet::from_ics_path`], from text; `origin` (a file name)
    /// is used in error messages.
    ///
    /// # Errors
    /// As [`HolidaySet::from_ics_path`].
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{HolidaySet, Zone};
    /// let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nRRULE:FREQ=WEEKLY\r\n\
    ///             DTSTART;VALUE=DATE:20261224\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    /// let err = HolidaySet::from_ics_str(text, "office.ics", Zone::UTC, 2026, 2026).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "office.ics: line 4, column 7: event \"x\".RRULE: \"FREQ=WEEKLY\" is not a supported recurrence: expected FREQ=YEARLY, optionally with INTERVAL, COUNT or UNTIL (BYMONTH and BYMONTHDAY only as DTSTART's)"
    /// );
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    #[cfg(feature = "ics")]
    pub fn from_ics_str(
        text: &str,
        origin: &str,
        zone: crate::Zone,
        from_year: i32,
        to_year: i32,
    ) -> Result<HolidaySet, Error> {
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::Limit {
                what: "holiday set file size in bytes",
                limit: MAX_TEXT_BYTES as u64,
                value: text.len() as u64,
            });
        }
        if from_year > to_year || from_year < MIN_YEAR || to_year > MAX_YEAR {
            return Err(Error::invalid(
                Location::new(origin, ""),
                format!(
                    "{from_year}-{to_year} is not a span of years: expected first <= last, within {MIN_YEAR}-{MAX_YEAR}"
                ),
            ));
        }
        let ics::Closures { name, days } = ics::closures(text, origin, zone, (from_year, to_year))?;
        let file_name = Path::new(origin)
            .file_name()
            .map_or_else(|| origin.to_string(), |n| n.to_string_lossy().into_owned());
        let def = SetDef {
            name: name.unwrap_or_else(|| file_name.clone()),
            id: file_name,
            weekend: [false, false, false, false, false, true, true],
            rules: Vec::new(),
            coverage: Some((from_year, to_year)),
        };
        Ok(HolidaySet {
            def: Arc::new(def),
            listed: Some(Arc::new(Listed {
                from: from_year,
                to: to_year,
                days,
            })),
            source_bytes: text.len(),
        })
    }

    /// The set's id (`gb-eng`).
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The set's name (`England and Wales`).
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The years the set can answer for: `None` for every year the crate
    /// supports (1900 to 2200), `Some((first, last))` when explicit per-year
    /// dates (or the equinox approximation, defined to 2150) limit it.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// assert_eq!(HolidaySet::builtin("fr")?.coverage(), None);
    /// let (first, last) = HolidaySet::builtin("my-kul")?.coverage().unwrap_or_default();
    /// assert!(first <= 2020 && last >= 2035);
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn coverage(&self) -> Option<(i32, i32)> {
        self.def.coverage
    }

    /// Every closed date from 1 January of `from_year` to 31 December of
    /// `to_year`, sorted, one entry per date.
    ///
    /// Holidays that share a date are merged: names joined with `" / "` in
    /// file order, a full-day closure wins over a partial one (partial hours
    /// are united), and the date is `estimated` only if every holiday on it
    /// is. Each year is evaluated with its neighbour years in view, so an
    /// observed day that crosses a year boundary is kept.
    ///
    /// # Errors
    /// - [`Error::OutOfHorizon`] for a year outside [`HolidaySet::coverage`]
    ///   (or outside 1900-2200);
    /// - [`Error::Invalid`] if `from_year > to_year`;
    /// - [`Error::Limit`] for a span over 400 years, or when the set's rules
    ///   times (the span plus its two neighbour years) exceed 2,000,000.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::HolidaySet;
    /// let jp = HolidaySet::builtin("jp")?;
    /// let sept: Vec<String> = jp
    ///     .holidays(2026, 2026)?
    ///     .into_iter()
    ///     .filter(|h| h.date.format("%m").to_string() == "09")
    ///     .map(|h| format!("{} {}", h.date, h.name))
    ///     .collect();
    /// assert_eq!(
    ///     sept,
    ///     [
    ///         "2026-09-21 Respect for the Aged Day",
    ///         "2026-09-22 Citizens' Holiday",
    ///         "2026-09-23 Autumnal Equinox Day",
    ///     ]
    /// );
    /// assert!(jp.holidays(2027, 2026).is_err());
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn holidays(&self, from_year: i32, to_year: i32) -> Result<Vec<Holiday>, Error> {
        if from_year > to_year {
            return Err(Error::invalid(
                Location::new(format!("holiday set {}", self.def.id), ""),
                format!("from_year {from_year} is after to_year {to_year}: expected from_year <= to_year"),
            ));
        }
        let span = (i64::from(to_year) - i64::from(from_year) + 1).unsigned_abs();
        if span > MAX_QUERY_YEARS {
            return Err(Error::Limit {
                what: "holiday query span in years",
                limit: MAX_QUERY_YEARS,
                value: span,
            });
        }
        let (first, last) = self.def.coverage.unwrap_or((MIN_YEAR, MAX_YEAR));
        if from_year < first || to_year > last {
            return Err(Error::OutOfHorizon {
                instant: format!("{from_year}-{to_year}"),
                from_year: first,
                to_year: last,
                what: format!(
                    "holiday set {} ({}) has holidays for {first}-{last} only, not for {from_year}-{to_year}",
                    self.def.id, self.def.name
                ),
            });
        }
        if let Some(listed) = self.listed.as_deref() {
            if listed.from <= from_year && to_year <= listed.to {
                let years = from_year..=to_year;
                return Ok(listed
                    .days
                    .iter()
                    .filter(|h| years.contains(&h.date.year()))
                    .cloned()
                    .collect());
            }
        }
        let rule_years = (self.def.rules.len() as u64).saturating_mul(span + 2);
        if rule_years > MAX_RULE_YEARS {
            return Err(Error::Limit {
                what: "holiday rules x years to evaluate",
                limit: MAX_RULE_YEARS,
                value: rule_years,
            });
        }
        // A few years at a time, each chunk with its neighbour years in
        // view: memory stays at about `CHUNK_ENTRIES` entries whatever the
        // span, and small sets still evaluate in one go. Bounded above, so
        // the neighbour years cannot overflow.
        let per_chunk = (CHUNK_ENTRIES / self.def.rules.len().max(1)).max(1);
        let per_chunk = i32::try_from(per_chunk).unwrap_or(i32::MAX);
        let mut out = Vec::new();
        let mut first = from_year;
        while first <= to_year {
            let last = first.saturating_add(per_chunk - 1).min(to_year);
            let mut entries = self.def.evaluate(first - 1, last + 1);
            entries.retain(|e| (first..=last).contains(&e.date.year()));
            entries.sort_by_key(|e| (e.date, e.rule, e.substitute));
            merge(&self.def, &entries, &mut out);
            first = last + 1;
        }
        Ok(out)
    }

    /// The same set with the years `from..=to` evaluated once and kept, so
    /// later [`HolidaySet::holidays`] calls within them (one per calendar
    /// that uses the set) only copy. Used by the policy loader's cache.
    pub(crate) fn evaluated(&self, from: i32, to: i32) -> Result<HolidaySet, Error> {
        let days = self.holidays(from, to)?;
        Ok(HolidaySet {
            def: Arc::clone(&self.def),
            listed: Some(Arc::new(Listed { from, to, days })),
            source_bytes: self.source_bytes,
        })
    }

    /// Size of the text the set was read from.
    pub(crate) fn source_bytes(&self) -> usize {
        self.source_bytes
    }
}

/// Reads a holiday file (TOML or iCalendar), refusing one over the size
/// limit, with the crate's bounded reader.
fn read_text(path: &Path, shown: &str) -> Result<String, Error> {
    crate::input::read_file(path, MAX_TEXT_BYTES as u64)
        .map_err(|e| Error::read(shown, &e, "a holiday set file"))
}

/// Merges entries (sorted by date) that share a date, appending to `out`.
/// Names already on a date are tracked in a set, not found by re-splitting
/// the joined name (which made many holidays on one date quadratic).
fn merge(def: &SetDef, entries: &[Entry], out: &mut Vec<Holiday>) {
    let mut full_day = false;
    let mut names: HashSet<Cow<'_, str>> = HashSet::new();
    let mut last_date = None;
    for e in entries {
        let name = def.entry_name(e);
        let hours = def
            .rules
            .get(e.rule)
            .map(|r| r.closed_hours.as_slice())
            .unwrap_or_default();
        match out.last_mut() {
            Some(last) if last_date == Some(e.date) => {
                if !names.contains(&name) {
                    last.name.push_str(" / ");
                    last.name.push_str(&name);
                    names.insert(name);
                }
                last.estimated &= e.estimated;
                if full_day || hours.is_empty() {
                    full_day = true;
                    last.closed_hours.clear();
                } else {
                    last.closed_hours.extend_from_slice(hours);
                    last.closed_hours = unite(std::mem::take(&mut last.closed_hours));
                }
            }
            _ => {
                full_day = hours.is_empty();
                names.clear();
                last_date = Some(e.date);
                out.push(Holiday {
                    date: e.date,
                    name: name.to_string(),
                    estimated: e.estimated,
                    closed_hours: hours.to_vec(),
                });
                names.insert(name);
            }
        }
    }
}

/// Sorts spans and joins those that overlap or touch.
fn unite(mut spans: Vec<LocalSpan>) -> Vec<LocalSpan> {
    spans.sort_unstable();
    let mut out: Vec<LocalSpan> = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(last) = out.last_mut() {
            if s.start() <= last.end() {
                if let Some(joined) = LocalSpan::from_seconds(last.start(), last.end().max(s.end())) {
                    *last = joined;
                }
                continue;
            }
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads() {
        for id in HolidaySet::builtin_ids() {
            let set = HolidaySet::builtin(id).expect("built-in sets are valid");
            assert_eq!(set.id(), *id);
            set.holidays(2020, 2035).expect("built-ins cover 2020-2035");
        }
    }

    #[test]
    fn an_evaluated_set_equals_the_set() {
        let set = HolidaySet::builtin("gb-eng").expect("built-in");
        let evaluated = set.evaluated(2026, 2027).expect("in range");
        assert_eq!(evaluated, set);
        assert_eq!(evaluated.holidays(2026, 2026), set.holidays(2026, 2026));
        // Outside the evaluated years it evaluates as before.
        assert_eq!(evaluated.holidays(2030, 2031), set.holidays(2030, 2031));
    }

    #[test]
    fn partial_spans_unite() {
        let span = |s: &str| s.parse::<LocalSpan>().expect("valid span");
        assert_eq!(
            unite(vec![
                span("13:00-17:00"),
                span("09:00-12:00"),
                span("12:00-13:30")
            ]),
            vec![span("09:00-17:00")]
        );
    }
}
