"""Single sign-on (issue 20): JWT access tokens of configured identity providers, verified
against their JWKS (a file or a URL; key rotation), mapped to ONE cosell user by email or
linked subject, partner users to their own partner; anything else a clear 401. Keys are
generated here; the JWKS URL is a real local HTTP server."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from partners.people.identity import link_subject
from partners.people.tables import User
from server.testing import global_id

ISSUER = "https://idp.partner.test/realms/portal"
VIEWER = {"query": "{ viewer { email role partner { name } } }"}


class Key:
    def __init__(self, kid: str, kind: str = "rsa") -> None:
        self.kid = kid
        if kind == "rsa":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.alg, algorithm = "RS256", jwt.algorithms.RSAAlgorithm
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.alg, algorithm = "ES256", jwt.algorithms.ECAlgorithm
        self.jwk = {**algorithm.to_jwk(self.private.public_key(), as_dict=True), "kid": kid, "use": "sig",
                    "alg": self.alg}

    def token(self, *, kid: str | None = "", **claims) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": "cosell", "sub": "u-1", "iat": now, "exp": now + 300, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        headers = {"kid": self.kid if kid == "" else kid} if kid is not None else {}
        return jwt.encode(body, self.private, algorithm=self.alg, headers=headers)


def jwks(*keys: Key) -> dict:
    return {"keys": [k.jwk for k in keys]}


def issuer(**config) -> dict:
    return {"issuer": ISSUER, "audience": "cosell", **config}


async def _viewer(client, token: str):
    return await client.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})


async def _refused(client, token: str) -> str:
    response = await _viewer(client, token)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    return error["message"]


@pytest.fixture
def key_file(tmp_path):
    key = Key("k1")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(key)))
    return key, path


async def test_users_sign_in_by_email_with_their_identity_providers_token(cosell_app_factory, world, key_file):
    key, path = key_file
    config = issuer(jwks_file=str(path), roles=["PARTNER_USER", "CHANNEL_MANAGER"])
    async with cosell_app_factory(jwt_issuers=(config,)) as client:
        partner = (await _viewer(client, key.token(email="ALPHA_USER@cosell.test"))).json()["data"]["viewer"]
        assert (partner["email"], partner["role"], partner["partner"]["name"]) == (
            "alpha_user@cosell.test", "PARTNER_USER", "Alpha Resellers")
        staff = (await _viewer(client, key.token(email="cm_amer@cosell.test"))).json()["data"]["viewer"]
        assert (staff["role"], staff["partner"]) == ("CHANNEL_MANAGER", None)
        # Opaque tokens keep working next to single sign-on.
        opaque = (await _viewer(client, world.tokens["beta_user"])).json()["data"]["viewer"]
        assert opaque["email"] == "beta_user@cosell.test"


async def test_tokens_that_do_not_hold_are_a_clear_401(cosell_app_factory, world, key_file):
    key, path = key_file
    stranger = Key("k1")  # same key id, another key: a forged signature
    now = int(time.time())
    async with cosell_app_factory(jwt_issuers=(issuer(jwks_file=str(path)),), jwt_leeway_seconds=0) as client:
        email = "alpha_user@cosell.test"
        cases = {
            key.token(email=email, exp=now - 120): "expired",
            key.token(email=email, nbf=now + 600): "not valid yet",
            key.token(email=email, aud="another-api"): "another audience",
            key.token(email=email, iss="https://elsewhere.test"): "not configured",
            stranger.token(email=email): "signature",
            key.token(email=email, kid="unknown"): "does not publish",
            key.token(email=email, exp=None): "'exp'",
            key.token(email="nobody@cosell.test"): "No active cosell user",
            key.token(email=email, email_verified=False): "not verified",
            key.token(): "no 'email' claim",
            "eyJ.not.ajwt": "Malformed",
        }
        for token, reason in cases.items():
            assert reason in await _refused(client, token), reason
        await User.update({User.active: False}).where(User.email == "beta_user@cosell.test")
        assert "No active cosell user" in await _refused(client, key.token(email="beta_user@cosell.test"))


async def test_clock_skew_is_a_setting(cosell_app_factory, world, key_file):
    key, path = key_file
    just_expired = key.token(email="ae@cosell.test", exp=int(time.time()) - 30)
    async with cosell_app_factory(jwt_issuers=(issuer(jwks_file=str(path), roles=["ACCOUNT_EXECUTIVE"]),),
                                  jwt_leeway_seconds=120) as client:
        assert (await _viewer(client, just_expired)).json()["data"]["viewer"]["email"] == "ae@cosell.test"
    async with cosell_app_factory(jwt_issuers=(issuer(jwks_file=str(path), roles=["ACCOUNT_EXECUTIVE"]),),
                                  jwt_leeway_seconds=0) as client:
        assert "expired" in await _refused(client, just_expired)


async def test_users_linked_by_subject_and_partner_claim_checked(cosell_app_factory, world, key_file):
    key, path = key_file
    await link_subject("alpha_user@cosell.test", ISSUER, "idp-7")
    config = issuer(jwks_file=str(path), match="subject", partner_claim="partner")
    async with cosell_app_factory(jwt_issuers=(config,)) as client:
        me = (await _viewer(client, key.token(sub="idp-7", partner="alpha"))).json()["data"]["viewer"]
        assert me["email"] == "alpha_user@cosell.test"
        # Subject matching never falls back to the email claim: an unlinked subject is refused.
        message = await _refused(client, key.token(sub="idp-8", email="alpha_user@cosell.test", partner="alpha"))
        assert "link-sso" in message
        assert "partner" in await _refused(client, key.token(sub="idp-7", partner="beta"))
        assert "partner" in await _refused(client, key.token(sub="idp-7"))


STAFF_ISSUER = "https://login.cosell.test/staff"
ROLE = {"query": "{ viewer { email role partner { id } } }"}


async def _role(client, token: str) -> str:
    response = await client.post("/graphql", json=ROLE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()["data"]["viewer"]["role"]


async def test_a_partner_issuer_never_signs_in_staff(cosell_app_factory, world, key_file, caplog):
    """Issue 33: an issuer matching by email with a partner claim minted an ADMIN for any token
    carrying an admin's email. An issuer signs in partner users only unless its `roles` say so."""
    key, path = key_file
    config = issuer(jwks_file=str(path), partner_claim="partner")  # no `roles`: partner roles only
    async with cosell_app_factory(jwt_issuers=(config,)) as client:
        caplog.set_level("INFO", logger="cosell.sso")
        admin = key.token(email="admin@cosell.test")
        assert "may not sign in" in await _refused(client, admin)
        assert "may not sign in" in await _refused(client, key.token(email="admin@cosell.test", partner="alpha"))
        assert "may not sign in" in await _refused(client, key.token(email="cm_amer@cosell.test"))
        assert await _role(client, key.token(email="alpha_admin@cosell.test", partner="alpha")) == "PARTNER_ADMIN"
        # The refusal is logged with its reason, the issuer and the user, never the token.
        refused = [r for r in caplog.records if r.name == "cosell.sso" and getattr(r, "reason", "") == "role"]
        assert refused and refused[0].issuer == ISSUER and refused[0].role == "ADMIN"
        assert refused[0].user_id == world.user_ids["admin"]
        assert not any(admin in r.getMessage() or admin in str(r.__dict__) for r in caplog.records)
        assert not any("admin@cosell.test" in str(r.__dict__) for r in caplog.records)


async def test_staff_sign_in_through_an_issuer_that_allows_their_role(cosell_app_factory, world, key_file):
    key, path = key_file
    partners = issuer(jwks_file=str(path), partner_claim="partner")
    staff = {"issuer": STAFF_ISSUER, "audience": "cosell", "jwks_file": str(path), "roles": ["ADMIN"]}
    async with cosell_app_factory(jwt_issuers=(partners, staff)) as client:
        assert "may not sign in" in await _refused(client, key.token(email="admin@cosell.test"))
        assert await _role(client, key.token(iss=STAFF_ISSUER, email="admin@cosell.test")) == "ADMIN"
        # The staff issuer signs in no one else: not a channel manager, not a partner user.
        assert "may not sign in" in await _refused(client, key.token(iss=STAFF_ISSUER, email="cm_amer@cosell.test"))
        assert "may not sign in" in await _refused(client, key.token(iss=STAFF_ISSUER, email="alpha_user@cosell.test"))
    managers = {**staff, "roles": ["CHANNEL_MANAGER"]}
    async with cosell_app_factory(jwt_issuers=(partners, managers)) as client:
        assert "may not sign in" in await _refused(client, key.token(iss=STAFF_ISSUER, email="admin@cosell.test"))
        assert await _role(client, key.token(iss=STAFF_ISSUER, email="cm_amer@cosell.test")) == "CHANNEL_MANAGER"


async def test_partner_claim_names_the_partner_by_its_api_id_nickname_or_number(cosell_app_factory, world,
                                                                                 key_file):
    """Issue 33: the claim names the partner "by its nickname or id", the id being the one the
    API shows (`viewer { partner { id } }`); the internal number still works."""
    key, path = key_file
    shown = (await _viewer_as(cosell_app_factory, world.tokens["alpha_user"]))["partner"]["id"]
    alpha, beta = world.partners["alpha"], world.partners["beta"]
    config = issuer(jwks_file=str(path), partner_claim="partner")
    async with cosell_app_factory(jwt_issuers=(config,)) as client:
        for claim in (shown, shown.rstrip("="), "alpha", "ALPHA", str(alpha), alpha):
            assert await _role(client, key.token(email="alpha_user@cosell.test", partner=claim)) == "PARTNER_USER", \
                claim
        beta_shown = global_id("Partner", beta)
        for claim in (beta_shown, "beta", str(beta), global_id("User", alpha), "", None, True, ["alpha"],
                      shown.lower()):
            message = await _refused(client, key.token(email="alpha_user@cosell.test", partner=claim))
            assert "'partner' claim" in message, claim


async def _viewer_as(cosell_app_factory, token: str) -> dict:
    async with cosell_app_factory() as client:
        response = await client.post("/graphql", json=ROLE, headers={"Authorization": f"Bearer {token}"})
        return response.json()["data"]["viewer"]


async def test_a_subject_issuer_signs_in_only_the_linked_subject(cosell_app_factory, world, key_file):
    key, path = key_file
    staff = {"issuer": STAFF_ISSUER, "audience": "cosell", "jwks_file": str(path), "match": "subject",
             "roles": ["ADMIN"]}
    async with cosell_app_factory(jwt_issuers=(staff,)) as client:
        token = key.token(iss=STAFF_ISSUER, sub="staff-1", email="admin@cosell.test")
        assert "link-sso" in await _refused(client, token)
        await link_subject("admin@cosell.test", ISSUER, "staff-1")  # linked at another issuer: not this one
        assert "link-sso" in await _refused(client, token)
        await link_subject("admin@cosell.test", STAFF_ISSUER, "staff-1")
        assert await _role(client, token) == "ADMIN"


async def test_key_rotation_in_a_jwks_file(cosell_app_factory, world, key_file):
    key, path = key_file
    new = Key("k2", "ec")
    config = issuer(jwks_file=str(path), roles=["ACCOUNT_EXECUTIVE"])
    async with cosell_app_factory(jwt_issuers=(config,), jwks_min_refetch_seconds=0) as client:
        assert (await _viewer(client, key.token(email="ae@cosell.test"))).status_code == 200
        path.write_text(json.dumps(jwks(key, new)))  # the provider publishes its next key
        assert (await _viewer(client, new.token(email="ae@cosell.test"))).json()["data"]["viewer"]["email"] == \
            "ae@cosell.test"


class _JwksServer:
    """A real HTTP server publishing a JWKS that the test can change, counting fetches."""

    def __init__(self, document: dict) -> None:
        self.document, self.fetches = document, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.fetches += 1
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/realms/portal/protocol/openid-connect/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


async def test_jwks_from_a_url_fetched_once_and_again_for_a_rotated_key(cosell_app_factory, world):
    old, new = Key("2026-11"), Key("2026-12")
    with _JwksServer(jwks(old)) as idp:
        config = issuer(jwks_url=idp.url, roles=["SDR"])
        async with cosell_app_factory(jwt_issuers=(config,), jwks_min_refetch_seconds=0) as client:
            for _ in range(3):
                assert (await _viewer(client, old.token(email="sdr@cosell.test"))).status_code == 200
            assert idp.fetches == 1, "the keys are cached"
            idp.document = jwks(old, new)  # rotation: the new key is published, then used
            me = (await _viewer(client, new.token(email="sdr@cosell.test"))).json()["data"]["viewer"]
            assert me["email"] == "sdr@cosell.test" and idp.fetches == 2
            assert "does not publish" in await _refused(client, Key("forged").token(email="sdr@cosell.test"))


async def test_a_bad_issuer_configuration_stops_the_app(cosell_app_factory):
    with pytest.raises(ValueError, match="jwks_url, jwks_file"):
        async with cosell_app_factory(jwt_issuers=(issuer(),)):
            pass
    with pytest.raises(ValueError, match="asymmetric"):
        async with cosell_app_factory(jwt_issuers=(issuer(jwks_file="x", algorithms=["HS256"]),)):
            pass
    allowed = "ADMIN, SALES_OPS, CHANNEL_MANAGER, ACCOUNT_EXECUTIVE, SDR, PARTNER_USER, PARTNER_ADMIN, SMB_ADVOCATE"
    for roles, problem in ((["ADMIN", "ROOT"], "unknown role(s) ROOT"), ([], "roles"), ("ADMIN", "roles")):
        expected = f"COSELL_JWT_ISSUERS: {ISSUER} {problem}.*allowed: {allowed}"
        with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            async with cosell_app_factory(jwt_issuers=(issuer(jwks_file="x", roles=roles),)):
                pass


def test_cli_links_a_subject_to_one_user_only(cosell_database_url, world):
    import os
    import subprocess
    import sys

    from server.settings import PROJECT_ROOT

    def link(email: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", "users", "link-sso", "--issuer", ISSUER, "--subject", "idp-42",
             "--email", email], cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": cosell_database_url},
            capture_output=True, text=True, timeout=60)

    first = link("ae@cosell.test")
    assert first.returncode == 0 and "ae@cosell.test signs in" in first.stdout, first.stderr
    second = link("sdr@cosell.test")
    assert second.returncode == 2 and "linked to another user" in second.stderr
