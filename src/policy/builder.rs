//! Policies written in code. A builder records the same keys a policy file
//! holds, in the order given, and hands them to the file loader: a policy
//! built in code is checked by the very rules (and gives the very errors)
//! of a policy file, naming the key path without a line and column.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::DayMode;
use crate::error::{Error, Location, Result};

use super::load::load;
use super::model::{ClockKind, Cycles, OnReopen, Policy, SeverityChange};

/// What errors of a policy built in code name as their origin.
pub const BUILT_IN_CODE: &str = "policy built in code";

/// A policy written in code: the keys of a policy file (see
/// `policies/README.md`), checked by [`build`](PolicyBuilder::build) with
/// the file loader's rules and errors.
///
/// Regions, severities, channels, statuses and metrics keep the order they
/// are added in, as tables keep file order; an id added twice is an error
/// (as in a file), while a key set twice keeps its last value (a setter).
/// Holiday sets given by path are read relative to the current directory.
///
/// # Example
/// ```
/// use sla_deadline::{ClockKind, MetricSpec, Policy, RegionSpec, Target};
///
/// let desk = Policy::builder("acme", "Acme support", "Acme")
///     .region(
///         "hq",
///         RegionSpec::new("Europe/Paris")
///             .hours("mon-fri", ["09:00-12:00", "14:00-18:00"])
///             .holidays(["fr"]),
///     )
///     .severity("high", "High", "")
///     .severity("low", "Low", "")
///     .channel("email", "Email")
///     .metric(
///         "first_response",
///         MetricSpec::new(ClockKind::Business)
///             .start(["created"])
///             .stop(["responded", "resolved"])
///             .by_severity("high", "2h")
///             .by_severity("low", "none"),
///     );
/// let policy = desk.clone().build()?;
/// let metric = policy.metric("first_response")?;
/// assert_eq!(metric.target(&policy, "high", "email"), Some(Target::Time(7200)));
///
/// // The same checks as a policy file, naming the key path.
/// let err = desk
///     .region("ny", RegionSpec::new("EST").hours("mon-fri", ["09:00-17:00"]).holidays([]))
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().starts_with("policy built in code: regions.ny.zone: time zone \"EST\""), "{err}");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicyBuilder {
    /// `[[rules]]`, each an inline table.
    rules: Vec<String>,
    meta: Toml,
    options: Toml,
    severities: Tables,
    channels: Tables,
    statuses: Tables,
    regions: Tables,
    metrics: Tables,
}

/// A region of a [`PolicyBuilder`]: the keys of `[regions.<id>]`.
#[derive(Debug, Clone)]
pub struct RegionSpec {
    keys: Toml,
    hours: Inline,
    exceptions: Inline,
    versions: Vec<String>,
}

/// A metric of a [`PolicyBuilder`]: the keys of `[metrics.<id>]`.
#[derive(Debug, Clone)]
pub struct MetricSpec {
    keys: Toml,
    targets: TargetSpec,
    versions: Vec<String>,
}

/// Targets (and clock kinds) in the usual forms, for a dated version of a
/// metric ([`MetricSpec::version`]) or a rule ([`RuleSpec::metric`]).
#[derive(Debug, Clone, Default)]
pub struct TargetSpec {
    clock: Option<String>,
    clock_by_severity: Inline,
    target: Option<String>,
    by_severity: Inline,
    by_channel: Inline,
    grid: Vec<(String, GridRow)>,
}

/// A rule of a [`PolicyBuilder`]: the keys of one `[[rules]]` table.
///
/// # Example
/// ```
/// use sla_deadline::{ClockKind, MetricSpec, Policy, RegionSpec, RuleSpec, TargetSpec};
///
/// let policy = Policy::builder("acme", "Acme support", "Acme")
///     .region("hq", RegionSpec::new("Europe/Paris").hours("mon-fri", ["09:00-17:00"]).holidays([]))
///     .severity("high", "High", "")
///     .channel("email", "Email")
///     .metric(
///         "first_response",
///         MetricSpec::new(ClockKind::Business).start(["created"]).stop(["responded"]).target("4h"),
///     )
///     .rule(
///         RuleSpec::new("premium")
///             .when_attribute("tier", ["premium", "gold"])
///             .calendar("24x7")
///             .metric("first_response", TargetSpec::new().target("1h")),
///     )
///     .build()?;
/// assert_eq!(policy.rules()[0].id(), "premium");
/// # Ok::<(), sla_deadline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RuleSpec {
    keys: Inline,
    when: Inline,
    attributes: Inline,
    metrics: Inline,
}

#[derive(Debug, Clone)]
enum GridRow {
    All(String),
    ByChannel(Inline),
}

impl Policy {
    /// A builder for a policy written in code (the `[policy]` table's `id`,
    /// `name` and `vendor`).
    pub fn builder(id: &str, name: &str, vendor: &str) -> PolicyBuilder {
        let mut meta = Toml::default();
        meta.key("id", &string(id));
        meta.key("name", &string(name));
        meta.key("vendor", &string(vendor));
        PolicyBuilder {
            rules: Vec::new(),
            meta,
            options: Toml::default(),
            severities: Tables::new("severities"),
            channels: Tables::new("channels"),
            statuses: Tables::new("statuses"),
            regions: Tables::new("regions"),
            metrics: Tables::new("metrics"),
        }
    }
}

impl PolicyBuilder {
    /// `policy.source`: the text the policy models.
    pub fn source(mut self, text: &str) -> Self {
        self.meta.key("source", &string(text));
        self
    }

    /// `[severities.<id>]`.
    pub fn severity(mut self, id: &str, name: &str, description: &str) -> Self {
        let mut t = Toml::default();
        t.key("name", &string(name));
        t.key("description", &string(description));
        self.severities.add(id, t);
        self
    }

    /// `[channels.<id>]`.
    pub fn channel(mut self, id: &str, name: &str) -> Self {
        let mut t = Toml::default();
        t.key("name", &string(name));
        self.channels.add(id, t);
        self
    }

    /// `[statuses.<id>]`: a status of the policy's own.
    pub fn status(mut self, id: &str, name: &str) -> Self {
        let mut t = Toml::default();
        t.key("name", &string(name));
        self.statuses.add(id, t);
        self
    }

    /// `[regions.<id>]`.
    pub fn region(mut self, id: &str, region: RegionSpec) -> Self {
        let mut t = region.keys;
        if !region.hours.is_empty() {
            t.key("hours", &region.hours.render());
        }
        if !region.exceptions.is_empty() {
            t.key("exceptions", &region.exceptions.render());
        }
        if !region.versions.is_empty() {
            t.key("versions", &format!("[{}]", region.versions.join(", ")));
        }
        self.regions.add(id, t);
        self
    }

    /// `[metrics.<id>]`.
    pub fn metric(mut self, id: &str, metric: MetricSpec) -> Self {
        let mut t = metric.keys;
        for (key, value) in metric.targets.keys() {
            t.key(key, &value);
        }
        if !metric.versions.is_empty() {
            t.key("versions", &format!("[{}]", metric.versions.join(", ")));
        }
        self.metrics.add(id, t);
        self
    }

    /// One more `[[rules]]` table, after those added before (the first
    /// that matches a ticket applies).
    pub fn rule(mut self, rule: RuleSpec) -> Self {
        self.rules.push(rule.render());
        self
    }

    /// `options.severity_change`.
    pub fn severity_change(mut self, change: SeverityChange) -> Self {
        let name = match change {
            SeverityChange::Recompute => "recompute",
            SeverityChange::Restart => "restart",
        };
        self.options.key("severity_change", &string(name));
        self
    }

    /// `options.business_days`.
    pub fn business_days(mut self, mode: DayMode) -> Self {
        let name = match mode {
            DayMode::SameTime => "same_time",
            DayMode::EndOfDay => "end_of_day",
        };
        self.options.key("business_days", &string(name));
        self
    }

    /// `options.warnings`: fractions of a budget, each in (0, 1).
    pub fn warnings(mut self, thresholds: impl IntoIterator<Item = f64>) -> Self {
        let list: Vec<String> = thresholds.into_iter().map(float).collect();
        self.options.key("warnings", &format!("[{}]", list.join(", ")));
        self
    }

    /// `options.horizon = [first, last]`: the years calendars cover.
    pub fn horizon(mut self, first: i32, last: i32) -> Self {
        self.options.key("horizon", &format!("[{first}, {last}]"));
        self
    }

    /// The policy, checked as a policy file is.
    ///
    /// # Errors
    /// The policy file's errors, with origin [`BUILT_IN_CODE`] and the key
    /// path (no line or column); errors of holiday files it names.
    pub fn build(self) -> Result<Policy> {
        let tables = [
            &self.severities,
            &self.channels,
            &self.statuses,
            &self.regions,
            &self.metrics,
        ];
        if let Some((tables, id)) = tables.iter().find_map(|t| t.twice.as_ref().map(|id| (t, id))) {
            return Err(Error::invalid(
                Location::new(BUILT_IN_CODE, format!("{}.{id}", tables.kind)),
                "added twice: expected each id once",
            ));
        }
        let mut text = String::new();
        // Top-level keys come before the first table header.
        if !self.rules.is_empty() {
            let _ = writeln!(text, "rules = [{}]", self.rules.join(", "));
        }
        self.meta.write(&["policy"], &mut text);
        if !self.options.0.is_empty() {
            self.options.write(&["options"], &mut text);
        }
        for t in tables {
            for (id, table) in &t.list {
                table.write(&[t.kind, id], &mut text);
            }
        }
        super::builtin::check_size(text.len() as u64)?;
        load(&text, BUILT_IN_CODE, Path::new("")).map_err(|e| match e {
            // Lines of the generated text mean nothing to the caller.
            Error::Invalid { mut at, message } if at.origin == BUILT_IN_CODE => {
                at.line_col = None;
                Error::Invalid { at, message }
            }
            other => other,
        })
    }
}

impl RegionSpec {
    /// A region keeping hours in `zone` (an IANA zone such as
    /// `"America/Toronto"`, or a fixed offset such as `"UTC+01:00"`).
    pub fn new(zone: &str) -> RegionSpec {
        let mut keys = Toml::default();
        keys.key("zone", &string(zone));
        RegionSpec {
            keys,
            hours: Inline::default(),
            exceptions: Inline::default(),
            versions: Vec::new(),
        }
    }

    /// A follow-the-sun region (`union`): open whenever one of the regions
    /// `members` (ids of regions with hours of their own) is open. Its zone
    /// is the first member's unless [`zone`](RegionSpec::zone) sets one.
    pub fn union<'a>(members: impl IntoIterator<Item = &'a str>) -> RegionSpec {
        let mut keys = Toml::default();
        keys.key("union", &strings(members));
        RegionSpec {
            keys,
            hours: Inline::default(),
            exceptions: Inline::default(),
            versions: Vec::new(),
        }
    }

    /// `zone`: the region's time zone.
    pub fn zone(mut self, zone: &str) -> Self {
        self.keys.key("zone", &string(zone));
        self
    }

    /// `name`: its display name.
    pub fn name(mut self, name: &str) -> Self {
        self.keys.key("name", &string(name));
        self
    }

    /// `hours.<days>`: open spans (`"09:00-17:00"`) on a day (`"mon"`) or a
    /// range of days (`"mon-fri"`).
    pub fn hours<'a>(mut self, days: &str, spans: impl IntoIterator<Item = &'a str>) -> Self {
        self.hours.push(days, strings(spans));
        self
    }

    /// `holidays`: holiday sets, built-in (`"ca-qc"`) or by path.
    pub fn holidays<'a>(mut self, sets: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("holidays", &strings(sets));
        self
    }

    /// `exceptions.<date>`: other hours on a date (`"2026-12-24"`); no
    /// spans closes it.
    pub fn exception<'a>(mut self, date: &str, spans: impl IntoIterator<Item = &'a str>) -> Self {
        self.exceptions.push(date, strings(spans));
        self
    }

    /// `[[regions.<id>.versions]]`: the weekly hours in force from `since`
    /// (included) until `until` (excluded), each `(days, spans)` as in
    /// [`hours`](RegionSpec::hours). Versions run end to end in the order
    /// added; the region then takes no `hours` of its own.
    pub fn version(
        mut self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        hours: &[(&str, &[&str])],
    ) -> Self {
        let mut v = dates(since, until);
        let mut week = Inline::default();
        for (days, spans) in hours {
            week.push(days, strings(spans.iter().copied()));
        }
        v.push("hours", week.render());
        self.versions.push(v.render());
        self
    }

    /// `languages`: the language tags it serves.
    pub fn languages<'a>(mut self, tags: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("languages", &strings(tags));
        self
    }
}

impl MetricSpec {
    /// A metric whose clock is of `kind` for every severity.
    pub fn new(kind: ClockKind) -> MetricSpec {
        MetricSpec {
            keys: Toml::default(),
            targets: TargetSpec::new().clock(kind),
            versions: Vec::new(),
        }
    }

    /// `name`: its display name.
    pub fn name(mut self, name: &str) -> Self {
        self.keys.key("name", &string(name));
        self
    }

    /// `clock.<severity>`: this severity's clock kind (the others must be
    /// given too, as in the file).
    pub fn clock_for(mut self, severity: &str, kind: ClockKind) -> Self {
        self.targets = self.targets.clock_for(severity, kind);
        self
    }
    /// `start`: the events and statuses that start the clock.
    pub fn start<'a>(mut self, triggers: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("start", &strings(triggers));
        self
    }

    /// `stop`: the events that stop it.
    pub fn stop<'a>(mut self, triggers: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("stop", &strings(triggers));
        self
    }

    /// `restart`: the events that start a new cycle of a counting clock.
    pub fn restart<'a>(mut self, triggers: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("restart", &strings(triggers));
        self
    }

    /// `on_reopen`: what a stopped clock does when the ticket is reopened.
    pub fn on_reopen(mut self, on_reopen: OnReopen) -> Self {
        let name = match on_reopen {
            OnReopen::Nothing => "nothing",
            OnReopen::Resume => "resume",
            OnReopen::NewCycle => "new_cycle",
        };
        self.keys.key("on_reopen", &string(name));
        self
    }

    /// `pauses_while_waiting`.
    pub fn pauses_while_waiting(mut self, pauses: bool) -> Self {
        self.keys
            .key("pauses_while_waiting", if pauses { "true" } else { "false" });
        self
    }

    /// `pause_in`: the statuses in which the clock pauses.
    pub fn pause_in<'a>(mut self, statuses: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("pause_in", &strings(statuses));
        self
    }

    /// `cycles`.
    pub fn cycles(mut self, cycles: Cycles) -> Self {
        let name = match cycles {
            Cycles::Once => "once",
            Cycles::Repeat => "repeat",
        };
        self.keys.key("cycles", &string(name));
        self
    }

    /// `channels`: the channels it applies to (default: all).
    pub fn channels<'a>(mut self, channels: impl IntoIterator<Item = &'a str>) -> Self {
        self.keys.key("channels", &strings(channels));
        self
    }

    /// `target`: one target for every severity and channel (`"4h"`,
    /// `"2bd"`, `"none"`).
    pub fn target(mut self, target: &str) -> Self {
        self.targets = self.targets.target(target);
        self
    }

    /// `by_severity.<severity>`.
    pub fn by_severity(mut self, severity: &str, target: &str) -> Self {
        self.targets = self.targets.by_severity(severity, target);
        self
    }

    /// `by_channel.<channel>`.
    pub fn by_channel(mut self, channel: &str, target: &str) -> Self {
        self.targets = self.targets.by_channel(channel, target);
        self
    }

    /// `grid.<severity> = target`: one target for every channel of a
    /// severity.
    pub fn grid_row(mut self, severity: &str, target: &str) -> Self {
        self.targets = self.targets.grid_row(severity, target);
        self
    }

    /// `grid.<severity>.<channel> = target`.
    pub fn grid(mut self, severity: &str, channel: &str, target: &str) -> Self {
        self.targets = self.targets.grid(severity, channel, target);
        self
    }

    /// `[[metrics.<id>.versions]]`: the targets in force from `since`
    /// (included) until `until` (excluded). Versions run end to end in the
    /// order added; the metric then takes no targets of its own, and a
    /// version no clock.
    pub fn version(
        mut self,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        targets: TargetSpec,
    ) -> Self {
        let mut v = dates(since, until);
        for (key, value) in targets.keys() {
            v.push(key, value);
        }
        self.versions.push(v.render());
        self
    }
}

impl TargetSpec {
    /// No targets and no clock yet.
    pub fn new() -> TargetSpec {
        TargetSpec::default()
    }

    /// `clock`: one kind for every severity (in a rule: instead of the
    /// metric's).
    pub fn clock(mut self, kind: ClockKind) -> Self {
        self.clock = Some(string(clock_name(kind)));
        self
    }

    /// `clock.<severity>`: this severity's clock kind (the others must be
    /// given too, as in the file).
    pub fn clock_for(mut self, severity: &str, kind: ClockKind) -> Self {
        self.clock_by_severity.push(severity, string(clock_name(kind)));
        self
    }

    /// `target`: one target for every severity and channel (`"4h"`,
    /// `"2bd"`, `"none"`).
    pub fn target(mut self, target: &str) -> Self {
        self.target = Some(string(target));
        self
    }

    /// `by_severity.<severity>`.
    pub fn by_severity(mut self, severity: &str, target: &str) -> Self {
        self.by_severity.push(severity, string(target));
        self
    }

    /// `by_channel.<channel>`.
    pub fn by_channel(mut self, channel: &str, target: &str) -> Self {
        self.by_channel.push(channel, string(target));
        self
    }

    /// `grid.<severity> = target`: one target for every channel of a
    /// severity.
    pub fn grid_row(mut self, severity: &str, target: &str) -> Self {
        self.grid
            .push((severity.to_string(), GridRow::All(target.to_string())));
        self
    }

    /// `grid.<severity>.<channel> = target`.
    pub fn grid(mut self, severity: &str, channel: &str, target: &str) -> Self {
        let cell = string(target);
        match self.grid.iter_mut().find(|(s, _)| s == severity) {
            Some((_, GridRow::ByChannel(cells))) => cells.push(channel, cell),
            _ => {
                let mut cells = Inline::default();
                cells.push(channel, cell);
                self.grid.push((severity.to_string(), GridRow::ByChannel(cells)));
            }
        }
        self
    }

    /// The keys it sets, rendered.
    fn keys(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.clock_by_severity.is_empty() {
            out.push(("clock", self.clock_by_severity.render()));
        } else if let Some(clock) = &self.clock {
            out.push(("clock", clock.clone()));
        }
        if let Some(target) = &self.target {
            out.push(("target", target.clone()));
        }
        if !self.by_severity.is_empty() {
            out.push(("by_severity", self.by_severity.render()));
        }
        if !self.by_channel.is_empty() {
            out.push(("by_channel", self.by_channel.render()));
        }
        if !self.grid.is_empty() {
            let mut grid = Inline::default();
            for (severity, row) in &self.grid {
                match row {
                    GridRow::All(target) => grid.push(severity, string(target)),
                    GridRow::ByChannel(cells) => grid.push(severity, cells.render()),
                }
            }
            out.push(("grid", grid.render()));
        }
        out
    }
}

impl RuleSpec {
    /// A rule with id `id` (rules sharing an id are its dated versions).
    pub fn new(id: &str) -> RuleSpec {
        let mut keys = Inline::default();
        keys.set("id", string(id));
        RuleSpec {
            keys,
            when: Inline::default(),
            attributes: Inline::default(),
            metrics: Inline::default(),
        }
    }

    /// `name`: its display name.
    pub fn name(mut self, name: &str) -> Self {
        self.keys.set("name", string(name));
        self
    }

    /// `since`: the first date it is in force.
    pub fn since(mut self, date: NaiveDate) -> Self {
        self.keys.set("since", date.to_string());
        self
    }

    /// `until`: the first date it is no longer in force.
    pub fn until(mut self, date: NaiveDate) -> Self {
        self.keys.set("until", date.to_string());
        self
    }

    /// `when.severity`: any of these severities.
    pub fn when_severities<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Self {
        self.when.set("severity", strings(ids));
        self
    }

    /// `when.channel`: any of these channels.
    pub fn when_channels<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Self {
        self.when.set("channel", strings(ids));
        self
    }

    /// `when.region`: any of these regions.
    pub fn when_regions<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Self {
        self.when.set("region", strings(ids));
        self
    }

    /// `when.attributes.<name>`: the ticket's attribute is any of `values`.
    pub fn when_attribute<'a>(mut self, name: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.attributes.set(name, strings(values));
        self
    }

    /// `calendar`: `"24x7"` or a region id.
    pub fn calendar(mut self, calendar: &str) -> Self {
        self.keys.set("calendar", string(calendar));
        self
    }

    /// `[rules.metrics.<id>]`: the rule's clock and targets for a metric.
    pub fn metric(mut self, id: &str, targets: TargetSpec) -> Self {
        let mut t = Inline::default();
        for (key, value) in targets.keys() {
            t.set(key, value);
        }
        self.metrics.set(id, t.render());
        self
    }

    fn render(mut self) -> String {
        if !self.attributes.is_empty() {
            self.when.set("attributes", self.attributes.render());
        }
        if !self.when.is_empty() {
            self.keys.set("when", self.when.render());
        }
        if !self.metrics.is_empty() {
            self.keys.set("metrics", self.metrics.render());
        }
        self.keys.render()
    }
}

/// A version's `since` and `until`, as TOML dates.
fn dates(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Inline {
    let mut v = Inline::default();
    if let Some(d) = since {
        v.push("since", d.to_string());
    }
    if let Some(d) = until {
        v.push("until", d.to_string());
    }
    v
}

fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Business => "business",
        ClockKind::Calendar => "calendar",
    }
}

/// The keys of one table, in the order first set; setting a key again
/// replaces its value (a builder's setter, not a duplicate key).
#[derive(Debug, Clone, Default)]
struct Toml(Vec<(String, String)>);

impl Toml {
    fn key(&mut self, key: &str, value: &str) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_string(),
            None => self.0.push((key.to_string(), value.to_string())),
        }
    }

    fn write(&self, header: &[&str], out: &mut String) {
        let keys: Vec<String> = header.iter().map(|k| string(k)).collect();
        let _ = writeln!(out, "[{}]", keys.join("."));
        for (key, value) in &self.0 {
            let _ = writeln!(out, "{} = {value}", string(key));
        }
    }
}

/// The tables of one kind (`[severities.<id>]`...), in the order added.
#[derive(Debug, Clone)]
struct Tables {
    kind: &'static str,
    list: Vec<(String, Toml)>,
    /// The first id added twice: refused by `build`, as in a file.
    twice: Option<String>,
}

impl Tables {
    fn new(kind: &'static str) -> Tables {
        Tables {
            kind,
            list: Vec::new(),
            twice: None,
        }
    }

    fn add(&mut self, id: &str, table: Toml) {
        if self.list.iter().any(|(i, _)| i == id) {
            self.twice.get_or_insert_with(|| id.to_string());
        } else {
            self.list.push((id.to_string(), table));
        }
    }
}

/// An inline table, `{ "k" = v, ... }`, in insertion order.
#[derive(Debug, Clone, Default)]
struct Inline(Vec<(String, String)>);

impl Inline {
    fn push(&mut self, key: &str, value: String) {
        self.0.push((key.to_string(), value));
    }

    /// Sets `key`, replacing an earlier value (a setter).
    fn set(&mut self, key: &str, value: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.push(key, value),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn render(&self) -> String {
        let pairs: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{} = {v}", string(k)))
            .collect();
        format!("{{ {} }}", pairs.join(", "))
    }
}

/// A TOML basic string holding exactly `s`.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(string).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML float: finite values as Rust prints them (always with a point or
/// an exponent); others as TOML's `nan`/`inf`, which the loader refuses.
fn float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_toml() {
        assert_eq!(string("a\"b\\c\nd\u{7f}"), "\"a\\\"b\\\\c\\u000Ad\\u007F\"");
        assert_eq!(float(0.75), "0.75");
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(1e-300), "1e-300");
    }
}
