"""Filter helpers shared by the connections."""

from __future__ import annotations

from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ComparisonOperator


class _LikeEscaped(ComparisonOperator):
    template = "{name} LIKE {value} ESCAPE '\\'"


class _ILikeEscaped(ComparisonOperator):
    template = "{name} ILIKE {value} ESCAPE '\\'"


def like_pattern(text: str) -> str:
    """`%text%` with the LIKE wildcards typed by the user taken literally (as the locator's
    text search does): `%`, `_` and the escape character itself are escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_contains(column, text: str) -> Where | None:
    """Case-insensitive substring match (ILIKE on PostgreSQL, LIKE on SQLite, which
    ignores ASCII case); `%` and `_` match themselves (issue 16)."""
    cleaned = text.strip()
    if not cleaned:
        return None
    operator = _ILikeEscaped if column._meta.engine_type in ("postgres", "cockroach") else _LikeEscaped
    return Where(column=column, value=like_pattern(cleaned), operator=operator)


def all_of(conditions) -> Where | None:
    """AND the conditions that are not None."""
    result = None
    for condition in conditions:
        if condition is None:
            continue
        result = condition if result is None else result & condition
    return result
