"""D4: every task assigned to a partner user sends that user a confirmation, kept as an
outbox message written in the same transaction as the task; a sender in a new process
(after the writing process "crashed" before sending) delivers it, exactly once."""

import asyncio
import email
import json
import os
import subprocess
import sys
from email import policy as email_policy

from partners.infra.tables import OutboxMessage
from partners.opportunities.enums import OpportunityPartnerRole as TeamRole
from partners.people.enums import Role
from partners.people.identity import create_user
from server.settings import PROJECT_ROOT
from tests.schema.cosell import add_task, add_task_payload, create_plan, days, update_task
from tests.schema.sales import create_account, create_opportunity, gid, pk, put_partner


async def _plan(gql, world) -> dict:
    account = await create_account(gql, world)
    opportunity = await create_opportunity(gql, world, account, name="Acme, Inc- 50 Premium")
    await put_partner(opportunity["id"], world.partners["alpha"], TeamRole.RESELLER)
    return await create_plan(gql, world, opportunity["id"], "alpha")


async def _messages() -> list[dict]:
    """The confirmation emails (tasks also enqueue `cosell_task_event`s, for webhooks)."""
    return await OutboxMessage.select(OutboxMessage.dedupe_key, OutboxMessage.payload, OutboxMessage.status).where(
        OutboxMessage.kind == "email").order_by(OutboxMessage.id)


def _payload(message: dict) -> dict:
    payload = message["payload"]
    return payload if isinstance(payload, dict) else json.loads(payload)


async def test_d4_each_partner_assignment_enqueues_one_confirmation(gql, world):
    plan = await _plan(gql, world)
    task = await add_task(gql, world, plan["id"], "alpha_user", title="Run the POC", dueDate=days(10))
    await add_task(gql, world, plan["id"], "ae", title="Send the proposal")
    refused = await add_task_payload(gql, world, plan["id"], "beta_user", side="PARTNER")
    assert refused["errors"][0]["code"] == "ASSIGNEE_NOT_OF_PLAN_PARTNER"

    task_id, alpha_user = pk(task["id"]), world.user_ids["alpha_user"]
    [message] = await _messages()
    assert message["dedupe_key"] == f"cosell-task-assigned:{task_id}:{alpha_user}:1"
    payload = _payload(message)
    assert payload["to"] == ["alpha_user@cosell.test"]
    assert payload["subject"] == "Co-sell task assigned to you: Run the POC"
    assert f"Due:         {days(10)}" in payload["text"] and "Acme, Inc- 50 Premium" in payload["text"]

    # Status and notes changes ask for nothing; a new due date and a new partner assignee do.
    assert (await update_task(gql, world, task["id"], token="alpha_user", status="IN_PROGRESS", notes="ok"))["errors"] == []
    assert len(await _messages()) == 1
    assert (await update_task(gql, world, task["id"], dueDate=days(12)))["errors"] == []
    colleague = await create_user(email="ana@alpha.test", name="Ana Alpha", role=Role.PARTNER_USER,
                                  partner_id=world.partners["alpha"])
    assert (await update_task(gql, world, task["id"], assigneeId=gid("User", colleague.id)))["errors"] == []
    # Back to the first assignee: asked again, a new confirmation number.
    assert (await update_task(gql, world, task["id"], assigneeId=gid("User", alpha_user)))["errors"] == []
    # Handed to the vendor side: nothing for the partner to confirm.
    assert (await update_task(gql, world, task["id"], ownerSide="VENDOR",
                              assigneeId=gid("User", world.user_ids["ae"])))["errors"] == []
    messages = await _messages()
    assert [m["dedupe_key"] for m in messages] == [
        f"cosell-task-assigned:{task_id}:{alpha_user}:1",
        f"cosell-task-assigned:{task_id}:{alpha_user}:2",
        f"cosell-task-assigned:{task_id}:{colleague.id}:3",
        f"cosell-task-assigned:{task_id}:{alpha_user}:4",
    ]
    assert _payload(messages[1])["subject"] == f"Co-sell task rescheduled to {days(12)}: Run the POC"
    assert _payload(messages[2])["to"] == ["ana@alpha.test"]
    assert _payload(messages[2])["subject"].startswith("Co-sell task assigned to you")


def _send_once(var_dir) -> str:
    environment = {**os.environ, "COSELL_VAR_DIR": str(var_dir), "COSELL_LOG_JSON": "0"}
    process = subprocess.run(
        [sys.executable, "-m", "server.cli", "outbox", "send", "--once"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 0, process.stderr
    return process.stdout


async def test_d4_a_confirmation_survives_a_crash_and_a_new_process_delivers_it_exactly_once(gql, world, tmp_path):
    plan = await _plan(gql, world)
    # The serving process commits the task and "crashes" before any sender runs (background
    # jobs are off in tests): the confirmation is only in the outbox table.
    task = await add_task(gql, world, plan["id"], "alpha_user", title="Book the cloud marketplace listing")
    [message] = await _messages()
    assert message["status"] == "PENDING"
    assert not (tmp_path / "mail").exists()

    out = await asyncio.to_thread(_send_once, tmp_path)
    assert "sent 2," in out  # the confirmation, and the task's event (for webhooks, issue 20)
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    sent = email.message_from_bytes(eml.read_bytes(), policy=email_policy.default)
    assert sent["To"] == "alpha_user@cosell.test"
    assert sent["Subject"] == "Co-sell task assigned to you: Book the cloud marketplace listing"
    assert "Acme, Inc- 50 Premium" in sent.get_content()
    [message] = await _messages()
    assert message["status"] == "SENT"
    assert message["dedupe_key"] == f"cosell-task-assigned:{pk(task['id'])}:{world.user_ids['alpha_user']}:1"

    out = await asyncio.to_thread(_send_once, tmp_path)
    assert "sent 0," in out
    assert list((tmp_path / "mail").glob("*.eml")) == [eml], "delivered once"
