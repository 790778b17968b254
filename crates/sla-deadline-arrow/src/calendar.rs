//! Business-time functions over columns of one region's calendar.
//!
//! Each function reads Arrow arrays and returns an array of the same
//! length: a null in gives a null out; a value the calendar cannot answer
//! (outside its horizon, a negative duration) gives a null too, counted in
//! [`Column::out_of_horizon`] or [`Column::invalid`], so that no wrong value
//! is ever silent. Timestamps may have any unit and time zone; results keep
//! the input's unit and zone. The crate counts whole seconds: sub-second
//! parts of inputs are dropped (rounded down), as the core crate does.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, Int64Array, PrimitiveArray};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit};
use sla_deadline::{Calendar, DayMode, Error};

use crate::KernelError;

/// A computed column and how many of its nulls stand for values the
/// calendar could not give.
#[derive(Debug, Clone)]
pub struct Column<A> {
    /// The values, one per input row.
    pub values: A,
    /// Rows whose instants (or result) lie outside the calendar's horizon.
    pub out_of_horizon: usize,
    /// Rows whose other argument was invalid (a negative duration or count).
    pub invalid: usize,
}

/// A timestamp column read as Unix seconds, with its unit and zone.
struct Instants<'a> {
    array: &'a dyn Array,
    unit: TimeUnit,
    zone: Option<Arc<str>>,
}

impl<'a> Instants<'a> {
    fn of(array: &'a dyn Array, argument: &'static str) -> Result<Instants<'a>, KernelError> {
        match array.data_type() {
            DataType::Timestamp(unit, zone) => Ok(Instants {
                array,
                unit: *unit,
                zone: zone.clone(),
            }),
            other => Err(KernelError::Type {
                argument,
                expected: "a timestamp array (any unit, any zone)",
                found: other.to_string(),
            }),
        }
    }

    fn per_second(&self) -> i64 {
        match self.unit {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        }
    }

    /// The raw values in the array's unit (nulls hold arbitrary values).
    fn raw(&self) -> &[i64] {
        match self.unit {
            TimeUnit::Second => self.array.as_primitive::<TimestampSecondType>().values(),
            TimeUnit::Millisecond => self.array.as_primitive::<TimestampMillisecondType>().values(),
            TimeUnit::Microsecond => self.array.as_primitive::<TimestampMicrosecondType>().values(),
            TimeUnit::Nanosecond => self.array.as_primitive::<TimestampNanosecondType>().values(),
        }
    }

    /// An output array in the input's unit and zone.
    fn output(&self, values: Vec<Option<i64>>) -> ArrayRef {
        let scale = self.per_second();
        let scaled = values.into_iter().map(|v| v.and_then(|s| s.checked_mul(scale)));
        let zone = self.zone.clone();
        match self.unit {
            TimeUnit::Second => {
                Arc::new(PrimitiveArray::<TimestampSecondType>::from_iter(scaled).with_timezone_opt(zone))
            }
            TimeUnit::Millisecond => Arc::new(
                PrimitiveArray::<TimestampMillisecondType>::from_iter(scaled).with_timezone_opt(zone),
            ),
            TimeUnit::Microsecond => Arc::new(
                PrimitiveArray::<TimestampMicrosecondType>::from_iter(scaled).with_timezone_opt(zone),
            ),
            TimeUnit::Nanosecond => {
                Arc::new(PrimitiveArray::<TimestampNanosecondType>::from_iter(scaled).with_timezone_opt(zone))
            }
        }
    }
}

fn same_length(a: &dyn Array, b: &dyn Array) -> Result<(), KernelError> {
    if a.len() == b.len() {
        Ok(())
    } else {
        Err(KernelError::Length {
            left: a.len(),
            right: b.len(),
        })
    }
}

fn int64<'a>(array: &'a dyn Array, argument: &'static str) -> Result<&'a Int64Array, KernelError> {
    match array.data_type() {
        DataType::Int64 => Ok(array.as_primitive::<Int64Type>()),
        other => Err(KernelError::Type {
            argument,
            expected: "an Int64 array",
            found: other.to_string(),
        }),
    }
}

/// Counts a calendar error as out of horizon or invalid.
fn tally(error: &Error, out_of_horizon: &mut usize, invalid: &mut usize) {
    match error {
        Error::OutOfHorizon { .. } => *out_of_horizon += 1,
        _ => *invalid += 1,
    }
}

/// `b - a` in business seconds of `calendar` (negative when `b < a`), as
/// an Int64 column.
///
/// # Errors
/// Arguments that are not timestamp arrays, or of different lengths.
///
/// # Example
/// ```
/// use arrow_array::{Array, TimestampSecondArray};
/// use sla_deadline::Policy;
///
/// let policy = Policy::builtin("ol-care")?;
/// let calendar = policy.region("americas")?.calendar(); // Toronto, 09:00-20:00 weekdays
/// let created = TimestampSecondArray::from(vec![Some(1_795_190_400), None]); // Fri 11:00 Toronto
/// let resolved = TimestampSecondArray::from(vec![Some(1_795_190_400 + 3 * 86_400), Some(0)]);
/// let got = sla_deadline_arrow::business_time_between(calendar, &created, &resolved)?;
/// assert_eq!(got.values.value(0), 11 * 3600); // 9 h Friday, 2 h Monday
/// assert!(got.values.is_null(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn business_time_between(
    calendar: &Calendar,
    a: &dyn Array,
    b: &dyn Array,
) -> Result<Column<Int64Array>, KernelError> {
    same_length(a, b)?;
    let (a, b) = (Instants::of(a, "a")?, Instants::of(b, "b")?);
    let (ra, rb) = (a.raw(), b.raw());
    let (mut out_of_horizon, mut invalid) = (0, 0);
    // The common case, whole-second columns without nulls, runs without a
    // division or a validity test per row; a null appears only on an error.
    let plain =
        a.per_second() == 1 && b.per_second() == 1 && a.array.null_count() == 0 && b.array.null_count() == 0;
    let mut valid: Vec<bool> = Vec::new();
    let mut values: Vec<i64> = Vec::with_capacity(ra.len());
    for i in 0..ra.len() {
        let result = if plain {
            calendar.business_seconds_between(ra[i], rb[i])
        } else if a.array.is_null(i) || b.array.is_null(i) {
            note_null(&mut valid, i);
            values.push(0);
            continue;
        } else {
            calendar
                .business_seconds_between(ra[i].div_euclid(a.per_second()), rb[i].div_euclid(b.per_second()))
        };
        match result {
            Ok(d) => values.push(d),
            Err(e) => {
                tally(&e, &mut out_of_horizon, &mut invalid);
                note_null(&mut valid, i);
                values.push(0);
            }
        }
    }
    let nulls = (!valid.is_empty()).then(|| {
        valid.resize(values.len(), true);
        NullBuffer::from(valid)
    });
    Ok(Column {
        values: Int64Array::new(ScalarBuffer::from(values), nulls),
        out_of_horizon,
        invalid,
    })
}

/// Marks row `i` null in `valid`, creating the mask (all valid so far) on
/// the first null.
fn note_null(valid: &mut Vec<bool>, i: usize) {
    // Rows since the last null were valid.
    valid.resize(i, true);
    valid.push(false);
}

/// Applies `f` to each row's instant (Unix seconds) and, with `other`, that
/// row's Int64: nulls in either give null; `f`'s errors give null and are
/// counted; `Err(())` from `f` marks an invalid argument.
fn per_row(
    t: &Instants<'_>,
    other: Option<&Int64Array>,
    mut f: impl FnMut(i64, i64) -> Result<Result<i64, Error>, ()>,
) -> Column<ArrayRef> {
    let scale = t.per_second();
    let raw = t.raw();
    let (mut out_of_horizon, mut invalid) = (0, 0);
    let values: Vec<Option<i64>> = (0..raw.len())
        .map(|i| {
            if t.array.is_null(i) || other.is_some_and(|o| o.is_null(i)) {
                return None;
            }
            match f(raw[i].div_euclid(scale), other.map_or(0, |o| o.value(i))) {
                Ok(Ok(u)) => Some(u),
                Ok(Err(e)) => {
                    tally(&e, &mut out_of_horizon, &mut invalid);
                    None
                }
                Err(()) => {
                    invalid += 1;
                    None
                }
            }
        })
        .collect();
    Column {
        values: t.output(values),
        out_of_horizon,
        invalid,
    }
}

/// `at` plus `seconds` of business time (the earliest instant with that
/// much business time after `at`), in `at`'s unit and zone.
///
/// # Errors
/// `at` not a timestamp array, `seconds` not Int64, different lengths.
pub fn add_business(
    calendar: &Calendar,
    at: &dyn Array,
    seconds: &dyn Array,
) -> Result<Column<ArrayRef>, KernelError> {
    same_length(at, seconds)?;
    let t = Instants::of(at, "at")?;
    let d = int64(seconds, "seconds")?;
    Ok(per_row(&t, Some(d), |s, d| {
        Ok(calendar.add_business_seconds(s, d))
    }))
}

/// `at` plus `days` business days, in `mode`, in `at`'s unit and zone. A
/// negative count, or one past `u32::MAX`, is invalid.
///
/// # Errors
/// `at` not a timestamp array, `days` not Int64, different lengths.
pub fn add_business_days(
    calendar: &Calendar,
    at: &dyn Array,
    days: &dyn Array,
    mode: DayMode,
) -> Result<Column<ArrayRef>, KernelError> {
    same_length(at, days)?;
    let t = Instants::of(at, "at")?;
    let n = int64(days, "days")?;
    Ok(per_row(&t, Some(n), |s, n| {
        let n = u32::try_from(n).map_err(|_| ())?;
        Ok(calendar.add_business_days_seconds(s, n, mode))
    }))
}

/// The first open instant at or after each `at`, in `at`'s unit and zone.
///
/// # Errors
/// `at` not a timestamp array.
pub fn next_open(calendar: &Calendar, at: &dyn Array) -> Result<Column<ArrayRef>, KernelError> {
    let t = Instants::of(at, "at")?;
    Ok(per_row(&t, None, |s, _| Ok(calendar.next_open_seconds(s))))
}
