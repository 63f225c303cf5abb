"""The discount policy as data (issue 7: D5, D6, P7, P9, P10), in versions with effective
date ranges.

A version applies on the days [effective_from, effective_to) (an open end: until
replaced). Versions never overlap, and a quote dated D is computed with the version in
effect on D (`policy_on`), so a change never rewrites history:

- editing the policy = adding a version; the open-ended version in effect on its start
  is closed on that day (nothing else about it changes);
- a version may not start on or before today when a version already applied to any of
  those days (a quote dated today may already have been given): the earliest change is
  tomorrow. Before any policy existed there is no history, so the first version may start
  in the past.

Percentages are stored as percent (15.0 = 15 %), exact `Decimal`s from input to quote
(issue 40). Only administrators add versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from partners.discounts.tables import DiscountPocRate, DiscountPolicy, DiscountProgramRate
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, Violation, require_roles
from partners.infra.prepared import PreparedQuery
from partners.money import to_decimal
from partners.people.enums import PartnerTrack, Role
from partners.people.principal import Principal
from partners.registrations.enums import DealRegistrationType

EDITORS = (Role.ADMIN,)
# D5: the registration types that earn a program discount; services attach earns P9's.
PROGRAM_TYPES = (DealRegistrationType.RESALE, DealRegistrationType.REFERRAL, DealRegistrationType.MSP)


@dataclass(frozen=True)
class PocRate:
    """D6: a band of the Paid POC matrix (users inclusive)."""

    min_users: int
    max_users: int
    rate: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", to_decimal(self.rate))  # a float by its repr (older callers)


# The seeds' figures, the defaults of a new policy version: P9 (2.5 % per services-attach
# engagement, up to 3 in 12 months), D6 (a Paid POC is 12 months minimum, 5–20 users), P10
# (no distributor margin unless the policy sets one).
SERVICES_ATTACH_RATE = Decimal("2.5")
SERVICES_ATTACH_MAX_ENGAGEMENTS = 3
SERVICES_ATTACH_WINDOW_MONTHS = 12
DISTRIBUTOR_MARGIN_RATE = Decimal("0")
POC_MIN_MONTHS = 12
POC_MIN_USERS = 5
POC_MAX_USERS = 20


@dataclass(frozen=True)
class ProgramRate:
    track: PartnerTrack
    registration_type: DealRegistrationType
    rate: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", to_decimal(self.rate))  # a float by its repr (older callers)


@dataclass(frozen=True)
class PolicySnapshot:
    """One policy version, as the quote rules and plugins see it (plain data)."""

    id: int
    effective_from: date
    effective_to: date | None
    co_sell_rate: Decimal
    program_rates: tuple[ProgramRate, ...]
    services_attach_rate: Decimal = SERVICES_ATTACH_RATE
    services_attach_max_engagements: int = SERVICES_ATTACH_MAX_ENGAGEMENTS
    services_attach_window_months: int = SERVICES_ATTACH_WINDOW_MONTHS
    distributor_margin_rate: Decimal = DISTRIBUTOR_MARGIN_RATE
    poc_min_months: int = POC_MIN_MONTHS
    poc_min_users: int = POC_MIN_USERS
    poc_max_users: int = POC_MAX_USERS
    poc_rates: tuple[PocRate, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        for name in ("co_sell_rate", "services_attach_rate", "distributor_margin_rate"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def program_rate(self, track: PartnerTrack, registration_type: DealRegistrationType) -> Decimal | None:
        """D5: the program discount of a track for a registration type."""
        return next((r.rate for r in self.program_rates
                     if r.track is track and r.registration_type is registration_type), None)

    def poc_rate(self, users: int) -> Decimal | None:
        """D6: the matrix rate for a Paid POC of `users` users."""
        return next((b.rate for b in self.poc_rates if b.min_users <= users <= b.max_users), None)

    @property
    def services_attach_cap(self) -> Decimal:
        """P9: 2.5 % per engagement, stackable up to 3 engagements: exactly 7.5 % at most."""
        return self.services_attach_rate * self.services_attach_max_engagements


def policy_on(policies: list[PolicySnapshot], day: date) -> PolicySnapshot | None:
    return next((p for p in policies if p.applies_on(day)), None)


# ---------------------------------------------------------------- pure rules of a new version


@dataclass(frozen=True)
class PolicyInput:
    effective_from: date
    co_sell_rate: Decimal
    program_rates: list[ProgramRate]
    effective_to: date | None = None
    services_attach_rate: Decimal = SERVICES_ATTACH_RATE
    services_attach_max_engagements: int = SERVICES_ATTACH_MAX_ENGAGEMENTS
    services_attach_window_months: int = SERVICES_ATTACH_WINDOW_MONTHS
    distributor_margin_rate: Decimal = DISTRIBUTOR_MARGIN_RATE
    poc_min_months: int = POC_MIN_MONTHS
    poc_min_users: int = POC_MIN_USERS
    poc_max_users: int = POC_MAX_USERS
    poc_rates: list[PocRate] = field(default_factory=list)
    notes: str = ""

    def __post_init__(self) -> None:
        # Exact percentages (issue 40); a float (the demo data, deprecated API inputs) by its repr.
        for name in ("co_sell_rate", "services_attach_rate", "distributor_margin_rate"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))


def _percent(value: Decimal, field_path: tuple[str, ...], rule: str) -> Violation | None:
    if not 0 <= value <= 100:
        return Violation("RATE_OUT_OF_RANGE", f"A rate is a percentage from 0 to 100 (got {value}).", field_path, rule)
    return None


def input_violations(p: PolicyInput) -> list[Violation]:
    """Rates 0–100, a complete program matrix (every track × RESALE/REFERRAL/MSP, once),
    sane services-attach stacking (P9), Paid POC rules and non-overlapping bands (D6)."""
    found: list[Violation | None] = [
        _percent(p.co_sell_rate, ("coSellRate",), "P7"),
        _percent(p.services_attach_rate, ("servicesAttachRate",), "P9"),
        _percent(p.distributor_margin_rate, ("distributorMarginRate",), "P10"),
    ]
    seen: set[tuple[PartnerTrack, DealRegistrationType]] = set()
    for i, r in enumerate(p.program_rates):
        path = ("programRates", str(i))
        found.append(_percent(r.rate, (*path, "rate"), "D5"))
        if r.registration_type not in PROGRAM_TYPES:
            found.append(Violation("NOT_A_PROGRAM_TYPE", "Services attach earns the P9 rate, not a program rate.",
                                   (*path, "registrationType"), "P9"))
        elif (r.track, r.registration_type) in seen:
            found.append(Violation("DUPLICATE_RATE", f"{r.track.value} × {r.registration_type.value} is given twice.",
                                   path, "D5"))
        seen.add((r.track, r.registration_type))
    missing = [f"{t.value} × {k.value}" for t in PartnerTrack for k in PROGRAM_TYPES if (t, k) not in seen]
    if missing:
        found.append(Violation("MISSING_RATE", "Give a program rate for every track and registration type; missing: "
                               + ", ".join(missing) + ".", ("programRates",), "D5"))
    if p.services_attach_max_engagements < 1:
        found.append(Violation("INVALID_STACKING", "At least one services-attach engagement counts.",
                               ("servicesAttachMaxEngagements",), "P9"))
    if p.services_attach_window_months < 1:
        found.append(Violation("INVALID_STACKING", "The stacking window is at least one month.",
                               ("servicesAttachWindowMonths",), "P9"))
    if p.services_attach_rate * max(p.services_attach_max_engagements, 1) > 100:
        found.append(Violation("RATE_OUT_OF_RANGE", "The stacked services-attach rate would exceed 100 %.",
                               ("servicesAttachMaxEngagements",), "P9"))
    if p.poc_min_months < 1:
        found.append(Violation("INVALID_POC_RULES", "A Paid POC lasts at least one month.", ("pocMinMonths",), "D6"))
    if not 1 <= p.poc_min_users <= p.poc_max_users:
        found.append(Violation("INVALID_POC_RULES", "Paid POC users: 1 ≤ minimum ≤ maximum.", ("pocMinUsers",), "D6"))
    bands = sorted(enumerate(p.poc_rates), key=lambda item: item[1].min_users)
    for position, (i, band) in enumerate(bands):
        path = ("pocRates", str(i))
        found.append(_percent(band.rate, (*path, "rate"), "D6"))
        if band.min_users > band.max_users or band.min_users < p.poc_min_users or band.max_users > p.poc_max_users:
            found.append(Violation("INVALID_POC_BAND", f"A band lies within {p.poc_min_users}–{p.poc_max_users} users, "
                                   "minimum ≤ maximum.", path, "D6"))
        if position and bands[position - 1][1].max_users >= band.min_users:
            found.append(Violation("POC_BANDS_OVERLAP", "Paid POC bands may not overlap.", path, "D6"))
    if p.effective_to is not None and p.effective_to <= p.effective_from:
        found.append(Violation("INVALID_RANGE", "effectiveTo is after effectiveFrom (the range ends before it).",
                               ("effectiveTo",), "D5"))
    return [v for v in found if v is not None]


@dataclass(frozen=True)
class VersionRange:
    id: int
    effective_from: date
    effective_to: date | None


def _intersects(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


def range_violations(start: date, end: date | None, versions: list[VersionRange],
                     today: date) -> tuple[list[Violation], VersionRange | None]:
    """History is fixed and ranges never overlap. Returns the violations and the open-ended
    version that the new one closes (the one in effect on `start`, begun before it)."""
    violations = []
    past_end = today + timedelta(days=1) if end is None else min(end, today + timedelta(days=1))
    if start <= today and any(_intersects(v.effective_from, v.effective_to, start, past_end) for v in versions):
        violations.append(Violation(
            "POLICY_HISTORY_IS_FIXED", "Quotes dated up to today were computed with the policy in effect; a change "
            "starts tomorrow at the earliest.", ("effectiveFrom",), "D5"))
    closing = next((v for v in versions if v.effective_to is None and v.effective_from < start), None)
    for v in versions:
        if v is closing:
            continue
        if _intersects(start, end, v.effective_from, v.effective_to):
            until = v.effective_to.isoformat() if v.effective_to else "open-ended"
            violations.append(Violation(
                "POLICY_RANGES_OVERLAP", f"The range overlaps the policy version of {v.effective_from.isoformat()} "
                f"({until}).", ("effectiveFrom",), "D5"))
            break
    return violations, closing



# ---------------------------------------------------------------- reads and the one write


# Built once (partners/infra/prepared.py): every dashboard's quotes read the policies.
_POLICIES = PreparedQuery(lambda who: DiscountPolicy.select().order_by(DiscountPolicy.effective_from))
_PROGRAM_RATES = PreparedQuery(lambda who: DiscountProgramRate.select().order_by(DiscountProgramRate.id))
_POC_RATES = PreparedQuery(lambda who: DiscountPocRate.select().order_by(DiscountPocRate.min_users))


async def load_policies() -> list[PolicySnapshot]:
    """Every version, oldest first (a small table: three statements whatever the request)."""
    rows = await _POLICIES.run(None)
    if not rows:
        return []
    rates = await _PROGRAM_RATES.run(None)
    bands = await _POC_RATES.run(None)
    return [_snapshot(r, rates, bands) for r in rows]


def _snapshot(row: dict, rates: list[dict], bands: list[dict]) -> PolicySnapshot:
    return PolicySnapshot(
        id=row["id"], effective_from=row["effective_from"], effective_to=row["effective_to"],
        co_sell_rate=row["co_sell_rate"],
        program_rates=tuple(ProgramRate(PartnerTrack(r["track"]), DealRegistrationType(r["registration_type"]),
                                        r["rate"]) for r in rates if r["policy"] == row["id"]),
        services_attach_rate=row["services_attach_rate"],
        services_attach_max_engagements=row["services_attach_max_engagements"],
        services_attach_window_months=row["services_attach_window_months"],
        distributor_margin_rate=row["distributor_margin_rate"], poc_min_months=row["poc_min_months"],
        poc_min_users=row["poc_min_users"], poc_max_users=row["poc_max_users"],
        poc_rates=tuple(PocRate(b["min_users"], b["max_users"], b["rate"]) for b in bands if b["policy"] == row["id"]),
        notes=row["notes"],
    )


async def add_version(principal: Principal | None, p: PolicyInput, today: date | None = None) -> dict:
    """Add a policy version (admins). Refusals: DomainError, nothing written. `principal`
    None is the system (demo data)."""
    if principal is not None:
        require_roles(principal, *EDITORS)
    violations = input_violations(p)
    if violations:
        raise DomainError(violations)
    today = today or now().date()
    async with transaction():
        versions = [VersionRange(r["id"], r["effective_from"], r["effective_to"]) for r in await DiscountPolicy.select(
            DiscountPolicy.id, DiscountPolicy.effective_from, DiscountPolicy.effective_to)]
        violations, closing = range_violations(p.effective_from, p.effective_to, versions, today)
        if violations:
            raise DomainError(violations)
        if closing is not None:
            await DiscountPolicy.update({DiscountPolicy.effective_to: p.effective_from}).where(
                (DiscountPolicy.id == closing.id) & DiscountPolicy.effective_to.is_null())
        row = DiscountPolicy(
            effective_from=p.effective_from, effective_to=p.effective_to, co_sell_rate=p.co_sell_rate,
            services_attach_rate=p.services_attach_rate,
            services_attach_max_engagements=p.services_attach_max_engagements,
            services_attach_window_months=p.services_attach_window_months,
            distributor_margin_rate=p.distributor_margin_rate, poc_min_months=p.poc_min_months,
            poc_min_users=p.poc_min_users, poc_max_users=p.poc_max_users, notes=p.notes.strip(),
            created_by=principal.user_id if principal else None, created_at=now(),
        )
        await row.save()
        await DiscountProgramRate.insert(*[
            DiscountProgramRate(policy=row.id, track=r.track.value, registration_type=r.registration_type.value,
                                rate=r.rate) for r in p.program_rates])
        if p.poc_rates:
            await DiscountPocRate.insert(*[
                DiscountPocRate(policy=row.id, min_users=b.min_users, max_users=b.max_users, rate=b.rate)
                for b in p.poc_rates])
        return await DiscountPolicy.select().where(DiscountPolicy.id == row.id).first()
