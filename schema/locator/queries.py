from __future__ import annotations

import strawberry

from partners.errors import DomainError
from partners.locator import LocatorUnavailable, build_query, locate
from partners.enums import PartnerTrack, PartnerType, Region
from schema.core.connection import decode_cursor
from schema.core.context import Info
from schema.core.errors import ExpectedError, InvalidArgument
from schema.core.access import AUTHENTICATED, access
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
        offset = 0
        if given.after:
            try:
                offset = decode_cursor(given.after) + 1
            except InvalidArgument as exc:
                raise InvalidArgument("Invalid cursor.", field=["input", "after"], rule="D7") from exc
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
                offset=offset,
                limit=settings.default_page_size if given.first is None else given.first,
                max_limit=settings.max_page_size,
            )
            page = await locate(info.context.plugins, query)
        except DomainError as exc:
            raise _invalid(exc) from exc
        except LocatorUnavailable as exc:
            raise LocatorUnavailableError(str(exc)) from exc
        return PartnerLocatorConnection.from_page(page)
