"""P4 review-due digests: once per business day, each reviewer (D1: the channel managers of a
region, the admins for a region without one) gets one email listing their registrations past
the review target, most overdue first, whichever instance runs the job and however many
registrations are late."""

import asyncio
import json
from datetime import datetime, timedelta, timezone

from partners.business_days.tables import RegionHoliday
from partners.infra.tables import OutboxMessage
from partners.registrations import reminders as review_digests
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import DENY, approved, ok, register
from tests.schema.sales import pk

WEDNESDAY = datetime(2030, 3, 13, 15, 0, tzinfo=timezone.utc)


async def _late(reg: dict, by: timedelta, region: str | None = None) -> None:
    values = {DealRegistration.review_due_at: WEDNESDAY - by}
    if region:
        values[DealRegistration.region] = region
    await DealRegistration.update(values).where(DealRegistration.id == pk(reg["id"]))


async def _digests() -> list[dict]:
    rows = await OutboxMessage.select(OutboxMessage.payload, OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.like("review-digest:%")).order_by(OutboxMessage.id)
    payloads = [row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"]) for row in rows]
    return [{**p, "key": row["dedupe_key"]} for p, row in zip(payloads, rows)]


def _customer(i: int) -> dict:
    return {"prospect": {"name": f"Customer {i}", "website": f"https://c{i}.test"}}


async def test_p4_one_digest_per_reviewer_per_day_lists_the_most_overdue_first(gql, world):
    regs = [await register(gql, world, customer=_customer(i)) for i in range(3)]
    for reg, hours in zip(regs, (1, 5, 3)):
        await _late(reg, timedelta(hours=hours))

    assert await review_digests.send_due(at=WEDNESDAY) == 1
    [digest] = await _digests()
    assert digest["to"] == ["cm_amer@cosell.test"]  # AMER's channel manager only: EMEA's has none late
    assert digest["subject"] == "Reviews overdue: 3 deal registrations (2030-03-13)"
    listed = [line for line in digest["text"].splitlines() if line.startswith("- #")]
    assert [int(line[3:].split(" ")[0]) for line in listed] == [pk(regs[i]["id"]) for i in (1, 2, 0)]
    assert "from Alpha Resellers (AMER): first review (P4: within 2 working hours)" in listed[0]
    assert listed[0].endswith("5 h late")

    # Once a day: a later tick, or another registration late the same day, sends nothing more …
    late_today = await register(gql, world, customer=_customer(9))
    await _late(late_today, timedelta(minutes=10))
    assert await review_digests.send_due(at=WEDNESDAY + timedelta(hours=2)) == 0
    assert len(await _digests()) == 1
    # … and the next business day's digest lists all four.
    assert await review_digests.send_due(at=WEDNESDAY + timedelta(days=1)) == 1
    assert (await _digests())[-1]["subject"] == "Reviews overdue: 4 deal registrations (2030-03-14)"


async def test_p4_decided_and_not_yet_due_registrations_are_not_listed(gql, world):
    denied = await register(gql, world)
    await ok(gql, world, DENY, "cm_amer", id=denied["id"], reason="Not a fit")
    decided = await register(gql, world, customer=_customer(1))
    await approved(gql, world, decided["id"])
    waiting = await register(gql, world, customer=_customer(2))
    await _late(waiting, -timedelta(hours=1))  # due in an hour
    assert await review_digests.send_due(at=WEDNESDAY) == 0
    assert await _digests() == []


async def test_p4_no_digest_on_weekends_or_on_the_region_holidays(gql, world):
    await _late(await register(gql, world), timedelta(hours=3))
    saturday = WEDNESDAY + timedelta(days=3)
    assert await review_digests.send_due(at=saturday) == 0
    await RegionHoliday.insert(RegionHoliday(region="AMER", day=WEDNESDAY.date(), name="Holiday",
                                             created_at=WEDNESDAY))
    assert await review_digests.send_due(at=WEDNESDAY) == 0
    assert await review_digests.send_due(at=WEDNESDAY + timedelta(days=1)) == 1


async def test_p4_a_region_without_a_channel_manager_goes_to_the_admins(gql, world):
    await _late(await register(gql, world), timedelta(hours=3), region="APJ")
    assert await review_digests.send_due(at=WEDNESDAY) == 1
    [digest] = await _digests()
    assert digest["to"] == ["admin@cosell.test"]
    assert "(APJ)" in digest["text"]


async def test_p4_a_long_backlog_is_one_digest_with_a_count_of_the_rest(gql, world, monkeypatch):
    monkeypatch.setattr(review_digests, "LISTED", 2)
    regs = [await register(gql, world, customer=_customer(i)) for i in range(3)]
    for i, reg in enumerate(regs):
        await _late(reg, timedelta(hours=i + 1))
    assert await review_digests.send_due(at=WEDNESDAY) == 1
    [digest] = await _digests()
    assert digest["subject"] == "Reviews overdue: 3 deal registrations (2030-03-13)"
    assert sum(line.startswith("- #") for line in digest["text"].splitlines()) == 2
    assert "- and 1 more: see your review queue in cosell" in digest["text"]


async def test_p4_concurrent_jobs_enqueue_each_digest_once(gql, world):
    """Three instances at once: the outbox keeps one digest per reviewer and day."""
    await _late(await register(gql, world), timedelta(hours=3))
    await _late(await register(gql, world, customer=_customer(1)), timedelta(hours=2), region="EMEA")
    await asyncio.gather(*(review_digests.send_due(worker=w, at=WEDNESDAY) for w in "abc"))
    digests = await _digests()
    assert sorted(d["to"][0] for d in digests) == ["cm_amer@cosell.test", "cm_emea@cosell.test"]
