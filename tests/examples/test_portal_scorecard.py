"""The partner portal's scorecard (issue 37) in headless Chromium, as partner A's user with
partner B's data present and the allow-list mode on: for each period of the picker, every
figure of every table (the charts' accessible alternative) equals the API's channelMetrics
answer for A, nothing of B shows, one chart per panel is drawn, the console stays clean and
axe finds no serious violation at 390 and 1280 px (screenshots kept)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import partial

from server.testing import live_server
from tests.examples.portal_browser import DOCUMENTS, audit_at_both_widths, console_errors, wait_for
from tests.examples.test_portal_pages import B_NAMES, _register_portal_documents, _two_partners

METRICS = (DOCUMENTS / "ChannelMetrics.graphql").read_text()
PANELS = ("funnel", "approval", "first-review", "decision", "pipeline", "leads", "cases")


def period(choice: str, today: date) -> dict:
    """What js/pages/scorecard.js asks for: the current quarter, or it and the three before."""
    quarter = (today.month - 1) // 3
    first = quarter if choice == "quarter" else quarter - 3
    year, month = (today.year, first * 3 + 1) if first >= 0 else (today.year - 1, (first + 4) * 3 + 1)
    end_month = quarter * 3 + 3
    end = date(today.year + (end_month == 12), end_month % 12 + 1, 1).toordinal() - 1
    return {"from": date(year, month, 1).isoformat(), "to": date.fromordinal(end).isoformat()}


def test_the_period_picker_covers_the_current_quarter_or_the_last_four():
    assert period("quarter", date(2026, 12, 7)) == {"from": "2026-10-01", "to": "2026-12-31"}
    assert period("year", date(2026, 12, 7)) == {"from": "2026-01-01", "to": "2026-12-31"}
    assert period("year", date(2026, 2, 1)) == {"from": "2025-04-01", "to": "2026-03-31"}
    assert period("quarter", date(2026, 5, 31)) == {"from": "2026-04-01", "to": "2026-06-30"}


def quarters(variables: dict) -> list[str]:
    index = lambda day: int(day[:4]) * 4 + (int(day[5:7]) - 1) // 3  # noqa: E731
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index(variables["from"]), index(variables["to"]) + 1)]


def quiet(quarter: str, rows: list[dict], currency: str) -> dict:
    """What the page shows for a quarter the API has no row for (no figure at all): zeros."""
    row = {key: 0 for key, value in rows[0].items() if isinstance(value, int)}
    row.update(quarter=quarter, approvalRate=None)
    for name in ("timeToFirstReview", "timeToDecision"):
        row[name] = {"count": 0, "medianHours": None, "p90Hours": None, "missedTarget": 0,
                     "targetHours": rows[0][name]["targetHours"]}
    for name in ("sourcedOpenPipeline", "sourcedWonNetArr"):
        row[name] = {"amount": "0", "currency": currency}
    return row


def _figure(row: dict, path: str):
    for key in path.split("."):
        row = None if row is None else row[key]
    return row


def _expected(driver, path: str, value) -> str:
    """The table's text for a figure, as the page formats it."""
    if value is None:
        return "—"
    if isinstance(value, dict):  # Money: the exact decimal in the browser's locale
        return driver.execute_script(
            "return new Intl.NumberFormat(navigator.language, {style: 'currency', currency: arguments[0].currency})"
            ".format(arguments[0].amount)", value)
    if path == "approvalRate":
        return f"{value * 100:.1f} %"
    if path.endswith("Hours"):
        return f"{value:.1f} h"
    return str(value)


async def test_the_scorecard_shows_partner_a_its_own_channel_metrics(gql, world, portal_origin, browser,
                                                                    cosell_database_url, cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    await _two_partners(gql, world)
    await _register_portal_documents()
    today = datetime.now(timezone.utc).date()
    answers = {}
    for choice in ("year", "quarter"):
        variables = period(choice, today)
        mine = await gql(METRICS, variables, token=world.tokens["alpha_user"])
        everyone = await gql(METRICS, variables, token=world.tokens["admin"])
        currency = mine["data"]["channelMetrics"]["currency"]
        mine, everyone = mine["data"]["channelMetrics"]["rows"], everyone["data"]["channelMetrics"]["rows"]
        # B's figures exist (staff count both partners), and A's answer is A's alone.
        assert sum(r["registrationsSubmitted"] for r in mine) == 1
        assert sum(r["registrationsSubmitted"] for r in everyone) == 2
        # Every quarter of the period, those without a row (no figure at all) as zeros.
        answered = {r["quarter"]: r for r in mine}
        answers[choice] = (variables, [answered.get(q) or quiet(q, mine, currency) for q in quarters(variables)])
        assert len(answers[choice][1]) == (4 if choice == "year" else 1)

    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin,
                     COSELL_TRUSTED_DOCUMENTS_ROLES="PARTNER_USER,PARTNER_ADMIN") as (api_url, _):
        driver = browser
        find = partial(driver.find_element, By.CSS_SELECTOR)
        driver.get(f"{portal_origin}/?api={api_url}/graphql")
        find("#token").send_keys(world.tokens["alpha_user"])
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#viewer").is_displayed())
        find('#nav a[href="#scorecard"]').click()

        for choice in ("year", "quarter"):  # the default first: the last 4 quarters
            variables, rows = answers[choice]
            if choice != "year":
                Select(find("#scorecard-period [name=period]")).select_by_value(choice)
            else:
                wait_for(driver, lambda: find("#scorecard-period [name=period]").is_displayed())
                assert Select(find("#scorecard-period [name=period]")).first_selected_option.text == "Last 4 quarters"
            wait_for(driver, lambda: find("#scorecard-state").get_attribute("data-from") == variables["from"]
                     and find("#scorecard-state").get_attribute("data-to") == variables["to"]
                     and len(driver.find_elements(By.CSS_SELECTOR, "#scorecard-cases-table tbody tr[data-quarter]"))
                     == len(rows))
            assert rows, choice
            for name in PANELS:
                table = find(f"#scorecard-{name}-table")
                shown = table.find_elements(By.CSS_SELECTOR, "tbody tr")
                assert [tr.get_attribute("data-quarter") for tr in shown] == [r["quarter"] for r in rows]
                for row in rows:
                    cells = table.find_elements(By.CSS_SELECTOR, f'tr[data-quarter="{row["quarter"]}"] td')
                    assert len(cells) > 1, name
                    for td in cells:
                        path = td.get_attribute("data-figure")
                        expected = row["quarter"] if path == "quarter" else _expected(driver, path, _figure(row, path))
                        assert td.text == expected, (choice, name, path)
                assert len(find(f"#scorecard-{name}").find_elements(By.CSS_SELECTOR, "canvas[role=img]")) == 1
            text = driver.execute_script("return document.body.innerText")
            assert not [b for b in B_NAMES if b in text]
            audit_at_both_widths(driver, f"scorecard-{choice}")
        assert console_errors(driver) == []


async def test_without_introspection_the_scorecard_says_it_is_not_available_yet(gql, world, portal_origin, browser,
                                                                              cosell_database_url, cosell_var_dir,
                                                                              tmp_path):
    """Nothing tells the portal that channelMetrics exists (COSELL_INTROSPECTION=0): the page
    keeps its fallback sentence and asks for no metrics."""
    from selenium.webdriver.common.by import By

    await _two_partners(gql, world)
    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_CORS_ORIGINS=portal_origin, COSELL_INTROSPECTION="0") as (api_url, _):
        driver = browser
        find = partial(driver.find_element, By.CSS_SELECTOR)
        driver.get(f"{portal_origin}/?api={api_url}/graphql#scorecard")
        find("#token").send_keys(world.tokens["alpha_user"])
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("#scorecard-state").get_attribute("data-state") == "unavailable")
        assert find("#scorecard-state").text == "Your scorecard will be available once channel metrics are enabled."
        assert driver.find_elements(By.CSS_SELECTOR, "#scorecard-period, #scorecard canvas, #scorecard table") == []
        assert console_errors(driver) == []
