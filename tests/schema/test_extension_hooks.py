"""The schema's extension hooks, wrapped once per extension class (issue 38 item 3,
schema/core/extension_hooks.py): every kind of hook runs, in the schema's order, around
the right step, with its own request's extension instance."""

from __future__ import annotations

import strawberry
from strawberry.extensions import SchemaExtension

from schema.core.extension_hooks import CachedHooksRunner


def _schema(log: list[str], instances: list):
    class Generators(SchemaExtension):
        def on_operation(self):
            instances.append(self)  # kept: an id() alone could be reused by the next request's
            log.append("operation in")
            yield
            log.append("operation out")

        def on_parse(self):
            log.append("parse")
            yield

    class AsyncGenerators(SchemaExtension):
        async def on_execute(self):
            log.append("execute in")
            yield
            log.append("execute out")

    class Plain(SchemaExtension):
        async def on_validate(self):  # a coroutine, not a generator: Strawberry's own path
            log.append("validate")

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            log.append("resolve")
            return "hi"

    class Schema(strawberry.Schema):
        def create_extensions_runner(self, execution_context, extensions):
            return CachedHooksRunner(execution_context=execution_context, extensions=extensions)

    return Schema(query=Query, extensions=[Generators, AsyncGenerators, Plain])


async def test_every_kind_of_hook_runs_around_its_step_for_each_request():
    log: list[str] = []
    instances: list = []
    schema = _schema(log, instances)
    for _ in range(2):
        result = await schema.execute("{ hello }")
        assert result.errors is None and result.data == {"hello": "hi"}
    once = ["operation in", "parse", "validate", "execute in", "resolve", "execute out", "operation out"]
    assert log == once + once
    assert len(instances) == 2 and instances[0] is not instances[1]  # each request its own extensions


async def test_a_failing_hook_fails_the_request_as_without_the_cache():
    class Failing(SchemaExtension):
        def on_execute(self):
            raise RuntimeError("boom")
            yield  # a generator hook (never reached)

    @strawberry.type
    class Query:
        hello: str = "hi"

    class Schema(strawberry.Schema):
        def create_extensions_runner(self, execution_context, extensions):
            return CachedHooksRunner(execution_context=execution_context, extensions=extensions)

    plain = await strawberry.Schema(query=Query, extensions=[Failing]).execute("{ hello }")
    cached = await Schema(query=Query, extensions=[Failing]).execute("{ hello }")
    assert plain.errors and [str(e) for e in cached.errors or []] == [str(e) for e in plain.errors]
