# The fixtures (`gql`, `world`, `cosell_app_factory` …) come from the pytest plugin `cosell`
# (server/testing.py), registered by the `pytest11` entry point in pyproject.toml: the
# project's tests use the test helpers exactly as a plugin author's tests do.

# The local S3-compatible endpoint of the attachment store's tests (tests/s3.py).
from tests.s3 import s3_bucket, s3_endpoint  # noqa: E402,F401
