//! Stage 2: raw serde structs -> the validated model, with compiled
//! calendars.
//!
//! Every check names the file, the key path, the line and column of the bad
//! value (or of the table that lacks a key), the value and what was
//! expected. The first mistake found wins; the order is fixed (metadata,
//! options, severities, channels, regions, metrics) so a file always gives
//! the same error.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, Weekday};
use toml::Spanned;

use crate::calendar::{Calendar, CalendarSpec, DayMode, MAX_INTERVALS};
use crate::error::{Error, Location, Result};
use crate::holiday::{HolidaySet, SetCache};
use crate::hours::{LocalSpan, WeeklyHours, check_day};
use crate::target::{Target, WrittenTarget};
use crate::zone::{LAST_RULES_YEAR, Zone};

use super::model::{
    ByChannel, Channel, ClockKind, Cycles, Lists, Metric, OnReopen, Options, Parts, Policy, Region, Severity,
    SeverityChange, SharedIds, TicketStatus, listeners,
};
use super::raw::{self, ClockSpec, IdMap, OneOrMany, RawMetric, RawPolicy, RawRegion, Row, Strings, ordered};
use super::rule::{Dated, InForce};
use super::triggers::{EVENT_KINDS as EVENTS, MAX_STATUSES, Triggers, WAITING};

mod rules;

/// The horizon of a policy that does not set one.
pub(crate) const DEFAULT_HORIZON: (i32, i32) = (2020, 2035);
/// The years a horizon may cover (the calendar's own bounds).
const YEARS: (i64, i64) = (1900, 2200);
/// Most years one horizon may cover.
const MAX_YEARS: i64 = 200;
/// Most severities one policy may define: the engine looks a severity up
/// by scanning the list at every `severity_changed` event (10 000 changes
/// among 120 000 severities took 43 s); real policies have about four.
pub(crate) const MAX_SEVERITIES: usize = 1000;
/// Most warning thresholds: every metric of every report lists the instant
/// of each (50 000 thresholds x 100 metrics made a 460 MB report).
const MAX_WARNINGS: usize = 20;
/// Most metrics one policy may define: every event of a ticket visits
/// every metric's clock (10 000 events x 11 000 restarting metrics took 75 s),
/// so this bounds a report's cost; real policies have about four.
pub(crate) const MAX_METRICS: usize = 100;
// A channel's metrics are one bit each (`ByChannel`).
const _: () = assert!(MAX_METRICS <= 128);
/// Most targets one policy may hold: metrics x severities x channels. The
/// grid of targets is dense, so 10 000 severities and 10 000 channels would
/// otherwise ask for 10^8 cells.
pub(crate) const MAX_TARGET_CELLS: u64 = 1_000_000;
/// Most region-years one policy may compile: each region compiles one
/// calendar per horizon year, so a short file with many regions and a long
/// horizon must not be able to ask for gigabytes.
const MAX_REGION_YEARS: i64 = 2000;

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// Where the text came from: for error locations and relative paths.
struct Ctx<'a> {
    text: &'a str,
    origin: &'a str,
    /// Directory against which relative holiday-set paths are resolved.
    base: PathBuf,
    /// Span of `options.horizon`, when the file sets it.
    horizon: Option<Range<usize>>,
}

impl Ctx<'_> {
    fn err(&self, path: &str, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::invalid(
            Location::new(self.origin, path).at_offset(self.text, span.start),
            message,
        )
    }

    /// `key` is required in the table at `path` (spanning `span`).
    fn missing(&self, path: &str, span: Range<usize>, key: &str, expected: &str) -> Error {
        let full = join(path, key);
        self.err(&full, span, format!("missing key `{key}`: expected {expected}"))
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Names for a message: the first few, and how many in all.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    crate::error::names(names, "(none)")
}

/// Loads a policy from its text. `base` is the directory of the file, for
/// holiday sets given by path.
pub(crate) fn load(text: &str, origin: &str, base: &Path) -> Result<Policy> {
    let raw = raw::parse(text, origin)?;
    let horizon = raw
        .options
        .as_ref()
        .and_then(|o| o.get_ref().horizon.as_ref().map(Spanned::span));
    let ctx = Ctx {
        text,
        origin,
        base: base.to_path_buf(),
        horizon,
    };
    build(&ctx, raw)
}

fn build(ctx: &Ctx<'_>, raw: RawPolicy) -> Result<Policy> {
    // A missing table has no span: point at the top of the file.
    let meta = raw.policy.ok_or_else(|| {
        ctx.err(
            "policy",
            0..0,
            "missing table `[policy]`: expected the policy's id, name and vendor",
        )
    })?;
    let meta_span = meta.span();
    let meta = meta.into_inner();
    let id = required(
        ctx,
        "policy",
        &meta_span,
        meta.id,
        "id",
        "the policy's id, such as \"acme\"",
    )?;
    check_id(ctx, "policy.id", &id)?;
    let name = required(
        ctx,
        "policy",
        &meta_span,
        meta.name,
        "name",
        "the policy's display name",
    )?;
    let vendor = required(
        ctx,
        "policy",
        &meta_span,
        meta.vendor,
        "vendor",
        "the vendor's name",
    )?;
    let source = meta.source.map(Spanned::into_inner).unwrap_or_default();

    let options = options(ctx, raw.options)?;
    let severities_span = raw_span(&raw.severities);
    let severities = severities(ctx, raw.severities)?;
    if severities.len() > MAX_SEVERITIES {
        return Err(ctx.err(
            "severities",
            severities_span,
            format!(
                "{} severities: expected at most {MAX_SEVERITIES} (every severity change looks the severity up)",
                severities.len()
            ),
        ));
    }
    let channels = channels(ctx, raw.channels)?;
    let statuses = statuses(ctx, raw.statuses)?;
    let regions = regions(ctx, raw.regions, &options)?;
    let metrics = metrics(ctx, raw.metrics, &severities, &channels, &statuses)?;
    let rules = rules::rules(ctx, raw.rules, &regions, &severities, &channels, &metrics)?;
    let listed = metrics
        .iter()
        .fold(Triggers::default(), |all, m| all.union(m.lists.all()));
    let names = SharedIds::of(&severities, &channels);
    let by_channel = ByChannel::of(&channels, &metrics);
    let listeners = listeners(&metrics, statuses.len());
    let dated = regions.iter().any(|r| r.calendars.is_versioned())
        || metrics.iter().any(|m| m.grids.is_versioned())
        || rules.iter().any(|r| !r.in_force.is_always());
    Ok(Policy(Arc::new(Parts {
        id: id.into_inner(),
        name: name.into_inner(),
        vendor: vendor.into_inner(),
        source,
        regions,
        severities,
        channels,
        statuses,
        metrics,
        rules,
        options,
        zoned: Default::default(),
        dated,
        listed,
        names,
        by_channel,
        listeners,
    })))
}

fn raw_span<T>(table: &Option<Spanned<T>>) -> Range<usize> {
    table.as_ref().map_or(0..0, Spanned::span)
}

fn required<T>(
    ctx: &Ctx<'_>,
    path: &str,
    table: &Range<usize>,
    value: Option<Spanned<T>>,
    key: &str,
    expected: &str,
) -> Result<Spanned<T>> {
    value.ok_or_else(|| ctx.missing(path, table.clone(), key, expected))
}

/// Ids name things in key paths and events: letters, digits, `-`, `_`.
fn check_id(ctx: &Ctx<'_>, path: &str, id: &Spanned<String>) -> Result<()> {
    let s = id.get_ref();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ctx.err(
            path,
            id.span(),
            format!("{s:?} is not an id: expected 1 to 64 ASCII letters, digits, '-' or '_'"),
        ))
    }
}

/// A table of ids that must hold at least one entry.
fn id_table<'a, T>(
    ctx: &Ctx<'_>,
    key: &str,
    table: &'a Option<Spanned<IdMap<T>>>,
    what: &str,
) -> Result<Vec<(&'a Spanned<String>, &'a Spanned<T>)>> {
    let Some(table) = table else {
        return Err(ctx.err(
            key,
            0..0,
            format!("missing table `[{key}]`: expected at least one {what}, e.g. `[{key}.<id>]`"),
        ));
    };
    let entries = ordered(table.get_ref());
    if entries.is_empty() {
        return Err(ctx.err(
            key,
            table.span(),
            format!("no {what} defined: expected at least one, e.g. `[{key}.<id>]`"),
        ));
    }
    for (id, _) in &entries {
        check_id(ctx, &join(key, id.get_ref()), id)?;
    }
    Ok(entries)
}

fn name_or_id(name: &Option<Spanned<String>>, id: &str) -> String {
    name.as_ref()
        .map_or_else(|| id.to_string(), |n| n.get_ref().clone())
}

fn severities(ctx: &Ctx<'_>, table: Option<Spanned<IdMap<raw::RawSeverity>>>) -> Result<Vec<Severity>> {
    Ok(id_table(ctx, "severities", &table, "severity")?
        .into_iter()
        .map(|(id, s)| Severity {
            id: id.get_ref().clone(),
            name: name_or_id(&s.get_ref().name, id.get_ref()),
            description: s
                .get_ref()
                .description
                .as_ref()
                .map(|d| d.get_ref().clone())
                .unwrap_or_default(),
        })
        .collect())
}

fn channels(ctx: &Ctx<'_>, table: Option<Spanned<IdMap<raw::RawChannel>>>) -> Result<Vec<Channel>> {
    Ok(id_table(ctx, "channels", &table, "channel")?
        .into_iter()
        .map(|(id, c)| Channel {
            id: id.get_ref().clone(),
            name: name_or_id(&c.get_ref().name, id.get_ref()),
        })
        .collect())
}

/// `[statuses]` is optional; a status id must not read as something else
/// in an event list or a `status_changed` event.
fn statuses(ctx: &Ctx<'_>, table: Option<Spanned<IdMap<raw::RawStatus>>>) -> Result<Vec<TicketStatus>> {
    let Some(table) = table else {
        return Ok(Vec::new());
    };
    let entries = ordered(table.get_ref());
    if entries.len() > MAX_STATUSES {
        return Err(ctx.err(
            "statuses",
            table.span(),
            format!(
                "{} statuses declared: expected at most {MAX_STATUSES}",
                entries.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(entries.len());
    for (id, st) in entries {
        let path = join("statuses", id.get_ref());
        check_id(ctx, &path, id)?;
        let name = id.get_ref().as_str();
        if name == "open" || EVENTS.contains(&name) {
            return Err(ctx.err(
                &path,
                id.span(),
                format!(
                    "status id {name:?} is taken by {}: expected another id, such as \"pending_vendor\"",
                    if name == "open" {
                        "the built-in status `open`"
                    } else {
                        "an event kind"
                    }
                ),
            ));
        }
        out.push(TicketStatus {
            id: name.to_string(),
            name: name_or_id(&st.get_ref().name, name),
        });
    }
    Ok(out)
}

fn options(ctx: &Ctx<'_>, raw: Option<Spanned<raw::RawOptions>>) -> Result<Options> {
    let mut options = Options {
        severity_change: SeverityChange::Recompute,
        day_mode: DayMode::SameTime,
        warnings: vec![0.75],
        horizon: DEFAULT_HORIZON,
    };
    let Some(raw) = raw else {
        return Ok(options);
    };
    let raw = raw.into_inner();
    if let Some(v) = raw.severity_change {
        options.severity_change = match v.get_ref().as_str() {
            "recompute" => SeverityChange::Recompute,
            "restart" => SeverityChange::Restart,
            other => {
                return Err(ctx.err(
                    "options.severity_change",
                    v.span(),
                    format!("unknown severity change {other:?}: expected \"recompute\" or \"restart\""),
                ));
            }
        };
    }
    if let Some(v) = raw.business_days {
        options.day_mode = match v.get_ref().as_str() {
            "same_time" => DayMode::SameTime,
            "end_of_day" => DayMode::EndOfDay,
            other => {
                return Err(ctx.err(
                    "options.business_days",
                    v.span(),
                    format!("unknown business days mode {other:?}: expected \"same_time\" or \"end_of_day\""),
                ));
            }
        };
    }
    if let Some(v) = raw.warnings {
        if v.get_ref().len() > MAX_WARNINGS {
            return Err(ctx.err(
                "options.warnings",
                v.span(),
                format!(
                    "{} warning thresholds: expected at most {MAX_WARNINGS} (each metric of each report lists a crossing for each)",
                    v.get_ref().len()
                ),
            ));
        }
        let mut warnings: Vec<f64> = Vec::new();
        // By bit pattern: every threshold is in (0, 10], so no -0.0 or NaN.
        let mut seen: HashSet<u64> = HashSet::new();
        for p in v.get_ref() {
            let x = *p.get_ref();
            if !(x > 0.0 && x <= 10.0) {
                return Err(ctx.err(
                    "options.warnings",
                    p.span(),
                    format!("warning threshold {x} is out of range: expected a fraction of the target in (0, 10], such as 0.75 or 1.5"),
                ));
            }
            if !seen.insert(x.to_bits()) {
                return Err(ctx.err(
                    "options.warnings",
                    p.span(),
                    format!("warning threshold {x} is listed twice: expected each threshold once"),
                ));
            }
            warnings.push(x);
        }
        warnings.sort_by(f64::total_cmp);
        options.warnings = warnings;
    }
    if let Some(v) = raw.horizon {
        let years = v.get_ref();
        let shape = || {
            ctx.err(
                "options.horizon",
                v.span(),
                format!(
                    "{} is not a horizon: expected [first_year, last_year], such as [2020, 2035]",
                    show_years(years)
                ),
            )
        };
        let [from, to] = years.as_slice() else {
            return Err(shape());
        };
        let (a, b) = (*from.get_ref(), *to.get_ref());
        for y in [from, to] {
            let x = *y.get_ref();
            if !(YEARS.0..=YEARS.1).contains(&x) {
                return Err(ctx.err(
                    "options.horizon",
                    y.span(),
                    format!(
                        "year {x} is out of range: expected a year within {}-{}",
                        YEARS.0, YEARS.1
                    ),
                ));
            }
        }
        if a > b {
            return Err(ctx.err(
                "options.horizon",
                v.span(),
                format!(
                    "{} is inverted: expected the first year before or equal to the last",
                    show_years(years)
                ),
            ));
        }
        if b - a + 1 > MAX_YEARS {
            return Err(ctx.err(
                "options.horizon",
                v.span(),
                format!(
                    "{} covers {} years: expected at most {MAX_YEARS}",
                    show_years(years),
                    b - a + 1
                ),
            ));
        }
        // In range by the checks above.
        options.horizon = (a as i32, b as i32);
    }
    Ok(options)
}

fn show_years(years: &[Spanned<i64>]) -> String {
    let items: Vec<String> = years.iter().map(|y| y.get_ref().to_string()).collect();
    format!("[{}]", items.join(", "))
}

fn regions(
    ctx: &Ctx<'_>,
    table: Option<Spanned<IdMap<RawRegion>>>,
    options: &Options,
) -> Result<Vec<Region>> {
    let entries = id_table(ctx, "regions", &table, "region")?;
    let (from, to) = options.horizon;
    let region_years = entries.len() as i64 * (i64::from(to) - i64::from(from) + 1);
    if region_years > MAX_REGION_YEARS {
        return Err(ctx.err(
            "regions",
            table.as_ref().map_or(0..0, Spanned::span),
            format!(
                "{} regions over the horizon {from}-{to} make {region_years} calendar-years: expected at most {MAX_REGION_YEARS} (fewer regions or a shorter horizon)",
                entries.len()
            ),
        ));
    }
    let mut sets = SetCache::new(options.horizon);
    let mut out: Vec<Region> = Vec::new();
    // One budget of open intervals for all the calendars of the policy.
    let mut used = 0u64;
    // Regions with hours of their own first, then the unions of them.
    let mut built: Vec<Option<Region>> = Vec::with_capacity(entries.len());
    for (id, region) in &entries {
        if region.get_ref().union.is_some() {
            built.push(None);
            continue;
        }
        let region = region_of(ctx, id, region, options, &mut sets, used)?;
        used += region.calendars.0.iter().map(|(_, c)| c.intervals()).sum::<u64>();
        built.push(Some(region));
    }
    for (n, (id, region)) in entries.iter().enumerate() {
        if built[n].is_none() {
            let (region, cost) = union_of(ctx, id, region, options, &entries, &built, used)?;
            used += cost;
            built[n] = Some(region);
        }
    }
    for region in built.into_iter().flatten() {
        out.push(region);
    }
    Ok(out)
}

/// A follow-the-sun region: `union = ["toronto", "london"]`, open whenever
/// one of its member regions is.
fn union_of(
    ctx: &Ctx<'_>,
    id: &Spanned<String>,
    region: &Spanned<RawRegion>,
    options: &Options,
    entries: &[(&Spanned<String>, &Spanned<RawRegion>)],
    built: &[Option<Region>],
    used: u64,
) -> Result<(Region, u64)> {
    let path = format!("regions.{}", id.get_ref());
    let r = region.get_ref();
    let union_path = join(&path, "union");
    let Some(listed) = &r.union else {
        return Err(ctx.err(&union_path, region.span(), "expected a list of region ids"));
    };
    for (key, span) in [
        ("hours", r.hours.as_ref().map(Spanned::span)),
        ("holidays", r.holidays.as_ref().map(Spanned::span)),
        ("exceptions", r.exceptions.as_ref().map(Spanned::span)),
    ] {
        if let Some(span) = span {
            return Err(ctx.err(
                &join(&path, key),
                span,
                format!("a union region keeps the hours, holidays and exceptions of its members: expected no `{key}` beside `union`"),
            ));
        }
    }
    let own = || {
        entries
            .iter()
            .filter(|(_, r)| r.get_ref().union.is_none())
            .map(|(i, _)| i.get_ref().as_str())
    };
    let mut members: Vec<&Region> = Vec::new();
    for member in listed.get_ref() {
        let m = member.get_ref();
        let Some(n) = entries.iter().position(|(i, _)| i.get_ref() == m) else {
            return Err(ctx.err(
                &union_path,
                member.span(),
                format!("unknown region {m:?}: expected one of {}", list(own())),
            ));
        };
        let Some(region) = &built[n] else {
            return Err(ctx.err(
                &union_path,
                member.span(),
                format!(
                    "region {m:?} is itself a union: expected a region with hours of its own ({})",
                    list(own())
                ),
            ));
        };
        if region.customer_zone {
            return Err(ctx.err(
                &union_path,
                member.span(),
                format!("region {m:?} counts in the customer's zone: expected regions with a fixed zone"),
            ));
        }
        if members.iter().any(|r| r.id == *m) {
            return Err(ctx.err(
                &union_path,
                member.span(),
                format!("region {m:?} is listed twice: expected each region once"),
            ));
        }
        members.push(region);
    }
    let Some(first) = members.first() else {
        return Err(ctx.err(
            &union_path,
            listed.span(),
            "an empty union: expected the ids of the regions it joins, such as [\"toronto\", \"london\"]",
        ));
    };
    let zone = match zone_of(ctx, &path, r, options)? {
        Some(zone) => zone,
        None => first.calendar().zone(),
    };
    // A union costs the members' intervals it merges as well as its own:
    // charged to the policy's budget, so many unions of many regions stay
    // bounded in time as well as in memory.
    let over = |total: u64| {
        ctx.err(
            &union_path,
            listed.span(),
            format!(
                "the calendars up to region {} and the intervals its union merges come to {total} open intervals: expected at most {MAX_INTERVALS} (fewer or smaller unions, fewer regions or a shorter horizon)",
                id.get_ref()
            ),
        )
    };
    // Members with dated hours make a union with dated hours: one union
    // per stretch between the members' version dates.
    let mut dates: Vec<NaiveDate> = members
        .iter()
        .flat_map(|m| m.calendars.0.iter().filter_map(|(f, _)| f.since))
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let mut stretches: Vec<InForce> = Vec::with_capacity(dates.len() + 1);
    let mut since = None;
    for d in &dates {
        stretches.push(InForce {
            since,
            until: Some(*d),
        });
        since = Some(*d);
    }
    stretches.push(InForce { since, until: None });
    let mut cost = 0u64;
    let mut calendars = Vec::with_capacity(stretches.len());
    for stretch in stretches {
        // A date inside the stretch picks each member's version.
        let day = stretch
            .since
            .or_else(|| stretch.until.and_then(|u| u.pred_opt()))
            .unwrap_or(NaiveDate::MIN);
        let versions: Vec<&Calendar> = members
            .iter()
            .map(|m| &**m.calendars.get(m.calendars.index_on(day)))
            .collect();
        let merged: u64 = versions.iter().map(|c| c.intervals()).sum();
        if used + cost + merged > MAX_INTERVALS {
            return Err(over(used + cost + merged));
        }
        let owned: Vec<Calendar> = versions.into_iter().cloned().collect();
        let calendar =
            Calendar::union(zone, &owned).map_err(|e| ctx.err(&union_path, listed.span(), e.to_string()))?;
        cost += merged + calendar.intervals();
        if used + cost > MAX_INTERVALS {
            return Err(over(used + cost));
        }
        calendars.push((stretch, Arc::new(calendar)));
    }
    let region = Region {
        id: id.get_ref().clone(),
        name: name_or_id(&r.name, id.get_ref()),
        calendars: Dated(calendars),
        customer_zone: false,
        languages: languages(ctx, &path, r)?,
    };
    Ok((region, cost))
}

/// A region's `zone`, if it has one, checked against the horizon's years.
fn zone_of(ctx: &Ctx<'_>, path: &str, r: &RawRegion, options: &Options) -> Result<Option<Zone>> {
    let Some(zone) = r.zone.as_ref() else {
        return Ok(None);
    };
    let zone_path = join(path, "zone");
    let zone_span = zone.span();
    if zone.get_ref() == CUSTOMER {
        return Err(ctx.err(
            &zone_path,
            zone_span,
            "zone \"customer\" is for a region with hours of its own: expected the time zone that names the union's dates, such as \"UTC\", or no `zone` for the first member's",
        ));
    }
    let zone = Zone::parse_at(zone.get_ref(), || {
        Location::new(ctx.origin, zone_path.clone()).at_offset(ctx.text, zone_span.start)
    })?;
    let (from, to) = options.horizon;
    if to > LAST_RULES_YEAR && zone.has_dst_at_rules_end() {
        // The horizon is what to change (or the zone): point at the horizon,
        // naming the zone's key.
        return Err(ctx.err(
            "options.horizon",
            ctx.horizon.clone().unwrap_or(zone_span),
            format!(
                "[{from}, {to}] goes past {LAST_RULES_YEAR}, the last year for which the daylight-saving rules of {zone_path} ({zone}) are known: expected a last year of at most {LAST_RULES_YEAR}, or a fixed offset such as \"UTC+01:00\" in {zone_path}"
            ),
        ));
    }
    Ok(Some(zone))
}

fn region_of(
    ctx: &Ctx<'_>,
    id: &Spanned<String>,
    region: &Spanned<RawRegion>,
    options: &Options,
    sets: &mut SetCache,
    used: u64,
) -> Result<Region> {
    let path = format!("regions.{}", id.get_ref());
    let r = region.get_ref();
    // Hours in the customer's zone are compiled in UTC here, to check
    // them and their holidays; tickets compile them in their zone.
    let customer_zone = r.zone.as_ref().is_some_and(|z| z.get_ref() == CUSTOMER);
    let zone = if customer_zone {
        Zone::UTC
    } else {
        zone_of(ctx, &path, r, options)?.ok_or_else(|| {
            ctx.missing(
                &path,
                region.span(),
                "zone",
                "a time zone such as \"America/Toronto\" or \"UTC+01:00\", or \"customer\"",
            )
        })?
    };
    // The weekly hours: one set, or one per dated version.
    let weeks: Vec<(InForce, WeeklyHours, &Spanned<IdMap<Strings>>)> = match (&r.hours, &r.versions) {
        (Some(hours), None) => vec![(
            InForce::default(),
            week(ctx, &join(&path, "hours"), hours)?,
            hours,
        )],
        (Some(hours), Some(_)) => {
            return Err(ctx.err(
                &join(&path, "hours"),
                hours.span(),
                "hours given both by `hours` and by `versions`: expected the hours in `versions` only, one set per dated version",
            ));
        }
        (None, Some(versions)) => {
            let vpath = join(&path, "versions");
            let mut out = Vec::new();
            let mut dated = Vec::new();
            for (i, v) in versions.get_ref().iter().enumerate() {
                let ipath = format!("{vpath}[{i}]");
                let raw = v.get_ref();
                let in_force = rules::in_force(ctx, &ipath, &raw.since, &raw.until)?;
                let hours = raw.hours.as_ref().ok_or_else(|| {
                    ctx.missing(
                        &ipath,
                        v.span(),
                        "hours",
                        "a table of weekly hours such as `mon-fri = [\"09:00-17:00\"]`",
                    )
                })?;
                out.push((in_force, week(ctx, &join(&ipath, "hours"), hours)?, hours));
                dated.push((in_force, (), v.span()));
            }
            rules::check_versions(ctx, &vpath, versions.span(), &dated, true)?;
            out
        }
        (None, None) => {
            return Err(ctx.missing(
                &path,
                region.span(),
                "hours",
                "a table of weekly hours such as `mon-fri = [\"09:00-17:00\"]`",
            ));
        }
    };
    let holidays = r.holidays.as_ref().ok_or_else(|| {
        ctx.missing(
            &path,
            region.span(),
            "holidays",
            "a holiday set id such as \"ca-qc\", a path to a holiday file, or [] for none",
        )
    })?;
    let holidays_path = join(&path, "holidays");
    let names: Vec<(String, Range<usize>)> = match holidays.get_ref() {
        OneOrMany::One(s) => vec![(s.clone(), holidays.span())],
        OneOrMany::Many(v) => v.iter().map(|s| (s.get_ref().clone(), s.span())).collect(),
    };
    let mut spec = Calendar::builder(zone);
    let mut seen = BTreeSet::new();
    for (name, span) in names {
        if !seen.insert(name.clone()) {
            return Err(ctx.err(
                &holidays_path,
                span,
                format!("holiday set {name:?} is listed twice: expected each set once"),
            ));
        }
        let set = holiday_set(ctx, &name, &holidays_path, span, zone, sets)?;
        spec = spec.holidays(&set);
    }
    if let Some(exceptions) = &r.exceptions {
        let ex_path = join(&path, "exceptions");
        for (date, spans) in ordered(exceptions.get_ref()) {
            let key = join(&ex_path, date.get_ref());
            let day = parse_date(date.get_ref()).ok_or_else(|| {
                ctx.err(
                    &key,
                    date.span(),
                    format!(
                        "{:?} is not a date: expected YYYY-MM-DD, such as 2026-12-24",
                        date.get_ref()
                    ),
                )
            })?;
            let (from, to) = options.horizon;
            if !(from..=to).contains(&chrono::Datelike::year(&day)) {
                return Err(ctx.err(
                    &key,
                    date.span(),
                    format!("exception date {day} is outside the horizon {from}-{to}: expected a date within it (see options.horizon)"),
                ));
            }
            let spans = day_spans(ctx, &key, spans)?;
            spec = spec.exception(day, spans);
        }
    }
    let (from, to) = options.horizon;
    let spec = spec.horizon(from, to);
    let mut calendars = Vec::with_capacity(weeks.len());
    let mut used = used;
    for (in_force, week, hours) in weeks {
        let calendar = compile(
            ctx,
            &path,
            id,
            spec.clone().week(week),
            hours,
            holidays,
            used,
            options,
        )?;
        used += calendar.intervals();
        calendars.push((in_force, Arc::new(calendar)));
    }
    Ok(Region {
        id: id.get_ref().clone(),
        name: name_or_id(&r.name, id.get_ref()),
        calendars: Dated(calendars),
        customer_zone,
        languages: languages(ctx, &path, r)?,
    })
}

/// A region's zone that says its hours are counted in each ticket's
/// customer zone.
pub(crate) const CUSTOMER: &str = "customer";

/// Compiles one of a region's calendars, `used` intervals of the policy's
/// budget being taken.
#[allow(clippy::too_many_arguments)]
fn compile(
    ctx: &Ctx<'_>,
    path: &str,
    id: &Spanned<String>,
    spec: CalendarSpec,
    hours: &Spanned<IdMap<Strings>>,
    holidays: &Spanned<OneOrMany>,
    used: u64,
    options: &Options,
) -> Result<Calendar> {
    let (from, to) = options.horizon;
    let holidays_path = join(path, "holidays");
    // Everything else was checked before, so what the calendar can still
    // refuse is a holiday set that does not cover the horizon (or fails to
    // produce its dates): point at `holidays`.
    spec.build_within(used, MAX_INTERVALS)
        .map_err(|e| match e {
            Error::Limit { limit, value, .. } => ctx.err(
                &join(path, "hours"),
                hours.span(),
                format!(
                    "the calendars up to region {} hold {value} open intervals over {from}-{to} (days x spans a day): expected at most {limit} (fewer spans a day, fewer regions or a shorter horizon)",
                    id.get_ref()
                ),
            ),
            Error::Invalid { message, .. } => {
                ctx.err(&holidays_path, holidays.span(), format!("{message} (see options.horizon)"))
            }
            other => ctx.err(&holidays_path, holidays.span(), other.to_string()),
        })
}

/// A region's `languages`: BCP 47 tags, each once.
fn languages(ctx: &Ctx<'_>, path: &str, r: &RawRegion) -> Result<Vec<String>> {
    let mut languages = Vec::new();
    let mut seen_languages: HashSet<&str> = HashSet::new();
    if let Some(langs) = &r.languages {
        for lang in langs.get_ref() {
            let l = lang.get_ref();
            let lpath = join(path, "languages");
            let ok =
                !l.is_empty() && l.len() <= 35 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(ctx.err(
                    &lpath,
                    lang.span(),
                    format!("{l:?} is not a language tag: expected a BCP 47 tag such as \"en\" or \"fr-CA\""),
                ));
            }
            if !seen_languages.insert(l) {
                return Err(ctx.err(
                    &lpath,
                    lang.span(),
                    format!("language {l:?} is listed twice: expected each language once"),
                ));
            }
            languages.push(l.clone());
        }
    }
    Ok(languages)
}

/// Resolves a holiday set named in a policy: a built-in id, or a path
/// relative to the policy file's directory (TOML, or iCalendar read in the
/// region's `zone`), through the policy's cache. The one place the loader
/// gets holiday data from.
fn holiday_set(
    ctx: &Ctx<'_>,
    name: &str,
    path: &str,
    span: Range<usize>,
    zone: Zone,
    sets: &mut SetCache,
) -> Result<HolidaySet> {
    let is_path =
        name.contains('/') || name.contains('\\') || name.ends_with(".toml") || SetCache::is_ics(name);
    if !is_path {
        return sets.builtin(name).map_err(|_| {
            // Sorted: the message does not depend on the holiday module's
            // order.
            let mut ids: Vec<&str> = HolidaySet::builtin_ids().to_vec();
            ids.sort_unstable();
            let builtins = if ids.is_empty() {
                String::new()
            } else {
                format!("a built-in id ({}) or ", list(ids))
            };
            ctx.err(
                path,
                span,
                format!(
                    "unknown holiday set {name:?}: expected {builtins}a path to a .toml or .ics holiday file"
                ),
            )
        });
    }
    let file = clean_path(&ctx.base.join(name));
    let shown = file.display().to_string();
    // A mistake inside the holiday file is reported where it is, saying
    // which key of which policy loaded it; any other failure (cannot read
    // it) is reported here, where the policy names it.
    sets.file(&file, zone).map_err(|e| match e {
        Error::Invalid { at, message } => Error::Invalid {
            at,
            message: format!("{message} (loaded by {path} in {})", ctx.origin),
        },
        Error::Io { message, .. } => {
            let hint = if message.contains(": expected") {
                String::new()
            } else {
                ": expected a path relative to the policy file's directory".to_string()
            };
            ctx.err(
                path,
                span,
                format!("holiday file {shown:?}: cannot read: {message}{hint}"),
            )
        }
        other => ctx.err(
            path,
            span,
            format!("holiday file {shown:?} cannot be loaded ({other})"),
        ),
    })
}

/// `path` without its `.` components (`./sub/./h.toml` is `sub/h.toml`), for
/// messages; `..` stays, since what it means depends on links.
fn clean_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        if part != std::path::Component::CurDir {
            out.push(part);
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `YYYY-MM-DD`, strictly.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The spans of one day (weekly hours or an exception), sorted, checked
/// for overlaps.
fn day_spans(ctx: &Ctx<'_>, path: &str, spans: &Spanned<Strings>) -> Result<Vec<LocalSpan>> {
    let mut out = Vec::new();
    for s in spans.get_ref() {
        out.push(LocalSpan::parse_at(s.get_ref(), || {
            Location::new(ctx.origin, path).at_offset(ctx.text, s.span().start)
        })?);
    }
    check_day(&mut out, || {
        Location::new(ctx.origin, path).at_offset(ctx.text, spans.span().start)
    })?;
    Ok(out)
}

/// A weekday key: `mon` or a range in week order such as `mon-fri`.
fn day_range(key: &str) -> Option<(usize, usize)> {
    let pos = |d: &str| DAYS.iter().position(|(k, _)| *k == d);
    match key.split_once('-') {
        None => pos(key).map(|i| (i, i)),
        Some((a, b)) => {
            let (a, b) = (pos(a)?, pos(b)?);
            (a < b).then_some((a, b))
        }
    }
}

fn week(ctx: &Ctx<'_>, path: &str, hours: &Spanned<IdMap<Strings>>) -> Result<WeeklyHours> {
    let mut week = WeeklyHours::default();
    let mut set_by: [Option<String>; 7] = Default::default();
    for (key, spans) in ordered(hours.get_ref()) {
        let k = key.get_ref();
        let kpath = join(path, k);
        let (a, b) = day_range(k).ok_or_else(|| {
            ctx.err(
                &kpath,
                key.span(),
                format!("{k:?} is not a day: expected mon, tue, wed, thu, fri, sat, sun or a range in week order such as mon-fri"),
            )
        })?;
        let day = day_spans(ctx, &kpath, spans)?;
        for (i, slot) in set_by.iter_mut().enumerate().take(b + 1).skip(a) {
            if let Some(other) = slot {
                return Err(ctx.err(
                    &kpath,
                    key.span(),
                    format!(
                        "{k:?} sets {} again, already set by {other:?}: expected each day in one key only",
                        DAYS[i].0
                    ),
                ));
            }
            *slot = Some(k.clone());
            // The spans were checked by `day_spans`; `set` cannot fail.
            week.set(DAYS[i].1, day.clone())?;
        }
    }
    if week.is_empty() {
        return Err(ctx.err(
            path,
            hours.span(),
            "no open hours in the week: expected at least one day with spans, such as `mon-fri = [\"09:00-17:00\"]`",
        ));
    }
    Ok(week)
}

fn metrics(
    ctx: &Ctx<'_>,
    table: Option<Spanned<IdMap<RawMetric>>>,
    severities: &[Severity],
    channels: &[Channel],
    statuses: &[TicketStatus],
) -> Result<Vec<Metric>> {
    let entries = id_table(ctx, "metrics", &table, "metric")?;
    if entries.len() > MAX_METRICS {
        return Err(ctx.err(
            "metrics",
            raw_span(&table),
            format!(
                "{} metrics: expected at most {MAX_METRICS} (every event of a ticket visits every metric)",
                entries.len()
            ),
        ));
    }
    let cells = entries.len() as u64 * severities.len() as u64 * channels.len() as u64;
    if cells > MAX_TARGET_CELLS {
        return Err(ctx.err(
            "metrics",
            table.as_ref().map_or(0..0, Spanned::span),
            format!(
                "{} metrics x {} severities x {} channels make {cells} targets: expected at most {MAX_TARGET_CELLS} (fewer metrics, severities or channels)",
                entries.len(),
                severities.len(),
                channels.len()
            ),
        ));
    }
    let ids = Ids::of(severities, channels);
    let mut out = Vec::new();
    for (id, m) in entries {
        out.push(metric_of(ctx, id, m, severities, channels, statuses, &ids)?);
    }
    Ok(out)
}

/// One of a metric's trigger lists: event kinds and declared statuses
/// ("entering that status"), each once.
fn events(
    ctx: &Ctx<'_>,
    path: &str,
    table: &Range<usize>,
    key: &str,
    value: &Option<Spanned<Strings>>,
    statuses: &[TicketStatus],
) -> Result<(Vec<String>, Triggers)> {
    let kpath = join(path, key);
    let names = || {
        list(
            EVENTS
                .iter()
                .copied()
                .chain(statuses.iter().map(|s| s.id.as_str())),
        )
    };
    let Some(value) = value else {
        if key == "restart" {
            return Ok((Vec::new(), Triggers::default()));
        }
        return Err(ctx.missing(
            path,
            table.clone(),
            key,
            &format!("a list of events, from {}", names()),
        ));
    };
    let (out, bits) = trigger_list(ctx, &kpath, value, "event", |name| {
        Triggers::bit_of(name, statuses.iter().map(|s| s.id.as_str())).ok_or_else(|| {
            let why = if name == "open" {
                format!(
                    "status {name:?} cannot be listed (a ticket returns to it; list \"status_changed\" for any change of status)"
                )
            } else {
                format!("unknown event {name:?}")
            };
            format!("{why}: expected one of {}", names())
        })
    })?;
    if key == "start" && out.is_empty() {
        return Err(ctx.err(
            &kpath,
            value.span(),
            format!("no start event: expected at least one, from {}", names()),
        ));
    }
    Ok((out, bits))
}

/// A list of triggers, each once: `bit` gives a name's bit, or the message
/// refusing it.
fn trigger_list(
    ctx: &Ctx<'_>,
    kpath: &str,
    listed: &Spanned<Strings>,
    what: &str,
    bit: impl Fn(&str) -> std::result::Result<u32, String>,
) -> Result<(Vec<String>, Triggers)> {
    let mut out = Vec::new();
    let mut bits = Triggers::default();
    for item in listed.get_ref() {
        let name = item.get_ref();
        let b = bit(name).map_err(|message| ctx.err(kpath, item.span(), message))?;
        if bits.has(b) {
            return Err(ctx.err(
                kpath,
                item.span(),
                format!("{what} {name:?} is listed twice: expected each {what} once"),
            ));
        }
        bits = bits.with(b);
        out.push(name.clone());
    }
    Ok((out, bits))
}

/// `pause_in`, or its short form `pauses_while_waiting`: the statuses
/// during which the clock does not count.
fn pause_in(
    ctx: &Ctx<'_>,
    path: &str,
    m: &RawMetric,
    statuses: &[TicketStatus],
) -> Result<(Vec<String>, Triggers)> {
    match (&m.pause_in, &m.pauses_while_waiting) {
        (Some(_), Some(short)) => Err(ctx.err(
            &join(path, "pauses_while_waiting"),
            short.span(),
            "both `pause_in` and `pauses_while_waiting` given: expected one (`pauses_while_waiting = true` is short for `pause_in = [\"waiting_on_customer\"]`)",
        )),
        (None, Some(short)) if *short.get_ref() => Ok((
            vec!["waiting_on_customer".to_string()],
            Triggers::bit(WAITING),
        )),
        (None, _) => Ok((Vec::new(), Triggers::default())),
        (Some(listed), None) => {
            let names =
                || list(std::iter::once("waiting_on_customer").chain(statuses.iter().map(|s| s.id.as_str())));
            trigger_list(ctx, &join(path, "pause_in"), listed, "status", |name| {
                // The waiting status shares the bit of the event that enters it.
                Triggers::bit_of(name, statuses.iter().map(|s| s.id.as_str()))
                    .filter(|&b| b == WAITING || b >= EVENTS.len() as u32)
                    .ok_or_else(|| format!("unknown status {name:?}: expected one of {}", names()))
            })
        }
    }
}

/// `clock`: one kind for every severity, or a table naming each severity.
fn clocks(
    ctx: &Ctx<'_>,
    path: &str,
    span: &Range<usize>,
    m: &RawMetric,
    severities: &[Severity],
) -> Result<Vec<ClockKind>> {
    const EXPECTED: &str = "\"business\" or \"calendar\"";
    let kind = |kpath: &str, text: &str, span: Range<usize>| match text {
        "business" => Ok(ClockKind::Business),
        "calendar" => Ok(ClockKind::Calendar),
        other => Err(ctx.err(
            kpath,
            span,
            format!("unknown clock {other:?}: expected {EXPECTED}"),
        )),
    };
    let spec = m.clock.as_ref().ok_or_else(|| {
        ctx.missing(
            path,
            span.clone(),
            "clock",
            &format!("{EXPECTED}, or a table of them by severity"),
        )
    })?;
    let cpath = join(path, "clock");
    match spec.get_ref() {
        ClockSpec::One(text) => Ok(vec![kind(&cpath, text, spec.span())?; severities.len()]),
        ClockSpec::BySeverity(table) => {
            let mut out: Vec<Option<ClockKind>> = vec![None; severities.len()];
            for (sev, text) in ordered(table) {
                let kpath = join(&cpath, sev.get_ref());
                let Some(s) = severities.iter().position(|x| &x.id == sev.get_ref()) else {
                    return Err(ctx.err(
                        &kpath,
                        sev.span(),
                        format!(
                            "unknown severity {:?}: expected one of {}",
                            sev.get_ref(),
                            list(severities.iter().map(|x| x.id.as_str()))
                        ),
                    ));
                };
                out[s] = Some(kind(&kpath, text.get_ref(), text.span())?);
            }
            out.iter()
                .zip(severities)
                .map(|(k, sev)| {
                    k.ok_or_else(|| {
                        ctx.err(
                            &cpath,
                            spec.span(),
                            format!(
                                "no clock for severity {:?}: expected a clock for every severity",
                                sev.id
                            ),
                        )
                    })
                })
                .collect()
        }
    }
}

/// Severity and channel ids to their index, so that each lookup is O(1)
/// (a policy may list 100 000 channels).
struct Ids<'a> {
    severities: HashMap<&'a str, usize>,
    channels: HashMap<&'a str, usize>,
}

impl<'a> Ids<'a> {
    fn of(severities: &'a [Severity], channels: &'a [Channel]) -> Ids<'a> {
        let index = |ids: Vec<&'a str>| ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
        Ids {
            severities: index(severities.iter().map(|s| s.id.as_str()).collect()),
            channels: index(channels.iter().map(|c| c.id.as_str()).collect()),
        }
    }
}

fn metric_of(
    ctx: &Ctx<'_>,
    id: &Spanned<String>,
    metric: &Spanned<RawMetric>,
    severities: &[Severity],
    channels: &[Channel],
    statuses: &[TicketStatus],
    ids: &Ids<'_>,
) -> Result<Metric> {
    let path = format!("metrics.{}", id.get_ref());
    let m = metric.get_ref();
    let span = metric.span();
    let clocks = clocks(ctx, &path, &span, m, severities)?;
    let (start, start_bits) = events(ctx, &path, &span, "start", &m.start, statuses)?;
    let (stop, stop_bits) = events(ctx, &path, &span, "stop", &m.stop, statuses)?;
    let (restart, restart_bits) = events(ctx, &path, &span, "restart", &m.restart, statuses)?;
    let (pause_in, pause_bits) = pause_in(ctx, &path, m, statuses)?;
    let cycles = match &m.cycles {
        None => Cycles::Once,
        Some(v) => match v.get_ref().as_str() {
            "once" => Cycles::Once,
            "repeat" => Cycles::Repeat,
            other => {
                return Err(ctx.err(
                    &join(&path, "cycles"),
                    v.span(),
                    format!("unknown cycles {other:?}: expected \"once\" or \"repeat\""),
                ));
            }
        },
    };
    let on_reopen = match &m.on_reopen {
        None => OnReopen::Nothing,
        Some(v) => match v.get_ref().as_str() {
            "nothing" => OnReopen::Nothing,
            "resume" => OnReopen::Resume,
            "new_cycle" => OnReopen::NewCycle,
            other => {
                return Err(ctx.err(
                    &join(&path, "on_reopen"),
                    v.span(),
                    format!("unknown reopen behaviour {other:?}: expected \"nothing\", \"resume\" or \"new_cycle\""),
                ));
            }
        },
    };
    let chan_ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
    let mut applies: Vec<String> = Vec::new();
    let mut applicable = vec![m.channels.is_none(); channels.len()];
    if let Some(listed) = &m.channels {
        let cpath = join(&path, "channels");
        if listed.get_ref().is_empty() {
            return Err(ctx.err(
                &cpath,
                listed.span(),
                format!(
                    "no channel listed: expected some of {}, or no `channels` key for all",
                    list(chan_ids.iter().copied())
                ),
            ));
        }
        for c in listed.get_ref() {
            let name = c.get_ref();
            let Some(&i) = ids.channels.get(name.as_str()) else {
                return Err(ctx.err(
                    &cpath,
                    c.span(),
                    format!(
                        "unknown channel {name:?}: expected one of {}",
                        list(chan_ids.iter().copied())
                    ),
                ));
            };
            if applicable[i] {
                return Err(ctx.err(
                    &cpath,
                    c.span(),
                    format!("channel {name:?} is listed twice: expected each channel once"),
                ));
            }
            applicable[i] = true;
            applies.push(name.clone());
        }
    }

    let grid = Grid {
        ctx,
        path: &path,
        metric: id.get_ref(),
        clocks: &clocks,
        severities,
        channels,
        ids,
        applicable: &applicable,
    };
    let grids = match &m.versions {
        None => Dated::always(grid.build(Forms::of_metric(m), &span)?),
        Some(versions) => {
            if let Some((key, span)) = Forms::of_metric(m).given().into_iter().next() {
                return Err(ctx.err(
                    &join(&path, key),
                    span,
                    format!("targets given both by `{key}` and by `versions`: expected the targets in `versions` only, one set per dated version"),
                ));
            }
            let vpath = join(&path, "versions");
            let mut out = Vec::new();
            for (i, v) in versions.get_ref().iter().enumerate() {
                let ipath = format!("{vpath}[{i}]");
                let r = v.get_ref();
                let in_force = rules::in_force(ctx, &ipath, &r.since, &r.until)?;
                let forms = Forms {
                    target: &r.target,
                    by_severity: &r.by_severity,
                    by_channel: &r.by_channel,
                    grid: &r.grid,
                };
                let g = Grid { path: &ipath, ..grid };
                out.push((in_force, g.build(forms, &v.span())?, v.span()));
            }
            rules::check_versions(ctx, &vpath, versions.span(), &out, true)?;
            Dated(out.into_iter().map(|(f, g, _)| (f, g)).collect())
        }
    };

    Ok(Metric {
        id: id.get_ref().clone(),
        name: name_or_id(&m.name, id.get_ref()),
        clocks,
        start,
        stop,
        restart,
        pause_in,
        lists: Lists {
            start: start_bits,
            stop: stop_bits,
            restart: restart_bits,
            pause_in: pause_bits,
        },
        cycles,
        on_reopen,
        channels: applies,
        grids,
    })
}

/// Resolves a metric's targets, in whichever of the four forms, into the
/// full `[severity][channel]` grid.
#[derive(Clone, Copy)]
struct Grid<'a> {
    ctx: &'a Ctx<'a>,
    path: &'a str,
    metric: &'a str,
    clocks: &'a [ClockKind],
    severities: &'a [Severity],
    channels: &'a [Channel],
    ids: &'a Ids<'a>,
    applicable: &'a [bool],
}

const TARGET_FORMS: &str = "`target`, `by_severity`, `by_channel` or `grid`";

/// The four target forms of a table (a metric, one of its versions, a
/// rule's metric), whichever it holds.
#[derive(Clone, Copy)]
pub(crate) struct Forms<'a> {
    pub(crate) target: &'a Option<Spanned<String>>,
    pub(crate) by_severity: &'a Option<Spanned<IdMap<String>>>,
    pub(crate) by_channel: &'a Option<Spanned<IdMap<String>>>,
    pub(crate) grid: &'a Option<Spanned<IdMap<Row>>>,
}

impl<'a> Forms<'a> {
    fn of_metric(m: &'a RawMetric) -> Forms<'a> {
        Forms {
            target: &m.target,
            by_severity: &m.by_severity,
            by_channel: &m.by_channel,
            grid: &m.grid,
        }
    }

    /// The forms given, with their spans.
    fn given(&self) -> Vec<(&'static str, Range<usize>)> {
        [
            ("target", self.target.as_ref().map(Spanned::span)),
            ("by_severity", self.by_severity.as_ref().map(Spanned::span)),
            ("by_channel", self.by_channel.as_ref().map(Spanned::span)),
            ("grid", self.grid.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(k, s)| Some((k, s?)))
        .collect()
    }
}

/// Cells of a grid as given, `None` where the forms say nothing.
type Cells = Vec<Vec<Option<WrittenTarget>>>;

impl Grid<'_> {
    /// The full grid of `forms` (every severity x applicable channel).
    fn build(&self, forms: Forms<'_>, span: &Range<usize>) -> Result<Vec<Vec<WrittenTarget>>> {
        let cells = self.cells(forms, span)?;
        self.complete(forms, cells)
    }

    /// The cells `forms` give, with at most one form and at least one.
    fn cells(&self, forms: Forms<'_>, span: &Range<usize>) -> Result<Cells> {
        let given = forms.given();
        if let [first, second, ..] = given.as_slice() {
            return Err(self.ctx.err(
                &join(self.path, second.0),
                second.1.clone(),
                format!(
                    "targets given both by `{}` and by `{}`: expected exactly one of {TARGET_FORMS}",
                    first.0, second.0
                ),
            ));
        }
        let (ns, nc) = (self.severities.len(), self.channels.len());
        let mut cells: Cells = vec![vec![None; nc]; ns];
        if let Some(t) = forms.target {
            let target = self.target(&join(self.path, "target"), t.get_ref(), t.span(), None)?;
            for row in &mut cells {
                for (c, cell) in row.iter_mut().enumerate() {
                    if self.applicable[c] {
                        *cell = Some(target.clone());
                    }
                }
            }
        } else if let Some(table) = forms.by_severity {
            let tpath = join(self.path, "by_severity");
            for (sev, t) in ordered(table.get_ref()) {
                let s = self.severity(&tpath, sev)?;
                let target = self.target(&join(&tpath, sev.get_ref()), t.get_ref(), t.span(), Some(s))?;
                for (c, cell) in cells[s].iter_mut().enumerate() {
                    if self.applicable[c] {
                        *cell = Some(target.clone());
                    }
                }
            }
        } else if let Some(table) = forms.by_channel {
            let tpath = join(self.path, "by_channel");
            for (chan, t) in ordered(table.get_ref()) {
                let c = self.channel(&tpath, chan)?;
                let target = self.target(&join(&tpath, chan.get_ref()), t.get_ref(), t.span(), None)?;
                for row in &mut cells {
                    row[c] = Some(target.clone());
                }
            }
        } else if let Some(table) = forms.grid {
            let tpath = join(self.path, "grid");
            for (sev, row) in ordered(table.get_ref()) {
                let s = self.severity(&tpath, sev)?;
                let rpath = join(&tpath, sev.get_ref());
                match row.get_ref() {
                    Row::All(t) => {
                        let target = self.target(&rpath, t, row.span(), Some(s))?;
                        for (c, cell) in cells[s].iter_mut().enumerate() {
                            if self.applicable[c] {
                                *cell = Some(target.clone());
                            }
                        }
                    }
                    Row::ByChannel(by) => {
                        for (chan, t) in ordered(by) {
                            let c = self.channel(&rpath, chan)?;
                            let target =
                                self.target(&join(&rpath, chan.get_ref()), t.get_ref(), t.span(), Some(s))?;
                            cells[s][c] = Some(target);
                        }
                    }
                }
            }
        } else {
            return Err(self.ctx.err(
                self.path,
                span.clone(),
                format!("no targets: expected one of {TARGET_FORMS} (use \"none\" for no target)"),
            ));
        }
        Ok(cells)
    }

    /// Every severity x applicable channel has a target; the others get
    /// `none`.
    fn complete(&self, forms: Forms<'_>, cells: Cells) -> Result<Vec<Vec<WrittenTarget>>> {
        let none = WrittenTarget::none();
        let mut grid = Vec::with_capacity(cells.len());
        for (s, row) in cells.into_iter().enumerate() {
            let mut out = Vec::with_capacity(row.len());
            for (c, cell) in row.into_iter().enumerate() {
                match cell {
                    _ if !self.applicable[c] => out.push(none.clone()),
                    Some(t) => out.push(t),
                    None => return Err(self.gap(forms, s, c)),
                }
            }
            grid.push(out);
        }
        Ok(grid)
    }

    fn gap(&self, forms: Forms<'_>, s: usize, c: usize) -> Error {
        let (sev, chan) = (&self.severities[s].id, &self.channels[c].id);
        let hint = "write \"none\" for no target";
        if let Some(t) = forms.by_severity {
            return self.ctx.err(
                &join(self.path, "by_severity"),
                t.span(),
                format!("no target for severity {sev:?}: expected a target for every severity; {hint}"),
            );
        }
        if let Some(t) = forms.by_channel {
            return self.ctx.err(
                &join(self.path, "by_channel"),
                t.span(),
                format!("no target for channel {chan:?}: expected a target for every channel the metric applies to; {hint}"),
            );
        }
        let (path, span) = match forms.grid {
            Some(g) => match g.get_ref().iter().find(|(k, _)| k.get_ref() == sev) {
                Some((_, row)) => (join(&join(self.path, "grid"), sev), row.span()),
                None => (join(self.path, "grid"), g.span()),
            },
            None => (self.path.to_string(), 0..0),
        };
        self.ctx.err(
            &path,
            span,
            format!("no target for severity {sev:?} on channel {chan:?}: expected a target for every severity and every channel the metric applies to; {hint}"),
        )
    }

    fn severity(&self, path: &str, key: &Spanned<String>) -> Result<usize> {
        let k = key.get_ref();
        self.ids.severities.get(k.as_str()).copied().ok_or_else(|| {
            self.ctx.err(
                &join(path, k),
                key.span(),
                format!(
                    "unknown severity {k:?}: expected one of {}",
                    list(self.severities.iter().map(|s| s.id.as_str()))
                ),
            )
        })
    }

    fn channel(&self, path: &str, key: &Spanned<String>) -> Result<usize> {
        let k = key.get_ref();
        let at = |msg: String| self.ctx.err(&join(path, k), key.span(), msg);
        let c = self.ids.channels.get(k.as_str()).copied().ok_or_else(|| {
            at(format!(
                "unknown channel {k:?}: expected one of {}",
                list(self.channels.iter().map(|c| c.id.as_str()))
            ))
        })?;
        if !self.applicable[c] {
            let ids: Vec<&str> = self
                .channels
                .iter()
                .zip(self.applicable)
                .filter(|(_, a)| **a)
                .map(|(c, _)| c.id.as_str())
                .collect();
            return Err(at(format!(
                "metric {:?} does not apply to channel {k:?}: expected one of its channels ({})",
                self.metric,
                list(ids)
            )));
        }
        Ok(c)
    }

    /// The target at `path`; `severity` is the severity it is for, `None`
    /// when it holds for every severity.
    fn target(
        &self,
        path: &str,
        text: &str,
        span: Range<usize>,
        severity: Option<usize>,
    ) -> Result<WrittenTarget> {
        if text.trim_start().starts_with('-') {
            return Err(self.ctx.err(
                path,
                span,
                format!(
                    "{text:?} is negative: expected a duration of zero or more, such as \"4h\", or \"none\""
                ),
            ));
        }
        let target = Target::parse_at(text, || {
            Location::new(self.ctx.origin, path).at_offset(self.ctx.text, span.start)
        })?;
        if let Target::BusinessDays(_) = target {
            let calendar = |s: &usize| self.clocks.get(*s) == Some(&ClockKind::Calendar);
            let on_calendar = match severity {
                Some(s) => calendar(&s).then_some(s),
                None => (0..self.clocks.len()).find(calendar),
            };
            if let Some(s) = on_calendar {
                let uniform = self.clocks.iter().all(|k| *k == ClockKind::Calendar);
                let whose = if uniform {
                    String::new()
                } else {
                    format!(" for severity {:?}", self.severities[s].id)
                };
                return Err(self.ctx.err(
                    path,
                    span,
                    format!(
                        "{text:?} counts business days but metric {:?} has a calendar clock{whose}: expected calendar time such as \"48h\", or clock = \"business\"",
                        self.metric
                    ),
                ));
            }
        }
        Ok(WrittenTarget::new(target, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_keys() {
        assert_eq!(day_range("mon"), Some((0, 0)));
        assert_eq!(day_range("mon-fri"), Some((0, 4)));
        assert_eq!(day_range("sat-sun"), Some((5, 6)));
        assert_eq!(day_range("fri-mon"), None);
        assert_eq!(day_range("mon-mon"), None);
        assert_eq!(day_range("monday"), None);
        assert_eq!(day_range("-"), None);
    }

    #[test]
    fn paths_in_messages_lose_their_dot_components() {
        let clean = |p: &str| clean_path(Path::new(p)).display().to_string();
        assert_eq!(clean("././sub/"), "sub");
        assert_eq!(clean("./sub/./h.toml"), "sub/h.toml");
        assert_eq!(clean("sub/../h.toml"), "sub/../h.toml");
        assert_eq!(clean("/etc/./h.toml"), "/etc/h.toml");
        assert_eq!(clean("./"), ".");
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-12-24").is_some());
        for bad in [
            "2026-2-03",
            "2026-02-30",
            "+2026-02-03",
            "2026/02/03",
            "20260203",
            "2026-02-0a",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
