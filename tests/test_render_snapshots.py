"""Snapshots of the Markdown the templates make, compared with tests/testdata/render/*.md.

`pytest --update-testdata` rewrites the reference files on purpose; review the diff in git.
The workspace uses the fixed test curriculum, so only template and label changes move these.
"""

from __future__ import annotations

import pytest
from render_support import DATE, TESTDATA, ws  # noqa: F401  (ws is a fixture)

CASES = {
    "handout-1.1": ["render", "handout", "1.1"],
    "handout-1.2-p-01": ["render", "handout", "1.2", "--for", "p-01", "--date", DATE],
    "module-1": ["render", "bundle", "--module", "1"],
    "folder-p-01": ["render", "bundle", "--for", "p-01", "--date", DATE],
    "manual-module-1": ["render", "manual", "--module", "1"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_matches_the_reference(ws, update_testdata, name):
    from datetime import date

    # Entries made by the fixture are written today; their day is not what a snapshot tests.
    markdown = ws.ok(*CASES[name], "-o", "-").stdout.replace(date.today().isoformat(), "TODAY")
    reference = TESTDATA / f"{name}.md"
    if update_testdata:
        reference.write_text(markdown, encoding="utf-8")
        return
    assert reference.is_file(), f"no reference yet: run pytest {__file__} --update-testdata"
    assert markdown == reference.read_text(encoding="utf-8"), f"{name} changed; if intended, --update-testdata"
