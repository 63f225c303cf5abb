"""Partner records and their lifecycle (P1, P2): create, apply, update, authorize, deny,
tracks, the PSP designation, and the agreement and training records behind eligibility.

Program managers are admins and the channel managers of the partner's region. Every
status, track and PSP change is kept in `PartnerChange` with who and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from partners.accounts.enums import AccountType
from partners.accounts.tables import Account, Contact
from partners.infra import mail
from partners.infra.clock import now
from partners.infra.db import lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.infra.events import publish
from partners.money.currencies import currency_of_country
from partners.opportunities import team as opportunity_team
from partners.opportunities.reseller import RuleSet
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.people.principal import Principal
from partners.people.scoping import partner_scope, scoped
from partners.people.tables import Partner
from partners.program import profile
from partners.program.eligibility import trained_people
from partners.program.enums import PartnerChangeKind, TrainingCourse
from partners.program.events import PartnerDenied
from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining

PROGRAM_MANAGERS = (Role.ADMIN, Role.CHANNEL_MANAGER)
# P1: SELECT and SELECT_SERVICES are by invitation only.
INVITATION_TRACKS = frozenset({PartnerTrack.SELECT, PartnerTrack.SELECT_SERVICES})
# Which status each decision comes from (P1).
AUTHORIZABLE = frozenset({PartnerStatus.PROSPECT, PartnerStatus.DENIED})
DENIABLE = frozenset({PartnerStatus.PROSPECT, PartnerStatus.AUTHORIZED})

LIMITS = {"name": 200, "nickname": 40, "city": 100, "website": 200, "reason": 2000, "version": 40,
          "signerName": 200, "signerEmail": 254, "personName": 200, "personEmail": 254, "contactName": 200,
          "contactEmail": 254, "contactTitle": 200}
COUNTRY = re.compile(r"^[A-Z]{2}$")
NICKNAME = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PartnerFields:
    """What a new partner is created with (staff) or applies with (self-service)."""

    name: str
    partner_type: PartnerType = PartnerType.RESELLER
    region: Region = Region.AMER
    country: str = "US"
    city: str = ""
    website: str = ""
    nickname: str = ""


@dataclass(frozen=True)
class ApplicantContact:
    name: str
    email: str
    title: str = ""


# ---------------------------------------------------------------- pure rules


def text_violations(values: dict[str, Any], required: tuple[str, ...] = (), rule: str = "P1") -> list[Violation]:
    """Length limits of free text, and the fields that may not be blank. TOO_LONG carries the
    rule of the record the text belongs to: P1 (a partner, its status and track, its people),
    P2 (the agreement and training records behind eligibility)."""
    violations = []
    for name, value in values.items():
        if value is None:
            continue
        if name in required and not str(value).strip():
            violations.append(Violation("REQUIRED", f"{name} is required.", (name,)))
        elif len(str(value)) > LIMITS.get(name, 10_000):
            violations.append(Violation("TOO_LONG", f"{name} has at most {LIMITS.get(name, 10_000)} characters.",
                                        (name,), rule))
    return violations


def field_violations(values: dict[str, Any]) -> list[Violation]:
    """Formats of a partner's fields (only those given)."""
    violations = text_violations({k: v for k, v in values.items() if k in LIMITS},
                                 required=("name",) if "name" in values else ())
    country = values.get("country")
    if country is not None and not COUNTRY.match(country):
        violations.append(Violation("INVALID_COUNTRY", "A country is an ISO 3166-1 alpha-2 code, e.g. DE.",
                                    ("country",)))
    nickname = values.get("nickname")
    if nickname and not NICKNAME.match(nickname):
        violations.append(Violation("INVALID_NICKNAME", "A nickname is capital letters, digits, '-' or '_' (R2).",
                                    ("nickname",), "R2"))
    return violations


def email_violation(email: str, field: str) -> Violation | None:
    if not EMAIL.match(email or ""):
        return Violation("INVALID_EMAIL", "Give a valid email address.", (field,))
    return None


def manager_violation(principal: Principal, region: Region, field: str = "id") -> Violation | None:
    """P1: admins, or channel managers of the partner's region, manage a partner's program."""
    if principal.is_admin or region in principal.regions:
        return None
    return Violation("NOT_REGION_MANAGER",
                     f"Only channel managers of {region.value} (or admins) manage this partner.", (field,), "P1")


def track_violations(partner: dict, track: PartnerTrack, reason: str) -> list[Violation]:
    """P1: a track change needs a reason; the invitation-only tracks go to AUTHORIZED partners."""
    violations = []
    if PartnerTrack(partner["track"]) is track:
        violations.append(Violation("NO_CHANGE", f"The partner is already on the {track.value} track.",
                                    ("track",), "P1"))
    if not reason.strip():
        violations.append(Violation("REASON_REQUIRED", "Say why the track changes.", ("reason",), "P1"))
    if track in INVITATION_TRACKS and partner["status"] != PartnerStatus.AUTHORIZED.value:
        violations.append(Violation("PARTNER_NOT_AUTHORIZED",
                                    f"{track.value} is by invitation, for AUTHORIZED partners only.", ("track",), "P1"))
    return violations


def status_violation(current: PartnerStatus, target: PartnerStatus) -> Violation | None:
    allowed = AUTHORIZABLE if target is PartnerStatus.AUTHORIZED else DENIABLE
    if current in allowed:
        return None
    return Violation("INVALID_STATUS_CHANGE", f"A {current.value} partner cannot become {target.value}.",
                     ("id",), "P1")


def agreement_violations(version: str, signed_on: date, signer_name: str, signer_email: str, today: date
                         ) -> list[Violation]:
    violations = text_violations({"version": version, "signerName": signer_name, "signerEmail": signer_email},
                                 required=("version", "signerName"), rule="P2")
    if signed_on > today:
        violations.append(Violation("DATE_IN_FUTURE", "An agreement is recorded once signed.", ("signedOn",), "P2"))
    if signer_email and (v := email_violation(signer_email, "signerEmail")):
        violations.append(v)
    return violations


def training_violations(person_name: str, person_email: str, completed_on: date, expires_on: date | None,
                        today: date) -> list[Violation]:
    violations = text_violations({"personName": person_name, "personEmail": person_email},
                                 required=("personName", "personEmail"), rule="P2")
    if person_email.strip() and (v := email_violation(person_email.strip(), "personEmail")):
        violations.append(v)
    if completed_on > today:
        violations.append(Violation("DATE_IN_FUTURE", "A training is recorded once completed.",
                                    ("completedOn",), "P2"))
    if expires_on is not None and expires_on < completed_on:
        violations.append(Violation("EXPIRES_BEFORE_COMPLETION", "A completion cannot expire before it happened.",
                                    ("expiresOn",), "P2"))
    return violations


def _raise(violations: list[Violation]) -> None:
    if violations:
        raise DomainError(violations)


# ---------------------------------------------------------------- reads


async def get_visible(principal: Principal | None, partner_id: int, field: str = "id") -> dict:
    row = await scoped(Partner.select(), partner_scope(principal)).where(Partner.id == partner_id).first()
    if row is None:
        raise NotFound.of("Partner", field)
    return row


async def _open_for_write(principal: Principal, partner_id: int, field: str = "id") -> dict:
    """The partner as this write changes it: visible, managed by the caller (P1), row-locked."""
    require_roles(principal, *PROGRAM_MANAGERS)
    await get_visible(principal, partner_id, field)
    await lock_for_update(Partner, partner_id)
    row = await Partner.select().where(Partner.id == partner_id).first()
    if row is None:
        raise NotFound.of("Partner", field)
    _raise([v] if (v := manager_violation(principal, Region(row["region"]), field)) else [])
    return row


# The program's other write modules (partners.program.records, .profile) open partners the same way.
open_for_write = _open_for_write


async def _record(partner_id: int, kind: PartnerChangeKind, old: str, new: str, reason: str,
                  principal: Principal | None, at: datetime) -> None:
    await PartnerChange(partner=partner_id, kind=kind.value, from_value=old, to_value=new, reason=reason.strip(),
                        changed_by=principal.user_id if principal else None, changed_at=at).save()


async def _nickname_taken(nickname: str, except_id: int | None = None) -> bool:
    condition = Partner.nickname == nickname
    if except_id is not None:
        condition &= Partner.id != except_id
    return bool(nickname) and await Partner.exists().where(condition)


async def _insert(fields: PartnerFields, at: datetime) -> dict:
    partner = Partner(name=fields.name.strip(), nickname=fields.nickname.strip(),
                      partner_type=fields.partner_type.value, track=PartnerTrack.OPEN.value,
                      status=PartnerStatus.PROSPECT.value, region=fields.region.value,
                      country=fields.country.strip().upper(), city=fields.city.strip(),
                      website=fields.website.strip(), created_at=at)
    await partner.save()
    return await Partner.select().where(Partner.id == partner.id).first()


def _field_values(fields: PartnerFields) -> dict[str, Any]:
    return {"name": fields.name, "nickname": fields.nickname.strip(), "country": fields.country.strip().upper(),
            "city": fields.city, "website": fields.website}


# ---------------------------------------------------------------- writes


async def create_partner(principal: Principal, fields: PartnerFields) -> dict:
    """A PROSPECT on the OPEN track (P1), created by a program manager of its region."""
    require_roles(principal, *PROGRAM_MANAGERS)
    fields = PartnerFields(**{**fields.__dict__, "nickname": fields.nickname.strip().upper()})
    violations = field_violations(_field_values(fields))
    if v := manager_violation(principal, fields.region, "region"):
        violations.append(v)
    _raise(violations)
    async with transaction():
        if await _nickname_taken(fields.nickname.strip()):
            raise DomainError.single("NICKNAME_TAKEN", "Another partner has this nickname (R2).", "nickname", "R2")
        at = now()
        row = await _insert(fields, at)
        await _record(row["id"], PartnerChangeKind.STATUS, "", PartnerStatus.PROSPECT.value, "Created.", principal, at)
        return row


async def apply_as_partner(fields: PartnerFields, contact: ApplicantContact) -> dict:
    """Self-service (anonymous): a PROSPECT with its own channel account and the applicant
    as its contact (A5); the applicant gets a confirmation email. Nothing of other partners
    is read or told (no nickname: staff give one)."""
    fields = PartnerFields(**{**fields.__dict__, "nickname": ""})
    violations = field_violations(_field_values(fields))
    violations += text_violations({"contactName": contact.name, "contactEmail": contact.email,
                                   "contactTitle": contact.title}, required=("contactName", "contactEmail"))
    violations = [Violation(v.code, v.message, ("contact", v.field[0][len("contact"):].lower()), v.rule)
                  if v.field and v.field[0].startswith("contact") else v for v in violations]
    if contact.email.strip() and (v := email_violation(contact.email.strip(), "email")):
        violations.append(Violation(v.code, v.message, ("contact", "email")))
    _raise(violations)
    async with transaction():
        at = now()
        row = await _insert(fields, at)
        account = Account(name=row["name"], website=row["website"], account_type=AccountType.PROSPECTIVE_RESELLER.value,
                          region=row["region"], country=row["country"],
                          currency=currency_of_country(row["country"]), partner=row["id"], created_at=at)
        await account.save()
        await Account.update({Account.ultimate_parent: account.id}).where(Account.id == account.id)
        await Contact(account=account.id, name=contact.name.strip(), email=contact.email.strip().lower(),
                      title=contact.title.strip(), created_at=at).save()
        await _record(row["id"], PartnerChangeKind.STATUS, "", PartnerStatus.PROSPECT.value,
                      f"Applied by {contact.name.strip()}.", None, at)
        await mail.enqueue_email(
            contact.email.strip().lower(), f"Your partner application: {row['name']}",
            f"Hello {contact.name.strip()},\n\nwe received the application of {row['name']} to the partner "
            "program. A channel manager of your region will review it and tell you the decision.\n",
            dedupe_key=f"partner-application:{row['id']}")
        return row


UPDATABLE = ("name", "nickname", "partner_type", "region", "country", "city", "website", "published")


async def update_partner(principal: Principal, partner_id: int, changes: dict[str, Any]) -> dict:
    """Profile fields, the locator's `published` flag and the directory profile (issue 34,
    partners.program.profile); a move to another region needs a manager of both regions."""
    directory = profile.normalized(changes)
    changes = {k: v for k, v in changes.items() if k in UPDATABLE}
    given = {k: (v.strip().upper() if k in ("country", "nickname") else v) for k, v in changes.items()
             if isinstance(v, str)}
    violations = field_violations(given)
    if "country" in given and COUNTRY.match(given["country"]) and not profile.is_country(given["country"]):
        violations.append(Violation("INVALID_COUNTRY", f"{given['country']!r} is not an ISO 3166-1 alpha-2 country "
                                    "code such as DE.", ("country",)))
    _raise(violations + profile.profile_violations(directory))
    async with transaction():
        row = await _open_for_write(principal, partner_id)
        if "region" in changes and (v := manager_violation(principal, Region(changes["region"]), "region")):
            raise DomainError([v])
        if "nickname" in given and await _nickname_taken(given["nickname"], partner_id):
            raise DomainError.single("NICKNAME_TAKEN", "Another partner has this nickname (R2).", "nickname", "R2")
        values = {}
        for key, value in changes.items():
            value = given.get(key, value)
            value = value.value if hasattr(value, "value") else value
            values[getattr(Partner, key)] = value.strip() if isinstance(value, str) else value
        if values:
            await Partner.update(values).where(Partner.id == row["id"])
        if directory or "region" in changes or "country" in changes:
            await profile.write(await Partner.select().where(Partner.id == row["id"]).first(), directory)
        return await Partner.select().where(Partner.id == row["id"]).first()


async def authorize_partner(principal: Principal, rules: RuleSet, partner_id: int, reason: str = "") -> dict:
    """P1: the partner may now register deals (once eligible, P2) and is listed in the locator.
    The open teams it is on as an unofficial partner are settled again: an authorized reseller
    there needs a primary (R7), which may now be it (R8; the name follows, R2)."""
    _raise(text_violations({"reason": reason}))
    async with transaction():
        row = await _open_for_write(principal, partner_id)
        _raise([v] if (v := status_violation(PartnerStatus(row["status"]), PartnerStatus.AUTHORIZED)) else [])
        at = now()
        await Partner.update({Partner.status: PartnerStatus.AUTHORIZED.value}).where(Partner.id == partner_id)
        await _record(partner_id, PartnerChangeKind.STATUS, row["status"], PartnerStatus.AUTHORIZED.value, reason,
                      principal, at)
        await opportunity_team.resettle_open_teams(principal, rules, partner_id, "authorizePartner")
        return await Partner.select().where(Partner.id == partner_id).first()


async def deny_partner(principal: Principal, rules: RuleSet, partner_id: int, reason: str) -> dict:
    """P1: a DENIED partner no longer registers, quotes or appears in the locator; its live
    registrations end (approved ones dissolved with the others reconsidered, P5; the rest
    closed, P6), the leads it holds are recalled (P11) and every open team it is still on is
    settled again without it as primary (R6, R8; the name follows, R2), in the same transaction."""
    violations = text_violations({"reason": reason})
    if not (reason or "").strip():
        violations.append(Violation("REASON_REQUIRED", "Say why the partner is denied.", ("reason",), "P1"))
    _raise(violations)
    async with transaction():
        row = await _open_for_write(principal, partner_id)
        _raise([v] if (v := status_violation(PartnerStatus(row["status"]), PartnerStatus.DENIED)) else [])
        at = now()
        await Partner.update({Partner.status: PartnerStatus.DENIED.value}).where(Partner.id == partner_id)
        await _record(partner_id, PartnerChangeKind.STATUS, row["status"], PartnerStatus.DENIED.value, reason,
                      principal, at)
        # Registrations end (P5, P6: an approved one takes the registrant's place off its team)
        # and held leads are recalled (P11) by their domains' subscribers; then the open teams
        # it is still on are settled again: it is primary on none (R6, R8, R2).
        await publish(PartnerDenied(principal, rules, partner_id, reason.strip(), at))
        await opportunity_team.resettle_open_teams(principal, rules, partner_id, "denyPartner", drop_choice=True)
        return await Partner.select().where(Partner.id == partner_id).first()


async def change_track(principal: Principal, partner_id: int, track: PartnerTrack, reason: str) -> dict:
    """P1: SELECT and SELECT_SERVICES by invitation only — an admin or a channel manager of
    the region moves the partner, with a reason; the history keeps each move."""
    _raise(text_violations({"reason": reason}))
    async with transaction():
        row = await _open_for_write(principal, partner_id)
        _raise(track_violations(row, track, reason or ""))
        await Partner.update({Partner.track: track.value}).where(Partner.id == partner_id)
        await _record(partner_id, PartnerChangeKind.TRACK, row["track"], track.value, reason, principal, now())
        return await Partner.select().where(Partner.id == partner_id).first()


async def set_psp(principal: Principal, partner_id: int, is_psp: bool, reason: str = "") -> dict:
    """P1: the professional services partner designation."""
    _raise(text_violations({"reason": reason}))
    async with transaction():
        row = await _open_for_write(principal, partner_id)
        if row["is_psp"] == is_psp:
            raise DomainError.single("NO_CHANGE", f"The PSP designation is already {'on' if is_psp else 'off'}.",
                                     "isPsp", "P1")
        await Partner.update({Partner.is_psp: is_psp}).where(Partner.id == partner_id)
        await _record(partner_id, PartnerChangeKind.PSP, str(row["is_psp"]).lower(), str(is_psp).lower(), reason,
                      principal, now())
        return await Partner.select().where(Partner.id == partner_id).first()


async def record_agreement(principal: Principal, partner_id: int, *, version: str, signed_on: date,
                           signer_name: str, signer_email: str = "") -> dict:
    """P2: the signed partner agreement (date, version, signer)."""
    _raise(agreement_violations(version, signed_on, signer_name, signer_email.strip(), now().date()))
    async with transaction():
        row = await _open_for_write(principal, partner_id, "partnerId")
        agreement = PartnerAgreement(partner=partner_id, version=version.strip(), signed_on=signed_on,
                                     signer_name=signer_name.strip(), signer_email=signer_email.strip().lower(),
                                     recorded_by=principal.user_id, recorded_at=now())
        await agreement.save()
        signed_at = datetime.combine(signed_on, time(), tzinfo=timezone.utc)
        if row["agreement_signed_at"] is None or row["agreement_signed_at"] < signed_at:
            # Kept for the directory and reports; eligibility reads the records.
            await Partner.update({Partner.agreement_signed_at: signed_at}).where(Partner.id == partner_id)
        return await PartnerAgreement.select().where(PartnerAgreement.id == agreement.id).first()


async def record_training(principal: Principal, partner_id: int, *, person_name: str, person_email: str,
                          course: TrainingCourse, completed_on: date, expires_on: date | None = None) -> dict:
    """P2: one person's completion of one course."""
    today = now().date()
    _raise(training_violations(person_name, person_email, completed_on, expires_on, today))
    async with transaction():
        await _open_for_write(principal, partner_id, "partnerId")
        training = PartnerTraining(partner=partner_id, person_name=person_name.strip(),
                                   person_email=person_email.strip().lower(), course=course.value,
                                   completed_on=completed_on, expires_on=expires_on,
                                   recorded_by=principal.user_id, recorded_at=now())
        await training.save()
        rows = await PartnerTraining.select().where(PartnerTraining.partner == partner_id)
        await Partner.update({Partner.trained_employees: trained_people(rows, today)}).where(Partner.id == partner_id)
        return await PartnerTraining.select().where(PartnerTraining.id == training.id).first()
