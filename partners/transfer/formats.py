"""The native format (docs/import-export.md): one CSV file per entity, one column per field.

A field is a table column (its kind, length and vocabulary come from the Piccolo column),
a reference to another entity's record by its external id (`ref`), or a list or a JSON
document of child rows that the entity's module reads and writes (`list`, `json`).
`encode` and `decode` are exact inverses on every value a column holds, which is what
makes import ∘ export the identity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from piccolo.columns import (
    Array,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

TEXT_MAX = 100_000  # a Text column's cell; longer is an oversize field, not a crash
LIST_SEPARATOR = ";"
# A reference to a record of another source than the row's own: `salesforce::001…`.
SOURCE_SEPARATOR = "::"


class BadValue(ValueError):
    """A cell that cannot become the field's value: (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str  # the CSV column
    kind: str  # text int bool decimal float date datetime list ref json
    column: str | None = None  # the table column it is stored in (None: the entity module's own)
    ref: str | None = None  # the referenced entity (kind ref)
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = True
    # A reference to a record of the same file that may come later in it: written in a
    # second pass (account parents, duplicate opportunities).
    deferred: bool = False
    # Shown on export, computed on import (A1/A2 segments): never read from the file.
    computed: bool = False
    # The column has a default of its own (a time, 0, false, a vocabulary's first word): an
    # empty cell of a column that is not nullable takes it on insert and leaves it on update.
    has_default: bool = False


def _kind_of(column) -> tuple[str, int | None]:
    if isinstance(column, ForeignKey):
        return "ref", None
    if isinstance(column, Varchar):
        return "text", column.length
    if isinstance(column, Text):
        return "text", TEXT_MAX
    if isinstance(column, Boolean):
        return "bool", None
    if isinstance(column, (Integer, BigInt)):
        return "int", None
    if isinstance(column, Numeric):
        return "decimal", None
    if isinstance(column, DoublePrecision):
        return "float", None
    if isinstance(column, Timestamptz):
        return "datetime", None
    if isinstance(column, Date):
        return "date", None
    if isinstance(column, Array):
        return "list", None
    raise TypeError(f"no CSV kind for {column!r}")


def columns(table: type[Table], *names: str, refs: dict[str, str] | None = None,
            deferred: tuple[str, ...] = (), computed: tuple[str, ...] = ()) -> tuple[Field, ...]:
    """Fields stored in `table`'s columns of these names; `refs` names the entity each
    foreign key points at."""
    refs = refs or {}
    out = []
    for name in names:
        column = getattr(table, name)
        kind, length = _kind_of(column)
        choices = tuple(c.value for c in column._meta.choices) if column._meta.choices else ()
        default = getattr(column, "default", None)
        out.append(Field(name=name, kind=kind, column=name, ref=refs.get(name), max_length=length, choices=choices,
                         nullable=bool(column._meta.null), deferred=name in deferred, computed=name in computed,
                         has_default=default is not None and default != ""))
    return tuple(out)


@dataclass(frozen=True)
class Entity:
    name: str  # partners, accounts …: the file is `<name>.csv`
    table: type[Table]
    fields: tuple[Field, ...]
    importable: bool = True
    since_column: str = "created_at"  # what `cosell export --since` filters on
    extra: tuple[str, ...] = field(default=())  # header order of the entity module's own columns

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return ["external_source", "external_id", *(f.name for f in self.fields)]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


# ---------------------------------------------------------------- cells


def encode(f: Field, value: Any) -> str:
    """The cell of a value (references are encoded by the caller, who knows the keys)."""
    if value is None:
        return ""
    if f.kind == "bool":
        return "true" if value else "false"
    if f.kind == "datetime":
        return value.astimezone(timezone.utc).isoformat() if isinstance(value, datetime) else str(value)
    if f.kind == "date":
        return value.isoformat()
    if f.kind == "decimal":
        return str(value)  # exact: 12.30 stays 12.30
    if f.kind == "float":
        return repr(float(value))
    if f.kind == "list":
        return LIST_SEPARATOR.join(str(v) for v in value)
    if f.kind == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(value.value if hasattr(value, "value") else value)


def decode(f: Field, text: str) -> Any:
    """The value of a cell, or BadValue. Empty is None (or "" for text that is not nullable)."""
    if f.max_length is not None and len(text) > f.max_length:
        raise BadValue("FIELD_TOO_LONG", f"{f.name} has {len(text)} characters; at most {f.max_length}.")
    if text == "":
        if f.kind == "text" and not f.nullable and not f.choices:
            return ""
        if f.kind == "list":
            return []
        return None
    try:
        if f.kind == "text":
            if f.choices and text not in f.choices:
                raise BadValue("INVALID_CHOICE", f"{f.name} is one of {', '.join(f.choices)}; got {text[:40]!r}.")
            return text
        if f.kind == "int":
            return int(text)
        if f.kind == "bool":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise BadValue("INVALID_BOOLEAN", f"{f.name} is true or false; got {text[:40]!r}.")
            return lowered in ("true", "1")
        if f.kind == "decimal":
            value = Decimal(text.strip())
            if not value.is_finite():
                raise BadValue("INVALID_NUMBER", f"{f.name} is a finite decimal number.")
            return value
        if f.kind == "float":
            return float(text)
        if f.kind == "date":
            return date.fromisoformat(text.strip()[:10])
        if f.kind == "datetime":
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        if f.kind == "list":
            return [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
        if f.kind == "json":
            return json.loads(text)
        return text  # ref: the key, resolved by the caller
    except (ValueError, InvalidOperation) as exc:
        if isinstance(exc, BadValue):
            raise
        raise BadValue(f"INVALID_{f.kind.upper()}", f"{f.name}: {text[:40]!r} is not a valid {f.kind}.") from None


def split_reference(text: str, source: str) -> tuple[str, str]:
    """(source, key) of a reference cell: the row's own source unless written `source::key`."""
    if SOURCE_SEPARATOR in text:
        other, _, key = text.partition(SOURCE_SEPARATOR)
        return other, key
    return source, text


def reference_cell(source: str, key: str, row_source: str) -> str:
    return key if source == row_source else f"{source}{SOURCE_SEPARATOR}{key}"
