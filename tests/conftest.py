# The fixtures (`gql`, `world`, `cosell_app_factory` …) come from the pytest plugin `cosell`
# (server/testing.py), registered by the `pytest11` entry point in pyproject.toml: the
# project's tests use the test helpers exactly as a plugin author's tests do.
