"""OpenTelemetry traces (issue 42): the tracer provider and `span()`, for every layer.

Off by default, and then free: `span()` returns one shared no-op context manager and
`traceparent()` None, after a single test of a module global. On when

- `OTEL_TRACES_EXPORTER` names an exporter (`configure_from_env`, called by `create_app`):
  `otlp` (OTLP over HTTP/protobuf, configured by the standard `OTEL_EXPORTER_OTLP_*`
  variables: endpoint, headers, timeout, compression, certificate) or `console` (spans
  printed as JSON on stdout, for local debugging), or both, comma-separated; `none` or
  unset leaves tracing off. Sampling follows `OTEL_TRACES_SAMPLER` /
  `OTEL_TRACES_SAMPLER_ARG`, by default `parentbased_traceidratio` at the ratio of the
  argument (1.0 when unset); `OTEL_SERVICE_NAME` (default `cosell`) and
  `OTEL_RESOURCE_ATTRIBUTES` name the service;
- or a test installs a provider (`install(provider)`, e.g. with an in-memory exporter).

The spans (docs/operations.md, "Traces"): one per GraphQL request (server/app.py), one
per root resolver or compiled plan (schema/compiled/executor.py), per hook
implementation call (plugins/manager.py), per SQL statement (partners/infra/engines.py),
per outbox delivery (partners/infra/outbox.py, a child of the request that enqueued the
message through its stored W3C `traceparent`) and per background job run
(server/background.py, a root). Attributes carry names, ids, roles, codes and SQL
keywords and table names only: never tokens, emails, customer names, statement
parameters or exception messages (an exception is recorded by its type, `error.type`).
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import Any, Mapping

from opentelemetry import context as otel_context, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from partners.infra.settings import SettingsError

_tracer: trace.Tracer | None = None
_provider: Any = None  # the SDK TracerProvider in use (to flush it), None when off
NOOP = nullcontext(trace.INVALID_SPAN)
_PROPAGATOR = TraceContextTextMapPropagator()
EXPORTERS = ("otlp", "console", "none")
SAMPLERS = ("always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio")
SERVER, CLIENT, CONSUMER, INTERNAL = SpanKind.SERVER, SpanKind.CLIENT, SpanKind.CONSUMER, SpanKind.INTERNAL


def enabled() -> bool:
    return _tracer is not None


class _Current:
    """The span made current for a `with` block; ended at its end (unless `end=False`).
    An exception marks it failed by its type only: messages may carry personal data."""

    __slots__ = ("span", "end", "token")

    def __init__(self, span, end: bool = True) -> None:
        self.span = span
        self.end = end

    def __enter__(self):
        self.token = otel_context.attach(trace.set_span_in_context(self.span))
        return self.span

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is not None and issubclass(exc_type, Exception):
                failed(self.span, exc)
            if self.end:
                self.span.end()
        finally:
            otel_context.detach(self.token)
        return False


def span(name: str, attributes: Mapping[str, Any] | None = None, *, kind: SpanKind = INTERNAL,
         parent: otel_context.Context | None = None, links: list[Link] | None = None):
    """`with span("name", {...}) as s:` a child of the current span (or of `parent`),
    current inside the block; a shared no-op when tracing is off."""
    tracer = _tracer
    if tracer is None:
        return NOOP
    return _Current(tracer.start_span(name, context=parent, kind=kind, attributes=attributes, links=links))


def start(name: str, attributes: Mapping[str, Any] | None = None, *, kind: SpanKind = INTERNAL):
    """A started span, not current (None when tracing is off): `activate(s)` makes it
    current for a block; for work that continues in an awaitable (hooks)."""
    tracer = _tracer
    return None if tracer is None else tracer.start_span(name, kind=kind, attributes=attributes)


def activate(started, *, end: bool = True):
    """Make a span from `start()` current for a block, ending it at the end unless `end=False`."""
    return NOOP if started is None else _Current(started, end)


def failed(span, exc: BaseException) -> None:
    span.set_attribute("error.type", type(exc).__qualname__)
    span.set_status(Status(StatusCode.ERROR))


def current_span():
    return trace.get_current_span()


def in_trace() -> bool:
    """A recording span is current (statements outside any request or job are not traced)."""
    return _tracer is not None and trace.get_current_span().is_recording()


def traceparent() -> str | None:
    """The W3C `traceparent` of the current span, to continue its trace elsewhere (outbox)."""
    if _tracer is None:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def parent_from(traceparent_header: str | None) -> otel_context.Context | None:
    """The context a stored `traceparent` names (None when there is none or it is invalid)."""
    if not traceparent_header:
        return None
    parent = _PROPAGATOR.extract({"traceparent": traceparent_header}, context=otel_context.Context())
    return parent if trace.get_current_span(parent).get_span_context().is_valid else None


def link_to_current() -> list[Link]:
    context = trace.get_current_span().get_span_context()
    return [Link(context)] if context.is_valid else []


ROOT = otel_context.Context()  # `parent=ROOT`: a new trace (background job runs)


# ---- the provider


def install(provider) -> None:
    """Trace into `provider` (an SDK TracerProvider) from now on; `install(None)`: off."""
    global _tracer, _provider
    _provider = provider
    _tracer = None if provider is None else provider.get_tracer("cosell")


def flush() -> None:
    if _provider is not None:
        _provider.force_flush()


def sampler_from_env(environ: Mapping[str, str]):
    from opentelemetry.sdk.trace import sampling

    name = (environ.get("OTEL_TRACES_SAMPLER") or "parentbased_traceidratio").strip().lower()
    if name not in SAMPLERS:
        raise SettingsError("OTEL_TRACES_SAMPLER", f"OTEL_TRACES_SAMPLER must be one of {', '.join(SAMPLERS)}; "
                                                   f"got {name!r}")
    if not name.endswith("traceidratio"):
        return {"always_on": sampling.ALWAYS_ON, "always_off": sampling.ALWAYS_OFF,
                "parentbased_always_on": sampling.DEFAULT_ON, "parentbased_always_off": sampling.DEFAULT_OFF}[name]
    raw = (environ.get("OTEL_TRACES_SAMPLER_ARG") or "1.0").strip()
    try:
        ratio = float(raw)
    except ValueError:
        ratio = -1.0
    if not 0.0 <= ratio <= 1.0:
        raise SettingsError("OTEL_TRACES_SAMPLER_ARG",
                            f"OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1 (0.01 = 1 %); got {raw!r}")
    return sampling.ParentBasedTraceIdRatio(ratio) if name.startswith("parentbased") \
        else sampling.TraceIdRatioBased(ratio)


def exporters_from_env(environ: Mapping[str, str]) -> list[str]:
    names = [n.strip().lower() for n in (environ.get("OTEL_TRACES_EXPORTER") or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        raise SettingsError("OTEL_TRACES_EXPORTER", f"OTEL_TRACES_EXPORTER must list exporters among "
                                                    f"{', '.join(EXPORTERS)}; unknown: {', '.join(unknown)}")
    return [n for n in names if n != "none"]


def configure_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Switch tracing on when `OTEL_TRACES_EXPORTER` names an exporter (once per process:
    each worker calls it as its app is made). Leaves tracing as it is otherwise (off, or
    a provider a test installed). Returns whether tracing is on."""
    environ = os.environ if environ is None else environ
    names = exporters_from_env(environ)
    sampler = sampler_from_env(environ)
    if not names or _provider is not None:
        return enabled()
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME") or "cosell"})
    provider = TracerProvider(sampler=sampler, resource=resource)
    for name in names:
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    install(provider)
    return True
