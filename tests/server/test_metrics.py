"""`/metrics` and the request metrics (issue 42): COSELL_METRICS off, on (the API's port) or a
port of its own; requests by operation, outcome and code, their duration by executor, their
SQL statements, cost budget refusals and the PostgreSQL pool; `cosell serve --workers 2`
reports every worker in one scrape (prometheus_client's multiprocess mode)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from partners.infra import mail, outbox
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.engines import is_postgres_url
from partners.infra.settings import Settings, SettingsError
from partners.infra.tables import OutboxMessage
from partners.registrations.tables import DealRegistration
from server import metrics
from server.testing import GraphQLClient, free_port
from tests.plugins import raising_rule
from tests.schema.registrations import register as register_deal
from tests.schema.sales import create_account, pk
from tests.server.processes import cosell_serve
from tests.server.test_trusted_documents import register
from tests.server.test_work_metrics import AcceptingRule

REQUESTS = "cosell_graphql_requests_total"
SECONDS = "cosell_graphql_request_duration_seconds"
STATEMENTS = "cosell_graphql_request_sql_statements"
REFUSALS = "cosell_cost_budget_refusals_total"
VIEWER = "query MetricsViewer { viewer { email } }"
REGISTERED = "query MetricsRegistered { viewer { email role } }"
CREATE = """mutation MetricsCreate($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } errors { code } } }"""
STAFF_ONLY = "query MetricsAudit { auditLog(first: 5) { totalCount } }"
COSTLY = "query MetricsCostly { opportunities(first: 100) { edges { node { id name stage } } } }"


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(scrape: dict, name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client) -> dict:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")  # Prometheus text format
    return samples(response.text)


async def post(client, body: dict, token: str | None = None, **headers: str) -> httpx.Response:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json=body, headers=headers)


async def test_requests_are_counted_by_operation_outcome_and_code(cosell_app_factory, world, tmp_path):
    """A known sequence — ok, a payload UserError, a bad token, FORBIDDEN, a parse error, a
    spent cost budget, an anonymous caller over its budget, a registered document — and one
    scrape finds each in its labels, with durations by executor and SQL statements."""
    (document,) = await register(tmp_path, "registered.graphql", REGISTERED)
    async with cosell_app_factory(metrics=True, cost_budget_per_minute=60, anonymous_budget_per_minute=1) as client:
        before = await scrape(client)
        admin, partner = world.tokens["admin"], world.tokens["alpha_user"]

        ok = await post(client, {"query": VIEWER}, admin)
        assert ok.json()["data"]["viewer"]["email"] == "admin@cosell.test"
        refused_input = await post(client, {"query": CREATE, "variables": {"input": {"name": " "}}}, world.tokens["sales_ops"])
        user_error_code = refused_input.json()["data"]["createAccount"]["errors"][0]["code"]
        assert (await post(client, {"query": VIEWER}, "not-a-token")).status_code == 401
        forbidden = await post(client, {"query": STAFF_ONLY}, partner)
        assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        broken = await post(client, {"query": "query MetricsBroken { viewer {", "operationName": "MetricsBroken"}, admin)
        assert broken.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        costly = await post(client, {"query": COSTLY}, world.tokens["cm_amer"])
        assert costly.status_code == 429 and costly.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert (await post(client, {"query": VIEWER})).status_code == 200  # the anonymous budget: 1 a minute
        assert (await post(client, {"query": VIEWER})).status_code == 429
        by_id = await post(client, {"documentId": document.document_id}, partner)
        assert by_id.json()["data"]["viewer"]["role"] == "PARTNER_USER"

        after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(REQUESTS, operation="MetricsViewer", outcome="ok", code="") == 2  # admin, then anonymous
    assert delta(REQUESTS, operation="MetricsCreate", outcome="user_error", code=user_error_code) == 1
    assert delta(REQUESTS, operation="anonymous", outcome="refused", code="UNAUTHENTICATED") == 1
    assert delta(REQUESTS, operation="MetricsAudit", outcome="user_error", code="FORBIDDEN") == 1
    assert delta(REQUESTS, operation="MetricsBroken", outcome="refused", code="GRAPHQL_PARSE_FAILED") == 1
    assert delta(REQUESTS, operation="MetricsCostly", outcome="refused", code="THROTTLED") == 1
    assert delta(REQUESTS, operation="anonymous", outcome="refused", code="THROTTLED") == 1
    assert delta(REQUESTS, operation=document.document_id, outcome="ok", code="") == 1
    assert delta(REFUSALS, caller="authenticated") == 1
    assert delta(REFUSALS, caller="anonymous") == 1
    # Durations by executor: a registered document runs its compiled plan, a text the generic one.
    assert delta(f"{SECONDS}_count", operation=document.document_id, executor="compiled") == 1
    assert delta(f"{SECONDS}_count", operation="MetricsViewer", executor="generic") == 2
    assert delta(f"{SECONDS}_count", operation="MetricsBroken", executor="none") == 1
    # SQL statements per request (the token lookup and the viewer, at least).
    assert delta(f"{STATEMENTS}_count", operation="MetricsViewer") == 2
    assert delta(f"{STATEMENTS}_sum", operation="MetricsViewer") >= 2
    # The scrapes themselves are not GraphQL requests.
    total = sum(v - value(before, k[0], **dict(k[1])) for k, v in after.items() if k[0] == REQUESTS)
    assert total == 9


async def test_operation_names_are_capped_so_clients_cannot_explode_the_labels(cosell_app_factory, world,
                                                                               monkeypatch):
    monkeypatch.setattr(metrics, "_names", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    async with cosell_app_factory(metrics=True) as client:
        before = await scrape(client)
        for name in ("MetricsCapOne", "MetricsCapTwo", "MetricsCapThree", "MetricsCapFour", "MetricsCapOne"):
            await post(client, {"query": f"query {name} {{ viewer {{ email }} }}"}, world.tokens["admin"])
        after = await scrape(client)
    counts = defaultdict(float)
    for (name, labels), v in after.items():
        if name == REQUESTS:
            counts[dict(labels)["operation"]] += v - value(before, name, **dict(labels))
    assert counts["MetricsCapOne"] == 2 and counts["MetricsCapTwo"] == 1
    assert counts["other"] == 2 and counts["MetricsCapThree"] == counts["MetricsCapFour"] == 0


async def test_metrics_off_is_a_404_and_records_nothing(cosell_client, world):
    def viewer_requests() -> float:
        return REGISTRY.get_sample_value(REQUESTS, {"operation": "MetricsViewer", "outcome": "ok", "code": ""}) or 0.0

    before = viewer_requests()
    await post(cosell_client, {"query": VIEWER}, world.tokens["admin"])
    assert viewer_requests() == before
    assert (await cosell_client.get("/metrics")).status_code == 404


async def test_metrics_are_outside_cors_the_guard_and_authentication(cosell_app_factory):
    async with cosell_app_factory(metrics=True, cors_origins=("https://portal.example",)) as client:
        response = await client.get("/metrics", headers={"Origin": "https://evil.example",
                                                         "Authorization": "Bearer not-a-token"})
        assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
        assert "x-request-id" not in response.headers  # not even the request context
        assert (await client.post("/metrics")).status_code == 405


async def test_metrics_on_a_port_of_their_own(cosell_app_factory, world):
    port = free_port()
    async with cosell_app_factory(metrics=True, metrics_port=port) as client:
        assert (await client.get("/metrics")).status_code == 404  # not on the API's port
        await post(client, {"query": VIEWER}, world.tokens["admin"])
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as own:
            response = await own.get("/metrics")
            assert response.status_code == 200
            assert value(samples(response.text), REQUESTS, operation="MetricsViewer", outcome="ok", code="") >= 1
            assert (await own.get("/graphql")).status_code == 404
    with pytest.raises(httpx.ConnectError):  # stopped with the app
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


async def test_the_postgresql_pool_reports_its_connections_and_waits(cosell_app_factory, cosell_database_url, world):
    if not is_postgres_url(cosell_database_url):
        pytest.skip("SQLite has no connection pool")
    async with cosell_app_factory(metrics=True) as client:
        before = await scrape(client)
        await post(client, {"query": VIEWER}, world.tokens["admin"])
        after = await scrape(client)
    assert value(after, "cosell_db_pool_connections", state="open") >= 1
    assert value(after, "cosell_db_pool_wait_seconds_count") > value(before, "cosell_db_pool_wait_seconds_count")


@pytest.mark.parametrize("raw, expected", [("", (False, None)), ("off", (False, None)), ("0", (False, None)),
                                           ("on", (True, None)), ("1", (True, None)), ("9464", (True, 9464))])
def test_the_setting_is_off_on_or_a_port(monkeypatch, raw, expected):
    monkeypatch.setenv("COSELL_METRICS", raw)
    settings = Settings.from_env()
    assert (settings.metrics, settings.metrics_port, settings.metrics_host) == (*expected, "127.0.0.1")


@pytest.mark.parametrize("raw", ["maybe", "70000", "-1", "9464x"])
def test_a_bad_setting_names_the_variable_in_one_line(monkeypatch, raw):
    monkeypatch.setenv("COSELL_METRICS", raw)
    with pytest.raises(SettingsError, match=r"^COSELL_METRICS must be off, on or a port number") as caught:
        Settings.from_env()
    assert caught.value.variable == "COSELL_METRICS" and "\n" not in str(caught.value)


def _requests_by_worker(directory: Path) -> dict[str, float]:
    """Requests counted by each worker: its own counter file, read alone."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        if path.stat().st_size < 8:  # being created by its worker
            continue
        families = MultiProcessCollector.merge([str(path)], accumulate=True)
        counts[path.stem.split("_")[1]] = sum(s.value for f in families if f.name == REQUESTS.removesuffix("_total")
                                              for s in f.samples if s.name == REQUESTS)
    return counts


@pytest.mark.parametrize("own_port", [False, True], ids=["api-port", "own-port"])
async def test_two_workers_report_the_sum_of_both_in_one_scrape(world, cosell_database_url, tmp_path, own_port):
    """`cosell serve --workers 2`: requests land on both workers, one scrape (of whichever
    worker answers, on the API's port or on the metrics port both workers bind) reports
    their sum."""
    port = free_port() if own_port else None
    with cosell_serve(cosell_database_url, tmp_path, workers=2, COSELL_METRICS=str(port or "on"),
                      COSELL_VAR_DIR=str(tmp_path)) as server:
        (directory,) = (tmp_path / "metrics").iterdir()  # var/metrics/<pid of cosell serve>, fresh
        assert directory.name == str(server.process.pid)
        sent = 0
        while sent < 200:  # a new connection each time: SO_REUSEPORT spreads them over the workers
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                response = await post(client, {"query": VIEWER}, world.tokens["admin"])
            assert response.status_code == 200, response.text
            sent += 1
            by_worker = _requests_by_worker(directory)
            if sent >= 6 and len([n for n in by_worker.values() if n]) == 2:
                break
        assert len([n for n in by_worker.values() if n]) == 2, by_worker
        assert sum(by_worker.values()) == sent
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}" if port else server.url, timeout=10) as client:
            scraped = await scrape(client)
        assert value(scraped, REQUESTS, operation="MetricsViewer", outcome="ok", code="") == sent
        assert value(scraped, f"{SECONDS}_count", operation="MetricsViewer", executor="generic") == sent
        if is_postgres_url(cosell_database_url):  # each worker's pool, summed over the live workers
            assert value(scraped, "cosell_db_pool_connections", state="open") >= 2
    assert not directory.exists()  # removed when `cosell serve` exits
    output = server.output()
    assert "Traceback" not in output, output



async def test_a_scrape_reports_the_outbox_backlog_read_from_the_database(cosell_app_factory, world):
    """The outbox gauges are read at scrape time, on the API's port and on a port of its own."""
    async with transaction():
        await outbox.enqueue("metrics_probe", {"n": 1})
        await outbox.enqueue("metrics_probe", {"n": 2})
    await OutboxMessage.update({OutboxMessage.created_at: now() - timedelta(minutes=7)}).where(
        OutboxMessage.kind == "metrics_probe")
    async with cosell_app_factory(metrics=True) as client:
        found = await scrape(client)
        assert value(found, "cosell_outbox_messages", kind="metrics_probe", status="PENDING") == 2
        assert value(found, "cosell_outbox_oldest_pending_age_seconds") >= 7 * 60
    port = free_port()
    async with cosell_app_factory(metrics=True, metrics_port=port) as client:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as own:
            found = samples((await own.get("/metrics")).text)
        assert value(found, "cosell_outbox_messages", kind="metrics_probe", status="PENDING") == 2


async def test_a_scrape_reports_the_p4_reviews_overdue_by_region(cosell_app_factory, world, gql):
    """P4: a registration whose review target has passed shows in its region's gauge (the
    CosellReviewsOverdue alert); one still within its target does not."""
    late = await register_deal(gql, world)
    await register_deal(gql, world, customer={"prospect": {"name": "Beta Corp", "website": "https://beta.test"}})
    region = (await DealRegistration.select(DealRegistration.region).where(
        DealRegistration.id == pk(late["id"])).first())["region"]
    await DealRegistration.update({DealRegistration.review_due_at: now() - timedelta(hours=1)}).where(
        DealRegistration.id == pk(late["id"]))
    async with cosell_app_factory(metrics=True) as client:
        assert value(await scrape(client), "cosell_registrations_review_overdue", region=region) == 1


async def test_one_scrape_reports_outbox_sends_a_dead_letter_a_job_run_and_a_failing_hook(cosell_app_factory, world,
                                                                                          tmp_path):
    """Issue 42: after a known sequence of work, `/metrics` itself shows it (the same counters
    tests/server/test_work_metrics.py follows in detail)."""
    async with cosell_app_factory(metrics=True, var_dir=tmp_path,
                                  extra_plugins=[("acme-buggy", raising_rule), ("acme-fine", AcceptingRule())]) as client:
        before = await scrape(client)
        async with transaction():
            await mail.enqueue_email("ana@alpha.example", "Kickoff", "Tuesday 10:00")
            await outbox.enqueue("metrics_nobody_handles", {})  # no handler: a dead letter at once
        report = (await client.app.state.background.run_once())["outbox"]
        assert (report.sent, report.dead) == (1, 1)
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        await gql("""mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
            opportunity { id } errors { code } } }""", {"input": {"accountId": account, "name": "Acme"}},
                  token=world.tokens["ae"], errors=True)
        after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("cosell_outbox_attempts_total", kind="email", result="sent") == 1
    assert moved("cosell_outbox_attempts_total", kind="metrics_nobody_handles", result="dead") == 1
    assert value(after, "cosell_outbox_messages", kind="metrics_nobody_handles", status="DEAD") == 1
    assert moved("cosell_job_runs_total", job_name="outbox", outcome="ok") == 1
    assert moved("cosell_hook_calls_total", hook="cosell_validate_opportunity", plugin="acme-buggy",
                 outcome="error") == 1
    assert moved("cosell_hook_calls_total", hook="cosell_validate_opportunity", plugin="acme-fine", outcome="ok") == 1
