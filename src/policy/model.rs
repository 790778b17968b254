//! The validated policy model. Everything here has been checked by the
//! loader: ids are unique, every metric has a target for every severity and
//! channel it applies to, every event name is known.

use std::sync::Arc;

use crate::calendar::{Calendar, DayMode};
use crate::error::{Error, Result};
use crate::target::{Target, WrittenTarget};

use super::rule::{Dated, InForce, Rule};
use super::triggers::Triggers;
use super::zoned::Zoned;

/// A vendor's SLA policy: regions, severities, channels, metrics, options.
///
/// # Example
/// ```
/// use sla_deadline::Policy;
/// let policy = Policy::builtin("ol-care")?;
/// let americas = policy.region("americas")?;
/// assert_eq!(americas.calendar().zone().to_string(), "America/Toronto");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
///
/// A policy is a shared handle on its compiled data: cloning it counts a
/// reference (no calendar is copied), so tickets, threads and caches can
/// each hold one.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy(pub(crate) Arc<Parts>);

/// What a policy holds, shared by its clones.
#[derive(Debug, PartialEq)]
pub(crate) struct Parts {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) vendor: String,
    pub(crate) source: String,
    pub(crate) regions: Vec<Region>,
    pub(crate) severities: Vec<Severity>,
    pub(crate) channels: Vec<Channel>,
    pub(crate) statuses: Vec<TicketStatus>,
    pub(crate) metrics: Vec<Metric>,
    /// `[[rules]]`, in file order (first match wins).
    pub(crate) rules: Vec<Rule>,
    pub(crate) options: Options,
    /// Calendars compiled for tickets (customer zones, 24x7), kept.
    pub(crate) zoned: Zoned,
    /// Some region's hours, metric's targets or rule has dates: tickets
    /// then need their creation date.
    pub(crate) dated: bool,
    /// Every trigger some metric lists: `customer_replied` outside a wait is
    /// a customer message, not a redundant event, when it is in here.
    pub(crate) listed: Triggers,
    /// Severity and channel ids as shared text, for explanations: a report
    /// names them without copying them.
    pub(crate) names: SharedIds,
    /// Per channel, in the policy's order: what a ticket's channel decides,
    /// worked out once rather than for every ticket.
    pub(crate) by_channel: Vec<ByChannel>,
    /// Per trigger bit, the metrics whose lists name it (bit `m` for metric
    /// `m`): an event that changes nothing else visits only those clocks.
    pub(crate) listeners: Vec<u128>,
}

/// Per trigger bit (event kinds, then `statuses` statuses), the metrics
/// whose `start`, `stop` or `restart` list names it.
pub(crate) fn listeners(metrics: &[Metric], statuses: usize) -> Vec<u128> {
    let mut listeners = vec![0u128; Triggers::status_bit(statuses) as usize];
    for (m, metric) in metrics.iter().enumerate() {
        let all = metric.lists.all();
        for (bit, bits) in listeners.iter_mut().enumerate() {
            if all.has(bit as u32) {
                *bits |= 1 << m;
            }
        }
    }
    listeners
}

impl Parts {
    /// The metrics whose lists name one of `fires` (bit `m` for metric `m`).
    pub(crate) fn listening(&self, fires: Triggers) -> u128 {
        fires
            .bits()
            .filter_map(|bit| self.listeners.get(bit as usize))
            .fold(0, |all, bits| all | bits)
    }
}

/// What a ticket's channel decides: the metrics that apply to it, and
/// whether one of them lists `acknowledged` (else an acknowledgement is
/// redundant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByChannel {
    /// Bit `m` for metric `m` (at most `MAX_METRICS`, under 128).
    metrics: u128,
    pub(crate) acknowledgeable: bool,
}

impl ByChannel {
    /// One entry per channel of `channels`: linear in the channels and
    /// the lists' lengths (a policy may list tens of thousands).
    pub(crate) fn of(channels: &[Channel], metrics: &[Metric]) -> Vec<ByChannel> {
        let index: std::collections::HashMap<&str, usize> = channels
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut applying = vec![0u128; channels.len()];
        for (m, metric) in metrics.iter().enumerate() {
            if metric.channels.is_empty() {
                applying.iter_mut().for_each(|bits| *bits |= 1 << m);
            }
            for c in metric.channels.iter().filter_map(|c| index.get(c.as_str())) {
                applying[*c] |= 1 << m;
            }
        }
        let acknowledged = Triggers::bit_of("acknowledged", []).map_or(Triggers::default(), Triggers::bit);
        let listing = metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| m.lists.all().meets(acknowledged))
            .fold(0u128, |bits, (m, _)| bits | 1 << m);
        applying
            .into_iter()
            .map(|metrics| ByChannel {
                metrics,
                acknowledgeable: metrics & listing != 0,
            })
            .collect()
    }

    /// The metrics that apply, bit `m` for metric `m`.
    pub(crate) fn metrics(&self) -> u128 {
        self.metrics
    }

    /// True if metric `m` applies.
    pub(crate) fn applies(&self, m: usize) -> bool {
        m < 128 && self.metrics >> m & 1 == 1
    }
}

/// Ids shared with reports' explanations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SharedIds {
    pub(crate) severities: Vec<Arc<str>>,
    pub(crate) channels: Vec<Arc<str>>,
}

impl SharedIds {
    pub(crate) fn of(severities: &[Severity], channels: &[Channel]) -> SharedIds {
        SharedIds {
            severities: severities.iter().map(|s| Arc::from(s.id.as_str())).collect(),
            channels: channels.iter().map(|c| Arc::from(c.id.as_str())).collect(),
        }
    }
}

/// A ticket status the policy declares (`[statuses.pending_vendor]`), beside
/// the built-in `open` and `waiting_on_customer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketStatus {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// A support centre: its calendar (one per dated version of its hours)
/// and languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) calendars: Dated<Arc<Calendar>>,
    /// `zone = "customer"`: the calendars above are in UTC, and tickets
    /// count in their customer's zone.
    pub(crate) customer_zone: bool,
    pub(crate) languages: Vec<String>,
}

/// A severity level, e.g. `P1` Critical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Severity {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
}

/// An intake channel, e.g. `phone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// Which time a metric's clock counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Only the region's business hours count.
    Business,
    /// Every second counts (24/7).
    Calendar,
}

/// Whether a metric measures one cycle or a new one after each stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycles {
    /// Once stopped, it stays stopped (until a reopen says otherwise).
    #[default]
    Once,
    /// After a stop, the next event of its `start` list opens a new cycle
    /// with a fresh budget (next reply time).
    Repeat,
}

/// What a stopped clock does when the ticket is reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnReopen {
    /// Nothing: it stays stopped.
    #[default]
    Nothing,
    /// It runs again with its remaining budget (resolution).
    Resume,
    /// A new cycle starts, if the clock had ever started (update).
    NewCycle,
}

/// What a severity change does to running clocks ([contract §6](crate::contract)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityChange {
    /// Take the new severity's target, converted from the original start.
    #[default]
    Recompute,
    /// Start a fresh clock at the change.
    Restart,
}

/// One measured promise: when its clock starts, stops, restarts and
/// pauses, and its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The clock kind per severity, in the policy's severity order.
    pub(crate) clocks: Vec<ClockKind>,
    /// Triggers (event kinds, or entering a declared status) that start the
    /// clock when it is not counting.
    pub(crate) start: Vec<String>,
    /// Triggers that stop it.
    pub(crate) stop: Vec<String>,
    /// Triggers that start a new cycle while it counts.
    pub(crate) restart: Vec<String>,
    /// Statuses during which it does not count.
    pub(crate) pause_in: Vec<String>,
    /// The four lists above as bit sets.
    pub(crate) lists: Lists,
    pub(crate) cycles: Cycles,
    pub(crate) on_reopen: OnReopen,
    /// Channels it applies to; empty means all.
    pub(crate) channels: Vec<String>,
    /// Targets: `(severity, channel)` lookup, resolved by the loader into
    /// a full grid, indexed `[severity][channel]` in the policy's order;
    /// one grid per dated version.
    pub(crate) grids: Dated<Vec<Vec<WrittenTarget>>>,
}

/// A metric's lists, compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Lists {
    pub(crate) start: Triggers,
    pub(crate) stop: Triggers,
    pub(crate) restart: Triggers,
    pub(crate) pause_in: Triggers,
}

impl Lists {
    pub(crate) fn all(&self) -> Triggers {
        self.start.union(self.stop).union(self.restart)
    }
}

/// Policy-wide clock options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub(crate) severity_change: SeverityChange,
    pub(crate) day_mode: DayMode,
    pub(crate) warnings: Vec<f64>,
    pub(crate) horizon: (i32, i32),
}

impl Policy {
    /// The policy's id, e.g. `ol-care`.
    pub fn id(&self) -> &str {
        &self.0.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// The vendor whose rules it models.
    pub fn vendor(&self) -> &str {
        &self.0.vendor
    }
    /// The source text it models.
    pub fn source(&self) -> &str {
        &self.0.source
    }
    /// Its regions, in file order.
    pub fn regions(&self) -> &[Region] {
        &self.0.regions
    }
    /// Its severities, in file order.
    pub fn severities(&self) -> &[Severity] {
        &self.0.severities
    }
    /// Its channels, in file order.
    pub fn channels(&self) -> &[Channel] {
        &self.0.channels
    }
    /// The statuses it declares, in file order (without the built-in
    /// `open` and `waiting_on_customer`).
    pub fn statuses(&self) -> &[TicketStatus] {
        &self.0.statuses
    }
    /// Its metrics, in file order (the order of reports).
    pub fn metrics(&self) -> &[Metric] {
        &self.0.metrics
    }
    /// Its options.
    pub fn options(&self) -> &Options {
        &self.0.options
    }
    /// Its SLA rules, in file order (the first that matches a ticket
    /// applies).
    pub fn rules(&self) -> &[Rule] {
        &self.0.rules
    }

    /// The region with this id.
    ///
    /// # Errors
    /// An unknown id; the error lists the known ones.
    pub fn region(&self, id: &str) -> Result<&Region> {
        self.region_index(id).map(|i| &self.0.regions[i])
    }

    /// The position of region `id` in [`regions`](Policy::regions).
    pub(crate) fn region_index(&self, id: &str) -> Result<usize> {
        self.0
            .regions
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| Error::unknown("region", id, self.0.regions.iter().map(|r| r.id.as_str())))
    }

    /// The severity with this id.
    ///
    /// # Errors
    /// An unknown id; the error lists the known ones.
    pub fn severity(&self, id: &str) -> Result<&Severity> {
        self.0
            .severities
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::unknown("severity", id, self.0.severities.iter().map(|s| s.id.as_str())))
    }

    /// The channel with this id.
    ///
    /// # Errors
    /// An unknown id; the error lists the known ones.
    pub fn channel(&self, id: &str) -> Result<&Channel> {
        self.0
            .channels
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::unknown("channel", id, self.0.channels.iter().map(|c| c.id.as_str())))
    }

    /// The metric with this id.
    ///
    /// # Errors
    /// An unknown id; the error lists the known ones.
    pub fn metric(&self, id: &str) -> Result<&Metric> {
        self.0
            .metrics
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| Error::unknown("metric", id, self.0.metrics.iter().map(|m| m.id.as_str())))
    }

    /// The index of declared status `id`.
    pub(crate) fn status_index(&self, id: &str) -> Option<usize> {
        self.0.statuses.iter().position(|s| s.id == id)
    }

    pub(crate) fn severity_index(&self, id: &str) -> Option<usize> {
        self.0.severities.iter().position(|s| s.id == id)
    }

    pub(crate) fn channel_index(&self, id: &str) -> Option<usize> {
        self.0.channels.iter().position(|c| c.id == id)
    }
}

impl Region {
    /// Its id, e.g. `americas`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its compiled business calendar: the latest version of its hours.
    /// For a `zone = "customer"` region, its hours in UTC (tickets count
    /// them in their customer's zone).
    pub fn calendar(&self) -> &Calendar {
        self.calendars.latest()
    }
    /// Its calendar per dated version of its hours, in date order (one,
    /// in force always, for hours without versions).
    pub fn calendars(&self) -> impl Iterator<Item = (InForce, &Calendar)> {
        self.calendars.0.iter().map(|(f, c)| (*f, &**c))
    }
    /// True for `zone = "customer"`: hours counted in the customer's zone.
    pub fn counts_in_customer_zone(&self) -> bool {
        self.customer_zone
    }
    /// The languages it serves.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }
}

impl TicketStatus {
    /// Its id, e.g. `pending_vendor`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Severity {
    /// Its id, e.g. `P1`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its name, e.g. `Critical`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What it means.
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl Channel {
    /// Its id, e.g. `phone`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Metric {
    /// Its id, e.g. `first_response`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its clock kind for the severity at index `severity` of the policy.
    pub(crate) fn clock_at(&self, severity: usize) -> ClockKind {
        self.clocks.get(severity).copied().unwrap_or(ClockKind::Business)
    }
    /// Its clock kind for a severity, `None` if the severity is unknown.
    pub fn clock(&self, policy: &Policy, severity: &str) -> Option<ClockKind> {
        Some(self.clock_at(policy.severity_index(severity)?))
    }
    /// Its clock kind per severity, in the policy's severity order.
    pub fn clocks(&self) -> &[ClockKind] {
        &self.clocks
    }
    /// One cycle, or a new cycle after each stop.
    pub fn cycles(&self) -> Cycles {
        self.cycles
    }
    /// The statuses during which it does not count (`waiting_on_customer`
    /// and declared statuses).
    pub fn pause_in(&self) -> &[String] {
        &self.pause_in
    }
    /// True if it applies to tickets from `channel`.
    pub fn applies_to(&self, channel: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c == channel)
    }

    /// Its target for a severity and channel of `policy` (by index) in
    /// the latest version, or `None` when either index is out of range.
    pub(crate) fn target_at(&self, severity: usize, channel: usize) -> Option<&WrittenTarget> {
        self.grids.latest().get(severity)?.get(channel)
    }

    /// Its target in dated version `version`.
    pub(crate) fn target_in(
        &self,
        version: usize,
        severity: usize,
        channel: usize,
    ) -> Option<&WrittenTarget> {
        self.grids.get(version).get(severity)?.get(channel)
    }

    /// The dates of its target versions, in order (one, in force always,
    /// for targets without versions).
    pub fn target_versions(&self) -> impl Iterator<Item = InForce> + '_ {
        self.grids.0.iter().map(|(f, _)| *f)
    }

    /// Its target for a severity and channel (the latest version), `None`
    /// if unknown.
    pub fn target(&self, policy: &Policy, severity: &str, channel: &str) -> Option<Target> {
        self.target_at(policy.severity_index(severity)?, policy.channel_index(channel)?)
            .map(WrittenTarget::value)
    }

    /// What it does when the ticket is reopened.
    pub fn on_reopen(&self) -> OnReopen {
        self.on_reopen
    }
    /// The triggers (event kinds or declared statuses) that start it.
    pub fn start_events(&self) -> &[String] {
        &self.start
    }
    /// The triggers that stop it.
    pub fn stop_events(&self) -> &[String] {
        &self.stop
    }
    /// The triggers that start a new cycle while it counts.
    pub fn restart_events(&self) -> &[String] {
        &self.restart
    }
    /// The channels it applies to, as written; empty means all.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }
}

impl Options {
    /// What a severity change does.
    pub fn severity_change(&self) -> SeverityChange {
        self.severity_change
    }
    /// How business-day targets are counted.
    pub fn day_mode(&self) -> DayMode {
        self.day_mode
    }
    /// Warning thresholds, fractions of the budget in (0, 10], ascending.
    pub fn warnings(&self) -> &[f64] {
        &self.warnings
    }
    /// The years every region's calendar covers.
    pub fn horizon(&self) -> (i32, i32) {
        self.horizon
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    #[test]
    fn by_channel_and_listeners_agree_with_each_metrics_lists() {
        let mut files: Vec<_> = ["policies", "policies/examples"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir).expect("policy directory"))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{files:?}");
        let acknowledged = Triggers::bit_of("acknowledged", []).map_or(Triggers::default(), Triggers::bit);
        for file in files {
            let policy = Policy::from_path(&file).expect("shipped policy");
            for (c, channel) in policy.channels().iter().enumerate() {
                let entry = policy.0.by_channel[c];
                for (m, metric) in policy.metrics().iter().enumerate() {
                    assert_eq!(entry.applies(m), metric.applies_to(channel.id()), "{file:?} {m}");
                }
                let bits = Triggers::status_bit(policy.statuses().len()) as usize;
                assert_eq!(policy.0.listeners.len(), bits, "{file:?}");
                for (bit, listening) in policy.0.listeners.iter().enumerate() {
                    for (m, metric) in policy.metrics().iter().enumerate() {
                        let named = metric.lists.all().has(bit as u32);
                        assert_eq!(listening >> m & 1 == 1, named, "{file:?} bit {bit} metric {m}");
                    }
                }
                let listed = policy
                    .metrics()
                    .iter()
                    .any(|m| m.applies_to(channel.id()) && m.lists.all().meets(acknowledged));
                assert_eq!(entry.acknowledgeable, listed, "{file:?} {}", channel.id());
            }
        }
    }
}
