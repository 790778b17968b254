//! What applies to a ticket: the SLA rule, the calendar and the dated
//! versions, chosen from who the ticket is for (its severity, channel,
//! region, attributes and customer zone) and when it was created.
//!
//! The versions are fixed at `created` (a ticket keeps the rules it was
//! opened under); the rule and the calendar are chosen again whenever the
//! severity or the attributes change.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::error::Result;
use crate::policy::{CalendarChoice, Policy, Rule, ZonedKey, all_hours};
use crate::zone::Zone;

/// The facts about a ticket that rules and calendars read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) severity: usize,
    pub(crate) channel: usize,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) customer_zone: Option<Zone>,
}

/// What is fixed at the ticket's creation.
pub(crate) struct Setting {
    /// The region the ticket was opened in, by index.
    pub(crate) region: usize,
    /// The local date of `created` in the ticket's zone: it picks the
    /// dated versions.
    pub(crate) date: NaiveDate,
    /// Per metric, the version of its targets in force.
    pub(crate) targets: Vec<usize>,
}

/// Where the calendar comes from, to tell a change of calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Region {
        region: usize,
        version: usize,
        zone: Option<Zone>,
    },
    AllHours(Zone),
}

/// The rule and calendar in force.
pub(crate) struct Terms<'p> {
    pub(crate) rule: Option<usize>,
    pub(crate) source: Source,
    pub(crate) calendar: Cal<'p>,
}

/// A calendar a ticket counts in: the policy's own, borrowed, or one
/// compiled for a customer's zone, shared with the policy's cache.
/// Borrowing keeps a shared reference count out of every ticket: two
/// threads reporting tickets of one policy would otherwise fight over its
/// cache line.
#[derive(Clone)]
pub(crate) enum Cal<'p> {
    Policy(&'p Calendar),
    Compiled(Arc<Calendar>),
}

impl std::ops::Deref for Cal<'_> {
    type Target = Calendar;

    fn deref(&self) -> &Calendar {
        match self {
            Cal::Policy(c) => c,
            Cal::Compiled(c) => c,
        }
    }
}

/// Why a ticket cannot be counted: a calendar in the customer's zone
/// without one.
pub(crate) struct NoCustomerZone(pub(crate) String);

impl Setting {
    /// The setting of a ticket created at `t` (seconds) in `region`.
    pub(crate) fn new(
        policy: &Policy,
        region: usize,
        t: i64,
        facts: &Facts,
    ) -> Result<Setting, NoCustomerZone> {
        let zone = ticket_zone(policy, region, facts)?;
        // Most policies date nothing: skip the local date (a zone lookup)
        // and the versions (an allocation) a report would not read.
        if !policy.0.dated {
            return Ok(Setting {
                region,
                date: NaiveDate::MIN,
                targets: Vec::new(),
            });
        }
        let date = zone.naive_local(t).map_or(NaiveDate::MIN, |local| local.date());
        let targets = policy.metrics().iter().map(|m| m.grids.index_on(date)).collect();
        Ok(Setting {
            region,
            date,
            targets,
        })
    }

    /// The version of metric `m`'s targets in force.
    pub(crate) fn target_version(&self, m: usize) -> usize {
        self.targets.get(m).copied().unwrap_or(0)
    }

    /// The dated versions in force, as `metrics.resolution: since 2027-01-01`
    /// lines (none for a policy without versions).
    pub(crate) fn versions(&self, policy: &Policy, terms: &Terms) -> Vec<String> {
        let mut out = Vec::new();
        if !policy.0.dated {
            return out;
        }
        if let Source::Region { region, version, .. } = terms.source {
            let r = &policy.regions()[region];
            if r.calendars.is_versioned() {
                out.push(format!(
                    "regions.{}.versions: {}",
                    r.id(),
                    r.calendars.0[version].0
                ));
            }
        }
        for (m, metric) in policy.metrics().iter().enumerate() {
            if metric.grids.is_versioned() {
                out.push(format!(
                    "metrics.{}.versions: {}",
                    metric.id(),
                    metric.grids.0[self.target_version(m)].0
                ));
            }
        }
        out
    }
}

/// The zone a ticket's dates are read in: its region's, or its
/// customer's for a `zone = "customer"` region.
fn ticket_zone(policy: &Policy, region: usize, facts: &Facts) -> Result<Zone, NoCustomerZone> {
    let r = &policy.regions()[region];
    if r.counts_in_customer_zone() {
        facts.customer_zone.ok_or_else(|| {
            NoCustomerZone(format!(
                "region {} counts its hours in the customer's zone: expected a customer_zone in the created event, such as \"Asia/Tokyo\"",
                r.id()
            ))
        })
    } else {
        Ok(r.calendar().zone())
    }
}

/// True if `rule` holds for the ticket.
fn matches(rule: &Rule, setting: &Setting, facts: &Facts) -> bool {
    let w = &rule.when;
    let any = |list: &[usize], i: usize| list.is_empty() || list.contains(&i);
    rule.in_force.contains(setting.date)
        && any(&w.severities, facts.severity)
        && any(&w.channels, facts.channel)
        && any(&w.regions, setting.region)
        && w.attributes.iter().all(|(name, values)| {
            facts
                .attributes
                .get(name)
                .is_some_and(|v| values.iter().any(|x| x == v))
        })
}

/// The terms for a ticket with `facts`.
pub(crate) fn choose<'p>(
    policy: &'p Policy,
    setting: &Setting,
    facts: &Facts,
) -> Result<Result<Terms<'p>, NoCustomerZone>> {
    let rule = policy.rules().iter().position(|r| matches(r, setting, facts));
    let choice = rule
        .and_then(|r| policy.rules()[r].calendar)
        .unwrap_or(CalendarChoice::Region(setting.region));
    let horizon = policy.options().horizon();
    let (source, calendar) = match choice {
        CalendarChoice::Region(i) => {
            let r = &policy.regions()[i];
            let version = r.calendars.index_on(setting.date);
            let stored = r.calendars.get(version);
            if r.counts_in_customer_zone() {
                let zone = match ticket_zone(policy, i, facts) {
                    Ok(zone) => zone,
                    Err(e) => return Ok(Err(e)),
                };
                let key = ZonedKey::Region {
                    region: i,
                    version,
                    zone,
                };
                let calendar = policy.0.zoned.get(key, || stored.spec().clone().in_zone(zone))?;
                (
                    Source::Region {
                        region: i,
                        version,
                        zone: Some(zone),
                    },
                    Cal::Compiled(calendar),
                )
            } else {
                (
                    Source::Region {
                        region: i,
                        version,
                        zone: None,
                    },
                    Cal::Policy(stored),
                )
            }
        }
        CalendarChoice::AllHours => {
            let zone = match ticket_zone(policy, setting.region, facts) {
                Ok(zone) => zone,
                Err(e) => return Ok(Err(e)),
            };
            let calendar = policy
                .0
                .zoned
                .get(ZonedKey::AllHours { zone }, || all_hours(zone, horizon))?;
            (Source::AllHours(zone), Cal::Compiled(calendar))
        }
    };
    Ok(Ok(Terms {
        rule,
        source,
        calendar,
    }))
}

/// Why `rule` applies to the ticket: its conditions, as they hold.
pub(crate) fn why(policy: &Policy, rule: &Rule, setting: &Setting, facts: &Facts) -> String {
    let w = &rule.when;
    let mut parts: Vec<String> = Vec::new();
    for (name, _) in &w.attributes {
        if let Some(v) = facts.attributes.get(name) {
            parts.push(format!("{name} = {v}"));
        }
    }
    if !w.severities.is_empty() {
        parts.push(format!("severity {}", policy.severities()[facts.severity].id()));
    }
    if !w.channels.is_empty() {
        parts.push(format!("channel {}", policy.channels()[facts.channel].id()));
    }
    if !w.regions.is_empty() {
        parts.push(format!("region {}", policy.regions()[setting.region].id()));
    }
    match (rule.in_force.since, rule.in_force.until) {
        (None, None) => {}
        (Some(s), None) => parts.push(format!("created on or after {s}")),
        (None, Some(u)) => parts.push(format!("created before {u}")),
        (Some(s), Some(u)) => parts.push(format!("created on or after {s} and before {u}")),
    }
    let mut text = format!("rule {} ({}) applies", rule.id(), rule.name());
    if parts.is_empty() {
        text.push_str(" to every ticket");
    } else {
        text.push_str(": ");
        text.push_str(&parts.join(", "));
    }
    match rule.calendar {
        Some(CalendarChoice::AllHours) => text.push_str("; business time counts 24x7"),
        Some(CalendarChoice::Region(i)) => {
            text.push_str(&format!(
                "; business time counts in region {}'s calendar",
                policy.regions()[i].id()
            ));
        }
        None => {}
    }
    text
}
