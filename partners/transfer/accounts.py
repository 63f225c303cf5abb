"""Importing accounts (hierarchy by external id, addresses; A1–A4) and contacts."""

from __future__ import annotations

from partners.accounts.enums import AddressSource
from partners.accounts.rules import hierarchy_segment, row_effective_employees
from partners.accounts.tables import Account
from partners.infra.db import transaction
from partners.money.currencies import currency_violation
from partners.transfer.base import EntityImport, child_list, child_value, json_cell
from partners.transfer.children import ADDRESS_FIELDS, replace_addresses
from partners.transfer.formats import BadValue

ADDRESS_SOURCES = tuple(s.value for s in AddressSource)
ADDRESS_LENGTHS = {"street": 255, "city": 100, "state": 100, "postal_code": 20, "country": 2}
SEGMENT_CHUNK = 400


class AccountImport(EntityImport):
    def parse_children(self, p, run) -> None:
        try:
            addresses = []
            for i, a in enumerate(child_list(p, "addresses")):
                item = {"source": child_value(p, f"addresses.{i}.source", "text", a.get("source"),
                                              choices=ADDRESS_SOURCES, nullable=False)}
                for name in ADDRESS_FIELDS[1:]:
                    item[name] = child_value(p, f"addresses.{i}.{name}", "text", a.get(name),
                                             max_length=ADDRESS_LENGTHS[name]) or ""
                addresses.append(item)
        except BadValue as exc:
            p.refuse(exc.code, exc.message, "addresses", "A4")
            return
        p.extra["addresses"] = addresses
        if p.keep_cells:
            p.cells["addresses"] = json_cell(addresses)

    async def check(self, batch, run) -> None:
        parents = {run.id_of("accounts", p.refs["parent"]) for p in batch if "parent" in p.refs}
        ultimate = {r["id"]: r["ultimate_parent"] for r in await Account.select(
            Account.id, Account.ultimate_parent).where(Account.id.is_in(sorted(parents) or [0]))}
        for p in batch:
            v = p.values
            if not (v.get("name") or "").strip():
                p.refuse("REQUIRED", "An account has a name.", "name")
            country = v.get("country")
            if country is not None and (len(country) != 2 or not country.isalpha() or not country.isupper()):
                p.refuse("INVALID_COUNTRY", "country is an ISO 3166-1 alpha-2 code (upper case).", "country")
            if v.get("currency") is not None and (bad := currency_violation(v["currency"], "currency")):
                p.refuse(bad.code, bad.message, "currency", bad.rule)
            for name in ("employees_datafox", "employees_zoominfo", "employees_override"):
                if (v.get(name) or 0) < 0:
                    p.refuse("INVALID_COUNT", f"{name} is a count (0 or more).", name, "A3")
            if "parent" in p.refs:
                parent = run.id_of("accounts", p.refs["parent"])
                if parent is not None and parent == p.existing:
                    p.refuse("PARENT_CYCLE", "An account is not its own parent.", "parent", "A2")
                p.extra["_ultimate"] = ultimate.get(parent) or parent

    def finish_values(self, p, run) -> None:
        super().finish_values(p, run)
        # A1/A2 are computed (after the file): whatever segment the file says is not taken.
        p.values.pop("segment", None)
        if p.values.get("parent") is not None:
            p.values["ultimate_parent"] = p.extra["_ultimate"]
        elif p.existing is not None:
            p.values["ultimate_parent"] = p.existing

    async def write_children(self, batch, run) -> None:
        roots = [p.id for p in batch if p.values.get("parent") is None and p.values.get("ultimate_parent") is None]
        if roots:  # a new global account is its own ultimate parent
            await Account.update({Account.ultimate_parent: Account.id}).where(Account.id.is_in(roots))
        await replace_addresses({p.id: p.extra for p in batch}, existing=[p.id for p in batch if p.existing is not None])

    async def after_batch(self, written, run) -> None:
        touched: set[int] = run.state.setdefault("account_roots", set())
        for p in written:
            touched.add(p.values.get("ultimate_parent") or p.id)

    async def after_file(self, run) -> None:
        """A1 + A2: the segment of every hierarchy the import touched, from A3's counts."""
        roots = sorted(run.state.pop("account_roots", set()))
        for i in range(0, len(roots), SEGMENT_CHUNK):
            chunk = roots[i:i + SEGMENT_CHUNK]
            rows = await Account.select(Account.id, Account.ultimate_parent, Account.segment, Account.employees_datafox,
                                        Account.employees_zoominfo, Account.employees_override).where(
                Account.ultimate_parent.is_in(chunk))
            members: dict[int, list[dict]] = {}
            for r in rows:
                members.setdefault(r["ultimate_parent"], []).append(r)
            stale: dict[str | None, list[int]] = {}
            for hierarchy in members.values():
                segment = hierarchy_segment(row_effective_employees(r) for r in hierarchy)
                value = segment.value if segment else None
                for r in hierarchy:
                    if r["segment"] != value:
                        stale.setdefault(value, []).append(r["id"])
            if stale:
                async with transaction():
                    for value, ids in stale.items():
                        await Account.update({Account.segment: value}).where(Account.id.is_in(ids))


class ContactImport(EntityImport):
    async def check(self, batch, run) -> None:
        for p in batch:
            if not (p.values.get("name") or "").strip():
                p.refuse("REQUIRED", "A contact has a name.", "name")
