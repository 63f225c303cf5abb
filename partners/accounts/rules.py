"""Accounts (A1–A10) and their contacts: the pure rules (no database, no awaits).

The writes that apply them, in transactions, are in `partners.accounts.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Iterable

from partners.accounts.enums import AddressSource, Ranking, ScreeningStatus, Segment
from partners.infra.errors import DomainError, Violation
from partners.people.enums import Region
from partners.people.principal import Principal

LARGE_MIN_EMPLOYEES = 2000
MID_MARKET_MIN_EMPLOYEES = 100
GLOBAL_DIGITAL_SMB_MAX_CARR = Decimal(30_000)  # USD, as A7 states it
GLOBAL_DIGITAL_SMB_MAX_EMPLOYEES = 100  # "< 101 employees"
FIRST_ORDER_MIN_EMPLOYEES = 500
FIRST_ORDER_MIN_POTENTIAL_USERS = 100
NORAM_COUNTRIES = frozenset({"US", "CA"})
HOLDOVER_DAYS = 180

_SEGMENT_ORDER = list(Segment)


# ---------------------------------------------------------------- segments, territory, ranking (A1–A10)


def segment_for_employees(count: int | None) -> Segment | None:
    """A1: LARGE ≥ 2,000; MID_MARKET 100–1,999; SMB 0–99; None without a count."""
    if count is None:
        return None
    if count >= LARGE_MIN_EMPLOYEES:
        return Segment.LARGE
    if count >= MID_MARKET_MIN_EMPLOYEES:
        return Segment.MID_MARKET
    return Segment.SMB


def hierarchy_segment(counts: Iterable[int | None]) -> Segment | None:
    """A1 + A2: the largest segment of any member's effective count (the global account's
    total included), which every member of the hierarchy adopts."""
    segments = [s for s in (segment_for_employees(c) for c in counts) if s is not None]
    if not segments:
        return None
    return max(segments, key=_SEGMENT_ORDER.index)


def effective_employee_count(datafox: int | None, zoominfo: int | None, override: int | None = None) -> int | None:
    """A3: an admin override (an applied review request) wins; then DataFox; ZoomInfo only
    when DataFox is blank."""
    if override is not None:
        return override
    if datafox is not None:
        return datafox
    return zoominfo


def territory_address(addresses: Iterable[dict]) -> dict | None:
    """A4: the candidate of the highest-priority source present."""
    by_source = {AddressSource(a["source"]): a for a in addresses}
    for source in AddressSource:
        if source in by_source:
            return by_source[source]
    return None


def is_global_digital_smb(carr_usd: Decimal | None, employees: int | None, country: str) -> bool:
    """A7: cARR < $30k, < 101 employees, not Japan. `carr_usd` is the cARR already in USD
    (converted by the caller at today's rate; issue 40)."""
    return (
        employees is not None
        and employees <= GLOBAL_DIGITAL_SMB_MAX_EMPLOYEES
        and (carr_usd or 0) < GLOBAL_DIGITAL_SMB_MAX_CARR
        and country.upper() != "JP"
    )


def is_first_order_target(
    *, segment: Segment | None, region: Region, country: str, first_order_available: bool,
    employees: int | None, potential_users: int | None,
) -> bool:
    """A8: MID_MARKET in NORAM (AMER, US/CA) or EMEA, first order available, and
    employees ≥ 500 or potential users (LAM) ≥ 100."""
    in_territory = region is Region.EMEA or (region is Region.AMER and country.upper() in NORAM_COUNTRIES)
    big_enough = (employees or 0) >= FIRST_ORDER_MIN_EMPLOYEES or (potential_users or 0) >= FIRST_ORDER_MIN_POTENTIAL_USERS
    return segment is Segment.MID_MARKET and in_territory and first_order_available and big_enough


def ranking_violations(
    segment: Segment | None, ranking: Ranking | None, potential_users: int | None, note: str
) -> list[Violation]:
    """A9: an SMB rank 1 or 1.5 needs potential users, a rank 2 or 3 a note."""
    if segment is not Segment.SMB or ranking is None:
        return []
    if ranking in (Ranking.RANK_1, Ranking.RANK_1_5) and not potential_users:
        return [Violation("POTENTIAL_USERS_REQUIRED", "An SMB account ranked 1 or 1.5 needs its potential users.",
                          ("potentialUsers",), "A9")]
    if ranking in (Ranking.RANK_2, Ranking.RANK_3) and not note.strip():
        return [Violation("RANKING_NOTE_REQUIRED", "An SMB account ranked 2 or 3 needs a ranking note.",
                          ("rankingNote",), "A9")]
    return []


def holdover_until(created_at: datetime) -> datetime:
    """A10: an open opportunity stays with its owner at most 180 days after creation."""
    return created_at + timedelta(days=HOLDOVER_DAYS)


def row_effective_employees(row: dict) -> int | None:
    """A3 on an account row."""
    return effective_employee_count(row["employees_datafox"], row["employees_zoominfo"], row["employees_override"])


def require_clear(account: dict, field: str = "id") -> None:
    """A6: only an account screened CLEAR is updated."""
    if account["screening_status"] != ScreeningStatus.CLEAR.value:
        raise DomainError.single(
            "ACCOUNT_NOT_CLEARED",
            f"Only accounts with screening status CLEAR can be updated (this one is {account['screening_status']}).",
            field, rule="A6",
        )


def descendants(rows: list[dict], account_id: int) -> set[int]:
    """A2: the ids below `account_id` in a hierarchy's rows (`parent` links), so a move
    under one of them is a cycle."""
    children: dict[int, list[int]] = {}
    for r in rows:
        if r["parent"] is not None:
            children.setdefault(r["parent"], []).append(r["id"])
    found, todo = set(), [account_id]
    while todo:
        current = todo.pop()
        for child in children.get(current, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# ---------------------------------------------------------------- input checks


@dataclass
class AddressInput:
    """A4: an address candidate from one source (the territory address is the best source's)."""

    source: AddressSource
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


def field_violations(principal: Principal, fields: dict[str, Any],
                     addresses: list[AddressInput] | None) -> list[Violation]:
    """An account's fields as written: a name, counts (A3, A9) not negative, an ISO country
    code, one address per source, the manual override address by an admin only (A4). The
    cARR (A7) is checked against the account's currency by `partners.money.given`."""
    violations: list[Violation] = []
    if "name" in fields and not str(fields["name"] or "").strip():
        violations.append(Violation("NAME_REQUIRED", "An account needs a name.", ("name",)))
    for key, label in (("employees_datafox", "employeesDataFox"), ("employees_zoominfo", "employeesZoomInfo"),
                       ("potential_users", "potentialUsers")):
        if fields.get(key) is not None and fields[key] < 0:
            violations.append(Violation("NEGATIVE_COUNT", "Counts cannot be negative.", (label,), "A3" if key != "potential_users" else "A9"))
    if "country" in fields and len(fields["country"] or "") != 2:
        violations.append(Violation("INVALID_COUNTRY", "Use an ISO 3166-1 alpha-2 country code.", ("country",)))
    sources = [a.source for a in addresses or []]
    repeated = next((i for i, source in enumerate(sources) if source in sources[:i]), None)
    if repeated is not None:
        violations.append(Violation("DUPLICATE_ADDRESS_SOURCE", "One address per source.",
                                    ("addresses", str(repeated), "source"), "A4"))
    if AddressSource.ADMIN_OVERRIDE in sources and not principal.is_admin:
        violations.append(Violation("ADMIN_OVERRIDE_ONLY", "Only an admin sets the manual override address.",
                                    ("addresses", str(sources.index(AddressSource.ADMIN_OVERRIDE)), "source"), "A4"))
    return violations


def review_request_violations(count: int, source_url: str) -> list[Violation]:
    """A3: a user-entered count is a review request with its source URL."""
    violations = []
    if count < 0:
        violations.append(Violation("NEGATIVE_COUNT", "Counts cannot be negative.", ("count",), "A3"))
    if not source_url.strip().lower().startswith(("http://", "https://")):
        violations.append(Violation("SOURCE_URL_REQUIRED", "A review request needs the source URL of the count.",
                                    ("sourceUrl",), "A3"))
    return violations


def contact_violations(fields: dict[str, Any]) -> list[Violation]:
    """A contact has a name, and its email, when given, looks like one."""
    out = []
    if "name" in fields and not str(fields["name"] or "").strip():
        out.append(Violation("NAME_REQUIRED", "A contact needs a name.", ("name",)))
    email = fields.get("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        out.append(Violation("INVALID_EMAIL", "Not an email address.", ("email",)))
    return out
