"""The IMR Scale: the instrument file, whole assessments only, the form, means and change, the chart."""

import json

import pytest

from imr.core.yamlio import load_file
from imr.programme import imrs
from imr.records.kinds import validate_entry

CLIENT_1 = "3,3,2,4,1,3,3,2,4,4,3,2,na,na,5"
CLIENT_2 = "4,4,3,4,2,4,3,3,4,4,4,3,na,na,5"
CLINICIAN = "4,3,3,4,2,3,3,3,4,4,3,2,4,5,5"


def test_instrument_file_is_sound():
    path = imrs.instrument_path(None)
    assert path.as_posix().endswith("curriculum/instruments/imrs.yaml")
    assert imrs.instrument_problems(load_file(path)) == []
    instrument = imrs.load_instrument(None)
    assert [item.number for item in instrument.items] == list(range(1, 16))
    assert [item.number for item in instrument.items if item.not_applicable] == [13, 14, 15]
    for item in instrument.items:
        assert sorted(item.anchors) == [1, 2, 3, 4, 5]
        for lang in ("sv", "en"):
            assert item.title[lang] and item.question["client"][lang] and item.question["clinician"][lang]
            assert all(item.anchors[score][lang] for score in item.anchors)


def test_instrument_and_record_schema_agree_on_not_applicable():
    instrument = imrs.load_instrument(None)
    for item in instrument.items:
        scores = [3] * 15
        scores[item.number - 1] = "na"
        entry = {
            "kind": "imrs",
            "at": "2026-03-01T10:00:00+01:00",
            "by": "KL",
            "rater": "client",
            "scores": scores,
            "date": "2026-03-01",
        }
        assert (validate_entry(entry) == []) == item.not_applicable, item.number


def test_instrument_problems_are_reported():
    data = load_file(imrs.instrument_path(None))
    data["items"][0]["not_applicable"] = True
    del data["items"][4]["anchors"][5]
    problems = " ".join(reason for _, reason in imrs.instrument_problems(data))
    assert "item 1" in problems and "item 5" in problems
    assert imrs.instrument_problems({"items": []})


def test_add_and_show_with_mean_and_change(enrolled):
    imr = enrolled
    imr.commit_all()
    imr.ok("imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2026-01-10")
    imr.ok("imrs", "add", "p-01", "--rater", "clinician", "--scores", CLINICIAN, "--date", "2026-01-12")
    imr.ok(
        "imrs",
        "add",
        "p-01",
        "--rater",
        "client",
        "--scores",
        CLIENT_2,
        "--date",
        "2026-04-10",
        "--note",
        "Efter modul 3.",
    )
    diff = imr.git("diff", "--unified=0", "--", "records")
    assert not [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]

    rows = json.loads(imr.ok("imrs", "show", "p-01", "--json").output)
    assert [(r["date"], r["rater"]) for r in rows] == [
        ("2026-01-10", "client"),
        ("2026-01-12", "clinician"),
        ("2026-04-10", "client"),
    ]
    first = rows[0]
    assert first["scores"][12:] == ["na", "na", 5]
    assert first["mean"] == round(sum([3, 3, 2, 4, 1, 3, 3, 2, 4, 4, 3, 2, 5]) / 13, 2)
    assert first["change"] is None and rows[1]["change"] is None, "change is per rater, from the first"
    assert rows[2]["change"] == round(rows[2]["mean"] - first["mean"], 2) and rows[2]["change"] > 0
    assert rows[1]["mean"] == round(sum(int(x) for x in CLINICIAN.split(",")) / 15, 2)

    text = imr.ok("imrs", "show", "p-01").output
    assert "2026-04-10" in text and "Deltagaren" in text and "förändring +0,62" in text
    assert imr("check").exit_code == 0


@pytest.mark.parametrize(
    "scores",
    [
        "3,3,2,4,1,3,3,2,4,4,3,2,na,na",  # 14 answers
        "3,3,2,4,1,3,3,2,4,4,3,2,na,na,5,5",  # 16 answers
        "0,3,2,4,1,3,3,2,4,4,3,2,na,na,5",  # 0
        "3,3,2,4,1,3,3,2,4,4,3,2,na,na,6",  # 6
        "na,3,2,4,1,3,3,2,4,4,3,2,na,na,5",  # na where not allowed
        "3,3,2,4,1,3,3,2,4,4,3,na,na,na,5",  # na on item 12
        "3,3,2,4,1,3,3,2,4,4,3,2,4,5,x",
        "3,3,2,4,1,3,3,2,4,4,3,2,4,5,2.5",
        "3,3,2,4,1,3,3,2,4,4,3,2,4,5,",
        "",
        "3;3;2;4;1;3;3;2;4;4;3;2;4;5;5",
    ],
)
def test_bad_scores_write_nothing(enrolled, scores):
    result = enrolled.refused("imrs", "add", "p-01", "--rater", "client", "--scores", scores)
    assert "Inget sparades" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["imrs", "add", "p-01", "--rater", "mother", "--scores", CLIENT_1],
        ["imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2999-01-01"],
        ["imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2026-02-30"],
        ["imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--note", "Ring 070-123 45 67"],
        ["imrs", "add", "p-99", "--rater", "client", "--scores", CLIENT_1],
        ["imrs", "add", "p-99", "--rater", "client"],
        ["imrs", "add", "p-01", "--rater", "mother"],
    ],
)
def test_other_bad_input_writes_nothing(enrolled, args):
    enrolled.refused(*args)


def test_without_a_terminal_nothing_is_asked_and_missing_scores_are_refused(enrolled):
    """The questions are in tests/test_ask_pty.py (under a real terminal)."""
    result = enrolled.refused("imrs", "add", "p-01", "--rater", "client")
    assert "Fråga 1 av 15" in result.output


def test_trend_chart_png_and_svg_are_reproducible(enrolled, tmp_path):
    imr = enrolled
    imr.ok("imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2026-01-10")
    imr.ok("imrs", "add", "p-01", "--rater", "clinician", "--scores", CLINICIAN, "--date", "2026-01-12")
    imr.ok("imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_2, "--date", "2026-04-10")
    for suffix, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<?xml")):
        first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        imr.ok("imrs", "show", "p-01", "--chart", str(first))
        imr.ok("imrs", "show", "p-01", "--json", "--chart", str(second))
        data = first.read_bytes()
        assert data.startswith(magic) and len(data) > 2000
        assert data == second.read_bytes(), f"{suffix} output is the same for the same assessments"
    svg = (tmp_path / "a.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_trend_chart_library_call(enrolled):
    from imr.render.imrs_chart import trend_chart
    from imr.workspace import store
    from imr.workspace.folder import open_workspace

    enrolled.ok("imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2026-01-10")
    _, state = store.load_state(open_workspace(enrolled.root), "p-01")
    rows = imrs.assessments(state)
    assert trend_chart(rows, "svg") == trend_chart(rows, "svg")
    assert trend_chart(rows, "png", labels={"title": "T", "client": "Klient"}).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["chart.pdf", "chart"])
def test_chart_needs_png_or_svg(enrolled, tmp_path, name):
    enrolled.ok("imrs", "add", "p-01", "--rater", "client", "--scores", CLIENT_1, "--date", "2026-01-10")
    result = enrolled("imrs", "show", "p-01", "--chart", str(tmp_path / name))
    assert result.exit_code == 1 and not (tmp_path / name).exists()


def test_show_without_assessments(enrolled, tmp_path):
    assert "inga IMRS-bedömningar" in enrolled.ok("imrs", "show", "p-01").output
    assert json.loads(enrolled.ok("imrs", "show", "p-01", "--json").output) == []
    assert enrolled("imrs", "show", "p-01", "--chart", str(tmp_path / "x.png")).exit_code == 1
