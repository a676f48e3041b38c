"""Measures of the service (loyalty, speed, resolution), their rollups, the dashboards and
the voice of the customer."""
