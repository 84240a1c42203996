"""The per-record results behind `imr status` and `imr check` (imr.gates.summaries).

They are cached by record bytes and computed in worker processes when many are stale; either
way the findings and rows must be exactly what checking each record afresh gives.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import date, timedelta

import pytest
from conftest import Imr

from imr.curriculum.model import load_curriculum
from imr.gates import summaries
from imr.records import parallel
from imr.reports.status import status_rows
from imr.workspace.folder import open_workspace

MANY = parallel.PARALLEL_FROM + 6


def fill(imr: Imr, count: int) -> None:
    """`count` records copied from p-01 (one session logged), three of them with problems."""
    imr.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Gick bra.")
    text = imr.record("p-01").read_text(encoding="utf-8")
    for n in range(2, count + 1):
        pid = f"p-{n:02d}"
        imr.record(pid).write_text(text.replace("id: p-01", f"id: {pid}"), encoding="utf-8")
    imr.record("p-03").write_text(text.replace("id: p-01", "id: p-03").replace("  by: KL", "\tby: KL", 1))
    imr.record("p-04").write_text(text.replace("id: p-01", "id: p-04").replace("Gick bra.", "Ring 070-123 45 67."))
    imr.record("p-05").write_text(text.replace("id: p-01", "id: p-05").replace("module: 1", "module: 12"))


def fresh_findings(ws, curriculum) -> list[str]:
    """What checking every record in this process, without any cache, finds."""
    out = []
    for path in sorted(ws.records_dir.glob("*.yaml")):
        _, _, payload = summaries._summarise(path, (curriculum, frozenset()))
        out.extend(summaries._from_payload(path.name, path.parent, payload).findings)
    return sorted(f.message("sv") for f in out)


def test_cold_warm_and_fresh_checks_agree_on_many_records(enrolled: Imr):
    fill(enrolled, MANY)
    ws = open_workspace(enrolled.root)
    curriculum = load_curriculum(ws.lang, ws.root, use_cache=False)
    if sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1:
        assert parallel.worker_count(MANY) > 1  # so the cold run below uses worker processes
    cold = enrolled("check")
    warm = enrolled("check")
    assert cold.exit_code == warm.exit_code == 1
    assert cold.output == warm.output
    lines = sorted(cold.output.strip().splitlines())
    assert lines == fresh_findings(ws, curriculum)
    assert any(line.startswith("records/p-03.yaml:") for line in lines)  # the tab
    assert any(line.startswith("records/p-04.yaml:") for line in lines)  # the phone number
    assert any(line.startswith("records/p-05.yaml:") and "12.1" in line for line in lines)  # no module 12
    assert not any(line.startswith("records/p-06.yaml") for line in lines)
    from imr.core.cache import read_json

    assert len(read_json(enrolled.root / ".imr-cache" / "summaries.json")["files"]) == MANY


def test_status_rows_from_the_cache_count_days_from_today(enrolled: Imr):
    fill(enrolled, 3)
    ws = open_workspace(enrolled.root)
    first = status_rows(ws, today=date(2026, 3, 11))
    cache = enrolled.root / ".imr-cache" / "summaries.json"
    from imr.core.cache import read_json

    def kept() -> dict:  # each record's digest and payload (a stamp may settle in between: see cache.stamp)
        return {name: entry[:2] for name, entry in read_json(cache)["files"].items()}

    before = kept()
    later = status_rows(ws, today=date(2026, 3, 31))
    assert kept() == before  # every row came from the cache
    one_first = next(r for r in first if r["id"] == "p-01")
    one_later = next(r for r in later if r["id"] == "p-01")
    assert (one_first["days_since_session"], one_first["overdue"]) == (10, False)
    assert (one_later["days_since_session"], one_later["overdue"]) == (30, True)
    assert list(one_first) == list(one_later)
    assert next(r for r in later if r["id"] == "p-03")["error"].startswith("records/p-03.yaml:")


def test_an_edited_record_is_checked_again(enrolled: Imr):
    enrolled.ok("check")
    with enrolled.record("p-01").open("a", encoding="utf-8") as handle:
        handle.write(
            "- kind: session\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  module: 1\n  session: 99\n"
            f"  date: '{(date.today() - timedelta(days=1)).isoformat()}'\n"
        )
    result = enrolled("check")
    assert result.exit_code == 1 and "1.99" in result.output


@pytest.mark.parametrize("damage", ["not json", '{"version": 1, "context": "x", "files": []}', "tampered"])
def test_a_broken_or_tampered_summaries_cache_is_rebuilt(enrolled: Imr, damage: str):
    fill(enrolled, 3)
    expected = enrolled("check").output
    cache = enrolled.root / ".imr-cache" / "summaries.json"
    if damage == "tampered":  # right keys, payloads of the wrong shape, the signature line kept
        mac, _, body = cache.read_bytes().partition(b"\n")
        data = json.loads(body)
        for name in data["files"]:
            data["files"][name][1] = [None, "oops", 3, 4]
        cache.write_bytes(mac + b"\n" + json.dumps(data).encode())
    else:
        cache.write_text(damage)
    assert enrolled("check").output == expected
    assert json.loads(enrolled.ok("status", "--json").output)[0]["id"] == "p-01"


def test_the_cache_key_follows_the_curriculum_shape_not_its_wording():
    curriculum = load_curriculum("sv", None, use_cache=False)
    key = summaries._context(curriculum, frozenset())
    reworded = dataclasses.replace(curriculum, title="Annan titel")
    assert summaries._context(reworded, frozenset()) == key
    module = curriculum.modules[0]
    shorter = dataclasses.replace(module, sessions=module.sessions[:-1])
    reshaped = dataclasses.replace(curriculum, modules=[shorter, *curriculum.modules[1:]])
    assert summaries._context(reshaped, frozenset()) != key


def test_records_read_on_every_core_are_the_records_read_one_by_one(enrolled: Imr):
    """`imr fidelity` reads whole records through records_cache; cold (in workers) and warm
    they must equal what the strict reader gives for each file."""
    from imr.records.parsed import read_all_records
    from imr.records.record import RecordProblem, read_record

    fill(enrolled, MANY)
    ws = open_workspace(enrolled.root)

    def shape(result):
        if isinstance(result, RecordProblem):
            return result.finding.message("sv")
        return (result.id, result.header, [(e.number, e.line, e.data) for e in result.entries])

    def alone(path):
        try:
            return shape(read_record(path, f"records/{path.name}"))
        except RecordProblem as problem:
            return shape(problem)

    expected = [(path.name, alone(path)) for path in sorted(ws.records_dir.glob("*.yaml"))]
    cold = [(path.name, shape(result)) for path, result in read_all_records(ws.records_dir, ws.root)]
    warm = [(path.name, shape(result)) for path, result in read_all_records(ws.records_dir, ws.root)]
    assert cold == warm == expected
    assert sum(isinstance(r, str) for _, r in expected) == 1  # p-03, the tab
    assert json.loads(enrolled.ok("fidelity", "--json").output)


@pytest.mark.parametrize("form", ["lf", "crlf", "bom"])
def test_a_comment_is_scanned_whatever_the_line_ends_and_byte_order_mark(enrolled: Imr, form: str):
    """A number in a comment is found in the record's own text (the text read, or, where reading
    it dropped a byte-order mark or carriage returns, the file's bytes as they are)."""
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Gick bra.")
    path = enrolled.record("p-01")
    text = path.read_text(encoding="utf-8").replace("  by: KL\n", "  by: KL  # ring 070-123 45 67\n", 1)
    raw = text.encode("utf-8")
    if form != "lf":
        raw = raw.replace(b"\n", b"\r\n")
    if form == "bom":
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    ws = open_workspace(enrolled.root)
    curriculum = load_curriculum(ws.lang, ws.root, use_cache=False)
    _, _, payload = summaries._summarise(path, (curriculum, frozenset()))
    found = summaries._from_payload(path.name, path.parent, payload).findings
    line = text[: text.index("# ring")].count("\n") + 1
    assert [(f.line, f.code) for f in found if f.code.startswith("pii_found")] == [(line, "pii_found_phone")]


def test_the_writer_s_form_is_looked_for_only_when_many_records_are_read(enrolled: Imr):
    """Its expression takes milliseconds to compile, more than reading a record or two the usual
    quick way: a warm status after one record changed never compiles it, a cold one of many does."""
    from imr.core.yamlio import writer_form

    fill(enrolled, MANY)
    ws = open_workspace(enrolled.root)
    writer_form.cache_clear()
    summaries.summaries(ws, ws.curriculum)  # every record read: many
    assert writer_form.cache_info().currsize == 1
    enrolled.ok("session", "log", "p-02", "--date", "2026-03-08", "--note", "Bra.")
    writer_form.cache_clear()
    summaries.summaries(ws, ws.curriculum)  # one record read again
    assert writer_form.cache_info().currsize == 0
