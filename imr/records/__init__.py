"""Records: participant and group files, read strictly and written by one append-only writer.

`record` parses a file, `kinds` declares every entry kind once, `state` folds a log into what
it means now, `store` finds a participant's file, `writer` appends under a lock, `pii` keeps
personal data out, and `cache`/`parsed` keep signed hints so large workspaces read quickly.
"""
