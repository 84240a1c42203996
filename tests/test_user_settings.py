"""The signature and the language are the user's own: option, environment, git config, settings file."""

import subprocess

import pytest


@pytest.fixture
def isolated(enrolled, monkeypatch, tmp_path):
    """No signature from the environment, no global git config, an empty user config folder."""
    monkeypatch.delenv("IMR_SIGNATURE")
    monkeypatch.delenv("IMR_LANG", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig-global"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return enrolled


def test_signature_from_git_config(isolated):
    isolated.git("config", "imr.signature", "GH")
    isolated.ok("session", "log", "p-01", "--date", "2026-03-01")
    assert "by: GH" in isolated.record("p-01").read_text()
    out = isolated.ok("whoami").output
    assert "Signatur: GH (från git config imr.signature)" in out


def test_signature_from_user_settings_file(isolated, tmp_path):
    folder = tmp_path / "config" / "imr"
    folder.mkdir(parents=True)
    (folder / "settings.yaml").write_text("signature: MN\nlanguage: en\n", encoding="utf-8")
    isolated.ok("session", "log", "p-01", "--date", "2026-03-01")
    assert "by: MN" in isolated.record("p-01").read_text()
    out = isolated.ok("whoami").output
    assert "Signature: MN (from " in out and "settings.yaml" in out, "the language setting applies too"
    assert "Usage:" in isolated("patient", "show").output


def test_option_and_environment_come_first(isolated, monkeypatch):
    isolated.git("config", "imr.signature", "GH")
    assert "Signatur: XY (från --by)" in isolated.ok("whoami", "--by", "XY").output
    monkeypatch.setenv("IMR_SIGNATURE", "EN")
    assert "Signatur: EN (från miljövariabeln IMR_SIGNATURE)" in isolated.ok("whoami").output


def test_whoami_without_any_signature_says_how(isolated):
    out = isolated.ok("whoami").output
    assert "Signatur: ingen (inte satt)" in out and "git config --global imr.signature" in out
    assert (
        subprocess.run(
            ["git", "-C", str(isolated.root), "config", "--get", "imr.signature"], capture_output=True
        ).returncode
        == 1
    )


def test_the_settings_file_is_read_and_written_by_the_strict_yaml_reader(tmp_path):
    """Saving keeps the other values and writes keys in order; a duplicated key counts as no
    value when read, and saving over a file that is not YAML is one sentence, not a traceback."""
    from imr.core.errors import ImrError
    from imr.workspace.user_settings import resolve, save

    folder = tmp_path / "config"
    path = save(folder, "signature", "MN")
    save(folder, "language", "en")
    assert path.read_text(encoding="utf-8") == "language: en\nsignature: MN\n"
    assert resolve("signature", None, tmp_path, folder).value == "MN"
    path.write_text("signature: MN\nsignature: XY\n", encoding="utf-8")
    assert resolve("signature", None, tmp_path, folder).source in ("none", "git")
    path.write_text("signature: [MN\n", encoding="utf-8")
    with pytest.raises(ImrError) as caught:
        save(folder, "signature", "OP")
    assert caught.value.code == "bad_config" and str(path) in caught.value.message("en")
    assert path.read_text(encoding="utf-8") == "signature: [MN\n"
