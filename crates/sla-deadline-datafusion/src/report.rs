//! `sla_report(at, type, severity, channel [, status, metric, target,
//! customer_zone, attributes])`: the aggregate that reports a ticket from
//! its event rows.
//!
//! Its state is the ticket's events so far, as one list per argument
//! (instants in Unix seconds, then the texts), so that partial aggregates
//! from several partitions merge; the report is computed once, at the end.
//! Both accumulators (one group, many groups) keep rows the same way, in a
//! `Store`: each text interned once, a row an instant and indices.

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, Int64Builder, ListArray, StringBuilder, StructArray,
    new_null_array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::ScalarValue;
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, TypeSignature, Volatility,
};
use sla_deadline::{Figures, Policy, evaluate_figures};
use sla_deadline_arrow::{EventKeys, Events, ReportColumns};

/// The text arguments after `at`, in order: the first three are required.
const KEYS: [&str; 8] = [
    "type",
    "severity",
    "channel",
    "status",
    "metric",
    "target",
    "customer_zone",
    "attributes",
];

/// Arguments: `at` and the first three keys at least, all eight at most.
const ARGS: std::ops::RangeInclusive<usize> = 4..=9;

/// The aggregate, for one policy region.
#[derive(Debug)]
pub(crate) struct Report {
    policy: Policy,
    region: String,
    signature: Signature,
}

impl Report {
    pub(crate) fn new(policy: Policy, region: String) -> Report {
        Report {
            policy,
            region,
            signature: Signature::one_of(ARGS.map(TypeSignature::Any).collect(), Volatility::Immutable),
        }
    }

    fn store(&self) -> Store {
        Store {
            policy: self.policy.clone(),
            region: self.region.clone(),
            names: Names::default(),
            extras: Vec::new(),
        }
    }
}

impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        self.policy.id() == other.policy.id() && self.region == other.region
    }
}

impl Eq for Report {}

impl Hash for Report {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.policy.id().hash(state);
        self.region.hash(state);
    }
}

fn return_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(ReportColumns::fields()),
        true,
    )))
}

fn list_of(t: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", t, true)))
}

/// `(at timestamp, type text, ...)` for an error message.
fn expected() -> String {
    let keys: Vec<String> = KEYS.iter().map(|k| format!("{k} text")).collect();
    format!(
        "(at timestamp, {}, then optionally, in this order, {})",
        keys[..3].join(", "),
        keys[3..].join(", ")
    )
}

impl AggregateUDFImpl for Report {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn name(&self) -> &str {
        "sla_report"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let text = |t: &DataType| TEXT.contains(t);
        match args {
            [DataType::Timestamp(_, _), keys @ ..] if ARGS.contains(&args.len()) && keys.iter().all(text) => {
                Ok(return_type())
            }
            _ => Err(DataFusionError::Plan(format!(
                "sla_report: expected {}, found ({})",
                expected(),
                args.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Ticket {
            store: self.store(),
            rows: Vec::new(),
        }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Groups {
            store: self.store(),
            rows: Vec::new(),
            groups: 0,
        }))
    }

    /// Every key's list, however many arguments were given (the missing
    /// ones are null): one state layout for both accumulators.
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let mut fields = vec![Arc::new(Field::new(
            format!("{}_at", args.name),
            list_of(DataType::Int64),
            true,
        ))];
        for key in KEYS {
            fields.push(Arc::new(Field::new(
                format!("{}_{key}", args.name),
                list_of(DataType::Utf8),
                true,
            )));
        }
        Ok(fields)
    }
}

/// Unix seconds of a timestamp column (any unit), or of an Int64 state.
fn seconds(array: &ArrayRef) -> Result<Vec<Option<i64>>> {
    let floor =
        |values: Vec<Option<i64>>, k: i64| values.into_iter().map(|v| v.map(|x| x.div_euclid(k))).collect();
    Ok(match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            array.as_primitive::<TimestampSecondType>().iter().collect()
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => floor(
            array.as_primitive::<TimestampMillisecondType>().iter().collect(),
            1_000,
        ),
        DataType::Timestamp(TimeUnit::Microsecond, _) => floor(
            array.as_primitive::<TimestampMicrosecondType>().iter().collect(),
            1_000_000,
        ),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => floor(
            array.as_primitive::<TimestampNanosecondType>().iter().collect(),
            1_000_000_000,
        ),
        DataType::Int64 => array
            .as_any()
            .downcast_ref::<Int64Array>()
            .map_or_else(Vec::new, |a| a.iter().collect()),
        other => {
            return Err(DataFusionError::Execution(format!(
                "sla_report: expected a timestamp column, found {other}"
            )));
        }
    })
}

/// The types a text argument may have.
const TEXT: [DataType; 4] = [
    DataType::Utf8,
    DataType::LargeUtf8,
    DataType::Utf8View,
    DataType::Null,
];

/// A text column read without copying.
enum TextColumn<'a> {
    Utf8(&'a datafusion::arrow::array::StringArray),
    Large(&'a datafusion::arrow::array::LargeStringArray),
    View(&'a datafusion::arrow::array::StringViewArray),
    Null,
}

impl<'a> TextColumn<'a> {
    fn of(array: &'a ArrayRef) -> Result<TextColumn<'a>> {
        // All null (a key no row of the batch has): nothing to read.
        if array.null_count() == array.len() && TEXT.contains(array.data_type()) {
            return Ok(TextColumn::Null);
        }
        Ok(match array.data_type() {
            DataType::Utf8 => TextColumn::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => TextColumn::Large(array.as_string::<i64>()),
            DataType::Utf8View => TextColumn::View(array.as_string_view()),
            DataType::Null => TextColumn::Null,
            other => {
                return Err(DataFusionError::Execution(format!(
                    "sla_report: expected a text column, found {other}"
                )));
            }
        })
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            TextColumn::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            TextColumn::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            TextColumn::View(a) => (!a.is_null(i)).then(|| a.value(i)),
            TextColumn::Null => None,
        }
    }
}

/// The instants and text columns of an update (arguments) or a merge
/// (flattened states): `at` then one to eight keys; keys not given read as
/// null.
struct Columns<'a> {
    at: Vec<Option<i64>>,
    keys: Vec<TextColumn<'a>>,
    /// Some key after the first three has a value.
    extras: bool,
}

impl<'a> Columns<'a> {
    fn of(values: &'a [ArrayRef]) -> Result<Columns<'a>> {
        let Some((at, keys)) = values.split_first().filter(|_| ARGS.contains(&values.len())) else {
            return Err(DataFusionError::Execution(format!(
                "sla_report: expected {}, found {} columns",
                expected(),
                values.len()
            )));
        };
        let keys: Vec<TextColumn<'a>> = keys.iter().map(TextColumn::of).collect::<Result<_>>()?;
        Ok(Columns {
            at: seconds(at)?,
            extras: keys.iter().skip(3).any(|k| !matches!(k, TextColumn::Null)),
            keys,
        })
    }

    fn key(&self, k: usize, i: usize) -> Option<&'a str> {
        self.keys.get(k).and_then(|c| c.get(i))
    }
}

/// Texts seen, each kept once: rows hold indices.
#[derive(Debug, Default)]
struct Names {
    list: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Names {
    fn of(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else {
            return NONE;
        };
        // Event types, severities and channels are a few dozen names: a
        // scan beats hashing them; the map serves a column of many more.
        if self.list.len() <= 32 {
            if let Some(i) = self.list.iter().position(|n| n == text) {
                return i as u32;
            }
        } else if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(text.to_string());
        self.index.insert(text.to_string(), i);
        i
    }

    fn get(&self, i: u32) -> Option<&str> {
        self.list.get(i as usize).map(String::as_str)
    }

    fn size(&self) -> usize {
        self.list.iter().map(|n| 2 * (48 + n.len())).sum()
    }
}

/// A null text, or a row without the rarer keys.
const NONE: u32 = u32::MAX;

/// One event row: its instant and its keys' name indices. The keys after
/// the first three (status, metric, target, customer zone, attributes)
/// are rare: a row that has any points into `Store::extras`.
#[derive(Debug, Clone, Copy)]
struct Row {
    at: Option<i64>,
    kind: u32,
    severity: u32,
    channel: u32,
    extra: u32,
}

/// What both accumulators share: the policy region, the names and the
/// rare keys of rows.
#[derive(Debug)]
struct Store {
    policy: Policy,
    region: String,
    names: Names,
    extras: Vec<[u32; 5]>,
}

impl Store {
    /// Row `i` of `columns`.
    fn row(&mut self, columns: &Columns<'_>, i: usize) -> Row {
        let mut extra = [NONE; 5];
        if columns.extras {
            for (k, slot) in extra.iter_mut().enumerate() {
                *slot = self.names.of(columns.key(3 + k, i));
            }
        }
        let extra = if extra == [NONE; 5] {
            NONE
        } else {
            self.extras.push(extra);
            (self.extras.len() - 1) as u32
        };
        Row {
            at: columns.at.get(i).copied().flatten(),
            kind: self.names.of(columns.key(0, i)),
            severity: self.names.of(columns.key(1, i)),
            channel: self.names.of(columns.key(2, i)),
            extra,
        }
    }

    /// Key `k` (an index into `KEYS`) of `row`.
    fn key(&self, row: &Row, k: usize) -> Option<&str> {
        let index = match k {
            0 => row.kind,
            1 => row.severity,
            2 => row.channel,
            _ => self.extras.get(row.extra as usize).map_or(NONE, |e| e[k - 3]),
        };
        self.names.get(index)
    }

    /// The events of `rows`, into `out` (emptied first: one buffer serves
    /// every ticket).
    fn events(&self, rows: &[Row], out: &mut Events) -> std::result::Result<(), String> {
        out.clear();
        for r in rows {
            let kind = self.key(r, 0).ok_or("an event with a null type")?;
            let key = |k| self.key(r, k);
            out.push(
                r.at,
                kind,
                &EventKeys {
                    severity: key(1),
                    channel: key(2),
                    status: key(3),
                    metric: key(4),
                    target: key(5),
                    customer_zone: key(6),
                    attributes: key(7),
                },
            )?;
        }
        Ok(())
    }

    /// The state of `groups` as `state_fields` declares it (at, then every
    /// key): each column's values and the lists' offsets.
    fn state(&self, groups: &[&[Row]]) -> Result<(Vec<ArrayRef>, Vec<i32>)> {
        let mut at = Int64Builder::new();
        // Without a row that has the rarer keys, their columns are nulls
        // made at once rather than row by row.
        let keys_kept = if self.extras.is_empty() { 3 } else { KEYS.len() };
        let mut keys: Vec<StringBuilder> = (0..keys_kept).map(|_| StringBuilder::new()).collect();
        let mut offsets = Vec::with_capacity(groups.len() + 1);
        offsets.push(0);
        let mut n = 0usize;
        for rows in groups {
            for r in *rows {
                at.append_option(r.at);
                for (k, b) in keys.iter_mut().enumerate() {
                    b.append_option(self.key(r, k));
                }
            }
            n += rows.len();
            offsets.push(offset(n)?);
        }
        let mut columns: Vec<ArrayRef> = vec![Arc::new(at.finish())];
        columns.extend(keys.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        columns.extend((keys_kept..KEYS.len()).map(|_| new_null_array(&DataType::Utf8, n)));
        Ok((columns, offsets))
    }

    /// Reads the rows of state lists: `sink(i, row)` for each row of each
    /// state `i` that is not null and passes `filter`.
    fn merge(
        &mut self,
        states: &[ArrayRef],
        filter: Option<&BooleanArray>,
        mut sink: impl FnMut(usize, Row),
    ) -> Result<()> {
        let lists = states
            .iter()
            .map(|a| {
                a.as_any().downcast_ref::<ListArray>().cloned().ok_or_else(|| {
                    DataFusionError::Execution("sla_report: a state column is not a list".into())
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(first) = lists.first() else {
            return Err(DataFusionError::Execution("sla_report: no state columns".into()));
        };
        let values: Vec<ArrayRef> = lists.iter().map(|l| l.values().clone()).collect();
        let columns = Columns::of(&values)?;
        let offsets = first.value_offsets();
        for i in 0..first.len() {
            if first.is_null(i) || filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            for j in offsets[i] as usize..offsets[i + 1] as usize {
                let row = self.row(&columns, j);
                sink(i, row);
            }
        }
        Ok(())
    }

    fn size(&self) -> usize {
        self.names.size() + self.extras.capacity() * std::mem::size_of::<[u32; 5]>()
    }
}

/// The entries of reports, one struct per metric (or one per invalid
/// ticket): the figures the core crate computes for batch paths.
struct Entries {
    columns: ReportColumns,
    events: Events,
    figures: Vec<Figures>,
}

impl Entries {
    /// Room for the entries of `tickets` tickets of `store`'s policy.
    fn new(store: &Store, tickets: usize) -> Entries {
        Entries {
            columns: ReportColumns::with_capacity(tickets * store.policy.metrics().len()),
            events: Events::default(),
            figures: Vec::new(),
        }
    }

    fn push(&mut self, store: &Store, rows: &[Row]) {
        self.figures.clear();
        let done = store.events(rows, &mut self.events).and_then(|()| {
            evaluate_figures(
                &store.policy,
                &store.region,
                self.events.as_slice(),
                None,
                &mut self.figures,
            )
            .map_err(|e| e.to_string())
        });
        match done {
            Ok(()) => self.columns.figures(&store.policy, &self.figures),
            Err(message) => self.columns.failed(&message),
        }
    }

    fn len(&self) -> usize {
        self.columns.len()
    }

    fn finish(self) -> Result<StructArray> {
        Ok(StructArray::try_new(
            ReportColumns::fields(),
            self.columns.finish(),
            None,
        )?)
    }
}

/// A list array of `values` cut at `offsets`.
fn lists(values: ArrayRef, offsets: Vec<i32>) -> Result<ArrayRef> {
    let field = Arc::new(Field::new("item", values.data_type().clone(), true));
    Ok(Arc::new(ListArray::try_new(
        field,
        OffsetBuffer::new(offsets.into()),
        values,
        None,
    )?))
}

fn list_scalar(values: ArrayRef) -> ScalarValue {
    SingleRowListArrayBuilder::new(values).build_list_scalar()
}

fn offset(n: usize) -> Result<i32> {
    i32::try_from(n)
        .map_err(|_| DataFusionError::Execution("sla_report: more than 2^31 rows in one batch".into()))
}

/// The aggregate over one group (no `GROUP BY`).
#[derive(Debug)]
struct Ticket {
    store: Store,
    rows: Vec<Row>,
}

impl Accumulator for Ticket {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let columns = Columns::of(values)?;
        for i in 0..columns.at.len() {
            let row = self.store.row(&columns, i);
            self.rows.push(row);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = &mut self.rows;
        self.store.merge(states, None, |_, row| rows.push(row))
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (columns, _) = self.store.state(&[&self.rows])?;
        Ok(columns.into_iter().map(list_scalar).collect())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut entries = Entries::new(&self.store, 1);
        entries.push(&self.store, &self.rows);
        Ok(list_scalar(Arc::new(entries.finish()?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.rows.capacity() * std::mem::size_of::<Row>() + self.store.size()
    }
}

/// The aggregate over many groups at once: DataFusion's fast path for
/// `GROUP BY ticket_id` over many tickets.
///
/// Rows of all groups go in one list, each tagged with its group, and are
/// put in group order when groups are emitted: a list per group would cost
/// an allocation (and its regrowths) per ticket.
#[derive(Debug)]
struct Groups {
    store: Store,
    rows: Vec<(u32, Row)>,
    /// Groups DataFusion has numbered so far.
    groups: usize,
}

/// Emitted groups: their rows in group order, each group's range in them.
struct Emitted {
    rows: Vec<Row>,
    ends: Vec<usize>,
}

impl Emitted {
    fn groups(&self) -> impl Iterator<Item = &[Row]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let rows = &self.rows[start..end];
            start = end;
            rows
        })
    }
}

impl Groups {
    /// Room for `total` groups (numbered in 32 bits, with the rows).
    fn grow(&mut self, total: usize) -> Result<()> {
        if total > u32::MAX as usize {
            return Err(DataFusionError::Execution(format!(
                "sla_report: {total} groups in one aggregate: expected fewer than {}",
                u32::MAX
            )));
        }
        self.groups = self.groups.max(total);
        Ok(())
    }

    /// The first groups `emit_to` asks for, taken out; the groups after
    /// them are numbered from zero again, as DataFusion expects.
    fn take(&mut self, emit_to: EmitTo) -> Emitted {
        let n = match emit_to {
            EmitTo::All => self.groups,
            EmitTo::First(n) => n.min(self.groups),
        };
        // A counting sort by group, stable: a group's rows keep their order.
        let mut ends = vec![0usize; n];
        for &(g, _) in &self.rows {
            if let Some(count) = ends.get_mut(g as usize) {
                *count += 1;
            }
        }
        let mut total = 0;
        for end in &mut ends {
            let count = *end;
            *end = total;
            total += count;
        }
        // `ends` holds each group's start; filling moves it to its end.
        let mut rows = vec![
            Row {
                at: None,
                kind: NONE,
                severity: NONE,
                channel: NONE,
                extra: NONE,
            };
            total
        ];
        let n32 = n as u32;
        self.rows.retain_mut(|(g, row)| match ends.get_mut(*g as usize) {
            Some(next) => {
                rows[*next] = *row;
                *next += 1;
                false
            }
            None => {
                *g -= n32;
                true
            }
        });
        self.groups -= n;
        Emitted { rows, ends }
    }
}

impl GroupsAccumulator for Groups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let columns = Columns::of(values)?;
        self.grow(total_num_groups)?;
        self.rows.reserve(group_indices.len());
        for (i, &g) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let row = self.store.row(&columns, i);
            self.rows.push((g as u32, row));
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let emitted = self.take(emit_to);
        let mut entries = Entries::new(&self.store, emitted.ends.len());
        let mut offsets = Vec::with_capacity(emitted.ends.len() + 1);
        offsets.push(0);
        for rows in emitted.groups() {
            entries.push(&self.store, rows);
            offsets.push(offset(entries.len())?);
        }
        lists(Arc::new(entries.finish()?), offsets)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let emitted = self.take(emit_to);
        let groups: Vec<&[Row]> = emitted.groups().collect();
        let (columns, offsets) = self.store.state(&groups)?;
        columns
            .into_iter()
            .map(|values| lists(values, offsets.clone()))
            .collect()
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups)?;
        let rows = &mut self.rows;
        self.store.merge(values, opt_filter, |i, row| {
            rows.push((group_indices[i] as u32, row));
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.rows.capacity() * std::mem::size_of::<(u32, Row)>()
            + self.store.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: i64) -> Row {
        Row {
            at: Some(at),
            kind: NONE,
            severity: NONE,
            channel: NONE,
            extra: NONE,
        }
    }

    fn ats(rows: &[Row]) -> Vec<i64> {
        rows.iter().filter_map(|r| r.at).collect()
    }

    #[test]
    fn emitting_the_first_groups_keeps_row_order_and_renumbers_the_rest() -> Result<()> {
        let policy = Policy::builtin("ol-care").map_err(|e| DataFusionError::External(Box::new(e)))?;
        let mut groups = Groups {
            store: Report::new(policy, "americas".into()).store(),
            rows: Vec::new(),
            groups: 0,
        };
        groups.grow(4)?;
        // Rows of four groups, interleaved; `at` says group and order.
        for (g, at) in [(2, 20), (0, 0), (3, 30), (0, 1), (1, 10), (2, 21), (0, 2)] {
            groups.rows.push((g, row(at)));
        }
        let first = groups.take(EmitTo::First(2));
        let got: Vec<Vec<i64>> = first.groups().map(ats).collect();
        assert_eq!(got, vec![vec![0, 1, 2], vec![10]]);
        // Groups 2 and 3 are now 0 and 1; a new group 2 joins them.
        assert_eq!(groups.groups, 2);
        groups.grow(3)?;
        groups.rows.push((2, row(40)));
        groups.rows.push((0, row(22)));
        let rest = groups.take(EmitTo::All);
        let got: Vec<Vec<i64>> = rest.groups().map(ats).collect();
        assert_eq!(got, vec![vec![20, 21, 22], vec![30], vec![40]]);
        assert!(groups.rows.is_empty());
        assert_eq!(groups.groups, 0);
        Ok(())
    }
}
