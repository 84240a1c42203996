"""Compiled templates kept in the user's cache: edited overrides, the sandbox and the limits hold.

Each render runs as its own `python -m imr` process, so the second one really loads what the
first compiled (Jinja's in-process template cache cannot answer for it). The user's cache folder
is a folder of this test (XDG_CACHE_HOME), never the real one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape as sax_escape

import pytest

from imr.render.docx import escape


def _render(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("IMR_WORKSPACE", "IMR_LANG")}
    env.update(XDG_CACHE_HOME=str(cache), LOCALAPPDATA=str(cache), IMR_SIGNATURE="KL")
    return subprocess.run(
        [sys.executable, "-m", "imr", "render", "handout", "1.1", "--format", "md", "-o", "-", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )


def _compiled(cache: Path) -> list[Path]:
    return sorted(cache.rglob("__jinja2_*.cache"))


def test_templates_are_compiled_once_into_the_users_cache(enrolled, tmp_path):
    cache = tmp_path / "usercache"
    before = sorted(p for p in enrolled.root.rglob("*") if ".git" not in p.parts)
    first = _render(enrolled.root, cache)
    assert first.returncode == 0, first.stderr
    compiled = _compiled(cache)
    assert compiled and all(p.stat().st_size > 0 for p in compiled)
    stamps = {p: p.stat().st_mtime_ns for p in compiled}
    second = _render(enrolled.root, cache)
    assert second.stdout == first.stdout
    assert {p: p.stat().st_mtime_ns for p in _compiled(cache)} == stamps  # read, not written again
    after = sorted(p for p in enrolled.root.rglob("*") if ".git" not in p.parts and ".imr-cache" not in p.parts)
    assert [p for p in after if p not in before and ".imr-cache" not in p.parts] == []  # nothing in the tree
    if os.name != "nt":
        assert (compiled[0].parent.stat().st_mode & 0o777) == 0o700


def test_an_edited_override_renders_its_new_text(enrolled, tmp_path):
    """Same size, same modification time, other text: Jinja's source checksum tells them apart."""
    cache = tmp_path / "usercache"
    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    template = own / "handout.md.j2"
    template.write_text("# {{ title }}\n\nFörsta texten.\n", encoding="utf-8")
    stamp = template.stat().st_mtime_ns
    first = _render(enrolled.root, cache)
    assert first.returncode == 0, first.stderr
    assert "Första texten." in first.stdout
    template.write_text("# {{ title }}\n\nAndra texten..\n", encoding="utf-8")
    os.utime(template, ns=(stamp, stamp))
    second = _render(enrolled.root, cache)
    assert second.returncode == 0, second.stderr
    assert "Andra texten.." in second.stdout and "Första texten." not in second.stdout
    template.unlink()  # back to the built-in template, compiled earlier or now
    third = _render(enrolled.root, cache)
    assert "Andra texten.." not in third.stdout and third.returncode == 0


@pytest.mark.parametrize(
    ("payload", "start"),
    [
        ('{{ "".__class__.__mro__[1].__subclasses__() }}\n', "Fel: Mallen"),
        ('{{ "a" * 10**10 }}\n', "Fel: Mallen"),
        ('{% set s = "a" %}' + "{% set s = s ~ s %}" * 60 + "{{ s|length }}\n", "Fel: Mallen"),
    ],
)
def test_the_sandbox_and_limits_hold_for_a_compiled_template(enrolled, tmp_path, payload, start):
    """A refused override is refused the same way when its compiled form comes from the cache."""
    cache = tmp_path / "usercache"
    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n" + payload, encoding="utf-8")
    runs = [_render(enrolled.root, cache) for _ in range(2)]
    assert _compiled(cache)
    for run in runs:
        assert run.returncode == 1, run.stdout[-500:]
        assert run.stderr.startswith(start) and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert runs[0].stderr == runs[1].stderr


def test_a_damaged_or_unwritable_cache_is_passed_over(enrolled, tmp_path):
    cache = tmp_path / "usercache"
    good = _render(enrolled.root, cache)
    for path in _compiled(cache):
        path.write_bytes(path.read_bytes()[:40])  # cut short: the checksum or the code is unreadable
    assert _render(enrolled.root, cache).stdout == good.stdout
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder", encoding="utf-8")  # the cache folder cannot be made
    run = _render(enrolled.root, blocked)
    assert run.returncode == 0 and run.stdout == good.stdout


@pytest.mark.parametrize("text", ["", "a & b < c > d", "&amp;", "<w:t>", "åäö \u202e ]]>", "\"quoted\" 'single'"])
def test_docx_escapes_text_as_the_standard_library_does(text):
    assert escape(text) == sax_escape(text)
