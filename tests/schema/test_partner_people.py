"""A partner's people and the user directory through GraphQL (#18): invitations end to end
(the email, the claim, the first token), deactivation, role changes, and scoping — a
partner admin of alpha never sees, invites into or deactivates anyone of beta, by any path."""

import email
import re
from email import policy as email_policy

from partners.infra import outbox
from partners.infra.tables import OutboxMessage
from partners.people.enums import Region, Role
from partners.people.tables import User
from partners.program.tables import UserInvitation
from server.testing import GraphQLClient, free_port, make_user
from tests.schema.program import CHANGE_ROLE, CLAIM, DEACTIVATE, INVITE, USERS, codes, ok, run
from tests.schema.sales import gid, pk

VIEWER = "{ viewer { email role partner { name } } }"


async def _mail(client, var_dir) -> list[email.message.EmailMessage]:
    await client.app.state.background.run_once()  # the outbox sender delivers after commit
    files = sorted((var_dir / "mail").glob("*.eml")) if (var_dir / "mail").exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=email_policy.default) for f in files]


async def test_a_partner_admin_invites_a_colleague_who_claims_the_account_and_gets_a_first_token(
        cosell_app_factory, world, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        gql = GraphQLClient(client)
        invited = (await ok(gql, INVITE, world.tokens["alpha_admin"], email="Kim@Alpha.test", name="Kim Colleague",
                            role="PARTNER_USER"))["user"]
        assert (invited["email"], invited["role"], invited["active"], invited["invitationPending"]) == (
            "kim@alpha.test", "PARTNER_USER", False, True)
        assert invited["partner"]["name"] == "Alpha Resellers"  # always the admin's own partner

        [message] = await _mail(client, tmp_path)
        assert message["To"] == "kim@alpha.test" and message["Subject"] == "Your cosell invitation"
        text = message.get_content()
        assert "Alpha Resellers" in text
        token = re.search(r"csi_[A-Za-z0-9_-]+", text).group(0)
        assert await UserInvitation.exists().where(UserInvitation.token_hash == token) is False, "stored hashed"

        claimed = await ok(gql, CLAIM, None, token=token)
        assert claimed["user"]["email"] == "kim@alpha.test" and claimed["user"]["active"] is True
        first_token = claimed["token"]
        me = await gql(VIEWER, token=first_token)
        assert me["data"]["viewer"] == {"email": "kim@alpha.test", "role": "PARTNER_USER",
                                        "partner": {"name": "Alpha Resellers"}}
        again = await run(gql, CLAIM, None, token=token)
        assert codes(again) == [("INVALID_INVITATION", ("token",), None)] and again["token"] is None
        assert codes(await run(gql, CLAIM, None, token="csi_made_up")) == [("INVALID_INVITATION", ("token",), None)]
        # The audit log keeps the claim, never the token.
        audit = await gql("{ auditLog(first: 20) { nodes { mutation inputSummary } } }", token=world.tokens["admin"])
        summaries = [n["inputSummary"] for n in audit["data"]["auditLog"]["nodes"] if n["mutation"] == "claimInvitation"]
        assert summaries and all(token not in s for s in summaries)


def _token_of(message: email.message.EmailMessage) -> str:
    return re.search(r"csi_[A-Za-z0-9_-]+", message.get_content()).group(0)


async def _outbox_text() -> str:
    """Every outbox row, every column, as text: where a leaked secret would show."""
    return "\n".join(str(row) for row in await OutboxMessage.select())


async def test_an_invitation_after_a_withdrawn_one_is_emailed_and_claims(cosell_app_factory, world, tmp_path):
    """Issue 33 (6): each invitation's email is keyed by a random id, so the next invitee's
    email is never taken for one already sent (a withdrawn invitation's row was deleted, and
    SQLite gave its id to the next; since issue 34 it is kept, withdrawn)."""
    async with cosell_app_factory(var_dir=tmp_path) as client:
        gql = GraphQLClient(client)
        admin = world.tokens["admin"]
        first = (await ok(gql, INVITE, admin, email="first@cosell.test", name="First", role="SDR",
                          regions=["AMER"]))["user"]
        first_invitation = (await UserInvitation.select(UserInvitation.id).first())["id"]
        assert [m["To"] for m in await _mail(client, tmp_path)] == ["first@cosell.test"]
        await ok(gql, DEACTIVATE, admin, id=first["id"])  # withdraws (deletes) the invitation

        await ok(gql, INVITE, admin, email="second@cosell.test", name="Second", role="SDR", regions=["AMER"])
        second_invitation = (await UserInvitation.select(UserInvitation.id).order_by(UserInvitation.id,
                                                                                      ascending=False).first())["id"]
        assert second_invitation != first_invitation
        mails = {m["To"]: m for m in await _mail(client, tmp_path)}
        assert set(mails) == {"first@cosell.test", "second@cosell.test"}
        statuses = [r["status"] for r in await OutboxMessage.select(OutboxMessage.status)]
        assert statuses == ["SENT", "SENT"]
        claimed = await ok(gql, CLAIM, None, token=_token_of(mails["second@cosell.test"]))
        assert claimed["user"]["email"] == "second@cosell.test" and claimed["user"]["active"] is True


async def test_the_invitation_token_leaves_the_outbox_once_the_email_is_sent_or_dead(
        cosell_app_factory, world, tmp_path):
    """Issue 33 (7): the database keeps only the token's SHA-256 (docs/api.md): the outbox
    holds the token apart from the payload until the message settles, SENT or DEAD."""
    admin = world.tokens["admin"]
    async with cosell_app_factory(var_dir=tmp_path) as client:
        gql = GraphQLClient(client)
        await ok(gql, INVITE, admin, email="kim@cosell.test", name="Kim", role="SDR", regions=["AMER"])
        [pending] = await OutboxMessage.select().where(OutboxMessage.kind == "email")
        assert "csi_" not in str(pending["payload"]), "the payload never holds the token"
        [message] = await _mail(client, tmp_path)
        token = _token_of(message)
        assert token not in await _outbox_text()
        assert (await OutboxMessage.select(OutboxMessage.status).first())["status"] == "SENT"
        assert (await ok(gql, CLAIM, None, token=token))["user"]["active"] is True

    # A message given up on (DEAD: here the SMTP server is unreachable and one attempt is
    # allowed) is settled too: its token is removed, and sending it again fails for good.
    dead_dir = tmp_path / "dead"
    async with cosell_app_factory(var_dir=dead_dir, smtp_host="127.0.0.1", smtp_port=free_port(),
                                  outbox_max_attempts=1) as client:
        gql = GraphQLClient(client)
        await ok(gql, INVITE, admin, email="lee@cosell.test", name="Lee", role="SDR", regions=["AMER"])
        [row] = await OutboxMessage.select().where(OutboxMessage.dedupe_key.like("invitation:%")
                                                   & (OutboxMessage.status == "PENDING"))
        token = outbox._json(row["secrets"])["token"]
        assert await _mail(client, dead_dir) == []
        assert (await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == row["id"]).first()
                )["status"] == "DEAD"
        assert token.startswith("csi_") and token not in await _outbox_text()
    async with cosell_app_factory(var_dir=dead_dir, outbox_max_attempts=1) as client:
        assert await outbox.retry_dead([row["id"]]) == 1
        assert await _mail(client, dead_dir) == []
        again = await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first()
        assert again["status"] == "DEAD" and "removed when the message settled" in again["last_error"]
        assert token not in await _outbox_text()


async def test_an_invited_user_cannot_sign_in_before_claiming_and_a_withdrawn_invitation_cannot_be_claimed(gql, world):
    invited = (await ok(gql, INVITE, world.tokens["admin"], email="ae2@cosell.test", name="Second AE",
                        role="ACCOUNT_EXECUTIVE", regions=["EMEA"]))["user"]
    assert invited["regions"] == ["EMEA"] and invited["partner"] is None
    # Deactivating an invited user withdraws the invitation (kept, dead, so that it may be renewed).
    await ok(gql, DEACTIVATE, world.tokens["admin"], id=invited["id"])
    [kept] = await UserInvitation.select().where(UserInvitation.user == pk(invited["id"]))
    assert kept["withdrawn_at"] is not None and kept["claimed_at"] is None
    after = (await gql(USERS, {"f": {"text": "ae2@"}}, token=world.tokens["admin"]))["data"]["users"]["nodes"]
    assert after[0]["active"] is False and after[0]["invitationPending"] is False


async def test_invitation_refusals_with_codes_and_fields(gql, world):
    count = await User.count()
    beta = gid("Partner", world.partners["beta"])
    into_beta = await run(gql, INVITE, world.tokens["alpha_admin"], email="x@beta.test", name="X",
                          role="PARTNER_USER", partnerId=beta)
    assert codes(into_beta) == [("NOT_FOUND", ("partnerId",), None)]
    staff = await run(gql, INVITE, world.tokens["alpha_admin"], email="x@alpha.test", name="X", role="ADMIN")
    assert codes(staff) == [("ROLE_NOT_ALLOWED", ("role",), None)]
    taken = await run(gql, INVITE, world.tokens["admin"], email="AE@cosell.test", name="X", role="SDR")
    assert codes(taken) == [("EMAIL_TAKEN", ("email",), None)]
    bad = await run(gql, INVITE, world.tokens["admin"], email="nope", name="", role="SDR")
    assert set(codes(bad)) == {("INVALID_EMAIL", ("email",), None), ("REQUIRED", ("name",), None)}
    no_partner = await run(gql, INVITE, world.tokens["admin"], email="p@x.test", name="P", role="PARTNER_ADMIN")
    assert codes(no_partner) == [("PARTNER_REQUIRED", ("partner",), None)]
    no_region = await run(gql, INVITE, world.tokens["admin"], email="cm@x.test", name="C", role="CHANNEL_MANAGER")
    assert codes(no_region) == [("REGION_REQUIRED", ("regions",), "D1")]
    for token in ("alpha_user", "cm_amer", "ae"):
        body = await gql(INVITE, {"input": {"email": "y@alpha.test", "name": "Y", "role": "PARTNER_USER"}},
                         token=world.tokens[token], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", token
    assert await User.count() == count, "refusals write nothing"


async def test_deactivating_a_colleague_stops_their_tokens_at_once_even_with_the_token_cache(cosell_app_factory, world):
    async with cosell_app_factory(auth_cache_seconds=300) as client:
        gql = GraphQLClient(client)
        assert (await gql(VIEWER, token=world.tokens["alpha_user"]))["data"]["viewer"]["email"] == "alpha_user@cosell.test"
        done = await ok(gql, DEACTIVATE, world.tokens["alpha_admin"], id=gid("User", world.user_ids["alpha_user"]))
        assert done["user"]["active"] is False
        refused = await client.post("/graphql", json={"query": VIEWER},
                                    headers={"Authorization": f"Bearer {world.tokens['alpha_user']}"})
        assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        again = await ok(gql, DEACTIVATE, world.tokens["alpha_admin"], id=gid("User", world.user_ids["alpha_user"]))
        assert again["user"]["active"] is False, "deactivating twice is harmless"
        myself = await run(gql, DEACTIVATE, world.tokens["alpha_admin"], id=gid("User", world.user_ids["alpha_admin"]))
        assert codes(myself) == [("CANNOT_DEACTIVATE_SELF", ("id",), None)]


async def test_a_partner_admin_of_alpha_reaches_no_one_of_beta_by_any_path(gql, world):
    beta_user = gid("User", world.user_ids["beta_user"])
    beta_partner = gid("Partner", world.partners["beta"])
    token = world.tokens["alpha_admin"]
    # Lists: the directory shows alpha's people only, whatever the filter.
    listed = (await gql(USERS, {}, token=token))["data"]["users"]
    assert {n["email"] for n in listed["nodes"]} == {"alpha_user@cosell.test", "alpha_admin@cosell.test"}
    assert listed["totalCount"] == 2
    for f in ({"partnerId": beta_partner}, {"text": "beta"}, {"role": "ADMIN"}):
        assert (await gql(USERS, {"f": f}, token=token))["data"]["users"]["totalCount"] == 0, f
    # node and nodes.
    node = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": beta_user}, token=token)
    assert node["data"]["node"] is None
    nodes = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                      {"ids": [beta_user, beta_partner, gid("User", world.user_ids["alpha_user"])]}, token=token)
    assert [n is not None for n in nodes["data"]["nodes"]] == [False, False, True]
    # Nested fields: the partner root field and a user's partner.
    other = await gql("query($id: ID) { partner(id: $id) { name } }", {"id": beta_partner}, token=token)
    assert other["data"]["partner"] is None
    # Writes: deactivating beta's user is NOT_FOUND, and beta's user keeps working.
    refused = await run(gql, DEACTIVATE, token, id=beta_user)
    assert codes(refused) == [("NOT_FOUND", ("id",), None)]
    assert (await gql(VIEWER, token=world.tokens["beta_user"]))["data"]["viewer"]["email"] == "beta_user@cosell.test"
    staff = await run(gql, DEACTIVATE, token, id=gid("User", world.user_ids["ae"]))
    assert codes(staff) == [("NOT_FOUND", ("id",), None)]
    # A plain partner user manages no one.
    body = await gql(DEACTIVATE, {"input": {"id": gid("User", world.user_ids["alpha_admin"])}},
                     token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_staff_find_account_executives_in_the_directory(gql, world):
    await make_user(world, "ae_emea", Role.ACCOUNT_EXECUTIVE, regions=[Region.EMEA])
    found = await gql(USERS, {"f": {"role": "ACCOUNT_EXECUTIVE", "region": "AMER"}}, token=world.tokens["cm_amer"])
    assert [n["email"] for n in found["data"]["users"]["nodes"]] == ["ae@cosell.test"]
    by_text = await gql(USERS, {"f": {"text": "Ae Emea"}}, token=world.tokens["cm_emea"])
    assert [n["email"] for n in by_text["data"]["users"]["nodes"]] == ["ae_emea@cosell.test"]
    of_partner = await gql(USERS, {"f": {"partnerId": gid("Partner", world.partners["alpha"])}},
                           token=world.tokens["sales_ops"])
    assert of_partner["data"]["users"]["totalCount"] == 2
    page = await gql(USERS, {"first": 3}, token=world.tokens["admin"])
    assert page["data"]["users"]["pageInfo"]["hasNextPage"] is True and len(page["data"]["users"]["nodes"]) == 3
    assert (await gql(USERS, {}, token=None, errors=True))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admins_change_roles_and_the_change_applies_at_once(cosell_app_factory, world):
    async with cosell_app_factory(auth_cache_seconds=300) as client:
        gql = GraphQLClient(client)
        alpha_user = gid("User", world.user_ids["alpha_user"])
        assert (await gql(VIEWER, token=world.tokens["alpha_user"]))["data"]["viewer"]["role"] == "PARTNER_USER"
        promoted = (await ok(gql, CHANGE_ROLE, world.tokens["admin"], id=alpha_user, role="PARTNER_ADMIN"))["user"]
        assert promoted["role"] == "PARTNER_ADMIN" and promoted["partner"]["name"] == "Alpha Resellers"
        assert (await gql(VIEWER, token=world.tokens["alpha_user"]))["data"]["viewer"]["role"] == "PARTNER_ADMIN"
        invited = await ok(gql, INVITE, world.tokens["alpha_user"], email="new@alpha.test", name="New",
                           role="PARTNER_USER")
        assert invited["user"]["partner"]["name"] == "Alpha Resellers"

        to_staff = await run(gql, CHANGE_ROLE, world.tokens["admin"], id=alpha_user, role="CHANNEL_MANAGER", regions=[])
        assert codes(to_staff) == [("REGION_REQUIRED", ("regions",), "D1")]
        named = await run(gql, CHANGE_ROLE, world.tokens["admin"], id=alpha_user, role="SDR",
                          partnerId=gid("Partner", world.partners["alpha"]))
        assert codes(named) == [("PARTNER_NOT_ALLOWED", ("partner",), None)]
        cm = (await ok(gql, CHANGE_ROLE, world.tokens["admin"], id=alpha_user, role="CHANNEL_MANAGER",
                       regions=["LATAM"]))["user"]
        assert (cm["role"], cm["regions"], cm["partner"]) == ("CHANNEL_MANAGER", ["LATAM"], None)
        myself = await run(gql, CHANGE_ROLE, world.tokens["admin"], id=gid("User", world.user_ids["admin"]), role="SDR")
        assert codes(myself) == [("CANNOT_CHANGE_OWN_ROLE", ("role",), None)]
        for token in ("alpha_admin", "cm_amer"):
            body = await gql(CHANGE_ROLE, {"input": {"id": alpha_user, "role": "SDR"}}, token=world.tokens[token],
                             errors=True)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_directory_with_api_tokens_costs_the_same_statements_for_more_users(gql, world):
    """No N+1 (#18 users directory): each user's apiTokens first page loads in one batch per
    page; an administrator sees every user's tokens, a user only their own (never the hash)."""
    query = """query($n: Int) { users(first: $n) { nodes { email apiTokens(first: 2) { totalCount
      pageInfo { hasNextPage endCursor } nodes { name } } } } }"""
    small = await gql(query, {"n": 2}, token=world.tokens["admin"])
    large = await gql(query, {"n": 10}, token=world.tokens["admin"])
    assert len(large["data"]["users"]["nodes"]) == 10
    assert large["extensions"]["sqlStatements"] == small["extensions"]["sqlStatements"]
    tokens = {n["email"]: n["apiTokens"] for n in large["data"]["users"]["nodes"]}
    assert tokens["ae@cosell.test"]["totalCount"] == 1 and tokens["ae@cosell.test"]["nodes"] == [{"name": "test"}]
    own = await gql(query, {"n": 10}, token=world.tokens["alpha_admin"] if "alpha_admin" in world.tokens
                    else world.tokens["alpha_user"])
    counts = {n["email"]: n["apiTokens"]["totalCount"] for n in own["data"]["users"]["nodes"]}
    assert counts["alpha_user@cosell.test"] == (0 if "alpha_admin" in world.tokens else 1)
    # the next page of one user's tokens follows the first page's cursor
    await gql('mutation { createApiToken(input: {name: "second"}) { token } }', token=world.tokens["ae"])
    await gql('mutation { createApiToken(input: {name: "third"}) { token } }', token=world.tokens["ae"])
    first = await gql(query, {"n": 10}, token=world.tokens["admin"])
    ae = next(n for n in first["data"]["users"]["nodes"] if n["email"] == "ae@cosell.test")["apiTokens"]
    assert [t["name"] for t in ae["nodes"]] == ["test", "second"] and ae["pageInfo"]["hasNextPage"] is True
    rest = await gql("""query($id: ID!, $after: String) { node(id: $id) { ... on User { apiTokens(first: 2, after: $after)
      { nodes { name } } } } }""", {"id": gid("User", world.user_ids["ae"]), "after": ae["pageInfo"]["endCursor"]},
                     token=world.tokens["admin"])
    assert [t["name"] for t in rest["data"]["node"]["apiTokens"]["nodes"]] == ["third"]
