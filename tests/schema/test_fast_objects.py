"""The generic executor's fast paths (schema/compiled/executor.py, leaves.py) against
graphql-core's own walk: the plain leaves of an object read in one loop without a resolve info
or a Path each (its other fields run as usual after them) give the same response as
graphql-core resolving every field, in the same order, for staff and a partner user (issue 38 item 3)."""

from __future__ import annotations

import json

from bench.run import DASHBOARD, OPPORTUNITIES, REVIEW_QUEUE
from partners.demo import load_demo
from partners.people.enums import Role
from schema.compiled import executor
from tests.server.test_document_equivalence import OPPORTUNITY_ROWS, REGISTRATION_ROWS

DOCUMENTS = [
    (DASHBOARD, {}), (REVIEW_QUEUE, {"region": "EMEA"}), (OPPORTUNITIES, {}), (OPPORTUNITY_ROWS, {}),
    (REGISTRATION_ROWS, {}),
    # __typename alone and among leaves, aliases, one key asked twice.
    ("{ __typename opportunities(first: 5) { pageInfo { __typename hasNextPage } nodes { __typename a: id id "
     "amountMoney { amount a: amount currency } account { __typename } } } }", {}),
]


async def _answers(client, tokens: list[str]) -> list:
    answers = []
    for token in tokens:
        for text, variables in DOCUMENTS:
            response = await client.post("/graphql", json={"query": text, "variables": variables},
                                         headers={"Authorization": f"Bearer {token}"})
            body = response.json()
            body.get("extensions", {}).pop("cost", None)
            body.get("extensions", {}).pop("sqlStatements", None)
            answers.append((response.status_code, body))
    return answers


async def test_fast_leaves_and_objects_answer_as_graphql_core(cosell_app_factory, monkeypatch):
    async with cosell_app_factory() as client:
        logins = await load_demo(partner_count=40, parent_accounts=12)
        tokens = [next(login.token for login in logins if login.role is role)
                  for role in (Role.ADMIN, Role.ACCOUNT_EXECUTIVE, Role.CHANNEL_MANAGER, Role.PARTNER_USER)]
        used: list = []
        real = executor.CompiledExecutionContext._object_readers

        def counting(self, parent_type, grouped_field_set):
            readers = real(self, parent_type, grouped_field_set)
            used.append(readers is not None)
            return readers

        monkeypatch.setattr(executor.CompiledExecutionContext, "_object_readers", counting)
        fast = await _answers(client, tokens)
        assert any(used), "no object was completed in one step"
        # graphql-core's walk: no fast reader for any field (so none for any object either).
        monkeypatch.setattr(executor, "leaf_reader", lambda *args: None)
        for context_class in executor.CompiledExecutionContext.__subclasses__():  # one per schema
            monkeypatch.setattr(context_class, "leaf_readers", {})
        slow = await _answers(client, tokens)
    assert all(status == 200 for status, _ in fast)
    assert any((body.get("data") or {}).get("opportunities", {}).get("nodes") for _, body in fast)
    # The same values in the same order (the document's).
    assert json.dumps(fast) == json.dumps(slow)
