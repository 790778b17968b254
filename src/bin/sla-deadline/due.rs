//! When is a new ticket due? Prints the report of a ticket created at an
//! instant, as of that instant (contract §9).
//!
//! ```text
//! sla-deadline due --policy ol-care --region americas \
//!     --severity P1 --channel phone --at 2026-11-20T16:30:00-05:00 \
//!     [--attribute tier=premium ...] [--customer-zone Asia/Tokyo] [--json]
//! ```

use std::process::ExitCode;

use crate::common;

use clap::Args as ClapArgs;
use sla_deadline::{Event, EventKind, Policy, evaluate};

/// Due instants of a new support ticket under an SLA policy.
#[derive(ClapArgs)]
#[command(name = "due", after_help = common::builtin_help())]
pub(crate) struct Args {
    /// Built-in policy id (ol-care, e3k-odoo) or path to a policy TOML file.
    #[arg(long)]
    policy: String,
    /// Region (support centre) id, e.g. americas.
    #[arg(long)]
    region: String,
    /// Severity id, e.g. P1.
    #[arg(long)]
    severity: String,
    /// Intake channel id, e.g. phone.
    #[arg(long)]
    channel: String,
    /// When the ticket is created, RFC 3339 (e.g. 2026-11-20T16:30:00-05:00).
    #[arg(long)]
    at: String,
    /// A ticket attribute that the policy's rules read, name=value (e.g.
    /// tier=premium); repeat for several.
    #[arg(long = "attribute", value_name = "NAME=VALUE")]
    attributes: Vec<String>,
    /// The customer's time zone (IANA, e.g. Asia/Tokyo), for regions with
    /// zone = "customer" and the due instants in the customer's time.
    #[arg(long)]
    customer_zone: Option<String>,
    /// Print the report as one JSON document (its fields: crate docs, module `contract`, §7).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args, out: &mut String) -> ExitCode {
    let at = match common::instant("--at", &args.at) {
        Ok(t) => t,
        Err(e) => {
            return common::fail(
                e,
                "give the creation instant with its offset, e.g. --at 2026-11-20T16:30:00-05:00",
            );
        }
    };
    let policy = match Policy::load(&args.policy) {
        Ok(p) => p,
        Err(e) => return common::policy_failed(&e, "--policy"),
    };
    let mut attributes = std::collections::BTreeMap::new();
    for pair in &args.attributes {
        let Some((name, value)) = pair.split_once('=') else {
            return common::fail(
                format!("--attribute {pair:?} has no '='"),
                "give each attribute as name=value, e.g. --attribute tier=premium",
            );
        };
        attributes.insert(name.to_string(), value.to_string());
    }
    let created = Event::new(
        at,
        EventKind::Created {
            severity: args.severity,
            channel: args.channel,
            attributes,
            customer_zone: args.customer_zone,
        },
    );
    let report = match evaluate(&policy, &args.region, &[created], None) {
        Ok(r) => r,
        Err(e) => return common::fail(e, "see --help for the policy's regions, severities and channels"),
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => say!(out, "{text}"),
            Err(e) => return common::fail(e, ""),
        }
        return ExitCode::SUCCESS;
    }
    common::print_report(out, &report, false);
    say!(out);
    for m in &report.metrics {
        if let Some(due) = m.due_at {
            say!(
                out,
                "{:<16} due in {} of calendar time",
                m.metric,
                common::span((due - at).num_seconds())
            );
        }
    }
    ExitCode::SUCCESS
}
