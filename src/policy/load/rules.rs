//! Stage 2 for what depends on the ticket: `[[rules]]` and the dates of
//! dated versions (`since`, `until`), checked end to end.

use super::*;
use crate::policy::raw::{RawDate, RawRule, RawRuleMetric};
use crate::policy::rule::{CalendarChoice, Override, Rule, When};

/// Most rules one policy may hold: each ticket tries them in order at its
/// creation and at each change of severity or attributes.
pub(crate) const MAX_RULES: usize = 1000;
/// Most dated versions of one thing (a region's hours, a metric's targets,
/// a rule): each version of hours is a compiled calendar.
pub(crate) const MAX_VERSIONS: usize = 100;
/// Most target cells that rules may hold in all: rules x metrics x
/// severities x channels, each one a target.
const MAX_RULE_CELLS: u64 = 4_000_000;

/// A version's `since` and `until`, each a date, `since` before `until`.
pub(super) fn in_force(
    ctx: &Ctx<'_>,
    path: &str,
    since: &Option<RawDate>,
    until: &Option<RawDate>,
) -> Result<InForce> {
    let since_date = since
        .as_ref()
        .map(|d| date(ctx, &join(path, "since"), d))
        .transpose()?;
    let until_date = until
        .as_ref()
        .map(|d| date(ctx, &join(path, "until"), d))
        .transpose()?;
    if let (Some(s), Some(u), Some(raw)) = (since_date, until_date, until) {
        if u <= s {
            return Err(ctx.err(
                &join(path, "until"),
                raw.span(),
                format!("until {u} is not after since {s}: expected the first date no longer in force, after `since`"),
            ));
        }
    }
    Ok(InForce {
        since: since_date,
        until: until_date,
    })
}

/// A date, `2027-01-01` (a TOML local date, or the same text quoted).
fn date(ctx: &Ctx<'_>, path: &str, raw: &RawDate) -> Result<NaiveDate> {
    let text = &raw.get_ref().0;
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    ok.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            ctx.err(
                path,
                raw.span(),
                format!(
                    "{:?} is not a date: expected a date such as 2027-01-01, without a time",
                    crate::input::shorten_plain(text, 40)
                ),
            )
        })
}

/// Dated versions in file order must run end to end: each one's `until` is
/// the next one's `since`. With `whole`, the versions cover all time (the
/// first has no `since`, the last no `until`), for the hours and targets
/// every ticket needs.
pub(super) fn check_versions<T>(
    ctx: &Ctx<'_>,
    path: &str,
    span: Range<usize>,
    versions: &[(InForce, T, Range<usize>)],
    whole: bool,
) -> Result<()> {
    if versions.is_empty() {
        return Err(ctx.err(
            path,
            span,
            "no versions: expected at least one, such as `[[...versions]]` with `until = 2027-01-01`",
        ));
    }
    if versions.len() > MAX_VERSIONS {
        return Err(ctx.err(
            path,
            span,
            format!("{} versions: expected at most {MAX_VERSIONS}", versions.len()),
        ));
    }
    let last = versions.len() - 1;
    for (i, (f, _, vspan)) in versions.iter().enumerate() {
        let here = format!("{path}[{i}]");
        if whole && i == 0 && f.since.is_some() {
            return Err(ctx.err(
                &join(&here, "since"),
                vspan.clone(),
                format!("the first version starts {}: expected no `since`, so that every ticket before it has a version (versions run end to end)", f.since.map_or(String::new(), |d| d.to_string())),
            ));
        }
        if whole && i == last && f.until.is_some() {
            return Err(ctx.err(
                &join(&here, "until"),
                vspan.clone(),
                format!("the last version ends {}: expected no `until`, so that every ticket after it has a version (versions run end to end)", f.until.map_or(String::new(), |d| d.to_string())),
            ));
        }
        if i == 0 {
            continue;
        }
        let prev = versions[i - 1].0;
        let (Some(end), Some(start)) = (prev.until, f.since) else {
            return Err(ctx.err(
                &here,
                vspan.clone(),
                format!(
                    "version {i} ({f}) overlaps version {} ({prev}): expected `until` on the earlier and `since` on the later, the same date",
                    i - 1
                ),
            ));
        };
        if start < end {
            return Err(ctx.err(
                &join(&here, "since"),
                vspan.clone(),
                format!(
                    "version {i} starts {start}, before version {} ends ({end}): the versions overlap; expected since = {end}",
                    i - 1
                ),
            ));
        }
        if start > end {
            return Err(ctx.err(
                &join(&here, "since"),
                vspan.clone(),
                format!(
                    "version {i} starts {start}, after version {} ends ({end}): no version is in force in between; expected since = {end}",
                    i - 1
                ),
            ));
        }
    }
    Ok(())
}

/// The policy's `[[rules]]`.
pub(super) fn rules(
    ctx: &Ctx<'_>,
    table: Option<Spanned<Vec<Spanned<RawRule>>>>,
    regions: &[Region],
    severities: &[Severity],
    channels: &[Channel],
    metrics: &[Metric],
) -> Result<Vec<Rule>> {
    let Some(table) = table else {
        return Ok(Vec::new());
    };
    let list = table.get_ref();
    if list.len() > MAX_RULES {
        return Err(ctx.err(
            "rules",
            table.span(),
            format!("{} rules: expected at most {MAX_RULES}", list.len()),
        ));
    }
    let cells = list.len() as u64 * metrics.len() as u64 * severities.len() as u64 * channels.len() as u64;
    if cells > MAX_RULE_CELLS {
        return Err(ctx.err(
            "rules",
            table.span(),
            format!(
                "{} rules x {} metrics x {} severities x {} channels make {cells} targets: expected at most {MAX_RULE_CELLS}",
                list.len(),
                metrics.len(),
                severities.len(),
                channels.len()
            ),
        ));
    }
    let ids = Ids::of(severities, channels);
    let mut out: Vec<Rule> = Vec::with_capacity(list.len());
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let path = format!("rules[{i}]");
        out.push(rule(
            ctx, &path, raw, regions, severities, channels, metrics, &ids,
        )?);
        spans.push(raw.span());
    }
    // Rules sharing an id are the dated versions of one rule.
    let mut seen: Vec<&str> = Vec::new();
    for rule in &out {
        if seen.contains(&rule.id.as_str()) {
            continue;
        }
        seen.push(&rule.id);
        let versions: Vec<(InForce, (), Range<usize>)> = out
            .iter()
            .zip(&spans)
            .filter(|(r, _)| r.id == rule.id)
            .map(|(r, s)| (r.in_force, (), s.clone()))
            .collect();
        if versions.len() > 1 {
            let first = out.iter().position(|r| r.id == rule.id).unwrap_or(0);
            check_versions(
                ctx,
                &format!("rules[{first}]"),
                spans[first].clone(),
                &versions,
                false,
            )
            .map_err(|e| match e {
                Error::Invalid { at, message } => Error::Invalid {
                    at,
                    message: format!(
                        "rule {:?}: {message} (rules with one id are its dated versions)",
                        rule.id
                    ),
                },
                other => other,
            })?;
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn rule(
    ctx: &Ctx<'_>,
    path: &str,
    raw: &Spanned<RawRule>,
    regions: &[Region],
    severities: &[Severity],
    channels: &[Channel],
    metrics: &[Metric],
    ids: &Ids<'_>,
) -> Result<Rule> {
    let r = raw.get_ref();
    let id =
        r.id.clone()
            .ok_or_else(|| ctx.missing(path, raw.span(), "id", "the rule's id, such as \"premium\""))?;
    check_id(ctx, &join(path, "id"), &id)?;
    let in_force = in_force(ctx, path, &r.since, &r.until)?;
    let when = match &r.when {
        None => When::default(),
        Some(w) => {
            let wpath = join(path, "when");
            let w = w.get_ref();
            let pick = |key: &str,
                        given: &Option<Spanned<OneOrMany>>,
                        names: &[&str],
                        what: &str|
             -> Result<Vec<usize>> {
                let Some(given) = given else {
                    return Ok(Vec::new());
                };
                let kpath = join(&wpath, key);
                let items = one_or_many(given);
                if items.is_empty() {
                    return Err(ctx.err(
                        &kpath,
                        given.span(),
                        format!(
                            "an empty list: expected some of {}, or no `{key}` for any",
                            list(names.iter().copied())
                        ),
                    ));
                }
                let mut out = Vec::new();
                for (name, span) in items {
                    let Some(i) = names.iter().position(|n| *n == name) else {
                        return Err(ctx.err(
                            &kpath,
                            span,
                            format!(
                                "unknown {what} {name:?}: expected one of {}",
                                list(names.iter().copied())
                            ),
                        ));
                    };
                    if out.contains(&i) {
                        return Err(ctx.err(
                            &kpath,
                            span,
                            format!("{what} {name:?} is listed twice: expected each once"),
                        ));
                    }
                    out.push(i);
                }
                Ok(out)
            };
            let sev_ids: Vec<&str> = severities.iter().map(|s| s.id.as_str()).collect();
            let chan_ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
            let region_ids: Vec<&str> = regions.iter().map(|r| r.id.as_str()).collect();
            let mut attributes = Vec::new();
            if let Some(attrs) = &w.attributes {
                let apath = join(&wpath, "attributes");
                for (name, values) in ordered(attrs.get_ref()) {
                    let vpath = join(&apath, name.get_ref());
                    let items: Vec<String> = one_or_many(values).into_iter().map(|(v, _)| v).collect();
                    if items.is_empty() {
                        return Err(ctx.err(
                            &vpath,
                            values.span(),
                            "an empty list: expected a value such as \"premium\" or a list of values, any of which matches",
                        ));
                    }
                    attributes.push((name.get_ref().clone(), items));
                }
            }
            When {
                severities: pick("severity", &w.severity, &sev_ids, "severity")?,
                channels: pick("channel", &w.channel, &chan_ids, "channel")?,
                regions: pick("region", &w.region, &region_ids, "region")?,
                attributes,
            }
        }
    };
    let calendar = match &r.calendar {
        None => None,
        Some(c) if c.get_ref() == "24x7" => Some(CalendarChoice::AllHours),
        Some(c) => match regions.iter().position(|x| &x.id == c.get_ref()) {
            Some(i) => Some(CalendarChoice::Region(i)),
            None => {
                return Err(ctx.err(
                    &join(path, "calendar"),
                    c.span(),
                    format!(
                        "unknown calendar {:?}: expected \"24x7\" or a region id ({})",
                        c.get_ref(),
                        list(regions.iter().map(|x| x.id.as_str()))
                    ),
                ));
            }
        },
    };
    let mut overrides: Vec<Option<Override>> = vec![None; metrics.len()];
    if let Some(table) = &r.metrics {
        let mpath = join(path, "metrics");
        for (mid, raw_metric) in ordered(table.get_ref()) {
            let Some(m) = metrics.iter().position(|x| &x.id == mid.get_ref()) else {
                return Err(ctx.err(
                    &join(&mpath, mid.get_ref()),
                    mid.span(),
                    format!(
                        "unknown metric {:?}: expected one of {}",
                        mid.get_ref(),
                        list(metrics.iter().map(|x| x.id.as_str()))
                    ),
                ));
            };
            let opath = join(&mpath, mid.get_ref());
            overrides[m] = Some(override_of(
                ctx,
                &opath,
                raw_metric,
                &metrics[m],
                severities,
                channels,
                ids,
            )?);
        }
    }
    if calendar.is_none() && overrides.iter().all(Option::is_none) {
        return Err(ctx.err(
            path,
            raw.span(),
            "a rule that changes nothing: expected `calendar` or `[rules.metrics.<id>]` targets",
        ));
    }
    Ok(Rule {
        name: name_or_id(&r.name, id.get_ref()),
        id: id.into_inner(),
        in_force,
        when,
        calendar,
        metrics: overrides,
    })
}

/// The values of a string or a list, with their spans.
fn one_or_many(given: &Spanned<OneOrMany>) -> Vec<(String, Range<usize>)> {
    match given.get_ref() {
        OneOrMany::One(s) => vec![(s.clone(), given.span())],
        OneOrMany::Many(v) => v.iter().map(|s| (s.get_ref().clone(), s.span())).collect(),
    }
}

/// A rule's clock and targets for one metric: cells it does not give keep
/// the metric's (every version's), so business days under a calendar
/// clock are checked against those too.
fn override_of(
    ctx: &Ctx<'_>,
    path: &str,
    raw: &Spanned<RawRuleMetric>,
    metric: &Metric,
    severities: &[Severity],
    channels: &[Channel],
    ids: &Ids<'_>,
) -> Result<Override> {
    let r = raw.get_ref();
    let clocks = match &r.clock {
        None => None,
        Some(_) => {
            // `clocks` reads a metric table's `clock`: hand it the same key.
            let as_metric = RawMetric {
                name: None,
                clock: r.clock.clone(),
                start: None,
                stop: None,
                restart: None,
                on_reopen: None,
                pauses_while_waiting: None,
                pause_in: None,
                cycles: None,
                channels: None,
                target: None,
                by_severity: None,
                by_channel: None,
                grid: None,
                versions: None,
            };
            Some(clocks(ctx, path, &raw.span(), &as_metric, severities)?)
        }
    };
    let kinds = clocks.clone().unwrap_or_else(|| metric.clocks.clone());
    let applicable: Vec<bool> = channels.iter().map(|c| metric.applies_to(&c.id)).collect();
    let grid = Grid {
        ctx,
        path,
        metric: &metric.id,
        clocks: &kinds,
        severities,
        channels,
        ids,
        applicable: &applicable,
    };
    let forms = Forms {
        target: &r.target,
        by_severity: &r.by_severity,
        by_channel: &r.by_channel,
        grid: &r.grid,
    };
    let cells: Vec<Vec<Option<WrittenTarget>>> = if forms.given().is_empty() {
        if clocks.is_none() {
            return Err(ctx.err(
                path,
                raw.span(),
                format!(
                    "nothing for metric {:?}: expected `clock` or targets ({TARGET_FORMS})",
                    metric.id
                ),
            ));
        }
        vec![vec![None; channels.len()]; severities.len()]
    } else {
        grid.cells(forms, &raw.span())?
    };
    // Targets kept from the metric under a clock the rule changes.
    if let Some(kinds) = &clocks {
        for (s, kind) in kinds.iter().enumerate() {
            if *kind != ClockKind::Calendar {
                continue;
            }
            for (c, cell) in cells[s].iter().enumerate() {
                if cell.is_some() || !applicable[c] {
                    continue;
                }
                for (_, g) in &metric.grids.0 {
                    if let Target::BusinessDays(_) = g[s][c].value() {
                        return Err(ctx.err(
                            &join(path, "clock"),
                            raw.span(),
                            format!(
                                "a calendar clock for severity {:?}, but metric {:?} keeps its target {:?} there, which counts business days: expected targets in calendar time for it in this rule",
                                severities[s].id,
                                metric.id,
                                g[s][c].as_str()
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(Override { clocks, grid: cells })
}
