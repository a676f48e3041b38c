from tests.quality.helpers import people  # noqa: F401  (fixture)
