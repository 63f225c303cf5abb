"""CORS (issue 20): a portal served from its own origin may call the API when that origin is
allowed (COSELL_CORS_ORIGINS); others get no CORS headers, so their browsers refuse the answer.
Credentials (cookies) are off unless asked for: tokens travel in the Authorization header."""

import pytest

from server.settings import Settings

PORTAL = "https://portal.partner.test"
VIEWER = {"query": "{ viewer { email partner { name } } }"}


def _preflight(origin: str) -> dict:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"}


async def test_an_allowed_portal_origin_gets_preflight_and_response_headers(cosell_app_factory, world):
    async with cosell_app_factory(cors_origins=(PORTAL,)) as client:
        preflight = await client.options("/graphql", headers=_preflight(PORTAL))
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == PORTAL
        allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "idempotency-key"} <= allowed
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in preflight.headers
        assert preflight.headers["x-request-id"]

        response = await client.post("/graphql", json=VIEWER, headers={
            "Origin": PORTAL, "Authorization": f"Bearer {world.tokens['alpha_user']}"})
        assert response.json()["data"]["viewer"]["email"] == "alpha_user@cosell.test"
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_other_origins_get_no_cors_headers(cosell_app_factory, world):
    async with cosell_app_factory(cors_origins=(PORTAL,)) as client:
        preflight = await client.options("/graphql", headers=_preflight("https://evil.test"))
        assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers
        response = await client.post("/graphql", json=VIEWER, headers={
            "Origin": "https://evil.test", "Authorization": f"Bearer {world.tokens['alpha_user']}"})
        assert "access-control-allow-origin" not in response.headers


async def test_no_origin_is_allowed_by_default(cosell_client):
    preflight = await cosell_client.options("/graphql", headers=_preflight(PORTAL))
    assert "access-control-allow-origin" not in preflight.headers


async def test_credentials_only_when_asked_and_never_with_a_wildcard(cosell_app_factory):
    async with cosell_app_factory(cors_origins=(PORTAL,), cors_allow_credentials=True) as client:
        preflight = await client.options("/graphql", headers=_preflight(PORTAL))
        assert preflight.headers["access-control-allow-credentials"] == "true"
    with pytest.raises(ValueError, match="explicit"):
        Settings(cors_origins=("*",), cors_allow_credentials=True)
