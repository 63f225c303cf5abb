"""Deal registrations through GraphQL (issue 5): D1, D2, P1–P6, P9, R2, R8, R9."""

from partners.tables import DealRegistrationChange, Partner
from tests.schema.registrations import (
    ADVANCE, APPROVE, DENY, DISSOLVE, EXTEND, REGISTER, RESUBMIT, RETURN, WITHDRAW,
    approved, call, deal_input, ok, register, to_manager_review,
)
from tests.schema.sales import gid


async def test_p4_happy_path_to_approval_converts_into_an_opportunity_r2_r8(gql, world):
    reg = await register(gql, world)
    assert reg["status"] == "SUBMITTED" and reg["customerName"] == "Acme, Inc" and not reg["customerMatched"]
    assert reg["reviewDueAt"] and reg["partner"]["name"] == "Alpha Resellers"
    reg = await to_manager_review(gql, world, reg["id"])
    assert reg["status"] == "PENDING_MANAGER_REVIEW"
    reg = await ok(gql, world, APPROVE, "cm_amer", id=reg["id"], accountExecutiveId=gid("User", world.user_ids["ae"]))
    assert reg["status"] == "APPROVED" and reg["expiresAt"] and reg["reviewDueAt"] is None
    assert reg["opportunity"]["name"] == "ALPHA - Acme, Inc- 50 Premium"
    assert reg["assignedAccountExecutive"] == {"id": gid("User", world.user_ids["ae"])}
    assert (await Partner.select(Partner.approved_registrations).where(
        Partner.id == world.partners["alpha"]).first())["approved_registrations"] == 1
