"""Switch off graphql-core's "Did you mean …?" hints (COSELL_FIELD_SUGGESTIONS=0).

With introspection off, the hints would still reveal the names of fields, arguments,
types and enum values to a client guessing near them; the error itself stays.
"""

from __future__ import annotations

import re

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

_HINT = re.compile(r"\s*Did you mean [^?]*\?")


def without_hints(message: str) -> str:
    return _HINT.sub("", message)


class HideSuggestions(SchemaExtension):
    def on_operation(self):
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            error.message = without_hints(error.message)


class IntrospectionNeedsToken(SchemaExtension):
    """COSELL_INTROSPECTION_REQUIRES_TOKEN: anonymous callers get neither introspection
    (`__schema`, `__type`; `__typename` stays) nor the hints; signed-in callers get both."""

    def on_operation(self):
        ctx = self.execution_context
        anonymous = getattr(ctx.context, "principal", None) is None
        if anonymous:
            ctx.validation_rules = (*ctx.validation_rules, NoSchemaIntrospectionCustomRule)
        yield
        result = ctx.result
        if anonymous:
            for error in (result.errors if result is not None else None) or ():
                error.message = without_hints(error.message)
