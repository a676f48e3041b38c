"""Workforce management: forecast, staffing (Erlang C and A), rosters, simulation and
adherence. The algorithms are plain modules with no Django import."""
