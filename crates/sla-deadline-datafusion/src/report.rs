//! `sla_report(at, type, severity, channel [, status, metric, target,
//! customer_zone, attributes])`: the aggregate that reports a ticket from
//! its event rows.
//!
//! Its state is the ticket's events so far, as one binary value per group
//! (see [`Store::state`]), so that partial aggregates from several
//! partitions merge and the repartition between the two steps copies one
//! buffer per ticket; the report is computed once, at the end. Both
//! accumulators (one group, many groups) keep rows the same way, in a
//! `Store`: each text interned once, a row an instant and indices.

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, LargeBinaryArray, ListArray, StructArray,
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
use sla_deadline::{Batch, Figures, Policy};
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
        // Dictionaries are decoded on update (`decoded`).
        let text = |t: &DataType| match t {
            DataType::Dictionary(_, values) => TEXT[..3].contains(values),
            t => TEXT.contains(t),
        };
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
            group_of: Vec::new(),
            rows: Vec::new(),
            groups: 0,
        }))
    }

    /// One binary value per group holding its rows, every key included
    /// however many arguments were given: one state layout for both
    /// accumulators.
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}_rows", args.name),
            DataType::LargeBinary,
            true,
        ))])
    }
}

/// Unix seconds of a timestamp column (any unit).
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
        other => {
            return Err(DataFusionError::Execution(format!(
                "sla_report: expected a timestamp column, found {other}"
            )));
        }
    })
}

/// The types a text argument may have (or a dictionary of one of the
/// first three).
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

/// The instants and text columns of an update: `at` then three to eight
/// keys; keys not given read as null.
struct Columns<'a> {
    at: Vec<Option<i64>>,
    keys: Vec<TextColumn<'a>>,
    /// Some key after the first three has a value.
    extras: bool,
}

impl<'a> Columns<'a> {
    /// The columns of `values`, whose dictionaries `decoded` has decoded.
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

/// `values` with each dictionary-encoded argument (a table registered
/// with categorical columns) decoded to its values' type; the arguments
/// themselves, uncopied, when none is.
fn decoded(values: &[ArrayRef]) -> Result<std::borrow::Cow<'_, [ArrayRef]>> {
    if !values
        .iter()
        .any(|v| matches!(v.data_type(), DataType::Dictionary(..)))
    {
        return Ok(std::borrow::Cow::Borrowed(values));
    }
    values
        .iter()
        .map(|v| match v.data_type() {
            DataType::Dictionary(_, to) => Ok(datafusion::arrow::compute::cast(v, to)?),
            _ => Ok(Arc::clone(v)),
        })
        .collect::<Result<Vec<_>>>()
        .map(std::borrow::Cow::Owned)
}

/// Texts seen, each kept once: rows hold indices.
#[derive(Debug)]
struct Names {
    list: Vec<String>,
    index: std::collections::HashMap<String, u32>,
    /// The last name looked up in each of 32 slots (picked from a name's
    /// length and end bytes): most look-ups are a few names in turn, and
    /// then cost one comparison.
    recent: [u32; 32],
}

impl Default for Names {
    fn default() -> Names {
        Names {
            list: Vec::new(),
            index: Default::default(),
            recent: [NONE; 32],
        }
    }
}

impl Names {
    fn of(&mut self, text: Option<&str>) -> u32 {
        match text {
            // Text is UTF-8, so the look-up cannot fail.
            Some(text) => self.of_bytes(text.as_bytes()).unwrap_or(NONE),
            None => NONE,
        }
    }

    /// The index of the name spelt by `bytes`; `None` if they are not
    /// UTF-8 (checked only for a name not met before).
    fn of_bytes(&mut self, bytes: &[u8]) -> Option<u32> {
        let (first, last) = (bytes.first().copied(), bytes.last().copied());
        let h = (bytes.len() as u32).wrapping_mul(0x9E37_79B1)
            ^ u32::from(first.unwrap_or(0)).wrapping_mul(0x85EB_CA77)
            ^ u32::from(last.unwrap_or(0)).wrapping_mul(0xC2B2_AE3D);
        let slot = (h >> 27) as usize;
        let seen = self.recent[slot];
        if self
            .list
            .get(seen as usize)
            .is_some_and(|n| n.as_bytes() == bytes)
        {
            return Some(seen);
        }
        let text = std::str::from_utf8(bytes).ok()?;
        let i = self.lookup(text);
        self.recent[slot] = i;
        Some(i)
    }

    /// The index of `text`, added if new (past the `recent` cache).
    fn lookup(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
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
        let mut keys = [NONE; KEYS.len()];
        let given = if columns.extras { KEYS.len() } else { 3 };
        for (k, slot) in keys.iter_mut().enumerate().take(given) {
            *slot = self.names.of(columns.key(k, i));
        }
        self.keep(columns.at.get(i).copied().flatten(), keys)
    }

    /// The row of instant `at` and interned `keys` (in `KEYS` order).
    fn keep(&mut self, at: Option<i64>, keys: [u32; KEYS.len()]) -> Row {
        let [kind, severity, channel, extra @ ..] = keys;
        let extra = if extra == [NONE; 5] {
            NONE
        } else {
            self.extras.push(extra);
            (self.extras.len() - 1) as u32
        };
        Row {
            at,
            kind,
            severity,
            channel,
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

    /// The state of `groups` as `state_fields` declares it: one binary
    /// value per group, its rows one after another. A row is a tag byte
    /// (1: an instant follows, 0: none), the instant (Unix seconds, 8
    /// bytes little-endian), then each of the eight keys as its length plus
    /// one in LEB128 (0: null) followed by its UTF-8 bytes.
    fn state(&self, groups: &[&[Row]]) -> ArrayRef {
        let rows: usize = groups.iter().map(|g| g.len()).sum();
        // About 32 bytes a usual row.
        let mut bytes: Vec<u8> = Vec::with_capacity(rows * 32);
        let mut offsets: Vec<i64> = Vec::with_capacity(groups.len() + 1);
        offsets.push(0);
        for rows in groups {
            for r in *rows {
                match r.at {
                    Some(at) => {
                        bytes.push(1);
                        bytes.extend_from_slice(&at.to_le_bytes());
                    }
                    None => bytes.push(0),
                }
                // Without the rarer keys, their five nulls at once.
                let keys = if r.extra == NONE { 3 } else { KEYS.len() };
                for k in 0..keys {
                    match self.key(r, k) {
                        Some(text) => {
                            leb128(text.len() as u64 + 1, &mut bytes);
                            bytes.extend_from_slice(text.as_bytes());
                        }
                        None => bytes.push(0),
                    }
                }
                bytes.extend_from_slice(&[0; KEYS.len() - 3][..KEYS.len() - keys]);
            }
            // A Vec's length fits in an i64.
            offsets.push(bytes.len() as i64);
        }
        Arc::new(LargeBinaryArray::new(
            OffsetBuffer::new(offsets.into()),
            bytes.into(),
            None,
        ))
    }

    /// Reads the rows of states: `sink(i, row)` for each row of each state
    /// `i` that is not null and passes `filter`.
    fn merge(
        &mut self,
        states: &[ArrayRef],
        filter: Option<&BooleanArray>,
        mut sink: impl FnMut(usize, Row),
    ) -> Result<()> {
        let state = match states {
            [state] if *state.data_type() == DataType::LargeBinary => state.as_binary::<i64>(),
            _ => {
                return Err(DataFusionError::Execution(format!(
                    "sla_report: expected one LargeBinary state column, found {}",
                    states
                        .iter()
                        .map(|a| a.data_type().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        for i in 0..state.len() {
            if state.is_null(i) || filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let mut bytes = state.value(i);
            while !bytes.is_empty() {
                let row = self.decode(&mut bytes).ok_or_else(|| {
                    DataFusionError::Execution("sla_report: a state value is malformed".into())
                })?;
                sink(i, row);
            }
        }
        Ok(())
    }

    /// The row at the start of `bytes` (written by `state`), which then
    /// start after it; `None` if malformed.
    fn decode(&mut self, bytes: &mut &[u8]) -> Option<Row> {
        let (&tag, rest) = bytes.split_first()?;
        *bytes = rest;
        let at = match tag {
            0 => None,
            1 => {
                let (at, rest) = bytes.split_first_chunk::<8>()?;
                *bytes = rest;
                Some(i64::from_le_bytes(*at))
            }
            _ => return None,
        };
        let mut keys = [NONE; KEYS.len()];
        for slot in &mut keys {
            let len = usize::try_from(read_leb128(bytes)?).ok()?;
            if len > 0 {
                let (text, rest) = bytes.split_at_checked(len - 1)?;
                *bytes = rest;
                *slot = self.names.of_bytes(text)?;
            }
        }
        Some(self.keep(at, keys))
    }

    fn size(&self) -> usize {
        self.names.size() + self.extras.capacity() * std::mem::size_of::<[u32; 5]>()
    }
}

/// The entries of reports, one struct per metric (or one per invalid
/// ticket): the figures the core crate computes for batch paths.
struct Entries<'p> {
    store: &'p Store,
    columns: ReportColumns,
    events: Events,
    batch: Batch<'p>,
    figures: Vec<Figures>,
}

impl<'p> Entries<'p> {
    /// Room for the entries of `tickets` tickets of `store`'s policy.
    fn new(store: &'p Store, tickets: usize) -> Entries<'p> {
        Entries {
            store,
            columns: ReportColumns::with_capacity(tickets * store.policy.metrics().len()),
            events: Events::default(),
            batch: Batch::new(&store.policy),
            figures: Vec::new(),
        }
    }

    fn push(&mut self, rows: &[Row]) {
        let store = self.store;
        self.figures.clear();
        let done = store.events(rows, &mut self.events).and_then(|()| {
            self.batch
                .figures_at(
                    &store.region,
                    self.events.kinds(),
                    self.events.seconds(),
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
        let columns = self
            .columns
            .finish()
            .map_err(|e| DataFusionError::Execution(format!("sla_report: {e}")))?;
        Ok(StructArray::try_new(ReportColumns::fields(), columns, None)?)
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

/// Appends `n` in LEB128: seven bits a byte, low first, high bit set on
/// all but the last.
fn leb128(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a LEB128 number off the start of `bytes`; `None` if cut short or
/// over 64 bits.
fn read_leb128(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
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
        let values = decoded(values)?;
        let columns = Columns::of(&values)?;
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
        let state = self.store.state(&[&self.rows]);
        Ok(vec![ScalarValue::try_from_array(&state, 0)?])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut entries = Entries::new(&self.store, 1);
        entries.push(&self.rows);
        Ok(list_scalar(Arc::new(entries.finish()?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.rows.capacity() * std::mem::size_of::<Row>() + self.store.size()
    }
}

/// The aggregate over many groups at once: DataFusion's fast path for
/// `GROUP BY ticket_id` over many tickets.
///
/// Rows of all groups go in one list, each with its group beside it, and
/// are put in group order when groups are emitted: a list per group would
/// cost an allocation (and its regrowths) per ticket. Rows usually come in
/// group order already (DataFusion numbers groups as they appear, so a
/// table sorted by ticket gives runs); then emitting moves nothing.
#[derive(Debug)]
struct Groups {
    store: Store,
    /// The group of each row of `rows`.
    group_of: Vec<u32>,
    rows: Vec<Row>,
    /// Groups DataFusion has numbered so far.
    groups: usize,
}

/// Emitted groups: their rows in group order, and where each group ends.
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

    fn push(&mut self, group: usize, row: Row) {
        // `grow` bounds every group index DataFusion passes.
        self.group_of.push(group as u32);
        self.rows.push(row);
    }

    /// The first groups `emit_to` asks for, taken out; the groups after
    /// them are numbered from zero again, as DataFusion expects.
    fn take(&mut self, emit_to: EmitTo) -> Emitted {
        let n = match emit_to {
            EmitTo::All => self.groups,
            EmitTo::First(n) => n.min(self.groups),
        };
        self.groups -= n;
        let n32 = n as u32;
        let mut ends = vec![0usize; n];
        if self.group_of.is_sorted() {
            // The first groups are a prefix of the rows.
            let k = self.group_of.partition_point(|&g| g < n32);
            for &g in &self.group_of[..k] {
                ends[g as usize] += 1;
            }
            let mut total = 0;
            for end in &mut ends {
                total += *end;
                *end = total;
            }
            let rows = if k == self.rows.len() {
                self.group_of.clear();
                std::mem::take(&mut self.rows)
            } else {
                self.group_of.drain(..k);
                self.group_of.iter_mut().for_each(|g| *g -= n32);
                self.rows.drain(..k).collect()
            };
            return Emitted { rows, ends };
        }
        // A counting sort by group, stable: a group's rows keep their order.
        for &g in &self.group_of {
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
        let mut kept = 0;
        for i in 0..self.rows.len() {
            let g = self.group_of[i];
            match ends.get_mut(g as usize) {
                Some(next) => {
                    rows[*next] = self.rows[i];
                    *next += 1;
                }
                None => {
                    self.group_of[kept] = g - n32;
                    self.rows[kept] = self.rows[i];
                    kept += 1;
                }
            }
        }
        self.group_of.truncate(kept);
        self.rows.truncate(kept);
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
        let values = decoded(values)?;
        let columns = Columns::of(&values)?;
        self.grow(total_num_groups)?;
        self.group_of.reserve(group_indices.len());
        self.rows.reserve(group_indices.len());
        for (i, &g) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let row = self.store.row(&columns, i);
            self.push(g, row);
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let emitted = self.take(emit_to);
        let mut entries = Entries::new(&self.store, emitted.ends.len());
        let mut offsets = Vec::with_capacity(emitted.ends.len() + 1);
        offsets.push(0);
        for rows in emitted.groups() {
            entries.push(rows);
            offsets.push(offset(entries.len())?);
        }
        lists(Arc::new(entries.finish()?), offsets)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let emitted = self.take(emit_to);
        let groups: Vec<&[Row]> = emitted.groups().collect();
        Ok(vec![self.store.state(&groups)])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups)?;
        let (group_of, rows) = (&mut self.group_of, &mut self.rows);
        self.store.merge(values, opt_filter, |i, row| {
            // `grow` bounds every group index DataFusion passes.
            group_of.push(group_indices[i] as u32);
            rows.push(row);
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.group_of.capacity() * std::mem::size_of::<u32>()
            + self.rows.capacity() * std::mem::size_of::<Row>()
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

    fn store() -> Result<Store> {
        let policy = Policy::builtin("ol-care").map_err(|e| DataFusionError::External(Box::new(e)))?;
        Ok(Report::new(policy, "americas".into()).store())
    }

    fn empty_groups() -> Result<Groups> {
        Ok(Groups {
            store: store()?,
            group_of: Vec::new(),
            rows: Vec::new(),
            groups: 0,
        })
    }

    /// A row read back: its state's index, instant and keys.
    type ReadRow = (usize, Option<i64>, Vec<Option<String>>);

    /// The rows of `state`, as texts, read by a fresh store.
    fn read(state: &ArrayRef) -> Result<Vec<ReadRow>> {
        let mut other = store()?;
        let mut rows = Vec::new();
        other.merge(std::slice::from_ref(state), None, |i, row| rows.push((i, row)))?;
        Ok(rows
            .into_iter()
            .map(|(i, row)| {
                let keys = (0..KEYS.len())
                    .map(|k| other.key(&row, k).map(String::from))
                    .collect();
                (i, row.at, keys)
            })
            .collect())
    }

    #[test]
    fn states_carry_every_key_and_refuse_damage() -> Result<()> {
        let mut store = store()?;
        let long = "x".repeat(300); // a length over one LEB128 byte
        let texts: [Option<&str>; 8] = [
            Some("target_agreed"),
            None,
            Some("é-mail"),
            Some(""),
            Some("resolution"),
            Some("2d"),
            None,
            Some(long.as_str()),
        ];
        let mut keys = [NONE; KEYS.len()];
        for (slot, text) in keys.iter_mut().zip(texts) {
            *slot = store.names.of(text);
        }
        let a = store.keep(Some(-5), keys);
        let b = store.keep(None, [NONE; KEYS.len()]);
        let state = store.state(&[&[a, b], &[], &[b]]);
        let expected_keys: Vec<Option<String>> = texts.iter().map(|t| t.map(String::from)).collect();
        assert_eq!(
            read(&state)?,
            vec![
                (0, Some(-5), expected_keys),
                (0, None, vec![None; KEYS.len()]),
                (2, None, vec![None; KEYS.len()]),
            ]
        );
        // Every cut of a row, and a bad tag, is an error, not a panic.
        let bytes = state.as_binary::<i64>().value(0).to_vec();
        let one_row = bytes.len() - (1 + KEYS.len());
        for cut in 1..one_row {
            let damaged: ArrayRef = Arc::new(LargeBinaryArray::from(vec![&bytes[..cut]]));
            assert!(read(&damaged).is_err(), "cut at {cut}");
        }
        let damaged: ArrayRef = Arc::new(LargeBinaryArray::from(vec![&[7u8][..]]));
        assert!(read(&damaged).is_err());
        // A key that is not UTF-8, in a row otherwise whole.
        let damaged: ArrayRef = Arc::new(LargeBinaryArray::from(vec![
            &[0u8, 2, 0xff, 0, 0, 0, 0, 0, 0, 0][..],
        ]));
        assert!(read(&damaged).is_err());
        let whole: ArrayRef = Arc::new(LargeBinaryArray::from(vec![
            &[0u8, 2, b'a', 0, 0, 0, 0, 0, 0, 0][..],
        ]));
        assert_eq!(read(&whole)?.len(), 1);
        Ok(())
    }

    #[test]
    fn emitting_the_first_groups_keeps_row_order_and_renumbers_the_rest() -> Result<()> {
        let mut groups = empty_groups()?;
        groups.grow(4)?;
        // Rows of four groups, interleaved; `at` says group and order.
        for (g, at) in [(2, 20), (0, 0), (3, 30), (0, 1), (1, 10), (2, 21), (0, 2)] {
            groups.push(g, row(at));
        }
        let first = groups.take(EmitTo::First(2));
        let got: Vec<Vec<i64>> = first.groups().map(ats).collect();
        assert_eq!(got, vec![vec![0, 1, 2], vec![10]]);
        // Groups 2 and 3 are now 0 and 1; a new group 2 joins them.
        assert_eq!(groups.groups, 2);
        groups.grow(3)?;
        groups.push(2, row(40));
        groups.push(0, row(22));
        let rest = groups.take(EmitTo::All);
        let got: Vec<Vec<i64>> = rest.groups().map(ats).collect();
        assert_eq!(got, vec![vec![20, 21, 22], vec![30], vec![40]]);
        assert!(groups.rows.is_empty() && groups.group_of.is_empty());
        assert_eq!(groups.groups, 0);
        Ok(())
    }

    #[test]
    fn rows_in_group_order_are_emitted_without_sorting() -> Result<()> {
        let mut groups = empty_groups()?;
        // Group 2 has no rows: its range is empty.
        groups.grow(5)?;
        for (g, at) in [(0, 0), (0, 1), (1, 10), (3, 30), (3, 31), (4, 40)] {
            groups.push(g, row(at));
        }
        let first = groups.take(EmitTo::First(3));
        let got: Vec<Vec<i64>> = first.groups().map(ats).collect();
        assert_eq!(got, vec![vec![0, 1], vec![10], vec![]]);
        assert_eq!(groups.group_of, vec![0, 0, 1]);
        groups.push(1, row(41));
        let rest = groups.take(EmitTo::All);
        let got: Vec<Vec<i64>> = rest.groups().map(ats).collect();
        assert_eq!(got, vec![vec![30, 31], vec![40, 41]]);
        assert!(groups.rows.is_empty() && groups.group_of.is_empty());
        Ok(())
    }
}
