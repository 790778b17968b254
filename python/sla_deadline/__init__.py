"""Support-desk SLA deadlines in business time, over pyarrow.

The Rust crate sla-deadline's calendar and engine, for columns and tables:

    import pyarrow as pa, sla_deadline
    reports = sla_deadline.evaluate(events, "ol-care", "americas")
    reports.to_pandas()  # one row per ticket and metric

`events` is a long-form table (ticket_id, at, type, severity, channel, and
optionally status, metric, target, customer_zone, region, attributes as JSON).
Text columns may be string, large_string, string_view or dictionary-encoded
(pandas categoricals); ticket ids text or any integer type (reported as
int64).
A ticket whose events are invalid gives one row with `error`. The calendar
functions take pyarrow timestamp arrays (any unit and zone) and return an
array of the same length: nulls in give nulls out, and instants outside the
policy's horizon give nulls (`out_of_horizon` counts them on the result of
the `*_counted` forms).
"""

from datetime import datetime
from typing import Optional, Tuple

import pyarrow as pa

from . import _native

__all__ = [
    "evaluate",
    "for_spark",
    "SPARK_REPORT_SCHEMA",
    "business_time_between",
    "add_business",
    "add_business_days",
    "next_open",
]


def _array(x) -> pa.Array:
    if isinstance(x, pa.ChunkedArray):
        return x.combine_chunks()
    if isinstance(x, pa.Array):
        return x
    return pa.array(x)


def _one_batch(events) -> pa.RecordBatch:
    if isinstance(events, pa.RecordBatch):
        return events
    table = events.combine_chunks()
    batches = table.to_batches()
    if not batches:
        return pa.RecordBatch.from_pylist([], schema=table.schema)
    return batches[0]


def evaluate(events, policy: str, region: str, as_of: Optional[datetime] = None) -> pa.Table:
    """Reports every ticket of `events` (a pyarrow Table or RecordBatch)
    under `policy` (a built-in id such as "ol-care" or a policy file's path)
    in `region` (or each ticket's `region` column), as of `as_of` (default:
    each ticket's latest event)."""
    seconds = None if as_of is None else int(as_of.timestamp())
    batch = _native.evaluate_batch(_one_batch(events), policy, region, seconds)
    return pa.Table.from_batches([batch])


def business_time_between(policy: str, region: str, a, b) -> pa.Array:
    """Business seconds from each `a` to each `b` (Int64)."""
    return business_time_between_counted(policy, region, a, b)[0]


def business_time_between_counted(policy: str, region: str, a, b) -> Tuple[pa.Array, int]:
    """As `business_time_between`, with the number of rows the calendar
    could not answer (outside its horizon)."""
    return _native.business_time_between(policy, region, _array(a), _array(b))


def add_business(policy: str, region: str, at, seconds) -> pa.Array:
    """Each `at` plus `seconds` (Int64) of business time."""
    return _native.add_business(policy, region, _array(at), _array(seconds).cast(pa.int64()))[0]


def add_business_days(policy: str, region: str, at, days) -> pa.Array:
    """Each `at` plus `days` (Int64) business days, in the policy's mode."""
    return _native.add_business_days(policy, region, _array(at), _array(days).cast(pa.int64()))[0]


def next_open(policy: str, region: str, at) -> pa.Array:
    """The first open instant at or after each `at`."""
    return _native.next_open(policy, region, _array(at))[0]


#: The schema of `for_spark`'s output, in Spark's DDL.
SPARK_REPORT_SCHEMA = (
    "ticket_id string, metric string, status string, due_at timestamp, "
    "elapsed_s long, remaining_s long, breached_by_s long, error string"
)


def for_spark(policy: str, region: str, as_of: Optional[datetime] = None):
    """A function for pyspark's `DataFrame.mapInArrow`: each partition's
    events (whole tickets: repartition by ticket_id first) in, their reports
    out, with the schema `SPARK_REPORT_SCHEMA` (ticket ids as text, whatever
    their type in `events`):

        events.repartition("ticket_id").mapInArrow(
            sla_deadline.for_spark("ol-care", "americas"), sla_deadline.SPARK_REPORT_SCHEMA)

    The package must be installed where the executors run."""

    def reports(batches):
        import pyarrow as pa
        import sla_deadline

        batches = list(batches)
        if not batches:
            return
        out = sla_deadline.evaluate(pa.Table.from_batches(batches), policy, region, as_of)
        # The schema's types: Spark reads timestamps in microseconds, and
        # integer ticket ids come back as their digits.
        for name, to in (("due_at", pa.timestamp("us", tz="UTC")), ("ticket_id", pa.string())):
            column = out.column(name).cast(to)
            out = out.set_column(out.schema.get_field_index(name), name, column)
        yield from out.to_batches()

    return reports
