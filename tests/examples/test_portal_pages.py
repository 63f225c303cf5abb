"""Every page of the partner portal (issue 37) in headless Chromium, as partner A's user and
as partner A's admin, with partner B's data present, and with the allow-list mode on
(COSELL_TRUSTED_DOCUMENTS_ROLES: partner roles run only the portal's registered documents):
the figures shown are the API's answers for A, nothing of B appears, the console stays
clean, axe finds no serious violation at 390 and 1280 px (screenshots kept)."""

from __future__ import annotations

from functools import partial

from partners.documents import store
from schema import build_schema
from schema.documents.check import check_documents
from schema.documents.files import documents_from_files
from server.settings import Settings
from server.testing import live_server
from tests.examples.portal_browser import DOCUMENTS, audit_at_both_widths, console_errors, wait_for
from tests.schema.discounts import add_policy_ok
from tests.schema.leads import open_case, shared_lead
from tests.schema.registrations import approved, register
from tests.schema.webhooks import create_endpoint, deliver, partner_admins

B_NAMES = ("Beta Distribution", "Umbrella B Corp", "Soylent B Lead", "B-only case", "hooks.beta.test")


async def _register_portal_documents() -> None:
    documents = documents_from_files(sorted(DOCUMENTS.glob("*.graphql")))
    settings = Settings.from_env()
    check_documents(build_schema(settings), settings, documents)
    await store.add(documents)


async def _two_partners(gql, world) -> None:
    """What partners A and B each have: a webhook endpoint (first, so the registrations'
    events are for it), a registration, a shared lead, a case."""
    await partner_admins(world)
    for partner in ("alpha", "beta"):
        created = await create_endpoint(gql, world, f"{partner}_admin", f"https://hooks.{partner}.test/cosell",
                                        ["DEAL_REGISTRATION"])
        assert created["errors"] == [], created
    await add_policy_ok(gql, world)
    quoted = await register(gql, world, "alpha_user", customer={"prospect": {"name": "Hooli", "website": "hooli.test"}})
    await approved(gql, world, quoted["id"])  # approved: an opportunity, so a discount quote (P8)
    await register(gql, world, "beta_user", customer={"prospect": {"name": "Umbrella B Corp", "website": "umbrella.test",
                                                                    "country": "DE", "region": "EMEA"}})
    await shared_lead(gql, world, "alpha", company="Initrode A Lead", contactEmail="bill@initrode.test")
    await shared_lead(gql, world, "beta", token="admin", company="Soylent B Lead", contactEmail="sol@soylent.test")
    await open_case(gql, world, "alpha_user", subject="Partner Opp: A-only case")
    await open_case(gql, world, "beta_user", subject="Partner Opp: B-only case")


def _text(driver) -> str:
    return driver.execute_script("return document.body.innerText")


async def test_partner_pages_show_only_partner_a_under_the_allow_list(gql, world, cosell_client, portal_origin, browser,
                                                                     cosell_database_url, cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By

    await _two_partners(gql, world)
    await deliver(cosell_client)  # the registrations' events: an attempt each (hooks.*.test do not resolve)
    await _register_portal_documents()
    token = world.tokens["alpha_admin"]
    answers = (await gql("""{ dealRegistrations { totalCount nodes { id discountQuote {
                                totalMoney { amount currency } lines { key amountMoney { amount currency } } } } }
                              leads { totalCount nodes { company acceptDueAt } }
                              cases { totalCount nodes { subject } }
                              webhookEndpoints { nodes { url deliveries { nodes { id status } } } }
                              users { nodes { email } } }""", token=token))["data"]

    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin,
                     COSELL_TRUSTED_DOCUMENTS_ROLES="PARTNER_USER,PARTNER_ADMIN") as (api_url, _):
        driver = browser
        find = partial(driver.find_element, By.CSS_SELECTOR)
        rows = lambda table: driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr:not(.empty)")  # noqa: E731

        driver.get(f"{portal_origin}/?api={api_url}/graphql")
        find("#token").send_keys(token)
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())
        assert find("#viewer").text == "Alpha Admin · Alpha Resellers"
        nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#nav a")]
        assert nav == ["Registrations", "Leads", "Cases", "Co-sell tasks", "People", "Webhooks", "Locator", "Scorecard"]

        # Registrations: the count is the API's, under the allow-list mode.
        wait_for(driver, lambda: find("#registrations-count").text == f"({answers['dealRegistrations']['totalCount']})")
        assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows("registrations")] == ["Hooli"]
        # Its discount quote lines (P8), each amount the API's, in the browser's locale.
        [reg] = answers["dealRegistrations"]["nodes"]
        in_locale = "return new Intl.NumberFormat(navigator.language, {style: 'currency', currency: arguments[0].currency})" \
                    ".format(arguments[0].amount)"
        rows("registrations")[0].find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: find("#registration").is_displayed() and find("#quote-lines").is_displayed())
        assert reg["discountQuote"]["lines"], reg
        for item in reg["discountQuote"]["lines"]:
            shown = find(f'#quote-lines tr[data-key="{item["key"]}"] td.amount').text
            assert shown == driver.execute_script(in_locale, item["amountMoney"]), item
        assert driver.execute_script(in_locale, reg["discountQuote"]["totalMoney"]) in find("#quote-total").text
        audit_at_both_widths(driver, "registrations-admin")

        # Leads: A's shared lead with its countdown to the acceptance due date (P11).
        find('#nav a[href="#leads"]').click()
        wait_for(driver, lambda: find("#leads-count").text == f"({answers['leads']['totalCount']})")
        [lead] = answers["leads"]["nodes"]
        [row] = rows("leads")
        assert lead["company"] in row.text
        countdown = driver.execute_script(
            "const s = (new Date(arguments[0]) - Date.now()) / 1000;"
            "return new Intl.RelativeTimeFormat(navigator.language, {numeric: 'auto'}).format(Math.round(s / 86400), 'day');",
            lead["acceptDueAt"])
        assert row.find_element(By.CSS_SELECTOR, ".accept-due").text == countdown
        audit_at_both_widths(driver, "leads")
        # Accept it: the status follows.
        row.find_element(By.CSS_SELECTOR, "button").click()
        find("#lead-decision [name=note]").send_keys("We know them")
        find('#lead-decision [data-lead="accept"]').click()
        wait_for(driver, lambda: "ACCEPTED" in rows("leads")[0].text)

        # Cases: A's case only; comment on it; open a new Partner Opp case.
        find('#nav a[href="#cases"]').click()
        wait_for(driver, lambda: find("#cases-count").text == f"({answers['cases']['totalCount']})")
        assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows("cases")] == \
            [c["subject"] for c in answers["cases"]["nodes"]]
        rows("cases")[0].find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: find("#case").is_displayed())
        find("#comment [name=body]").send_keys("Any news?")
        find("#comment button").click()
        wait_for(driver, lambda: "Any news?" in find("#case-comments").text)
        audit_at_both_widths(driver, "cases")

        # People (admins): A's people only; invite a colleague.
        find('#nav a[href="#people"]').click()
        wait_for(driver, lambda: len(rows("people")) == len(answers["users"]["nodes"]))
        assert sorted(r.find_elements(By.CSS_SELECTOR, "td")[1].text for r in rows("people")) == \
            sorted(u["email"] for u in answers["users"]["nodes"])
        find("#invite [name=name]").send_keys("Ada Alpha")
        find("#invite [name=email]").send_keys("ada@alpha.test")
        find("#invite button").click()
        wait_for(driver, lambda: "ada@alpha.test" in find("#invitations").text)
        audit_at_both_widths(driver, "people")

        # Webhooks (admins): A's endpoint; rotating shows the new secret once.
        find('#nav a[href="#webhooks"]').click()
        wait_for(driver, lambda: len(rows("webhooks")) == 1)
        assert rows("webhooks")[0].find_element(By.CSS_SELECTOR, "td").text == \
            answers["webhookEndpoints"]["nodes"][0]["url"]
        deliveries = answers["webhookEndpoints"]["nodes"][0]["deliveries"]["nodes"]
        wait_for(driver, lambda: len(rows("deliveries")) == len(deliveries) > 0)
        assert [r.get_attribute("data-id") for r in rows("deliveries")] == [d["id"] for d in deliveries]
        assert [r.find_element(By.CSS_SELECTOR, ".status").text for r in rows("deliveries")] == \
            [d["status"] for d in deliveries]
        # Redeliver the first: a new delivery in the log.
        rows("deliveries")[0].find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: len(rows("deliveries")) == len(deliveries) + 1)
        rows("webhooks")[0].find_element(By.XPATH, ".//button[text()='Rotate secret']").click()
        wait_for(driver, lambda: find("#webhook-secret").is_displayed())
        assert find("#webhook-secret-value").text
        audit_at_both_widths(driver, "webhooks")

        # Locator and scorecard.
        find('#nav a[href="#locator"]').click()
        wait_for(driver, lambda: "partner(s) found" in find("#locator-count").text)
        audit_at_both_widths(driver, "locator")
        find('#nav a[href="#scorecard"]').click()
        # (its figures: tests/examples/test_portal_scorecard.py)
        wait_for(driver, lambda: find("#scorecard-state").get_attribute("data-state") == "metrics")
        audit_at_both_widths(driver, "scorecard")

        for page in ("registrations", "leads", "cases", "people", "webhooks"):
            find(f'#nav a[href="#{page}"]').click()
            wait_for(driver, lambda: find(f'[data-page="{page}"]').is_displayed())
            text = _text(driver)
            assert not [name for name in B_NAMES if name in text], page
        assert console_errors(driver) == []

        # A partner user: no People or Webhooks pages, not even by their address.
        find("#sign-out").click()
        wait_for(driver, lambda: find("#token").is_displayed())
        find("#token").send_keys(world.tokens["alpha_user"])
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())
        nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#nav a")]
        assert "People" not in nav and "Webhooks" not in nav
        driver.get(f"{portal_origin}/#people")
        wait_for(driver, lambda: find('[data-page="registrations"]').is_displayed())
        assert not find('[data-page="people"]').is_displayed()
        assert console_errors(driver) == []


async def test_a_partner_user_withdraws_resubmits_acts_on_a_lead_and_never_sees_internal_comments(
        gql, world, portal_origin, browser, cosell_database_url, cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By

    from tests.schema import leads as lead_api
    from tests.schema import registrations as reg_api

    await _two_partners(gql, world)
    # P4: one registration returned to the partner with a question, one still in review.
    returned = await register(gql, world, "alpha_user", customer={"prospect": {"name": "Returned Co", "website": "ret.test"}})
    await reg_api.ok(gql, world, reg_api.RETURN, "cm_amer", id=returned["id"], reason="Which team is buying?")
    pending = await register(gql, world, "alpha_user", customer={"prospect": {"name": "Pending Co", "website": "pen.test"}})
    # P11: an accepted lead to act on.
    accepted = await shared_lead(gql, world, "alpha", company="Accepted A Lead", contactEmail="acc@accepted.test")
    await lead_api.ok(gql, world, lead_api.ACCEPT_LEAD, "alpha_user", id=accepted["id"], note="Ours")
    # D9: the SMB team comments on A's case, once publicly and once internally.
    [case] = (await gql("{ cases { nodes { id } } }", token=world.tokens["alpha_user"]))["data"]["cases"]["nodes"]
    await lead_api.ok(gql, world, lead_api.PICK_UP_CASE, "advocate", key="case", id=case["id"])
    await lead_api.ok(gql, world, lead_api.COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="On it")
    await lead_api.ok(gql, world, lead_api.COMMENT_ON_CASE, "advocate", key="comment", id=case["id"],
                      body="Internal: check the discount with the CM", internal=True)
    await _register_portal_documents()
    located = (await gql("{ partnerLocator { totalCount } dealRegistrations { totalCount } }",
                         token=world.tokens["alpha_user"]))["data"]
    total = f"({located['dealRegistrations']['totalCount']})"
    assert total == "(3)"  # Hooli, Returned Co, Pending Co: partner A's

    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin,
                     COSELL_TRUSTED_DOCUMENTS_ROLES="PARTNER_USER,PARTNER_ADMIN") as (api_url, _):
        driver = browser
        find = partial(driver.find_element, By.CSS_SELECTOR)
        row = lambda table, id_: find(f'#{table} tr[data-id="{id_}"]')  # noqa: E731

        driver.get(f"{portal_origin}/?api={api_url}/graphql")
        find("#token").send_keys(world.tokens["alpha_user"])
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())

        # Filter: the returned one only.
        wait_for(driver, lambda: find("#registrations-count").text == total)
        from selenium.webdriver.support.ui import Select

        Select(find("#registration-filters [name=status]")).select_by_visible_text("RETURNED")
        find("#registration-filters button").click()
        wait_for(driver, lambda: find("#registrations-count").text == "(1)")
        row("registrations", returned["id"]).find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: find("#resubmit").is_displayed())
        assert "PENDING_SALES_REVIEW → RETURNED" in find("#registration-history").text or \
            "SUBMITTED → RETURNED" in find("#registration-history").text
        find("#resubmit [name=notes]").send_keys("The platform team")
        find("#resubmit button").click()
        wait_for(driver, lambda: find("#registration-status").text == "SUBMITTED")
        assert "RETURNED → SUBMITTED" in find("#registration-history").text

        # Withdraw the pending one.
        Select(find("#registration-filters [name=status]")).select_by_visible_text("Any")
        find("#registration-filters button").click()
        wait_for(driver, lambda: find("#registrations-count").text == total)
        row("registrations", pending["id"]).find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: find("#registration").get_attribute("data-id") == pending["id"]
                 and find("#withdraw-registration").is_displayed())
        find("#withdraw-registration").click()
        wait_for(driver, lambda: find("#registration-status").text == "WITHDRAWN")
        assert not find("#withdraw-registration").is_displayed()

        # Leads, by keyboard only: Tab to the nav link, Enter; Tab to the lead's button, Enter.
        from selenium.webdriver.common.keys import Keys

        def tab_to(selector, limit=60):
            for _ in range(limit):
                driver.switch_to.active_element.send_keys(Keys.TAB)
                if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
                    return driver.switch_to.active_element
            raise AssertionError(f"{selector} is not reachable with Tab")

        tab_to('#nav a[href="#leads"]').send_keys(Keys.ENTER)
        wait_for(driver, lambda: row("leads", accepted["id"]).is_displayed())
        tab_to(f'#leads tr[data-id="{accepted["id"]}"] button').send_keys(Keys.ENTER)
        wait_for(driver, lambda: find("#lead-decision").is_displayed())
        assert driver.execute_script("return document.activeElement.name") == "note"  # focus moved to the form
        # Ask for more days (P11), then act on it.
        find("#lead-decision [name=note]").send_keys("The CTO is away")
        find('#lead-decision [data-lead="extend"]').click()
        wait_for(driver, lambda: "extension asked" in row("leads", accepted["id"]).text)
        row("leads", accepted["id"]).find_element(By.CSS_SELECTOR, "button").click()
        Select(find("#lead-decision [name=action]")).select_by_visible_text("MEETING")
        find("#lead-decision [name=note]").send_keys("Met the CTO")
        find('#lead-decision [data-lead="act"]').click()
        wait_for(driver, lambda: "MEETING" in row("leads", accepted["id"]).text)

        # Cases: the public comment, never the internal one.
        find('#nav a[href="#cases"]').click()
        wait_for(driver, lambda: row("cases", case["id"]).is_displayed())
        row("cases", case["id"]).find_element(By.CSS_SELECTOR, "button").click()
        wait_for(driver, lambda: "On it" in find("#case-comments").text)
        assert "Internal" not in find("#case-comments").text and "check the discount" not in driver.page_source

        # Locator: the API's count.
        find('#nav a[href="#locator"]').click()
        wait_for(driver, lambda: find("#locator-count").text ==
                 f"{located['partnerLocator']['totalCount']} partner(s) found.")
        audit_at_both_widths(driver, "partner-user-locator")
        assert console_errors(driver) == []

    after = await gql(f'{{ a: node(id: "{returned["id"]}") {{ ... on DealRegistration {{ status }} }} '
                      f'b: node(id: "{pending["id"]}") {{ ... on DealRegistration {{ status }} }} '
                      f'c: node(id: "{accepted["id"]}") {{ ... on Lead {{ status }} }} }}', token=world.tokens["alpha_user"])
    assert after["data"] == {"a": {"status": "SUBMITTED"}, "b": {"status": "WITHDRAWN"}, "c": {"status": "MEETING"}}
