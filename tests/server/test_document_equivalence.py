"""Equivalence of the paths a document can take (issue 17): every registered document of
the test suite and of the benchmark answers the same sent by its text and sent by its id
(the prepared path: parse, validation and cost cached per document), as every role — R9
and the other scoping rules included — with the same data, the same errors and the same
`extensions.cost` — and the same again with compiled plans on (by id, schema/compiled)
and off (COSELL_COMPILED_PLANS=0)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bench.run import DASHBOARD, OPPORTUNITIES, REVIEW_QUEUE
from partners import business_days
from partners.demo import load_demo
from partners.documents import store
from partners.people.enums import Role
from partners.people.identity import create_user, issue_token
from partners.people.tables import Partner
from schema.compiled.executor import PlanStats
from schema.documents.files import documents_from_files

PORTAL_DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "portal" / "documents"

# Aliases, __typename and a nested object in a plan.
ALIASED = "query Aliased { opps: opportunities(first: 5) { n: totalCount nodes { __typename key: id stage " \
          "account { name } } } }"

# Issue 40: exact amounts with their currency (Money objects in a plan), and the deprecated floats.
AMOUNTS = "query Amounts { dealRegistrations(first: 20) { nodes { id currency estimatedAmount " \
          "estimatedAmountMoney { amount currency } } } opportunities(first: 20) { nodes { id currency amount " \
          "netArrMoney { amount currency } initialIacvMoney { amount } account { currency carr carrMoney { amount " \
          "currency } } } } }"

# Every field schema/compiled/row_fields.py completes from rows, under every row batch
# (schema/compiled/batches.py ROW_BATCHES): the plan's conversions against the nodes'.
ACCOUNT_ROW = "{ __typename id name website type region country segment ranking rankingNote currency " \
              "potentialUsers firstOrderAvailable screeningStatus createdAt }"
CONTACT_ROW = "{ id name email title createdAt }"
PARTNER_ROW = "{ id name nickname type track isPsp status region country city website published latitude longitude }"
OPPORTUNITY_ROWS = f"query OpportunityRows {{ opportunities(first: 30) {{ nodes {{ id account {ACCOUNT_ROW} " \
                   f"partners {{ role partner {PARTNER_ROW} }} contacts {{ role contact {CONTACT_ROW} }} }} }} }}"
REGISTRATION_ROWS = f"query RegistrationRows {{ dealRegistrations(first: 30) {{ nodes {{ id partner {PARTNER_ROW} " \
                    f"conflicts {{ id partner {PARTNER_ROW} }} }} }} coSellPlans(first: 30) {{ nodes {{ id " \
                    f"partner {PARTNER_ROW} }} }} }}"
REGISTRATION_ACCOUNTS = f"query RegistrationAccounts {{ dealRegistrations(first: 30) {{ nodes {{ id account {ACCOUNT_ROW} }} }} }}"

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
    (ALIASED, {}),
    (AMOUNTS, {}),
    (OPPORTUNITY_ROWS, {}),
    (REGISTRATION_ROWS, {}),
    (REGISTRATION_ACCOUNTS, {}),
    # Run generic by their plans' rules: a fragment, a staff-only field (a field extension).
    ("query WithFragment { opportunities(first: 5) { nodes { ...O } } } fragment O on Opportunity { id name }", {}),
    ("query StaffOnly { opportunities(first: 5) { totalCount nodes { id requiresClosePlan } } }", {}),
    ("query InUsd { opportunities(first: 20) { nodes { id amountUsd { result { amount currency } rate rateDate } "
     "netArrUsd { rate } countsAsNewLogo account { carrUsd { result { amount } } isGlobalDigitalSmb } } } }", {}),
]


# The documents schema/compiled has plans for (the others fall back to the generic executor).
COMPILED_DOCUMENTS = (DASHBOARD, REVIEW_QUEUE, OPPORTUNITIES, ALIASED, AMOUNTS, OPPORTUNITY_ROWS, REGISTRATION_ROWS,
                      REGISTRATION_ACCOUNTS)


WORKBENCH = Path(__file__).resolve().parents[2] / "schema" / "workbench"


def _workbench_documents() -> list[tuple[str, dict]]:
    """Issue 36: GraphiQL's workbench queues (actionableByMe, due order, the due fields)."""
    return [((WORKBENCH / f"{name}.graphql").read_text(), {"filter": {"actionableByMe": True}})
            for name in ("review_queue", "lead_queue", "case_queue")]


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


async def _answers(client, tokens: dict, documents: list) -> dict:
    answers = {}
    for who, token in tokens.items():
        for index, (text, variables) in enumerate(documents):
            digest = hashlib.sha256(text.encode()).hexdigest()
            by_text = await _post(client, {"query": text, "variables": variables}, token)
            by_id = await _post(client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                                         "variables": variables}, token)
            answers[who, index] = (by_text, by_id)
    return answers


async def test_every_registered_document_answers_the_same_by_text_by_id_and_compiled_as_every_role(
        cosell_app_factory, monkeypatch):
    documents = SUITE_DOCUMENTS + _portal_documents() + _workbench_documents()
    # One clock for both runs: the due fields count the hours left from now (issue 36).
    at = business_days.now()
    monkeypatch.setattr(business_days, "now", lambda: at)
    # First the app as deployed (COSELL_COMPILED_PLANS on: by id, the bench documents run
    # their compiled plans, schema/compiled), then the same requests with plans off.
    async with cosell_app_factory() as client:
        logins = await load_demo(partner_count=40, parent_accounts=12)
        tokens = {f"{login.role.value}:{login.email}": login.token for login in logins}
        partner = await Partner.select(Partner.id).where(Partner.status == "AUTHORIZED").first()
        admin = await create_user(email="padmin@cosell.test", name="Partner Admin", role=Role.PARTNER_ADMIN,
                                  partner_id=partner["id"])
        tokens["PARTNER_ADMIN"] = (await issue_token(admin.id, name="test"))[1]
        tokens["anonymous"] = None
        texts = sorted({text for text, _ in documents})
        await store.add([store.Document(store.sha256_hex(t), t, (), "test") for t in texts])
        before = PlanStats.compiled
        compiled = await _answers(client, tokens, documents)
        ran_compiled = PlanStats.compiled - before
    async with cosell_app_factory(compiled_plans=False) as client:
        before = PlanStats.compiled
        generic = await _answers(client, tokens, documents)
        assert PlanStats.compiled == before

    with_rows, with_errors = 0, 0
    for (who, index), (by_text, by_id) in compiled.items():
        text = documents[index][0]
        generic_text, generic_id = generic[who, index]
        for other in (by_text, generic_text, generic_id):
            assert by_id[0] == other[0], (who, text)
            assert _comparable(by_id[1]) == _comparable(other[1]), (who, text)
        data = by_text[1].get("data") or {}
        with_rows += any(isinstance(v, dict) and v.get("totalCount") for v in data.values())
        with_errors += "errors" in by_text[1]
    assert len(compiled) == len(tokens) * len(documents)
    # The row documents met rows (objects completed from them), not only nulls.
    for text, marks in ((OPPORTUNITY_ROWS, ('"account": {"__typename"', '"contact": {"id"', '"partner": {"id"')),
                        (REGISTRATION_ROWS, ('"partner": {"id"',)), (REGISTRATION_ACCOUNTS, ('"account": {"__typename"',))):
        index = next(i for i, (t, _) in enumerate(documents) if t == text)
        answered = " ".join(json.dumps(compiled[who, index][1][1].get("data")) for who in tokens)
        assert all(mark in answered for mark in marks), text
    # Not only empty pages and refusals: rows for most roles, errors where expected.
    assert with_rows >= len(tokens) and with_errors >= len(tokens)
    # The compiled path did run: the benchmark's documents for every signed-in role.
    compilable = sum(1 for text, _ in documents if text in COMPILED_DOCUMENTS)
    assert ran_compiled >= compilable * (len(tokens) - 1)
