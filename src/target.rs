//! SLA targets as written in policies and agreements: `10m`, `4h`,
//! `1h30m`, `2bd`, `none` ([contract §6](crate::contract)).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Location};

/// Largest target in seconds (about 100 years): keeps every later sum of
/// instants and durations far from overflow.
const MAX_SECONDS: i64 = 100 * 366 * 86_400;
/// Largest target in business days.
const MAX_DAYS: u32 = 100_000;

/// How much time a metric allows.
///
/// # Example
/// ```
/// use sla_deadline::Target;
/// assert_eq!("1h30m".parse::<Target>()?, Target::Time(5400));
/// assert_eq!("2bd".parse::<Target>()?, Target::BusinessDays(2));
/// assert_eq!("none".parse::<Target>()?, Target::None);
/// assert_eq!(Target::Time(5400).to_string(), "1h30m");
/// assert!("2d".parse::<Target>().is_err()); // calendar or business days? say which
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Seconds of the metric's clock: business time on a business clock,
    /// every second on a calendar clock.
    Time(i64),
    /// Business days, converted to a budget at the clock's start ([contract §2.5](crate::contract)).
    BusinessDays(u32),
    /// No target: the metric is tracked but cannot be breached.
    None,
}

impl Target {
    /// Parses `text`, naming `at` in the error.
    pub(crate) fn parse_at(text: &str, at: impl FnOnce() -> Location) -> Result<Target, Error> {
        parse(text).map_err(|why| {
            Error::invalid(
                at(),
                format!("{text:?} is not a target ({why}): expected a duration such as \"10m\", \"4h\", \"1h30m\", business days such as \"2bd\", or \"none\""),
            )
        })
    }
}

fn parse(text: &str) -> Result<Target, &'static str> {
    if text == "none" {
        return Ok(Target::None);
    }
    if let Some(days) = text.strip_suffix("bd") {
        if days.is_empty() || !days.bytes().all(|b| b.is_ascii_digit()) {
            return Err("business days must be a whole number");
        }
        return match days.parse::<u32>() {
            Ok(n) if n <= MAX_DAYS => Ok(Target::BusinessDays(n)),
            _ => Err("more than 100000 business days"),
        };
    }
    if text.is_empty() {
        return Err("empty");
    }
    let mut total: i64 = 0;
    let mut rest = text;
    let mut last_unit = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err("expected a number before each unit");
        }
        let (number, tail) = rest.split_at(digits);
        let unit = tail.chars().next().ok_or("a number without a unit")?;
        let (rank, secs) = match unit {
            'h' => (1, 3600),
            'm' => (2, 60),
            's' => (3, 1),
            'd' => {
                return Err("\"d\" is ambiguous: write business days as \"bd\" or calendar time in hours");
            }
            _ => return Err("unknown unit: expected h, m, s or bd"),
        };
        if rank <= last_unit {
            return Err("units must come once each, in the order h, m, s");
        }
        last_unit = rank;
        let n: i64 = number.parse().map_err(|_| "number too large")?;
        total = n
            .checked_mul(secs)
            .and_then(|v| total.checked_add(v))
            .filter(|v| *v <= MAX_SECONDS)
            .ok_or("longer than 100 years")?;
        rest = &tail[1..];
    }
    Ok(Target::Time(total))
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Target::None => f.write_str("none"),
            Target::BusinessDays(n) => write!(f, "{n}bd"),
            Target::Time(0) => f.write_str("0s"),
            Target::Time(s) => {
                let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
                if h > 0 {
                    write!(f, "{h}h")?;
                }
                if m > 0 {
                    write!(f, "{m}m")?;
                }
                if s > 0 {
                    write!(f, "{s}s")?;
                }
                Ok(())
            }
        }
    }
}

/// A target with the text it was written as: reports show `"90m"` as
/// written, not the canonical `"1h30m"`.
///
/// # Example
/// ```
/// use sla_deadline::{Target, WrittenTarget};
/// let t: WrittenTarget = "90m".parse()?;
/// assert_eq!(t.value(), Target::Time(5400));
/// assert_eq!(t.to_string(), "90m");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WrittenTarget {
    value: Target,
    // Shared: every cell of a policy's grid and every report of it points at
    // the same text, so a report copies a pointer, not a string.
    text: Arc<str>,
}

impl WrittenTarget {
    pub(crate) fn new(value: Target, text: &str) -> WrittenTarget {
        WrittenTarget {
            value,
            text: Arc::from(text),
        }
    }

    /// "No target", written `none`: one shared text, so that clocks and
    /// reports without a target allocate nothing.
    pub(crate) fn none() -> WrittenTarget {
        WrittenTarget::none_ref().clone()
    }

    /// "No target", borrowed: the one every `none` shares.
    pub(crate) fn none_ref() -> &'static WrittenTarget {
        static NONE: std::sync::LazyLock<WrittenTarget> = std::sync::LazyLock::new(|| WrittenTarget {
            value: Target::None,
            text: Arc::from("none"),
        });
        &NONE
    }

    /// The parsed target.
    pub fn value(&self) -> Target {
        self.value
    }

    /// The text as written in the policy or the agreement.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for WrittenTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for WrittenTarget {
    type Err = Error;
    fn from_str(s: &str) -> Result<WrittenTarget, Error> {
        Ok(WrittenTarget::new(s.parse()?, s))
    }
}

impl Serialize for WrittenTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for WrittenTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WrittenTarget, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Target, Error> {
        Target::parse_at(s, || Location::new("target", ""))
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let text = String::deserialize(d)?;
        Target::parse_at(&text, || Location::new("target", "")).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_canonically() {
        for (text, target, shown) in [
            ("10m", Target::Time(600), "10m"),
            ("4h", Target::Time(14_400), "4h"),
            ("1h30m", Target::Time(5400), "1h30m"),
            ("90m", Target::Time(5400), "1h30m"),
            ("1h0m5s", Target::Time(3605), "1h5s"),
            ("0m", Target::Time(0), "0s"),
            ("2bd", Target::BusinessDays(2), "2bd"),
            ("0bd", Target::BusinessDays(0), "0bd"),
            ("none", Target::None, "none"),
        ] {
            let got: Target = text.parse().expect(text);
            assert_eq!(got, target, "{text}");
            assert_eq!(got.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn malformed_targets_say_why() {
        for (text, why) in [
            ("2d", "\"d\" is ambiguous"),
            ("", "empty"),
            ("-1h", "expected a number before each unit"),
            ("1m1h", "units must come once each"),
            ("1h1h", "units must come once each"),
            ("4", "a number without a unit"),
            ("4x", "unknown unit"),
            ("bd", "whole number"),
            ("1.5bd", "whole number"),
            ("99999999999999999999h", "number too large"),
            ("9999999h", "longer than 100 years"),
            ("None", "expected a number before each unit"),
        ] {
            let err = text.parse::<Target>().expect_err(text).to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
