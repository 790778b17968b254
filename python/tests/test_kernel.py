"""The Python package against the worked cases' expected reports."""

from datetime import datetime, timezone

import pyarrow as pa

import sla_deadline
from conftest import events_table


def utc(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_calendar_functions_answer_and_keep_nulls():
    fri = pa.array([utc("2026-11-20T16:00:00Z"), None, utc("1999-01-01T00:00:00Z")], pa.timestamp("s", tz="UTC"))
    mon = pa.array([utc("2026-11-23T16:00:00Z")] * 3, pa.timestamp("ms", tz="UTC"))
    got, counted = sla_deadline.business_time_between_counted("ol-care", "americas", fri, mon)
    # Toronto 09:00-20:00: 9 h Friday, 2 h Monday; null in, null out; 1999
    # is outside the horizon: null, and counted.
    assert got.to_pylist() == [11 * 3600, None, None]
    assert counted == 1
    due = sla_deadline.add_business("ol-care", "americas", fri, [3600 * 10, 5, 5])
    assert due.type == pa.timestamp("s", tz="UTC")
    assert due[0].as_py() == utc("2026-11-23T15:00:00Z")
    assert sla_deadline.next_open("ol-care", "americas", fri)[0].as_py() == utc("2026-11-20T16:00:00Z")
    days = sla_deadline.add_business_days("ol-care", "americas", fri, [2, 1, 1])
    assert days[0].as_py() == utc("2026-11-24T16:00:00Z")


def test_evaluate_gives_the_expected_reports_of_the_worked_cases(cases):
    table = events_table(cases)
    together = sla_deadline.evaluate(table, "ol-care", "americas").to_pylist()
    checked = 0
    for case in cases:
        name, _, _, expected = case
        if expected["as_of"] is None:
            reports = together
        else:  # this case is reported as of another instant: on its own
            reports = sla_deadline.evaluate(events_table([case]), "ol-care", "americas", utc(expected["as_of"])).to_pylist()
        for m in expected["expected"]["metrics"]:
            row = next(r for r in reports if r["ticket_id"] == name and r["metric"] == m["metric"])
            assert row["error"] is None
            assert row["status"] == m["status"], (name, m["metric"])
            want_due = None if m["due_at"] is None else utc(m["due_at"])
            assert row["due_at"] == want_due, (name, m["metric"])
            assert row["elapsed_s"] == m["elapsed_s"], (name, m["metric"])
            assert row["remaining_s"] == m["remaining_s"], (name, m["metric"])
            checked += 1
    assert checked == 4 * len(cases)


def test_one_bad_ticket_gives_an_error_row():
    table = pa.table(
        {
            "ticket_id": ["a", "b"],
            "at": pa.array([utc("2026-11-20T16:00:00Z")] * 2, pa.timestamp("s", tz="UTC")),
            "type": ["created", "created"],
            "severity": ["P1", "P9"],
            "channel": ["phone", "phone"],
        }
    )
    rows = sla_deadline.evaluate(table, "ol-care", "americas").to_pylist()
    assert [r["ticket_id"] for r in rows if r["error"]] == ["b"]
    assert "unknown severity" in next(r["error"] for r in rows if r["error"])
    assert len([r for r in rows if r["ticket_id"] == "a"]) == 4


def test_categorical_text_and_integer_ids_give_the_same_reports(cases):
    import pyarrow.compute as pc

    table = events_table(cases)
    plain = sla_deadline.evaluate(table, "ol-care", "americas").to_pylist()
    names = sorted(set(table.column("ticket_id").to_pylist()))
    number = {n: i for i, n in enumerate(names)}
    encoded = table
    for name in encoded.column_names:
        if name not in ("ticket_id", "at"):
            i = encoded.schema.get_field_index(name)
            encoded = encoded.set_column(i, name, pc.dictionary_encode(encoded.column(name)))
    ids = pa.array([number[n] for n in table.column("ticket_id").to_pylist()], pa.int32())
    encoded = encoded.set_column(0, "ticket_id", ids)
    assert pa.types.is_dictionary(encoded.schema.field("type").type)
    got = sla_deadline.evaluate(encoded, "ol-care", "americas")
    assert got.schema.field("ticket_id").type == pa.int64()
    got = got.to_pylist()
    for row in got:
        row["ticket_id"] = names[row["ticket_id"]]
    assert got == plain


def test_a_dictionary_pointing_outside_its_values_is_an_error():
    import pytest

    bad = pa.DictionaryArray.from_arrays(pa.array([0, 5], pa.int32()), pa.array(["created"]), safe=False)
    table = pa.table(
        {
            "ticket_id": ["a", "a"],
            "at": pa.array([utc("2026-11-20T16:00:00Z")] * 2, pa.timestamp("s", tz="UTC")),
            "type": bad,
        }
    )
    with pytest.raises(Exception, match="dictionary"):
        sla_deadline.evaluate(table, "ol-care", "americas")
