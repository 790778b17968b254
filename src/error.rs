//! The crate's one error type.
//!
//! Every message names where the problem is (file or calendar, key path,
//! line and column when it comes from text), the bad value and what was
//! expected. Messages are lowercase and carry no final period.

use std::fmt;

use crate::input::{QUOTE_BYTES, ReadError, shorten, shorten_plain};

/// Longest key path kept whole in a location.
const MAX_PATH_BYTES: usize = 200;
/// Longest origin (file path) kept whole in a location.
const MAX_ORIGIN_BYTES: usize = 4096;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate.
///
/// The enum is `#[non_exhaustive]`: match on the predicates
/// ([`Error::is_out_of_horizon`], ...) or on the variants you care about and
/// keep a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad value in a policy, holiday set, calendar or ticket file.
    #[error("{at}: {message}")]
    Invalid {
        /// Where the value is: file, key path, line and column.
        at: Location,
        /// What is wrong: the bad value and what was expected.
        message: String,
    },
    /// A query needs business time outside the years a calendar covers.
    #[error(
        "{instant} is outside the calendar's horizon {from_year}-{to_year}: {what} (a policy sets its years with `options.horizon = [first, last]`, a calendar with `CalendarSpec::horizon`)"
    )]
    OutOfHorizon {
        /// The instant (or the description of the instant) asked for.
        instant: String,
        /// First year covered.
        from_year: i32,
        /// Last year covered.
        to_year: i32,
        /// What was being computed.
        what: String,
    },
    /// A calendar has no open time where some was needed.
    #[error("no opening {what}: the calendar has no open hours there")]
    NoOpening {
        /// Where the opening was looked for.
        what: String,
    },
    /// A ticket event that cannot be applied.
    #[error("event {index} ({kind}): {message}")]
    Event {
        /// 0-based index of the event in the input.
        index: usize,
        /// The event's kind, e.g. `created`.
        kind: String,
        /// What is wrong with it.
        message: String,
    },
    /// A name that is not known: a built-in policy or holiday set, a region,
    /// severity, channel or metric.
    #[error("unknown {what} {value:?}: expected one of {expected}")]
    Unknown {
        /// What kind of thing was named.
        what: &'static str,
        /// The name given.
        value: String,
        /// The names that exist.
        expected: String,
    },
    /// A size limit that keeps resource use bounded was exceeded.
    #[error("{what} exceeds the limit of {limit}: {value}")]
    Limit {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// The value given.
        value: u64,
    },
    /// A file could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// True if a query needed time outside a calendar's horizon.
    pub fn is_out_of_horizon(&self) -> bool {
        matches!(self, Error::OutOfHorizon { .. })
    }

    /// True if the error points at a value in some input.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Error::Invalid { .. })
    }

    /// True if the error is about a ticket event.
    pub fn is_event(&self) -> bool {
        matches!(self, Error::Event { .. })
    }

    /// A file at `path` that could not be read; `what` names the kind of
    /// file for a size limit ("a policy file").
    pub(crate) fn read(path: &str, e: &ReadError, what: &str) -> Error {
        let message = match e {
            ReadError::TooLarge { .. } => format!("{e} for {what}"),
            _ => e.to_string(),
        };
        Error::Io {
            path: shorten_plain(path, MAX_ORIGIN_BYTES),
            message,
        }
    }

    /// A bad value at `at`; quoted values in `message` are shortened.
    pub(crate) fn invalid(at: Location, message: impl Into<String>) -> Error {
        Error::Invalid {
            at,
            message: shorten(&message.into()),
        }
    }

    /// A bad event; quoted values in `message` are shortened.
    pub(crate) fn event(index: usize, kind: &str, message: impl Into<String>) -> Error {
        Error::Event {
            index,
            kind: shorten_plain(kind, QUOTE_BYTES),
            message: shorten(&message.into()),
        }
    }

    pub(crate) fn unknown<'a>(
        what: &'static str,
        value: &str,
        expected: impl IntoIterator<Item = &'a str>,
    ) -> Error {
        Error::Unknown {
            what,
            value: shorten_plain(value, QUOTE_BYTES),
            expected: names(expected, "(none defined)"),
        }
    }
}

/// Most names a message lists before it says how many there are in all.
const MAX_NAMES: usize = 20;

/// `names` joined with `, `, the first [`MAX_NAMES`] only (with the count
/// of all when there are more), or `none` when there are none: a policy
/// may define 100 000 channels, and a message must stay readable.
pub(crate) fn names<'a>(names: impl IntoIterator<Item = &'a str>, none: &str) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    for name in names {
        if count < MAX_NAMES {
            if count > 0 {
                out.push_str(", ");
            }
            out.push_str(&shorten_plain(name, QUOTE_BYTES));
        }
        count += 1;
    }
    match count {
        0 => none.to_string(),
        n if n > MAX_NAMES => format!("{out}, ... ({n} in all)"),
        _ => out,
    }
}

/// Where a bad value sits: the file (or calendar) it came from, its key path
/// and, for text, its line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// File path, built-in name (`builtin:ol-care`) or `calendar`.
    pub origin: String,
    /// Dotted key path, e.g. `regions.americas.hours.mon`; may be empty.
    pub path: String,
    /// Line and column, 1-based, when the value came from text.
    pub line_col: Option<(usize, usize)>,
}

impl Location {
    /// A location with no line information. A key path that holds a huge
    /// key (an id of 50 MB) is shortened.
    pub(crate) fn new(origin: impl Into<String>, path: impl Into<String>) -> Location {
        Location {
            origin: shorten_plain(&origin.into(), MAX_ORIGIN_BYTES),
            path: shorten_plain(&path.into(), MAX_PATH_BYTES),
            line_col: None,
        }
    }

    /// The same location with the line and column of byte `offset` in `text`.
    pub(crate) fn at_offset(mut self, text: &str, offset: usize) -> Location {
        self.line_col = Some(line_col(text, offset));
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ": line {line}, column {col}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = \"é\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 11), (2, 6));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn location_display() {
        let at = Location::new("ol-care.toml", "regions.uk.zone").at_offset("x\ny", 2);
        assert_eq!(at.to_string(), "ol-care.toml: line 2, column 1: regions.uk.zone");
        let err = Error::invalid(at, "unknown time zone \"Europe/Lodnon\"");
        assert_eq!(
            err.to_string(),
            "ol-care.toml: line 2, column 1: regions.uk.zone: unknown time zone \"Europe/Lodnon\""
        );
    }
}
