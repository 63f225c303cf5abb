"""Reseller opportunities (R1–R8): what the rule plugins see, and how they are asked.

Plugins never see Piccolo rows or GraphQL types: an opportunity is handed to them as an
`OpportunitySnapshot`, a plain frozen dataclass of the opportunity *as it will be after
the write* (loaded inside the write's transaction, after the write's statements). Every
write touching an opportunity, its partners or its contacts ends with `validate`:

- every `cosell_validate_opportunity` implementation runs; their `Violation`s are
  collected and any of them raises `DomainError`, so the transaction rolls back;
- a plugin that raises surfaces as `plugins.manager.PluginFailure` (also a rollback).

`choose_primary` asks `cosell_primary_partner` (firstresult) who is primary and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from partners.accounts.enums import AccountType
from partners.infra.errors import DomainError, Violation
from partners.opportunities.enums import ContactRole, OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.opportunities.tables import Opportunity, OpportunityContact, OpportunityPartner
from partners.people.enums import PartnerStatus, Role
from partners.people.principal import Principal

# R1: channel-type accounts (A5); an account linked to a partner is a partner organisation.
CHANNEL_ACCOUNT_TYPES = frozenset({AccountType.RESELLER, AccountType.PROSPECTIVE_RESELLER, AccountType.INTEGRATOR})


@dataclass(frozen=True)
class TeamPartner:
    """A partner on the opportunity's team (R5)."""

    partner_id: int
    name: str
    nickname: str
    status: PartnerStatus
    role: OpportunityPartnerRole
    is_primary: bool = False
    # The user who made this partner primary explicitly ("" when nobody did).
    chosen_by: str = ""
    added_at: datetime | None = None

    @property
    def authorized(self) -> bool:
        return self.status is PartnerStatus.AUTHORIZED

    @property
    def resells(self) -> bool:
        """Takes part in the sale (R2, R6, R7): every team role but INFLUENCER."""
        return self.role is not OpportunityPartnerRole.INFLUENCER

    @property
    def name_prefix(self) -> str:
        """R2: `P4 - Acme, Inc- 50 Premium`."""
        return f"{self.nickname or self.name} - "


@dataclass(frozen=True)
class TeamContact:
    """A contact on the opportunity, with the account it belongs to."""

    contact_id: int
    name: str
    account_id: int
    # Set when the contact's account is a partner organisation: a reseller's contact (R3, R4).
    partner_id: int | None
    role: ContactRole
    is_primary: bool


@dataclass(frozen=True)
class OpportunitySnapshot:
    id: int
    name: str
    opportunity_type: OpportunityType
    stage: OpportunityStage
    account_id: int
    account_name: str
    account_type: AccountType
    # The partner whose own organisation this account is, if any (R1).
    account_partner_id: int | None
    partners: tuple[TeamPartner, ...] = ()
    contacts: tuple[TeamContact, ...] = ()

    @property
    def primary_partners(self) -> tuple[TeamPartner, ...]:
        return tuple(p for p in self.partners if p.is_primary)

    @property
    def primary_contacts(self) -> tuple[TeamContact, ...]:
        return tuple(c for c in self.contacts if c.is_primary)

    @property
    def authorized_resellers(self) -> tuple[TeamPartner, ...]:
        return tuple(p for p in self.partners if p.resells and p.authorized)

    def partner(self, partner_id: int) -> TeamPartner | None:
        return next((p for p in self.partners if p.partner_id == partner_id), None)


@dataclass(frozen=True)
class ValidationContext:
    """Who writes, through which operation, and which built-in rules are switched off."""

    operation: str
    user_id: int | None = None
    user_role: Role | None = None
    disabled_rules: frozenset[str] = frozenset()

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled_rules


@dataclass(frozen=True)
class PrimaryChoice:
    """The answer of `cosell_primary_partner`: who is primary, and why (`primaryReason`)."""

    partner: TeamPartner
    reason: str


@dataclass(frozen=True)
class RuleSet:
    """The plugin manager and the settings the rules run with, for one request."""

    plugins: Any
    disabled_rules: frozenset[str] = field(default_factory=frozenset)


# ---------------------------------------------------------------- loading (batched)


async def load_snapshots(opportunity_ids: Iterable[int]) -> dict[int, OpportunitySnapshot]:
    """Snapshots of these opportunities in three statements, whatever their number."""
    ids = sorted(set(opportunity_ids))
    if not ids:
        return {}
    opps = await Opportunity.select(
        Opportunity.id, Opportunity.name, Opportunity.opportunity_type, Opportunity.stage, Opportunity.account,
        Opportunity.account.name.as_alias("account_name"),
        Opportunity.account.account_type.as_alias("account_type"),
        Opportunity.account.partner.as_alias("account_partner"),
    ).where(Opportunity.id.is_in(ids))
    team = await OpportunityPartner.select(
        OpportunityPartner.opportunity, OpportunityPartner.partner, OpportunityPartner.role,
        OpportunityPartner.is_primary, OpportunityPartner.primary_chosen_by, OpportunityPartner.created_at,
        OpportunityPartner.partner.name.as_alias("partner_name"),
        OpportunityPartner.partner.nickname.as_alias("partner_nickname"),
        OpportunityPartner.partner.status.as_alias("partner_status"),
    ).where(OpportunityPartner.opportunity.is_in(ids)).order_by(OpportunityPartner.id)
    contacts = await OpportunityContact.select(
        OpportunityContact.opportunity, OpportunityContact.contact, OpportunityContact.role,
        OpportunityContact.is_primary,
        OpportunityContact.contact.name.as_alias("contact_name"),
        OpportunityContact.contact.account.as_alias("contact_account"),
        OpportunityContact.contact.account.partner.as_alias("contact_partner"),
    ).where(OpportunityContact.opportunity.is_in(ids)).order_by(OpportunityContact.id)
    partners_of: dict[int, list[TeamPartner]] = {}
    for r in team:
        partners_of.setdefault(r["opportunity"], []).append(TeamPartner(
            partner_id=r["partner"], name=r["partner_name"], nickname=r["partner_nickname"] or "",
            status=PartnerStatus(r["partner_status"]), role=OpportunityPartnerRole(r["role"]),
            is_primary=bool(r["is_primary"]), chosen_by=r["primary_chosen_by"] or "", added_at=r["created_at"],
        ))
    contacts_of: dict[int, list[TeamContact]] = {}
    for r in contacts:
        contacts_of.setdefault(r["opportunity"], []).append(TeamContact(
            contact_id=r["contact"], name=r["contact_name"], account_id=r["contact_account"],
            partner_id=r["contact_partner"], role=ContactRole(r["role"]), is_primary=bool(r["is_primary"]),
        ))
    return {
        o["id"]: OpportunitySnapshot(
            id=o["id"], name=o["name"], opportunity_type=OpportunityType(o["opportunity_type"]),
            stage=OpportunityStage(o["stage"]), account_id=o["account"], account_name=o["account_name"],
            account_type=AccountType(o["account_type"]), account_partner_id=o["account_partner"],
            partners=tuple(partners_of.get(o["id"], ())), contacts=tuple(contacts_of.get(o["id"], ())),
        )
        for o in opps
    }


async def load_snapshot(opportunity_id: int) -> OpportunitySnapshot:
    return (await load_snapshots([opportunity_id]))[opportunity_id]


# ---------------------------------------------------------------- asking the plugins


async def violations_of(rules: RuleSet, snapshot: OpportunitySnapshot, context: ValidationContext) -> list[Violation]:
    """Every `cosell_validate_opportunity` implementation's violations, collected (an
    `async def` implementation is awaited, issue 41)."""
    results = await rules.plugins.acall("cosell_validate_opportunity", opportunity=snapshot, context=context)
    violations = [v for result in results for v in (result or ())]
    wrong = [v for v in violations if not isinstance(v, Violation)]
    if wrong:
        raise TypeError(f"cosell_validate_opportunity must return partners.infra.errors.Violation items, got {wrong[0]!r}")
    return violations


def context_for(rules: RuleSet, principal: Principal | None, operation: str) -> ValidationContext:
    return ValidationContext(
        operation=operation, user_id=principal.user_id if principal else None,
        user_role=principal.role if principal else None, disabled_rules=rules.disabled_rules,
    )


async def validate(rules: RuleSet, principal: Principal | None, opportunity_id: int, operation: str,
                   snapshot: OpportunitySnapshot | None = None) -> None:
    """Refuse the write (DomainError: the caller's transaction rolls back) on any violation."""
    snapshot = snapshot or await load_snapshot(opportunity_id)
    violations = await violations_of(rules, snapshot, context_for(rules, principal, operation))
    if violations:
        raise DomainError(violations)


async def validate_all(rules: RuleSet, principal: Principal | None, opportunity_ids: Iterable[int],
                       operation: str) -> None:
    """`validate` for several opportunities (e.g. of an account whose type changed), batched."""
    context = context_for(rules, principal, operation)
    snapshots = await load_snapshots(opportunity_ids)
    violations = [v for snapshot in snapshots.values() for v in await violations_of(rules, snapshot, context)]
    if violations:
        raise DomainError(list(dict.fromkeys(violations)))


def choose_primary(rules: RuleSet, snapshot: OpportunitySnapshot) -> PrimaryChoice | None:
    """`cosell_primary_partner`: the first plugin that answers decides (R8 built-in last)."""
    if not snapshot.partners:
        return None
    choice = rules.plugins.hook.cosell_primary_partner(opportunity=snapshot, partners=list(snapshot.partners))
    if choice is None:
        return None
    if not isinstance(choice, PrimaryChoice) or snapshot.partner(choice.partner.partner_id) is None:
        raise TypeError(f"cosell_primary_partner must return a PrimaryChoice of a partner on the team, got {choice!r}")
    return choice
