"""The reference partner portal (examples/portal, issues 20 and 37) in headless Chromium, on
its own origin, against a real API server (CORS): sign in with a token, see the
registrations, register a deal, follow its review, complete a co-sell task, with no console
error, no serious axe-core violation and no sideways overflow at phone width.

The harness (Chromium, axe-core, screenshots) is tests/examples/portal_browser.py."""

from __future__ import annotations

import re
from functools import partial

from graphql import parse, validate

from partners.opportunities.enums import OpportunityPartnerRole
from schema import build_schema
from server.testing import live_server
from tests.schema.cosell import add_task, create_plan
from tests.schema.program import CREATE, run
from tests.schema.registrations import ADVANCE, ok, register
from tests.schema.sales import create_account, create_opportunity, put_partner

from tests.examples.portal_browser import DOCUMENTS, PORTAL, audit_at_both_widths, console_errors, wait_for

def test_every_document_the_portal_uses_exists_and_is_valid_against_the_schema():
    used = {name for path in (PORTAL / "js").rglob("*.js") for name in re.findall(r'\.run\("(\w+)"', path.read_text())}
    files = {p.stem: p for p in DOCUMENTS.glob("*.graphql")}
    assert used and used == set(files), (used, set(files))
    schema = build_schema()._schema
    for name, path in files.items():
        document = parse(path.read_text())
        assert [d.name.value for d in document.definitions] == [name], path  # one operation, named as its file
        assert validate(schema, document) == [], path


async def test_refusal_messages_are_plain_and_the_rule_stays_in_its_field(gql, world):
    """Issue 37: the API's UserError message is written for a person; the rule id the domain
    cites (here R2, "… (R2).") is in `rule`, not in the text."""
    taken = await run(gql, CREATE, world.tokens["admin"], name="Gamma Two", nickname="ALPHA")
    assert [(e["code"], e["rule"], e["message"]) for e in taken["errors"]] == [
        ("NICKNAME_TAKEN", "R2", "Another partner has this nickname.")]
    bad = await run(gql, CREATE, world.tokens["admin"], name="Delta", nickname="bad nick")
    [nickname] = [e for e in bad["errors"] if e["code"] == "INVALID_NICKNAME"]
    assert nickname["rule"] == "R2" and "(R2)" not in nickname["message"] and nickname["message"].endswith("'_'.")


def test_the_portal_calls_the_api_only_through_its_documents():
    """No GraphQL text in the JavaScript: every operation is a file under documents/."""
    for path in (PORTAL / "js").glob("*.js"):
        text = path.read_text()
        assert not re.search(r"\b(query|mutation)\s+\w*\s*[({]", text), path


async def test_a_partner_user_works_the_portal_in_chromium(gql, world, portal_origin, browser, cosell_database_url,
                                                           cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By

    # What the partner finds when signing in: a registration, and a co-sell plan with a
    # partner-side task assigned to them (D3).
    await register(gql, world, "alpha_user", customer={"prospect": {"name": "Hooli", "website": "hooli.test"}})
    account = await create_account(gql, world, name="Initech, Ltd")
    opportunity = await create_opportunity(gql, world, account, name="Initech, Ltd- 50 Premium")
    await put_partner(opportunity["id"], world.partners["alpha"], OpportunityPartnerRole.RESELLER)
    plan = await create_plan(gql, world, opportunity["id"], "alpha")
    task = await add_task(gql, world, plan["id"], "alpha_user", title="Run the technical demo")

    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin) as (api_url, _):
        driver = browser
        driver.get(f"{portal_origin}/?api={api_url}/graphql")
        find = partial(driver.find_element, By.CSS_SELECTOR)

        find("#token-sign-in summary").click() if not find("#token").is_displayed() else None
        find("#token").send_keys(world.tokens["alpha_user"])
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())
        assert "Alpha Resellers" in find("#viewer").text

        # The partner's registrations (the API scopes them: one, theirs).
        wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, "#registrations tbody tr")) == 1)
        assert "Hooli" in find("#registrations tbody tr").text
        # Issue 40: amounts in their currency, in the browser's locale, from the exact string.
        in_locale = "return new Intl.NumberFormat(navigator.language, {style: 'currency', currency: arguments[1]})" \
                    ".format(arguments[0])"
        assert find("#registrations tbody tr td.amount").text == driver.execute_script(in_locale, "17400.00", "USD")

        # Register a deal; the portal then follows it.
        find("#register [name=name]").send_keys("Pied Piper")
        find("#register [name=website]").send_keys("piedpiper.test")
        find("#register [name=products]").send_keys("ci-cd, security")
        find("#register [name=amount]").send_keys("1234.50")
        find("#register [name=currency]").send_keys("eur")  # D5: the partner's local currency
        find("#register button[type=submit]").click()
        wait_for(driver, lambda: find("#registration").is_displayed())
        wait_for(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, "#registrations tbody tr")) == 2)
        assert find("#registration [data-bind=customerName]").text == "Pied Piper"
        assert find("#registration-status").text == "SUBMITTED"
        assert find("#registration-amount").text == driver.execute_script(in_locale, "1234.50", "EUR")
        new_id = find("#registration").get_attribute("data-id")

        # A channel manager takes the first review step (P4); the partner follows it.
        await ok(gql, world, ADVANCE, "cm_amer", id=new_id, note="Looks like ours")
        find("#refresh-registration").click()
        wait_for(driver, lambda: find("#registration-status").text == "PENDING_SALES_REVIEW")
        history = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#registration-history li")]
        assert len(history) == 2 and "Looks like ours" in history[1]
        # Issue 37: each step reads fromStatus → toStatus (the first has no fromStatus).
        assert "→ SUBMITTED" in history[0] and "SUBMITTED → PENDING_SALES_REVIEW" in history[1], history
        audit_at_both_widths(driver, "registrations")

        # Refused input comes back on the field, and nothing is registered.
        find("#register [name=name]").send_keys("Hooli")
        find("#register [name=website]").send_keys("hooli.test")
        find("#register [name=seats]").clear()
        find("#register [name=seats]").send_keys("0")
        find("#register button[type=submit]").click()
        wait_for(driver, lambda: find("#register-errors").is_displayed())
        codes = {li.get_attribute("data-code") for li in driver.find_elements(By.CSS_SELECTOR, "#register-errors li")}
        assert codes == {"PRODUCTS_REQUIRED", "SEATS_REQUIRED"}  # D2, O10
        assert find("#register [name=seats]").get_attribute("aria-invalid") == "true"

        # The co-sell task, on its page: complete it.
        find('#nav a[href="#tasks"]').click()
        row = f'#tasks tr[data-id="{task["id"]}"]'
        wait_for(driver, lambda: "Run the technical demo" in find(row).text)
        find(f"{row} button").click()
        wait_for(driver, lambda: "DONE" in find(row).text)
        assert not driver.find_elements(By.CSS_SELECTOR, f"{row} button")

        errors = console_errors(driver)
        assert errors == [], errors
        driver.execute_script("console.error('probe')")  # the check does see console errors
        assert any("probe" in e["message"] for e in console_errors(driver))

    registrations = await gql("{ dealRegistrations { totalCount } }", token=world.tokens["alpha_user"])
    assert registrations["data"]["dealRegistrations"]["totalCount"] == 2
