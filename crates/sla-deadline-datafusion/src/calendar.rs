//! The calendar functions: scalar UDFs over the Arrow kernels.

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};
use sla_deadline::{Calendar, DayMode};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    BusinessSeconds,
    AddBusiness,
    AddBusinessDays,
    NextOpen,
}

/// One calendar function of one policy region.
#[derive(Debug)]
pub(crate) struct CalendarUdf {
    kind: Kind,
    /// `policy/region`: two functions are equal when they are the same
    /// function of the same region.
    key: String,
    calendar: Arc<Calendar>,
    mode: DayMode,
    signature: Signature,
}

impl PartialEq for CalendarUdf {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.key == other.key && self.mode == other.mode
    }
}

impl Eq for CalendarUdf {}

impl Hash for CalendarUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.key.hash(state);
    }
}

/// The four functions of a region.
pub(crate) fn all(key: &str, calendar: &Arc<Calendar>, mode: DayMode) -> Vec<CalendarUdf> {
    [
        (Kind::BusinessSeconds, 2),
        (Kind::AddBusiness, 2),
        (Kind::AddBusinessDays, 2),
        (Kind::NextOpen, 1),
    ]
    .into_iter()
    .map(|(kind, n)| CalendarUdf {
        kind,
        key: key.to_string(),
        calendar: Arc::clone(calendar),
        mode,
        signature: Signature::any(n, Volatility::Immutable),
    })
    .collect()
}

fn is_timestamp(t: &DataType) -> bool {
    matches!(t, DataType::Timestamp(_, _))
}

impl ScalarUDFImpl for CalendarUdf {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn name(&self) -> &str {
        match self.kind {
            Kind::BusinessSeconds => "sla_business_seconds",
            Kind::AddBusiness => "sla_add_business",
            Kind::AddBusinessDays => "sla_add_business_days",
            Kind::NextOpen => "sla_next_open",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let bad = |expected: &str| {
            Err(DataFusionError::Plan(format!(
                "{}: expected {expected}, found ({})",
                self.name(),
                args.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
            )))
        };
        match (self.kind, args) {
            (Kind::BusinessSeconds, [a, b]) if is_timestamp(a) && is_timestamp(b) => Ok(DataType::Int64),
            (Kind::BusinessSeconds, _) => bad("(timestamp, timestamp)"),
            (Kind::AddBusiness | Kind::AddBusinessDays, [t, DataType::Int64]) if is_timestamp(t) => {
                Ok(t.clone())
            }
            (Kind::AddBusiness | Kind::AddBusinessDays, _) => bad("(timestamp, bigint)"),
            (Kind::NextOpen, [t]) if is_timestamp(t) => Ok(t.clone()),
            (Kind::NextOpen, _) => bad("(timestamp)"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let fail =
            |e: sla_deadline_arrow::KernelError| DataFusionError::Execution(format!("{}: {e}", self.name()));
        let cal = &self.calendar;
        let out = match (self.kind, arrays.as_slice()) {
            (Kind::BusinessSeconds, [a, b]) => Arc::new(
                sla_deadline_arrow::business_time_between(cal, a, b)
                    .map_err(fail)?
                    .values,
            ) as _,
            (Kind::AddBusiness, [t, d]) => sla_deadline_arrow::add_business(cal, t, d).map_err(fail)?.values,
            (Kind::AddBusinessDays, [t, n]) => {
                sla_deadline_arrow::add_business_days(cal, t, n, self.mode)
                    .map_err(fail)?
                    .values
            }
            (Kind::NextOpen, [t]) => sla_deadline_arrow::next_open(cal, t).map_err(fail)?.values,
            _ => {
                return Err(DataFusionError::Execution(format!(
                    "{}: wrong number of arguments ({})",
                    self.name(),
                    arrays.len()
                )));
            }
        };
        Ok(ColumnarValue::Array(out))
    }
}
