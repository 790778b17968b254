//! Replays a ticket file and prints its report (contract §9).
//!
//! ```text
//! sla-deadline replay FILE.json [--as-of INSTANT] [--json]
//! ```
//!
//! FILE is `{"policy": ID|PATH, "region": R, "events": [...]}`; `-` reads
//! standard input. A relative policy path is taken from the current
//! directory.
//!
//! Limits: a ticket file, or standard input, holds at most 4 MiB (the
//! engine's 10 000 events at about 400 bytes each); FILE must be a regular
//! file (a FIFO or a device is refused, use `-` to pipe a ticket in).

use std::path::Path;
use std::process::ExitCode;

use crate::common::{self, input};

use clap::Args as ClapArgs;
use serde::Deserialize;
use sla_deadline::{Event, Policy, evaluate};

/// The report of a ticket's events under an SLA policy.
#[derive(ClapArgs)]
#[command(name = "replay", after_help = common::builtin_help())]
pub(crate) struct Args {
    /// Ticket file (JSON), or - for standard input.
    file: String,
    /// Report as of this instant (RFC 3339); default: the latest event.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Print the report as one JSON document (its fields: crate docs, module `contract`, §7).
    #[arg(long)]
    json: bool,
}

/// Most bytes read from a ticket file or standard input.
const MAX_TICKET_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketFile {
    policy: String,
    region: String,
    events: Vec<Event>,
}

pub(crate) fn run(args: Args, out: &mut String) -> ExitCode {
    let as_of = match args
        .as_of
        .as_deref()
        .map(|t| common::instant("--as-of", t))
        .transpose()
    {
        Ok(t) => t,
        Err(e) => {
            return common::fail(
                e,
                "give the instant with its offset, e.g. --as-of 2026-11-25T16:00:00-05:00",
            );
        }
    };
    let read = if args.file == "-" {
        input::read_stream(std::io::stdin().lock(), MAX_TICKET_BYTES)
    } else {
        input::read_file(Path::new(&args.file), MAX_TICKET_BYTES)
    };
    let text = match read {
        Ok(text) => text,
        Err(e) => {
            let name = if args.file == "-" {
                "standard input"
            } else {
                &args.file
            };
            let limit = if matches!(e, input::ReadError::TooLarge { .. }) {
                " for a ticket"
            } else {
                ""
            };
            return common::fail(
                format!("{name}: cannot read: {e}{limit}"),
                "give the path of a ticket JSON file, or - for standard input",
            );
        }
    };
    let ticket: TicketFile = match serde_json::from_str(&text) {
        Ok(t) => t,
        Err(e) => {
            // serde_json ends its message with the position, given here first.
            let message = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&position).unwrap_or(&message);
            return common::fail(
                format!(
                    "{}: line {}, column {}: {message}",
                    args.file,
                    e.line(),
                    e.column()
                ),
                "a ticket file is {\"policy\": \"ol-care\", \"region\": \"americas\", \"events\": [{\"at\": \"2026-11-23T09:00:00-05:00\", \"type\": \"created\", \"severity\": \"P2\", \"channel\": \"email\"}]}",
            );
        }
    };
    let policy = match Policy::load(&ticket.policy) {
        Ok(p) => p,
        Err(e) => return common::policy_failed(&e, "\"policy\""),
    };
    let report = match evaluate(&policy, &ticket.region, &ticket.events, as_of) {
        Ok(r) => r,
        Err(e) => return common::fail(e, "events are numbered from 0 in the order of the file"),
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => say!(out, "{text}"),
            Err(e) => return common::fail(e, ""),
        }
    } else {
        common::print_report(out, &report, true);
    }
    ExitCode::SUCCESS
}
