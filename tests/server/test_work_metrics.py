"""Metrics of the work behind the requests (issue 42): outbox attempts and backlog, webhook
deliveries, background job runs and plugin hook calls, read from the process's registry
(`/metrics` serves the same registry). Counters are process-wide: each test takes the value
before and after."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from partners.infra import mail, outbox
from partners.infra.db import transaction
from partners.infra.leasing import utcnow
from partners.infra.tables import OutboxMessage
from partners.opportunities.tables import Opportunity
from plugins import hookimpl
from server.background import BackgroundRunner, Job
from server.settings import Settings
from server.testing import GraphQLClient
from tests.plugins import raising_rule
from tests.schema.registrations import register
from tests.schema.sales import create_account
from tests.schema.webhooks import Receiver, create_endpoint, deliver, later, partner_admins


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Mailbox:
    """An SMTP server's answers without the network: nobody@… is refused for good, later@…
    is a server that is down for now, anyone else gets the message."""

    def __init__(self) -> None:
        self.received = []

    async def send(self, message) -> None:
        if message["To"].startswith("nobody@"):
            raise outbox.PermanentFailure("SMTP 550: no such user")
        if message["To"].startswith("later@"):
            raise ConnectionRefusedError("the SMTP server is down")
        self.received.append(message)


def attempts(result: str) -> float:
    return value("cosell_outbox_attempts_total", kind="email", result=result)


def messages(status: str) -> float:
    return value("cosell_outbox_messages", kind="email", status=status)


async def test_outbox_attempts_count_sent_retried_and_dead_and_the_gauges_read_the_backlog(cosell_client):
    settings = Settings.from_env()
    mailbox = Mailbox()
    handlers = {mail.EMAIL: mail.email_handler(settings, mailbox)}
    policy = outbox.OutboxPolicy(max_attempts=2)
    async with transaction():
        for to in ("ana@alpha.example", "later@alpha.example", "nobody@alpha.example"):
            await mail.enqueue_email(to, "Kickoff", "Tuesday 10:00")
    # The oldest message has been waiting ten minutes.
    await OutboxMessage.update({OutboxMessage.created_at: utcnow() - timedelta(minutes=10)}).where(
        OutboxMessage.id == (await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id).first())["id"])

    await outbox.refresh_outbox_gauges()
    assert (messages("PENDING"), messages("SENT"), messages("DEAD")) == (3, 0, 0)
    assert 600 <= value("cosell_outbox_oldest_pending_age_seconds") < 660

    before = {result: attempts(result) for result in ("sent", "retry", "dead")}
    report = await outbox.deliver_due(handlers, worker="w", policy=policy)
    assert (report.sent, report.retried, report.dead) == (1, 1, 1)
    assert {result: attempts(result) - before[result] for result in before} == {"sent": 1, "retry": 1, "dead": 1}
    await outbox.refresh_outbox_gauges()
    assert (messages("PENDING"), messages("SENT"), messages("DEAD")) == (1, 1, 1)
    assert 0 <= value("cosell_outbox_oldest_pending_age_seconds") < 60  # the retried one, enqueued just now

    # Its second and last attempt fails too: a dead letter; nothing is pending any more.
    await outbox.deliver_due(handlers, worker="w", policy=policy, now=utcnow() + timedelta(minutes=2))
    assert attempts("dead") - before["dead"] == 2
    await outbox.refresh_outbox_gauges()
    assert (messages("PENDING"), messages("SENT"), messages("DEAD")) == (0, 1, 2)
    assert value("cosell_outbox_oldest_pending_age_seconds") == 0

    # Sent again (`cosell outbox retry --dead`): the DEAD count goes back to 0, not left at 2.
    assert await outbox.retry_dead() == 2
    await outbox.refresh_outbox_gauges()
    assert (messages("PENDING"), messages("SENT"), messages("DEAD")) == (2, 1, 0)


@pytest.fixture
async def client(cosell_app_factory):
    # Local receivers live on 127.0.0.1, which production refuses (COSELL_WEBHOOK_ALLOW_PRIVATE).
    async with cosell_app_factory(webhook_allow_private=True, outbox_max_attempts=2) as client:
        yield client


async def test_webhook_deliveries_count_by_outcome_and_the_endpoints_partner(client, world):
    await partner_admins(world)
    api = GraphQLClient(client)
    partner = str(world.partners["alpha"])

    def deliveries(outcome: str) -> float:
        return value("cosell_webhook_deliveries_total", outcome=outcome, partner=partner)

    before = {outcome: deliveries(outcome) for outcome in ("delivered", "retry", "failed")}

    def moved() -> dict[str, float]:
        return {outcome: deliveries(outcome) - before[outcome] for outcome in before}

    with Receiver(statuses=[500, 503]) as receiver:
        assert (await create_endpoint(api, world, "alpha_admin", receiver.url()))["errors"] == []
        await register(api, world, "alpha_user")
        await deliver(client)
        assert moved() == {"delivered": 0, "retry": 1, "failed": 0}
        await deliver(client, now=later(31))  # the second and last attempt (outbox_max_attempts=2)
        assert moved() == {"delivered": 0, "retry": 1, "failed": 1}

        await register(api, world, "alpha_user", customer={"prospect": {"name": "Globex", "website": "globex.test"}})
        await deliver(client)
        assert moved() == {"delivered": 1, "retry": 1, "failed": 1}
        assert len(receiver.requests) == 3


async def test_a_background_job_run_counts_ok_its_duration_and_last_success(cosell_app_factory, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        runs = value("cosell_job_runs_total", job_name="outbox", outcome="ok")
        timed = value("cosell_job_duration_seconds_count", job_name="outbox")
        async with transaction():
            await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
        started = time.time()
        assert (await client.app.state.background.run_once())["outbox"].sent == 1
    assert value("cosell_job_runs_total", job_name="outbox", outcome="ok") == runs + 1
    assert value("cosell_job_duration_seconds_count", job_name="outbox") == timed + 1
    assert started <= value("cosell_job_last_success_timestamp_seconds", job_name="outbox") <= time.time()
    assert value("cosell_job_lag_seconds", job_name="outbox") == 0  # an explicit run is due when asked


async def test_a_periodic_job_counts_its_errors_and_its_lag(cosell_client):
    runs = 0

    async def flaky(should_stop):
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("database hiccup")
        time.sleep(0.05)  # blocks the event loop: the other job's next run starts late

    lags = []

    async def steady(should_stop):  # each run reads the lag its start was measured with
        lags.append(value("cosell_job_lag_seconds", job_name="metrics-steady"))

    errors = value("cosell_job_runs_total", job_name="metrics-flaky", outcome="error")
    oks = value("cosell_job_runs_total", job_name="metrics-flaky", outcome="ok")
    runner = BackgroundRunner([Job("metrics-flaky", flaky, 0.001), Job("metrics-steady", steady, 0.001)])
    runner.start()
    for _ in range(200):
        if runs >= 4:
            break
        await asyncio.sleep(0.01)
    await runner.stop(timeout=1)
    assert value("cosell_job_runs_total", job_name="metrics-flaky", outcome="error") == errors + 1
    assert value("cosell_job_runs_total", job_name="metrics-flaky", outcome="ok") >= oks + 3
    assert value("cosell_job_last_success_timestamp_seconds", job_name="metrics-flaky") > 0
    assert lags[0] < 0.01, "the first run is due at start"
    assert max(lags) >= 0.03, lags


class AcceptingRule:
    @hookimpl
    def cosell_validate_opportunity(self, opportunity, context):
        return []


async def test_a_failing_hook_counts_an_error_with_its_plugin_name(cosell_app_factory, world):
    hook = "cosell_validate_opportunity"

    def calls(plugin: str, outcome: str) -> float:
        return value("cosell_hook_calls_total", hook=hook, plugin=plugin, outcome=outcome)

    before = (calls("acme-buggy", "error"), calls("acme-buggy", "ok"), calls("acme-fine", "ok"),
              value("cosell_hook_duration_seconds_count", hook=hook, plugin="acme-buggy"))
    # Registered last, acme-fine is called first (pluggy calls the newest first); acme-buggy raises.
    async with cosell_app_factory(extra_plugins=[("acme-buggy", raising_rule), ("acme-fine", AcceptingRule())]) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        body = await gql("""mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
            opportunity { id } errors { code } } }""", {"input": {"accountId": account, "name": "Acme"}},
                         token=world.tokens["ae"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await Opportunity.count() == 0
    after = (calls("acme-buggy", "error"), calls("acme-buggy", "ok"), calls("acme-fine", "ok"),
             value("cosell_hook_duration_seconds_count", hook=hook, plugin="acme-buggy"))
    assert [b - a for a, b in zip(before, after)] == [1, 0, 1, 1]
