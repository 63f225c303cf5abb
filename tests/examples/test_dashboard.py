"""The channel dashboard (/dashboard, issue 36) in headless Chromium against a real server
on the demo world: a staff member signs in with their token, every chart renders the
figures channelMetrics answers, each has a table view with the same figures, the console
stays clean; screenshots at desktop (1280 px) and tablet (768 px) widths are kept in the
test artifacts directory ($COSELL_TEST_ARTIFACTS, else var/test-artifacts/).

Chromium and chromedriver as for tests/examples/test_portal.py (a failure under CI=true,
skipped otherwise)."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import partial
from pathlib import Path

from partners.infra.clock import now
from partners.people.enums import Role
from server.testing import live_server
from tests.demo_world import demo_world
from tests.examples.portal_browser import browser, console_errors, wait_for  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("COSELL_TEST_ARTIFACTS") or ROOT / "var" / "test-artifacts")
TOTAL = """query($f: ChannelMetricsFilter!) { channelMetrics(filter: $f) { rows {
  registrationsSubmitted registrationsApproved registrationsDenied registrationsReturned registrationsWithdrawn
  registrationsExpired leadsShared leadsAcceptedInTime leadsActedOnInTime leadsRecalled casesOpened
  casesPickedUpInTime casesClosedInTime } }
  byPartner: channelMetrics(filter: $f, groupBy: [PARTNER]) { rows { partnerName sourcedOpenPipeline { amount } } }
  byRegion: channelMetrics(filter: $f, groupBy: [REGION]) { rows { region sourcedOpenPipeline { amount } } } }"""


def chart_data(driver, panel: str) -> list[list]:
    return driver.execute_script(
        "var c = Chart.getChart(document.querySelector(arguments[0] + ' canvas'));"
        "return c ? c.data.datasets.map(function (d) { return d.data; }) : null;", f"#{panel}")


def drawn(driver, panel: str) -> bool:
    """The canvas has non-transparent pixels: the chart was painted."""
    return driver.execute_script(
        "var c = document.querySelector(arguments[0] + ' canvas'); if (!c || !c.width) return false;"
        "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "for (var i = 3; i < d.length; i += 4) { if (d[i]) return true; } return false;", f"#{panel}")


def table_rows(driver, panel: str) -> list[list[str]]:
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll(arguments[0] + ' tbody tr'), function (tr) {"
        "  return Array.prototype.map.call(tr.cells, function (td) { return td.textContent; }); });", f"#{panel}")


async def test_staff_see_the_channel_dashboard_in_chromium(gql, browser, cosell_database_url,  # noqa: F811
                                                           cosell_var_dir, tmp_path):
    from selenium.webdriver.common.by import By

    logins = {login.role: login for login in await demo_world()}
    token = logins[Role.CHANNEL_MANAGER].token
    today = now().date()
    period = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    answer = (await gql(TOTAL, {"f": period}, token=token))["data"]
    total = answer["channelMetrics"]["rows"][0]

    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir)) as (api_url, _):
        driver = browser
        driver.set_window_size(1280, 1000)
        driver.get(f"{api_url}/dashboard")
        find = partial(driver.find_element, By.CSS_SELECTOR)
        # The page's default period is the last 365 days, as asked above.
        assert find("#criteria [name=from]").get_attribute("value") == period["from"]
        find("#token").send_keys(token)
        find("#sign-in button[type=submit]").click()
        wait_for(driver, lambda: find("body").get_attribute("data-ready") == "true")

        funnel = [total[k] for k in ("registrationsSubmitted", "registrationsApproved", "registrationsDenied",
                                     "registrationsReturned", "registrationsWithdrawn", "registrationsExpired")]
        assert chart_data(driver, "funnel") == [funnel] and funnel[0] > 0
        assert chart_data(driver, "lead-sla") == [[total[k] for k in ("leadsShared", "leadsAcceptedInTime",
                                                                      "leadsActedOnInTime", "leadsRecalled")]]
        assert chart_data(driver, "case-sla") == [[total[k] for k in ("casesOpened", "casesPickedUpInTime",
                                                                      "casesClosedInTime")]]
        sourced = {r["region"]: float(r["sourcedOpenPipeline"]["amount"]) for r in answer["byRegion"]["rows"]
                   if r["region"] and (float(r["sourcedOpenPipeline"]["amount"]) or True)}
        region_labels = driver.execute_script(
            "return Chart.getChart(document.querySelector('#pipeline-region canvas')).data.labels;")
        assert dict(zip(region_labels, chart_data(driver, "pipeline-region")[0])) == sourced
        assert any(sourced.values()), "the demo world has partner-sourced pipeline"
        partners = {r["partnerName"] for r in answer["byPartner"]["rows"] if float(r["sourcedOpenPipeline"]["amount"])}
        assert partners and partners <= set(driver.execute_script(
            "return Chart.getChart(document.querySelector('#pipeline-partner canvas')).data.labels;"))
        for panel in ("funnel", "review-times", "pipeline-partner", "pipeline-region", "lead-sla", "case-sla"):
            assert drawn(driver, panel), panel

        # Each chart has a table view with the same figures.
        find("#funnel .toggle").click()
        assert find("#funnel .table-view").is_displayed() and not find("#funnel .chart").is_displayed()
        assert [row[1] for row in table_rows(driver, "funnel")][:6] == [str(n) for n in funnel]
        find("#funnel .toggle").click()
        assert find("#funnel .chart").is_displayed()
        assert [row[1] for row in table_rows(driver, "case-sla")] == [str(total["casesOpened"]),
                                                                    str(total["casesPickedUpInTime"]),
                                                                    str(total["casesClosedInTime"])]
        assert {row[0] for row in table_rows(driver, "pipeline-region")} == set(sourced)

        # Regions narrow every chart (the API filters).
        find("#criteria [name=regions][value=EMEA]").click()
        find("#criteria button[type=submit]").click()
        wait_for(driver, lambda: find("body").get_attribute("data-ready") == "true")
        emea = (await gql(TOTAL, {"f": period | {"regions": ["EMEA"]}}, token=token))["data"]["channelMetrics"]["rows"]
        wait_for(driver, lambda: chart_data(driver, "funnel") == [[
            emea[0][k] if emea else 0 for k in ("registrationsSubmitted", "registrationsApproved",
                                                "registrationsDenied", "registrationsReturned",
                                                "registrationsWithdrawn", "registrationsExpired")]])
        find("#criteria [name=regions][value=EMEA]").click()
        find("#criteria button[type=submit]").click()
        wait_for(driver, lambda: chart_data(driver, "funnel") == [funnel])

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 768):
            driver.set_window_size(width, 1000)
            height = driver.execute_script("return document.documentElement.scrollHeight;")
            driver.set_window_size(width, height + 120)
            wait_for(driver, lambda: drawn(driver, "case-sla"))
            path = ARTIFACTS / f"dashboard-{width}.png"
            assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000

        assert console_errors(driver) == []
