"""Bad HTTP input gets a 4xx with a clear JSON error, never a 500 or a plain-text page."""

import json

VIEWER = {"query": "{ viewer { id } }"}


def error_code(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_a_huge_body_is_413(cosell_app_factory, world):
    async with cosell_app_factory(max_body_bytes=2048) as client:
        query = "{ viewer { id } }" + " " * 4096
        response = await client.post("/graphql", json={"query": query})
        assert response.status_code == 413 and error_code(response) == "PAYLOAD_TOO_LARGE"
        assert response.json()["errors"][0]["extensions"]["maxBodyBytes"] == 2048

        async def chunks():  # no Content-Length: the limit is enforced while reading
            for _ in range(8):
                yield b" " * 1024

        streamed = await client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert (await client.post("/graphql", json=VIEWER)).status_code == 200


async def test_malformed_json_is_400(cosell_client):
    response = await cosell_client.post("/graphql", content=b'{"query": "{ viewer', headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "BAD_REQUEST"
    assert "JSON" in response.json()["errors"][0]["message"]


async def test_wrong_content_type_is_415(cosell_client):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = await cosell_client.post("/graphql", content=json.dumps(VIEWER), headers={"Content-Type": content_type})
        assert response.status_code == 415, content_type
        assert error_code(response) == "UNSUPPORTED_MEDIA_TYPE"
    missing = await cosell_client.post("/graphql", content=json.dumps(VIEWER))
    assert missing.status_code == 415


async def test_batching_is_disabled(cosell_client):
    response = await cosell_client.post("/graphql", json=[VIEWER, VIEWER])
    assert response.status_code == 400 and "Batching" in response.json()["errors"][0]["message"]


async def test_non_object_bodies_and_bad_fields_are_400(cosell_client):
    for body in ({"query": 42}, {"query": "{ viewer { id } }", "variables": [1]}, {}):
        response = await cosell_client.post("/graphql", json=body)
        assert response.status_code == 400, body
        assert error_code(response) == "BAD_REQUEST"


async def test_bodies_that_are_not_a_json_object_are_400_for_everyone(cosell_client, world):
    """Issue 16 item 12: `null`, a number, a string and bytes that are not UTF-8 are a 400
    with a reason, never a 500, signed in or anonymous."""
    for headers in ({}, {"Authorization": f"Bearer {world.tokens['admin']}"}):
        for body in (b"null", b"42", b'"{ viewer { id } }"', b"true", b"\xff\xfe{}", b'{"query": "\xc3("}'):
            response = await cosell_client.post(
                "/graphql", content=body, headers={"Content-Type": "application/json", **headers})
            assert response.status_code == 400, (body, response.text)
            assert error_code(response) == "BAD_REQUEST"
    utf8 = await cosell_client.post("/graphql", content=json.dumps({"query": "{ viewer { name } }"}).encode(),
                                    headers={"Content-Type": "application/json"})
    assert utf8.status_code == 200


async def test_media_types_are_case_insensitive(cosell_client):
    """Issue 16 item 14: `APPLICATION/JSON` is application/json (RFC 9110)."""
    for content_type in ("APPLICATION/JSON", "Application/Json; Charset=UTF-8", "application/JSON ; charset=utf-8"):
        response = await cosell_client.post("/graphql", content=json.dumps(VIEWER), headers={"Content-Type": content_type})
        assert response.status_code == 200, (content_type, response.text)
        assert response.json()["data"] == {"viewer": None}
