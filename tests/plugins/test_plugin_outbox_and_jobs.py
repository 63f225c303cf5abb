"""The hooks issue 39 added for plugins that talk to external systems: their own outbox kinds
(`cosell_outbox_handlers`), periodic jobs (`cosell_background_jobs`) and opportunity events
(`cosell_opportunity_event`), with a plain plugin object (no AWS)."""

from __future__ import annotations

import pytest

from partners.infra import outbox
from partners.infra.db import transaction
from partners.infra.tables import OutboxMessage
from plugins import BackgroundJob, hookimpl
from server.app import StartupError
from server.background import background_jobs, outbox_handlers
from tests.schema.sales import create_account, create_opportunity, move_ok


class Recorder:
    def __init__(self):
        self.delivered, self.events, self.runs = [], [], 0

    @hookimpl
    def cosell_outbox_handlers(self):
        async def handle(message):
            self.delivered.append((message.payload, message.attempt))
            if message.payload.get("fail"):
                raise RuntimeError("the CRM is down")

        return {"recorder.push": handle}

    @hookimpl
    def cosell_background_jobs(self):
        async def run(should_stop):
            self.runs += 1
            return self.runs

        return [BackgroundJob("tick", run, interval=120.0)]

    @hookimpl
    async def cosell_opportunity_event(self, event, opportunity, envelope):
        self.events.append((event, opportunity["stage"], dict(envelope.details)))


async def test_a_plugins_outbox_kind_is_delivered_after_commit_and_retried(cosell_app_factory, drain_outbox):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        async with transaction():
            await outbox.enqueue("recorder.push", {"partner": 1})
            await outbox.enqueue("recorder.push", {"partner": 2, "fail": True})
        report = await drain_outbox(client)
        assert (report.sent, report.retried) == (1, 1)
        assert recorder.delivered == [({"partner": 1}, 1), ({"partner": 2, "fail": True}, 1)]
        failed = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.last_error).where(
            OutboxMessage.attempts == 1).order_by(OutboxMessage.id)
        assert failed[-1]["status"] == "PENDING" and "the CRM is down" in failed[-1]["last_error"]


async def test_a_kind_that_repeats_one_of_cosells_stops_the_start(cosell_app_factory):
    class Thief:
        @hookimpl
        def cosell_outbox_handlers(self):
            async def handle(message):
                return None

            return {"email": handle}

    with pytest.raises(StartupError, match="'thief'.*'email' is already handled"):
        async with cosell_app_factory(extra_plugins=[("thief", Thief())]) as client:
            outbox_handlers(client.app.state.settings, client.app.state.plugins)


async def test_a_wrong_answer_is_a_failure_naming_the_plugin(cosell_app_factory):
    class Wrong:
        @hookimpl
        def cosell_background_jobs(self):
            return ["tick"]

    with pytest.raises(StartupError, match="'wrong' failed in cosell_background_jobs.*BackgroundJob"):
        async with cosell_app_factory(extra_plugins=[("wrong", Wrong())]) as client:
            background_jobs(client.app.state.settings, client.app.state.plugins)


async def test_a_plugins_job_runs_with_cosells_under_its_name(cosell_app_factory):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        jobs = {job.name: job for job in background_jobs(client.app.state.settings, client.app.state.plugins)}
        assert jobs["recorder:tick"].interval == 120.0
        assert await jobs["recorder:tick"].run(lambda: False) == 1


async def test_stage_moves_and_amount_changes_are_opportunity_events(gql, world, cosell_app_factory, drain_outbox):
    recorder = Recorder()
    account = await create_account(gql, world, name="Hooli")
    opportunity = (await create_opportunity(gql, world, account, name="Hooli- 50 Premium"))["id"]
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        await move_ok(gql, world, opportunity, "DISCOVERY")
        update = """mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { errors { code } } }"""
        await gql(update, {"input": {"id": opportunity, "name": "Hooli- 60 Premium"}}, token=world.tokens["ae"])
        await gql(update, {"input": {"id": opportunity, "closeDate": "2027-01-31"}}, token=world.tokens["ae"])
        await drain_outbox(client)
    assert recorder.events == [
        ("STAGE_CHANGED", "1-Discovery", {"changed": [], "previous_stage": "0-Pending Acceptance"}),
        ("UPDATED", "1-Discovery", {"changed": ["close_date"]}),
    ], "a name change is no opportunity event"
