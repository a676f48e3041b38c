"""The core help desk tests: see ``tests/factories.py``."""

from tests.factories import neutral_emotion

__all__ = ["neutral_emotion"]
