#!/usr/bin/env python3
"""End-to-end benchmark of the batch paths on the same synthetic tickets.

    python/test.sh                       # once: builds target/py with the package
    target/py/bin/pip install --force-reinstall --no-deps \
        $(target/py/bin/maturin build --release -m python/Cargo.toml -o target/wheels-release 2>&1 | grep -o 'target/wheels-release/.*whl')
    target/py/bin/python scripts/at-scale.py --tickets 1000000

Writes TICKETS seeded synthetic OL Care tickets to Parquet (the DataFusion
example's generator), then reports every ticket three ways and times each:
the Arrow kernel through the Python package (one thread), DataFusion SQL
(`sla_report`, all cores) and Spark in local mode (`mapInArrow`, all
cores). Prints tickets per second and how many report rows of DataFusion
and Spark agree with the kernel's, which is the core crate's `evaluate` per
ticket (cargo tests check that row for row, on these generated tickets too:
crates/sla-deadline-datafusion/tests/generated.rs).
"""

import argparse
import os
import pathlib
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

import sla_deadline

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLUMNS = ["status", "due_at", "elapsed_s", "remaining_s", "breached_by_s", "error"]


def cargo_example(*args):
    cmd = ["cargo", "run", "--release", "-q", "-p", "sla-deadline-datafusion", "--example", "at_scale", "--", *args]
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def normalized(table: pa.Table) -> pa.Table:
    """Sorted by ticket and metric, due_at in seconds without zone."""
    due = table.column("due_at").cast(pa.timestamp("s", tz="UTC")).cast(pa.int64())
    table = table.set_column(table.schema.get_field_index("due_at"), "due_at", due)
    table = table.select(["ticket_id", "metric", *COLUMNS])
    for name in ["ticket_id", "metric", "status", "error"]:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).cast(pa.string()))
    return table.sort_by([("ticket_id", "ascending"), ("metric", "ascending")])


def agreement(reference: pa.Table, other: pa.Table) -> str:
    if reference.num_rows != other.num_rows:
        return f"row counts differ: {other.num_rows} vs {reference.num_rows}"
    same = 0
    a, b = reference.to_pydict(), other.to_pydict()
    for i in range(reference.num_rows):
        if all(a[c][i] == b[c][i] for c in ["ticket_id", "metric", *COLUMNS]):
            same += 1
    return f"{same}/{reference.num_rows} rows equal"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--dir", default=str(ROOT / "target" / "at-scale"))
    p.add_argument("--no-spark", action="store_true")
    args = p.parse_args()
    out = pathlib.Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    events = out / f"events-{args.tickets}.parquet"
    n = args.tickets

    t = time.perf_counter()
    cargo_example("generate", str(n), str(events))
    print(f"generated {n} tickets into {events} in {time.perf_counter() - t:.1f} s")

    table = pq.read_table(events)
    t = time.perf_counter()
    kernel = sla_deadline.evaluate(table, "ol-care", "americas")
    k = time.perf_counter() - t
    print(f"kernel (Python package, 1 thread): {k:.2f} s, {n / k:,.0f} tickets/s")
    reference = normalized(kernel)

    df_out = out / f"reports-datafusion-{n}.parquet"
    seconds = float(cargo_example("report", str(events), str(df_out)).strip())
    print(f"DataFusion SQL (all cores): {seconds:.2f} s, {n / seconds:,.0f} tickets/s; "
          f"{agreement(reference, normalized(pq.read_table(df_out)))} with the kernel")

    if not args.no_spark:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[*]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        try:
            sp_out = out / f"reports-spark-{n}"
            t = time.perf_counter()
            (
                spark.read.parquet(str(events))
                .repartition("ticket_id")
                .mapInArrow(sla_deadline.for_spark("ol-care", "americas"), sla_deadline.SPARK_REPORT_SCHEMA)
                .write.mode("overwrite")
                .parquet(str(sp_out))
            )
            s = time.perf_counter() - t
            print(f"Spark local mode (all cores): {s:.2f} s, {n / s:,.0f} tickets/s; "
                  f"{agreement(reference, normalized(pq.read_table(sp_out)))} with the kernel")
        finally:
            spark.stop()


if __name__ == "__main__":
    main()
