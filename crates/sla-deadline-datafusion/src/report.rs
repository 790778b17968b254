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
    Array, ArrayRef, AsArray, Int64Array, Int64Builder, ListArray, StringBuilder, StructArray,
    TimestampSecondBuilder,
};
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, Fields, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::ScalarValue;
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use sla_deadline::{Event, Policy, evaluate};
use sla_deadline_arrow::{EventKeys, event};

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

/// The fields of one metric's entry.
fn entry_fields() -> Fields {
    Fields::from(vec![
        Field::new("metric", DataType::Utf8, true),
        Field::new("status", DataType::Utf8, true),
        Field::new(
            "due_at",
            DataType::Timestamp(TimeUnit::Second, Some(Arc::from("UTC"))),
            true,
        ),
        Field::new("elapsed_s", DataType::Int64, true),
        Field::new("remaining_s", DataType::Int64, true),
        Field::new("breached_by_s", DataType::Int64, true),
        Field::new("error", DataType::Utf8, true),
    ])
}

fn return_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(entry_fields()),
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
        let mut metric = StringBuilder::new();
        let mut status = StringBuilder::new();
        let mut due_at = TimestampSecondBuilder::new();
        let mut elapsed = Int64Builder::new();
        let mut remaining = Int64Builder::new();
        let mut breached_by = Int64Builder::new();
        let mut error = StringBuilder::new();
        let report = self.events().and_then(|events| {
            evaluate(&self.policy, &self.region, &events, None).map_err(|e| e.to_string())
        });
        match report {
            Ok(report) => {
                for m in &report.metrics {
                    metric.append_value(&m.metric);
                    status.append_value(m.status.to_string());
                    due_at.append_option(m.due_at.map(|d| d.timestamp()));
                    elapsed.append_option(m.elapsed.map(|d| d.num_seconds()));
                    remaining.append_option(m.remaining.map(|d| d.num_seconds()));
                    breached_by.append_option(m.breached_by.map(|d| d.num_seconds()));
                    error.append_null();
                }
            }
            Err(message) => {
                metric.append_null();
                status.append_null();
                due_at.append_null();
                elapsed.append_null();
                remaining.append_null();
                breached_by.append_null();
                error.append_value(message);
            }
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(metric.finish()),
            Arc::new(status.finish()),
            Arc::new(due_at.finish().with_timezone("UTC")),
            Arc::new(elapsed.finish()),
            Arc::new(remaining.finish()),
            Arc::new(breached_by.finish()),
            Arc::new(error.finish()),
        ];
        let entries = StructArray::try_new(entry_fields(), columns, None)?;
        Ok(list_scalar(Arc::new(entries)))
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
