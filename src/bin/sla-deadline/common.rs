//! What the commands share: policy help, reading instants, printing a
//! report as a table, and reporting errors.

use std::fmt::Write as _;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use sla_deadline::{Error, Policy, Report};

/// The crate's bounded reader and message shortener, shared as source so
/// that the tool reads files exactly as the library does.
#[path = "../../input.rs"]
#[allow(dead_code)] // the tool uses part of it
pub(crate) mod input;

/// The policies' facts for `--help`.
pub(crate) fn builtin_help() -> String {
    let mut out = String::from("Built-in policies (or give a path to a policy TOML file):\n");
    for id in Policy::builtin_ids() {
        match Policy::builtin(id) {
            Ok(p) => {
                let names = |v: Vec<&str>| v.join(", ");
                let _ = writeln!(out, "  {id}: {}", p.name());
                let _ = writeln!(
                    out,
                    "    regions:    {}",
                    names(p.regions().iter().map(|r| r.id()).collect())
                );
                let _ = writeln!(
                    out,
                    "    severities: {}",
                    names(p.severities().iter().map(|s| s.id()).collect())
                );
                let _ = writeln!(
                    out,
                    "    channels:   {}",
                    names(p.channels().iter().map(|c| c.id()).collect())
                );
            }
            Err(e) => {
                let _ = writeln!(out, "  {id}: (does not load: {e})");
            }
        }
    }
    out
}

/// Reads an RFC 3339 instant given to `flag`, as the library reads event
/// instants: whole seconds, years 0000 to 9999 in UTC.
pub(crate) fn instant(flag: &str, text: &str) -> Result<DateTime<Utc>, String> {
    sla_deadline::parse_instant(text).map_err(|e| match e {
        Error::Invalid { message, .. } => format!("{flag}: {message}"),
        other => format!("{flag}: {other}"),
    })
}

/// Prints a policy that did not load, with a hint about `flag` only when
/// the name or path given was the problem (not the file's content).
pub(crate) fn policy_failed(e: &Error, flag: &str) -> ExitCode {
    let path_problem = matches!(e, Error::Io { .. } | Error::Unknown { what: "policy", .. });
    if path_problem {
        fail(
            e,
            &format!("{flag} takes a built-in id (see --help) or the path of a policy file"),
        )
    } else {
        fail(e, "the policy format is described in policies/README.md")
    }
}

/// Prints `message` (long quoted values shortened) as an error with a
/// hint, and the exit code to return.
pub(crate) fn fail(message: impl std::fmt::Display, hint: &str) -> ExitCode {
    eprintln!("error: {}", input::shorten(&message.to_string()));
    if !hint.is_empty() {
        eprintln!("hint: {hint}");
    }
    ExitCode::FAILURE
}

/// A duration in seconds as `1d 2h 30m` (signed).
pub(crate) fn span(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let mut out = String::from(sign);
    if d > 0 {
        let _ = write!(out, "{d}d ");
    }
    if d > 0 || h > 0 {
        let _ = write!(out, "{h}h ");
    }
    let _ = write!(out, "{m}m");
    if sec > 0 {
        let _ = write!(out, " {sec}s");
    }
    out
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// The report as a table: one row per metric, then its explanation.
pub(crate) fn print_report(out: &mut String, report: &Report, detail: bool) {
    say!(
        out,
        "{} / {} ({}), severity {}, channel {}, as of {}",
        report.policy,
        report.region,
        report.timezone,
        report.severity,
        report.channel,
        report.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    if let Some(rule) = &report.rule {
        say!(out, "rule: {rule}");
    }
    for version in &report.versions {
        say!(out, "version: {version}");
    }
    say!(out);
    say!(
        out,
        "{:<16} {:<7} {:<15} {:<26} {:<21} {:>12} {:>12}",
        "metric",
        "target",
        "status",
        "due (local)",
        "due (UTC)",
        "elapsed",
        "remaining"
    );
    for m in &report.metrics {
        say!(
            out,
            "{:<16} {:<7} {:<15} {:<26} {:<21} {:>12} {:>12}",
            m.metric,
            opt(m.target.as_ref()),
            m.status.to_string(),
            opt(m.due_local.map(|d| d.to_rfc3339())),
            opt(m
                .due_at
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
            opt(m.elapsed.map(|d| span(d.num_seconds()))),
            opt(m.remaining.map(|d| span(d.num_seconds()))),
        );
    }
    if detail {
        for m in &report.metrics {
            say!(out);
            say!(out, "{}:", m.metric);
            for line in &m.explanation {
                say!(out, "  - {line}");
            }
            for w in &m.warnings {
                say!(
                    out,
                    "  - warning at {:.0}%: {}",
                    w.threshold * 100.0,
                    w.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                );
            }
            let c = &m.cycles;
            if c.count > 1 {
                say!(
                    out,
                    "  - cycles: {} started, {} met, {} breached",
                    c.count,
                    c.met,
                    c.breached
                );
            }
        }
    }
    if let Some(zone) = &report.customer_timezone {
        say!(out);
        say!(out, "due in the customer's zone ({zone}):");
        for m in &report.metrics {
            if let Some(d) = m.due_customer {
                say!(out, "  {:<16} {}", m.metric, d.to_rfc3339());
            }
        }
    }
    if let Some(t) = report.next_wake_up {
        say!(out);
        say!(
            out,
            "next wake-up: {}",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    for w in &report.warnings {
        say!(out, "warning: {w}");
    }
}
