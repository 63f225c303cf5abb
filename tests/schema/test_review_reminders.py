"""P4 review-due reminders: a registration past its review target reminds the channel
managers of its region (D1) once per missed target, whichever instance runs the job."""

import asyncio
import email
from datetime import datetime, timedelta
from email import policy as email_policy

from partners.infra import leasing
from partners.registrations import reminders as review_reminders
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import ADVANCE, DENY, approved, ok, register
from tests.schema.sales import pk


async def _due(reg: dict) -> datetime:
    row = await DealRegistration.select(DealRegistration.review_due_at).where(
        DealRegistration.id == pk(reg["id"])).first()
    return row["review_due_at"]


async def _mail(client, var_dir) -> list[email.message.EmailMessage]:
    await client.app.state.background.run_once()  # the outbox sender delivers after commit
    files = sorted((var_dir / "mail").glob("*.eml")) if (var_dir / "mail").exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=email_policy.default) for f in files]


async def test_p4_an_overdue_review_reminds_the_region_channel_managers_once(cosell_app_factory, world, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        from server.testing import GraphQLClient

        gql = GraphQLClient(client)
        reg = await register(gql, world)
        due = await _due(reg)
        # Not yet due: nothing to remind.
        assert await review_reminders.send_due(worker="a", at=due - timedelta(minutes=1)) == 0
        assert await _mail(client, tmp_path) == []

        assert await review_reminders.send_due(worker="a", at=due + timedelta(minutes=1)) == 1
        assert await review_reminders.send_due(worker="b", at=due + timedelta(hours=5)) == 0  # once per target
        [message] = await _mail(client, tmp_path)
        assert message["To"] == "cm_amer@cosell.test"  # AMER's channel manager, not EMEA's
        assert message["Subject"] == f"Review overdue: deal registration #{pk(reg['id'])} from Alpha Resellers"
        assert "first review (P4: within 2 working hours)" in message.get_content()

        # Advanced: the decision has its own target, reminded once when missed.
        await ok(gql, world, ADVANCE, "cm_amer", id=reg["id"])
        decision_due = await _due(reg)
        assert decision_due != due
        assert await review_reminders.send_due(worker="a", at=decision_due + timedelta(minutes=1)) == 1
        assert len(await _mail(client, tmp_path)) == 2


async def test_p4_decided_registrations_are_not_reminded(gql, world):
    denied = await register(gql, world)
    await ok(gql, world, DENY, "cm_amer", id=denied["id"], reason="Not a fit")
    approved_reg = await register(gql, world, customer={"prospect": {"name": "Globex", "website": "https://globex.test"}})
    await approved(gql, world, approved_reg["id"])
    later = datetime.now().astimezone() + timedelta(days=30)
    assert await review_reminders.send_due(worker="a", at=later) == 0


async def test_p4_concurrent_reminder_jobs_send_each_reminder_once(gql, world):
    """Two workers (instances) at once: each registration is claimed by one of them."""
    regs = [await register(gql, world, customer={"prospect": {"name": f"Customer {i}", "website": f"https://c{i}.test"}})
            for i in range(6)]
    later = datetime.now().astimezone() + timedelta(days=30)
    counts = await asyncio.gather(*(review_reminders.send_due(worker=w, at=later, batch=2) for w in "abc"))
    assert sum(counts) == len(regs)
    rows = await DealRegistration.select(DealRegistration.reminded_due_at, DealRegistration.review_due_at,
                                         DealRegistration.lease_owner)
    assert all(r["reminded_due_at"] == r["review_due_at"] and r["lease_owner"] is None for r in rows)


async def test_p4_a_crashed_instance_reminders_are_taken_over_after_its_lease(gql, world):
    reg = await register(gql, world)
    at = await _due(reg) + timedelta(minutes=1)
    lease, rows = await leasing.claim(DealRegistration, due=review_reminders.due_for_reminder(at), worker="crashed",
                                      limit=10, lease_for=review_reminders.LEASE, now=at)
    assert [row["id"] for row in rows] == [pk(reg["id"])]
    # The crashed instance never settles: others skip the row while the lease runs …
    assert await review_reminders.send_due(worker="b", at=at + timedelta(seconds=30)) == 0
    # … and take it over once it has expired; the late holder can no longer settle it.
    assert await review_reminders.send_due(worker="b", at=at + review_reminders.LEASE + timedelta(seconds=1)) == 1
    assert not await leasing.finish(DealRegistration, rows[0]["id"], lease, {DealRegistration.reminded_due_at: at})
