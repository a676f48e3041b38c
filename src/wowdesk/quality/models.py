"""Scorecards, reviews, their replies and calibration sessions (the part that builds
quality adds the models)."""
