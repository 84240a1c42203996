"""What supervisors and managers read: `status`, `fidelity`, the `report` (and its rendering, its
charts and the regional `wards` report), `export`, and the `diff` views of what changed."""
