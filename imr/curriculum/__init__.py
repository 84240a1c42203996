"""The curriculum as data: loading modules and sessions, content checks, readability, prefill keys."""
