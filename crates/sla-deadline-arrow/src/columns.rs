//! The report columns both batch paths write: one row per ticket and
//! metric (or one per invalid ticket), built from the engine's figures.

use std::sync::Arc;

use arrow_array::types::{Int64Type, TimestampSecondType};
use arrow_array::{ArrayRef, ArrowPrimitiveType, PrimitiveArray, StringArray, new_null_array};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use sla_deadline::{Figures, Policy, Status};

use crate::KernelError;

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
/// assert_eq!(rows.finish()?.len(), ReportColumns::fields().len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct ReportColumns {
    metric: Texts,
    status: Texts,
    due_at: Numbers,
    elapsed: Numbers,
    remaining: Numbers,
    breached_by: Numbers,
    /// The rows that have an error, with it: few, so the column is built
    /// at the end rather than a null appended to it for every good row.
    errors: Vec<(usize, String)>,
    len: usize,
    /// The metric ids of the policy last reported.
    ids: MetricIds,
}

/// A policy's metric ids end to end, with where each ends: a ticket's
/// metric column is then one copy rather than one per metric. The policy
/// is kept, so that telling it by the address of its metrics stays sound
/// (no other policy can take that address while it lives).
#[derive(Debug, Default)]
struct MetricIds {
    policy: Option<Policy>,
    bytes: Vec<u8>,
    ends: Vec<i32>,
}

impl MetricIds {
    /// The ids of `policy`'s metrics, worked out again if it is not the
    /// policy of the last call.
    fn of(&mut self, policy: &Policy) -> &MetricIds {
        let same = self
            .policy
            .as_ref()
            .is_some_and(|p| std::ptr::eq(p.metrics().as_ptr(), policy.metrics().as_ptr()));
        if !same {
            self.bytes.clear();
            self.ends.clear();
            for metric in policy.metrics() {
                self.bytes.extend_from_slice(metric.id().as_bytes());
                self.ends.push(self.bytes.len() as i32);
            }
            self.policy = Some(policy.clone());
        }
        self
    }
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
            metric: Texts::with_capacity(rows, rows * 16),
            status: Texts::with_capacity(rows, rows * 8),
            due_at: Numbers::with_capacity(rows),
            elapsed: Numbers::with_capacity(rows),
            remaining: Numbers::with_capacity(rows),
            breached_by: Numbers::with_capacity(rows),
            errors: Vec::new(),
            len: 0,
            ids: MetricIds::default(),
        }
    }

    /// One row per metric of `policy`, from a ticket's figures (in the
    /// policy's metric order, as [`sla_deadline::evaluate_figures`] gives
    /// them).
    pub fn figures(&mut self, policy: &Policy, figures: &[Figures]) {
        if figures.len() == policy.metrics().len() {
            let ids = self.ids.of(policy);
            self.metric.push_run(&ids.bytes, &ids.ends);
        } else {
            for metric in policy.metrics().iter().take(figures.len()) {
                self.metric.push(metric.id());
            }
        }
        for f in figures.iter().take(policy.metrics().len()) {
            self.status.push_block(status_block(f.status));
            self.due_at.push(f.due_at);
            self.elapsed.push(f.elapsed);
            self.remaining.push(f.remaining);
            self.breached_by.push(f.breached_by);
            self.len += 1;
        }
    }

    /// One row for a ticket that could not be reported: its `error`, nulls
    /// elsewhere.
    pub fn failed(&mut self, message: &str) {
        self.metric.push_nulls(1);
        self.status.push_nulls(1);
        self.due_at.push(None);
        self.elapsed.push(None);
        self.remaining.push(None);
        self.breached_by.push(None);
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
    ///
    /// # Errors
    /// A text column of more than 2 GiB (Utf8 offsets are 32 bits): too
    /// many rows for one batch.
    pub fn finish(self) -> Result<Vec<ArrayRef>, KernelError> {
        let error: ArrayRef = if self.errors.is_empty() {
            new_null_array(&DataType::Utf8, self.len)
        } else {
            let bytes = self.errors.iter().map(|(_, e)| e.len()).sum();
            let mut error = Texts::with_capacity(self.len, bytes);
            for (row, message) in &self.errors {
                error.push_nulls(row - error.len());
                error.push(message);
            }
            error.push_nulls(self.len - error.len());
            Arc::new(error.finish("error")?)
        };
        Ok(vec![
            Arc::new(self.metric.finish("metric")?),
            Arc::new(self.status.finish("status")?),
            Arc::new(self.due_at.finish::<TimestampSecondType>().with_timezone("UTC")),
            Arc::new(self.elapsed.finish::<Int64Type>()),
            Arc::new(self.remaining.finish::<Int64Type>()),
            Arc::new(self.breached_by.finish::<Int64Type>()),
            error,
        ])
    }
}

/// Validity bits being built, least significant bit first (as Arrow lays
/// them out). Plain vectors rather than Arrow's builders: a builder checks
/// its capacity for every value, which costs more than the value.
#[derive(Debug, Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl Bits {
    fn with_capacity(rows: usize) -> Bits {
        Bits {
            bytes: Vec::with_capacity(rows.div_ceil(8)),
            len: 0,
            nulls: 0,
        }
    }

    fn push(&mut self, valid: bool) {
        let bit = self.len % 8;
        if bit == 0 {
            self.bytes.push(u8::from(valid));
        } else if valid {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 1 << bit;
            }
        }
        self.nulls += usize::from(!valid);
        self.len += 1;
    }

    /// The null buffer, none when every value is valid.
    fn finish(self) -> Option<NullBuffer> {
        (self.nulls > 0)
            .then(|| NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(self.bytes), 0, self.len)))
    }
}

/// A nullable 64-bit column being built.
#[derive(Debug, Default)]
pub(crate) struct Numbers {
    values: Vec<i64>,
    valid: Bits,
}

impl Numbers {
    pub(crate) fn with_capacity(rows: usize) -> Numbers {
        Numbers {
            values: Vec::with_capacity(rows),
            valid: Bits::with_capacity(rows),
        }
    }

    pub(crate) fn push(&mut self, value: Option<i64>) {
        self.values.push(value.unwrap_or(0));
        self.valid.push(value.is_some());
    }

    pub(crate) fn finish<T: ArrowPrimitiveType<Native = i64>>(self) -> PrimitiveArray<T> {
        // One value and one bit per push: the lengths agree.
        PrimitiveArray::new(ScalarBuffer::from(self.values), self.valid.finish())
    }
}

/// A nullable Utf8 column being built.
/// A short value padded to a fixed-size block, and its length: a copy of
/// a fixed size costs a few instructions, a copy of any length a call.
type Block = ([u8; 16], usize);

/// `value` as a block (at most 16 bytes of it).
const fn block(value: &str) -> Block {
    let bytes = value.as_bytes();
    let mut block = [0u8; 16];
    let mut i = 0;
    while i < bytes.len() && i < 16 {
        block[i] = bytes[i];
        i += 1;
    }
    (block, i)
}

/// A status's name as a block.
fn status_block(status: Status) -> &'static Block {
    const PENDING: Block = block(Status::Pending.as_str());
    const RUNNING: Block = block(Status::Running.as_str());
    const PAUSED: Block = block(Status::Paused.as_str());
    const MET: Block = block(Status::Met.as_str());
    const BREACHED: Block = block(Status::Breached.as_str());
    const NO_TARGET: Block = block(Status::NoTarget.as_str());
    const NOT_APPLICABLE: Block = block(Status::NotApplicable.as_str());
    match status {
        Status::Pending => &PENDING,
        Status::Running => &RUNNING,
        Status::Paused => &PAUSED,
        Status::Met => &MET,
        Status::Breached => &BREACHED,
        Status::NoTarget => &NO_TARGET,
        Status::NotApplicable => &NOT_APPLICABLE,
    }
}

#[derive(Debug)]
pub(crate) struct Texts {
    bytes: Vec<u8>,
    /// Each value's end (after the leading 0); wrapped past 2 GiB, which
    /// `finish` refuses.
    offsets: Vec<i32>,
    valid: Bits,
}

impl Default for Texts {
    fn default() -> Texts {
        Texts::with_capacity(0, 0)
    }
}

impl Texts {
    pub(crate) fn with_capacity(rows: usize, bytes: usize) -> Texts {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Texts {
            bytes: Vec::with_capacity(bytes),
            offsets,
            valid: Bits::with_capacity(rows),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.valid.len
    }

    pub(crate) fn push(&mut self, value: &str) {
        self.bytes.extend_from_slice(value.as_bytes());
        self.offsets.push(self.bytes.len() as i32);
        self.valid.push(true);
    }

    /// As `push`, for a value given as a block (see `Block`).
    pub(crate) fn push_block(&mut self, (block, len): &Block) {
        let end = self.bytes.len() + len;
        self.bytes.extend_from_slice(block);
        self.bytes.truncate(end);
        self.offsets.push(end as i32);
        self.valid.push(true);
    }

    /// The values `bytes` holds end to end, each ending at its `ends`
    /// (counted from the start of `bytes`).
    pub(crate) fn push_run(&mut self, bytes: &[u8], ends: &[i32]) {
        let base = self.bytes.len() as i32;
        self.bytes.extend_from_slice(bytes);
        // Wrapping as `push`: `finish` refuses a column past 2 GiB.
        self.offsets
            .extend(ends.iter().map(|end| base.wrapping_add(*end)));
        for _ in ends {
            self.valid.push(true);
        }
    }

    pub(crate) fn push_nulls(&mut self, n: usize) {
        let end = self.bytes.len() as i32;
        for _ in 0..n {
            self.offsets.push(end);
            self.valid.push(false);
        }
    }

    /// The column `name`, or an error past 2 GiB of text.
    pub(crate) fn finish(self, name: &str) -> Result<StringArray, KernelError> {
        if i32::try_from(self.bytes.len()).is_err() {
            return Err(KernelError::Arrow(format!(
                "{} bytes of text in output column {name}: expected at most {} (Utf8), split the batch",
                self.bytes.len(),
                i32::MAX
            )));
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        StringArray::try_new(offsets, Buffer::from_vec(self.bytes), self.valid.finish())
            .map_err(|e| KernelError::Arrow(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use sla_deadline::{Event, EventKind, evaluate_figures};

    proptest::proptest! {
        /// The plain-vector columns equal what Arrow's builders build, nulls
        /// anywhere (byte boundaries included).
        #[test]
        fn columns_equal_arrows_builders(values in proptest::collection::vec(proptest::option::of(-5i64..5), 0..70)) {
            use arrow_array::builder::{Int64Builder, StringBuilder};
            let (mut numbers, mut texts) = (Numbers::default(), Texts::default());
            let (mut int_builder, mut text_builder) = (Int64Builder::new(), StringBuilder::new());
            for v in &values {
                numbers.push(*v);
                int_builder.append_option(*v);
                match v {
                    Some(v) => texts.push(&"x".repeat(v.unsigned_abs() as usize)),
                    None => texts.push_nulls(1),
                }
                text_builder.append_option(v.map(|v| "x".repeat(v.unsigned_abs() as usize)));
            }
            proptest::prop_assert_eq!(numbers.finish::<Int64Type>(), int_builder.finish());
            proptest::prop_assert_eq!(texts.finish("t").expect("text"), text_builder.finish());
        }
    }

    /// A ticket's figures under `policy`, created in `region`.
    fn figures_of(policy: &Policy, region: &str) -> Vec<Figures> {
        let created = Event::new(
            "2026-11-23T14:00:00Z".parse().expect("instant"),
            EventKind::created("P2", "email"),
        );
        let mut figures = Vec::new();
        evaluate_figures(policy, region, &[created], None, &mut figures).expect("figures");
        figures
    }

    // The metric ids written in one copy follow the policy of each call,
    // and a short list of figures writes as many rows as it has.
    #[test]
    fn metric_ids_are_those_of_each_calls_policy() {
        let ol = Policy::builtin("ol-care").expect("built-in");
        let odoo = Policy::builtin("e3k-odoo").expect("built-in");
        let (ol_figures, odoo_figures) = (figures_of(&ol, "americas"), figures_of(&odoo, "quebec"));
        let ids = |p: &Policy| p.metrics().iter().map(|m| m.id().to_string()).collect::<Vec<_>>();
        let mut rows = ReportColumns::default();
        let mut expected = Vec::new();
        for (policy, figures) in [
            (&ol, &ol_figures),
            (&odoo, &odoo_figures),
            (&odoo, &odoo_figures),
            (&ol, &ol_figures),
        ] {
            rows.figures(policy, figures);
            expected.extend(ids(policy));
        }
        rows.figures(&ol, &ol_figures[..1]);
        expected.extend(ids(&ol).into_iter().take(1));
        assert_ne!(ids(&ol), ids(&odoo));
        let columns = rows.finish().expect("columns");
        let metric = columns[0].as_string::<i32>();
        let got: Vec<String> = (0..metric.len()).map(|r| metric.value(r).to_string()).collect();
        assert_eq!(got, expected);
        assert_eq!(metric.null_count(), 0);
        assert!(columns.iter().all(|c| c.len() == expected.len()));
    }

    // A status written as a block is its name, whole (a name past the
    // block's 16 bytes would be cut).
    #[test]
    fn status_blocks_spell_each_status() {
        use Status as S;
        let all = [
            S::Pending,
            S::Running,
            S::Paused,
            S::Met,
            S::Breached,
            S::NoTarget,
            S::NotApplicable,
        ];
        let mut texts = Texts::default();
        for status in all {
            let (block, len) = status_block(status);
            assert_eq!(&block[..*len], status.as_str().as_bytes());
            texts.push_block(status_block(status));
        }
        let column = texts.finish("status").expect("text");
        let got: Vec<&str> = (0..column.len()).map(|i| column.value(i)).collect();
        assert_eq!(got, all.map(|s| s.as_str()));
    }

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
            let columns = rows.finish().expect("columns");
            let error = columns[6].as_string::<i32>();
            let got: Vec<Option<String>> = (0..error.len())
                .map(|r| (!error.is_null(r)).then(|| error.value(r).to_string()))
                .collect();
            assert_eq!(got, expected, "{layout}");
            assert!(columns.iter().all(|c| c.len() == expected.len()), "{layout}");
        }
    }
}
