"""Read queries built once per (query, scope shape), run with new values each time (issue 17).

Building a Piccolo select and compiling it to SQL costs more CPU than running it
(~0.3 ms per statement, a dozen statements per portal request). A `PreparedQuery`
builds its query the first time it meets a *shape* — the engine, the caller's role and
whether they belong to a partner, and any `shape` the caller names (e.g. "a cursor was
given") — with `Param` placeholders instead of values, compiles it, and keeps the SQL
text and where each value goes. Later runs of that shape only fill the values in.

The query itself is still written with Piccolo and the scope functions of
the domains' scoping.py modules, so scoping stays in one place: the template is built from a
principal whose `partner_id` and `user_id` are placeholders, which is why the shape
must hold everything a scope function branches on (the role, and a partner id being
set). A value that would end up in the SQL text instead of a parameter raises at build
time (`Param` refuses to be formatted), never silently freezing one caller's value into
another's statement.

Statements still run through the engine's `run_querystring` (counted, retried when
SQLite is locked, inside the current transaction if there is one)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable

from piccolo.query.methods.count import Count
from piccolo.query.methods.exists import Exists
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from partners.infra.db import current_engine


class Param:
    """A value a prepared query takes per run. `key`: the position of a value given to
    `run()`, "partner_id"/"user_id" (the caller's), or "limit". `encode` turns the run's
    value into the driver's (e.g. a JSON array for SQLite's json_each)."""

    __slots__ = ("key", "encode")

    def __init__(self, key, encode: Callable[[Any], Any] | None = None) -> None:
        self.key = key
        self.encode = encode

    def encoded(self, encode: Callable[[Any], Any]) -> "Param":
        return Param(self.key, encode)

    def __str__(self) -> str:  # a value formatted into SQL text cannot be prepared
        raise PreparedQueryError(f"parameter {self.key!r} would be formatted into the SQL text")

    def __format__(self, spec: str) -> str:
        return self.__str__()

    def __int__(self) -> int:  # int(partner_id) written into SQL text (e.g. a raw condition)
        raise PreparedQueryError(f"parameter {self.key!r} would be written into the SQL text")

    __index__ = __float__ = __int__

    def __iter__(self):  # `column.is_in(param)` would write one placeholder per value
        raise PreparedQueryError(f"parameter {self.key!r} is a list of values: use partners.infra.sql.any_of")


class PreparedQueryError(RuntimeError):
    """The query cannot be prepared (a programming error, raised at its first build)."""


class _NotInTemplates(tuple):
    """A principal's field that is neither a placeholder nor part of the shape: a scope
    function that reads it while a template is built fails instead of freezing the first
    caller's value into every caller's statement."""

    def _refuse(self, *args):
        raise PreparedQueryError("a scope read a principal field that prepared queries do not key on")

    __iter__ = __contains__ = __len__ = __getitem__ = __bool__ = __eq__ = __hash__ = __str__ = __format__ = _refuse


_NOT_IN_TEMPLATES = _NotInTemplates()


def template_principal(principal):
    """The principal a template is built for: its ids are placeholders."""
    if principal is None:
        return None
    return dataclasses.replace(
        principal,
        user_id=Param("user_id"),
        partner_id=None if principal.partner_id is None else Param("partner_id"),
        email=_NOT_IN_TEMPLATES,
        name=_NOT_IN_TEMPLATES,
        regions=_NOT_IN_TEMPLATES,
    )


def _principal_shape(principal) -> tuple:
    if principal is None:
        return (None,)
    return (principal.role, principal.partner_id is None)


class _CompiledQueryString(QueryString):
    """SQL already compiled: `run_querystring` uses it as it is."""

    def __init__(self, sql: str, args: list, table, query_type: str = "select") -> None:  # noqa: D107 - compiled
        self._frozen_compiled_strings = (sql, args)
        self.query_type = query_type
        self.table = table
        self.template = sql
        self.args = ()
        self.columns = []

    def __str__(self) -> str:
        return self._frozen_compiled_strings[0]


@dataclasses.dataclass
class _Plan:
    sql: str
    slots: list  # per driver argument: a constant, or a Param to fill in
    table: Any
    result: str  # "rows", "count" or "exists"

    def arguments(self, principal, values: tuple, limit: int | None) -> list:
        args = []
        for slot in self.slots:
            if type(slot) is not Param:
                args.append(slot)
                continue
            key = slot.key
            if type(key) is int:
                value = values[key]
            elif key == "limit":
                value = limit
            else:
                value = getattr(principal, key)
            args.append(value if slot.encode is None else slot.encode(value))
        return args


_NOT_PREPARABLE = object()


class PreparedQuery:
    """`PreparedQuery(build)`: `build(principal, *params)` returns a Piccolo select,
    count or exists query using the principal (for scoping) and the params as values;
    `await prepared.run(principal, *values)` runs it. With `takes_shape`, `build` gets
    the run's `shape` after the principal and may use it as constants: a shape is then
    everything that changes the SQL text (e.g. which filters are given, and their enum
    values), and must come from a small set. `limit=N` adds `LIMIT N` as a parameter
    (Piccolo writes limits into the text)."""

    MAX_PLANS = 512  # per query: shapes are meant to be few; beyond, plans are dropped

    def __init__(self, build: Callable[..., Any], *, takes_shape: bool = False) -> None:
        self.build = build
        self.takes_shape = takes_shape
        self._plans: dict[tuple, Any] = {}

    def preparable(self, principal, arity: int, shape: Any = (), limit: int | None = None) -> bool:
        """False when this shape cannot be prepared (the caller then runs its query as usual)."""
        return self._plan(principal, arity, shape, limit is not None) is not _NOT_PREPARABLE

    def _plan(self, principal, arity: int, shape: Any, limited: bool):
        engine = current_engine()
        key = (id(engine), _principal_shape(principal), arity, shape, limited)
        plan = self._plans.get(key)
        if plan is None:
            try:
                plan = self._compile(engine, principal, arity, shape, limited)
            except PreparedQueryError:
                if not self.takes_shape:
                    raise
                plan = _NOT_PREPARABLE
            if len(self._plans) >= self.MAX_PLANS:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    async def run(self, principal, *values, shape: Any = (), limit: int | None = None) -> Any:
        plan = self._plan(principal, len(values), shape, limit is not None)
        if plan is _NOT_PREPARABLE:
            raise PreparedQueryError("this shape cannot be prepared: check preparable() first")
        engine = current_engine()
        rows = await engine.run_querystring(
            _CompiledQueryString(plan.sql, plan.arguments(principal, values, limit), plan.table))
        if plan.result == "rows":
            if not rows or type(rows[0]) is dict:  # SQLite's rows are dicts already
                return list(rows or ())
            keys = tuple(rows[0].keys())
            return [dict(zip(keys, row)) for row in rows]
        if plan.result == "count":
            return rows[0]["count"]
        return bool(rows[0]["exists"])

    def _compile(self, engine, principal, arity: int, shape: Any, limited: bool) -> _Plan:
        params = [Param(i) for i in range(arity)]
        who = template_principal(principal)
        query = self.build(who, shape, *params) if self.takes_shape else self.build(who, *params)
        if isinstance(query, Select):
            result = "rows"
            output = query.output_delegate._output
            if output.as_objects or output.load_json or output.nested or any(
                    type(c).__name__ == "M2MSelect" for c in query.columns_delegate.selected_columns):
                raise PreparedQueryError("only plain selects (no objects, JSON loading, nesting or M2M)")
            if query.limit_delegate._limit is not None or query.offset_delegate._offset is not None:
                raise PreparedQueryError("pass limit= to run() instead")
            if query.lock_rows_delegate._lock_rows is not None or any(query.callback_delegate._callbacks.values()):
                raise PreparedQueryError("no row locks or callbacks")
        elif isinstance(query, Count):
            result = "count"
        elif isinstance(query, Exists):
            result = "exists"
        else:
            raise PreparedQueryError(f"cannot prepare {type(query).__name__}")
        if limited and result != "rows":
            raise PreparedQueryError("limit applies to selects")
        querystrings = query.querystrings
        if len(querystrings) != 1:
            raise PreparedQueryError("a query of one statement only")
        sql, slots = querystrings[0].compile_string(engine_type=engine.engine_type)
        slots = list(slots)
        if limited:
            # Piccolo ends a select with its ORDER BY (no limit, offset or lock here).
            slots.append(Param("limit"))
            sql += f" LIMIT ${len(slots)}" if engine.engine_type == "postgres" else " LIMIT ?"
        return _Plan(sql, slots, query.table, result)


def any_of_param(param: Param, engine_type: str) -> Param:
    """The driver value for "column is one of these keys" (partners/infra/sql.py)."""
    if engine_type == "postgres":
        return param.encoded(lambda keys: sorted(set(keys)))
    return param.encoded(lambda keys: json.dumps(sorted(set(keys))))


class PreparedStatement:
    """Raw SQL with `{}` placeholders (Piccolo's `raw` syntax), compiled once per engine:
    `await PreparedStatement(sql, Table).run(*values)` returns the rows as dicts. For the
    statements every request runs (the cost budget's upsert), where building a Piccolo
    `raw` query each time cost more than sending it."""

    def __init__(self, sql: str, table) -> None:
        self.sql = sql
        self.table = table
        self._compiled: dict[int, tuple[str, int]] = {}  # id(engine) -> (driver SQL, arity)

    async def run(self, *values) -> list[dict]:
        engine = current_engine()
        compiled = self._compiled.get(id(engine))
        if compiled is None:
            sql, slots = QueryString(self.sql, *(Param(i) for i in range(self.sql.count("{}")))).compile_string(
                engine_type=engine.engine_type)
            if [s.key for s in slots] != list(range(len(slots))):
                raise PreparedQueryError("placeholders must each appear once, in order")
            compiled = self._compiled[id(engine)] = (sql, len(slots))
        sql, arity = compiled
        if len(values) != arity:
            raise PreparedQueryError(f"{arity} values expected, {len(values)} given")
        rows = await engine.run_querystring(_CompiledQueryString(sql, list(values), self.table, "generic"))
        if not rows or type(rows[0]) is dict:
            return list(rows or ())
        return [dict(row) for row in rows]
