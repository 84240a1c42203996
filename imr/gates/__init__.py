"""What every record passes before it is trusted or shared: `check`, the append-only `history`
gate, the `merge` of clones, `sync` and `share`, and the per-record facts they compute once per
version of a record's bytes (`summaries`, `record_facts`, `integrity`)."""
