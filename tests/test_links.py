"""No write and no read through a link, anywhere in a workspace (issue 26, part 1).

A link committed into records/ under a temp-looking name, a linked out/ or .imr-cache/, a chart
aimed at records/ or .git/, a template that is a link: each was a way for one colleague's
workspace to make another's imr read or write outside it. Real files, real git, real links.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import commit_past_the_hook, posix_only

pytestmark = posix_only


def _codes(imr, *args) -> list[tuple[str, str]]:
    result = imr("check", "--json", *args)
    return [(f["path"], f["code"]) for f in json.loads(result.output)]


def test_a_committed_link_named_like_the_writers_temp_is_never_written_through(enrolled, tmp_path):
    outside = tmp_path / "bashrc"
    outside.write_text("# the user's shell start-up\n", encoding="utf-8")
    enrolled.commit_all("start")
    for name in (".p-01.yaml.tmp-imr", ".p-01.yaml.tmp-12345"):
        (enrolled.root / "records" / name).symlink_to(outside)
    enrolled.git("add", "-f", "records")
    # the hook (imr check --staged), imr check, and --since all report it
    staged = _codes(enrolled, "--staged")
    assert ("records/.p-01.yaml.tmp-imr", "record_stray_file") in staged
    assert ("records/.p-01.yaml.tmp-imr", "record_stray_file") in _codes(enrolled)
    commit_past_the_hook(enrolled, "a link slipped in")
    since = _codes(enrolled, "--since", "HEAD~1")
    assert ("records/.p-01.yaml.tmp-imr", "history_stray_commit") in since
    assert ("records/.p-01.yaml.tmp-12345", "history_stray_commit") in since
    # a colleague's next write goes to the record, not through the link
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Rad ett.\n  echo pwned")
    assert outside.read_text(encoding="utf-8") == "# the user's shell start-up\n"
    assert "Rad ett." in enrolled.record("p-01").read_text(encoding="utf-8")


def test_any_temp_named_or_odd_file_in_records_and_groups_is_reported(enrolled):
    (enrolled.root / "records" / ".p-01.yaml.tmp-0123456789abcdef").write_text("log: []\n", encoding="utf-8")
    (enrolled.root / "groups").mkdir(exist_ok=True)
    (enrolled.root / "groups" / ".tisdag.yaml.tmp-x").write_text("x\n", encoding="utf-8")
    os.mkfifo(enrolled.root / "records" / "p-02.yaml")  # not a regular file: reported, never blocks
    codes = _codes(enrolled)
    assert ("records/.p-01.yaml.tmp-0123456789abcdef", "record_temp_file") in codes
    assert ("groups/.tisdag.yaml.tmp-x", "group_stray_file") in codes
    assert ("records/p-02.yaml", "not_regular_file_finding") in codes


@pytest.mark.parametrize("folder", ["records", "groups", "out", ".imr-cache", "templates", "curriculum"])
def test_a_workspace_folder_that_is_a_link_is_refused(enrolled, tmp_path, folder):
    import shutil

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = enrolled.root / folder
    if target.is_dir():
        if folder in ("records", "groups"):
            for item in target.iterdir():
                shutil.copy(item, outside / item.name)
        shutil.rmtree(target)
    target.symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    result = enrolled("session", "log", "p-01", "--date", "2026-03-01", "--note", "Rad.")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert folder in result.output
    assert sorted(p.name for p in outside.iterdir()) == before
    assert enrolled("render", "handout", "1.1").exit_code == 1


def test_a_stale_cache_temp_link_is_never_written_through(enrolled, tmp_path):
    outside = tmp_path / "victim"
    outside.write_text("keep\n", encoding="utf-8")
    cache = enrolled.root / ".imr-cache"
    cache.mkdir(exist_ok=True)
    for name in ("summaries.json", "records.json", "config.json"):
        for pid in range(os.getpid() - 5, os.getpid() + 5):
            (cache / f".{name}.tmp-{pid}").symlink_to(outside)
    (enrolled.root / "out").mkdir(exist_ok=True)
    enrolled.ok("status")
    enrolled.ok("check")
    enrolled.ok("render", "handout", "1.1")
    assert outside.read_text(encoding="utf-8") == "keep\n"


def test_a_record_that_is_a_link_is_neither_read_nor_written(enrolled, tmp_path):
    outside = tmp_path / "other.yaml"
    outside.write_bytes(enrolled.record("p-01").read_bytes())
    enrolled.record("p-01").unlink()
    enrolled.record("p-01").symlink_to(outside)
    before = outside.read_bytes()
    result = enrolled("session", "log", "p-01", "--date", "2026-03-01", "--note", "Rad.")
    assert result.exit_code == 1
    assert outside.read_bytes() == before


@pytest.mark.parametrize("target", ["records/chart.svg", "groups/chart.png", ".git/chart.svg"])
def test_the_imrs_chart_obeys_the_output_rules(enrolled, target):
    for score in ("3,3,3,3,3,3,3,3,3,3,3,3,3,3,3", "4,4,4,4,4,4,4,4,4,4,4,4,4,4,4"):
        enrolled.ok(
            "imrs",
            "add",
            "p-01",
            "--scores",
            score,
            "--rater",
            "klient",
            "--date",
            "2026-02-01" if score[0] == "3" else "2026-03-01",
        )
    result = enrolled("imrs", "show", "p-01", "--chart", str(enrolled.root / target))
    assert result.exit_code == 1, result.output
    assert not (enrolled.root / target).exists()
    enrolled.ok("imrs", "show", "p-01", "--chart", str(enrolled.root / "chart.svg"))


def test_a_template_that_is_a_link_is_not_followed(enrolled, tmp_path):
    secret = tmp_path / "secret.md.j2"
    secret.write_text("HEMLIG TEXT UTANFÖR\n", encoding="utf-8")
    own = enrolled.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").symlink_to(secret)
    markdown = enrolled.ok("render", "handout", "1.1", "-o", "-").stdout
    assert "HEMLIG" not in markdown and markdown.strip()
    assert ("templates/render/handout.md.j2", "template_override_link") in _codes(enrolled)


def test_temp_files_are_random_and_exclusive(tmp_path):
    from imr.core.files import create_temp

    target = tmp_path / "p-01.yaml"
    first = create_temp(target, b"a")
    second = create_temp(target, b"b")
    assert first != second and first.parent == tmp_path
    assert first.read_bytes() == b"a" and second.read_bytes() == b"b"


def test_reading_never_follows_a_link(tmp_path):
    from imr.core.errors import ImrError
    from imr.core.files import read_regular

    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(ImrError):
        read_regular(tmp_path / "link")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ImrError):
        read_regular(tmp_path / "fifo")
    assert read_regular(tmp_path / "real") == b"x"


@pytest.mark.parametrize("name", [".gitignore", ".gitattributes"])
def test_init_never_appends_through_a_linked_git_file(tmp_path, monkeypatch, name):
    """`imr init` in a folder whose .gitignore or .gitattributes is a link refuses it in one
    sentence instead of appending its lines to the file outside (issue 26)."""
    from conftest import Imr

    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    outside = tmp_path / "outside.txt"
    outside.write_text("# someone else's file\n", encoding="utf-8")
    root = tmp_path / "ward"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / name).symlink_to(outside)
    result = Imr(tmp_path, monkeypatch)("init", str(root))
    assert result.exit_code == 1 and "länk" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert outside.read_text(encoding="utf-8") == "# someone else's file\n"


def test_init_leaves_a_linked_hook_and_what_it_points_at_alone(imr, tmp_path):
    from imr.workspace.gitsetup import HOOK_MARK

    outside = tmp_path / "shared-hook"
    outside.write_text(f"#!/bin/sh\n{HOOK_MARK}\nexit 0\n", encoding="utf-8")
    hook = imr.root / ".git" / "hooks" / "pre-commit"
    hook.unlink()
    hook.symlink_to(outside)
    imr.ok("init", str(imr.root))
    assert hook.is_symlink() and outside.read_text(encoding="utf-8") == f"#!/bin/sh\n{HOOK_MARK}\nexit 0\n"


def test_the_sync_message_never_reads_a_record_through_a_link(enrolled, tmp_path):
    from imr.gates.sync import commit_message
    from imr.workspace.folder import open_workspace

    outside = tmp_path / "secret.yaml"
    outside.write_text("log:\n- kind: contact\n  note: HEMLIG\n", encoding="utf-8")
    (enrolled.root / "records" / "p-09.yaml").symlink_to(outside)
    message = commit_message(open_workspace(enrolled.root), enrolled.root, ["records/p-09.yaml"], "KL")
    assert "p-09" in message and "kontakt" not in message.lower() and "contact" not in message


def test_the_staged_copy_never_takes_imr_yaml_through_a_link(enrolled, tmp_path):
    from imr.gates.history import staged_copy

    enrolled.commit_all("start")
    outside = tmp_path / "other.yaml"
    outside.write_text("name: HEMLIG\n", encoding="utf-8")
    enrolled.git("rm", "-q", "--cached", "imr.yaml")
    (enrolled.root / "imr.yaml").unlink()
    (enrolled.root / "imr.yaml").symlink_to(outside)
    with staged_copy(enrolled.root) as copy:
        assert copy != enrolled.root.resolve()
        copied = copy / "imr.yaml"
        assert not copied.exists() or "HEMLIG" not in copied.read_text(encoding="utf-8")


def test_the_user_settings_file_is_never_read_or_written_through_a_link(tmp_path, monkeypatch):
    from imr.core.errors import ImrError
    from imr.workspace.user_settings import resolve, save

    monkeypatch.delenv("IMR_SIGNATURE", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig-global"))
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("signature: XY\n", encoding="utf-8")
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").symlink_to(outside)
    assert resolve("signature", None, None, config).value is None
    with pytest.raises(ImrError) as refused:
        save(config, "signature", "AB")
    assert "länk" in refused.value.message("sv")
    assert outside.read_text(encoding="utf-8") == "signature: XY\n"
