//! The report columns both batch paths write: one row per ticket and
//! metric (or one per invalid ticket), built from the engine's figures.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int64Builder, StringBuilder, TimestampSecondBuilder};
use arrow_array::{ArrayRef, new_null_array};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use sla_deadline::{Figures, Policy};

/// Report rows being built: `metric`, `status`, `due_at`
/// (Timestamp(Second, "UTC")), `elapsed_s`, `remaining_s`, `breached_by_s`
/// (Int64 seconds of the metric's clock) and `error`, as
/// [`ReportColumns::fields`] names them.
///
/// # Example
/// ```
/// use sla_deadline::{evaluate_figures, Event, EventKind, Policy};
/// use sla_deadline_arrow::ReportColumns;
///
/// let policy = Policy::builtin("ol-care")?;
/// let created = Event::new("2026-11-23T14:00:00Z".parse()?, EventKind::created("P2", "email"));
/// let mut figures = Vec::new();
/// evaluate_figures(&policy, "americas", &[created], None, &mut figures)?;
/// let mut rows = ReportColumns::default();
/// rows.figures(&policy, &figures);
/// rows.failed("an event with a null type");
/// assert_eq!(rows.len(), policy.metrics().len() + 1);
/// assert_eq!(rows.finish().len(), ReportColumns::fields().len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct ReportColumns {
    metric: StringBuilder,
    status: StringBuilder,
    due_at: TimestampSecondBuilder,
    elapsed: Int64Builder,
    remaining: Int64Builder,
    breached_by: Int64Builder,
    /// The rows that have an error, with it: few, so the column is built
    /// at the end rather than a null appended to it for every good row.
    errors: Vec<(usize, String)>,
    len: usize,
}

impl ReportColumns {
    /// The columns' fields, all nullable.
    pub fn fields() -> Fields {
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

    /// Room for `rows` rows, so that a batch whose size is known fills its
    /// buffers without growing them (each growth copies what is there).
    pub fn with_capacity(rows: usize) -> ReportColumns {
        ReportColumns {
            metric: StringBuilder::with_capacity(rows, rows * 16),
            status: StringBuilder::with_capacity(rows, rows * 8),
            due_at: TimestampSecondBuilder::with_capacity(rows),
            elapsed: Int64Builder::with_capacity(rows),
            remaining: Int64Builder::with_capacity(rows),
            breached_by: Int64Builder::with_capacity(rows),
            errors: Vec::new(),
            len: 0,
        }
    }

    /// One row per metric of `policy`, from a ticket's figures (in the
    /// policy's metric order, as [`sla_deadline::evaluate_figures`] gives
    /// them).
    pub fn figures(&mut self, policy: &Policy, figures: &[Figures]) {
        for (metric, f) in policy.metrics().iter().zip(figures) {
            self.metric.append_value(metric.id());
            self.status.append_value(f.status.as_str());
            self.due_at.append_option(f.due_at);
            self.elapsed.append_option(f.elapsed);
            self.remaining.append_option(f.remaining);
            self.breached_by.append_option(f.breached_by);
            self.len += 1;
        }
    }

    /// One row for a ticket that could not be reported: its `error`, nulls
    /// elsewhere.
    pub fn failed(&mut self, message: &str) {
        self.metric.append_null();
        self.status.append_null();
        self.due_at.append_null();
        self.elapsed.append_null();
        self.remaining.append_null();
        self.breached_by.append_null();
        self.errors.push((self.len, message.to_string()));
        self.len += 1;
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True before the first row.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The columns, in the order of [`ReportColumns::fields`].
    pub fn finish(mut self) -> Vec<ArrayRef> {
        let error: ArrayRef = if self.errors.is_empty() {
            new_null_array(&DataType::Utf8, self.len)
        } else {
            let bytes = self.errors.iter().map(|(_, e)| e.len()).sum();
            let mut error = StringBuilder::with_capacity(self.len, bytes);
            for (row, message) in &self.errors {
                error.append_nulls(row - error.len());
                error.append_value(message);
            }
            error.append_nulls(self.len - error.len());
            Arc::new(error.finish())
        };
        vec![
            Arc::new(self.metric.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.due_at.finish().with_timezone("UTC")),
            Arc::new(self.elapsed.finish()),
            Arc::new(self.remaining.finish()),
            Arc::new(self.breached_by.finish()),
            error,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use sla_deadline::{Event, EventKind, evaluate_figures};

    #[test]
    fn errors_land_on_their_rows() {
        let policy = Policy::builtin("ol-care").expect("built-in");
        let created = Event::new(
            "2026-11-23T14:00:00Z".parse().expect("instant"),
            EventKind::created("P2", "email"),
        );
        let mut figures = Vec::new();
        evaluate_figures(&policy, "americas", &[created], None, &mut figures).expect("figures");
        let n = figures.len();
        for layout in ["f", "e", "fe", "ef", "fef", "efe", "eef"] {
            let mut rows = ReportColumns::default();
            let mut expected = Vec::new();
            for (i, c) in layout.chars().enumerate() {
                if c == 'f' {
                    rows.figures(&policy, &figures);
                    expected.extend(std::iter::repeat_n(None, n));
                } else {
                    rows.failed(&format!("error {i}"));
                    expected.push(Some(format!("error {i}")));
                }
            }
            let columns = rows.finish();
            let error = columns[6].as_string::<i32>();
            let got: Vec<Option<String>> = (0..error.len())
                .map(|r| (!error.is_null(r)).then(|| error.value(r).to_string()))
                .collect();
            assert_eq!(got, expected, "{layout}");
            assert!(columns.iter().all(|c| c.len() == expected.len()), "{layout}");
        }
    }
}
