//! `sla_report(at, type, severity, channel)`: the aggregate that reports a
//! ticket from its event rows.
//!
//! Its state is the ticket's events so far, as four lists (instants in Unix
//! seconds, types, severities, channels), so that partial aggregates from
//! several partitions merge; the report is computed once, at the end.

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, Int64Builder, ListArray, StringBuilder, StructArray,
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
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use sla_deadline::{Event, Figures, Policy, evaluate_figures};
use sla_deadline_arrow::{EventKeys, ReportColumns, event};

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
            signature: Signature::any(4, Volatility::Immutable),
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
        let text = |t: &DataType| {
            matches!(
                t,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            )
        };
        match args {
            [DataType::Timestamp(_, _), k, s, c] if text(k) && text(s) && text(c) => Ok(return_type()),
            _ => Err(DataFusionError::Plan(format!(
                "sla_report: expected (at timestamp, type text, severity text, channel text), found ({})",
                args.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Ticket {
            policy: self.policy.clone(),
            region: self.region.clone(),
            rows: Rows::default(),
        }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Groups {
            policy: self.policy.clone(),
            region: self.region.clone(),
            groups: Vec::new(),
            names: Names::default(),
            rows: 0,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format!("{}_at", args.name),
                list_of(DataType::Int64),
                true,
            )),
            Arc::new(Field::new(
                format!("{}_type", args.name),
                list_of(DataType::Utf8),
                true,
            )),
            Arc::new(Field::new(
                format!("{}_severity", args.name),
                list_of(DataType::Utf8),
                true,
            )),
            Arc::new(Field::new(
                format!("{}_channel", args.name),
                list_of(DataType::Utf8),
                true,
            )),
        ])
    }
}

/// A ticket's event rows so far.
#[derive(Debug, Default)]
struct Rows {
    at: Vec<Option<i64>>,
    kind: Vec<Option<String>>,
    severity: Vec<Option<String>>,
    channel: Vec<Option<String>>,
}

#[derive(Debug)]
struct Ticket {
    policy: Policy,
    region: String,
    rows: Rows,
}

/// Text values of a Utf8, LargeUtf8, Utf8View or Null column.
fn texts(array: &ArrayRef) -> Result<Vec<Option<String>>> {
    Ok(match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::Utf8View => array
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::Null => vec![None; array.len()],
        other => {
            return Err(DataFusionError::Execution(format!(
                "sla_report: expected a text column, found {other}"
            )));
        }
    })
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

fn list_scalar(values: ArrayRef) -> ScalarValue {
    SingleRowListArrayBuilder::new(values).build_list_scalar()
}

impl Ticket {
    fn events(&self) -> std::result::Result<Vec<Event>, String> {
        let r = &self.rows;
        (0..r.at.len())
            .map(|i| {
                let kind = r.kind[i].as_deref().ok_or("an event with a null type")?;
                event(
                    r.at[i],
                    kind,
                    &EventKeys {
                        severity: r.severity[i].as_deref(),
                        channel: r.channel[i].as_deref(),
                        ..EventKeys::default()
                    },
                )
            })
            .collect()
    }
}

impl Accumulator for Ticket {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [at, kind, severity, channel] = values else {
            return Err(DataFusionError::Execution(
                "sla_report: expected four arguments".into(),
            ));
        };
        self.rows.at.extend(seconds(at)?);
        self.rows.kind.extend(texts(kind)?);
        self.rows.severity.extend(texts(severity)?);
        self.rows.channel.extend(texts(channel)?);
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [at, kind, severity, channel] = states else {
            return Err(DataFusionError::Execution(
                "sla_report: expected four state columns".into(),
            ));
        };
        let lists = |a: &ArrayRef| -> Result<ListArray> {
            a.as_any()
                .downcast_ref::<ListArray>()
                .cloned()
                .ok_or_else(|| DataFusionError::Execution("sla_report: a state column is not a list".into()))
        };
        let (at, kind, severity, channel) = (lists(at)?, lists(kind)?, lists(severity)?, lists(channel)?);
        for row in 0..at.len() {
            if at.is_null(row) {
                continue;
            }
            self.rows.at.extend(seconds(&at.value(row))?);
            self.rows.kind.extend(texts(&kind.value(row))?);
            self.rows.severity.extend(texts(&severity.value(row))?);
            self.rows.channel.extend(texts(&channel.value(row))?);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let r = &self.rows;
        let text = |v: &[Option<String>]| -> ArrayRef {
            let mut b = StringBuilder::new();
            for x in v {
                b.append_option(x.as_deref());
            }
            Arc::new(b.finish())
        };
        Ok(vec![
            list_scalar(Arc::new(Int64Array::from(r.at.clone()))),
            list_scalar(text(&r.kind)),
            list_scalar(text(&r.severity)),
            list_scalar(text(&r.channel)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut entries = Entries::new();
        entries.push(&self.policy, &self.region, self.events());
        Ok(list_scalar(Arc::new(entries.finish()?)))
    }

    fn size(&self) -> usize {
        let text = |v: &[Option<String>]| {
            v.iter()
                .map(|s| 24 + s.as_ref().map_or(0, String::len))
                .sum::<usize>()
        };
        std::mem::size_of_val(self)
            + self.rows.at.len() * 16
            + text(&self.rows.kind)
            + text(&self.rows.severity)
            + text(&self.rows.channel)
    }
}

/// Entries of one ticket's report, one struct per metric (or one for an
/// invalid ticket): the figures the core crate computes for batch paths.
struct Entries {
    columns: ReportColumns,
    figures: Vec<Figures>,
}

impl Entries {
    fn new() -> Entries {
        Entries {
            columns: ReportColumns::default(),
            figures: Vec::new(),
        }
    }

    fn push(&mut self, policy: &Policy, region: &str, events: std::result::Result<Vec<Event>, String>) {
        self.figures.clear();
        let done = events.and_then(|events| {
            evaluate_figures(policy, region, &events, None, &mut self.figures).map_err(|e| e.to_string())
        });
        match done {
            Ok(()) => self.columns.figures(policy, &self.figures),
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

/// Texts seen, each kept once: a ticket's rows hold indices.
#[derive(Debug, Default)]
struct Names {
    list: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Names {
    fn of(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else {
            return u32::MAX;
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
}

/// One event row of a group: instant and name indices (`u32::MAX` for
/// null).
#[derive(Debug, Clone, Copy)]
struct Row {
    at: Option<i64>,
    kind: u32,
    severity: u32,
    channel: u32,
}

/// The aggregate over many groups at once: DataFusion's fast path for
/// `GROUP BY ticket_id` over many tickets.
#[derive(Debug)]
struct Groups {
    policy: Policy,
    region: String,
    groups: Vec<Vec<Row>>,
    names: Names,
    /// Rows held, for `size` (which DataFusion asks after every batch).
    rows: usize,
}

/// A text column read without copying.
enum TextColumn<'a> {
    Utf8(&'a datafusion::arrow::array::StringArray),
    Large(&'a datafusion::arrow::array::LargeStringArray),
    View(&'a datafusion::arrow::array::StringViewArray),
    Null,
}

impl<'a> TextColumn<'a> {
    fn of(array: &'a ArrayRef) -> Result<TextColumn<'a>> {
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

impl Groups {
    fn events(&self, rows: &[Row]) -> std::result::Result<Vec<Event>, String> {
        rows.iter()
            .map(|r| {
                let kind = self.names.get(r.kind).ok_or("an event with a null type")?;
                event(
                    r.at,
                    kind,
                    &EventKeys {
                        severity: self.names.get(r.severity),
                        channel: self.names.get(r.channel),
                        ..EventKeys::default()
                    },
                )
            })
            .collect()
    }

    /// Appends rows `0..n` of the four columns to their groups.
    fn add(
        &mut self,
        at: &[Option<i64>],
        columns: [&TextColumn<'_>; 3],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total: usize,
    ) {
        self.groups.resize_with(total.max(self.groups.len()), Vec::new);
        for (i, &g) in group_indices.iter().enumerate() {
            if filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let row = Row {
                at: at[i],
                kind: self.names.of(columns[0].get(i)),
                severity: self.names.of(columns[1].get(i)),
                channel: self.names.of(columns[2].get(i)),
            };
            self.groups[g].push(row);
            self.rows += 1;
        }
    }

    /// The first groups `emit_to` asks for, taken out.
    fn take(&mut self, emit_to: EmitTo) -> Vec<Vec<Row>> {
        let groups = emit_to.take_needed(&mut self.groups);
        self.rows = self.groups.iter().map(Vec::len).sum();
        groups
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

fn offset(n: usize) -> Result<i32> {
    i32::try_from(n)
        .map_err(|_| DataFusionError::Execution("sla_report: more than 2^31 rows in one batch".into()))
}

impl GroupsAccumulator for Groups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let [at, kind, severity, channel] = values else {
            return Err(DataFusionError::Execution(
                "sla_report: expected four arguments".into(),
            ));
        };
        let at = seconds(at)?;
        let (k, s, c) = (
            TextColumn::of(kind)?,
            TextColumn::of(severity)?,
            TextColumn::of(channel)?,
        );
        self.add(&at, [&k, &s, &c], group_indices, opt_filter, total_num_groups);
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = self.take(emit_to);
        let mut entries = Entries::new();
        let mut offsets = Vec::with_capacity(groups.len() + 1);
        offsets.push(0);
        for rows in &groups {
            entries.push(&self.policy, &self.region, self.events(rows));
            offsets.push(offset(entries.len())?);
        }
        lists(Arc::new(entries.finish()?), offsets)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = self.take(emit_to);
        let mut at = Int64Builder::new();
        let (mut kind, mut severity, mut channel) =
            (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
        let mut offsets = Vec::with_capacity(groups.len() + 1);
        offsets.push(0);
        let mut n = 0usize;
        for rows in &groups {
            for r in rows {
                at.append_option(r.at);
                kind.append_option(self.names.get(r.kind));
                severity.append_option(self.names.get(r.severity));
                channel.append_option(self.names.get(r.channel));
            }
            n += rows.len();
            offsets.push(offset(n)?);
        }
        Ok(vec![
            lists(Arc::new(at.finish()), offsets.clone())?,
            lists(Arc::new(kind.finish()), offsets.clone())?,
            lists(Arc::new(severity.finish()), offsets.clone())?,
            lists(Arc::new(channel.finish()), offsets)?,
        ])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let [at, kind, severity, channel] = values else {
            return Err(DataFusionError::Execution(
                "sla_report: expected four state columns".into(),
            ));
        };
        let list = |a: &ArrayRef| -> Result<ListArray> {
            a.as_any()
                .downcast_ref::<ListArray>()
                .cloned()
                .ok_or_else(|| DataFusionError::Execution("sla_report: a state column is not a list".into()))
        };
        let (at, kind, severity, channel) = (list(at)?, list(kind)?, list(severity)?, list(channel)?);
        // Flatten: each state row's events go to its group.
        let (at_values, kind_values, sev_values, chan_values) = (
            at.values().clone(),
            kind.values().clone(),
            severity.values().clone(),
            channel.values().clone(),
        );
        let seconds_all = seconds(&at_values)?;
        let (k, s, c) = (
            TextColumn::of(&kind_values)?,
            TextColumn::of(&sev_values)?,
            TextColumn::of(&chan_values)?,
        );
        self.groups
            .resize_with(total_num_groups.max(self.groups.len()), Vec::new);
        let offsets = at.value_offsets();
        for (i, &g) in group_indices.iter().enumerate() {
            if at.is_null(i) || opt_filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let (from, to) = (offsets[i] as usize, offsets[i + 1] as usize);
            for (j, at) in seconds_all.iter().enumerate().take(to).skip(from) {
                let row = Row {
                    at: *at,
                    kind: self.names.of(k.get(j)),
                    severity: self.names.of(s.get(j)),
                    channel: self.names.of(c.get(j)),
                };
                self.groups[g].push(row);
                self.rows += 1;
            }
        }
        Ok(())
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.groups.capacity() * std::mem::size_of::<Vec<Row>>()
            + self.rows * std::mem::size_of::<Row>()
            + self.names.list.iter().map(|n| 2 * (48 + n.len())).sum::<usize>()
    }
}
