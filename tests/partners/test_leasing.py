"""Row leasing: each row is worked on by one worker; a crashed worker's rows are taken over."""

from datetime import timedelta

import pytest

from partners.infra import leasing
from partners.infra.db import transaction
from partners.infra.outbox import enqueue
from partners.infra.tables import OutboxMessage, OutboxStatus

DUE = OutboxMessage.status == OutboxStatus.PENDING.value


async def _messages(count: int) -> list[int]:
    async with transaction():
        return [await enqueue("test", {"n": n}) for n in range(count)]


async def test_claimers_do_not_take_each_others_rows(cosell_client):
    ids = await _messages(5)
    lease_a, rows_a = await leasing.claim(OutboxMessage, due=DUE, worker="a", limit=3, lease_for=timedelta(minutes=1))
    lease_b, rows_b = await leasing.claim(OutboxMessage, due=DUE, worker="b", limit=3, lease_for=timedelta(minutes=1))
    claimed_a = {row["id"] for row in rows_a}
    claimed_b = {row["id"] for row in rows_b}
    assert len(claimed_a) == 3 and len(claimed_b) == 2
    assert claimed_a | claimed_b == set(ids) and not claimed_a & claimed_b
    assert all(row["lease_owner"] == lease_a.token for row in rows_a)
    _, rows_c = await leasing.claim(OutboxMessage, due=DUE, worker="c", limit=3, lease_for=timedelta(minutes=1))
    assert rows_c == []


async def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_finish(cosell_client):
    [message_id] = await _messages(1)
    start = leasing.utcnow()
    crashed, [row] = await leasing.claim(OutboxMessage, due=DUE, worker="crashed", limit=1,
                                         lease_for=timedelta(seconds=30), now=start)
    # While the lease runs nobody else gets the row.
    _, none = await leasing.claim(OutboxMessage, due=DUE, worker="other", limit=1,
                                  lease_for=timedelta(seconds=30), now=start + timedelta(seconds=29))
    assert none == []
    # After it expires, another worker takes it over …
    taker, [again] = await leasing.claim(OutboxMessage, due=DUE, worker="other", limit=1,
                                         lease_for=timedelta(seconds=30), now=start + timedelta(seconds=31))
    assert again["id"] == row["id"] == message_id
    # … and the worker whose lease expired can no longer settle or release it.
    assert not await leasing.finish(OutboxMessage, message_id, crashed, {OutboxMessage.status: OutboxStatus.SENT.value})
    assert await leasing.release(OutboxMessage, [message_id], crashed) == 0
    assert await leasing.finish(OutboxMessage, message_id, taker, {OutboxMessage.status: OutboxStatus.SENT.value})
    stored = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert stored["status"] == "SENT" and stored["lease_owner"] is None and stored["leased_until"] is None


async def test_a_released_row_can_be_claimed_again_at_once(cosell_client):
    [message_id] = await _messages(1)
    lease, _ = await leasing.claim(OutboxMessage, due=DUE, worker="a", limit=1, lease_for=timedelta(minutes=5))
    assert await leasing.release(OutboxMessage, [message_id], lease) == 1
    _, rows = await leasing.claim(OutboxMessage, due=DUE, worker="b", limit=1, lease_for=timedelta(minutes=5))
    assert [row["id"] for row in rows] == [message_id]


async def test_claiming_inside_a_transaction_is_refused(cosell_client):
    with pytest.raises(leasing.LeasingError, match="outside a transaction"):
        async with transaction():
            await leasing.claim(OutboxMessage, due=DUE, worker="a", limit=1, lease_for=timedelta(minutes=1))
