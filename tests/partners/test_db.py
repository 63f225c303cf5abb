"""Transactions: a refused write leaves nothing behind, on both engines."""

import pytest

from partners.accounts.tables import Account
from partners.infra.db import count_statements, transaction
from partners.infra.errors import DomainError


async def test_a_refused_write_leaves_nothing(cosell_client):
    with pytest.raises(DomainError):
        async with transaction():
            await Account(name="Half Written, Inc", region="AMER", country="US").save()
            raise DomainError.single("REFUSED", "Refused on purpose.")
    assert await Account.count() == 0


async def test_statements_are_counted(cosell_client):
    with count_statements() as counter:
        await Account.count()
        await Account.select().limit(1)
    assert counter.count == 2
