"""The partner portal's browser harness (tests/examples/test_portal*.py): the portal served
on its own origin, headless Chromium through selenium, the axe-core audit, screenshots.

Chromium and chromedriver are Debian's packages (`.ci/run` installs them); axe-core and the
test OpenID Connect provider come from the npm registry (tests/portal_audit/package.json,
`make portal-test-tools`). Without them the browser tests fail when CI=true and are skipped
otherwise, so that developer runs stay green.

Screenshots at 390 px and 1280 px wide go to var/test-artifacts/portal/ (or the directory
COSELL_TEST_ARTIFACTS names, + /portal): CI keeps them as artifacts."""

from __future__ import annotations

import json
import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "examples" / "portal"
DOCUMENTS = PORTAL / "documents"
AUDIT_TOOLS = ROOT / "tests" / "portal_audit"
AXE = AUDIT_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
OIDC_CLIENT = PORTAL / "node_modules" / "oidc-client-ts" / "dist" / "browser" / "oidc-client-ts.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE, DESKTOP = 390, 1280


def artifacts_dir() -> Path:
    base = os.environ.get("COSELL_TEST_ARTIFACTS")
    path = (Path(base) if base else ROOT / "var" / "test-artifacts") / "portal"
    path.mkdir(parents=True, exist_ok=True)
    return path


def need(*paths: Path | str, hint: str) -> None:
    missing = [str(p) for p in paths if not os.path.exists(p)]
    if missing:
        message = f"{', '.join(missing)} missing ({hint})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": CI must run the portal's browser tests")
        pytest.skip(message + "; skipped outside CI only")


@pytest.fixture
def portal_config():
    """What the portal's static server answers for /config.json (the portal's settings file);
    a test changes it before loading the page."""
    return {"api": "http://127.0.0.1:8000/graphql", "oidc": None, "tokenSignIn": True}


@pytest.fixture
def portal_origin(portal_config):
    """examples/portal served as static files on its own origin, with the test's config.json."""
    need(OIDC_CLIENT, hint="cd examples/portal && npm ci, or make portal-assets")

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.split("?")[0] == "/config.json":
                body = json.dumps(portal_config).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(PORTAL)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(tmp_path):
    need(CHROMIUM, CHROMEDRIVER, hint="apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={DESKTOP},900")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def wait_for(driver, predicate, timeout: float = 20):
    """Until predicate() is true; an element replaced or not there yet (a page navigating,
    as on the way back from the identity provider) is asked again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def asked_again() -> bool:
        try:
            return predicate()
        except WebDriverException as exc:
            # An element found in the document being left, asked once the next one is in:
            # chromedriver says so as an inspector error, not as a stale element.
            if "does not belong to the document" in str(exc.msg or ""):
                return False
            raise

    return WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(lambda d: asked_again())


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def axe_violations(driver) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    need(AXE, hint="cd tests/portal_audit && npm ci, or make portal-test-tools")
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations), (e) => done(String(e)));")
    assert isinstance(result, list), result
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result if v["impact"] in ("serious", "critical")]


def horizontal_overflow(driver) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);")


def audit_at_both_widths(driver, name: str) -> None:
    """At 390 px and 1280 px: no sideways overflow, no serious axe violation, a screenshot."""
    try:
        for width in (PHONE, DESKTOP):
            driver.set_window_size(width, 900)
            wait_for(driver, lambda: driver.execute_script("return window.innerWidth") <= width)
            assert horizontal_overflow(driver) == 0, (name, width)
            driver.save_screenshot(str(artifacts_dir() / f"{name}-{width}.png"))
            violations = axe_violations(driver)
            assert violations == [], (name, width, violations)
    finally:
        driver.set_window_size(DESKTOP, 900)
