//! The public ways in: text, file, built-in id. The built-in policies are
//! the files in `policies/`, embedded at compile time so that the crate
//! works without them on disk.

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::input::read_file;

use super::load::load;
use super::model::Policy;

/// Built-in policies: id, origin shown in errors, text.
const BUILTIN: [(&str, &str, &str); 2] = [
    (
        "ol-care",
        "policies/ol-care.toml",
        include_str!("../../policies/ol-care.toml"),
    ),
    (
        "e3k-odoo",
        "policies/e3k-odoo.toml",
        include_str!("../../policies/e3k-odoo.toml"),
    ),
];

const BUILTIN_IDS: [&str; 2] = [BUILTIN[0].0, BUILTIN[1].0];

impl Policy {
    /// Loads a policy from TOML text. `origin` names the text in errors
    /// (usually its path); holiday sets given by a relative path are
    /// resolved against the directory part of `origin` (the current
    /// directory if it has none). The format is documented in
    /// `policies/README.md`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for any mistake in the text, naming `origin`, the
    /// key path, the line and column, the bad value and what was expected;
    /// errors of holiday files the policy refers to.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::{Policy, Target};
    ///
    /// let text = r#"
    /// [policy]
    /// id = "acme"
    /// name = "Acme support"
    /// vendor = "Acme"
    ///
    /// [regions.hq]
    /// zone = "Europe/Paris"
    /// hours = { mon-fri = ["09:00-12:00", "14:00-18:00"] }
    /// holidays = []
    ///
    /// [severities.high]
    /// [severities.low]
    ///
    /// [channels.email]
    ///
    /// [metrics.first_response]
    /// clock = "business"
    /// start = ["created"]
    /// stop = ["responded", "resolved"]
    /// by_severity = { high = "2h", low = "none" }
    /// "#;
    /// let policy = Policy::from_toml_str(text, "acme.toml")?;
    /// let metric = policy.metric("first_response")?;
    /// assert_eq!(metric.target(&policy, "high", "email"), Some(Target::Time(7200)));
    ///
    /// let err = Policy::from_toml_str(&text.replace("2h", "2 hours"), "acme.toml").unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "acme.toml: line 21, column 24: metrics.first_response.by_severity.high: \"2 hours\" is not a target"
    /// ));
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Policy> {
        check_size(text.len() as u64)?;
        let base = Path::new(origin).parent().unwrap_or(Path::new(""));
        load(text, origin, base)
    }

    /// Loads a policy file. Errors name the file by `path` as given;
    /// holiday sets given by a relative path are resolved against the
    /// file's directory.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read: missing, not a regular file
    /// (a directory, FIFO or device), over 1 MiB or not UTF-8; otherwise as
    /// [`Policy::from_toml_str`].
    ///
    /// # Example
    /// ```
    /// use sla_deadline::Policy;
    /// # let dir = std::env::temp_dir().join(format!("sla-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let path = dir.join("ol-care.toml");
    /// # std::fs::write(&path, include_str!("../../policies/ol-care.toml")).unwrap();
    /// let policy = Policy::from_path(&path)?;
    /// assert_eq!(policy.id(), "ol-care");
    /// assert!(Policy::from_path(dir.join("missing.toml")).unwrap_err().to_string().contains("cannot read"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text =
            read_file(path, MAX_POLICY_BYTES).map_err(|e| Error::read(&origin, &e, "a policy file"))?;
        load(&text, &origin, path.parent().unwrap_or(Path::new("")))
    }

    /// A built-in policy: `"ol-care"` (Objectif Lune, OL Care) or
    /// `"e3k-odoo"` (E3K Solutions, Odoo support). Errors in them name
    /// `policies/<id>.toml`. Each is parsed once per process; later calls
    /// return a clone of the shared handle.
    ///
    /// # Errors
    /// [`Error::Unknown`] for another id.
    ///
    /// # Example
    /// ```
    /// use sla_deadline::Policy;
    /// let policy = Policy::builtin("e3k-odoo")?;
    /// assert_eq!(policy.region("quebec")?.calendar().zone().to_string(), "America/Toronto");
    /// assert!(Policy::builtin("acme").is_err());
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn builtin(id: &str) -> Result<Policy> {
        // Parsed once per process; every call after the first is a clone
        // of the shared handle.
        static LOADED: [OnceLock<Policy>; 2] = [OnceLock::new(), OnceLock::new()];
        let n = BUILTIN
            .iter()
            .position(|(b, _, _)| *b == id)
            .ok_or_else(|| Error::unknown("policy", id, BUILTIN_IDS))?;
        if let Some(policy) = LOADED[n].get() {
            return Ok(policy.clone());
        }
        let (_, origin, text) = BUILTIN[n];
        let policy = Policy::from_toml_str(text, origin)?;
        // Two threads may both parse on first use; one result is kept.
        Ok(LOADED[n].get_or_init(|| policy).clone())
    }

    /// The ids [`Policy::builtin`] accepts.
    ///
    /// # Example
    /// ```
    /// assert_eq!(sla_deadline::Policy::builtin_ids(), ["ol-care", "e3k-odoo"]);
    /// ```
    pub fn builtin_ids() -> &'static [&'static str] {
        &BUILTIN_IDS
    }

    /// A built-in policy by id, else a policy file by path. A name that is
    /// not a built-in id and looks like no path (no `/`, `\` or `.`) is an
    /// unknown id, so a typo in an id is not reported as a missing file.
    ///
    /// # Errors
    /// As [`Policy::builtin`] or [`Policy::from_path`].
    ///
    /// # Example
    /// ```
    /// use sla_deadline::Policy;
    /// assert_eq!(Policy::load("ol-care")?.regions().len(), 8);
    /// let err = Policy::load("ol-caer").unwrap_err();
    /// assert_eq!(err.to_string(), "unknown policy \"ol-caer\": expected one of ol-care, e3k-odoo");
    /// # Ok::<(), sla_deadline::Error>(())
    /// ```
    pub fn load(id_or_path: &str) -> Result<Policy> {
        let looks_like_path = id_or_path.contains(['/', '\\', '.']);
        if BUILTIN_IDS.contains(&id_or_path) || !looks_like_path {
            Policy::builtin(id_or_path)
        } else {
            Policy::from_path(id_or_path)
        }
    }
}

/// The largest policy text accepted: real policies are a few KiB; the
/// limit keeps parsing time and memory bounded for hostile input.
pub(crate) const MAX_POLICY_BYTES: u64 = 1024 * 1024;

pub(crate) fn check_size(len: u64) -> Result<()> {
    if len > MAX_POLICY_BYTES {
        return Err(Error::Limit {
            what: "policy text (bytes)",
            limit: MAX_POLICY_BYTES,
            value: len,
        });
    }
    Ok(())
}
