//! Lists the closed dates of a holiday set.
//!
//! `sla-deadline holidays SET FROM_YEAR TO_YEAR [--json] [--zone ZONE]`,
//! where SET is a built-in id (`gb-eng`, `jp`, ...), the path to a TOML file
//! (format: `policies/holidays/README.md`) or the path to an iCalendar
//! (.ics) file, whose timed events are shown in ZONE (default UTC).
//! Estimated dates (not yet officially announced) are marked `[estimated]`
//! in the table and `"estimated": true` in the JSON.

use std::process::ExitCode;

use clap::Args as ClapArgs;
use sla_deadline::{Holiday, HolidaySet};

const BUILTINS: &str = "ca-qc, gb-eng, de-he, fr, nl, au-vic, my-kul, jp, ca-on, us, sg, ie, es, gb-sct";

/// List the closed dates (holidays, observed and substitute days) of a
/// holiday set.
#[derive(ClapArgs)]
#[command(
    name = "holidays",
    after_help = concat!(
        "Built-in sets: ca-qc, gb-eng, de-he, fr, nl, au-vic, my-kul, jp, ca-on, us, sg, ie, es, gb-sct\n",
        "A SET containing '/' or ending in .toml is read as a file; one ending in .ics as an iCalendar file."
    )
)]
pub(crate) struct Args {
    /// A built-in set id or the path to a TOML holiday set file.
    set: String,
    /// First year to list.
    from_year: i32,
    /// Last year to list.
    to_year: i32,
    /// Print one JSON array instead of a table.
    #[arg(long)]
    json: bool,
    /// The time zone an .ics file's timed events are shown in (an IANA
    /// name or a fixed offset such as UTC+08:00).
    #[arg(long, default_value = "UTC")]
    zone: String,
}

fn load(set: &str, args: &Args) -> Result<HolidaySet, String> {
    if set.to_ascii_lowercase().ends_with(".ics") {
        return load_ics(set, args);
    }
    let is_path = set.contains('/') || set.contains('\\') || set.ends_with(".toml");
    if is_path {
        HolidaySet::from_path(set)
            .map_err(|e| format!("{e}\nfix the file, or give a built-in set ({BUILTINS})"))
    } else {
        HolidaySet::builtin(set)
            .map_err(|e| format!("{e}\ngive a built-in set id, or a path to a .toml holiday set file"))
    }
}

#[cfg(feature = "ics")]
fn load_ics(set: &str, args: &Args) -> Result<HolidaySet, String> {
    let zone: sla_deadline::Zone = args.zone.parse().map_err(|e| format!("--zone: {e}"))?;
    HolidaySet::from_ics_path(set, zone, args.from_year, args.to_year)
        .map_err(|e| format!("{e}\nfix the file (policies/holidays/README.md says what is supported)"))
}

#[cfg(not(feature = "ics"))]
fn load_ics(set: &str, _args: &Args) -> Result<HolidaySet, String> {
    Err(format!("{set}: iCalendar files need the `ics` feature"))
}

fn table(out: &mut String, set: &HolidaySet, days: &[Holiday]) {
    say!(out, "{} ({})", set.name(), set.id());
    for h in days {
        let mut line = format!("{}  {}  {}", h.date, h.date.format("%a"), h.name);
        if h.estimated {
            line.push_str("  [estimated]");
        }
        if !h.closed_hours.is_empty() {
            let spans: Vec<String> = h.closed_hours.iter().map(|s| s.to_string()).collect();
            line.push_str(&format!("  closed {}", spans.join(", ")));
        }
        say!(out, "{line}");
    }
}

pub(crate) fn run(args: Args, out: &mut String) -> ExitCode {
    let result = load(&args.set, &args).and_then(|set| {
        let days = set.holidays(args.from_year, args.to_year).map_err(|e| {
            let hint = match set.coverage() {
                Some((a, b)) => format!("ask for years within {a}-{b}"),
                None => "ask for years within 1900-2200, FROM_YEAR <= TO_YEAR".to_string(),
            };
            format!("{e}\n{hint}")
        })?;
        Ok((set, days))
    });
    let (set, days) = match result {
        Ok(ok) => ok,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&days) {
            Ok(text) => say!(out, "{text}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        table(out, &set, &days);
    }
    ExitCode::SUCCESS
}
