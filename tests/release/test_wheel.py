"""The release (issue 35): the wheel `python -m build` makes, installed into a fresh virtualenv
outside the checkout, runs `cosell migrate`, `cosell demo load` and `cosell serve` from a
directory of its own, keeps its files in the user's data directory, and serves GraphiQL, which
headless Chromium opens to run a query with a demo token.

Slow (a build, a virtualenv, a browser): it runs when CI=true (`make test` in .ci/run, which
builds the wheel once and names it in COSELL_WHEEL) or when COSELL_WHEEL names a wheel, and is
skipped otherwise. Without COSELL_WHEEL it builds the sdist and the wheel itself (npm and the
npm registry needed). The wheel's dependencies come from pip's configured index."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from partners.infra.engines import is_postgres_url
from server.settings import PROJECT_ROOT
from server.testing import _pg_admin, _with_database, free_port
from tests.examples.portal_browser import CHROMEDRIVER, CHROMIUM, FLAGS, console_errors, need, wait_for

pytestmark = pytest.mark.skipif(
    os.environ.get("CI") != "true" and not os.environ.get("COSELL_WHEEL"),
    reason="slow (builds and installs the wheel): runs under CI=true or with COSELL_WHEEL=path/to/cosell-*.whl")

QUERY = "{ viewer { email role } }"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if os.environ.get("COSELL_WHEEL"):
        path = Path(os.environ["COSELL_WHEEL"])
        assert path.is_file(), f"COSELL_WHEEL={path} is not a file"
        return path
    out = tmp_path_factory.mktemp("dist")
    # The sdist first, then the wheel from it, as a release is built: npm ci runs in the sdist.
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(PROJECT_ROOT)],
                   check=True, capture_output=True, timeout=900)
    return next(out.glob("cosell-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv (no system site-packages) with the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("release") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # PYTHONPATH=. (the checkout, with its cosell.egg-info) would make pip think cosell is there.
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                          env=without_checkout(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return venv / "bin"


@pytest.fixture
def database_url(cosell_database_url):
    """None on SQLite (the default database in the var dir is the point); an empty database
    on PostgreSQL."""
    if not is_postgres_url(cosell_database_url):
        yield None
        return
    name = f"cosell_wheel_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(cosell_database_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(cosell_database_url, name)
    finally:
        asyncio.run(_pg_admin(cosell_database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def without_checkout() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}


def user_environment(home: Path, database_url: str | None) -> dict[str, str]:
    """A user's shell: no checkout on the path, no cosell settings but the database's."""
    kept = {k: v for k, v in without_checkout().items()
            if not k.startswith(("COSELL_", "PICCOLO_", "XDG_")) and k not in ("DATABASE_URL", "HOME")}
    environment = {**kept, "HOME": str(home), "COSELL_LOG_JSON": "0"}
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


def test_the_installed_wheel_migrates_loads_the_demo_and_serves_graphiql(installed, database_url, tmp_path):
    home, cwd = tmp_path / "home", tmp_path / "anywhere"
    home.mkdir()
    cwd.mkdir()
    environment = user_environment(home, database_url)

    def cosell(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(installed / "cosell"), *args], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    where = subprocess.run([str(installed / "python"), "-c", "import server; print(server.__file__)"], cwd=cwd,
                           env=environment, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout and not where.stdout.startswith(str(PROJECT_ROOT)), where.stdout

    data_dir = home / ".local" / "share" / "cosell"  # platformdirs' user data dir on Linux
    cosell("migrate")
    cosell("demo", "load", "--quiet")
    tokens = data_dir / "demo-tokens.txt"
    assert tokens.is_file()
    if database_url is None:
        assert (data_dir / "cosell.sqlite3").is_file()
    assert not list(cwd.iterdir()), "nothing is written in the working directory"
    admin_token = next(line.split()[2] for line in tokens.read_text().splitlines() if line.startswith("ADMIN "))

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(installed / "cosell"), "serve", "--port", str(port)], cwd=cwd,
                                  env=environment, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        # One client for every poll: `httpx.get` builds one, hence an SSL context (~20 ms of CPU), per call.
        with httpx.Client(timeout=2) as client:
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    if client.get(f"{base}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        answer = run_query_in_graphiql(base, admin_token, tmp_path)
        assert answer["data"]["viewer"] == {"email": "admin@cosell.example", "role": "ADMIN"}
    finally:
        server.terminate()
        server.wait(timeout=60)


def run_query_in_graphiql(base: str, token: str, tmp_path: Path) -> dict:
    """GraphiQL from the installed package in headless Chromium: the token in its Headers
    (kept in localStorage, as a user's would be), the query run with its button; the answer
    as the result pane shows it. No console error (a missing asset or favicon would be one)."""
    need(CHROMIUM, CHROMEDRIVER, hint="apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(f"{base}/healthz")
        driver.execute_script(
            "localStorage.setItem('graphiql:headers', arguments[0]);"
            "localStorage.setItem('graphiql:query', arguments[1]);",
            json.dumps({"Authorization": f"Bearer {token}"}), QUERY)
        driver.get(f"{base}/graphql")
        button = wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, ".graphiql-execute-button"), 60)[0]
        wait_for(driver, lambda: "viewer" in driver.find_element(By.CSS_SELECTOR, ".graphiql-query-editor").text)
        button.click()
        wait_for(driver, lambda: '"email"' in result_text(driver), 60)
        text = result_text(driver)
        assert console_errors(driver) == [], console_errors(driver)
        return json.loads(text)
    finally:
        driver.quit()


def result_text(driver) -> str:
    """The result pane's text (a read-only CodeMirror: its lines, in order)."""
    return driver.execute_script(
        "var pane = document.querySelector('.result-window .CodeMirror');"
        "return pane ? pane.CodeMirror.getValue() : '';")
