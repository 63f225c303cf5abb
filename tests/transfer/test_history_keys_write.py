"""The history rows a bulk writer inserts carry their registration's partner, region and
type (issue 36 item 2): given with the rows (the import), else copied from the registration
rows by one UPDATE (copy_registration_keys)."""

from __future__ import annotations

from partners.demo import load_demo
from partners.infra.db import transaction
from partners.registrations.tables import DealRegistration, DealRegistrationChange
from partners.transfer.children import REGISTRATION_KEYS, replace_registration_children
from tests.analytics.test_history_keys import assert_copies_match


async def _rewrite(with_keys: bool) -> None:
    await load_demo()
    rows = await DealRegistration.select(DealRegistration.id, *(getattr(DealRegistration, k)
                                                                for k in REGISTRATION_KEYS)).limit(5)
    ids = [r["id"] for r in rows]
    history: dict[int, list[dict]] = {i: [] for i in ids}
    for h in await DealRegistrationChange.select().where(DealRegistrationChange.registration.is_in(ids)):
        history[h["registration"]].append({"event": h["event"], "from": h["from_status"], "to": h["to_status"],
                                           "by": h["changed_by"], "note": h["note"], "at": h["changed_at"]})
    values = {r["id"]: {"products": [], "history": history[r["id"]],
                        "keys": {k: r[k] for k in REGISTRATION_KEYS} if with_keys else None}
              for r in rows}
    assert any(v["history"] for v in values.values())
    async with transaction():
        await replace_registration_children(values, existing=ids)


async def test_history_rows_take_the_keys_given_with_them(cosell_client):
    await _rewrite(with_keys=True)
    assert await assert_copies_match() > 10


async def test_history_rows_without_keys_get_them_from_their_registration(cosell_client):
    await _rewrite(with_keys=False)
    assert await assert_copies_match() > 10
