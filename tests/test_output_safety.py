"""Output that cannot mislead (issue 26, part 7): control, bidi and invisible characters shown
as escapes in every terminal view, CSV cells neutralised, template overrides held to limits,
curriculum overrides listed and raw blocks in them refused, CR escaped in the calendar file,
dates before 1900 refused."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import posix_only


def test_imr_diff_shows_bidi_and_control_characters_as_escapes(enrolled):
    enrolled.commit_all("start")
    record = enrolled.record("p-01")
    tail = (
        "- kind: session\n  id: abcd2345\n  at: '2026-03-02T10:00:00+01:00'\n  by: KL\n  module: 1\n"
        "  session: 1\n  date: '2026-03-02'\n  note: \"gick bra \\u202eatt ton\\u202c \\u2066x\\u2069 \\x1b[2J\"\n"
    )
    record.write_bytes(record.read_bytes() + tail.encode("utf-8"))
    result = enrolled.ok("diff")
    for raw in ("\u202e", "\u202c", "\u2066", "\u2069", "\x1b"):
        assert raw not in result.output
    assert "<U+202E>" in result.output and "<U+2066>" in result.output and "<U+001B>" in result.output


def test_the_display_function_keeps_ordinary_text_and_emoji():
    from imr.cli.common import escape, visible

    assert visible("Bra jobbat, åäö!\tSlut") == "Bra jobbat, åäö!\tSlut"
    assert visible("👨\u200d👩\u200d👧 och ❤\ufe0f") == "👨\u200d👩\u200d👧 och ❤\ufe0f"
    assert visible("a\u200bb\u00adc\u2028d") == "a<U+200B>b<U+00AD>c<U+2028>d"
    assert escape("[bold]\u202e") == "\\[bold]<U+202E>"


@pytest.mark.parametrize("cell", ["=1+1", "+46 70", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_csv_cells_that_start_a_formula_are_neutralised(cell):
    from imr.reports.export import csv_bytes

    data = csv_bytes((["kolumn"], [[cell], [3], ["vanlig text"]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[1] == ["'" + cell]
    assert rows[2] == ["3"] and rows[3] == ["vanlig text"]


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 7**(10**10) }}",
        '{{ "a"*10**10 }}',
        "{{ [1]*10**10 }}",
        '{{ "a"|center(10**10) }}',
        '{{ "%999999999s"|format(1) }}',
        '{{ "%999999999s" % 1 }}',
    ],
)
def test_a_template_override_that_would_hang_fails_with_a_message(enrolled, payload):
    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n" + payload + "\n", encoding="utf-8")
    result = enrolled("render", "handout", "1.1", "-o", "-")
    assert result.exit_code == 1, result.output[:200]
    assert result.output.startswith("Fel: Mallen") and "gräns" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_template_override_stops_at_the_time_limit(enrolled, monkeypatch):
    from imr.render import templating

    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n{{ t('none') }}\n", encoding="utf-8")
    monkeypatch.setattr(templating, "MAX_SECONDS", -1.0)  # every check is already past the limit
    result = enrolled("render", "handout", "1.1", "-o", "-")
    assert result.exit_code == 1 and "gräns" in result.output
    monkeypatch.setattr(templating, "MAX_SECONDS", 60.0)
    assert enrolled("render", "handout", "1.1", "-o", "-").exit_code == 0


def test_ordinary_template_arithmetic_still_works(enrolled):
    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n{{ 2**10 }} {{ '-' * 20 }} {{ 7 * 6 }}\n", encoding="utf-8")
    markdown = enrolled.ok("render", "handout", "1.1", "-o", "-").stdout
    assert "1024 " in markdown and "42" in markdown


def _own_handout(root: Path) -> Path:
    from imr.core import resources

    builtin = resources.builtin_dir("curriculum")
    source = (
        sorted(builtin.glob("sv/*/1.1*handout*.md"))[0]
        if sorted(builtin.glob("sv/*/1.1*handout*.md"))
        else sorted(builtin.rglob("*.handout.md"))[0]
    )
    target = root / "curriculum" / source.relative_to(builtin)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "block",
    [
        "<script>alert(1)</script>",
        "```{=html}\n<b>x</b>\n```",
        '`#eval("1")`{=typst}',
        "<iframe src=x>",
        "<!-- dold -->",
    ],
)
def test_a_curriculum_override_is_listed_and_raw_blocks_are_refused(enrolled, block):
    target = _own_handout(enrolled.root)
    target.write_text(target.read_text(encoding="utf-8") + "\n" + block + "\n", encoding="utf-8")
    findings = json.loads(enrolled("check", "--json", "--strict").output)
    codes = {(f["path"], f["code"]) for f in findings}
    shown = "curriculum/" + target.relative_to(enrolled.root / "curriculum").as_posix()
    assert (shown, "curriculum_override") in codes  # listed with --strict
    assert (shown, "curriculum_raw_block") in codes
    plain = {(f["path"], f["code"]) for f in json.loads(enrolled("check", "--json").output)}
    assert (shown, "curriculum_raw_block") in plain and (shown, "curriculum_override") not in plain


def test_a_curriculum_link_is_listed_and_not_followed(enrolled, tmp_path):
    target = _own_handout(enrolled.root)
    outside = tmp_path / "outside.md"
    outside.write_text(target.read_text(encoding="utf-8") + "\nHEMLIG TEXT UTANFÖR\n", encoding="utf-8")
    target.unlink()
    target.symlink_to(outside)
    codes = {f["code"] for f in json.loads(enrolled("check", "--json").output)}
    assert "curriculum_override_link" in codes
    markdown = enrolled.ok("render", "handout", "1.1", "-o", "-").stdout
    assert "HEMLIG" not in markdown


def test_ics_text_escapes_a_bare_cr():
    from imr.programme.schedule import ics_text

    schedule = {
        "group": "torsdag",
        "meetings": [{"date": "2026-03-05", "closed": False, "session": "1.1", "title": "Rad\rRad2\r\nRad3"}],
    }
    text = ics_text(schedule, "IMR {group}: {title}", today=date(2026, 3, 1))
    assert "\r" not in text.replace("\r\n", "")
    assert "Rad\\nRad2\\nRad3" in text


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_dates_before_1900_are_refused(imr, enrolled, day):
    imr.refused("patient", "add", "p-02", "--date", day)
    enrolled.refused("session", "log", "p-01", "--date", day)


def test_a_hand_written_date_before_1900_is_reported(enrolled):
    record = enrolled.record("p-01")
    record.write_text(
        record.read_text(encoding="utf-8").replace("date: '2026-01-01'", "date: '0001-01-01'", 1), encoding="utf-8"
    )
    codes = {f["code"] for f in json.loads(enrolled("check", "--json").output)}
    assert "entry_bad_date" in codes or any("date" in c for c in codes)


@pytest.mark.parametrize("block", ["<script>alert(1)</script>", '```{=typst}\n#eval("1")\n```'])
def test_rendering_refuses_a_curriculum_override_with_a_raw_block(enrolled, block):
    """A raw HTML or Typst block in a workspace's curriculum is not only reported: no document
    is made from it (issue 26). The built-in curriculum still renders."""
    target = _own_handout(enrolled.root)
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + "\n" + block + "\n", encoding="utf-8")
    result = enrolled("render", "handout", "1.1", "--format", "md")
    shown = "curriculum/" + target.relative_to(enrolled.root / "curriculum").as_posix()
    assert result.exit_code == 1 and shown in result.output and f"rad {lines + 2}" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    out = enrolled.root / "out"
    assert not out.exists() or not any(out.iterdir())
    target.unlink()
    enrolled.ok("render", "handout", "1.1", "--format", "md")
    assert any(out.iterdir())


def test_check_lines_and_json_never_carry_a_control_or_bidi_character_raw(enrolled):
    """A file name with a bidi override and an escape character reaches `imr check` as a
    visible escape; `--json` stays valid JSON with the same data, the characters as \\uXXXX."""
    name = "x\u202efdp.\x1b[2Jyaml"
    (enrolled.root / "records" / name).write_text("log: []\n", encoding="utf-8")
    plain = enrolled("check")
    assert plain.exit_code == 1 and "<U+202E>" in plain.output and "<U+001B>" in plain.output
    assert "\u202e" not in plain.output and "\x1b" not in plain.output
    result = enrolled("check", "--json")
    assert "\u202e" not in result.output and "\x1b" not in result.output and "\\u202e" in result.output
    assert f"records/{name}" in {f["path"] for f in json.loads(result.output)}
    patients = enrolled("patient", "list", "--json")
    assert patients.exit_code == 0 and json.loads(patients.output)


@posix_only
@pytest.mark.parametrize(
    "payload",
    [
        '{% set s = "a" %}' + "{% set s = s ~ s %}" * 60 + "{{ s|length }}",
        '{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}{{ d("a", 60) }}',
        '{% set s = "a" %}' + "{% set s = s + s %}" * 60 + "{{ s|length }}",
        '{% set s = "a" %}' + '{% set s = s|replace("a", "aa") %}' * 60 + "{{ s|length }}",
        '{% set s = "a" %}' + "{% set s = [s, s]|join %}" * 60 + "{{ s|length }}",
        '{% set s = "a" %}' + '{% set s = "%s%s" % (s, s) %}' * 60 + "{{ s|length }}",
        '{% set s = "a" %}' + '{% set s = s.replace("a", "aa") %}' * 60 + "{{ s|length }}",
        '{% set s = "a" %}' + '{% set s = s.join([s, s, ""]) %}' * 60 + "{{ s|length }}",
        '{{ "{:>99999999}".format(1)|length }}',
    ],
)
def test_a_template_that_doubles_a_text_stops_at_the_size_limit(enrolled, payload):
    """Doubling a text 60 times (`~`, `+`, replace, join, %, a text's own methods) or a format
    100 million wide fails that render with the size limit's message. Run as its own process
    under a memory cap and a timeout, so that without the limit the test fails (MemoryError,
    timeout or success) instead of exhausting the machine."""
    import resource
    import shutil
    import subprocess
    import sys

    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n" + payload + "\n", encoding="utf-8")
    cap = 1 << 30

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    imr_command = shutil.which("imr", path=str(Path(sys.executable).parent))
    assert imr_command
    done = subprocess.run(
        [imr_command, "render", "handout", "1.1", "-o", "-"],
        cwd=enrolled.root,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "gräns" in output and "(size)" in output, output[-300:]
    assert "MemoryError" not in output and "Traceback" not in output


def test_check_and_curriculum_show_still_read_an_override_with_a_raw_block(enrolled):
    """Only documents refuse the text: `imr check` reports the block in a leader guide (and does
    not stop at it) and `imr curriculum show` shows it escaped."""
    from imr.core import resources

    builtin = resources.builtin_dir("curriculum")
    source = sorted(builtin.glob("sv/*/1.leader.md"))[0]
    target = enrolled.root / "curriculum" / source.relative_to(builtin)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8") + "\n<script>x</script>\n", encoding="utf-8")
    result = enrolled("check", "--json")
    assert "Traceback" not in result.output
    assert "curriculum_raw_block" in {f["code"] for f in json.loads(result.output)}
    assert "<script>" in enrolled.ok("curriculum", "show", "1.1").output
