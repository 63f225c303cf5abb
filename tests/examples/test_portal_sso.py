"""The partner portal's single sign-on (issue 37) in headless Chromium: OpenID Connect
authorization code with PKCE (oidc-client-ts) against a real OpenID provider for tests
(npm oauth2-mock-server, tests/portal_audit/idp.mjs), whose RS256 access token cosell
accepts through COSELL_JWT_ISSUERS (server/sso.py). A token for another audience and an
expired one are refused by cosell, and the portal says so in words a partner can act on."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import partial

import pytest

from server.testing import live_server
from tests.examples.portal_browser import AUDIT_TOOLS, audit_at_both_widths, console_errors, need, wait_for

CLIENT_ID = "cosell-partner-portal"


@pytest.fixture
def identity_provider(tmp_path):
    """The test OpenID provider; yields (issuer URL, write(state)), state being who signs in
    next, for which audience and for how long (idp.mjs reads it for each token)."""
    node = shutil.which("node") or "/usr/bin/node"
    need(node, AUDIT_TOOLS / "node_modules" / "oauth2-mock-server",
         hint="cd tests/portal_audit && npm ci, or make portal-test-tools")
    state = tmp_path / "idp-state.json"

    def write(**values):
        state.write_text(json.dumps(values))

    write(email="nobody@example.test", audience="cosell", expiresIn=3600)
    process = subprocess.Popen([node, str(AUDIT_TOOLS / "idp.mjs"), str(state)], cwd=AUDIT_TOOLS,
                               stdout=subprocess.PIPE, text=True)
    try:
        issuer = json.loads(process.stdout.readline())["issuer"]
        yield issuer, write
    finally:
        process.terminate()
        process.wait(timeout=10)


def _unexpected(errors: list[dict]) -> list[dict]:
    """Console errors other than Chromium's own line for the API's expected 401."""
    return [e for e in errors if "status of 401" not in e["message"]]


async def test_a_partner_signs_in_through_the_identity_provider(world, identity_provider, portal_config, portal_origin,
                                                                browser, cosell_database_url, cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By

    issuer, idp = identity_provider
    portal_config["oidc"] = {"authority": issuer, "clientId": CLIENT_ID, "label": "Sign in with Example SSO"}
    issuers = [{"issuer": issuer, "audience": "cosell", "jwks_url": f"{issuer}/jwks"}]
    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin, COSELL_JWT_ISSUERS=json.dumps(issuers)) as (api_url, _):
        driver = browser
        find = partial(driver.find_element, By.CSS_SELECTOR)
        portal = f"{portal_origin}/?api={api_url}/graphql"

        # The whole redirect: portal → provider's /authorize → back with a code → token
        # (PKCE) → cosell's Viewer with the access token.
        idp(email="alpha_user@cosell.test", audience="cosell", expiresIn=3600)
        driver.get(portal)
        wait_for(driver, lambda: find("#sso-sign-in").is_displayed())
        assert find("#sso-sign-in").text == "Sign in with Example SSO"
        audit_at_both_widths(driver, "sign-in")
        find("#sso-sign-in").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())
        assert find("#viewer").text == "Alpha User · Alpha Resellers"
        assert "code=" not in driver.current_url and "state=" not in driver.current_url
        assert driver.execute_script("return sessionStorage.getItem('cosell-portal-token')").count(".") == 2  # a JWT
        # The partner's data through the SSO token: partner A's (empty) registrations.
        wait_for(driver, lambda: find("#registrations-count").text == "(0)")
        assert console_errors(driver) == []

        # A token for another audience: cosell refuses it; the portal says what to do.
        find("#sign-out").click()
        wait_for(driver, lambda: find("#sso-sign-in").is_displayed())
        idp(email="alpha_user@cosell.test", audience="another-app", expiresIn=3600)
        find("#sso-sign-in").click()
        wait_for(driver, lambda: find("#sign-in-error").is_displayed())
        message = find("#sign-in-error .message").text
        assert "another application" in message and "audience" in message, message
        assert not find("#portal").is_displayed()
        find("#sign-in-error details summary").click()
        assert "audience (aud)" in find("#sign-in-error details").text

        # An expired token.
        idp(email="alpha_user@cosell.test", audience="cosell", expiresIn=-600)
        find("#sso-sign-in").click()
        wait_for(driver, lambda: "expired" in find("#sign-in-error .message").text)
        assert find("#sign-in-error .message").text == "Your sign-in has expired. Sign in again."
        assert not find("#portal").is_displayed()
        audit_at_both_widths(driver, "sign-in-refused")

        # Signed in at the provider, but no cosell user has that email.
        idp(email="stranger@example.test", audience="cosell", expiresIn=3600)
        find("#sso-sign-in").click()
        wait_for(driver, lambda: "invitation" in find("#sign-in-error .message").text)
        assert "no partner user for you" in find("#sign-in-error .message").text
        assert _unexpected(console_errors(driver)) == []
