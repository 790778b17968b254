//! Ticket reports over a long-form events table: one input row per event,
//! one output row per ticket and metric.
//!
//! Input columns, by name (others are ignored):
//!
//! | column | type | |
//! |---|---|---|
//! | `ticket_id` | text, or any integer type | required |
//! | `at` | Timestamp, any unit and zone | required |
//! | `type` | text | required: an event type (`created`, `responded`, ...) |
//! | `severity`, `channel`, `status`, `metric`, `target`, `customer_zone`, `region` | text | optional: the event's keys; `region` is read from the `created` row |
//! | `attributes` | text | optional: a JSON object of strings, as in a `created` or `attributes_changed` event |
//!
//! Text is Utf8, LargeUtf8, Utf8View, or a dictionary of one of them (a
//! pandas categorical, a Parquet column read with its dictionary): the
//! encoding never changes a report.
//!
//! Rows may come in any order: a ticket's events are gathered by
//! `ticket_id` (in order of first appearance) and the engine orders them
//! by instant, as [`sla_deadline::evaluate`] does.
//!
//! Output columns: `ticket_id` (Utf8 for text ids, Int64 for integer ids), `metric`, `status`,
//! `due_at` (Timestamp(Second, "UTC")), `elapsed_s`, `remaining_s`,
//! `breached_by_s` (Int64 seconds of the metric's clock) and `error`. A
//! ticket whose events are invalid gives one row with its `error` and nulls
//! elsewhere; the other tickets are reported as usual.

use std::collections::{BTreeMap, HashMap};

use ahash::RandomState;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::downcast_dictionary_array;
use arrow_array::types::{
    ArrowDictionaryKeyType, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, DictionaryArray, RecordBatch};
use arrow_buffer::ArrowNativeType;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::{DateTime, Utc};
use sla_deadline::{Batch, Event, EventKind, Figures, Policy};

use crate::columns::{Numbers, Texts};
use crate::{KernelError, ReportColumns};

/// A text column: plain, large, view, or dictionary-encoded strings
/// (pandas categoricals, Parquet dictionary pages, DataFusion's views).
enum Text<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    Dict(DictReader<'a>),
}

/// A dictionary column's row reader, over whichever key type it has.
type DictReader<'a> = Box<dyn Fn(usize) -> Option<&'a str> + 'a>;

impl<'a> Text<'a> {
    #[inline]
    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Text::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::View(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::Dict(get) => get(i),
        }
    }

    /// `column` read as text, `None` if it holds no strings.
    fn of(column: &'a dyn Array, name: &'static str) -> Result<Option<Text<'a>>, KernelError> {
        Ok(Some(match column.data_type() {
            DataType::Utf8 => Text::Utf8(column.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(column.as_string::<i64>()),
            DataType::Utf8View => Text::View(column.as_string_view()),
            DataType::Dictionary(key, values) if key.is_dictionary_key_type() && plain_text(values) => {
                downcast_dictionary_array!(
                    column => Text::Dict(dictionary(column, name)?),
                    _ => return Ok(None)
                )
            }
            _ => return Ok(None),
        }))
    }
}

/// Utf8, LargeUtf8 or Utf8View: what a dictionary's values may be.
fn plain_text(values: &DataType) -> bool {
    matches!(values, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A reader of a dictionary-encoded text column. Its keys are checked
/// once here: an array imported from elsewhere (pyarrow, FFI) is not
/// otherwise known to point inside its dictionary.
fn dictionary<'a, K: ArrowDictionaryKeyType>(
    column: &'a DictionaryArray<K>,
    name: &'static str,
) -> Result<DictReader<'a>, KernelError> {
    // The caller checked that the values are plain text.
    let Some(values) = Text::of(column.values().as_ref(), name)? else {
        return Err(KernelError::Type {
            argument: name,
            expected: TEXT,
            found: column.data_type().to_string(),
        });
    };
    let keys = column.keys();
    let len = column.values().len();
    for (i, key) in keys.values().iter().enumerate() {
        if keys.is_valid(i) && key.to_usize().is_none_or(|k| k >= len) {
            return Err(KernelError::Arrow(format!(
                "{name}: row {i} has dictionary key {key:?}, outside its {len} values: expected a valid dictionary"
            )));
        }
    }
    Ok(Box::new(move |i| {
        if keys.is_null(i) {
            return None;
        }
        values.get(keys.value(i).as_usize())
    }))
}

/// The text types a text column may have.
const TEXT: &str = "a text column (Utf8, LargeUtf8, Utf8View, or a dictionary of one of them)";

/// The text column `name` of `batch`, `None` if absent and not `required`.
fn text<'a>(
    batch: &'a RecordBatch,
    name: &'static str,
    required: bool,
) -> Result<Option<Text<'a>>, KernelError> {
    let Some(column) = batch.column_by_name(name) else {
        return if required {
            Err(KernelError::Missing { column: name })
        } else {
            Ok(None)
        };
    };
    match Text::of(column.as_ref(), name)? {
        Some(text) => Ok(Some(text)),
        None => Err(KernelError::Type {
            argument: name,
            expected: TEXT,
            found: column.data_type().to_string(),
        }),
    }
}

/// The ticket id column: text or numbers.
enum Ids<'a> {
    Text(Text<'a>),
    /// Any integer type, widened to 64 bits.
    Number(arrow_array::Int64Array),
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Hash)]
enum Key<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> Ids<'a> {
    /// Integer ids as a slice, when none is null.
    fn numbers(&self) -> Option<&[i64]> {
        match self {
            Ids::Number(a) if a.null_count() == 0 => Some(a.values()),
            _ => None,
        }
    }

    #[inline]
    fn key(&self, i: usize) -> Option<Key<'a>> {
        match self {
            Ids::Text(t) => t.get(i).map(Key::Text),
            Ids::Number(a) => (!a.is_null(i)).then(|| Key::Number(a.value(i))),
        }
    }
}

/// An integer id column widened to Int64 (a copy unless it is Int64).
fn integer_ids(column: &dyn Array) -> Result<arrow_array::Int64Array, KernelError> {
    fn widen<T: ArrowPrimitiveType>(column: &dyn Array) -> arrow_array::Int64Array
    where
        T::Native: Into<i64>,
    {
        column.as_primitive::<T>().unary(Into::into)
    }
    Ok(match column.data_type() {
        DataType::Int64 => column.as_primitive::<Int64Type>().clone(),
        DataType::Int32 => widen::<Int32Type>(column),
        DataType::Int16 => widen::<Int16Type>(column),
        DataType::Int8 => widen::<Int8Type>(column),
        DataType::UInt32 => widen::<UInt32Type>(column),
        DataType::UInt16 => widen::<UInt16Type>(column),
        DataType::UInt8 => widen::<UInt8Type>(column),
        DataType::UInt64 => column.as_primitive::<UInt64Type>().try_unary(|id| {
            i64::try_from(id).map_err(|_| {
                KernelError::Arrow(format!(
                    "ticket_id: UInt64 id {id} is above {}: expected ids that fit in Int64",
                    i64::MAX
                ))
            })
        })?,
        other => {
            return Err(KernelError::Type {
                argument: "ticket_id",
                expected: "a text or integer column",
                found: other.to_string(),
            });
        }
    })
}

/// One output row per ticket and metric (or one per invalid ticket): the
/// ticket id, then the report columns.
struct Output {
    ids_text: Texts,
    ids_number: Numbers,
    rows: ReportColumns,
}

impl Output {
    /// Room for `rows` rows of ids in `numeric` or text form.
    fn with_capacity(rows: usize, numeric: bool) -> Output {
        let (texts, numbers) = if numeric { (0, rows) } else { (rows, 0) };
        Output {
            ids_text: Texts::with_capacity(texts, texts * 8),
            ids_number: Numbers::with_capacity(numbers),
            rows: ReportColumns::with_capacity(rows),
        }
    }

    fn id(&mut self, key: Option<Key<'_>>, rows: usize) {
        for _ in 0..rows {
            match key {
                Some(Key::Text(s)) => self.ids_text.push(s),
                Some(Key::Number(n)) => self.ids_number.push(Some(n)),
                None => {
                    self.ids_text.push_nulls(1);
                    self.ids_number.push(None);
                }
            }
        }
    }

    fn figures(&mut self, key: Option<Key<'_>>, policy: &Policy, figures: &[Figures]) {
        self.id(key, figures.len());
        self.rows.figures(policy, figures);
    }

    fn failed(&mut self, key: Option<Key<'_>>, message: &str) {
        self.id(key, 1);
        self.rows.failed(message);
    }

    fn finish(self, numeric_ids: bool) -> Result<RecordBatch, KernelError> {
        let (id_type, ids): (DataType, ArrayRef) = if numeric_ids {
            (DataType::Int64, Arc::new(self.ids_number.finish::<Int64Type>()))
        } else {
            (DataType::Utf8, Arc::new(self.ids_text.finish("ticket_id")?))
        };
        let mut fields = vec![Arc::new(Field::new("ticket_id", id_type, true))];
        fields.extend(ReportColumns::fields().iter().cloned());
        let mut columns = vec![ids];
        columns.extend(self.rows.finish()?);
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .map_err(|e| KernelError::Arrow(e.to_string()))
    }
}

/// The `at` column, cast once to its unit's array.
enum At<'a> {
    Second(&'a arrow_array::TimestampSecondArray),
    Milli(&'a arrow_array::TimestampMillisecondArray),
    Micro(&'a arrow_array::TimestampMicrosecondArray),
    Nano(&'a arrow_array::TimestampNanosecondArray),
}

impl<'a> At<'a> {
    fn of(column: &'a dyn Array, unit: TimeUnit) -> At<'a> {
        match unit {
            TimeUnit::Second => At::Second(column.as_primitive::<TimestampSecondType>()),
            TimeUnit::Millisecond => At::Milli(column.as_primitive::<TimestampMillisecondType>()),
            TimeUnit::Microsecond => At::Micro(column.as_primitive::<TimestampMicrosecondType>()),
            TimeUnit::Nanosecond => At::Nano(column.as_primitive::<TimestampNanosecondType>()),
        }
    }

    /// Row `i` in whole seconds (rounded down), `None` for a null.
    #[inline]
    fn seconds(&self, i: usize) -> Option<i64> {
        match self {
            At::Second(a) => (!a.is_null(i)).then(|| a.value(i)),
            At::Milli(a) => (!a.is_null(i)).then(|| a.value(i).div_euclid(1_000)),
            At::Micro(a) => (!a.is_null(i)).then(|| a.value(i).div_euclid(1_000_000)),
            At::Nano(a) => (!a.is_null(i)).then(|| a.value(i).div_euclid(1_000_000_000)),
        }
    }
}

/// The event columns of a batch.
struct Columns<'a> {
    at: At<'a>,
    kind: Text<'a>,
    severity: Option<Text<'a>>,
    channel: Option<Text<'a>>,
    status: Option<Text<'a>>,
    metric: Option<Text<'a>>,
    target: Option<Text<'a>>,
    customer_zone: Option<Text<'a>>,
    region: Option<Text<'a>>,
    attributes: Option<Text<'a>>,
}

impl<'a> Columns<'a> {
    /// Appends the event of row `i` to `events`, or says why it is not one.
    fn read(&self, i: usize, events: &mut Events) -> Result<(), String> {
        let kind = self.kind.get(i).ok_or("an event with a null type")?;
        // Most events take no key: their columns are not read.
        if let Some(unit) = unit_kind(kind) {
            return events.push_unit(self.at.seconds(i), kind, unit);
        }
        let get = |column: &Option<Text<'a>>| column.as_ref().and_then(|c| c.get(i));
        events.push_keyed(
            self.at.seconds(i),
            kind,
            &EventKeys {
                severity: get(&self.severity),
                channel: get(&self.channel),
                status: get(&self.status),
                metric: get(&self.metric),
                target: get(&self.target),
                customer_zone: get(&self.customer_zone),
                attributes: get(&self.attributes),
            },
        )
    }
}

/// One ticket's events, read from text keys (as [`event`] reads them) into
/// buffers that serve ticket after ticket: a `created` event's strings are
/// rewritten in place rather than allocated again. The events are kept
/// apart, kinds beside their Unix seconds, as
/// [`Batch::figures_at`](sla_deadline::Batch::figures_at) takes them: no
/// `DateTime` is built for them.
///
/// # Example
/// ```
/// use sla_deadline::{Batch, Policy};
/// use sla_deadline_arrow::{EventKeys, Events};
///
/// let policy = Policy::builtin("ol-care")?;
/// let mut events = Events::default();
/// let keys = EventKeys { severity: Some("P2"), channel: Some("email"), ..EventKeys::default() };
/// events.push(Some(1_795_190_400), "created", &keys)?;
/// events.push(Some(1_795_194_000), "responded", &EventKeys::default())?;
/// assert_eq!(events.kinds().len(), 2);
/// assert_eq!(events.seconds(), [1_795_190_400, 1_795_194_000]);
/// let mut figures = Vec::new();
/// Batch::new(&policy).figures_at("americas", events.kinds(), events.seconds(), None, &mut figures)?;
/// events.clear(); // the next ticket
/// assert!(events.push(None, "created", &keys).is_err());
/// assert!(events.kinds().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Events {
    /// The kinds read, then those of earlier tickets kept for their buffers.
    kinds: Vec<EventKind>,
    /// The instant of each kind read, in Unix seconds.
    seconds: Vec<i64>,
    len: usize,
}

impl Events {
    /// Forgets the events read (keeping their buffers).
    pub fn clear(&mut self) {
        self.len = 0;
        self.seconds.clear();
    }

    /// The kinds of the events read since the last `clear`.
    pub fn kinds(&self) -> &[EventKind] {
        &self.kinds[..self.len]
    }

    /// The instants of the events read since the last `clear`, in Unix
    /// seconds, one per kind.
    pub fn seconds(&self) -> &[i64] {
        &self.seconds
    }

    /// Appends the event of type `kind` at Unix second `at` with `keys`.
    ///
    /// # Errors
    /// As [`event`]; nothing is appended then.
    pub fn push(&mut self, at: Option<i64>, kind: &str, keys: &EventKeys<'_>) -> Result<(), String> {
        match unit_kind(kind) {
            Some(unit) => self.push_unit(at, kind, unit),
            None => self.push_keyed(at, kind, keys),
        }
    }

    /// `push` for a `kind` that `unit_kind` does not know.
    fn push_keyed(&mut self, at: Option<i64>, kind: &str, keys: &EventKeys<'_>) -> Result<(), String> {
        let at = at.filter(|&t| representable(t));
        let n = self.len;
        // The usual `created` event, over the `created` of a ticket before.
        if let (
            "created",
            Some(at),
            Some(severity),
            Some(channel),
            None,
            None,
            Some(EventKind::Created {
                severity: s,
                channel: c,
                attributes,
                customer_zone,
            }),
        ) = (
            kind,
            at,
            keys.severity,
            keys.channel,
            keys.attributes,
            keys.customer_zone,
            self.kinds.get_mut(n),
        ) {
            s.clear();
            s.push_str(severity);
            c.clear();
            c.push_str(channel);
            // Clearing an empty map still walks it.
            if !attributes.is_empty() {
                attributes.clear();
            }
            *customer_zone = None;
            self.seconds.push(at);
            self.len += 1;
            return Ok(());
        }
        let read = event_at(at.and_then(|t| DateTime::from_timestamp(t, 0)), kind, keys)?;
        self.put(read.at.timestamp(), read.kind);
        Ok(())
    }

    /// Appends `unit`, an event of type `kind` without keys, at Unix
    /// second `at`.
    #[inline]
    fn push_unit(&mut self, at: Option<i64>, kind: &str, unit: EventKind) -> Result<(), String> {
        let at = at.filter(|&t| representable(t)).ok_or_else(|| no_instant(kind))?;
        self.put(at, unit);
        Ok(())
    }

    /// Appends `kind` at second `at`, over the buffers of an earlier
    /// ticket's, if any.
    #[inline]
    fn put(&mut self, at: i64, kind: EventKind) {
        match self.kinds.get_mut(self.len) {
            Some(slot) => *slot = kind,
            None => self.kinds.push(kind),
        }
        self.seconds.push(at);
        self.len += 1;
    }
}

/// True if Unix second `t` is an instant a `DateTime` holds (as
/// `DateTime::from_timestamp(t, 0)` would say, without building it).
fn representable(t: i64) -> bool {
    const FIRST: i64 = DateTime::<Utc>::MIN_UTC.timestamp();
    const LAST: i64 = DateTime::<Utc>::MAX_UTC.timestamp();
    (FIRST..=LAST).contains(&t)
}

/// The keys of an event besides its instant and type, as text; `None` for
/// a null or absent column.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventKeys<'a> {
    /// `severity` of `created` and `severity_changed`.
    pub severity: Option<&'a str>,
    /// `channel` of `created`.
    pub channel: Option<&'a str>,
    /// `status` of `status_changed`.
    pub status: Option<&'a str>,
    /// `metric` of `target_agreed`.
    pub metric: Option<&'a str>,
    /// `target` of `target_agreed`.
    pub target: Option<&'a str>,
    /// `customer_zone` of `created` and `attributes_changed`.
    pub customer_zone: Option<&'a str>,
    /// `attributes` of `created` and `attributes_changed`: a JSON object of
    /// strings (or nulls, to remove one).
    pub attributes: Option<&'a str>,
}

/// The event of type `kind` at Unix second `at` with `keys`, or why it is
/// not one: a null instant, a missing key, an unknown type, malformed
/// attributes. Keys the type does not take are ignored (a table has every
/// column on every row).
///
/// # Errors
/// The reason, as text for an error column.
pub fn event(at: Option<i64>, kind: &str, keys: &EventKeys<'_>) -> Result<Event, String> {
    event_at(at.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)), kind, keys)
}

/// Why an event of type `kind` cannot be read: its instant.
fn no_instant(kind: &str) -> String {
    format!("a {kind} event with a null or impossible `at`")
}

/// The event kinds without keys, by type name.
#[inline]
fn unit_kind(kind: &str) -> Option<EventKind> {
    Some(match kind {
        "acknowledged" => EventKind::Acknowledged,
        "responded" => EventKind::Responded,
        "updated" => EventKind::Updated,
        "waiting_on_customer" => EventKind::WaitingOnCustomer,
        "customer_replied" => EventKind::CustomerReplied,
        "resolved" => EventKind::Resolved,
        "reopened" => EventKind::Reopened,
        "closed" => EventKind::Closed,
        _ => return None,
    })
}

/// As [`event`], the instant converted (`None`: null or impossible).
fn event_at(at: Option<DateTime<Utc>>, kind: &str, keys: &EventKeys<'_>) -> Result<Event, String> {
    let at = at.ok_or_else(|| no_instant(kind))?;
    if let Some(unit) = unit_kind(kind) {
        return Ok(Event::new(at, unit));
    }
    let need = |value: Option<&str>, name: &str| -> Result<String, String> {
        value
            .map(str::to_string)
            .ok_or_else(|| format!("a {kind} event at {at} without `{name}`"))
    };
    let attributes = || -> Result<BTreeMap<String, Option<String>>, String> {
        match keys.attributes {
            None => Ok(BTreeMap::new()),
            Some(json) => serde_json::from_str(json).map_err(|e| {
                format!("a {kind} event at {at}: attributes are not a JSON object of strings: {e}")
            }),
        }
    };
    let zone = keys.customer_zone.map(str::to_string);
    let kind = match kind {
        "created" => EventKind::Created {
            severity: need(keys.severity, "severity")?,
            channel: need(keys.channel, "channel")?,
            attributes: attributes()?
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
            customer_zone: zone,
        },
        "severity_changed" => EventKind::SeverityChanged {
            severity: need(keys.severity, "severity")?,
        },
        "target_agreed" => EventKind::TargetAgreed {
            metric: need(keys.metric, "metric")?,
            target: need(keys.target, "target")?,
        },
        "status_changed" => EventKind::StatusChanged {
            status: need(keys.status, "status")?,
        },
        "attributes_changed" => EventKind::AttributesChanged {
            attributes: attributes()?,
            customer_zone: zone,
        },
        other => return Err(format!("unknown event type {other:?}")),
    };
    Ok(Event::new(at, kind))
}

/// Where each ticket's rows are: `Rows::InOrder` when every ticket's rows
/// come in one run (a table sorted by ticket, the usual layout), so that a
/// ticket's range of rows is its range in the table; else the row numbers,
/// gathered by ticket.
enum Rows {
    InOrder,
    Gathered(Vec<u32>),
}

/// The tickets of `n` rows, in order of first appearance, each with its
/// range in the returned row order; and the count of rows without a ticket
/// id. A run of rows of one ticket costs no hashing, and neither does a
/// table sorted by ticket id: while each new id is greater than the one
/// before, it cannot have been seen. The first id out of order builds the
/// hash index of those seen, which serves from then on. Rows are numbered
/// per ticket only once a ticket's rows are found apart (or a row has no
/// id): until then the table's own order is the tickets'.
#[allow(clippy::type_complexity)]
fn gather<'a>(ids: &Ids<'a>, n: usize) -> (Vec<(Key<'a>, std::ops::Range<usize>)>, Rows, usize) {
    let mut index: Option<HashMap<Key<'a>, u32, RandomState>> = None;
    let mut keys: Vec<Key<'a>> = Vec::new();
    // Each ticket's size, and, once rows are out of runs, each row's ticket
    // number (u32::MAX: no id).
    let mut sizes: Vec<u32> = Vec::new();
    let mut of_row: Option<Vec<u32>> = None;
    let mut last: Option<(Key<'a>, u32)> = None;
    let mut orphans = 0usize;
    // The rows so far were in runs: their tickets, in order, are `sizes`.
    let numbered = |sizes: &[u32]| -> Vec<u32> {
        let mut of_row = Vec::with_capacity(n);
        for (t, &size) in sizes.iter().enumerate() {
            of_row.extend(std::iter::repeat_n(t as u32, size as usize));
        }
        of_row
    };
    for i in 0..n {
        let Some(key) = ids.key(i) else {
            orphans += 1;
            of_row.get_or_insert_with(|| numbered(&sizes)).push(u32::MAX);
            continue;
        };
        let seen = match (last, &mut index) {
            (Some((k, t)), _) if k == key => Some(t),
            (_, None) if keys.last().is_none_or(|k| *k < key) => None,
            (_, index) => index
                .get_or_insert_with(|| {
                    let mut seen = HashMap::with_capacity_and_hasher(keys.len() * 2, RandomState::new());
                    seen.extend(keys.iter().enumerate().map(|(t, k)| (*k, t as u32)));
                    seen
                })
                .get(&key)
                .copied(),
        };
        // A ticket seen before, but not in the row just before: its rows
        // are apart.
        if seen.is_some() && last.is_none_or(|(k, _)| k != key) && of_row.is_none() {
            of_row = Some(numbered(&sizes));
        }
        let t = seen.unwrap_or_else(|| {
            keys.push(key);
            sizes.push(0);
            let t = (keys.len() - 1) as u32;
            if let Some(index) = &mut index {
                index.insert(key, t);
            }
            t
        });
        last = Some((key, t));
        sizes[t as usize] += 1;
        if let Some(of_row) = &mut of_row {
            of_row.push(t);
        }
    }
    let mut tickets = Vec::with_capacity(keys.len());
    let mut start = 0usize;
    for (key, &size) in keys.into_iter().zip(&sizes) {
        tickets.push((key, start..start + size as usize));
        start += size as usize;
    }
    let Some(of_row) = of_row else {
        return (tickets, Rows::InOrder, orphans);
    };
    // A counting sort of the rows by ticket, stable within a ticket.
    let mut next: Vec<usize> = tickets.iter().map(|(_, range)| range.start).collect();
    let mut rows = vec![0u32; start];
    for (i, &t) in of_row.iter().enumerate() {
        if t != u32::MAX {
            rows[next[t as usize]] = i as u32;
            next[t as usize] += 1;
        }
    }
    (tickets, Rows::Gathered(rows), orphans)
}

/// Reports every ticket of `events` under `policy`, in `region` (or the
/// `region` column of each ticket's `created` row), as of `as_of` (`None`:
/// each ticket's latest event).
///
/// # Errors
/// A missing required column or a column of the wrong type. Invalid
/// tickets are not errors: they give an `error` row.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{RecordBatch, StringArray, TimestampSecondArray};
/// use sla_deadline::Policy;
///
/// let policy = Policy::builtin("ol-care")?;
/// let events = RecordBatch::try_from_iter([
///     ("ticket_id", Arc::new(StringArray::from(vec!["T1", "T1", "T2"])) as _),
///     ("at", Arc::new(TimestampSecondArray::from(vec![1_795_190_400, 1_795_194_000, 1_795_190_400])) as _),
///     ("type", Arc::new(StringArray::from(vec!["created", "responded", "created"])) as _),
///     ("severity", Arc::new(StringArray::from(vec![Some("P2"), None, Some("P9")])) as _),
///     ("channel", Arc::new(StringArray::from(vec![Some("email"), None, Some("email")])) as _),
/// ])?;
/// let reports = sla_deadline_arrow::ticket_reports(&policy, "americas", &events, None)?;
/// assert_eq!(reports.num_rows(), 4 + 1); // four metrics of T1, one error row for T2
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ticket_reports(
    policy: &Policy,
    region: &str,
    events: &RecordBatch,
    as_of: Option<DateTime<Utc>>,
) -> Result<RecordBatch, KernelError> {
    let id_column = events
        .column_by_name("ticket_id")
        .ok_or(KernelError::Missing { column: "ticket_id" })?;
    let ids = match Text::of(id_column.as_ref(), "ticket_id")? {
        Some(text) => Ids::Text(text),
        None => Ids::Number(integer_ids(id_column.as_ref())?),
    };
    let at = events
        .column_by_name("at")
        .ok_or(KernelError::Missing { column: "at" })?;
    let DataType::Timestamp(unit, _) = at.data_type() else {
        return Err(KernelError::Type {
            argument: "at",
            expected: "a timestamp column (any unit, any zone)",
            found: at.data_type().to_string(),
        });
    };
    let columns = Columns {
        at: At::of(at.as_ref(), *unit),
        kind: text(events, "type", true)?.ok_or(KernelError::Missing { column: "type" })?,
        severity: text(events, "severity", false)?,
        channel: text(events, "channel", false)?,
        status: text(events, "status", false)?,
        metric: text(events, "metric", false)?,
        target: text(events, "target", false)?,
        customer_zone: text(events, "customer_zone", false)?,
        region: text(events, "region", false)?,
        attributes: text(events, "attributes", false)?,
    };
    // Rows are numbered in 32 bits (half the memory of a gather in 64).
    if events.num_rows() >= u32::MAX as usize {
        return Err(KernelError::Arrow(format!(
            "{} rows in one events batch: expected fewer than {}, split it by ticket",
            events.num_rows(),
            u32::MAX
        )));
    }
    let tickets = Tickets::of(&ids, events.num_rows());
    // One row per ticket and metric, plus the row for orphans.
    let numeric = matches!(ids, Ids::Number(_));
    let mut reporter = Reporter {
        policy,
        region,
        as_of,
        columns: &columns,
        events: Events::default(),
        batch: Batch::new(policy),
        figures: Vec::new(),
        out: Output::with_capacity(tickets.count() * policy.metrics().len() + 1, numeric),
    };
    tickets.each(&ids, |key, rows| reporter.ticket(key, rows));
    let mut out = reporter.out;
    if tickets.orphans() > 0 {
        out.failed(
            None,
            &format!("{} events have a null ticket_id", tickets.orphans()),
        );
    }
    out.finish(numeric)
}

/// Reports ticket after ticket into `out`, reusing the engine's batch and
/// the event buffers.
struct Reporter<'r, 'a, 'p> {
    policy: &'p Policy,
    /// The region of tickets whose `created` row names none.
    region: &'r str,
    as_of: Option<DateTime<Utc>>,
    columns: &'r Columns<'a>,
    events: Events,
    batch: Batch<'p>,
    figures: Vec<Figures>,
    out: Output,
}

impl Reporter<'_, '_, '_> {
    /// The rows of the ticket `key`, from its events in `rows`.
    fn ticket(&mut self, key: Key<'_>, rows: TicketRows<'_>) {
        self.events.clear();
        let mut own_region: Option<&str> = None;
        for i in rows {
            if let Err(message) = self.columns.read(i, &mut self.events) {
                self.out.failed(Some(key), &message);
                return;
            }
            if let Some(EventKind::Created { .. }) = self.events.kinds().last() {
                own_region = self.columns.region.as_ref().and_then(|r| r.get(i));
            }
        }
        self.figures.clear();
        match self.batch.figures_at(
            own_region.unwrap_or(self.region),
            self.events.kinds(),
            self.events.seconds(),
            self.as_of,
            &mut self.figures,
        ) {
            Ok(()) => self.out.figures(Some(key), self.policy, &self.figures),
            Err(e) => self.out.failed(Some(key), &e.to_string()),
        }
    }
}

/// The tickets of a table and where their rows are.
enum Tickets<'a> {
    /// Each ticket's rows come in one run, the runs in increasing id order
    /// and no id is null (a table sorted by ticket id): the table is its own
    /// gather, and only where each run starts is kept (then `rows`, the
    /// end of the last).
    SortedRuns { starts: Vec<u32>, rows: usize },
    /// Gathered by `gather`, with the count of rows without an id.
    Gathered {
        tickets: Vec<(Key<'a>, std::ops::Range<usize>)>,
        rows: Rows,
        orphans: usize,
    },
}

impl<'a> Tickets<'a> {
    /// The tickets of the `n` rows of `ids`, in order of first appearance.
    fn of(ids: &Ids<'a>, n: usize) -> Tickets<'a> {
        match sorted_runs(ids, n) {
            Some(starts) => Tickets::SortedRuns { starts, rows: n },
            None => {
                let (tickets, rows, orphans) = gather(ids, n);
                Tickets::Gathered {
                    tickets,
                    rows,
                    orphans,
                }
            }
        }
    }

    fn count(&self) -> usize {
        match self {
            Tickets::SortedRuns { starts, .. } => starts.len(),
            Tickets::Gathered { tickets, .. } => tickets.len(),
        }
    }

    /// Rows without a ticket id.
    fn orphans(&self) -> usize {
        match self {
            Tickets::SortedRuns { .. } => 0,
            Tickets::Gathered { orphans, .. } => *orphans,
        }
    }

    /// Calls `f` with each ticket's id and rows, in order of first
    /// appearance (`ids`: those `of` was given).
    fn each(&self, ids: &Ids<'a>, mut f: impl FnMut(Key<'a>, TicketRows<'_>)) {
        match self {
            Tickets::SortedRuns { starts, rows } => {
                let ends = starts.iter().skip(1).map(|&e| e as usize).chain([*rows]);
                for (&start, end) in starts.iter().zip(ends) {
                    let start = start as usize;
                    // `sorted_runs` found an id on every row.
                    if let Some(key) = ids.key(start) {
                        f(key, TicketRows::Run(start..end));
                    }
                }
            }
            Tickets::Gathered { tickets, rows, .. } => {
                for (key, range) in tickets {
                    let rows = match rows {
                        Rows::InOrder => TicketRows::Run(range.clone()),
                        Rows::Gathered(rows) => TicketRows::Listed(rows[range.clone()].iter()),
                    };
                    f(*key, rows);
                }
            }
        }
    }
}

/// The rows of one ticket: a run of the table, or listed.
enum TicketRows<'r> {
    Run(std::ops::Range<usize>),
    Listed(std::slice::Iter<'r, u32>),
}

impl Iterator for TicketRows<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            TicketRows::Run(range) => range.next(),
            TicketRows::Listed(rows) => rows.next().map(|&i| i as usize),
        }
    }
}

/// Where each run starts when the `n` rows of `ids` are sorted runs (see
/// `Tickets::SortedRuns`), else `None`. Each pair of neighbouring rows is
/// compared once.
fn sorted_runs(ids: &Ids<'_>, n: usize) -> Option<Vec<u32>> {
    let mut starts = Vec::new();
    // Integer ids without nulls, the usual case, are compared in place.
    if let Some(values) = ids.numbers() {
        if !values.is_empty() {
            starts.push(0);
        }
        for (i, w) in values.windows(2).enumerate() {
            if w[0] != w[1] {
                if w[0] > w[1] {
                    return None;
                }
                starts.push(i as u32 + 1);
            }
        }
        return Some(starts);
    }
    let mut last: Option<Key<'_>> = None;
    for i in 0..n {
        let key = ids.key(i)?;
        match last {
            Some(k) if k == key => continue,
            Some(k) if k > key => return None,
            _ => {}
        }
        last = Some(key);
        starts.push(i as u32);
    }
    Some(starts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Gathering by the obvious method: a ticket per id in order of first
    /// appearance, its rows in input order.
    fn naive(ids: &[Option<i64>]) -> (Vec<(i64, Vec<u32>)>, usize) {
        let mut tickets: Vec<(i64, Vec<u32>)> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = id else { continue };
            match tickets.iter_mut().find(|(k, _)| k == id) {
                Some((_, rows)) => rows.push(i as u32),
                None => tickets.push((*id, vec![i as u32])),
            }
        }
        (tickets, ids.iter().filter(|id| id.is_none()).count())
    }

    /// Each ticket's id (as text) and rows, and the orphans, as `tickets`
    /// gives them for `ids`.
    fn listed<'a>(tickets: &Tickets<'a>, ids: &Ids<'a>) -> (Vec<(String, Vec<u32>)>, usize) {
        let mut got = Vec::new();
        tickets.each(ids, |key, rows| {
            let id = match key {
                Key::Number(k) => format!("{k:02}"),
                Key::Text(t) => t.to_string(),
            };
            got.push((id, rows.map(|r| r as u32).collect()));
        });
        (got, tickets.orphans())
    }

    proptest! {
        // Sorted runs, runs out of order, ids coming back after others,
        // nulls, integer or text ids: neither the walk of sorted runs nor
        // the gather (with its own fast path for sorted ids) may merge or
        // split tickets.
        #[test]
        fn tickets_group_rows_by_id(
            ids in prop::collection::vec(prop::option::weighted(0.95, 0i64..12), 0..60),
            sort in any::<bool>(),
        ) {
            let mut ids = ids;
            if sort {
                ids.sort_by_key(|id| id.unwrap_or(i64::MAX));
            }
            let (tickets, orphans) = naive(&ids);
            let want: Vec<(String, Vec<u32>)> =
                tickets.into_iter().map(|(k, rows)| (format!("{k:02}"), rows)).collect();
            let numbers = arrow_array::Int64Array::from(ids.clone());
            // Zero-padded, so that text sorts as the numbers do.
            let texts = arrow_array::StringArray::from(
                ids.iter().map(|id| id.map(|k| format!("{k:02}"))).collect::<Vec<_>>(),
            );
            for column in [Ids::Number(numbers), Ids::Text(Text::Utf8(&texts))] {
                let n = ids.len();
                let found = Tickets::of(&column, n);
                prop_assert_eq!(
                    matches!(found, Tickets::SortedRuns { .. }),
                    !ids.contains(&None) && ids.windows(2).all(|w| w[0] <= w[1]),
                );
                prop_assert_eq!(found.count(), want.len());
                prop_assert_eq!(listed(&found, &column), (want.clone(), orphans));
                let (tickets, rows, orphans) = gather(&column, n);
                let gathered = Tickets::Gathered { tickets, rows, orphans };
                prop_assert_eq!(listed(&gathered, &column), (want.clone(), orphans));
            }
        }
    }

    proptest! {
        // An instant is refused exactly where chrono could not hold it,
        // near and far.
        #[test]
        fn representable_is_chronos(
            ts in prop::collection::vec(
                prop_oneof![
                    1_700_000_000i64..1_900_000_000,
                    any::<i64>(),
                    -8_334_632_851_200i64..-8_334_632_851_100,
                    8_210_298_412_700i64..8_210_298_412_800,
                ],
                1..20,
            ),
        ) {
            for t in ts {
                prop_assert_eq!(representable(t), DateTime::<Utc>::from_timestamp(t, 0).is_some());
            }
        }

        // Buffers reused from ticket to ticket read what `event` reads,
        // errors included.
        #[test]
        fn events_read_as_event_reads(
            tickets in prop::collection::vec(
                prop::collection::vec(
                    (
                        prop::option::weighted(0.95, prop_oneof![
                            9 => 1_700_000_000i64..1_700_500_000,
                            1 => -8_334_632_851_300i64..-8_334_632_851_100,
                            1 => 8_210_298_412_700i64..8_210_298_412_900,
                        ]),
                        prop::sample::select(vec!["created", "responded", "severity_changed", "resolved", "nonsense"]),
                        prop::option::of(prop::sample::select(vec!["P1", "P2"])),
                        prop::option::of(prop::sample::select(vec!["email", "web"])),
                        prop::option::of(prop::sample::select(vec![r#"{"tier":"gold"}"#, "[1]"])),
                        prop::option::of(prop::sample::select(vec!["Asia/Tokyo"])),
                    ),
                    0..6,
                ),
                0..5,
            ),
        ) {
            let mut events = Events::default();
            for ticket in tickets {
                events.clear();
                let mut expected = Vec::new();
                for (at, kind, severity, channel, attributes, customer_zone) in ticket {
                    let keys = EventKeys { severity, channel, attributes, customer_zone, ..EventKeys::default() };
                    let want = event(at, kind, &keys);
                    prop_assert_eq!(events.push(at, kind, &keys), want.as_ref().map(|_| ()).map_err(Clone::clone));
                    if let Ok(e) = want {
                        expected.push(e);
                    }
                }
                let kinds: Vec<EventKind> = expected.iter().map(|e: &Event| e.kind.clone()).collect();
                let seconds: Vec<i64> = expected.iter().map(|e| e.at.timestamp()).collect();
                prop_assert_eq!(events.kinds(), &kinds[..]);
                prop_assert_eq!(events.seconds(), &seconds[..]);
            }
        }
    }

    #[test]
    fn text_ids_out_of_order_are_one_ticket_each() {
        let array = arrow_array::StringArray::from(vec!["a", "b", "a", "c", "b"]);
        let ids = Ids::Text(Text::Utf8(&array));
        let (got, _) = listed(&Tickets::of(&ids, 5), &ids);
        let rows: Vec<Vec<u32>> = got.into_iter().map(|(_, rows)| rows).collect();
        assert_eq!(rows, vec![vec![0, 2], vec![1, 4], vec![3]]);
    }
}
