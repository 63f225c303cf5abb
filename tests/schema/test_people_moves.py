"""Issue 34, people moves through GraphQL: re-sending and renewing invitations (expired,
withdrawn), `invitationExpiresAt`, the list of invitations, reactivating a user (old tokens
stay revoked), and scoping — a partner admin of alpha never sees or acts on beta's people or
invitations, by any path (P1 where a denied partner is involved)."""

import email
import re
from datetime import timedelta
from email import policy as email_policy

from partners.infra.clock import now
from partners.people.tables import ApiToken, Partner, User
from partners.program.tables import UserInvitation
from server.testing import GraphQLClient
from tests.schema.program import CLAIM, DEACTIVATE, INVITATIONS, INVITE, REACTIVATE, RESEND, codes, ok, run
from tests.schema.sales import gid, pk

VIEWER = "{ viewer { email } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Invitation { email status } } }"


async def _mails(client, var_dir) -> list[email.message.EmailMessage]:
    await client.app.state.background.run_once()
    files = sorted((var_dir / "mail").glob("*.eml")) if (var_dir / "mail").exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=email_policy.default) for f in files]


def _token(message) -> str:
    return re.search(r"csi_[A-Za-z0-9_-]+", message.get_content()).group(0)


async def _expire(user_gid: str) -> None:
    """The invitation's 7 days are over (its expiry moved into the past)."""
    await UserInvitation.update({UserInvitation.expires_at: now() - timedelta(minutes=1)}).where(
        UserInvitation.user == pk(user_gid))


async def test_a_resent_invitation_has_a_new_token_and_the_old_one_no_longer_claims(cosell_app_factory, world,
                                                                                     tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        gql = GraphQLClient(client)
        admin = world.tokens["alpha_admin"]
        kim = (await ok(gql, INVITE, admin, email="kim@alpha.test", name="Kim", role="PARTNER_USER"))["user"]
        [first] = await _mails(client, tmp_path)
        resent = (await ok(gql, RESEND, admin, id=kim["id"]))["user"]
        assert (resent["active"], resent["invitationPending"]) == (False, True)
        mails = await _mails(client, tmp_path)
        assert [m["To"] for m in mails] == ["kim@alpha.test", "kim@alpha.test"], "one email per invitation"
        second = next(m for m in mails if _token(m) != _token(first))
        assert codes(await run(gql, CLAIM, None, token=_token(first))) == [("INVALID_INVITATION", ("token",), None)]
        listed = (await gql(INVITATIONS, {"f": {"statuses": ["PENDING", "SUPERSEDED"]}}, token=admin))["data"]
        assert [(n["email"], n["status"]) for n in listed["invitations"]["nodes"]] == [
            ("kim@alpha.test", "PENDING"), ("kim@alpha.test", "SUPERSEDED")]
        claimed = await ok(gql, CLAIM, None, token=_token(second))
        assert claimed["user"]["active"] is True
        assert (await gql(VIEWER, token=claimed["token"]))["data"]["viewer"]["email"] == "kim@alpha.test"
        after = (await gql(INVITATIONS, {"f": {"statuses": ["CLAIMED"]}}, token=admin))["data"]["invitations"]
        assert [n["status"] for n in after["nodes"]] == ["CLAIMED"]
        # Claimed: nothing more to send; deactivated later: reactivate instead.
        assert codes(await run(gql, RESEND, admin, id=kim["id"])) == [("ALREADY_ACTIVE", ("id",), None)]
        await ok(gql, DEACTIVATE, admin, id=kim["id"])
        assert codes(await run(gql, RESEND, admin, id=kim["id"])) == [("INVITATION_CLAIMED", ("id",), None)]


async def test_an_expired_invitation_is_renewed_by_inviting_the_same_address_again(cosell_app_factory, world,
                                                                                   tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        gql = GraphQLClient(client)
        admin = world.tokens["alpha_admin"]
        lee = (await ok(gql, INVITE, admin, email="lee@alpha.test", name="Lee", role="PARTNER_USER"))["user"]
        [old] = await _mails(client, tmp_path)
        await _expire(lee["id"])
        users = await gql("query($id: ID!) { node(id: $id) { ... on User { invitationPending invitationExpiresAt } } }",
                          {"id": lee["id"]}, token=admin)
        state = users["data"]["node"]
        assert state["invitationPending"] is False and state["invitationExpiresAt"] < now().isoformat()
        assert codes(await run(gql, CLAIM, None, token=_token(old))) == [("INVALID_INVITATION", ("token",), None)]
        expired = (await gql(INVITATIONS, {"f": {"statuses": ["EXPIRED"]}}, token=admin))["data"]["invitations"]
        assert [n["email"] for n in expired["nodes"]] == ["lee@alpha.test"]

        again = (await ok(gql, INVITE, admin, email="LEE@alpha.test", name="Lee Renewed", role="PARTNER_ADMIN"))["user"]
        assert again["id"] == lee["id"] and again["name"] == "Lee Renewed" and again["role"] == "PARTNER_ADMIN"
        assert again["invitationPending"] is True
        new = next(m for m in await _mails(client, tmp_path) if _token(m) != _token(old))
        assert (await ok(gql, CLAIM, None, token=_token(new)))["user"]["role"] == "PARTNER_ADMIN"
        assert await User.count().where(User.email == "lee@alpha.test") == 1


async def test_a_withdrawn_invitation_is_renewed_and_shows_its_expiry(gql, world):
    admin = world.tokens["admin"]
    invited = (await ok(gql, INVITE, admin, email="sam@cosell.test", name="Sam", role="SDR", regions=["AMER"]))["user"]
    await ok(gql, DEACTIVATE, admin, id=invited["id"])
    withdrawn = (await gql(INVITATIONS, {"f": {"statuses": ["WITHDRAWN"]}}, token=admin))["data"]["invitations"]
    assert [(n["email"], n["user"]["invitationExpiresAt"]) for n in withdrawn["nodes"]] == [("sam@cosell.test", None)]
    assert codes(await run(gql, REACTIVATE, admin, id=invited["id"])) == [("INVITATION_NOT_CLAIMED", ("id",), None)]
    renewed = (await ok(gql, RESEND, admin, id=invited["id"]))["user"]
    assert renewed["invitationPending"] is True
    pending = (await gql(INVITATIONS, {}, token=admin))["data"]["invitations"]
    assert [(n["email"], n["status"], n["invitedBy"]["email"]) for n in pending["nodes"]] == [
        ("sam@cosell.test", "PENDING", "admin@cosell.test")]
    expires = pending["nodes"][0]["expiresAt"]
    assert pending["nodes"][0]["user"]["invitationExpiresAt"] == expires > (now() + timedelta(days=6)).isoformat()


async def test_at_most_five_invitations_a_day_to_one_person(gql, world):
    admin = world.tokens["admin"]
    user = (await ok(gql, INVITE, admin, email="flood@cosell.test", name="F", role="SDR", regions=["AMER"]))["user"]
    for _ in range(4):
        await ok(gql, RESEND, admin, id=user["id"])
    assert codes(await run(gql, RESEND, admin, id=user["id"])) == [("INVITATION_LIMIT", ("id",), None)]
    again = await run(gql, INVITE, admin, email="flood@cosell.test", name="F", role="SDR", regions=["AMER"])
    assert codes(again) == [("INVITATION_LIMIT", ("email",), None)]
    assert await UserInvitation.count().where(UserInvitation.user == pk(user["id"])) == 5


async def test_reactivating_a_user_keeps_old_tokens_revoked_and_emails_a_new_one(cosell_app_factory, world, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path, auth_cache_seconds=300) as client:
        gql = GraphQLClient(client)
        admin, old_token = world.tokens["alpha_admin"], world.tokens["alpha_user"]
        alpha_user = gid("User", world.user_ids["alpha_user"])
        assert codes(await run(gql, REACTIVATE, admin, id=alpha_user)) == [("ALREADY_ACTIVE", ("id",), None)]
        await ok(gql, DEACTIVATE, admin, id=alpha_user)
        assert await ApiToken.count().where((ApiToken.user == world.user_ids["alpha_user"])
                                            & ApiToken.revoked_at.is_null()) == 0, "deactivation revokes"
        back = (await ok(gql, REACTIVATE, admin, id=alpha_user))["user"]
        assert back["active"] is True
        refused = await client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {old_token}"})
        assert refused.status_code == 401, "the old token stays revoked"
        [message] = await _mails(client, tmp_path)
        assert message["To"] == "alpha_user@cosell.test" and message["Subject"] == "Your cosell account is active again"
        claimed = await ok(gql, CLAIM, None, token=_token(message))
        assert (await gql(VIEWER, token=claimed["token"]))["data"]["viewer"]["email"] == "alpha_user@cosell.test"
        audit = await gql('{ auditLog(filter: {mutation: "reactivateUser"}) { nodes { actor result targets { type key } } } }',
                          token=world.tokens["admin"])
        assert audit["data"]["auditLog"]["nodes"] == [
            {"actor": "alpha_admin@cosell.test", "result": "OK",
             "targets": [{"type": "User", "key": world.user_ids["alpha_user"]},
                         {"type": "Partner", "key": world.partners["alpha"]}]},
            {"actor": "alpha_admin@cosell.test", "result": "USER_ERROR",
             "targets": [{"type": "User", "key": world.user_ids["alpha_user"]}]}]


async def test_a_partner_admin_never_sees_or_acts_on_another_partners_invitations(gql, world):
    staff, alpha_admin = world.tokens["admin"], world.tokens["alpha_admin"]
    beta = gid("Partner", world.partners["beta"])
    into_beta = (await ok(gql, INVITE, staff, email="bo@beta.test", name="Bo", role="PARTNER_USER",
                          partnerId=beta))["user"]
    await ok(gql, INVITE, alpha_admin, email="al@alpha.test", name="Al", role="PARTNER_USER")
    [beta_invitation] = (await gql(INVITATIONS, {"f": {"partnerId": beta}}, token=staff))["data"]["invitations"]["nodes"]
    # Lists, filters, node: alpha's admin sees alpha's invitation only.
    own = (await gql(INVITATIONS, {"f": {"statuses": []}}, token=alpha_admin))["data"]["invitations"]
    assert [n["email"] for n in own["nodes"]] == ["al@alpha.test"] and own["totalCount"] == 1
    for f in ({"partnerId": beta}, {"text": "bo@"}):
        assert (await gql(INVITATIONS, {"f": f}, token=alpha_admin))["data"]["invitations"]["totalCount"] == 0
    assert (await gql(NODE, {"id": beta_invitation["id"]}, token=alpha_admin))["data"]["node"] is None
    assert (await gql(NODE, {"id": beta_invitation["id"]}, token=world.tokens["beta_user"]))["data"]["node"] is None
    assert (await gql(NODE, {"id": beta_invitation["id"]}, token=world.tokens["ae"]))["data"]["node"]["email"] == \
        "bo@beta.test"
    # Staff see all, newest first, filterable by partner.
    every = (await gql(INVITATIONS, {"first": 1}, token=world.tokens["cm_emea"]))["data"]["invitations"]
    assert every["totalCount"] == 2 and every["nodes"][0]["email"] == "al@alpha.test"
    rest = await gql(INVITATIONS, {"first": 1, "after": every["pageInfo"]["endCursor"]}, token=world.tokens["cm_emea"])
    assert [n["email"] for n in rest["data"]["invitations"]["nodes"]] == ["bo@beta.test"]
    # Writes: NOT_FOUND by id, EMAIL_UNAVAILABLE by address; the invitation is untouched.
    assert codes(await run(gql, RESEND, alpha_admin, id=into_beta["id"])) == [("NOT_FOUND", ("id",), None)]
    assert codes(await run(gql, REACTIVATE, alpha_admin, id=gid("User", world.user_ids["beta_user"]))) == [
        ("NOT_FOUND", ("id",), None)]
    taken = await run(gql, INVITE, alpha_admin, email="bo@beta.test", name="Bo", role="PARTNER_USER")
    assert codes(taken) == [("EMAIL_UNAVAILABLE", ("email",), None)]
    assert await UserInvitation.count().where(UserInvitation.user == pk(into_beta["id"])) == 1
    # Plain partner users manage and list no one.
    for query, variables in ((INVITATIONS, {}), (RESEND, {"input": {"id": into_beta["id"]}}),
                             (REACTIVATE, {"input": {"id": into_beta["id"]}})):
        body = await gql(query, variables, token=world.tokens["alpha_user"], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_p1_no_invitation_nor_reactivation_into_a_denied_partner(gql, world):
    staff = world.tokens["admin"]
    beta = gid("Partner", world.partners["beta"])
    invited = (await ok(gql, INVITE, staff, email="di@beta.test", name="Di", role="PARTNER_USER",
                        partnerId=beta))["user"]
    await ok(gql, DEACTIVATE, staff, id=gid("User", world.user_ids["beta_user"]))
    await Partner.update({Partner.status: "DENIED"}).where(Partner.id == world.partners["beta"])
    assert codes(await run(gql, RESEND, staff, id=invited["id"])) == [("PARTNER_DENIED", ("id",), "P1")]
    assert codes(await run(gql, REACTIVATE, staff, id=gid("User", world.user_ids["beta_user"]))) == [
        ("PARTNER_DENIED", ("id",), "P1")]
    assert codes(await run(gql, INVITE, staff, email="di@beta.test", name="Di", role="PARTNER_USER",
                           partnerId=beta)) == [("PARTNER_DENIED", ("partnerId",), "P1")]
    assert await UserInvitation.count().where(UserInvitation.user == pk(invited["id"])) == 1
