"""GraphiQL as a workbench (issue 36): the example operations of schema/workbench/ are valid,
registered as trusted documents and opened as GraphiQL's tabs, with the Explorer plugin;
in headless Chromium a channel manager runs the review queue tab, console clean."""

from __future__ import annotations

import json
from pathlib import Path

from partners.documents import store
from schema import build_schema
from schema.documents.check import check_documents
from schema.documents.files import documents_from_files
from server.settings import Settings
from server.testing import live_server
from server.workbench import ORDER, WORKBENCH_DIR
from tests.examples.portal_browser import browser, console_errors, wait_for  # noqa: F401 (the fixture)
from tests.schema.registrations import register

NAMES = {"review_queue": "MyReviewQueue", "account_executives": "AccountExecutives",
         "approve_with_ae": "ApproveWithAccountExecutive", "partner_scorecard": "PartnerScorecard",
         "partners_near_city": "PartnersNearCity", "share_lead": "ShareLead", "lead_queue": "MyLeadQueue",
         "case_queue": "MyCaseQueue"}


def _files() -> list[Path]:
    return sorted(WORKBENCH_DIR.glob("*.graphql"))


def test_every_workbench_file_is_one_named_operation_valid_against_the_schema_and_the_limits():
    assert {p.stem for p in _files()} == set(ORDER) == set(NAMES)
    documents = documents_from_files(_files())
    assert sorted(d.operation_names for d in documents) == sorted((name,) for name in NAMES.values())
    settings = Settings.from_env()
    check_documents(build_schema(settings), settings, documents)  # what `cosell documents add` checks


async def test_graphiql_gets_the_workbench_tabs_and_runs_them_by_their_registered_ids(cosell_client, gql, world):
    body = (await cosell_client.get("/graphiql/workbench.json")).json()
    assert [tab["name"] for tab in body["tabs"]] == list(ORDER)
    for tab in body["tabs"]:
        assert tab["query"] == (WORKBENCH_DIR / f"{tab['name']}.graphql").read_text()
        assert f"query {NAMES[tab['name']]}" in tab["query"] or f"mutation {NAMES[tab['name']]}" in tab["query"]
        json.loads(tab["variables"])
    # Registered as `cosell documents add schema/workbench/` does; sent by id it answers as by text.
    await store.add(documents_from_files(_files()))
    await register(gql, world, customer={"prospect": {"name": "Hooli"}})
    (queue,) = [tab for tab in body["tabs"] if tab["name"] == "review_queue"]
    headers = {"Authorization": f"Bearer {world.tokens['cm_amer']}"}
    variables = json.loads(queue["variables"])
    by_id = (await cosell_client.post("/graphql", json={"documentId": queue["documentId"], "variables": variables},
                                      headers=headers)).json()
    by_text = (await cosell_client.post("/graphql", json={"query": queue["query"], "variables": variables},
                                        headers=headers)).json()
    assert by_id["data"] == by_text["data"]
    assert [n["customerName"] for n in by_id["data"]["dealRegistrations"]["nodes"]] == ["Hooli"]


async def test_graphiql_opens_with_the_workbench_tabs_and_the_explorer_in_chromium(
        gql, world, browser, cosell_database_url, cosell_var_dir, tmp_path):  # noqa: F811 (the fixture)
    from selenium.webdriver.common.by import By

    await register(gql, world, customer={"prospect": {"name": "Pied Piper"}})
    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir)) as (api_url, _):
        driver = browser
        # The channel manager's token, as the Headers tab keeps it (shouldPersistHeaders), set
        # on the origin before GraphiQL first opens there.
        driver.get(f"{api_url}/graphiql/workbench.json")
        driver.execute_script("localStorage.setItem('graphiql:headers', arguments[0])",
                              json.dumps({"Authorization": f"Bearer {world.tokens['cm_amer']}"}))
        driver.get_log("browser")  # read and cleared: that JSON page's own favicon.ico 404 is not GraphiQL's
        driver.get(f"{api_url}/graphql")

        def tabs():
            return [t.text for t in driver.find_elements(By.CSS_SELECTOR, ".graphiql-tab")]

        wait_for(driver, lambda: len(tabs()) == len(ORDER))
        assert [t.splitlines()[0] for t in tabs()] == [NAMES[name] for name in ORDER]
        # The Explorer plugin is open: the schema's root fields to tick.
        wait_for(driver, lambda: driver.find_elements(By.CSS_SELECTOR, ".graphiql-explorer-root"))
        wait_for(driver, lambda: "dealRegistrations" in driver.find_element(
            By.CSS_SELECTOR, ".graphiql-explorer-root").text)
        # The first tab is the review queue: run it.
        assert "graphiql-tab-active" in driver.find_elements(By.CSS_SELECTOR, ".graphiql-tab")[0].get_attribute("class")
        driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        result = ".graphiql-response"
        wait_for(driver, lambda: "Pied Piper" in driver.find_element(By.CSS_SELECTOR, result).text)
        # The response pane renders its first lines: the channel manager's queue of one, no error.
        assert '"totalCount": 1' in driver.find_element(By.CSS_SELECTOR, result).text
        assert '"errors"' not in driver.find_element(By.CSS_SELECTOR, result).text
        errors = console_errors(driver)
        assert errors == [], errors
