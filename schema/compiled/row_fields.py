"""Fields a plan completes straight from a row (issue 38 item 3, continued).

For some Node types, which column each plain field reads and how its value is made from
it — exactly as the type's `from_row` does. When every field a document selects on such
an object is one of these (or `__typename`), and the field that gives the object has a
row batch (`ROW_BATCHES` in schema/compiled/batches.py), the plan fills the response
from the loader's rows: no node is built (a node converts every column, a page builds
hundreds of them). The rows come from the same scoped loaders as the nodes, so scoping
is unchanged. tests/server/test_document_equivalence.py selects every field listed here
under every row batch, compiled against generic, as every role: a conversion that drifts
from `from_row` fails it.

Each entry: Python attribute -> (column, conversion or None for the value itself)."""

from __future__ import annotations

from typing import Any, Callable

from schema.accounts.types import AccountNode, ContactNode
from schema.core.enums import (
    AccountType,
    PartnerStatus,
    PartnerTrack,
    PartnerType,
    Ranking,
    Region,
    ScreeningStatus,
    Segment,
    member,
)
from schema.identity.types import PartnerNode


def _enum(enum_type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return member(enum_type, value)
    return convert


def _optional_enum(enum_type) -> Callable[[Any], Any]:
    """As `from_row`'s `member(E, row[c]) if row[c] else None`."""
    def convert(value: Any) -> Any:
        return member(enum_type, value) if value else None
    return convert


ROW_FIELDS: dict[type, dict[str, tuple[str, Callable[[Any], Any] | None]]] = {
    AccountNode: {
        "id": ("id", None), "name": ("name", None), "website": ("website", None),
        "account_type": ("account_type", _enum(AccountType)), "region": ("region", _enum(Region)),
        "country": ("country", None), "segment": ("segment", _optional_enum(Segment)),
        "ranking": ("ranking", _optional_enum(Ranking)), "ranking_note": ("ranking_note", None),
        "currency": ("currency", None), "potential_users": ("potential_users", None),
        "first_order_available": ("first_order_available", None),
        "screening_status": ("screening_status", _enum(ScreeningStatus)), "created_at": ("created_at", None),
    },
    ContactNode: {
        "id": ("id", None), "name": ("name", None), "email": ("email", None), "title": ("title", None),
        "created_at": ("created_at", None),
    },
    PartnerNode: {
        "id": ("id", None), "name": ("name", None), "nickname": ("nickname", None),
        "partner_type": ("partner_type", _enum(PartnerType)), "track": ("track", _enum(PartnerTrack)),
        "is_psp": ("is_psp", None), "status": ("status", _enum(PartnerStatus)), "region": ("region", _enum(Region)),
        "country": ("country", None), "city": ("city", None), "website": ("website", None),
        "published": ("published", None), "latitude": ("latitude", None), "longitude": ("longitude", None),
    },
}
