#!/usr/bin/env bash
# Builds the Python package (python/) with maturin into a virtual
# environment under target/, and runs its tests with pytest, the Spark
# smoke test included (pyspark in local mode; it needs a Java runtime,
# installed from Debian's packages if missing).
#
#   python/test.sh            from the repository root
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "== installing a Java runtime for Spark (Debian: default-jre-headless)"
  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null
fi

venv=target/py
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-test.txt

rm -rf target/wheels
"$venv/bin/maturin" build --quiet --locked --manifest-path python/Cargo.toml --out target/wheels
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/sla_deadline-*.whl

# From the repository root, so that Spark's Python workers import the
# installed package, not the source folder.
SLA_REQUIRE_SPARK=1 PYSPARK_PYTHON="$PWD/$venv/bin/python" "$venv/bin/pytest" -q python/tests
