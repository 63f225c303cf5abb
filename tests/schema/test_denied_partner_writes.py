"""P1: while its partner is DENIED, a partner user or partner admin writes nothing
(partners/people/standing.py). Every partner-side mutation is refused with the UserError
PARTNER_DENIED (rule P1, the field naming what was refused) and leaves every table as it
was — no row, no history, no outbox event, no webhook delivery; the audit log gains only
the refused call's USER_ERROR row. Once the partner is AUTHORIZED again (P1), the same
mutation works. Revoking one's own API token stays allowed throughout (a security action);
vendor staff still act on the denied partner's people and endpoints.

Everything goes through GraphQL against the app and a real database (SQLite or
PostgreSQL); the only direct writes set up an opportunity a partner user owns with a
holdover (A10), which no single mutation produces."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Awaitable

import pytest

from partners.infra.clock import now
from partners.infra.piccolo_app import APP_CONFIG
from partners.infra.tables import AuditEntry, AuditTarget, CostBudget, OutboxMessage
from partners.opportunities.tables import Opportunity
from partners.people.enums import Role
from server.testing import GraphQLClient, make_user
from tests.schema.cosell import add_task, complete_task, create_plan, days, update_task
from tests.schema.leads import (
    ACCEPT_LEAD,
    COMMENT_ON_CASE,
    OPEN_CASE,
    RECORD_ACTION,
    REJECT_LEAD,
    SHARE_LEAD,
    call as lead_call,
    open_case,
    shared_lead,
)
from tests.schema.program import AUTHORIZE, CLAIM, DEACTIVATE, DENY, INVITE, codes, ok, run
from tests.schema.registrations import REGISTER, RESUBMIT, RETURN, WITHDRAW, call as reg_call, deal_input, register
from tests.schema.sales import (
    ERRORS,
    MOVE_STAGE,
    add_partner_ok,
    create_account,
    create_opportunity,
    gid,
    pk,
)
from tests.schema.webhooks import REDELIVER, Receiver, create_endpoint, deliver, delivery_log

# The request's own bookkeeping, kept for every call whatever it does: the audit log and the
# query-cost budget it is charged to.
BOOKKEEPING = {AuditEntry.__name__, AuditTarget.__name__, CostBudget.__name__}


# ---------------------------------------------------------------- helpers


async def everything() -> dict[str, list[dict]]:
    """Every row of every table but the request's bookkeeping: what "writes nothing" compares."""
    rows = {}
    for table in APP_CONFIG.table_classes:
        if table.__name__ in BOOKKEEPING:
            continue
        rows[table.__name__] = await table.select().order_by(table.id)
    return rows


async def refused_by(call: Awaitable[dict], field: tuple[str, ...]) -> dict:
    """Await one mutation call expected to be refused by P1 (its payload) and check that it
    wrote nothing: every table as before, and one USER_ERROR row in the audit log."""
    before = await everything()
    audit_before = await AuditEntry.count()
    payload = await call
    assert codes(payload) == [("PARTNER_DENIED", field, "P1")], payload["errors"]
    assert all(value is None for key, value in payload.items() if key != "errors"), payload
    after = await everything()
    changed = {name: (before[name], rows) for name, rows in after.items() if rows != before[name]}
    assert not changed, f"nothing written, yet: {changed}"
    audit = await AuditEntry.select(AuditEntry.result, AuditEntry.error_codes).order_by(AuditEntry.id)
    assert len(audit) == audit_before + 1 and audit[-1] == {"result": "USER_ERROR", "error_codes": "PARTNER_DENIED"}
    return payload


async def refused(gql, query: str, token: str | None, field: tuple[str, ...], /, **input_fields) -> dict:
    return await refused_by(run(gql, query, token, **input_fields), field)


async def deny(gql, world, partner: str = "alpha") -> None:
    await ok(gql, DENY, world.tokens["cm_amer"], id=gid("Partner", world.partners[partner]),
             reason="Failed the compliance review")


async def authorize(gql, world, partner: str = "alpha") -> None:
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=gid("Partner", world.partners[partner]), reason="Fixed")


CREATE_TOKEN = f"""mutation($input: CreateApiTokenInput!) {{
  createApiToken(input: $input) {{ apiToken {{ id name }} token {ERRORS} }} }}"""
REVOKE_TOKEN = f"""mutation($input: RevokeApiTokenInput!) {{
  revokeApiToken(input: $input) {{ apiToken {{ id active }} {ERRORS} }} }}"""
UPDATE_OPPORTUNITY = f"""mutation($input: UpdateOpportunityInput!) {{
  updateOpportunity(input: $input) {{ opportunity {{ id amount }} {ERRORS} }} }}"""
REQUEST_HOLDOVER = f"""mutation($input: RequestHoldoverExtensionInput!) {{
  requestHoldoverExtension(input: $input) {{ extension {{ id status }} {ERRORS} }} }}"""
UPDATE_ENDPOINT = f"""mutation($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{ endpoint {{ id description }} {ERRORS} }} }}"""
ROTATE_SECRET = f"""mutation($input: RotateWebhookSecretInput!) {{
  rotateWebhookSecret(input: $input) {{ endpoint {{ id }} secret {ERRORS} }} }}"""
DELETE_ENDPOINT = f"""mutation($input: DeleteWebhookEndpointInput!) {{
  deleteWebhookEndpoint(input: $input) {{ deletedId {ERRORS} }} }}"""
CREATE_ENDPOINT = f"""mutation($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{ endpoint {{ id }} secret {ERRORS} }} }}"""


# ---------------------------------------------------------------- credentials and people


async def test_p1_a_denied_partners_users_create_no_api_token_but_may_revoke_theirs(gql, world):
    """P1: createApiToken is refused; revokeApiToken (a security action) is not."""
    mine = await ok(gql, CREATE_TOKEN, world.tokens["alpha_user"], name="CRM sync")
    await deny(gql, world)
    await refused(gql, CREATE_TOKEN, world.tokens["alpha_user"], (), name="Another integration")
    revoked = await ok(gql, REVOKE_TOKEN, world.tokens["alpha_user"], id=mine["apiToken"]["id"])
    assert revoked["apiToken"]["active"] is False
    body = await gql("{ viewer { email } }", token=world.tokens["alpha_user"])
    assert body["data"]["viewer"]["email"] == "alpha_user@cosell.test", "they keep their account and read"
    await authorize(gql, world)
    again = await ok(gql, CREATE_TOKEN, world.tokens["alpha_user"], name="Another integration")
    assert again["token"].startswith("cst_")


async def test_p1_a_denied_partners_admin_invites_and_deactivates_nobody(gql, world):
    """P1: inviteUser (field partnerId) and deactivateUser (field id) are refused for a DENIED
    partner's admin; a vendor admin still deactivates the denied partner's users."""
    await make_user(world, "alpha_colleague", Role.PARTNER_USER, partner_id=world.partners["alpha"])
    colleague = gid("User", world.user_ids["alpha_colleague"])
    await deny(gql, world)
    admin = world.tokens["alpha_admin"]
    await refused(gql, INVITE, admin, ("partnerId",), email="z@alpha.test", name="Z", role="PARTNER_USER")
    await refused(gql, DEACTIVATE, admin, ("id",), id=colleague)
    # Whose user it is decides nothing first: another partner's user is refused the same way.
    await refused(gql, DEACTIVATE, admin, ("id",), id=gid("User", world.user_ids["beta_user"]))
    await authorize(gql, world)
    invited = await ok(gql, INVITE, admin, email="z@alpha.test", name="Z", role="PARTNER_USER")
    assert invited["user"]["invitationPending"] is True
    done = await ok(gql, DEACTIVATE, admin, id=colleague)
    assert done["user"]["active"] is False
    # Staff act on a denied partner's people: P1 binds the partner's side only.
    await deny(gql, world)
    by_admin = await ok(gql, DEACTIVATE, world.tokens["admin"], id=gid("User", world.user_ids["alpha_user"]))
    assert by_admin["user"]["active"] is False


async def _invitation_token(email: str) -> str:
    """The token of the invitation email still to be sent (the outbox keeps it apart from the
    payload until the message settles)."""
    rows = await OutboxMessage.select(OutboxMessage.payload, OutboxMessage.secrets).where(OutboxMessage.kind == "email")
    for row in rows:
        if email in str(row["payload"]):
            return re.search(r"csi_[A-Za-z0-9_-]+", str(row["secrets"])).group(0)
    raise AssertionError(f"no invitation mail to {email}")


async def test_p1_an_invitation_sent_before_the_denial_is_claimed_only_once_authorized_again(gql, world):
    """P1: a denied partner gets no new users, so claimInvitation (field token) is refused and
    the invitation stays unclaimed; once the partner is authorized again it claims."""
    await ok(gql, INVITE, world.tokens["alpha_admin"], email="kim@alpha.test", name="Kim", role="PARTNER_USER")
    token = await _invitation_token("kim@alpha.test")
    await deny(gql, world)
    await refused(gql, CLAIM, None, ("token",), token=token)
    await authorize(gql, world)
    claimed = await ok(gql, CLAIM, None, token=token)
    assert claimed["user"]["active"] is True and claimed["token"].startswith("cst_")


# ---------------------------------------------------------------- deal registrations (P1–P4)


async def test_p1_a_denied_partners_users_register_resubmit_and_withdraw_nothing(gql, world):
    """P1 over P2/P4: registerDeal (field partnerId), resubmitDealRegistration and
    withdrawDealRegistration (field id) answer PARTNER_DENIED, not PARTNER_NOT_AUTHORIZED or
    INVALID_TRANSITION; authorized again, the partner registers, resubmits and withdraws."""
    returned = await register(gql, world)
    await reg_call(gql, world, RETURN, "cm_amer", id=returned["id"], reason="Which edition?")
    pending = await register(gql, world, customer={"prospect": {"name": "Globex", "website": "globex.test"}})
    await deny(gql, world)  # P1: its live registrations are closed
    user = world.tokens["alpha_user"]
    await refused(gql, REGISTER, user, ("partnerId",), **deal_input())
    await refused(gql, RESUBMIT, user, ("id",), id=returned["id"], notes="Premium")
    await refused(gql, WITHDRAW, user, ("id",), id=pending["id"], note="No longer needed")

    await authorize(gql, world)
    fresh = await register(gql, world, customer={"prospect": {"name": "Initech", "website": "initech.test"}})
    await reg_call(gql, world, RETURN, "cm_amer", id=fresh["id"], reason="Which edition?")
    resubmitted = await reg_call(gql, world, RESUBMIT, "alpha_user", id=fresh["id"], notes="Premium")
    assert resubmitted["errors"] == [] and resubmitted["dealRegistration"]["status"] == "SUBMITTED"
    withdrawn = await reg_call(gql, world, WITHDRAW, "alpha_user", id=fresh["id"], note="Lost it")
    assert withdrawn["errors"] == [] and withdrawn["dealRegistration"]["status"] == "WITHDRAWN"


# ---------------------------------------------------------------- leads (P11)


async def test_p1_a_denied_partners_users_answer_no_lead(gql, world):
    """P1 + P11: the denial recalled the leads; acceptLead, rejectLead and recordLeadAction
    (field id) are PARTNER_DENIED rather than NOT_FOUND; shared again after the partner is
    authorized again, they are accepted, rejected and acted on."""
    first = await shared_lead(gql, world)
    second = await shared_lead(gql, world, company="Hooli")
    await deny(gql, world)
    user = world.tokens["alpha_user"]
    await refused(gql, ACCEPT_LEAD, user, ("id",), id=first["id"])
    await refused(gql, REJECT_LEAD, user, ("id",), id=second["id"], reason="Not our region")
    await refused(gql, RECORD_ACTION, user, ("id",), id=first["id"], action="CONTACTED")

    await authorize(gql, world)
    alpha = gid("Partner", world.partners["alpha"])
    for lead in (first, second):
        shared = await lead_call(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=alpha)
        assert shared["errors"] == [], shared["errors"]
    accepted = await lead_call(gql, world, ACCEPT_LEAD, "alpha_user", id=first["id"])
    assert accepted["errors"] == [] and accepted["lead"]["status"] == "ACCEPTED"
    acted = await lead_call(gql, world, RECORD_ACTION, "alpha_user", id=first["id"], action="CONTACTED")
    assert acted["errors"] == [] and acted["lead"]["status"] == "CONTACTED"
    rejected = await lead_call(gql, world, REJECT_LEAD, "alpha_user", id=second["id"], reason="Not our region")
    assert rejected["errors"] == [] and rejected["lead"]["status"] == "NEW"


# ---------------------------------------------------------------- cases (D9) and co-sell tasks (D3)


async def test_p1_a_denied_partners_users_open_and_comment_on_no_case_and_work_no_task(gql, world):
    """P1 over D9 and D3: openCase and commentOnCase (no field), updateCoSellTask and
    completeCoSellTask (field id) write nothing; authorized again, all four work."""
    case = await open_case(gql, world)
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, name="ALPHA - Acme, Inc- 50 Premium")
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", is_primary=True)
    plan = await create_plan(gql, world, opp["id"], "alpha", token="cm_amer", kickoffDate=days(0))
    task = await add_task(gql, world, plan["id"], "alpha_user", token="cm_amer", title="Run the POC", dueDate=days(9))
    await deny(gql, world)
    user = world.tokens["alpha_user"]
    await refused(gql, OPEN_CASE, user, (), subject="Quote", description="Help", accountName="Hooli")
    await refused(gql, COMMENT_ON_CASE, user, (), id=case["id"], body="Any news?")
    await refused_by(update_task(gql, world, task["id"], token="alpha_user", status="IN_PROGRESS"), ("id",))
    await refused_by(complete_task(gql, world, task["id"], token="alpha_user", notes="Done"), ("id",))

    await authorize(gql, world)
    assert (await open_case(gql, world))["status"] == "OPEN"
    comment = await lead_call(gql, world, COMMENT_ON_CASE, "alpha_user", id=case["id"], body="Any news?")
    assert comment["errors"] == [] and comment["comment"]["body"] == "Any news?"
    started = await update_task(gql, world, task["id"], token="alpha_user", status="IN_PROGRESS")
    assert started["errors"] == [] and started["task"]["status"] == "IN_PROGRESS"
    finished = await complete_task(gql, world, task["id"], token="alpha_user", notes="Done")
    assert finished["errors"] == [] and finished["task"]["status"] == "DONE"


# ---------------------------------------------------------------- opportunities a partner user owns (O, A10)


async def _owned_by_alpha_user(gql, world) -> str:
    """An open opportunity owned by alpha's user, alpha its primary reseller, held over (A10)."""
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, name="ALPHA - Acme, Inc- 50 Premium",
                                   ownerId=gid("User", world.user_ids["alpha_user"]))
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", is_primary=True, token="sales_ops")
    await Opportunity.update({Opportunity.owner_holdover_until: now() + timedelta(days=30)}).where(
        Opportunity.id == pk(opp["id"]))
    return opp["id"]


async def test_p1_a_denied_partners_user_changes_no_opportunity_they_own(gql, world):
    """P1: updateOpportunity, moveOpportunityStage (field id) and requestHoldoverExtension
    (field opportunityId, A10) are refused while DENIED; authorized again, they work."""
    opp = await _owned_by_alpha_user(gql, world)
    await deny(gql, world)
    user = world.tokens["alpha_user"]
    close = (date.today() + timedelta(days=60)).isoformat()
    await refused(gql, UPDATE_OPPORTUNITY, user, ("id",), id=opp, amount=15000.0)
    await refused(gql, MOVE_STAGE, user, ("id",), id=opp, stage="DISCOVERY")
    await refused(gql, REQUEST_HOLDOVER, user, ("opportunityId",), opportunityId=opp, expectedCloseDate=close,
                  note="Signed order form in legal review")

    await authorize(gql, world)
    updated = await ok(gql, UPDATE_OPPORTUNITY, user, id=opp, amount=15000.0)
    assert updated["opportunity"]["amount"] == 15000.0
    moved = await ok(gql, MOVE_STAGE, user, id=opp, stage="DISCOVERY")
    assert moved["opportunity"]["stage"] == "DISCOVERY"
    asked = await ok(gql, REQUEST_HOLDOVER, user, opportunityId=opp, expectedCloseDate=close,
                     note="Signed order form in legal review")
    assert asked["extension"]["status"] == "PENDING"


# ---------------------------------------------------------------- webhooks (partner admins)


@pytest.fixture
async def hooks(cosell_app_factory):
    # Local receivers live on 127.0.0.1, which production refuses (COSELL_WEBHOOK_ALLOW_PRIVATE).
    async with cosell_app_factory(webhook_allow_private=True) as client:
        yield client


async def test_p1_a_denied_partners_admin_manages_no_webhook_endpoint(hooks, world):
    """P1: createWebhookEndpoint (field partnerId), updateWebhookEndpoint, rotateWebhookSecret,
    deleteWebhookEndpoint and redeliverWebhookDelivery (field id) are refused for a DENIED
    partner's admin; authorized again, all five work; a vendor admin manages them throughout."""
    gql = GraphQLClient(hooks)
    with Receiver() as receiver:
        created = await create_endpoint(gql, world, "alpha_admin", receiver.url(), ["DEAL_REGISTRATION"])
        assert created["errors"] == []
        endpoint = created["endpoint"]["id"]
        await register(gql, world)
        await deliver(hooks)
        [delivery] = await delivery_log(gql, world, "alpha_admin", endpoint)
        await deny(gql, world)
        await deliver(hooks)  # the denial's own events (the registration closed) are delivered first
        admin = world.tokens["alpha_admin"]
        await refused(gql, CREATE_ENDPOINT, admin, ("partnerId",), url=receiver.url("/other"),
                      eventTypes=["DEAL_REGISTRATION"])
        await refused(gql, UPDATE_ENDPOINT, admin, ("id",), id=endpoint, description="Our CRM")
        await refused(gql, ROTATE_SECRET, admin, ("id",), id=endpoint)
        await refused(gql, REDELIVER, admin, ("id",), id=delivery["id"])
        await refused(gql, DELETE_ENDPOINT, admin, ("id",), id=endpoint)
        # A vendor admin still manages the denied partner's endpoints.
        by_staff = await ok(gql, UPDATE_ENDPOINT, world.tokens["admin"], id=endpoint, description="Paused by us")
        assert by_staff["endpoint"]["description"] == "Paused by us"

        await authorize(gql, world)
        assert (await ok(gql, CREATE_ENDPOINT, admin, url=receiver.url("/other"),
                         eventTypes=["DEAL_REGISTRATION"]))["secret"]
        assert (await ok(gql, UPDATE_ENDPOINT, admin, id=endpoint, description="Our CRM"))["endpoint"][
            "description"] == "Our CRM"
        assert (await ok(gql, ROTATE_SECRET, admin, id=endpoint))["secret"]
        again = await gql(REDELIVER, {"input": {"id": delivery["id"]}}, token=admin)
        assert again["data"]["redeliverWebhookDelivery"]["errors"] == []
        assert (await ok(gql, DELETE_ENDPOINT, admin, id=endpoint))["deletedId"] == endpoint
