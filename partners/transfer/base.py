"""What an entity's import module does beyond the generic columns (partners.transfer.importing):
its child rows, its rules, what it computes. The default does nothing more."""

from __future__ import annotations

from typing import Any

from partners.transfer.formats import BadValue, Field, decode, encode, reference_cell, split_reference


class EntityImport:
    def __init__(self, entity) -> None:
        self.entity = entity

    def parse_children(self, p, run) -> None:
        """Decode the list/JSON cells into `p.extra` (and their normalized cells)."""

    async def check(self, batch: list, run) -> None:
        """Add each row's violations (`p.refuse`): the entity's rules, with what they need loaded per batch."""

    def finish_values(self, p, run) -> None:
        """The references as ids, just before the write."""
        for f in self.entity.fields:
            if f.kind == "ref" and f.column is not None and not f.computed:
                pair = p.refs.get(f.name)
                p.values[f.column] = run.id_of(f.ref, pair) if pair else None

    async def write_children(self, batch: list, run) -> None:
        """Inside the batch's transaction, after its rows are written (`p.id` set)."""

    async def after_batch(self, written: list, run) -> None:
        """After the batch committed."""

    async def after_file(self, run) -> None:
        """After the last row of the file."""


# ---------------------------------------------------------------- helpers for child rows


def child_value(p, label: str, kind: str, text: Any, *, choices: tuple[str, ...] = (), nullable: bool = True,
                max_length: int | None = None) -> Any:
    """A child row's value through the same cell rules as a column; BadValue names the child."""
    if text is None or text == "":
        if nullable:
            return None
        raise BadValue("REQUIRED", f"{label} is required.")
    if isinstance(text, bool) and kind == "bool":
        return text
    return decode(Field(label, kind, choices=choices, max_length=max_length), str(text))


def child_ref(p, label: str, entity: str, text: Any, *, required: bool = True) -> str | None:
    """Note a reference inside a child row (`p.needs`) and give its normalized cell."""
    if text in (None, ""):
        if required:
            raise BadValue("REQUIRED", f"{label} names a record.")
        return None
    pair = split_reference(str(text).strip(), p.source)
    p.needs.append((label, entity, pair, False))
    return reference_cell(*pair, p.source)


def child_list(p, name: str) -> list[dict]:
    value = p.extra.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadValue("INVALID_JSON", f"{name} is a JSON list of objects.")
    return value


def json_cell(value: Any) -> str:
    return encode(Field("", "json"), value)


def resolve(run, entity: str, cell: str | None, source: str) -> int | None:
    return None if cell in (None, "") else run.id_of(entity, split_reference(cell, source))
