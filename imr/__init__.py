"""imr — run the Illness Management and Recovery programme from plain-text files.

The package is a library with two thin front ends, `imr.cli` and `imr.web`, in layers that
only import downwards (enforced by the import-linter contract in pyproject.toml):
`core` (errors, wording, caches, files, YAML, packaged data), `records` (the writer, entry
kinds, privacy guard), `curriculum`, `workspace` (folder, git set-up, settings), `programme`
(plans, goals, groups, relapse plan, IMRS), `forms`, `render`, `gates` (check, history,
merge, sync) and `reports` (status, fidelity, report, export, diff). Nothing in the library
prints.
"""

__version__ = "0.1.0"
