"""Fuzzing: schemathesis generates queries and mutations from the GraphQL schema and sends
them, authenticated, to a live server. Whatever the input: no 5xx, no unmasked or
internal error. Bounded: COSELL_FUZZ_EXAMPLES examples per operation and caller."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("COSELL_FUZZ_EXAMPLES", "8"))


def _fuzz(operation, token: str, failures: list) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = body.get("errors") or [] if isinstance(body, dict) else []
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        if response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes:
            failures.append((operation.label, response.status_code, case.body, response.text[:500]))

    run()


def test_fuzzed_operations_never_fail_on_the_server(cosell_live_server, world):
    schema = schemathesis.graphql.from_url(f"{cosell_live_server}/graphql")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures: list = []
    for caller in ("admin", "alpha_user"):
        for operation in operations:
            _fuzz(operation, world.tokens[caller], failures)
    assert not failures, failures[:5]
