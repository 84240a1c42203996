"""`imr diff`'s quick path (only appended entries parsed) says exactly what the careful path says."""

from __future__ import annotations

import pytest
from conftest import Imr

from imr.core.yamlio import dump
from imr.reports import diff


def commit(imr: Imr, message: str) -> None:
    """Commit without the workspace's check hook: the duplicate id here is on purpose."""
    imr.git("add", "-A")
    imr.git("-c", "user.name=Test", "-c", "user.email=test@invalid", "commit", "-q", "--no-verify", "-m", message)


def add(imr: Imr, path: str, *entries: dict, crlf: bool = False) -> None:
    text = dump(list(entries))
    with open(imr.root / path, "ab") as handle:
        handle.write((text.replace("\n", "\r\n") if crlf else text).encode("utf-8"))


def e(kind: str, id: str, by: str = "KL", at: str = "2026-02-02T10:00:00+01:00", **fields) -> dict:
    return {"kind": kind, "at": at, "by": by, **fields, "id": id}


def plan(**sections: list[str]) -> dict:
    return {"triggers": ["Sömnbrist"], "warning_signs": ["Drar mig undan"], "helpers": ["Kontaktperson"], **sections}


@pytest.fixture
def varied(enrolled: Imr) -> Imr:
    """A committed ward, then a week of changes of every kind the wording resolves."""
    for pid in ("p-02", "p-03", "p-04", "p-05"):
        enrolled.ok("patient", "add", pid)
    add(
        enrolled,
        "records/p-01.yaml",
        e("goal", "goal0001", goal="G1", text="Promenera", steps=["Till kiosken"]),
        e("goal-step", "step0001", goal="G1", step="G1.2", text="Runt parken"),
        e("session", "sess0001", module=1, session=1, date="2026-01-12", note="Första."),
        e("relapse-plan", "plan0001", **plan()),
        e("contact", "dup00001", date="2026-01-13", who="syster"),
        e("contact", "dup00001", date="2026-01-14", who="bror"),
    )
    (enrolled.root / "groups" / "tisdag.yaml").write_text(
        "name: tisdag\nlog:\n"
        + dump(
            [
                {"kind": "group-created", "at": "2026-01-01T09:00:00+01:00", "by": "KL", "leaders": ["KL", "AB"]},
                {"kind": "member-added", "at": "2026-01-01T09:01:00+01:00", "by": "KL", "id": "p-01"},
            ]
        ),
        encoding="utf-8",
    )
    crlf = enrolled.root / "records" / "p-04.yaml"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    commit(enrolled, "ward")

    add(
        enrolled,
        "records/p-01.yaml",
        e("goal-update", "upd00001", target="goal0001", status="done", text="Klart!"),
        e(
            "session",
            "sess0002",
            by="AB",
            module=1,
            session=2,
            date="2026-02-02",
            steps_done=["step0001", "G9"],
            homework_review="done",
            handout=True,
        ),
        e("correction", "corr0001", target="sess0001", note="Fel datum.", set={"date": "2026-01-11"}),
        e("correction", "corr0002", target="dup00001", void=True, note="Dubbel."),
        e("relapse-plan", "plan0002", **plan(helpers=["Kontaktperson", "Mamma"])),
        e("relapse-plan", "plan0003", previous="plan0001", **plan(triggers=[])),
        e("goal-update", "upd00002", goal="G1", status="revised"),
    )
    add(enrolled, "records/p-02.yaml", e("session", "sess0003", module=1, session=1, date="2026-02-03"))
    add(enrolled, "records/p-04.yaml", e("absent", "abs00001", module=1, session=1, date="2026-02-03"), crlf=True)
    rewritten = enrolled.root / "records" / "p-05.yaml"
    rewritten.write_text(
        rewritten.read_text(encoding="utf-8").replace("variant: ", "variant: bipolar #"), encoding="utf-8"
    )
    add(enrolled, "records/p-05.yaml", e("session", "sess0004", module=1, session=1, date="2026-02-03"))
    (enrolled.root / "records" / "p-03.yaml").unlink()
    enrolled.ok("patient", "add", "p-06")
    add(
        enrolled,
        "groups/tisdag.yaml",
        {"kind": "member-added", "at": "2026-02-01T09:00:00+01:00", "by": "AB", "id": "p-02"},
    )
    return enrolled


def both_paths(imr: Imr, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[list[str], list[str]]:
    quick = [imr.ok("diff", *args).output, imr.ok("diff", "--json", *args).output]
    with monkeypatch.context() as careful:
        careful.setattr(diff, "_appended", lambda *_: None)
        slow = [imr.ok("diff", *args).output, imr.ok("diff", "--json", *args).output]
    return quick, slow


def test_quick_and_careful_paths_say_the_same(varied: Imr, monkeypatch: pytest.MonkeyPatch):
    quick, slow = both_paths(varied, monkeypatch)
    assert quick == slow
    text = quick[0]
    assert "G1 får status klart ”Klart!”" in text  # a goal update names its goal through the old entry
    assert "delmål klara: G1.2, G9" in text
    assert "rättelse av post sess0001 (träff från 2026-01-12)" in text
    assert "rättelse av post dup00001 (anhörigkontakt från 2026-01-14)" in text  # a repeated id: the last entry with it
    assert "återfallsplanen (+ vem hjälper: Mamma)" in text  # no `previous`: the version before in the log
    assert "återfallsplanen (− utlösande faktor: Sömnbrist)" in text  # `previous` names the old version
    assert "VARNING" in text and "records/p-05.yaml" in text
    # The careful path really was the other one: it reads every appended file in full.
    for path in ("records/p-01.yaml", "records/p-02.yaml", "records/p-04.yaml", "groups/tisdag.yaml"):
        old = varied.git("show", f"HEAD:{path}").encode("utf-8")
        new = (varied.root / path).read_bytes()
        assert diff._appended(path, diff._text(old), diff._text(new)) is not None, path
    old5 = varied.git("show", "HEAD:records/p-05.yaml").encode("utf-8")
    assert (
        diff._appended(
            "records/p-05.yaml", diff._text(old5), diff._text((varied.root / "records/p-05.yaml").read_bytes())
        )
        is None
    )


def test_same_between_commits_and_by_signature(varied: Imr, monkeypatch: pytest.MonkeyPatch):
    commit(varied, "week")
    quick, slow = both_paths(varied, monkeypatch, "HEAD~1", "HEAD")
    assert quick == slow and "p-06" in quick[0]
    quick, slow = both_paths(varied, monkeypatch, "HEAD~1", "HEAD", "--by", "AB")
    assert quick == slow and "records/p-05.yaml rad 6:" in quick[0] and "sess0002" in quick[0]
