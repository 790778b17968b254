//! Holiday sets (temporary stand-in with the agreed API; replaced by the
//! holiday rule language).
#![allow(missing_docs, unreachable_pub, dead_code)]

use crate::error::Error;
use crate::hours::LocalSpan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySet {
    id: String,
    list: Vec<Holiday>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holiday {
    pub date: chrono::NaiveDate,
    pub name: String,
    pub estimated: bool,
    pub closed_hours: Vec<LocalSpan>,
}

impl HolidaySet {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn coverage(&self) -> Option<(i32, i32)> {
        None
    }
    pub fn holidays(&self, _from: i32, _to: i32) -> Result<Vec<Holiday>, Error> {
        Ok(self.list.clone())
    }
    pub fn from_list(id: &str, list: Vec<Holiday>) -> HolidaySet {
        HolidaySet {
            id: id.to_string(),
            list,
        }
    }
}

impl HolidaySet {
    pub fn builtin(id: &str) -> Result<HolidaySet, Error> {
        Err(Error::unknown("holiday set", id, []))
    }
    pub fn builtin_ids() -> &'static [&'static str] {
        &[]
    }
    pub fn from_toml_str(_text: &str, origin: &str) -> Result<HolidaySet, Error> {
        Err(Error::unknown("holiday set", origin, []))
    }
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<HolidaySet, Error> {
        Err(Error::unknown(
            "holiday set",
            &path.as_ref().display().to_string(),
            [],
        ))
    }
}
