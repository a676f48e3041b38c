from tests.factories import neutral_emotion  # noqa: F401  (autouse: no emotion model here)
