"""One error shape per mutation (issue 20): an argument a mutation refuses while reading its
`input` (a malformed or wrong-type id, …) is an expected refusal of that input, so it comes
back in the payload's `errors` like the domain's refusals — `UserError { code: INVALID_ID,
field: path inside input }` — not as a top-level BAD_USER_INPUT. Top-level errors of a
mutation stay for what concerns the caller or the document (UNAUTHENTICATED, FORBIDDEN,
validation), see docs/api.md "The error contract"."""

from __future__ import annotations

import dataclasses

from strawberry.extensions import FieldExtension

from schema.core.errors import InvalidArgument, UserError


def _payload(payload_type, error: InvalidArgument):
    extensions = error.extensions or {}
    field = extensions.get("field") or []
    user_error = UserError(code=getattr(error, "user_error_code", "INVALID_INPUT"), message=error.message,
                           field=[str(part) for part in field], rule=extensions.get("rule"))
    # Fields with a default (e.g. a list of warnings) keep it; the others are null.
    values = {f.name: None for f in dataclasses.fields(payload_type) if f.init and f.name != "errors"
              and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    return payload_type(**values, errors=[user_error])


class InputRefusalsInPayload(FieldExtension):
    def __init__(self, payload_type: type) -> None:
        super().__init__()
        self.payload_type = payload_type

    async def resolve_async(self, next_, source, info, **kwargs):
        try:
            result = next_(source, info, **kwargs)
            if hasattr(result, "__await__"):
                result = await result
        except InvalidArgument as exc:
            return _payload(self.payload_type, exc)
        return result


def attach_input_refusals(mutation_type: type | None) -> None:
    """Wrap every Mutation field whose payload has `errors` (idempotent: build_schema runs per
    app). Call before attach_audit, so that the audit sees the payload's errors."""
    if mutation_type is None:
        return
    for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        payload_type = field.type
        if not dataclasses.is_dataclass(payload_type) or "errors" not in {
                f.name for f in dataclasses.fields(payload_type)}:
            continue
        if not any(isinstance(e, InputRefusalsInPayload) for e in field.extensions):
            field.extensions.append(InputRefusalsInPayload(payload_type))
