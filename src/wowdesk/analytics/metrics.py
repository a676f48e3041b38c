"""The definitions of the measures (pure: no Django import). ``docs/metrics.md`` cites each."""
