//! Stage 1: policy text -> raw serde structs that mirror the file.
//!
//! Nothing is checked here beyond TOML syntax, known keys and value types;
//! every value keeps its byte span (`Spanned`) so that the next stage
//! (`load`) can point at it. Keys the loader must insist on are `Option`s:
//! `load` reports a missing key with what it expected, which serde's
//! "missing field" message cannot do.
//!
//! Tables keyed by id (`[regions.americas]`, `[severities.P1]`, ...) are read
//! into `BTreeMap`s, which sort by key; [`ordered`] restores file order from
//! the keys' spans, because the order of severities, channels and metrics is
//! the order of grids and reports.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Location};

/// A map from spanned ids to spanned values.
pub(crate) type IdMap<T> = BTreeMap<Spanned<String>, Spanned<T>>;

/// A list of spanned strings.
pub(crate) type Strings = Vec<Spanned<String>>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) policy: Option<Spanned<RawMeta>>,
    pub(crate) regions: Option<Spanned<IdMap<RawRegion>>>,
    pub(crate) severities: Option<Spanned<IdMap<RawSeverity>>>,
    pub(crate) channels: Option<Spanned<IdMap<RawChannel>>>,
    pub(crate) statuses: Option<Spanned<IdMap<RawStatus>>>,
    pub(crate) metrics: Option<Spanned<IdMap<RawMetric>>>,
    pub(crate) rules: Option<Spanned<Vec<Spanned<RawRule>>>>,
    pub(crate) options: Option<Spanned<RawOptions>>,
}

/// A date: a TOML local date (`since = 2027-01-01`) or the same text
/// quoted; `load` checks it is a date and nothing more.
pub(crate) type RawDate = Spanned<DateText>;

/// The text of a date value, as written.
#[derive(Debug)]
pub(crate) struct DateText(pub(crate) String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DateText, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2027-01-01")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            // toml hands a date or date-time over as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateText, A::Error> {
                let Some((_, text)) = map.next_entry::<IgnoredKey, String>()? else {
                    return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
                };
                Ok(DateText(text))
            }
        }
        d.deserialize_any(V)
    }
}

/// A map key whose text does not matter.
struct IgnoredKey;

impl<'de> Deserialize<'de> for IgnoredKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IgnoredKey, D::Error> {
        de::IgnoredAny::deserialize(d).map(|_| IgnoredKey)
    }
}

/// `[[rules]]`: an SLA rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) since: Option<RawDate>,
    pub(crate) until: Option<RawDate>,
    pub(crate) when: Option<Spanned<RawWhen>>,
    pub(crate) calendar: Option<Spanned<String>>,
    pub(crate) metrics: Option<Spanned<IdMap<RawRuleMetric>>>,
}

/// `[rules.when]`: the conditions of a rule, each one value or a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWhen {
    pub(crate) severity: Option<Spanned<OneOrMany>>,
    pub(crate) channel: Option<Spanned<OneOrMany>>,
    pub(crate) region: Option<Spanned<OneOrMany>>,
    pub(crate) attributes: Option<Spanned<IdMap<OneOrMany>>>,
}

/// `[rules.metrics.<id>]`: a rule's clock and targets for one metric.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleMetric {
    pub(crate) clock: Option<Spanned<ClockSpec>>,
    pub(crate) target: Option<Spanned<String>>,
    pub(crate) by_severity: Option<Spanned<IdMap<String>>>,
    pub(crate) by_channel: Option<Spanned<IdMap<String>>>,
    pub(crate) grid: Option<Spanned<IdMap<Row>>>,
}

/// `[[metrics.<id>.versions]]`: the targets in force between two dates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTargetVersion {
    pub(crate) since: Option<RawDate>,
    pub(crate) until: Option<RawDate>,
    pub(crate) target: Option<Spanned<String>>,
    pub(crate) by_severity: Option<Spanned<IdMap<String>>>,
    pub(crate) by_channel: Option<Spanned<IdMap<String>>>,
    pub(crate) grid: Option<Spanned<IdMap<Row>>>,
}

/// `[[regions.<id>.versions]]`: the weekly hours in force between two
/// dates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHoursVersion {
    pub(crate) since: Option<RawDate>,
    pub(crate) until: Option<RawDate>,
    pub(crate) hours: Option<Spanned<IdMap<Strings>>>,
}

/// `[policy]`: metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) vendor: Option<Spanned<String>>,
    pub(crate) source: Option<Spanned<String>>,
}

/// `[regions.<id>]`: a support centre.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegion {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) zone: Option<Spanned<String>>,
    pub(crate) hours: Option<Spanned<IdMap<Strings>>>,
    pub(crate) holidays: Option<Spanned<OneOrMany>>,
    pub(crate) exceptions: Option<Spanned<IdMap<Strings>>>,
    pub(crate) languages: Option<Spanned<Strings>>,
    /// Follow-the-sun: the ids of the regions whose calendars it joins.
    pub(crate) union: Option<Spanned<Strings>>,
    /// Dated versions of `hours`.
    pub(crate) versions: Option<Spanned<Vec<Spanned<RawHoursVersion>>>>,
}

/// `[severities.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeverity {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) description: Option<Spanned<String>>,
}

/// `[channels.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    pub(crate) name: Option<Spanned<String>>,
}

/// `[statuses.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStatus {
    pub(crate) name: Option<Spanned<String>>,
}

/// `[metrics.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMetric {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) clock: Option<Spanned<ClockSpec>>,
    pub(crate) start: Option<Spanned<Strings>>,
    pub(crate) stop: Option<Spanned<Strings>>,
    pub(crate) restart: Option<Spanned<Strings>>,
    pub(crate) on_reopen: Option<Spanned<String>>,
    pub(crate) pauses_while_waiting: Option<Spanned<bool>>,
    pub(crate) pause_in: Option<Spanned<Strings>>,
    pub(crate) cycles: Option<Spanned<String>>,
    pub(crate) channels: Option<Spanned<Strings>>,
    pub(crate) target: Option<Spanned<String>>,
    pub(crate) by_severity: Option<Spanned<IdMap<String>>>,
    pub(crate) by_channel: Option<Spanned<IdMap<String>>>,
    pub(crate) grid: Option<Spanned<IdMap<Row>>>,
    /// Dated versions of the targets.
    pub(crate) versions: Option<Spanned<Vec<Spanned<RawTargetVersion>>>>,
}

/// `[options]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOptions {
    pub(crate) severity_change: Option<Spanned<String>>,
    pub(crate) business_days: Option<Spanned<String>>,
    pub(crate) warnings: Option<Spanned<Vec<Spanned<f64>>>>,
    pub(crate) horizon: Option<Spanned<Vec<Spanned<i64>>>>,
}

/// A string or a list of strings (`holidays = "ca-qc"` or
/// `holidays = ["ca-qc", "closures.toml"]`). A lone string has no span of
/// its own: the enclosing `Spanned` gives it.
#[derive(Debug)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Strings),
}

/// One row of a metric's grid: a target for every channel
/// (`P4 = "none"`) or a target per channel (`P1 = { phone = "1h" }`).
#[derive(Debug)]
pub(crate) enum Row {
    All(String),
    ByChannel(IdMap<String>),
}

/// A metric's clock: one kind (`clock = "business"`) or a kind per
/// severity (`clock = { P1 = "calendar", P2 = "business" }`).
#[derive(Debug, Clone)]
pub(crate) enum ClockSpec {
    One(String),
    BySeverity(IdMap<String>),
}

/// A string (`Ok`) or a table of strings (`Err`).
fn string_or_table<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<Result<String, IdMap<String>>, D::Error> {
    struct V(&'static str);
    impl<'de> Visitor<'de> for V {
        type Value = Result<String, IdMap<String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Ok(v.to_string()))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<Spanned<String>>()? {
                let value = map.next_value::<Spanned<String>>()?;
                out.insert(key, value);
            }
            Ok(Err(out))
        }
    }
    d.deserialize_any(V(expecting))
}

impl<'de> Deserialize<'de> for ClockSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClockSpec, D::Error> {
        Ok(
            match string_or_table(d, "\"business\", \"calendar\", or a table of them by severity")? {
                Ok(one) => ClockSpec::One(one),
                Err(table) => ClockSpec::BySeverity(table),
            },
        )
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneOrMany, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    out.push(item);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Row, D::Error> {
        Ok(
            match string_or_table(d, "a target string or a table of targets by channel")? {
                Ok(all) => Row::All(all),
                Err(by) => Row::ByChannel(by),
            },
        )
    }
}

/// The entries of an id-keyed table in file order.
pub(crate) fn ordered<T>(map: &IdMap<T>) -> Vec<(&Spanned<String>, &Spanned<T>)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Parses `text` into the raw structs. TOML syntax errors, unknown keys and
/// wrong value types become one [`Error::Invalid`] with the key path found
/// from the error's span.
pub(crate) fn parse(text: &str, origin: &str) -> Result<RawPolicy, Error> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if let Some(err) = errors.first() {
        return Err(from_toml(err, text, origin, doc.get_ref()));
    }
    toml::from_str::<RawPolicy>(text).map_err(|err| from_toml(&err, text, origin, doc.get_ref()))
}

/// Turns a toml error into ours: same message (tidied), same position, plus
/// the key path.
fn from_toml(err: &toml::de::Error, text: &str, origin: &str, doc: &DeTable<'_>) -> Error {
    let span = err.span().unwrap_or(0..0);
    let mut path = key_path(doc, &span);
    if path.is_empty() {
        // A syntax error stops the parser before the key is in `doc`.
        path = guess_path(text, span.start);
    }
    let mut message = in_policy_terms(&tidy(err.message()), &path);
    if message == "duplicate key" {
        if let Some(key) = text.get(span.clone()) {
            message = format!("duplicate key `{key}`: expected each key once, and each id once");
        }
    }
    Error::invalid(Location::new(origin, path).at_offset(text, span.start), message)
}

/// The key path of the line holding byte `offset`, read from the text: the
/// last `[table]` header before it, plus the bare key before `=` on the
/// line. Only for syntax errors, where no parsed document says better.
fn guess_path(text: &str, offset: usize) -> String {
    let offset = (0..=offset.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim();
    let is_key = |k: &str| {
        !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    let header = |l: &str| {
        let l = l.trim();
        let inner = l.strip_prefix('[')?.trim_start_matches('[');
        let name = inner.split(']').next()?.trim();
        is_key(name).then(|| name.to_string())
    };
    if let Some(h) = header(line) {
        return h;
    }
    let table = before[..line_start]
        .lines()
        .rev()
        .find_map(header)
        .unwrap_or_default();
    let key = line.split_once('=').map(|(k, _)| k.trim()).filter(|k| is_key(k));
    match (table.is_empty(), key) {
        (_, None) => table,
        (true, Some(k)) => k.to_string(),
        (false, Some(k)) => format!("{table}.{k}"),
    }
}

/// A type error in the policy's vocabulary: serde says what Rust type it
/// wanted ("expected i64", "expected a sequence"); the file's reader needs
/// what to write at `path`.
fn in_policy_terms(message: &str, path: &str) -> String {
    let Some((got, wanted)) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
    else {
        return message.to_string();
    };
    // Rules and dated versions take the keys of metrics and regions: read
    // `rules[0].metrics.m.target` and `metrics.m.versions[1].target` as
    // `metrics.m.target`.
    let mut parts: Vec<&str> = path
        .split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .collect();
    if parts.len() > 2 && parts[0] == "rules" && parts[1] == "metrics" {
        parts.remove(0);
    }
    if parts.len() > 3 && parts[2] == "versions" && (parts[0] == "metrics" || parts[0] == "regions") {
        parts.remove(2);
    }
    // Lists: what the whole value is, and what one item is (serde asks for
    // a scalar when an item is wrong, for a sequence when the whole is).
    let listed = match parts.as_slice() {
        ["metrics", _, "start" | "stop" | "restart"] => Some((
            r#"a list of events such as ["resolved"]"#,
            r#"an event name such as "resolved""#,
        )),
        ["metrics", _, "channels"] => Some((
            r#"a list of channel ids such as ["email", "web"]"#,
            r#"a channel id such as "email""#,
        )),
        ["regions", _, "languages"] => Some((
            r#"a list of language tags such as ["en", "fr-CA"]"#,
            r#"a language tag such as "fr-CA""#,
        )),
        ["regions", _, "hours" | "exceptions", _] => Some((
            r#"a list of spans such as ["09:00-17:00"], or [] for closed"#,
            r#"a span such as "09:00-17:00""#,
        )),
        ["regions", _, "holidays"] => Some((
            r#"a holiday set such as "ca-qc" or "holidays/closures.toml", a list of them, or [] for none"#,
            r#"a holiday set such as "ca-qc" or "holidays/closures.toml""#,
        )),
        ["options", "horizon"] => Some((
            "[first_year, last_year], such as [2020, 2035]",
            "a year such as 2035",
        )),
        ["options", "warnings"] => Some((
            "a list of fractions of the target such as [0.5, 0.75]",
            "a fraction of the target such as 0.75",
        )),
        _ => None,
    };
    let item = matches!(wanted, "a string" | "i64" | "f64");
    let expected = match (listed, parts.as_slice()) {
        (Some((_, one)), _) if item => one,
        (Some((whole, _)), _) => whole,
        (None, ["metrics", _, "pauses_while_waiting"]) => "true or false",
        (None, [.., "since" | "until"]) => "a date such as 2027-01-01",
        (None, ["rules", ..] | [_, _, "versions", ..]) if wanted == "a sequence" => "a list",
        (
            None,
            ["metrics", _, "target"]
            | ["metrics", _, "by_severity" | "by_channel", _]
            | ["metrics", _, "grid", _, _],
        ) => r#"a target such as "4h", "2bd" or "none""#,
        (None, ["metrics", _, "by_severity"]) => r#"a table of targets by severity such as { P1 = "4h" }"#,
        (None, ["metrics", _, "by_channel"]) => r#"a table of targets by channel such as { email = "4h" }"#,
        (None, ["metrics", _, "grid"]) => r#"a table of rows by severity such as { P1 = { email = "4h" } }"#,
        (None, ["metrics", _, "grid", _]) => {
            r#"a target such as "4h", or a table of targets by channel such as { email = "4h" }"#
        }
        (None, ["regions", _, "hours"]) => r#"a table of weekly hours such as { mon-fri = ["09:00-17:00"] }"#,
        (None, ["regions", _, "exceptions"]) => {
            r#"a table of dates such as { 2026-12-24 = ["09:00-12:00"] }"#
        }
        (None, ["regions" | "severities" | "channels" | "metrics", _] | ["policy" | "options"]) => "a table",
        (None, ["regions" | "severities" | "channels" | "metrics"]) => "a table of tables by id",
        _ => match wanted {
            "i64" | "u64" | "i32" | "u32" => "a whole number",
            "f64" => "a number",
            "a sequence" => "a list",
            "a boolean" => "true or false",
            w if w.starts_with("struct ") || w == "a map" => "a table",
            w => w,
        },
    };
    format!("invalid type: {got}, expected {expected}")
}

/// serde's wording, in the file's terms ("key" rather than "field"), on
/// one line.
fn tidy(message: &str) -> String {
    let one_line = message.trim().replace('\n', "; ");
    let msg =
        one_line
            .replacen("unknown field", "unknown key", 1)
            .replacen("missing field", "missing key", 1);
    match msg.strip_suffix('.') {
        Some(m) => m.to_string(),
        None => msg,
    }
}

/// The dotted key path of the deepest key or value whose span holds
/// `span.start`. Implicit tables (made by `[a.b]` headers) have spans that
/// do not cover their contents, so every table is searched whatever its
/// span.
pub(crate) fn key_path(doc: &DeTable<'_>, span: &Range<usize>) -> String {
    let mut path = Vec::new();
    walk_table(doc, span.start, &mut path);
    path.join(".")
}

fn walk_table(table: &DeTable<'_>, at: usize, path: &mut Vec<String>) -> bool {
    for (key, value) in table {
        if key.span().contains(&at) {
            path.push(key.get_ref().to_string());
            return true;
        }
        path.push(key.get_ref().to_string());
        if walk_value(value, at, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn walk_value(value: &Spanned<DeValue<'_>>, at: usize, path: &mut Vec<String>) -> bool {
    let inside = value.span().contains(&at);
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, at, path) || inside,
        DeValue::Array(items) => {
            // An array of tables: the item's index joins the key,
            // `rules[1].when`.
            for (i, item) in items.iter().enumerate() {
                if let DeValue::Table(t) = item.get_ref() {
                    let key = path.pop().unwrap_or_default();
                    path.push(format!("{key}[{i}]"));
                    if walk_table(t, at, path) || item.span().contains(&at) {
                        return true;
                    }
                    path.pop();
                    path.push(key);
                }
            }
            inside
        }
        _ => inside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(text, "t.toml") {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn errors_carry_key_paths() {
        assert_eq!(
            err("[regions.a]\nzone = \"UTC\"\nhourz = 1\n"),
            "t.toml: line 3, column 1: regions.a.hourz: unknown key `hourz`, expected one of `name`, `zone`, `hours`, `holidays`, `exceptions`, `languages`, `union`, `versions`"
        );
        assert_eq!(
            err("[regions.a]\nzone = 5\n"),
            "t.toml: line 2, column 8: regions.a.zone: invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            err("[regions.a.hours]\nmon = [\"09:00-17:00\", 3]\n"),
            "t.toml: line 2, column 23: regions.a.hours.mon: invalid type: integer `3`, expected a span such as \"09:00-17:00\""
        );
        assert_eq!(
            err("[regions.a]\nzone = \"x\"\n[regions.a]\n"),
            "t.toml: line 3, column 10: regions.a: duplicate key `a`: expected each key once, and each id once"
        );
        assert_eq!(
            err("[policy]\nid = \n"),
            "t.toml: line 2, column 6: policy.id: string values must be quoted, expected literal string"
        );
    }

    #[test]
    fn ordered_follows_the_file() {
        let raw = parse("[channels.z]\n[channels.a]\n[channels.m]\n", "t").expect("parses");
        let channels = raw.channels.expect("channels");
        let ids: Vec<&str> = ordered(channels.get_ref())
            .into_iter()
            .map(|(k, _)| k.get_ref().as_str())
            .collect();
        assert_eq!(ids, ["z", "a", "m"]);
    }
}
