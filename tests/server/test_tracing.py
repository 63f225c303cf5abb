"""OpenTelemetry traces (issue 42, partners/infra/tracing.py, docs/operations.md "Traces"):
the span tree of a GraphQL request (request → root resolver or compiled plan → SQL), hook
calls with their plugin and hook names, an outbox delivery that continues the trace of the
request that enqueued it, a root span per job run, and no token, email or customer name
in any span. Spans are caught by the SDK's in-memory exporter; the app, database and
plugins are real."""

from __future__ import annotations

import timeit

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio
from opentelemetry.trace import SpanKind

from bench.run import DASHBOARD
from partners.documents import store
from partners.infra import tracing
from partners.infra.settings import SettingsError
from partners.infra.tables import OutboxMessage
from plugins.hookspecs import hookimpl
from server.testing import GraphQLClient
from tests.schema.registrations import register

CUSTOMER = "Zephyr Quantum Holdings"  # the customer (account) name the requests send
ACCOUNTS = "query Accounts { accounts(first: 5) { nodes { id name } } }"


@pytest.fixture
def spans():
    """Tracing on for this test, into an in-memory exporter; off again afterwards."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.install(None)
        provider.shutdown()


class Listener:
    """A plugin listening to deal registration events (their outbox deliveries)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def cosell_deal_registration_event(self, event, registration):
        self.events.append(event)


def _by_name(finished, name: str) -> list:
    return [s for s in finished if s.name == name]


def _children(finished, parent) -> list:
    return [s for s in finished if s.parent is not None and s.parent.span_id == parent.context.span_id]


def _descendants(finished, root) -> list:
    found, frontier = [], [root]
    while frontier:
        kids = [c for p in frontier for c in _children(finished, p)]
        found += kids
        frontier = kids
    return found


def _texts(span) -> list[str]:
    """Everything a span tells a collector: its name, attributes, events and links."""
    texts = [span.name, *map(str, (span.attributes or {}).values())]
    for event in span.events:
        texts += [event.name, *map(str, (event.attributes or {}).values())]
    for link in span.links:
        texts += list(map(str, (link.attributes or {}).values()))
    return texts


def assert_no_personal_data(finished, *secrets: str) -> None:
    for span in finished:
        for text in _texts(span):
            for secret in secrets:
                assert secret.lower() not in text.lower(), (span.name, text)


async def test_a_request_is_a_span_tree_request_resolver_sql(cosell_client, world, spans):
    gql = GraphQLClient(cosell_client)
    await gql(ACCOUNTS, token=world.tokens["admin"])
    finished = spans.get_finished_spans()
    (request,) = _by_name(finished, "query Accounts")
    assert request.kind == SpanKind.SERVER and request.parent is None
    attributes = dict(request.attributes)
    assert attributes["graphql.operation.name"] == "Accounts"
    assert attributes["cosell.caller_role"] == "ADMIN"
    assert attributes["cosell.executor"] == "generic"
    assert attributes["cosell.outcome"] == "ok"
    assert attributes["http.response.status_code"] == 200
    assert attributes["cosell.sql_statements"] >= 2
    (resolver,) = [s for s in _children(finished, request) if s.name == "resolve Query.accounts"]
    assert resolver.attributes["cosell.resolver"] == "Query.accounts"
    statements = [s for s in _descendants(finished, resolver) if s.kind == SpanKind.CLIENT]
    assert {(s.attributes["db.operation.name"], s.attributes.get("db.collection.name")) for s in statements} >= \
        {("SELECT", "account")}
    assert all(s.name == f"{s.attributes['db.operation.name']} {s.attributes['db.collection.name']}"
               for s in statements if "db.collection.name" in s.attributes)
    # The token lookup ran before the resolver, inside the request's span too.
    assert any(s.kind == SpanKind.CLIENT for s in _children(finished, request))
    # Every span of the request is in its trace: nothing orphaned.
    assert {s.context.trace_id for s in finished} == {request.context.trace_id}
    assert_no_personal_data(finished, world.tokens["admin"], "admin@cosell.test")


async def test_a_registered_document_runs_its_compiled_plan_in_a_plan_span(cosell_client, world, spans):
    await register(GraphQLClient(cosell_client), world, customer={"prospect": {"name": CUSTOMER,
                                                                               "website": "https://zephyr.test"}})
    document_id = store.sha256_hex(DASHBOARD)
    await store.add([store.Document(document_id, DASHBOARD, (), "test")])
    spans.clear()
    token = world.tokens["alpha_user"]
    response = await cosell_client.post("/graphql", json={"documentId": document_id},
                                        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["data"]["dealRegistrations"]["nodes"][0]["customerName"] == CUSTOMER
    finished = spans.get_finished_spans()
    (request,) = _by_name(finished, "query Dashboard")
    assert request.attributes["cosell.document_id"] == document_id
    assert request.attributes["cosell.executor"] == "compiled"
    assert request.attributes["cosell.caller_role"] == "PARTNER_USER"
    (plan,) = [s for s in _children(finished, request) if s.name == "GraphQL plan"]
    assert "Query.dealRegistrations" in plan.attributes["cosell.plan.roots"]
    below = _descendants(finished, plan)
    assert any(s.attributes.get("db.collection.name") == "deal_registration" for s in below)
    assert not any(s.name.startswith("resolve ") for s in finished), "no per-field spans"
    assert_no_personal_data(finished, token, "alpha_user@cosell.test", CUSTOMER)


async def test_hook_cosell_deal_registration_event_delivery_continues_the_request_trace(
        cosell_app_factory, world, spans):
    """The outbox message keeps the request's traceparent; its delivery span is a child in
    that trace (linked to the job run, a root), and the hook call a child of the delivery."""
    listener = Listener()
    async with cosell_app_factory(extra_plugins=[("trace-listener", listener)]) as client:
        token = world.tokens["alpha_user"]
        spans.clear()
        await register(GraphQLClient(client), world, customer={"prospect": {"name": CUSTOMER,
                                                                            "website": "https://zephyr.test"}})
        (request,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]
        assert request.attributes["cosell.outcome"] == "ok"
        trace_id = request.context.trace_id
        rows = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.traceparent)
        event_rows = [r for r in rows if r["kind"] == "deal_registration_event"]
        assert event_rows and all(r["traceparent"].split("-")[1] == f"{trace_id:032x}" for r in event_rows)
        await client.app.state.background.run_once()
    assert listener.events == ["SUBMITTED"]
    finished = spans.get_finished_spans()
    (delivery,) = _by_name(finished, "outbox deal_registration_event")
    assert delivery.kind == SpanKind.CONSUMER
    assert delivery.context.trace_id == trace_id
    assert delivery.parent.span_id in {s.context.span_id for s in finished if s.context.trace_id == trace_id}
    assert delivery.attributes["cosell.outbox.outcome"] == "sent"
    (job,) = _by_name(finished, "job outbox")
    assert job.parent is None and job.context.trace_id != trace_id, "a job run is a root span"
    assert [link.context.span_id for link in delivery.links] == [job.context.span_id]
    (hook,) = [s for s in _children(finished, delivery) if s.attributes.get("cosell.plugin") == "trace-listener"]
    assert hook.name == "hook cosell_deal_registration_event"
    assert hook.attributes["cosell.hook"] == "cosell_deal_registration_event"
    assert {s.name for s in finished if s.parent is None} >= {"job outbox", "job registration-expiry"}
    assert_no_personal_data(finished, token, "alpha_user@cosell.test", CUSTOMER)


async def test_a_failing_hook_call_is_an_error_span_without_its_message(cosell_app_factory, world, spans):
    class Failing:
        @hookimpl
        def cosell_deal_registration_event(self, event, registration):
            raise ConnectionError(f"CRM refused {registration}")

    async with cosell_app_factory(extra_plugins=[("down-crm", Failing())]) as client:
        await register(GraphQLClient(client), world, customer={"prospect": {"name": CUSTOMER,
                                                                            "website": "https://zephyr.test"}})
        await client.app.state.background.run_once()
    finished = spans.get_finished_spans()
    (hook,) = [s for s in finished if s.attributes.get("cosell.plugin") == "down-crm"]
    assert not hook.status.is_ok and hook.attributes["error.type"] == "PluginFailure"
    (delivery,) = _by_name(finished, "outbox deal_registration_event")
    assert delivery.attributes["cosell.outbox.outcome"] == "retried"
    assert_no_personal_data(finished, CUSTOMER)


async def test_tracing_off_records_nothing_and_stores_no_traceparent(cosell_client, world):
    assert not tracing.enabled()
    await register(GraphQLClient(cosell_client), world)
    rows = await OutboxMessage.select(OutboxMessage.traceparent)
    assert rows and {r["traceparent"] for r in rows} == {None}
    # The no-op path costs nothing measurable (docs/operations.md quotes the number).
    per_call = min(timeit.repeat(lambda: tracing.span("x", None).__enter__(), number=10000, repeat=3)) / 10000
    assert per_call < 2e-6


def test_otel_variables_choose_the_exporter_and_the_sampler():
    assert tracing.exporters_from_env({}) == []
    assert tracing.exporters_from_env({"OTEL_TRACES_EXPORTER": "none"}) == []
    assert tracing.exporters_from_env({"OTEL_TRACES_EXPORTER": "otlp, console"}) == ["otlp", "console"]
    with pytest.raises(SettingsError, match="OTEL_TRACES_EXPORTER.*jaeger"):
        tracing.exporters_from_env({"OTEL_TRACES_EXPORTER": "jaeger"})
    sampler = tracing.sampler_from_env({"OTEL_TRACES_SAMPLER_ARG": "0.01"})
    assert isinstance(sampler, ParentBasedTraceIdRatio) and "0.01" in sampler.get_description()
    with pytest.raises(SettingsError, match="OTEL_TRACES_SAMPLER_ARG"):
        tracing.sampler_from_env({"OTEL_TRACES_SAMPLER_ARG": "2"})
    with pytest.raises(SettingsError, match="OTEL_TRACES_SAMPLER"):
        tracing.sampler_from_env({"OTEL_TRACES_SAMPLER": "sometimes"})
    assert tracing.configure_from_env({}) is False and not tracing.enabled()
    try:
        assert tracing.configure_from_env({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_TRACES_SAMPLER_ARG": "0.5",
                                           "OTEL_SERVICE_NAME": "cosell-eu"}) is True
        provider = tracing._provider
        assert provider.resource.attributes["service.name"] == "cosell-eu"
        assert "0.5" in provider.sampler.get_description()
    finally:
        tracing.install(None)
        provider.shutdown()
