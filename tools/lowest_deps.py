"""Pin every runtime dependency of imr to the lowest version pyproject.toml allows.

`.ci/run` installs imr with these pins in a separate virtual environment and runs a smoke test
(`tools/smoke.sh`), so the lower bounds in pyproject.toml are versions that were shown to work,
not guesses. Prints a pip constraints file on stdout.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$")


def lowest_pins(dependencies: list[str]) -> list[str]:
    pins = []
    for requirement in dependencies:
        name, spec = _SPEC.match(requirement.split(";")[0]).groups()  # type: ignore[union-attr]
        floor = re.search(r">=\s*([0-9][^,\s]*)", spec)
        if floor is None:
            sys.exit(f"{name} has no lower bound in pyproject.toml: give it one (>=)")
        pins.append(f"{name}=={floor.group(1)}")
    return pins


if __name__ == "__main__":
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    print("\n".join(lowest_pins(project["dependencies"])))
