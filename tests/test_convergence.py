"""Property: any order of appends, syncs, pushes, merges and rebases by several clones ends in
identical records everywhere, with every entry exactly once and a clean history check.

Seeded random runs with real git through a bare repository (tests/convergence_sim.py), bounded
for CI; bench/bench_converge.py runs the same with many more seeds and steps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Imr
from convergence_sim import RECORDS, contents, make_ward, run

from imr.gates.history import history_findings

SEEDS = (1, 2, 3)
STEPS = 24


@pytest.fixture
def template(enrolled: Imr, monkeypatch: pytest.MonkeyPatch) -> Imr:
    for key, value in (
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@invalid"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@invalid"),
    ):
        monkeypatch.setenv(key, value)
    enrolled.ok("patient", "add", "p-02")
    enrolled.commit_all("start")
    enrolled.git("branch", "-M", "main")
    return enrolled


def entry_ids(data: bytes) -> list[str]:
    return re.findall(rb"^- id: (\w+)$", data, flags=re.M)  # type: ignore[return-value]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_order_of_syncs_merges_and_rebases_converges(template: Imr, tmp_path: Path, seed: int):
    ward = make_ward(
        tmp_path / f"ward-{seed}", template.root, clones=3, seed=seed, sync=lambda clone: _sync(template, clone)
    )
    run(ward, STEPS)
    first = contents(ward.clones[0])
    for clone in ward.clones[1:]:
        assert contents(clone) == first, ward.log
    found = sorted(i.decode() for pid in RECORDS for i in entry_ids(first[pid]))
    written = sorted(ward.written)
    assert [i for i in found if i in written] == written, ward.log  # every entry, exactly once
    for clone in ward.clones:
        assert history_findings(clone.root, since="") == [], ward.log
        assert Imr(clone.root, template.monkeypatch)("check", "--since", "").output == "", ward.log


def _sync(template: Imr, clone) -> None:
    runner = Imr(clone.root, template.monkeypatch)
    result = runner("sync")
    assert result.exit_code == 0 or "samtidigt tre gånger" in result.stderr, result.stderr
