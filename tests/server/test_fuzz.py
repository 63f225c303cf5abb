"""Fuzzing: schemathesis generates queries and mutations from the GraphQL schema and sends
them, authenticated, to a live server, on SQLite and on PostgreSQL (`make test` runs on
both). The first documents of each operation with strings are also sent with their string
literals replaced by hostile ones (a NUL character, which PostgreSQL refuses in text; a
string longer than the columns), and with a lone surrogate in a variable (issue 16). Whatever the input: no 5xx, no
unmasked or internal error. Bounded: COSELL_FUZZ_EXAMPLES examples per operation and caller."""

import json
import os
import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.graphql import nodes

EXAMPLES = int(os.environ.get("COSELL_FUZZ_EXAMPLES", "8"))
STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
HOSTILE = ('"a\\u0000b"', '"' + "x" * 300 + '"', "$bad")
HOSTILE_CASES = 2  # documents per operation and caller sent again with hostile strings

# Issue 40: the Decimal scalar (amounts, rates) as clients send it: digits in a string or a
# number literal, and what a Decimal must refuse (exponents out of range, NaN, words).
schemathesis.graphql.scalar("Decimal", st.one_of(
    st.decimals(min_value=-10**15, max_value=10**15, places=4, allow_nan=False, allow_infinity=False)
    .map(lambda d: nodes.String(format(d, "f"))),
    st.integers(min_value=-10**16, max_value=10**16).map(nodes.Int),
    st.sampled_from(["NaN", "Infinity", "1e999999", "12.345", "0.5", "", "abc"]).map(nodes.String),
))


def _failure(response) -> bool:
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    return response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes


def _hostile_variants(document: str):
    if not STRING_LITERAL.search(document):
        return
    for replacement in HOSTILE:
        variant = STRING_LITERAL.sub(lambda _: replacement, document)
        if replacement == "$bad":  # a lone surrogate, which only JSON variables can carry
            head, brace, rest = variant.partition("{")
            if not head.strip().startswith(("query", "mutation")) or "(" in head:
                continue
            variant = f"{head.rstrip()}($bad: String!) {brace}{rest}"
            yield variant, {"bad": "x\ud800"}
        else:
            yield variant, None


def _fuzz(operation, http: httpx.Client, url: str, token: str, failures: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    hostile_left = [HOSTILE_CASES]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        if _failure(response):
            failures.append((operation.label, response.status_code, case.body, response.text[:500]))
        variants = list(_hostile_variants(case.body)) if hostile_left[0] > 0 else []
        hostile_left[0] -= bool(variants)
        for document, variables in variants:
            body = json.dumps({"query": document, "variables": variables})  # ASCII: lone surrogates escaped
            hostile = http.post(url, content=body, headers={**headers, "Content-Type": "application/json"}, timeout=30)
            if _failure(hostile):
                failures.append((operation.label, hostile.status_code, document[:300], hostile.text[:500]))

    run()


# One test per caller and share of the operations (every PARTS-th operation of the schema's
# order), so that pytest-xdist spreads the fuzzing over its workers instead of one worker
# running it all at the end. Together the parts send every operation, as each caller, the
# same examples (derandomized) as one test would.
PARTS = 4


@pytest.mark.parametrize("part", range(PARTS), ids=[f"part{p + 1}of{PARTS}" for p in range(PARTS)])
@pytest.mark.parametrize("caller", ("admin", "alpha_user"))
def test_fuzzed_operations_never_fail_on_the_server(cosell_live_server, world, caller, part):
    schema = schemathesis.graphql.from_url(f"{cosell_live_server}/graphql")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures: list = []
    # One client for the hostile requests: a client of its own per request (`httpx.post`)
    # built an SSL context each time, about 20 ms of CPU, more than the request itself.
    with httpx.Client() as http:
        for operation in operations[part::PARTS]:
            _fuzz(operation, http, f"{cosell_live_server}/graphql", world.tokens[caller], failures)
    assert not failures, failures[:5]
