# The fixtures (`gql`, `world`, `cosell_app_factory` …) come from the pytest plugin `cosell`
# (server/testing.py), registered by the `pytest11` entry point in pyproject.toml: the
# project's tests use the test helpers exactly as a plugin author's tests do.

import os
import shutil

# The local S3-compatible endpoint of the attachment store's tests (tests/s3.py).
from tests.s3 import s3_bucket, s3_endpoint  # noqa: E402,F401
from tests.ordering import order_for_workers

TMPFS = "/dev/shm"
TMPFS_FREE = 4 << 30  # the release test's virtualenv, browser profiles and databases fit easily


def pytest_configure(config):
    # The temporary directories (the SQLite test databases among them) in memory when the
    # machine has room there: SQLite syncs the disk at every commit, which on a busy disk
    # made a test's setup wait several times longer than the CPU it used. A --basetemp,
    # TMPDIR or PYTEST_DEBUG_TEMPROOT of your own wins.
    if config.option.basetemp or os.environ.get("TMPDIR") or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    if os.path.isdir(TMPFS) and os.access(TMPFS, os.W_OK) and shutil.disk_usage(TMPFS).free >= TMPFS_FREE:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = TMPFS


def pytest_collection_modifyitems(config, items):
    # Under pytest-xdist the long tests start first, spread over the workers (tests/ordering.py).
    workers = getattr(config, "workerinput", {}).get("workercount")
    if workers:
        items[:] = order_for_workers(items, workers)
