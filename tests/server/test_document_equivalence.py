"""Equivalence of the paths a document can take (issue 17): every registered document of
the test suite and of the benchmark answers the same sent by its text and sent by its id
(the prepared path: parse, validation and cost cached per document), as every role — R9
and the other scoping rules included — with the same data, the same errors and the same
`extensions.cost`. A compiled path for registered documents has to pass the same test."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.run import DASHBOARD, OPPORTUNITIES, REVIEW_QUEUE
from partners.demo import load_demo
from partners.documents import store
from partners.enums import Role
from partners.identity import create_user, issue_token
from partners.tables import Partner
from schema.documents.files import documents_from_files

PORTAL_DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "portal" / "documents"

# (text, variables) of documents registered in this suite: the benchmark's portal,
# review-queue and opportunities documents, a document with an error for partner users,
# and whatever the reference portal ships (examples/portal/documents/*.graphql).
SUITE_DOCUMENTS = [
    (DASHBOARD, {}),
    (REVIEW_QUEUE, {"region": "EMEA"}),
    (REVIEW_QUEUE, {"region": "AMER"}),
    (OPPORTUNITIES, {}),
    ("query Accounts { accounts(first: 3) { totalCount nodes { id name } } plugins { name } }", {}),
    ("query TooBig { opportunities(first: 101) { totalCount } }", {}),
]


def _portal_documents() -> list[tuple[str, dict]]:
    files = sorted(PORTAL_DOCUMENTS.glob("*.graphql")) if PORTAL_DOCUMENTS.is_dir() else []
    if not files:
        return []
    # Operations without required variables only: those run as they are.
    return [(d.body, {}) for d in documents_from_files(files) if "$" not in d.body]


def _comparable(body: dict) -> dict:
    """The response without what differs by design between two consecutive requests: the
    budget left and its reset time (each request spends its cost), the SQL count (the
    first request by id looks the document up) and each error's request id."""
    body = {**body, "extensions": dict(body.get("extensions", {}))}
    if "errors" in body:
        body["errors"] = [{**e, "extensions": {k: v for k, v in e.get("extensions", {}).items() if k != "requestId"}}
                          for e in body["errors"]]
    body["extensions"].pop("sqlStatements", None)
    cost = dict(body["extensions"].get("cost", {}))
    cost.pop("remaining", None)
    cost.pop("resetInSeconds", None)
    body["extensions"]["cost"] = cost
    return body


async def _post(client, body: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.json()


async def test_every_registered_document_answers_the_same_by_text_and_by_id_as_every_role(cosell_client):
    logins = await load_demo(partner_count=40, parent_accounts=12)
    tokens = {f"{login.role.value}:{login.email}": login.token for login in logins}
    partner = await Partner.select(Partner.id).where(Partner.status == "AUTHORIZED").first()
    admin = await create_user(email="padmin@cosell.test", name="Partner Admin", role=Role.PARTNER_ADMIN,
                              partner_id=partner["id"])
    tokens["PARTNER_ADMIN"] = (await issue_token(admin.id, name="test"))[1]
    tokens["anonymous"] = None
    documents = SUITE_DOCUMENTS + _portal_documents()
    texts = sorted({text for text, _ in documents})
    await store.add([store.Document(store.sha256_hex(t), t, (), "test") for t in texts])

    compared, with_rows, with_errors = 0, 0, 0
    for who, token in tokens.items():
        for text, variables in documents:
            digest = hashlib.sha256(text.encode()).hexdigest()
            by_text = await _post(cosell_client, {"query": text, "variables": variables}, token)
            by_id = await _post(cosell_client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                                                "variables": variables}, token)
            assert by_id[0] == by_text[0], (who, text)
            assert _comparable(by_id[1]) == _comparable(by_text[1]), (who, text)
            compared += 1
            data = by_text[1].get("data") or {}
            with_rows += any(isinstance(v, dict) and v.get("totalCount") for v in data.values())
            with_errors += "errors" in by_text[1]
    assert compared == len(tokens) * len(documents)
    # Not only empty pages and refusals: rows for most roles, errors where expected.
    assert with_rows >= len(tokens) and with_errors >= len(tokens)
