from __future__ import annotations

import dataclasses
import hashlib

import strawberry

from partners.infra.errors import DomainError
from partners.locator.search import LocatorUnavailable, build_query, locate
from partners.people.enums import PartnerTrack, PartnerType, Region
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import InvalidCursor, decode_cursor_payload
from schema.core.context import Info
from schema.core.errors import ExpectedError, InvalidArgument
from schema.locator.types import PartnerLocatorConnection, PartnerLocatorInput


class LocatorUnavailableError(ExpectedError):
    code = "LOCATOR_UNAVAILABLE"


def _invalid(error: DomainError) -> InvalidArgument:
    first = error.violations[0]
    return InvalidArgument(
        str(error),
        field=list(first.field),
        rule=first.rule,
        violations=[
            {"code": v.code, "message": v.message, "field": list(v.field), "rule": v.rule} for v in error.violations
        ],
    )


@strawberry.type
class PartnerLocatorQuery:
    @strawberry.field(
        description=(
            "Find authorized, published partners (D7, P1): SELECT tracks first, then most delivered "
            "engagements, then name; by distance when `near` is given. Any signed-in user."
        ),
        extensions=[access(AUTHENTICATED)],
    )
    async def partner_locator(self, info: Info, input: PartnerLocatorInput | None = None) -> PartnerLocatorConnection:
        given = input or PartnerLocatorInput()
        settings = info.context.settings
        near = given.near
        try:
            query = build_query(
                region=Region(given.region.value) if given.region else None,
                country=given.country,
                types=[PartnerType(t.value) for t in given.types or ()],
                tracks=[PartnerTrack(t.value) for t in given.tracks or ()],
                specializations=given.specializations,
                language=given.language,
                text=given.text,
                near=(near.latitude, near.longitude, near.radius_km) if near else None,
                limit=settings.default_page_size if given.first is None else given.first,
                max_limit=settings.max_page_size,
            )
        except DomainError as exc:
            raise _invalid(exc) from exc
        kind = cursor_kind(query)
        if given.after:
            (position,) = _cursor_values(given.after, kind)
            query = dataclasses.replace(query, offset=position + 1)
        try:
            page = await locate(info.context.plugins, query)
        except DomainError as exc:
            raise _invalid(exc) from exc
        except LocatorUnavailable as exc:
            raise LocatorUnavailableError(str(exc)) from exc
        return PartnerLocatorConnection.from_page(page, kind)


def cursor_kind(query) -> str:
    """Locator cursors belong to one search: the same filters (not the page size). The
    ranking is the lookup's (a hook pages by offset), so the cursor holds a position in
    that search and is refused for any other search (D7)."""
    search = repr(dataclasses.replace(query, offset=0, limit=0)).encode()
    return "locator:" + hashlib.sha256(search).hexdigest()[:16]


def _cursor_values(cursor: str, kind: str) -> list[int]:
    values = decode_cursor_payload(cursor, kind, field=("input", "after"))
    if len(values) != 1 or not isinstance(values[0], int) or isinstance(values[0], bool) \
            or not 0 <= values[0] < 2**31:
        raise InvalidCursor("Invalid cursor (malformed): pass an `endCursor` this search returned.",
                            field=["input", "after"], reason="malformed", rule="D7")
    return values
