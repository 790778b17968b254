//! The `sla_deadline._native` Python module: the Arrow kernels of
//! `sla-deadline-arrow` over pyarrow arrays and record batches. The
//! Python package (`sla_deadline/__init__.py`) wraps it for tables.

use arrow_array::{Array, RecordBatch, make_array};
use arrow_data::ArrayData;
use arrow_pyarrow::PyArrowType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use sla_deadline::{Calendar, DayMode, Policy};

/// A built-in policy id or a policy file's path.
fn policy(id_or_path: &str) -> PyResult<Policy> {
    Policy::load(id_or_path).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn calendar(policy_id: &str, region: &str) -> PyResult<(Calendar, DayMode)> {
    let p = policy(policy_id)?;
    let r = p
        .region(region)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((r.calendar().clone(), p.options().day_mode()))
}

fn kernel_error(e: sla_deadline_arrow::KernelError) -> PyErr {
    PyTypeError::new_err(e.to_string())
}

type Out = PyResult<(PyArrowType<ArrayData>, usize)>;

/// Business seconds from `a` to `b` (timestamp arrays), with the count of
/// rows outside the calendar's horizon.
#[pyfunction]
fn business_time_between(
    policy: &str,
    region: &str,
    a: PyArrowType<ArrayData>,
    b: PyArrowType<ArrayData>,
) -> Out {
    let (cal, _) = calendar(policy, region)?;
    let (a, b) = (make_array(a.0), make_array(b.0));
    let got =
        sla_deadline_arrow::business_time_between(&cal, a.as_ref(), b.as_ref()).map_err(kernel_error)?;
    Ok((
        PyArrowType(got.values.to_data()),
        got.out_of_horizon + got.invalid,
    ))
}

/// `at` plus `seconds` of business time.
#[pyfunction]
fn add_business(
    policy: &str,
    region: &str,
    at: PyArrowType<ArrayData>,
    seconds: PyArrowType<ArrayData>,
) -> Out {
    let (cal, _) = calendar(policy, region)?;
    let (t, d) = (make_array(at.0), make_array(seconds.0));
    let got = sla_deadline_arrow::add_business(&cal, t.as_ref(), d.as_ref()).map_err(kernel_error)?;
    Ok((
        PyArrowType(got.values.to_data()),
        got.out_of_horizon + got.invalid,
    ))
}

/// `at` plus `days` business days, in the policy's `business_days` mode.
#[pyfunction]
fn add_business_days(
    policy: &str,
    region: &str,
    at: PyArrowType<ArrayData>,
    days: PyArrowType<ArrayData>,
) -> Out {
    let (cal, mode) = calendar(policy, region)?;
    let (t, n) = (make_array(at.0), make_array(days.0));
    let got =
        sla_deadline_arrow::add_business_days(&cal, t.as_ref(), n.as_ref(), mode).map_err(kernel_error)?;
    Ok((
        PyArrowType(got.values.to_data()),
        got.out_of_horizon + got.invalid,
    ))
}

/// The first open instant at or after each `at`.
#[pyfunction]
fn next_open(policy: &str, region: &str, at: PyArrowType<ArrayData>) -> Out {
    let (cal, _) = calendar(policy, region)?;
    let t = make_array(at.0);
    let got = sla_deadline_arrow::next_open(&cal, t.as_ref()).map_err(kernel_error)?;
    Ok((
        PyArrowType(got.values.to_data()),
        got.out_of_horizon + got.invalid,
    ))
}

/// Ticket reports of an events batch: one row per ticket and metric.
#[pyfunction]
#[pyo3(signature = (events, policy_id, region, as_of = None))]
fn evaluate_batch(
    events: PyArrowType<RecordBatch>,
    policy_id: &str,
    region: &str,
    as_of: Option<i64>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let p = policy(policy_id)?;
    let as_of = match as_of {
        None => None,
        Some(s) => Some(
            chrono::DateTime::from_timestamp(s, 0)
                .ok_or_else(|| PyValueError::new_err(format!("as_of {s} is not an instant")))?,
        ),
    };
    let out = sla_deadline_arrow::ticket_reports(&p, region, &events.0, as_of).map_err(kernel_error)?;
    Ok(PyArrowType(out))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(business_time_between, m)?)?;
    m.add_function(wrap_pyfunction!(add_business, m)?)?;
    m.add_function(wrap_pyfunction!(add_business_days, m)?)?;
    m.add_function(wrap_pyfunction!(next_open, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_batch, m)?)?;
    Ok(())
}
