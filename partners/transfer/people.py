"""Importing partners (with their directory lists, D7) and users."""

from __future__ import annotations

from partners.infra.clock import now
from partners.infra.errors import DomainError
from partners.people.enums import Region, Role
from partners.people.identity import validate_user_fields
from partners.people.tables import User
from partners.transfer import keys
from partners.program.enums import TrainingCourse
from partners.transfer.base import EntityImport, child_list, child_value, json_cell
from partners.transfer.children import DIRECTORY, replace_partner_lists
from partners.transfer.entities import PARTNER_LISTS
from partners.transfer.formats import BadValue, encode, Field

REGIONS = {r.value for r in Region}
COURSES = tuple(c.value for c in TrainingCourse)
# P2's records: (JSON key, kind, required, choices, longest) of each item.
AGREEMENT = (("version", "text", True, (), 40), ("signed_on", "date", True, (), None),
             ("signer_name", "text", True, (), 200), ("signer_email", "text", False, (), 254),
             ("ended_on", "date", False, (), None), ("end_reason", "text", False, (), 2000))
TRAINING = (("person_name", "text", True, (), 200), ("person_email", "text", True, (), 254),
            ("course", "text", True, COURSES, None), ("completed_on", "date", True, (), None),
            ("expires_on", "date", False, (), None))
TEXT_DEFAULTS = {"signer_email": "", "end_reason": ""}


def _records(p, name: str, spec) -> tuple[list[dict], list[dict]]:
    """A partner's agreement or training records: as written (dates) and as the cell holds them."""
    values, cells = [], []
    for i, item in enumerate(child_list(p, name)):
        value, cell = {}, {}
        for key, kind, required, choices, longest in spec:
            v = child_value(p, f"{name}.{i}.{key}", kind, item.get(key), choices=choices,
                            nullable=not required, max_length=longest)
            if v is None and key in TEXT_DEFAULTS:
                v = TEXT_DEFAULTS[key]
            value[key] = v
            cell[key] = v.isoformat() if hasattr(v, "isoformat") else v
        values.append(value)
        cells.append(cell)
    return values, cells


class PartnerImport(EntityImport):
    def parse_children(self, p, run) -> None:
        for name in PARTNER_LISTS:
            values = p.extra.get(name) or []
            limit = DIRECTORY[name].value.length
            if name == "regions_served" and any(v not in REGIONS for v in values):
                p.refuse("INVALID_CHOICE", f"regions_served are among {', '.join(sorted(REGIONS))}.", name, "D7")
            elif any(len(v) > limit for v in values):
                p.refuse("FIELD_TOO_LONG", f"each of {name} has at most {limit} characters.", name)
            if name == "countries_served" and p.values.get("country") and p.values["country"] not in values:
                values.append(p.values["country"])  # D7: always includes the partner's own country
            p.extra[name] = values
            p.cells[name] = encode(Field(name, "list"), values)
        for name, spec in (("agreements", AGREEMENT), ("trainings", TRAINING)):
            try:
                values, cells = _records(p, name, spec)
            except BadValue as exc:
                p.refuse(exc.code, exc.message, name, "P2")
                return
            p.extra[name] = values
            p.cells[name] = json_cell(cells)

    async def check(self, batch, run) -> None:
        for p in batch:
            if not (p.values.get("name") or "").strip():
                p.refuse("REQUIRED", "A partner has a name.", "name")
            country = p.values.get("country")
            if country is not None and (len(country) != 2 or not country.isalpha()):
                p.refuse("INVALID_COUNTRY", "country is an ISO 3166-1 alpha-2 code.", "country")

    async def write_children(self, batch, run) -> None:
        await replace_partner_lists({p.id: p.extra for p in batch}, at=now(),
                                    existing=[p.id for p in batch if p.existing is not None])


class UserImport(EntityImport):
    async def check(self, batch, run) -> None:
        emails = {(p.values.get("email") or "").strip().lower() for p in batch}
        known = {r["email"].lower(): r["id"] for r in await User.select(User.id, User.email).where(
            User.email.is_in(sorted(e for e in emails if e) or [""]))}
        taken: dict[str, int] = run.state.setdefault("user_emails", {})
        for p in batch:
            email = (p.values.get("email") or "").strip().lower()
            p.values["email"] = email
            p.cells["email"] = email
            if "@" not in email:
                p.refuse("INVALID_EMAIL", "A user has an email address.", "email")
                continue
            regions = p.values.get("regions") or []
            if any(r not in REGIONS for r in regions):
                p.refuse("INVALID_CHOICE", f"regions are among {', '.join(sorted(REGIONS))}.", "regions")
            elif p.values.get("role"):
                try:  # the rules `cosell users add` and the API apply (D1: a channel manager's regions)
                    validate_user_fields(Role(p.values["role"]), 0 if "partner" in p.refs else None,
                                         [Region(r) for r in regions])
                except DomainError as exc:
                    for v in exc.violations:
                        p.refuse(v.code, v.message, ".".join(v.field), v.rule)
            if email in taken and taken[email] != p.line:
                p.refuse("DUPLICATE_EMAIL", f"{email} is on line {taken[email]} under another external id.", "email")
                continue
            taken[email] = p.line
            if p.existing is None and email in known:
                # A user already in cosell (made by hand or by SSO) is the imported one: adopt it.
                p.existing = known[email]
                p.extra["_adopted"] = True

    async def write_children(self, batch, run) -> None:
        adopted = [(p.source, p.key, p.id) for p in batch if p.extra.get("_adopted")]
        await keys.remember("users", adopted)
