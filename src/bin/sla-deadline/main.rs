//! `sla-deadline`: SLA deadlines from the command line (the crate docs'
//! `contract` module, §9, is its contract).
//!
//! ```text
//! sla-deadline due --policy ol-care --region americas --severity P1 --channel phone --at 2026-11-20T16:30:00-05:00 [--json]
//! sla-deadline replay FILE.json [--as-of INSTANT] [--json]
//! sla-deadline holidays SET FROM_YEAR TO_YEAR [--json] [--zone ZONE]
//! ```
//!
//! Each command writes its whole output to a buffer first, then to
//! standard output in one go: a reader that closes the pipe early (`| head`)
//! ends the tool quietly with status 0, as `cat` or `grep` do.

/// Writes one line to a `String` (formatting into a `String` cannot fail).
macro_rules! say {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod common;
mod due;
mod holidays;
mod replay;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Support-desk SLA deadlines in business time, from the built-in policies
/// (OL Care, E3K Odoo support) or a policy file.
#[derive(Parser)]
#[command(name = "sla-deadline", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Due instants of a new ticket, as of its creation.
    Due(due::Args),
    /// The report of a ticket file's events.
    Replay(replay::Args),
    /// The closed dates of a holiday set.
    Holidays(holidays::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = String::new();
    let code = match cli.command {
        Command::Due(args) => due::run(args, &mut out),
        Command::Replay(args) => replay::run(args, &mut out),
        Command::Holidays(args) => holidays::run(args, &mut out),
    };
    emit(&out, code)
}

/// Writes the output; a closed pipe is not an error.
fn emit(out: &str, code: ExitCode) -> ExitCode {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}
