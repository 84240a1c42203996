"""imr — run the Illness Management and Recovery programme from plain-text files.

The package is a library (curriculum, records, planning, checks, rendering) with a thin
command-line interface in `imr.cli`. Nothing in the library prints.
"""

__version__ = "0.1.0"
