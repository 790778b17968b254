//! The policy loader's cache of holiday sets, and its byte budget.
//!
//! One policy names holiday sets per region; regions share them. Sets are
//! kept by what they are, not by how a path was spelt: a built-in by id, a
//! file by its canonical path (so `h.toml`, `./h.toml` and `sub/../h.toml`
//! are one set), an iCalendar file also by the calendar zone its times are
//! converted to; and each is evaluated once for the policy's horizon, so
//! every calendar that uses it only copies dates. All holiday files one
//! policy reads share a byte budget.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::HolidaySet;
use crate::error::Error;
use crate::zone::Zone;

/// The most bytes of holiday files (TOML and iCalendar together, each file
/// counted once) one policy may read.
pub(crate) const MAX_POLICY_HOLIDAY_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Builtin(String),
    File(PathBuf),
    Ics(PathBuf, String),
}

/// Holiday sets loaded for one policy, evaluated for its horizon.
#[derive(Debug)]
pub(crate) struct SetCache {
    horizon: (i32, i32),
    sets: HashMap<Key, HolidaySet>,
    bytes: u64,
}

impl SetCache {
    pub(crate) fn new(horizon: (i32, i32)) -> SetCache {
        SetCache {
            horizon,
            sets: HashMap::new(),
            bytes: 0,
        }
    }

    /// True for a name that refers to an iCalendar file.
    pub(crate) fn is_ics(name: &str) -> bool {
        name.to_ascii_lowercase().ends_with(".ics")
    }

    /// A built-in set by id.
    ///
    /// # Errors
    /// [`Error::Unknown`] for an id that is not built in.
    pub(crate) fn builtin(&mut self, id: &str) -> Result<HolidaySet, Error> {
        let key = Key::Builtin(id.to_string());
        if let Some(set) = self.sets.get(&key) {
            return Ok(set.clone());
        }
        let set = self.evaluate(HolidaySet::builtin(id)?);
        self.sets.insert(key, set.clone());
        Ok(set)
    }

    /// A TOML or iCalendar holiday file (`zone` converts an iCalendar
    /// file's times).
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be found or read; the file's own
    /// errors; [`Error::Limit`] when the policy's holiday files together
    /// exceed [`MAX_POLICY_HOLIDAY_BYTES`].
    pub(crate) fn file(&mut self, file: &Path, zone: Zone) -> Result<HolidaySet, Error> {
        let canonical = std::fs::canonicalize(file).map_err(|e| Error::Io {
            path: file.display().to_string(),
            message: e.to_string(),
        })?;
        let ics = Self::is_ics(&file.to_string_lossy());
        let key = if ics {
            Key::Ics(canonical, zone.to_string())
        } else {
            Key::File(canonical)
        };
        if let Some(set) = self.sets.get(&key) {
            return Ok(set.clone());
        }
        // Each file counts once, whatever zones it is read in.
        let counted = match &key {
            Key::Ics(path, _) => self.sets.keys().any(|k| matches!(k, Key::Ics(p, _) if p == path)),
            _ => false,
        };
        let set = if ics {
            self.load_ics(file, zone)?
        } else {
            HolidaySet::from_path(file)?
        };
        if !counted {
            self.bytes = self.bytes.saturating_add(set.source_bytes() as u64);
            if self.bytes > MAX_POLICY_HOLIDAY_BYTES {
                return Err(Error::Limit {
                    what: "bytes of holiday files read by one policy",
                    limit: MAX_POLICY_HOLIDAY_BYTES,
                    value: self.bytes,
                });
            }
        }
        let set = self.evaluate(set);
        self.sets.insert(key, set.clone());
        Ok(set)
    }

    #[cfg(feature = "ics")]
    fn load_ics(&self, file: &Path, zone: Zone) -> Result<HolidaySet, Error> {
        HolidaySet::from_ics_path(file, zone, self.horizon.0, self.horizon.1)
    }

    #[cfg(not(feature = "ics"))]
    fn load_ics(&self, file: &Path, _zone: Zone) -> Result<HolidaySet, Error> {
        Err(Error::invalid(
            crate::error::Location::new(file.display().to_string(), ""),
            "iCalendar holiday files need the crate's `ics` feature: expected a .toml holiday file",
        ))
    }

    /// The set evaluated for the horizon when it covers it; otherwise as it
    /// is, so the calendar reports the coverage problem as it always has.
    fn evaluate(&self, set: HolidaySet) -> HolidaySet {
        let (from, to) = self.horizon;
        let covered = set.coverage().is_none_or(|(a, b)| a <= from && to <= b);
        if !covered {
            return set;
        }
        // An evaluation error (a limit) is reported again, where the calendar
        // is built, with the region's key path.
        set.evaluated(from, to).unwrap_or(set)
    }
}
