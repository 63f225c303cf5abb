"""Pages of channel-metrics groups (issue 36): one statement ranks the groups and picks the
page's keys, so that the fact statements then compute only that page's groups.

The groups of a period are the keys that any fact has rows for (the union of every fact's
keys, `universe`). The ranking orders them by the group key (partner name, then id; each
other dimension's value; nulls last) or by one figure (`ORDERABLE`), ties by the key
ascending. A figure's value comes from its own fact's GROUP BY; groups without a row for it
count 0. Amounts rank by the sum of each currency's total converted at the conversion day's
rate and rounded to the reporting currency's minor unit (what the row shows); an amount in a
currency without a known rate counts 0 in the ranking.

Cost: ordering by a figure DESC reads that figure's fact for the whole period and, only when
the page reaches the groups whose figure is not positive, the union of every fact's keys
(LIMITed branches of a UNION ALL, each ordered, so the second is never run for a page filled
by the first). Ordering by the key, or ASC, reads the union. `totalGroups` is its own
statement, run only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from piccolo.querystring import QueryString

from partners.analytics.enums import MetricsDimension as Dim
from partners.analytics.facts import (AMOUNT_SCALE, Fact, MetricsFilter, conditions, dimension_columns, facts,
                                      partner_free_tables)
from partners.money.currencies import ISO_4217, minor_units

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
KEY = "KEY"
# Orderable figure -> (fact, measure alias in that fact's statement, is an amount).
ORDERABLE = {
    "REGISTRATIONS_SUBMITTED": ("submitted", "submitted", False),
    "REGISTRATIONS_APPROVED": ("reviews", "approved", False),
    "REGISTRATIONS_DENIED": ("reviews", "denied", False),
    "REGISTRATIONS_RETURNED": ("reviews", "returned", False),
    "REGISTRATIONS_WITHDRAWN": ("reviews", "withdrawn", False),
    "REGISTRATIONS_EXPIRED": ("reviews", "expired", False),
    "SOURCED_OPEN_PIPELINE": ("pipeline_open", "open_pipeline", True),
    "SOURCED_WON_NET_ARR": ("pipeline_closed", "won_net_arr", True),
    "OPPORTUNITIES_WON": ("pipeline_closed", "won", False),
    "TASKS_DONE": ("tasks_done", "tasks_done", False),
    "TASKS_OVERDUE": ("tasks_overdue", "tasks_overdue", False),
    "LEADS_SHARED": ("lead_events", "leads_shared", False),
    "CASES_OPENED": ("cases", "cases_opened", False),
}


@dataclass(frozen=True)
class MetricsOrder:
    by: str = KEY  # KEY or a name of ORDERABLE
    descending: bool = False


@dataclass(frozen=True)
class Ranking:
    keys: list[tuple]  # the page's group keys, in order (the key columns of KEY_COLUMNS)
    has_next: bool


def key_aliases(group_by: tuple[Dim, ...]) -> list[str]:
    out = []
    for dim in group_by:
        out += ["partner_id", "partner_name"] if dim is Dim.PARTNER else [dim.value.lower()]
    return out


def _key_order(group_by: tuple[Dim, ...], engine_type: str, prefix: str = "") -> list[str]:
    """ORDER BY terms of the group key: partner name (byte order on both engines), then id."""
    collate = ' COLLATE "C"' if engine_type == "postgres" else ""
    terms = []
    for dim in group_by:
        names = [("partner_name", True), ("partner_id", False)] if dim is Dim.PARTNER else [(dim.value.lower(), True)]
        for name, text in names:
            column = f"{prefix}{name}"
            terms.append(f"{column} IS NULL, {column}{collate if text else ''}")
    return terms


def _keys_select(fact: Fact, f: MetricsFilter, group_by: tuple[Dim, ...], scope, engine_type: str,
                 today: date) -> tuple[str, list]:
    dims = dimension_columns(fact, group_by, engine_type)
    where, args = conditions(fact, f, scope, today)
    select = ", ".join(f"{expr} AS {alias}" for expr, alias in dims) or "1 AS one"
    # DISTINCT per fact: each fact's few thousand keys are united, not its rows.
    return f"SELECT DISTINCT {select} FROM {fact.tables} WHERE {where}", args


def universe(f: MetricsFilter, group_by: tuple[Dim, ...], scope, engine_type: str, today: date) -> tuple[str, list]:
    """Every group of the period: the union of each fact's keys (facts "reviews" and the
    P4 percentiles read the same review changes)."""
    parts, args = [], []
    for fact in facts(engine_type).values():
        sql, more = _keys_select(fact, f, group_by, scope, engine_type, today)
        parts.append(sql)
        args += more
    return " UNION ".join(parts), args


def _figure(by: str, f: MetricsFilter, group_by: tuple[Dim, ...], scope, engine_type: str, today: date,
            rates: dict[str, str], reporting: str) -> tuple[str, list]:
    """SELECT <key aliases>, figure: the ordering figure per group, from its fact."""
    fact_name, measure, is_amount = ORDERABLE[by]
    fact = facts(engine_type)[fact_name]
    dims = dimension_columns(fact, group_by, engine_type)
    aliases = key_aliases(group_by)
    where, args = conditions(fact, f, scope, today)
    expression = next(m.rsplit(" AS ", 1)[0] for m in fact.measures if m.endswith(f" AS {measure}"))
    select = [f"{expr} AS {alias}" for expr, alias in dims] or ["1 AS one"]
    grouped = [expr for expr, _ in dims]
    if not is_amount:
        sql = f"SELECT {', '.join(select + [expression + ' AS figure'])} FROM {fact.tables} WHERE {where}"
        return sql + (" GROUP BY " + ", ".join(grouped) if grouped else ""), args
    # Per currency, then converted and rounded as the row shows it, then added. The partner's
    # name is joined to the per-currency sums, not grouped with every row (issue 36 item 2: a
    # narrower grouping key; the name depends on the id).
    inner = [(expr, alias) for expr, alias in dims if alias != "partner_name"]
    select = [f"{expr} AS {alias}" for expr, alias in inner] or ["1 AS one"]
    grouped = [expr for expr, _ in inner]
    tables = partner_free_tables(fact, f, group_by, scope)  # staff's ranking: 38,140 partner lookups fewer
    sql = (f"SELECT {', '.join(select + [fact.currency + ' AS currency', expression + ' AS amount'])} "
           f"FROM {tables} WHERE {where} GROUP BY {', '.join(grouped + [fact.currency])}")
    amount = "amount" if engine_type == "postgres" else f"(amount * 1.0 / {AMOUNT_SCALE})"
    cast = "NUMERIC" if engine_type == "postgres" else "REAL"
    cases = " ".join(f"WHEN '{c}' THEN CAST('{r}' AS {cast})" for c, r in sorted(rates.items()))
    converted = f"ROUND({amount} * (CASE currency {cases} ELSE 0 END), {minor_units(reporting)})"
    named = {"partner_name": 'named."name"'}
    keys = [f"{named[a]} AS {a}" if a in named else f"per_currency.{a}" for a in aliases]
    outer = ", ".join((keys or ["1 AS one"]) + [f"SUM({converted}) AS figure"])
    source = f"({sql}) per_currency"
    if "partner_name" in aliases:
        source += ' JOIN "partner" named ON named."id" = per_currency.partner_id'
    group = [named.get(a, f"per_currency.{a}") for a in aliases]
    return f"SELECT {outer} FROM {source}" + (f" GROUP BY {', '.join(group)}" if group else ""), args


def conversion_rates(rate_table, reporting: str, on: date) -> dict[str, str]:
    """Currency -> its rate to the reporting currency on `on` (the currencies with one)."""
    out = {}
    for code in ISO_4217:
        found = rate_table.rate(code, reporting, on)
        if found is not None:
            out[code] = str(found[0])
    return out


def _join_on(aliases: list[str], left: str, right: str) -> str:
    """Equal keys, as an equality both engines can hash: a partner is never null, the other
    dimensions are text whose null matches null ('' is no dimension's value)."""
    terms = [f"{left}.{a} = {right}.{a}" if a.startswith("partner_") else
             f"COALESCE({left}.{a}, '') = COALESCE({right}.{a}, '')" for a in aliases]
    return " AND ".join(terms) or "1 = 1"


def ranking_statement(f: MetricsFilter, group_by: tuple[Dim, ...], order: MetricsOrder, first: int, offset: int,
                      scope, engine_type: str, today: date, rates: dict[str, str], reporting: str) -> QueryString:
    """The page's keys (first + 1 rows, to know whether another page follows)."""
    aliases = key_aliases(group_by) or ["one"]
    u_sql, u_args = universe(f, group_by, scope, engine_type, today)
    limit = first + 1
    keys = ", ".join(f"u.{a}" for a in aliases)
    if order.by == KEY:
        direction = " DESC" if order.descending else ""
        terms = ", ".join(t + direction for t in _key_order(group_by, engine_type, "u.")) or "1"
        sql = f"SELECT {keys} FROM ({u_sql}) u ORDER BY {terms} LIMIT {limit} OFFSET {offset}"
        return QueryString(sql, *u_args)
    fig_sql, fig_args = _figure(order.by, f, group_by, scope, engine_type, today, rates, reporting)
    ties = ", ".join(_key_order(group_by, engine_type, "u.")) or "1"
    joined = f"({u_sql}) u LEFT JOIN ({fig_sql}) fig ON {_join_on(key_aliases(group_by), 'u', 'fig')}"
    value = "COALESCE(fig.figure, 0)"
    if not order.descending:
        sql = f"SELECT {keys} FROM {joined} ORDER BY {value}, {ties} LIMIT {limit} OFFSET {offset}"
        return QueryString(sql, *u_args, *fig_args)
    # DESC: the groups with a positive figure first (from the figure's fact alone), then the
    # others (the union); each branch ordered and LIMITed, so the second runs only if needed.
    # `part` keeps the branches in order where an engine would not.
    head = (f"SELECT {keys}, 0 AS part, u.figure AS figure FROM ({fig_sql}) u WHERE u.figure > 0 "
            f"ORDER BY u.figure DESC, {ties} LIMIT {offset + limit}")
    tail = (f"SELECT {keys}, 1 AS part, {value} AS figure FROM {joined} WHERE fig.figure IS NULL OR fig.figure <= 0 "
            f"ORDER BY {value} DESC, {ties} LIMIT {offset + limit}")
    sql = f"SELECT * FROM ({head}) a UNION ALL SELECT * FROM ({tail}) b LIMIT {limit} OFFSET {offset}"
    return QueryString(sql, *fig_args, *u_args, *fig_args)


def count_statement(f: MetricsFilter, group_by: tuple[Dim, ...], scope, engine_type: str,
                    today: date) -> QueryString:
    u_sql, u_args = universe(f, group_by, scope, engine_type, today)
    return QueryString(f"SELECT COUNT(*) AS n FROM ({u_sql}) u", *u_args)


def page_restriction(fact: Fact, group_by: tuple[Dim, ...], keys: list[tuple], engine_type: str) -> tuple[str, list]:
    """A condition that keeps (at least) the page's groups: each dimension's values on the page."""
    parts, args = [], []
    position = 0
    for dim in group_by:
        if dim is Dim.PARTNER:
            expr, values = fact.partner, {k[position] for k in keys}
            position += 2
        else:
            expr = dict((alias, e) for e, alias in dimension_columns(fact, (dim,), engine_type))[dim.value.lower()]
            values = {k[position] for k in keys}
            position += 1
        present = sorted(v for v in values if v is not None)
        terms = []
        if present:
            terms.append(f"{expr} IN ({', '.join('{}' for _ in present)})")
            args += present
        if None in values:
            terms.append(f"{expr} IS NULL")
        parts.append("(" + (" OR ".join(terms) or "1 = 0") + ")")
    return " AND ".join(parts) or "1 = 1", args
