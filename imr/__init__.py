"""imr — run the Illness Management and Recovery programme from plain-text files.

The package is a library with a thin command-line interface in `imr.cli`, in layers that
only import downwards: `records` (files, writer, entry kinds, privacy guard) and `workspace`
(folder, git set-up, settings) at the bottom, then `curriculum`, `programme` (plans, goals,
groups, relapse plan, IMRS), `supervision` (check, gates, merge, diff, status, fidelity,
report) and `render`. Nothing in the library prints.
"""

__version__ = "0.1.0"
