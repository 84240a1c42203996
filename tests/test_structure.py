"""Each concept has one home in the library: one YAML reader, one way to run git.

Source scans over `imr/`: they list the offending modules, so a new stray call is named, not
just counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import imr

LIBRARY = Path(imr.__file__).parent


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(LIBRARY.rglob("*.py")):
        shown = path.relative_to(LIBRARY.parent).as_posix()
        out.append((shown, ast.parse(path.read_text(encoding="utf-8"), filename=shown)))
    return out


def _imports(tree: ast.Module) -> set[str]:
    """Every module imported anywhere in the file, inside functions too."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _runs_git_itself(tree: ast.Module) -> bool:
    """A call through `subprocess` (or a name imported from it) whose command starts with "git",
    written in the call or in a list the module builds."""
    if not any(name == "subprocess" or name.startswith("subprocess.") for name in _imports(tree)):
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                return True
    return False


def test_only_the_yaml_module_imports_a_yaml_parser():
    offenders = [
        shown
        for shown, tree in _modules()
        if shown != "imr/core/yamlio.py" and any(name.split(".")[0] in ("yaml", "yaml_rs") for name in _imports(tree))
    ]
    assert offenders == [], "read YAML through imr.core.yamlio"


def test_only_the_git_module_runs_git():
    offenders = [shown for shown, tree in _modules() if shown != "imr/core/git.py" and _runs_git_itself(tree)]
    assert offenders == [], "run git through imr.core.git"


def test_the_scans_see_what_they_look_for():
    """The scans find the calls they exist to find: in the two homes themselves."""
    trees = dict(_modules())
    assert _runs_git_itself(trees["imr/core/git.py"])
    assert {"yaml", "yaml_rs"} <= _imports(trees["imr/core/yamlio.py"])
