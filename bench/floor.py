"""The floor (issue 11): what operations 1–3 cost without GraphQL, for the GraphQL/floor ratio.

A bench-only app: `uvicorn --factory bench.floor:create_app` serves the production app
unchanged plus `POST /floor/{dashboard,review,opportunities}`. Each floor route does what
a careful hand-written REST endpoint would: look the bearer token up (one joined SQL
statement), fetch the same rows as the GraphQL operation with hand-written SQL through
the same driver (asyncpg from the app's pool on PostgreSQL; aiosqlite on SQLite, one
connection per request as Piccolo opens one per statement), apply the same scoping
(partner user: own registrations, R9 for opportunities) and serialize the same fields,
with the same global ids, with orjson in a plain Starlette route. Discount quotes are
domain work, not GraphQL's: the floor computes them with the same function
(`partners.discounts.quotes.standard_quotes`, plugins included) as the GraphQL field does. It is
never part of `server.app:create_app`, so production never exposes it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime, timezone
from decimal import Decimal

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from partners.discounts import quotes as discounts
from partners.infra.db import current_engine
from partners.opportunities.enums import OpportunityStage
from partners.opportunities.scoping import PARTNER_VISIBLE_ROLES
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.registrations.rules import CONFLICTS_WITH, IN_REVIEW, LIVE
from server.app import create_app as create_production_app

_IN_REVIEW = ", ".join(f"'{s.value}'" for s in IN_REVIEW)
_CONFLICTS_WITH = ", ".join(f"'{s.value}'" for s in CONFLICTS_WITH)
_LIVE = {s.value for s in LIVE}
_STAGE = {s.value: s.name for s in OpportunityStage}  # stored as the handbook's labels (O1)
_R9_ROLES = ", ".join(f"'{r.value}'" for r in PARTNER_VISIBLE_ROLES)


def gid(type_name: str, value) -> str | None:
    return None if value is None else base64.b64encode(f"{type_name}:{value}".encode()).decode()


def _dt(value):
    """Datetimes as GraphQL's DateTime serializes them (ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def _date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


class Db:
    """Hand-written SQL with `$1` placeholders, run on the engine's driver."""

    def __init__(self) -> None:
        self.engine = current_engine()
        self.postgres = hasattr(self.engine, "pool")
        self.conn = None

    async def __aenter__(self) -> "Db":
        if self.postgres:
            self._acquire = self.engine.pool.acquire()
            self.conn = await self._acquire.__aenter__()
        else:
            import aiosqlite

            self.conn = await aiosqlite.connect(self.engine.path)
            self.conn.row_factory = aiosqlite.Row
        return self

    async def __aexit__(self, *exc) -> None:
        if self.postgres:
            await self._acquire.__aexit__(*exc)
        else:
            await self.conn.close()

    async def all(self, sql: str, *args) -> list:
        if self.postgres:
            return await self.conn.fetch(sql, *args)
        import re

        async with self.conn.execute(re.sub(r"\$(\d+)", r"?\1", sql), args) as cursor:
            return list(await cursor.fetchall())

    async def one(self, sql: str, *args):
        rows = await self.all(sql, *args)
        return rows[0] if rows else None


def _in(values, start: int = 1) -> str:
    return ", ".join(f"${i}" for i in range(start, start + len(values))) or "NULL"


async def _principal(db: Db, request: Request):
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip()
    return await db.one(
        "SELECT u.id, u.name, u.role, u.partner, p.name AS partner_name, p.track AS partner_track "
        "FROM api_token t JOIN cosell_user u ON u.id = t.user LEFT JOIN partner p ON p.id = u.partner "
        "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
        hashlib.sha256(token.encode()).hexdigest())


def _page(rows: list, first: int) -> tuple[list, bool]:
    return rows[:first], len(rows) > first


def _quote(quote: discounts.Quote | None) -> dict | None:
    if quote is None:
        return None
    total = quote.total
    return {"route": quote.route, "currency": total.currency,
            "totalMoney": {"amount": format(total.amount, "f"), "currency": total.currency}, "lines": [
                {"key": line.key, "label": line.label, "percent": format(line.rate, "f"),
                 "amountMoney": {"amount": format(line.amount.amount, "f"), "currency": line.amount.currency}}
                for line in quote.lines]}


async def dashboard(db: Db, me, plugins) -> dict:
    """Operation 1: viewer + 50 registrations (customer name, opportunity stage under R9,
    products, today's discount quote) + the partner's 50 latest co-sell plans with their progress."""
    partner = me["partner"]
    rows, more = _page(await db.all(
        "SELECT r.id, r.status, r.registration_type, r.submitted_at, r.expires_at, r.opportunity, "
        "a.name AS customer_name, "
        "o.id AS opp_id, o.name AS opp_name, o.stage AS opp_stage "
        "FROM deal_registration r JOIN account a ON a.id = r.account "
        "LEFT JOIN opportunity o ON o.id = r.opportunity AND o.id IN "
        f"(SELECT opportunity FROM opportunity_partner WHERE partner = $1 AND role IN ({_R9_ROLES})) "
        "WHERE r.partner = $1 ORDER BY r.submitted_at, r.id LIMIT 51", partner), 50)
    total = (await db.one("SELECT COUNT(*) AS n FROM deal_registration WHERE partner = $1", partner))["n"]
    ids = [r["id"] for r in rows]
    products: dict[int, list[str]] = {}
    for p in await db.all(f"SELECT registration, product FROM deal_registration_product WHERE registration IN ({_in(ids)}) "
                          "ORDER BY id", *ids):
        products.setdefault(p["registration"], []).append(p["product"])
    principal = Principal(user_id=me["id"], email="", name=me["name"], role=Role(me["role"]), partner_id=partner)
    quotes = await discounts.standard_quotes(principal, plugins, list(dict.fromkeys(
        (r["opportunity"], partner) for r in rows if r["opportunity"] is not None)))
    plans, plans_more = _page(await db.all(
        "SELECT id, opportunity FROM cosell_plan WHERE partner = $1 ORDER BY id DESC LIMIT 51", partner), 50)
    plan_ids = [p["id"] for p in plans]
    today = datetime.now(timezone.utc).date()
    progress = {pid: [0, 0, 0] for pid in plan_ids}
    for t in await db.all(f"SELECT plan, status, due_date FROM cosell_task WHERE plan IN ({_in(plan_ids)})", *plan_ids):
        done = t["status"] == "DONE"
        counts = progress[t["plan"]]
        counts[0] += done
        counts[1] += 1
        counts[2] += (not done) and _date(t["due_date"]) < today
    return {"data": {
        "viewer": {"id": gid("User", me["id"]), "name": me["name"], "role": me["role"],
                   "partner": {"id": gid("Partner", partner), "name": me["partner_name"], "track": me["partner_track"]}},
        "dealRegistrations": {"totalCount": total, "pageInfo": {"hasNextPage": more}, "nodes": [{
            "id": gid("DealRegistration", r["id"]), "status": r["status"], "type": r["registration_type"],
            "customerName": r["customer_name"], "submittedAt": _dt(r["submitted_at"]), "expiresAt": _dt(r["expires_at"]),
            "products": products.get(r["id"], []),
            "opportunity": None if r["opp_id"] is None else {
                "id": gid("Opportunity", r["opp_id"]), "name": r["opp_name"], "stage": _STAGE[r["opp_stage"]]},
            "discountQuote": None if r["opportunity"] is None else _quote(quotes.get((r["opportunity"], partner))),
        } for r in rows]},
        "coSellPlans": {"pageInfo": {"hasNextPage": plans_more}, "nodes": [{
            "id": gid("CoSellPlan", p["id"]),
            "opportunity": {"id": gid("Opportunity", p["opportunity"])},
            "progress": dict(zip(("done", "total", "overdue"), progress[p["id"]])),
        } for p in plans]},
    }}


async def review(db: Db, me, region: str) -> dict:
    """Operation 2: 50 registrations of a region waiting for review, with partner, products
    and D2 conflicts (pending or approved registrations of the same customer and product)."""
    where = f"r.region = $1 AND r.status IN ({_IN_REVIEW})"
    rows, more = _page(await db.all(
        "SELECT r.id, r.status, r.submitted_at, r.review_due_at, a.name AS customer_name, p.id AS partner_id, "
        "p.name AS partner_name, p.track AS partner_track FROM deal_registration r "
        "JOIN account a ON a.id = r.account JOIN partner p ON p.id = r.partner "
        f"WHERE {where} ORDER BY r.submitted_at, r.id LIMIT 51", region), 50)
    total = (await db.one(f"SELECT COUNT(*) AS n FROM deal_registration r WHERE {where}", region))["n"]
    ids = [r["id"] for r in rows]
    products: dict[int, list[str]] = {}
    for p in await db.all(f"SELECT registration, product FROM deal_registration_product WHERE registration IN ({_in(ids)}) "
                          "ORDER BY id", *ids):
        products.setdefault(p["registration"], []).append(p["product"])
    conflicts: dict[int, list[dict]] = {}
    for c in await db.all(
            "SELECT DISTINCT a.registration AS id, rb.id AS other, rb.status, rb.submitted_at, pb.name AS partner_name "
            "FROM deal_registration_product a JOIN deal_registration ra ON ra.id = a.registration "
            "JOIN deal_registration rb ON rb.account = ra.account AND rb.id <> ra.id "
            "JOIN deal_registration_product b ON b.registration = rb.id AND b.product = a.product "
            f"JOIN partner pb ON pb.id = rb.partner WHERE a.registration IN ({_in(ids)}) "
            f"AND rb.status IN ({_CONFLICTS_WITH}) ORDER BY rb.submitted_at, rb.id", *ids):
        conflicts.setdefault(c["id"], []).append({
            "id": gid("DealRegistration", c["other"]), "status": c["status"], "submittedAt": _dt(c["submitted_at"]),
            "partner": {"name": c["partner_name"]}})
    return {"data": {"dealRegistrations": {"totalCount": total, "pageInfo": {"hasNextPage": more}, "nodes": [{
        "id": gid("DealRegistration", r["id"]), "status": r["status"], "submittedAt": _dt(r["submitted_at"]),
        "reviewDueAt": _dt(r["review_due_at"]), "customerName": r["customer_name"],
        "partner": {"id": gid("Partner", r["partner_id"]), "name": r["partner_name"], "track": r["partner_track"]},
        "products": products.get(r["id"], []),
        "conflicts": conflicts.get(r["id"], []) if r["status"] in _LIVE else [],
    } for r in rows]}}}


def _money(amount, currency: str) -> dict | None:
    """An exact amount as the API's Money: NUMERIC (a Decimal) on PostgreSQL, the digits as
    written (text) on SQLite; both the same string (issue 40)."""
    return None if amount is None else {"amount": format(Decimal(str(amount)), "f"), "currency": currency}


async def opportunities(db: Db, me) -> dict:
    """Operation 3 (staff): the 100 newest opportunities with account, partners, contacts."""
    rows, more = _page(await db.all(
        "SELECT o.id, o.name, o.stage, o.currency, o.amount, o.close_date, a.id AS account_id, a.name AS account_name, "
        "a.segment FROM opportunity o JOIN account a ON a.id = o.account ORDER BY o.id DESC LIMIT 101"), 100)
    total = (await db.one("SELECT COUNT(*) AS n FROM opportunity"))["n"]
    ids = [r["id"] for r in rows]
    partners: dict[int, list[dict]] = {}
    for p in await db.all(
            "SELECT op.opportunity, op.role, op.is_primary, p.id, p.name FROM opportunity_partner op "
            f"JOIN partner p ON p.id = op.partner WHERE op.opportunity IN ({_in(ids)}) "
            "ORDER BY op.is_primary DESC, op.id", *ids):
        partners.setdefault(p["opportunity"], []).append({
            "role": p["role"], "isPrimary": bool(p["is_primary"]), "partner": {"id": gid("Partner", p["id"]), "name": p["name"]}})
    contacts: dict[int, list[dict]] = {}
    for c in await db.all(
            "SELECT oc.opportunity, oc.role, oc.is_primary, c.id, c.name, c.email FROM opportunity_contact oc "
            f"JOIN contact c ON c.id = oc.contact WHERE oc.opportunity IN ({_in(ids)}) "
            "ORDER BY oc.is_primary DESC, oc.id", *ids):
        contacts.setdefault(c["opportunity"], []).append({
            "role": c["role"], "isPrimary": bool(c["is_primary"]),
            "contact": {"id": gid("Contact", c["id"]), "name": c["name"], "email": c["email"]}})
    return {"data": {"opportunities": {"totalCount": total, "pageInfo": {"hasNextPage": more}, "nodes": [{
        "id": gid("Opportunity", r["id"]), "name": r["name"], "stage": _STAGE[r["stage"]],
        "currency": r["currency"], "amountMoney": _money(r["amount"], r["currency"]),
        "closeDate": str(r["close_date"]) if r["close_date"] else None,
        "account": {"id": gid("Account", r["account_id"]), "name": r["account_name"], "segment": r["segment"]},
        "partners": partners.get(r["id"], []), "contacts": contacts.get(r["id"], []),
    } for r in rows]}}}


async def floor(request: Request) -> Response:
    op = request.path_params["op"]
    await request.body()
    async with Db() as db:
        me = await _principal(db, request)
        if me is None:
            return Response(orjson.dumps({"errors": [{"message": "Invalid or revoked token."}]}), 401,
                            media_type="application/json")
        if op == "dashboard":
            body = await dashboard(db, me, request.app.state.plugins)
        elif op == "review":
            body = await review(db, me, request.query_params.get("region", "EMEA"))
        elif op == "opportunities":
            body = await opportunities(db, me)
        else:
            return Response(b"{}", 404, media_type="application/json")
    return Response(orjson.dumps(body), media_type="application/json")


def add_floor_routes(app) -> None:
    app.router.routes.insert(0, Route("/floor/{op}", floor, methods=["POST"]))


def create_app():
    app = create_production_app()
    add_floor_routes(app)
    return app
