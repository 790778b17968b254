import json
import pathlib

import pyarrow as pa
import pytest

CASES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "cases"
KEYS = ["severity", "channel", "status", "metric", "target"]


def ol_care_cases():
    """The worked OL Care tickets: (name, region, events, expected report)."""
    out = []
    for path in sorted(CASES.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        ticket = json.loads(path.read_text())
        if ticket["policy"] != "ol-care":
            continue
        expected = json.loads((CASES / (path.stem + ".expected.json")).read_text())
        out.append((path.stem, ticket["region"], ticket["events"], expected))
    return out


def events_table(cases):
    """One long-form events table of `cases`, rows in reverse order."""
    rows = []
    for name, region, events, _ in cases:
        for e in events:
            rows.append(
                {
                    "ticket_id": name,
                    "at": e["at"],
                    "type": e["type"],
                    "region": region,
                    **{k: e.get(k) for k in KEYS},
                }
            )
    rows.reverse()
    from datetime import datetime

    for r in rows:
        r["at"] = datetime.fromisoformat(r["at"].replace("Z", "+00:00"))
    schema = pa.schema(
        [("ticket_id", pa.string()), ("at", pa.timestamp("us", tz="UTC")), ("type", pa.string()), ("region", pa.string())]
        + [(k, pa.string()) for k in KEYS]
    )
    return pa.Table.from_pylist(rows, schema=schema)


@pytest.fixture(scope="session")
def cases():
    found = ol_care_cases()
    assert len(found) >= 10
    return found
