//! TOML text -> validated [`SetDef`].
//!
//! The document is walked by hand over `toml`'s spanned tree rather than
//! through serde derives: every error then names the exact key path
//! (`holidays.christmas.observed[1].to`), the line and column of the bad
//! value, the value and what was expected, and unknown keys are caught with
//! their position. `policies/holidays/README.md` documents the format.

use std::ops::Range;

use chrono::{Datelike, NaiveDate, Weekday};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::rule::{
    EQUINOX_YEARS, Equinox, ExplicitDate, MAX_YEAR, MIN_YEAR, Nth, Rule, SetDef, Target, Transform, When,
    YearFilter,
};
use crate::error::{Error, Location};
use crate::hours::LocalSpan;

/// The input size we accept (keeps parsing bounded).
use super::MAX_TEXT_BYTES;

/// The most holidays (rules) one set may define: checked before any is
/// validated, so an oversized file fails fast. 10,000 rules is what the
/// evaluation limit allows over a 200-year horizon.
pub(crate) const MAX_RULES: usize = 10_000;

const TOP_KEYS: &[&str] = &["id", "name", "weekend", "observed", "holidays"];
const HOLIDAY_KEYS: &[&str] = &[
    "name",
    "date",
    "month",
    "weekday",
    "nth",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "easter",
    "equinox",
    "dates",
    "covers",
    "between_holidays",
    "first_year",
    "last_year",
    "every_n_years",
    "except_years",
    "observed",
    "closed_hours",
];
const TRANSFORM_KEYS: &[&str] = &[
    "on",
    "to",
    "action",
    "name",
    "first_year",
    "last_year",
    "once_per_date",
];
const DATE_KEYS: &[&str] = &["date", "estimated"];
const WEEKDAYS: &str =
    "monday, tuesday, wednesday, thursday, friday, saturday, sunday (or mon, tue, wed, thu, fri, sat, sun)";
const TARGETS: &str = "next_<weekday>, previous_<weekday>, next_weekday, previous_weekday, next_working_day, previous_working_day, next_non_holiday";

type Value<'i> = Spanned<DeValue<'i>>;

/// Parsing context: the text and its origin, for error locations.
struct Cx<'t> {
    text: &'t str,
    origin: &'t str,
}

impl Cx<'_> {
    fn err(&self, path: &str, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::invalid(
            Location::new(self.origin, path).at_offset(self.text, span.start),
            message,
        )
    }

    fn table<'a, 'i>(&self, path: &str, value: &'a Value<'i>) -> Result<&'a DeTable<'i>, Error> {
        value.get_ref().as_table().ok_or_else(|| {
            self.err(
                path,
                value.span(),
                format!("expected a table, found {}", value.get_ref().type_str()),
            )
        })
    }

    fn array<'a, 'i>(&self, path: &str, value: &'a Value<'i>) -> Result<&'a [Value<'i>], Error> {
        match value.get_ref() {
            DeValue::Array(a) => Ok(a),
            other => Err(self.err(
                path,
                value.span(),
                format!("expected an array, found {}", other.type_str()),
            )),
        }
    }

    fn string<'a>(&self, path: &str, value: &'a Value<'_>) -> Result<&'a str, Error> {
        value.get_ref().as_str().ok_or_else(|| {
            self.err(
                path,
                value.span(),
                format!("expected a string, found {}", value.get_ref().type_str()),
            )
        })
    }

    fn bool(&self, path: &str, value: &Value<'_>) -> Result<bool, Error> {
        value.get_ref().as_bool().ok_or_else(|| {
            self.err(
                path,
                value.span(),
                format!("expected true or false, found {}", value.get_ref().type_str()),
            )
        })
    }

    fn integer(&self, path: &str, value: &Value<'_>) -> Result<i64, Error> {
        let found = |what: &str| self.err(path, value.span(), format!("expected an integer, found {what}"));
        match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| self.err(path, value.span(), format!("integer {} is too large", i.as_str()))),
            other => Err(found(other.type_str())),
        }
    }

    fn int_in(&self, path: &str, value: &Value<'_>, lo: i64, hi: i64, what: &str) -> Result<i64, Error> {
        let n = self.integer(path, value)?;
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(self.err(
                path,
                value.span(),
                format!("{n} is not a valid {what}: expected {lo} to {hi}"),
            ))
        }
    }

    fn year(&self, path: &str, value: &Value<'_>) -> Result<i32, Error> {
        let n = self.integer(path, value)?;
        i32::try_from(n)
            .ok()
            .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
            .ok_or_else(|| {
                self.err(
                    path,
                    value.span(),
                    format!("year {n} is out of range: expected {MIN_YEAR} to {MAX_YEAR}"),
                )
            })
    }

    /// Checks every key of `table` against `allowed`.
    fn keys(&self, path: &str, table: &DeTable<'_>, allowed: &[&str]) -> Result<(), Error> {
        for key in table.keys() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                return Err(self.err(
                    &join(path, key.get_ref()),
                    key.span(),
                    format!(
                        "unknown key {:?}: expected one of {}",
                        key.get_ref(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    table.get(key)
}

fn weekday(text: &str) -> Option<Weekday> {
    Some(match text.to_ascii_lowercase().as_str() {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Cx<'_> {
    fn weekday(&self, path: &str, value: &Value<'_>) -> Result<Weekday, Error> {
        let text = self.string(path, value)?;
        weekday(text).ok_or_else(|| {
            self.err(
                path,
                value.span(),
                format!("{text:?} is not a weekday: expected one of {WEEKDAYS}"),
            )
        })
    }

    /// `"MM-DD"`.
    fn month_day(&self, path: &str, value: &Value<'_>) -> Result<(u32, u32), Error> {
        let text = self.string(path, value)?;
        let bad = |why: String| {
            self.err(
                path,
                value.span(),
                format!("{text:?} is not a valid month-day ({why}): expected \"MM-DD\", e.g. \"12-25\""),
            )
        };
        let (m, d) = text
            .split_once('-')
            .filter(|(m, d)| m.len() == 2 && d.len() == 2)
            .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
            .ok_or_else(|| bad("not of the form MM-DD".to_string()))?;
        let Some(month_name) = m.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
            return Err(bad(format!("there is no month {m}")));
        };
        if d == 0 || d > days_in_month(m) {
            return Err(bad(format!("{month_name} has no day {d}")));
        }
        Ok((m, d))
    }

    /// A full date: a TOML local date (`2026-01-01`) or the same as a string.
    fn date(&self, path: &str, value: &Value<'_>) -> Result<NaiveDate, Error> {
        let text = match value.get_ref() {
            DeValue::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => dt.to_string(),
            DeValue::String(s) => s.to_string(),
            other => {
                return Err(self.err(
                    path,
                    value.span(),
                    format!("expected a date \"YYYY-MM-DD\", found {}", other.type_str()),
                ));
            }
        };
        let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            self.err(
                path,
                value.span(),
                format!("{text:?} is not a valid date: expected \"YYYY-MM-DD\", e.g. \"2026-12-25\""),
            )
        })?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
            return Err(self.err(
                path,
                value.span(),
                format!("date {text} is out of range: expected a year from {MIN_YEAR} to {MAX_YEAR}"),
            ));
        }
        Ok(date)
    }

    /// A weekday list: a name, `"weekend"`, or an array of names.
    fn weekdays(&self, path: &str, value: &Value<'_>, weekend: &[bool; 7]) -> Result<[bool; 7], Error> {
        let mut days = [false; 7];
        let mut one = |path: &str, v: &Value<'_>| -> Result<(), Error> {
            let text = self.string(path, v)?;
            if text == "weekend" {
                for (d, w) in days.iter_mut().zip(weekend) {
                    *d |= *w;
                }
                return Ok(());
            }
            let day = weekday(text).ok_or_else(|| {
                self.err(
                    path,
                    v.span(),
                    format!("{text:?} is not a weekday: expected \"weekend\" or one of {WEEKDAYS}"),
                )
            })?;
            days[day.num_days_from_monday() as usize] = true;
            Ok(())
        };
        match value.get_ref() {
            DeValue::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    one(&format!("{path}[{i}]"), v)?;
                }
            }
            _ => one(path, value)?,
        }
        Ok(days)
    }

    fn target(&self, path: &str, value: &Value<'_>) -> Result<Target, Error> {
        let text = self.string(path, value)?;
        let target = match text {
            "next_weekday" => Some(Target::NextWeekday),
            "previous_weekday" => Some(Target::PreviousWeekday),
            "next_working_day" => Some(Target::NextWorkingDay),
            "previous_working_day" => Some(Target::PreviousWorkingDay),
            "next_non_holiday" => Some(Target::NextNonHoliday),
            _ => {
                if let Some(day) = text.strip_prefix("next_") {
                    weekday(day).map(Target::Next)
                } else if let Some(day) = text.strip_prefix("previous_") {
                    weekday(day).map(Target::Previous)
                } else {
                    None
                }
            }
        };
        target.ok_or_else(|| {
            self.err(
                path,
                value.span(),
                format!("{text:?} is not a transform target: expected one of {TARGETS}"),
            )
        })
    }

    fn transforms(
        &self,
        path: &str,
        value: &Value<'_>,
        weekend: &[bool; 7],
    ) -> Result<Vec<Transform>, Error> {
        let mut out = Vec::new();
        for (i, item) in self.array(path, value)?.iter().enumerate() {
            let path = format!("{path}[{i}]");
            let table = self.table(&path, item)?;
            self.keys(&path, table, TRANSFORM_KEYS)?;
            let need = |key: &str| {
                get(table, key).ok_or_else(|| {
                    self.err(
                        &path,
                        item.span(),
                        format!("missing key {key:?}: a transform needs on, to and action"),
                    )
                })
            };
            let on = need("on")?;
            let on = self.weekdays(&join(&path, "on"), on, weekend)?;
            let to = need("to")?;
            let to = self.target(&join(&path, "to"), to)?;
            let action_value = need("action")?;
            let action_path = join(&path, "action");
            let substitute = match self.string(&action_path, action_value)? {
                "move" => false,
                "substitute" => true,
                other => {
                    return Err(self.err(
                        &action_path,
                        action_value.span(),
                        format!("{other:?} is not a transform action: expected \"move\" or \"substitute\""),
                    ));
                }
            };
            let name = match get(table, "name") {
                Some(v) => Some(self.string(&join(&path, "name"), v)?.to_string()),
                None => None,
            };
            let once_per_date = match get(table, "once_per_date") {
                Some(v) => self.bool(&join(&path, "once_per_date"), v)?,
                None => false,
            };
            let mut years = YearFilter::default();
            if let Some(v) = get(table, "first_year") {
                years.first = Some(self.year(&join(&path, "first_year"), v)?);
            }
            if let Some(v) = get(table, "last_year") {
                let last = self.year(&join(&path, "last_year"), v)?;
                if let Some(first) = years.first.filter(|f| *f > last) {
                    return Err(self.err(
                        &join(&path, "last_year"),
                        v.span(),
                        format!(
                            "last_year {last} is before first_year {first}: expected first_year <= last_year"
                        ),
                    ));
                }
                years.last = Some(last);
            }
            out.push(Transform {
                on,
                to,
                substitute,
                name,
                years,
                once_per_date,
            });
        }
        Ok(out)
    }

    fn closed_hours(&self, path: &str, value: &Value<'_>) -> Result<Vec<LocalSpan>, Error> {
        let mut spans = Vec::new();
        for (i, item) in self.array(path, value)?.iter().enumerate() {
            let path = format!("{path}[{i}]");
            let text = self.string(&path, item)?;
            let span = LocalSpan::parse_at(text, || {
                Location::new(self.origin, path.as_str()).at_offset(self.text, item.span().start)
            })?;
            if span.crosses_midnight() {
                return Err(self.err(
                    &path,
                    item.span(),
                    format!("{text:?} crosses midnight: expected closed hours within the day, such as \"12:00-17:00\" (close the next date with its own entry)"),
                ));
            }
            spans.push(span);
        }
        if spans.is_empty() {
            return Err(self.err(path, value.span(), "empty list: expected at least one span \"HH:MM-HH:MM\" (leave the key out for a full-day closure)"));
        }
        crate::hours::check_day(&mut spans, || {
            Location::new(self.origin, path).at_offset(self.text, value.span().start)
        })?;
        Ok(spans)
    }

    fn explicit_dates(&self, path: &str, value: &Value<'_>) -> Result<Vec<ExplicitDate>, Error> {
        let mut out = Vec::new();
        for (i, item) in self.array(path, value)?.iter().enumerate() {
            let path = format!("{path}[{i}]");
            if let DeValue::Table(table) = item.get_ref() {
                self.keys(&path, table, DATE_KEYS)?;
                let date = get(table, "date").ok_or_else(|| {
                    self.err(
                        &path,
                        item.span(),
                        "missing key \"date\": expected { date = \"YYYY-MM-DD\", estimated = true }",
                    )
                })?;
                let date = self.date(&join(&path, "date"), date)?;
                let estimated = match get(table, "estimated") {
                    Some(v) => self.bool(&join(&path, "estimated"), v)?,
                    None => false,
                };
                out.push(ExplicitDate { date, estimated });
            } else {
                out.push(ExplicitDate {
                    date: self.date(&path, item)?,
                    estimated: false,
                });
            }
        }
        if out.is_empty() {
            return Err(self.err(path, value.span(), "empty list: expected at least one date"));
        }
        Ok(out)
    }

    fn year_list(&self, path: &str, value: &Value<'_>) -> Result<Vec<i32>, Error> {
        self.array(path, value)?
            .iter()
            .enumerate()
            .map(|(i, v)| self.year(&format!("{path}[{i}]"), v))
            .collect()
    }
}

/// Parses and validates a holiday set.
pub(crate) fn parse(text: &str, origin: &str) -> Result<SetDef, Error> {
    let cx = Cx { text, origin };
    if text.len() > MAX_TEXT_BYTES {
        return Err(Error::Limit {
            what: "holiday set file size in bytes",
            limit: MAX_TEXT_BYTES as u64,
            value: text.len() as u64,
        });
    }
    let doc = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().replace('\n', "; ");
        Error::invalid(
            Location::new(origin, "").at_offset(text, offset),
            format!("invalid toml: {message}"),
        )
    })?;
    let top = doc.get_ref();
    cx.keys("", top, TOP_KEYS)?;
    let whole = 0..0;
    let missing =
        |key: &str, what: &str| cx.err("", whole.clone(), format!("missing key {key:?}: expected {what}"));

    let id_value = get(top, "id").ok_or_else(|| missing("id", "the set's id, e.g. id = \"gb-eng\""))?;
    let id = cx.string("id", id_value)?;
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(cx.err(
            "id",
            id_value.span(),
            format!("{id:?} is not a valid id: expected 1 to 64 lowercase letters, digits, '-' or '_'"),
        ));
    }
    let name_value = get(top, "name")
        .ok_or_else(|| missing("name", "the set's name, e.g. name = \"England and Wales\""))?;
    let name = cx.string("name", name_value)?.to_string();

    let mut weekend = [false, false, false, false, false, true, true];
    if let Some(v) = get(top, "weekend") {
        let days = cx.weekdays("weekend", v, &[false; 7])?;
        if days.iter().all(|d| *d) {
            return Err(cx.err(
                "weekend",
                v.span(),
                "every day is a weekend day: expected at most six weekdays",
            ));
        }
        weekend = days;
    }
    let default_observed = match get(top, "observed") {
        Some(v) => cx.transforms("observed", v, &weekend)?,
        None => Vec::new(),
    };

    let holidays_value =
        get(top, "holidays").ok_or_else(|| missing("holidays", "a [holidays.<key>] table per holiday"))?;
    let holidays = cx.table("holidays", holidays_value)?;
    if holidays.len() > MAX_RULES {
        return Err(cx.err(
            "holidays",
            holidays_value.span(),
            format!(
                "{} holidays: expected at most {MAX_RULES} in one set",
                holidays.len()
            ),
        ));
    }
    // The map is ordered by key; file order matters for transforms, so sort
    // by position in the text.
    let mut items: Vec<(&Spanned<std::borrow::Cow<'_, str>>, &Value<'_>)> = holidays.iter().collect();
    items.sort_by_key(|(k, _)| k.span().start);
    if items.is_empty() {
        return Err(cx.err(
            "holidays",
            holidays_value.span(),
            "no holidays: expected at least one [holidays.<key>] table",
        ));
    }

    let mut coverage: Option<(i32, i32)> = None;
    let mut coverage_from: Option<String> = None;
    let mut rules = Vec::with_capacity(items.len());
    for (key, value) in items {
        let path = format!("holidays.{}", key.get_ref());
        let (rule, covers) = holiday(&cx, &path, value, &weekend, &default_observed)?;
        let narrowed = match (coverage, covers) {
            (c, None) => c,
            (None, Some(c)) => Some(c),
            (Some((a, b)), Some((c, d))) => Some((a.max(c), b.min(d))),
        };
        if let Some((a, b)) = narrowed {
            if a > b {
                return Err(cx.err(
                    &path,
                    value.span(),
                    format!(
                        "the years this holiday covers do not overlap those of {}: the set would cover no year",
                        coverage_from.as_deref().unwrap_or("the other holidays")
                    ),
                ));
            }
        }
        if covers.is_some() && coverage_from.is_none() {
            coverage_from = Some(path.clone());
        }
        coverage = narrowed;
        rules.push(rule);
    }
    if rules.iter().any(|r| matches!(r.when, When::Equinox(_))) {
        coverage = Some(match coverage {
            None => EQUINOX_YEARS,
            Some((a, b)) => (a.max(EQUINOX_YEARS.0), b.min(EQUINOX_YEARS.1)),
        });
    }
    Ok(SetDef {
        id: id.to_string(),
        name,
        weekend,
        rules,
        coverage,
    })
}

/// The keys that say when a holiday falls; exactly one group is allowed.
const WHEN_KEYS: &[&str] = &[
    "date",
    "nth",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "easter",
    "equinox",
    "dates",
    "between_holidays",
];

fn holiday(
    cx: &Cx<'_>,
    path: &str,
    value: &Value<'_>,
    weekend: &[bool; 7],
    default_observed: &[Transform],
) -> Result<(Rule, Option<(i32, i32)>), Error> {
    let table = cx.table(path, value)?;
    cx.keys(path, table, HOLIDAY_KEYS)?;
    let at = |key: &str| join(path, key);
    let name = match get(table, "name") {
        Some(v) => cx.string(&at("name"), v)?.to_string(),
        None => {
            return Err(cx.err(
                path,
                value.span(),
                "missing key \"name\": expected the holiday's name, e.g. name = \"Christmas Day\"",
            ));
        }
    };
    let present: Vec<&str> = WHEN_KEYS
        .iter()
        .copied()
        .filter(|k| table.contains_key(*k))
        .collect();
    let kind = match present.as_slice() {
        [one] => *one,
        [] => {
            return Err(cx.err(
                path,
                value.span(),
                format!("no date rule: expected exactly one of {}", WHEN_KEYS.join(", ")),
            ));
        }
        [_, second, ..] => {
            let v = get(table, second).map_or(value.span(), |v| v.span());
            return Err(cx.err(
                &at(second),
                v,
                format!(
                    "{} given together: expected exactly one of {}",
                    present.join(" and "),
                    WHEN_KEYS.join(", ")
                ),
            ));
        }
    };
    let uses = |key: &str, allowed: bool| -> Result<(), Error> {
        match get(table, key) {
            Some(v) if !allowed => Err(cx.err(
                &at(key),
                v.span(),
                format!(
                    "{key:?} does not go with {kind:?}: see the holiday-set format for which keys combine"
                ),
            )),
            _ => Ok(()),
        }
    };
    let relative = matches!(kind, "before" | "after" | "on_or_before" | "on_or_after");
    uses("month", kind == "nth")?;
    uses("weekday", kind == "nth" || relative)?;
    uses("covers", kind == "dates")?;
    // "MM-DD" recurs; a full date (string or TOML date) is a one-off.
    let full_date = kind == "date"
        && get(table, "date").is_some_and(|v| match v.get_ref() {
            DeValue::Datetime(_) => true,
            DeValue::String(s) => s.len() != 5,
            _ => false,
        });
    let recurring = kind != "dates" && !full_date;
    for key in ["first_year", "last_year", "every_n_years", "except_years"] {
        uses(key, recurring)?;
    }
    let need = |key: &str| {
        get(table, key).ok_or_else(|| {
            cx.err(
                path,
                value.span(),
                format!("missing key {key:?}: {kind:?} needs {key}"),
            )
        })
    };

    let kind_value = need(kind)?;
    let kind_path = at(kind);
    let mut covers = None;
    let when = match kind {
        "date" => {
            if full_date {
                When::Dates(vec![ExplicitDate {
                    date: cx.date(&kind_path, kind_value)?,
                    estimated: false,
                }])
            } else {
                let (month, day) = cx.month_day(&kind_path, kind_value)?;
                When::Fixed { month, day }
            }
        }
        "nth" => {
            let nth = match kind_value.get_ref() {
                DeValue::String(s) if s.as_ref() == "last" => Nth::Last,
                DeValue::Integer(_) => {
                    let n = cx.integer(&kind_path, kind_value)?;
                    match u32::try_from(n) {
                        Ok(n @ 1..=5) => Nth::Nth(n),
                        _ => {
                            return Err(cx.err(
                                &kind_path,
                                kind_value.span(),
                                format!("{n} is not a valid nth: expected 1 to 5 or \"last\""),
                            ));
                        }
                    }
                }
                other => {
                    let shown = match other {
                        DeValue::String(s) => format!("{s:?}"),
                        other => other.type_str().to_string(),
                    };
                    return Err(cx.err(
                        &kind_path,
                        kind_value.span(),
                        format!("{shown} is not a valid nth: expected 1 to 5 or \"last\""),
                    ));
                }
            };
            let month = cx.int_in(&at("month"), need("month")?, 1, 12, "month")?;
            let weekday = cx.weekday(&at("weekday"), need("weekday")?)?;
            When::Nth {
                month: month as u32,
                weekday,
                nth,
            }
        }
        "before" | "after" | "on_or_before" | "on_or_after" => {
            let (month, day) = cx.month_day(&kind_path, kind_value)?;
            let weekday = cx.weekday(&at("weekday"), need("weekday")?)?;
            When::Relative {
                weekday,
                month,
                day,
                after: kind.ends_with("after"),
                inclusive: kind.starts_with("on_or"),
            }
        }
        "easter" => When::Easter(cx.int_in(
            &kind_path,
            kind_value,
            -200,
            200,
            "offset from Easter Sunday in days",
        )?),
        "equinox" => match cx.string(&kind_path, kind_value)? {
            "vernal" | "march" => When::Equinox(Equinox::Vernal),
            "autumnal" | "september" => When::Equinox(Equinox::Autumnal),
            other => {
                return Err(cx.err(
                    &kind_path,
                    kind_value.span(),
                    format!("{other:?} is not an equinox: expected \"vernal\" or \"autumnal\""),
                ));
            }
        },
        "between_holidays" => {
            if !cx.bool(&kind_path, kind_value)? {
                return Err(cx.err(
                    &kind_path,
                    kind_value.span(),
                    "between_holidays = false means nothing: expected true (or leave the holiday out)",
                ));
            }
            When::Between
        }
        _ => {
            let mut dates = cx.explicit_dates(&kind_path, kind_value)?;
            if let Some(cv) = get(table, "covers") {
                let cpath = at("covers");
                let years = cx.year_list(&cpath, cv)?;
                let [first, last] = years.as_slice() else {
                    return Err(cx.err(
                        &cpath,
                        cv.span(),
                        format!("expected [first_year, last_year], found {} values", years.len()),
                    ));
                };
                if first > last {
                    return Err(cx.err(
                        &cpath,
                        cv.span(),
                        format!(
                            "first year {first} is after last year {last}: expected [first_year, last_year]"
                        ),
                    ));
                }
                if let Some(bad) = dates
                    .iter()
                    .position(|d| !(*first..=*last).contains(&d.date.year()))
                {
                    let span = cx
                        .array(&kind_path, kind_value)?
                        .get(bad)
                        .map_or(kind_value.span(), |v| v.span());
                    let date = dates.get(bad).map(|d| d.date.to_string()).unwrap_or_default();
                    return Err(cx.err(&format!("{kind_path}[{bad}]"), span, format!("date {date} is outside the covered years {first}-{last}: widen covers or remove the date")));
                }
                for year in *first..=*last {
                    if !dates.iter().any(|d| d.date.year() == year) {
                        return Err(cx.err(&kind_path, kind_value.span(), format!("no date for {year}, which covers = [{first}, {last}] includes: add the date(s) of {year} or narrow covers")));
                    }
                }
                covers = Some((*first, *last));
            }
            dates.sort_by_key(|d| d.date);
            if let Some(pair) = dates.windows(2).find(|p| matches!(p, [a, b] if a.date == b.date)) {
                let date = pair.first().map(|d| d.date.to_string()).unwrap_or_default();
                return Err(cx.err(
                    &kind_path,
                    kind_value.span(),
                    format!("date {date} is listed twice: expected each date once"),
                ));
            }
            When::Dates(dates)
        }
    };

    let mut years = YearFilter::default();
    if let Some(v) = get(table, "first_year") {
        years.first = Some(cx.year(&at("first_year"), v)?);
    }
    if let Some(v) = get(table, "last_year") {
        let last = cx.year(&at("last_year"), v)?;
        if let Some(first) = years.first.filter(|f| *f > last) {
            return Err(cx.err(
                &at("last_year"),
                v.span(),
                format!("last_year {last} is before first_year {first}: expected first_year <= last_year"),
            ));
        }
        years.last = Some(last);
    }
    if let Some(v) = get(table, "every_n_years") {
        let n = cx.int_in(&at("every_n_years"), v, 1, 100, "year step")?;
        if years.first.is_none() {
            return Err(cx.err(
                &at("every_n_years"),
                v.span(),
                "every_n_years counts from first_year: expected first_year as well",
            ));
        }
        years.every = i32::try_from(n).ok();
    }
    if let Some(v) = get(table, "except_years") {
        years.except = cx.year_list(&at("except_years"), v)?;
    }
    let observed = match get(table, "observed") {
        Some(v) => cx.transforms(&at("observed"), v, weekend)?,
        None if kind == "between_holidays" => Vec::new(),
        None => default_observed.to_vec(),
    };
    let closed_hours = match get(table, "closed_hours") {
        Some(v) => cx.closed_hours(&at("closed_hours"), v)?,
        None => Vec::new(),
    };
    Ok((
        Rule {
            name,
            when,
            years,
            observed,
            closed_hours,
        },
        covers,
    ))
}
