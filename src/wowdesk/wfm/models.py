"""Forecasts, rosters and their shifts, swap and time-off requests (the parts add the
models)."""
