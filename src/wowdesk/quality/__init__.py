"""Quality reviews that coach: scorecards, the review queue, calibration."""
