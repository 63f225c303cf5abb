"""Filter helpers shared by the connections."""

from __future__ import annotations

from piccolo.columns.combination import Where


def name_contains(column, text: str) -> Where | None:
    """Case-insensitive substring match (ILIKE on PostgreSQL, LIKE on SQLite, which
    ignores ASCII case); LIKE wildcards typed by the user are taken literally by dropping them."""
    cleaned = text.replace("%", "").replace("_", "").strip()
    if not cleaned:
        return None
    pattern = f"%{cleaned}%"
    if column._meta.engine_type in ("postgres", "cockroach"):
        return column.ilike(pattern)
    return column.like(pattern)


def all_of(conditions) -> Where | None:
    """AND the conditions that are not None."""
    result = None
    for condition in conditions:
        if condition is None:
            continue
        result = condition if result is None else result & condition
    return result
