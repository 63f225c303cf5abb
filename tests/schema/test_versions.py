"""Versions against lost updates (issue 10): `version` on opportunities and deal
registrations goes up by one with every change — the record's own fields, its stage or
status, an opportunity's team and contacts, and changes made as a consequence of another
write (P5 holds, O8 children) — and a stale `expectedVersion` is refused with
STALE_VERSION and nothing written. Concurrent clients: tests/server/test_concurrent_writes.py."""

from partners.opportunities.tables import Opportunity
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import ADVANCE, APPROVE, EXTEND, call, ok, register, to_manager_review
from tests.schema.sales import (
    ERRORS,
    add_partner,
    add_partner_ok,
    create_account,
    create_contact,
    create_opportunity,
    gid,
    move,
    only_error,
    pk,
)

UPDATE = f"""mutation($input: UpdateOpportunityInput!) {{
  updateOpportunity(input: $input) {{ opportunity {{ id name version }} {ERRORS} }} }}"""
VERSION = "query($id: ID!) { node(id: $id) { ... on Opportunity { name version } ... on DealRegistration { status version } } }"


async def version_of(gql, world, node_id: str, token: str = "admin") -> int:
    return (await gql(VERSION, {"id": node_id}, token=world.tokens[token]))["data"]["node"]["version"]


async def update(gql, world, opportunity_id: str, token: str = "ae", **fields) -> dict:
    body = await gql(UPDATE, {"input": {"id": opportunity_id, **fields}}, token=world.tokens[token])
    return body["data"]["updateOpportunity"]


async def test_an_opportunity_version_goes_up_by_one_with_every_change(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    assert await version_of(gql, world, opp["id"]) == 1
    assert (await update(gql, world, opp["id"], amount=15000.0))["opportunity"]["version"] == 2
    assert (await move(gql, world, opp["id"], "DISCOVERY"))["errors"] == []
    assert await version_of(gql, world, opp["id"]) == 3
    # A team change is a change of the opportunity (R5), here with the R2 rename in the same write.
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", name=f"ALPHA - {opp['name']}")
    assert await version_of(gql, world, opp["id"]) == 4
    contact = await create_contact(gql, world, acme)
    contacts = [{"contactId": contact, "role": "DECISION_MAKER", "isPrimary": True}]
    assert (await update(gql, world, opp["id"], contacts=contacts))["opportunity"]["version"] == 5


async def test_a_stale_expected_version_is_refused_and_nothing_is_written(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    first = await update(gql, world, opp["id"], name="Acme, Inc- 60 Premium", expectedVersion=1)
    assert first["errors"] == [] and first["opportunity"]["version"] == 2
    stale = await update(gql, world, opp["id"], name="Acme, Inc- 70 Premium", expectedVersion=1)
    error = only_error(stale)
    assert (error["code"], error["field"]) == ("STALE_VERSION", ["expectedVersion"]) and stale["opportunity"] is None
    row = await Opportunity.select(Opportunity.name, Opportunity.version).where(Opportunity.id == pk(opp["id"])).first()
    assert row == {"name": "Acme, Inc- 60 Premium", "version": 2}
    for payload in (await move(gql, world, opp["id"], "DISCOVERY", expectedVersion=1),
                    await add_partner(gql, world, opp["id"], "alpha", "RESELLER", expectedVersion=1)):
        assert only_error(payload)["code"] == "STALE_VERSION"
    assert await version_of(gql, world, opp["id"]) == 2
    assert (await update(gql, world, opp["id"], amount=1.0, expectedVersion=2))["errors"] == []


async def test_a_hidden_record_is_not_found_whatever_the_expected_version(gql, world):
    """R9: a stale version must not reveal that another partner's record exists."""
    reg = await register(gql, world, token="alpha_user")
    for expected in (1, 99):
        payload = await call(gql, world, "mutation($input: DealRegistrationNoteInput!) { withdrawDealRegistration("
                             f"input: $input) {{ dealRegistration {{ id }} {ERRORS} }} }}", "beta_user",
                             id=reg["id"], expectedVersion=expected)
        assert only_error(payload)["code"] == "NOT_FOUND"
    assert await version_of(gql, world, reg["id"]) == 1


async def test_registration_status_changes_move_the_version_p4(gql, world):
    reg = await register(gql, world)
    assert await version_of(gql, world, reg["id"]) == 1
    await ok(gql, world, ADVANCE, "cm_amer", id=reg["id"], expectedVersion=1)
    stale = await call(gql, world, ADVANCE, "cm_amer", id=reg["id"], expectedVersion=1)
    assert (only_error(stale)["code"], only_error(stale)["field"]) == ("STALE_VERSION", ["expectedVersion"])
    assert await version_of(gql, world, reg["id"]) == 2
    row = await DealRegistration.select(DealRegistration.status).where(DealRegistration.id == pk(reg["id"])).first()
    assert row["status"] == "PENDING_SALES_REVIEW"  # the refused advance changed nothing


async def test_side_effects_of_an_approval_move_the_versions_they_touch_p5_r8(gql, world):
    """Approving puts the registrant on the opportunity's team (R8: the opportunity changes)
    and holds the other registration of the same opportunity (P5: it changes too)."""
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", name=f"ALPHA - {opp['name']}")
    await add_partner_ok(gql, world, opp["id"], "beta", "RESELLER")
    alpha = await register(gql, world, "alpha_user", customer=None, opportunityId=opp["id"])
    beta = await register(gql, world, "beta_user", customer=None, opportunityId=opp["id"])
    await to_manager_review(gql, world, alpha["id"])
    opp_before, beta_before = await version_of(gql, world, opp["id"]), await version_of(gql, world, beta["id"])
    done = await ok(gql, world, APPROVE, "cm_amer", id=alpha["id"], expectedVersion=3)
    assert done["status"] == "APPROVED" and await version_of(gql, world, alpha["id"]) == 4
    assert await version_of(gql, world, opp["id"]) == opp_before + 1
    held = (await gql(VERSION, {"id": beta["id"]}, token=world.tokens["admin"]))["data"]["node"]
    assert held == {"status": "ON_HOLD", "version": beta_before + 1}


async def test_an_admin_extension_with_a_current_version_applies_p6(gql, world):
    reg = await register(gql, world)
    await to_manager_review(gql, world, reg["id"])
    await ok(gql, world, APPROVE, "cm_amer", id=reg["id"], accountExecutiveId=gid("User", world.user_ids["ae"]))
    current = await version_of(gql, world, reg["id"])
    extended = await ok(gql, world, EXTEND, "admin", id=reg["id"], days=10, expectedVersion=current)
    assert extended["extensionCount"] == 1 and await version_of(gql, world, reg["id"]) == current + 1
    invalid = await call(gql, world, EXTEND, "admin", id=reg["id"], days=10, expectedVersion=0)
    assert only_error(invalid)["code"] == "INVALID_VERSION"
