"""The facts the channel metrics count (issue 36), each one GROUP BY statement.

A `Fact` names the tables it reads (by their real names, so the domains' scope conditions
apply unchanged), the column that dates it in the period, the columns of each dimension
and its aggregates. `statement` builds the SQL for a filter, a grouping and the caller's
scope; the same text runs on SQLite and PostgreSQL except the month/quarter expressions.
Nothing here loads rows: every statement returns one row per group (per currency too for
amounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from piccolo.querystring import QueryString

from partners.analytics.enums import MetricsDimension as Dim
from partners.registrations.rules import DECISION_HOURS, FIRST_REVIEW_HOURS

# SQLite keeps exact decimals as text (partners.money.columns): summed as integers of 1/10⁴
# (exact below 9·10¹¹ per amount, beyond any deal; every ISO minor unit is ≤ 4 decimals).
AMOUNT_SCALE = 10_000
WON, LOST = "7-Closed Won", "8-Closed Lost"
CLOSED_STAGES = (WON, LOST, "9-Unqualified", "10-Duplicate")
# An opportunity's value: its net ARR, or its amount where no net ARR is recorded (a
# registration's opportunity starts with the registered estimate as its amount).
_VALUE = 'COALESCE("opportunity"."net_arr", "opportunity"."amount")'
_SOURCED = ("APPROVED", "EXPIRED")  # approved once, not ended by dissolution, closing or denial (P5, P6)


@dataclass(frozen=True)
class MetricsFilter:
    """The period (both days included, UTC) and the optional criteria; empty = all."""

    start: date
    end: date
    regions: tuple[str, ...] = ()
    partner_ids: tuple[int, ...] = ()
    tracks: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=timezone.utc)

    @property
    def end_at(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Fact:
    name: str
    tables: str  # FROM … JOIN …, with "partner" joined
    at: str  # the column that dates the fact
    at_is_date: bool
    partner: str
    region: str
    type: str | None  # facts without a registration type are left out when `types` is given
    measures: tuple[str, ...]  # "expression AS name"
    where: str = "1 = 1"
    currency: str | None = None  # amounts: grouped by this column too


def partner_free_tables(fact: Fact, f: MetricsFilter, group_by: tuple[Dim, ...], scope) -> str:
    """`fact.tables` without its join to "partner" when nothing reads the partner row (no
    scope, no track filter or dimension, the name joined later by the caller); else as is."""
    join = f' JOIN "partner" ON "partner"."id" = {fact.partner}'
    if scope is not None or f.tracks or Dim.TRACK in group_by or join not in fact.tables:
        return fact.tables
    return fact.tables.replace(join, "")


def _money(column: str, engine_type: str) -> str:
    if engine_type == "postgres":
        return f"SUM({column})"
    return f"SUM(CAST(ROUND(CAST({column} AS REAL) * {AMOUNT_SCALE}) AS INTEGER))"


def _count_if(condition: str, name: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}"


_REG = '"deal_registration"'
_REG_TABLES = f'{_REG} JOIN "partner" ON "partner"."id" = {_REG}."partner"'
_CHANGE = '"deal_registration_change"'
# The history rows carry their registration's partner, region and type (immutable, copied by
# every writer: migration 2026-12-07T21:00), so a page's review changes are one index range
# per partner (deal_registration_change_partner_review) without the registrations.
_CHANGE_TABLES = f'{_CHANGE} JOIN "partner" ON "partner"."id" = {_CHANGE}."partner"'
REVIEW_EVENTS = ("APPROVED", "DENIED", "RETURNED", "WITHDRAWN", "EXPIRED", "PENDING_SALES_REVIEW")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _sourced_tables() -> str:
    """Opportunities with the registration that sourced them: the latest approved
    partner-sourced registration not ended otherwise than by expiry (P5, P6)."""
    sourced = (f'{_REG}."registration_type" <> \'SERVICES_ATTACH\' AND {_REG}."status" IN {_in(_SOURCED)}')
    later = (f'NOT EXISTS (SELECT 1 FROM "deal_registration" later WHERE later."opportunity" = "opportunity"."id" '
             f'AND later."registration_type" <> \'SERVICES_ATTACH\' AND later."status" IN {_in(_SOURCED)} '
             f'AND (later."approved_at" > {_REG}."approved_at" OR (later."approved_at" = {_REG}."approved_at" '
             f'AND later."id" > {_REG}."id")))')
    return (f'"opportunity" JOIN {_REG} ON {_REG}."opportunity" = "opportunity"."id" AND {sourced} AND {later} '
            f'JOIN "partner" ON "partner"."id" = {_REG}."partner"')


def facts(engine_type: str) -> dict[str, Fact]:
    reg_dims = dict(partner=f'{_REG}."partner"', region=f'{_REG}."region"', type=f'{_REG}."registration_type"')
    task_tables = ('"cosell_task" JOIN "cosell_plan" ON "cosell_plan"."id" = "cosell_task"."plan" '
                   'JOIN "partner" ON "partner"."id" = "cosell_plan"."partner" '
                   'JOIN "opportunity" ON "opportunity"."id" = "cosell_plan"."opportunity" '
                   'JOIN "account" ON "account"."id" = "opportunity"."account"')
    task_dims = dict(partner='"cosell_plan"."partner"', region='"account"."region"', type=None)
    out = [
        Fact("submitted", _REG_TABLES, f'{_REG}."submitted_at"', False, **reg_dims,
             measures=("COUNT(*) AS submitted",)),
        Fact("reviews", _CHANGE_TABLES, f'{_CHANGE}."changed_at"', False, partner=f'{_CHANGE}."partner"',
             region=f'{_CHANGE}."region"', type=f'{_CHANGE}."registration_type"',
             where=f'{_CHANGE}."event" IN {_in(REVIEW_EVENTS)}',
             measures=tuple(_count_if(f"{_CHANGE}.\"event\" = '{e}'", e.lower())
                            for e in ("APPROVED", "DENIED", "RETURNED", "WITHDRAWN", "EXPIRED")) + (
                 f'COUNT({_CHANGE}."first_review_seconds") AS first_reviews',
                 _count_if(f'{_CHANGE}."first_review_seconds" > {FIRST_REVIEW_HOURS * 3600}', "first_review_missed"),
                 f'COUNT({_CHANGE}."decision_seconds") AS decisions',
                 _count_if(f'{_CHANGE}."decision_seconds" > {DECISION_HOURS * 3600}', "decision_missed"))),
        Fact("pipeline_open", _sourced_tables(), f'{_REG}."approved_at"', False, **reg_dims,
             where=f'"opportunity"."stage" NOT IN {_in(CLOSED_STAGES)}', currency='"opportunity"."currency"',
             measures=(_money(_VALUE, engine_type) + " AS open_pipeline",)),
        Fact("pipeline_closed", _sourced_tables(), '"opportunity"."closed_at"', False, **reg_dims,
             where=f'"opportunity"."stage" IN {_in((WON, LOST))}', currency='"opportunity"."currency"',
             measures=(_count_if(f'"opportunity"."stage" = \'{WON}\'', "won"),
                       _count_if(f'"opportunity"."stage" = \'{LOST}\'', "lost"),
                       _money(f'CASE WHEN "opportunity"."stage" = \'{WON}\' THEN {_VALUE} END', engine_type)
                       + " AS won_net_arr")),
        Fact("tasks_done", task_tables, '"cosell_task"."completed_at"', False, **task_dims,
             where="\"cosell_task\".\"status\" = 'DONE'", measures=("COUNT(*) AS tasks_done",)),
        Fact("tasks_overdue", task_tables, '"cosell_task"."due_date"', True, **task_dims,
             where="\"cosell_task\".\"status\" <> 'DONE' AND \"cosell_task\".\"due_date\" < {today}",
             measures=("COUNT(*) AS tasks_overdue",)),
        Fact("lead_events", '"lead_event" JOIN "lead" ON "lead"."id" = "lead_event"."lead" '
             'JOIN "partner" ON "partner"."id" = "lead_event"."partner"', '"lead_event"."occurred_at"', False,
             partner='"lead_event"."partner"', region='"lead"."region"', type=None,
             where="\"lead_event\".\"event\" IN ('SHARED', 'RECALLED')",
             measures=(_count_if("\"lead_event\".\"event\" = 'SHARED'", "leads_shared"),
                       _count_if("\"lead_event\".\"event\" = 'RECALLED'", "leads_recalled"))),
        Fact("lead_shares", '"lead" JOIN "partner" ON "partner"."id" = "lead"."partner"', '"lead"."shared_at"', False,
             partner='"lead"."partner"', region='"lead"."region"', type=None,
             measures=(_count_if('"lead"."accepted_at" IS NOT NULL AND "lead"."accepted_at" <= "lead"."accept_due_at"',
                                 "leads_accepted_in_time"),
                       # An action past the deadline is refused (P11) and the first one clears it.
                       _count_if('"lead"."acted_at" IS NOT NULL', "leads_acted_in_time"))),
        Fact("cases", '"partner_case" JOIN "partner" ON "partner"."id" = "partner_case"."partner" '
             'LEFT JOIN "account" ON "account"."id" = "partner_case"."account"', '"partner_case"."opened_at"', False,
             partner='"partner_case"."partner"', region='"account"."region"', type=None,
             measures=("COUNT(*) AS cases_opened",
                       _count_if('"partner_case"."picked_up_at" IS NOT NULL AND '
                                 '"partner_case"."picked_up_at" <= "partner_case"."pickup_due_at"',
                                 "cases_picked_up_in_time"),
                       _count_if('"partner_case"."closed_at" IS NOT NULL AND '
                                 '"partner_case"."closed_at" <= "partner_case"."close_due_at"',
                                 "cases_closed_in_time"))),
    ]
    return {fact.name: fact for fact in out}


def _period_expression(column: str, is_date: bool, dim: Dim, engine_type: str) -> str:
    if engine_type == "postgres":
        value = column if is_date else f"({column} AT TIME ZONE 'UTC')"
        return f"to_char({value}, 'YYYY-MM')" if dim is Dim.MONTH else f"to_char({value}, 'YYYY-\"Q\"Q')"
    if dim is Dim.MONTH:
        return f"strftime('%Y-%m', {column})"
    return f"(strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3))"


def dimension_columns(fact: Fact, group_by: tuple[Dim, ...], engine_type: str) -> list[tuple[str, str]]:
    """(expression, alias) of each grouping column, in `group_by` order (PARTNER adds the name)."""
    columns = []
    for dim in group_by:
        if dim is Dim.PARTNER:
            columns += [(fact.partner, "partner_id"), ('"partner"."name"', "partner_name")]
        elif dim is Dim.REGION:
            columns.append((fact.region, "region"))
        elif dim is Dim.TRACK:
            columns.append(('"partner"."track"', "track"))
        elif dim is Dim.TYPE:
            columns.append((fact.type or "NULL", "type"))
        else:
            columns.append((_period_expression(fact.at, fact.at_is_date, dim, engine_type), dim.value.lower()))
    return columns


def _values(values: tuple) -> tuple[str, list]:
    return "(" + ", ".join("{}" for _ in values) + ")", list(values)


def conditions(fact: Fact, f: MetricsFilter, scope: QueryString | None, today: date) -> tuple[str, list]:
    """The WHERE clause (template, args): the fact's own condition, the period, the criteria, the scope."""
    parts = [fact.where.replace("{today}", "{}")]
    args: list = [today] if "{today}" in fact.where else []
    start, end = (f.start, f.end) if fact.at_is_date else (f.start_at, f.end_at)
    parts.append(f"{fact.at} >= {{}}" + (f" AND {fact.at} <= {{}}" if fact.at_is_date else f" AND {fact.at} < {{}}"))
    args += [start, end]
    for values, column in ((f.regions, fact.region), (f.partner_ids, fact.partner), (f.tracks, '"partner"."track"')):
        if values:
            template, more = _values(values)
            parts.append(f"{column} IN {template}")
            args += more
    if f.types:
        if fact.type is None:
            parts.append("1 = 0")
        else:
            template, more = _values(f.types)
            parts.append(f"{fact.type} IN {template}")
            args += more
    if scope is not None:
        parts.append("({})")
        args.append(scope)
    return " AND ".join(parts), args


def restricted(where: str, args: list, restrict: tuple[str, list] | None) -> tuple[str, list]:
    """`where` AND the page's restriction (partners.analytics.ranking.page_restriction)."""
    if restrict is None:
        return where, args
    return f"{where} AND {restrict[0]}", args + list(restrict[1])


def statement(fact: Fact, f: MetricsFilter, group_by: tuple[Dim, ...], scope: QueryString | None,
              engine_type: str, today: date, restrict: tuple[str, list] | None = None) -> QueryString:
    """One GROUP BY statement of `fact`: a row per group (and currency) with its aggregates."""
    dims = dimension_columns(fact, group_by, engine_type)
    if fact.currency:
        dims.append((fact.currency, "currency"))
    select = [f"{expr} AS {alias}" for expr, alias in dims] + list(fact.measures)
    where, args = restricted(*conditions(fact, f, scope, today), restrict)
    sql = f"SELECT {', '.join(select)} FROM {fact.tables} WHERE {where}"
    grouped = [expr for expr, _ in dims if expr != "NULL"]  # PostgreSQL refuses a constant in GROUP BY
    if grouped:
        sql += " GROUP BY " + ", ".join(grouped)
    return QueryString(sql, *args)


# P4 review figures in one statement: the period's review changes are read once, ranked by
# each stored duration (ROW_NUMBER and COUNT windows per group and duration),
# then grouped: the counts, and the percentiles as percentile_cont's linear interpolation
# with integer arithmetic (floor of p·(n−1) as an integer division) on SQLite (no percentile
# function; PostgreSQL uses percentile_cont itself): position k = p·(n−1),
# value = v[⌊k⌋]·(1−frac) + v[⌊k⌋+1]·frac.
PERCENTILES = (("median", 1, 2), ("p90", 9, 10))
DURATIONS = (("first_review", "first_review_seconds", "fr"), ("decision", "decision_seconds", "ds"))


def _review_counts() -> list[str]:
    """The review changes' counts per group: decisions by kind, and per duration how many
    there are and how many missed their P4 target."""
    measures = [_count_if(f"event = '{e}'", e.lower()) for e in ("APPROVED", "DENIED", "RETURNED", "WITHDRAWN",
                                                                 "EXPIRED")]
    for name, _, short in DURATIONS:
        limit = FIRST_REVIEW_HOURS if name == "first_review" else DECISION_HOURS
        counted = "first_reviews" if name == "first_review" else "decisions"
        measures += [f"COUNT({short}) AS {counted}", _count_if(f"{short} > {limit * 3600}", f"{name}_missed")]
    return measures


def reviews_statement(f: MetricsFilter, group_by: tuple[Dim, ...], scope: QueryString | None,
                      engine_type: str, today: date, restrict: tuple[str, list] | None = None) -> QueryString:
    fact = facts(engine_type)["reviews"]
    dims = dimension_columns(fact, group_by, engine_type)
    where, args = restricted(*conditions(fact, f, scope, today), restrict)
    aliases = [alias for _, alias in dims]
    inner = ", ".join([f"{expr} AS {alias}" for expr, alias in dims] + [f'{_CHANGE}."event" AS event'] + [
        f'{_CHANGE}."{column}" AS {short}' for _, column, short in DURATIONS])
    measures = _review_counts()
    if engine_type == "postgres":
        # PostgreSQL's own percentile_cont (the same interpolation), one sort per group and
        # duration instead of the window passes over the whole period.
        measures += [f"percentile_cont({num / den}) WITHIN GROUP (ORDER BY {short}) AS {name}_{label}"
                     for name, _, short in DURATIONS for label, num, den in PERCENTILES]
        sql = f"SELECT {', '.join(aliases + measures)} FROM (SELECT {inner} FROM {fact.tables} WHERE {where}) d"
        return QueryString(sql + (f" GROUP BY {', '.join(aliases)}" if aliases else ""), *args)
    # SQLite: the period's review changes once (a materialized CTE); the durations that exist
    # (first reviews, decisions) as one list of (group, kind, value) ranked by one window per
    # group and kind; only the rows at the percentiles' positions aggregated; joined to the
    # counts by the group key (null-safe). Half the CPU of two windows over every change
    # (issue 36 item 2). The partner's name depends on its id: not in the partition.
    keys = [a for a in aliases if a != "partner_name"]
    values = " UNION ALL ".join(
        f"SELECT {', '.join(keys + [str(kind)])} AS kind, {short} AS v FROM d WHERE {short} IS NOT NULL"
        for kind, (_, _, short) in enumerate(DURATIONS))
    partition = ", ".join(keys + ["kind"])
    ranked = (f"SELECT v.*, ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY v) - 1 AS i, "
              f"COUNT(*) OVER (PARTITION BY {partition}) AS n FROM ({values}) v")
    picks = []
    for kind, (name, _, _) in enumerate(DURATIONS):
        for label, num, den in PERCENTILES:
            k = f"({num} * (n - 1))"
            picks.append(f"SUM(CASE WHEN kind = {kind} AND i = {k} / {den} THEN v * ({den} - {k} % {den}) "
                         f"WHEN kind = {kind} AND i = {k} / {den} + 1 THEN v * ({k} % {den}) END) * 1.0 / {den} "
                         f"AS {name}_{label}")
    positions = [f"({num} * (n - 1)) / {den}" for _, num, den in PERCENTILES]
    near = f"i BETWEEN MIN({', '.join(positions)}, n) AND MAX({', '.join(positions)}, 0) + 1"  # what they read
    percentiles = (f"SELECT {', '.join(keys + picks)} FROM ({ranked}) r WHERE {near}"
                   + (f" GROUP BY {', '.join(keys)}" if keys else ""))
    counts = f"SELECT {', '.join(aliases + measures)} FROM d" + (f" GROUP BY {', '.join(aliases)}" if aliases else "")
    on = " AND ".join(f"p.{a} IS c.{a}" for a in keys) or "1 = 1"
    hours = ", ".join(f"p.{name}_{label}" for name, _, _ in DURATIONS for label, _, _ in PERCENTILES)
    sql = (f"WITH d AS MATERIALIZED (SELECT {inner} FROM {fact.tables} WHERE {where}) "
           f"SELECT c.*, {hours} FROM ({counts}) c LEFT JOIN ({percentiles}) p ON {on}")
    return QueryString(sql, *args)
