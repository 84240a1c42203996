"""The fast paths for a region's workspace give what the slow ones give (issue 18)."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest
from conftest import Imr
from record_builders import add, at, enrol, sessions, three_participants

from imr.core.yamlio import writer_form
from imr.gates.summaries import fidelity_facts
from imr.reports.fidelity import as_rows, assess
from imr.workspace import store
from imr.workspace.folder import open_workspace

TODAY = date(2026, 6, 30)


@pytest.fixture
def region(imr: Imr) -> Imr:
    """Individuals and a group, goals with and without follow-up, contacts, relapse plans,
    entries dated after the day assessed, a record that cannot be read and files that are
    not participants' records."""
    ws = open_workspace(imr.root)
    three_participants(ws, others=lambda n: n == 3)
    # Dated after TODAY: a session, a contact and a follow-up a week later.
    enrol(ws, "p-04", date(2025, 6, 1))
    sessions(ws, "p-04", date(2025, 6, 9), 40, handouts=lambda n: n % 3 == 0, others=lambda n: n == 38)
    add(ws, "p-04", "goal", date(2025, 7, 1), goal="G1", text="Träffa min syster")
    add(ws, "p-04", "goal-update", date(2026, 7, 6), goal="G1", status="done")
    add(ws, "p-04", "contact", date(2026, 7, 7), date="2026-07-07", who="syster")
    for n in range(1, 6):
        pid = f"g-{n:02}"
        enrol(ws, pid, date(2026, 1, 1), format="group")
        sessions(ws, pid, date(2026, 1, 5), 8 - n, group="tisdag", handouts=lambda k: k > 1)
    members = "".join(
        f"- kind: member-added\n  at: '2026-01-01T09:0{n}:00+01:00'\n  by: KL\n  id: g-{n:02}\n" for n in range(1, 7)
    )
    (imr.root / "groups" / "tisdag.yaml").write_text(
        "id: tisdag\nlog:\n- kind: group-created\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n" + members,
        encoding="utf-8",
    )
    (imr.root / "records" / "p-09.yaml").write_text("id: p-09\nlog: [oops\n", encoding="utf-8")
    (imr.root / "records" / "Anteckningar.yaml").write_text("id: x\nlog: []\n", encoding="utf-8")
    if hasattr(os, "symlink"):
        try:
            os.symlink(imr.root / "records" / "p-02.yaml", imr.root / "records" / "p-10.yaml")
        except OSError:  # no symlinks for this user (Windows without developer mode)
            pass
    return imr


@pytest.mark.parametrize(
    "since, today",
    [
        (None, TODAY),  # everything cached holds
        (None, date(2026, 7, 6)),  # p-04's last contact is the day after
        (None, date(2026, 3, 1)),  # many sessions are after the day assessed
        (None, date(2027, 1, 1)),  # long after: nobody attended in the last month
        (date(2026, 6, 1), TODAY),  # a period: counted from the records themselves
        (date(2025, 1, 1), date(2026, 1, 10)),
    ],
)
def test_fidelity_from_cached_facts_equals_fidelity_from_the_records(region: Imr, since, today):
    ws = open_workspace(region.root)
    slow = as_rows(assess(ws, since, today, fast=False), "sv")
    first = as_rows(assess(ws, since, today), "sv")  # writes the summaries cache
    warm = as_rows(assess(ws, since, today), "sv")  # reads it
    assert json.dumps(first) == json.dumps(slow)  # the same order too, as `--json` prints it
    assert json.dumps(warm) == json.dumps(slow)
    assert slow[0]["evidence"]["unreadable_records"] == 1


def test_a_warm_fidelity_run_takes_every_participant_from_the_cache(region: Imr):
    ws = open_workspace(region.root)
    region.ok("fidelity")
    cache = region.root / ".imr-cache" / "fidelity.json"
    written = cache.stat().st_mtime_ns, cache.read_bytes()
    facts = {path.name: (problem, value) for path, problem, value in fidelity_facts(ws, ws.curriculum)}
    assert (cache.stat().st_mtime_ns, cache.read_bytes()) == written, "a warm run only reads the cache"
    assert facts["p-09.yaml"][0] and facts["p-09.yaml"][1] is None
    participants = [name for name in facts if name.startswith(("p-0", "g-")) and name != "p-09.yaml"]
    assert len(participants) == 9
    assert all(isinstance(facts[name][1], dict) for name in participants)
    assert facts["p-04.yaml"][1]["latest"] == "2026-07-07"


def _reindented(text: str) -> str:
    """The same record with its log items indented under `log:` (valid YAML, not the house style)."""
    head, log = text.split("log:\n", 1)
    return head + "log:\n" + "".join(f"  {line}\n" if line else "\n" for line in log.split("\n")[:-1])


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text + "extra: 1\n",  # the log is no longer the last key
        _reindented,  # items not at the left margin
        lambda text: text + "...\n",  # a document end marker
    ],
)
def test_an_append_that_would_not_continue_the_log_is_refused_and_nothing_written(enrolled: Imr, edit):
    from imr.core.errors import ImrError
    from imr.records.record import read_record

    path = enrolled.record("p-01")
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    read_record(path)  # the edited file is still a readable record
    before = path.read_bytes()
    with pytest.raises(ImrError):
        store.append(
            open_workspace(enrolled.root),
            "p-01",
            [{"kind": "contact", "at": at(TODAY), "by": "KL", "date": TODAY.isoformat(), "who": "mor"}],
        )
    assert path.read_bytes() == before


def test_an_append_after_comments_and_crlf_line_ends_keeps_every_entry(enrolled: Imr):
    from imr.records.record import read_record

    path = enrolled.record("p-01")
    text = path.read_text(encoding="utf-8") + "# Läst av KL\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    old = read_record(path).entries
    entry = {"kind": "contact", "at": at(TODAY), "by": "KL", "date": TODAY.isoformat(), "who": "mor"}
    store.append(open_workspace(enrolled.root), "p-01", [entry])
    new = read_record(path).entries
    assert [e.data for e in new[:-1]] == [e.data for e in old]
    assert {k: v for k, v in new[-1].data.items() if k != "id"} == entry
    assert path.read_bytes().startswith(text.replace("\n", "\r\n").encode("utf-8"))


def test_diff_of_many_files_on_the_workers_equals_comparing_each_file_here(imr: Imr):
    """Enough changed files to be shared out over worker processes (on Linux): the report is
    the one that comparing each file in this process gives, rewrites and problems included."""
    import subprocess

    from imr.records.parallel import PARALLEL_FROM
    from imr.reports.diff import compare, diff_workspace

    ws = open_workspace(imr.root)
    count = PARALLEL_FROM + 6
    pids = [f"p-{n:03}" for n in range(count)]
    for n, pid in enumerate(pids):
        enrol(ws, pid, date(2026, 1, 1) + timedelta(days=n % 20), format="group" if n % 3 else "individual")
    imr.commit_all("start")
    for n, pid in enumerate(pids[:-3]):
        sessions(
            ws,
            pid,
            date(2026, 2, 2),
            1 + n % 3,
            skip=n % 5,
            handouts=lambda k: k % 2 == 0,
            group="tisdag" if n % 3 else None,
        )
        if n % 4 == 0:
            add(ws, pid, "contact", date(2026, 2, 20), date="2026-02-20", who="mamma")
    rewritten = imr.record(pids[-3])
    rewritten.write_text(
        rewritten.read_text(encoding="utf-8").replace("variant: general", "variant: bipolar"), encoding="utf-8"
    )
    broken = imr.record(pids[-2])
    broken.write_text(broken.read_text(encoding="utf-8") + "- kind: [oops\n", encoding="utf-8")
    imr.record(pids[-1]).unlink()
    enrol(ws, "p-999", date(2026, 3, 1))
    imr.git("add", "-A")
    imr.git("-c", "user.name=Test", "-c", "user.email=test@invalid", "commit", "-q", "--no-verify", "-m", "week")

    report = diff_workspace(imr.root, ["HEAD~1", "HEAD"])

    def show(spec: str) -> bytes | None:
        result = subprocess.run(["git", "-C", str(imr.root), "show", spec], capture_output=True)
        return result.stdout if result.returncode == 0 else None

    paths = sorted({f"records/{pid}.yaml" for pid in pids} | {"records/p-999.yaml"})
    expected = [compare(path, show(f"HEAD~1:{path}"), show(f"HEAD:{path}")) for path in paths]
    assert report.changes == [c for c in expected if c is not None]
    assert len(report.changes) == count + 1
    assert [c.id for c in report.rewrites] == [pids[-3], pids[-1]]  # a deleted record is a rewrite too
    assert next(c for c in report.changes if c.id == pids[-2]).problem == "yaml_syntax"
    assert sum(len(c.added) for c in report.changes) > count
    out = imr.ok("diff", "HEAD~1", "HEAD").output
    assert out.count("Deltagare p-") == count + 1


def test_records_read_quickly_give_the_same_findings_rows_and_facts(region, monkeypatch):
    """Status rows, findings and fidelity facts of every file in records/ are the same whether
    records are read with yaml-rs (`quick_read`) or with the strict reader alone."""
    from imr.gates import summaries
    from imr.records import record as record_module

    ws = open_workspace(region.root)
    context = (ws.curriculum, ws.allowed_words)
    paths = sorted(ws.records_dir.glob("*.yaml"))
    taken = []
    quick_read = record_module.quick_read
    monkeypatch.setattr(
        record_module,
        "quick_read",
        lambda text, many=False, raw=None: taken.append(quick_read(text, many, raw)) or taken[-1],
    )
    readable = [p for p in paths if not p.is_symlink() and p.name != "p-09.yaml"]
    # Read one by one and as one of many (the writer's form looked for), every readable record
    # went the quick way (entry ids start with a letter, so none is a number to any YAML reader:
    # new_entry_id); only as one of many was the form looked for (the writer's records have it;
    # before Python 3.11.5 it never is: `writer_form`).
    quick = {}
    for many in (False, True):
        taken.clear()
        quick[many] = [
            (summaries._summarise(p, context, many), summaries._fidelity_payload(p, context, many)) for p in paths
        ]
        assert sum(data is not None for data in taken) == 2 * len(readable)
        in_form = sum(data is not None and data[1] for data in taken)
        assert in_form > len(readable) if many and writer_form() is not None else in_form == 0
    monkeypatch.setattr(record_module, "quick_read", lambda text, many=False, raw=None: None)
    careful = [(summaries._summarise(p, context), summaries._fidelity_payload(p, context)) for p in paths]
    for found in quick.values():
        assert json.dumps(found, sort_keys=True) == json.dumps(careful, sort_keys=True)
