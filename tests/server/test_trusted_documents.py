"""Trusted documents and Apollo automatic persisted queries (issue 17, server/documents.py).

Partner scoping (R9) is the same whichever way a document arrives: by text, by id, or as
a registered document; the tests below check that a partner user still sees only their
own partner through a registered document."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import pytest

from partners.documents import store
from partners.documents.tables import TrustedDocument
from schema import build_schema
from schema.documents.check import check_documents
from schema.documents.files import documents_from_files
from server.settings import Settings

VIEWER = "query Viewer { viewer { email role } }"
PORTAL = textwrap.dedent("""\
    query PortalViewer { viewer { ...Who } }
    query PortalPartners { viewer { partner { name } } opportunities(first: 5) { totalCount } }
    fragment Who on User { email role }
    """)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(hash_: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": hash_}}


async def post(client, body: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=body, headers=headers)


async def register(tmp_path, name: str, text: str) -> list[store.Document]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    documents = documents_from_files([path])
    settings = Settings.from_env()
    check_documents(build_schema(settings), settings, documents)
    await store.add(documents)
    return documents


def test_cli_registers_a_folder_of_graphql_files_and_refuses_a_broken_one(cosell_database_url, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "portal.graphql").write_text(PORTAL, encoding="utf-8")
    (folder / "viewer.graphql").write_text(VIEWER, encoding="utf-8")
    cli = [sys.executable, "-m", "server.cli", "documents"]
    added = subprocess.run([*cli, "add", str(folder)], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    # the portal file as a whole, each of its two operations alone, and the viewer file
    assert "4 document(s) added" in added.stdout
    again = subprocess.run([*cli, "add", str(folder)], capture_output=True, text=True)
    assert "0 document(s) added, 4 already registered" in again.stdout
    listed = subprocess.run([*cli, "list"], capture_output=True, text=True, check=True).stdout
    assert sha(PORTAL) in listed and sha(VIEWER) in listed and "PortalViewer, PortalPartners" in listed

    (folder / "broken.graphql").write_text("query Broken { viewer { shoeSize } }", encoding="utf-8")
    refused = subprocess.run([*cli, "add", str(folder)], capture_output=True, text=True)
    assert refused.returncode == 2 and "shoeSize" in refused.stderr and "nothing registered" in refused.stderr
    removed = subprocess.run([*cli, "remove", sha(VIEWER)], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr
    assert sha(VIEWER) not in subprocess.run([*cli, "list"], capture_output=True, text=True).stdout


async def test_registered_document_runs_by_hash_with_operation_name_and_each_operation_alone(
        cosell_client, world, tmp_path):
    documents = await register(tmp_path, "portal.graphql", PORTAL)
    token = world.tokens["alpha_user"]
    whole = await post(cosell_client, {"extensions": apq(sha(PORTAL)), "operationName": "PortalViewer"}, token)
    assert whole.status_code == 200
    assert whole.json()["data"] == {"viewer": {"email": "alpha_user@cosell.test", "role": "PARTNER_USER"}}
    alone = next(d for d in documents if d.operation_names == ("PortalPartners",))
    partners = (await post(cosell_client, {"extensions": apq(alone.document_id)}, token)).json()
    assert partners["data"] == {"viewer": {"partner": {"name": "Alpha Resellers"}}, "opportunities": {"totalCount": 0}}
    by_text = (await post(cosell_client, {"query": alone.body}, token)).json()
    assert by_text["data"] == partners["data"]
    assert by_text["extensions"]["cost"]["requested"] == partners["extensions"]["cost"]["requested"]


async def test_automatic_persisted_queries_follow_apollos_protocol(cosell_client, world):
    token = world.tokens["cm_amer"]
    miss = await post(cosell_client, {"extensions": apq(sha(VIEWER))}, token)
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    sent = await post(cosell_client, {"query": VIEWER, "extensions": apq(sha(VIEWER))}, token)
    assert sent.json()["data"]["viewer"]["role"] == "CHANNEL_MANAGER"
    hit = await post(cosell_client, {"extensions": apq(sha(VIEWER))}, token)
    assert hit.json()["data"] == sent.json()["data"]
    # Apollo Client's useGETForHashedQueries
    get = await cosell_client.get("/graphql", params={"extensions": json.dumps(apq(sha(VIEWER)))},
                                  headers={"Authorization": f"Bearer {token}"})
    assert get.json()["data"] == sent.json()["data"]


async def test_only_a_sha256_keys_the_automatic_cache(cosell_client, world):
    """Issue 33 item 4: `sha256Hash` is a SHA-256 (64 lowercase hex characters). An MD5 or
    SHA-1 of the text (collisions can be forged) or any other string is refused as a bad APQ
    request, runs nothing and is not remembered; a `documentId` that is not a SHA-256 runs
    its text once but never keys the shared cache either."""
    token = world.tokens["cm_amer"]
    md5, sha1 = hashlib.md5(VIEWER.encode()).hexdigest(), hashlib.sha1(VIEWER.encode()).hexdigest()
    for bad in (md5, sha1, sha(VIEWER).upper(), sha(VIEWER)[:63], sha(VIEWER) + "0", "sha256:" + sha(VIEWER)):
        for body in ({"query": VIEWER, "extensions": apq(bad)}, {"extensions": apq(bad)}):
            response = await post(cosell_client, body, token)
            assert response.status_code == 400, (bad, response.text)
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED", error
            assert "64 lowercase hexadecimal" in error["message"]
            assert response.json().get("data") is None
    get = await cosell_client.get("/graphql", params={"extensions": json.dumps(apq(md5))},
                                  headers={"Authorization": f"Bearer {token}"})
    assert get.status_code == 400 and get.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"

    ran = await post(cosell_client, {"query": VIEWER, "documentId": md5}, token)
    assert ran.json()["data"]["viewer"]["role"] == "CHANNEL_MANAGER"
    again = await post(cosell_client, {"documentId": md5}, token)
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in again.json() or again.json()["data"] is None
    # the SHA-256 of the same text still works as Apollo's protocol says
    sent = await post(cosell_client, {"query": VIEWER, "extensions": apq(sha(VIEWER))}, token)
    hit = await post(cosell_client, {"extensions": apq(sha(VIEWER))}, token)
    assert hit.json()["data"] == sent.json()["data"] == ran.json()["data"]


async def test_a_text_changed_after_registration_is_refused_as_a_hash_mismatch(cosell_client, world, tmp_path):
    await register(tmp_path, "viewer.graphql", VIEWER)
    changed = VIEWER.replace("role", "name")
    for token in (world.tokens["alpha_user"], world.tokens["admin"]):
        response = await post(cosell_client, {"query": changed, "extensions": apq(sha(VIEWER))}, token)
        assert response.status_code == 400
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
        assert "hash mismatch" in body["errors"][0]["message"]
        assert body.get("data") is None  # neither the new text nor the registered one ran


async def test_a_registered_row_edited_in_the_database_is_never_run(cosell_client, world, tmp_path):
    await register(tmp_path, "viewer.graphql", VIEWER)
    await TrustedDocument.update({TrustedDocument.body: "query Viewer { viewer { email name } }"}).where(
        TrustedDocument.document_id == sha(VIEWER))
    response = await post(cosell_client, {"extensions": apq(sha(VIEWER))}, world.tokens["admin"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "changed after registration" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("role_key", ["alpha_user", "beta_user"])
async def test_allow_list_mode_runs_only_registered_documents_for_the_chosen_roles(
        cosell_app_factory, world, tmp_path, role_key):
    await register(tmp_path, "viewer.graphql", VIEWER)
    other = "query Other { viewer { name } }"
    async with cosell_app_factory(trusted_documents_roles=("PARTNER_USER", "PARTNER_ADMIN")) as client:
        token = world.tokens[role_key]
        refused = await post(client, {"query": other}, token)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
        # a client cannot add to the list through automatic persisted queries
        persisted = await post(client, {"query": other, "extensions": apq(sha(other))}, token)
        assert persisted.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
        assert (await post(client, {"extensions": apq(sha(VIEWER))}, token)).json()["data"]["viewer"]
        assert (await post(client, {"query": VIEWER}, token)).json()["data"]["viewer"]  # its exact text
        assert (await post(client, {"documentId": sha(VIEWER)}, token)).json()["data"]["viewer"]
        # other roles still send any text
        staff = await post(client, {"query": other}, world.tokens["sales_ops"])
        assert staff.json()["data"] == {"viewer": {"name": "Sales Ops"}}


async def test_relay_persisted_output_registers_by_its_md5_ids_and_a_wrong_id_is_refused(
        cosell_client, world, tmp_path):
    md5 = hashlib.md5(VIEWER.encode()).hexdigest()
    await register(tmp_path, "persisted_queries.json", json.dumps({md5: VIEWER}))
    relay = await post(cosell_client, {"doc_id": md5, "variables": {}}, world.tokens["alpha_user"])
    assert relay.json()["data"]["viewer"]["email"] == "alpha_user@cosell.test"
    with pytest.raises(store.DocumentRefused, match="hash mismatch"):
        await register(tmp_path, "wrong.json", json.dumps({md5: VIEWER.replace("role", "name")}))


async def test_an_unknown_role_in_the_allow_list_setting_stops_start_up(cosell_app_factory):
    with pytest.raises(ValueError, match="PARTNER_USRE"):
        async with cosell_app_factory(trusted_documents_roles=("PARTNER_USRE",)):
            pass


async def test_a_registered_introspection_document_still_needs_a_token_when_operators_require_one(
        cosell_app_factory, world, tmp_path):
    """Validation is cached per document AND per set of rules: COSELL_INTROSPECTION_
    REQUIRES_TOKEN adds its rule for anonymous callers only, so a registered document
    that introspects is refused to them by id as by text (issue 16 item 17, issue 17)."""
    text = 'query TypeOfQuery { __type(name: "Query") { name } }'
    await register(tmp_path, "introspect.graphql", text)
    token = world.tokens["alpha_user"]
    async with cosell_app_factory(introspection_requires_token=True) as client:
        signed_in = (await post(client, {"extensions": apq(sha(text))}, token)).json()
        assert signed_in["data"] == {"__type": {"name": "Query"}}
        anonymous = (await post(client, {"extensions": apq(sha(text))}, None)).json()
        assert anonymous["data"] is None and "introspection" in anonymous["errors"][0]["message"]
        again = (await post(client, {"extensions": apq(sha(text))}, token)).json()
        assert again["data"] == {"__type": {"name": "Query"}}
