"""The partner team of an opportunity (R5–R8): add, remove, choose the primary.

Each write changes the team, then asks `cosell_primary_partner` who is primary now (the
built-in applies R8 and honours an explicit choice), stores the answer and its reason,
and validates the result with every `cosell_validate_opportunity` implementation before
the transaction commits.

An explicit choice (`setPrimaryPartner`, or `isPrimary` when adding) is remembered on
the chosen partner's row (`primary_chosen_by`) until it is cleared or the partner leaves;
`setPrimaryPartner` without a partner clears it and lets the precedence decide again.

`resettle_open_teams` follows a partner's standing (P1): denied, it is primary on no open
team (R6) and each is settled again (R8), its name following the new primary (R2).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from partners.infra import versions
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound
from partners.opportunities import reseller
from partners.opportunities.enums import OpportunityPartnerRole
from partners.opportunities.rules import CLOSED_STAGES
from partners.opportunities.service import get_visible, may_change, open_for_write
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import PartnerStatus
from partners.people.principal import Principal
from partners.people.tables import Partner


def chooser(principal: Principal) -> str:
    return principal.name or principal.email


def aligned_name(name: str, primary: reseller.TeamPartner, former_prefixes: Iterable[str]) -> str:
    """R2: the name with the primary's nickname in front, in place of a former partner's."""
    for prefix in sorted(set(former_prefixes), key=len, reverse=True):
        if prefix != primary.name_prefix and name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name if name.startswith(primary.name_prefix) else primary.name_prefix + name


def without_prefix(name: str, former_prefixes: Iterable[str]) -> str:
    """R2: the name without a former partner's nickname in front (the longest that matches)."""
    for prefix in sorted(set(former_prefixes), key=len, reverse=True):
        if prefix and name.startswith(prefix) and name[len(prefix):].strip():
            return name[len(prefix):]
    return name


async def settle(principal: Principal | None, rules: reseller.RuleSet, opportunity_id: int, operation: str,
                 *, align_name_from: Iterable[str] | None = None, validate: bool = True) -> None:
    """Choose the primary through the hook, store it, then validate the team as written
    (unless `validate` is False: the caller validates the opportunity itself).

    With `align_name_from` (prefixes of partners who were, or may have been, primary), a
    write that is not the owner's own edit — a deal registration approved, dissolved,
    expired or closed — also renames the opportunity after its new authorized primary (R2),
    as a channel manager would have to by hand; with no authorized primary left, a former
    partner's prefix is dropped (R2 then asks for none)."""
    snapshot = await reseller.load_snapshot(opportunity_id)
    choice = reseller.choose_primary(rules, snapshot)
    primary_id = choice.partner.partner_id if choice else None
    if align_name_from is not None:
        if choice and choice.partner.authorized:
            prefixes = [*align_name_from, *(p.name_prefix for p in snapshot.partners)]
            name = aligned_name(snapshot.name, choice.partner, prefixes)
        else:
            name = without_prefix(snapshot.name, align_name_from)
        if name != snapshot.name:
            await Opportunity.update({Opportunity.name: name}).where(Opportunity.id == opportunity_id)
            snapshot = replace(snapshot, name=name)
    await OpportunityPartner.update({OpportunityPartner.is_primary: False}).where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner != primary_id)
        if primary_id is not None else OpportunityPartner.opportunity == opportunity_id
    )
    if primary_id is not None:
        await OpportunityPartner.update({OpportunityPartner.is_primary: True}).where(
            (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == primary_id)
        )
    await Opportunity.update({Opportunity.primary_reason: choice.reason[:200] if choice else ""}).where(
        Opportunity.id == opportunity_id
    )
    if not validate:
        return
    settled = replace(snapshot, partners=tuple(replace(p, is_primary=p.partner_id == primary_id)
                                               for p in snapshot.partners))
    await reseller.validate(rules, principal, opportunity_id, operation, snapshot=settled)


async def _on_team(opportunity_id: int, partner_id: int) -> bool:
    return await _team_place(opportunity_id, partner_id) is not None


async def _team_place(opportunity_id: int, partner_id: int) -> dict | None:
    return await OpportunityPartner.select(OpportunityPartner.role).where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
    ).first()


async def _open_for_change(principal: Principal, opportunity_id: int, name: str | None,
                           expected_version: int | None) -> dict:
    """The opportunity, if the caller sees it (R9) and may change it (owner, SDR, sales ops,
    admin), claimed for this write: a team change is a change of the opportunity (its
    version moves; STALE_VERSION when `expected_version` is no longer current). A new
    `name` is written in the same step: when the primary partner changes, R2 wants the
    new one's nickname in front, which no separate write could satisfy."""
    opp = await open_for_write(principal, opportunity_id, expected_version, "opportunityId")
    may_change(principal, opp, sdr_too=True)
    if name is not None:
        if not name.strip():
            raise DomainError.single("NAME_REQUIRED", "An opportunity needs a name.", "name", rule="O10")
        await Opportunity.update({Opportunity.name: name.strip()}).where(Opportunity.id == opportunity_id)
    return opp


async def clear_choices(opportunity_id: int) -> None:
    await OpportunityPartner.update({OpportunityPartner.primary_chosen_by: ""}).where(
        OpportunityPartner.opportunity == opportunity_id
    )


async def add_partner(principal: Principal, rules: reseller.RuleSet, opportunity_id: int, partner_id: int,
                      role: OpportunityPartnerRole, is_primary: bool = False, name: str | None = None,
                      expected_version: int | None = None) -> dict:
    if role is OpportunityPartnerRole.DEAL_REGISTRANT:
        # P5/R8: the registrant is the partner that sourced the deal, which only an approved
        # registration establishes (approveDealRegistration puts it on the team).
        raise DomainError.single("REGISTRANT_NEEDS_APPROVED_REGISTRATION",
                                 "Only an approved deal registration makes a partner the DEAL_REGISTRANT; "
                                 "add it with another role, or approve its registration.", "role", rule="P5")
    async with transaction():
        await _open_for_change(principal, opportunity_id, name, expected_version)
        partner = await Partner.select(Partner.status).where(Partner.id == partner_id).first()
        if partner is None:
            raise NotFound.of("Partner", "partnerId")
        if partner["status"] == PartnerStatus.DENIED.value:
            # P1: a DENIED partner no longer registers, quotes or appears in the locator, so
            # nobody brings it onto a deal either. PROSPECT partners stay addable: R6 speaks
            # of unofficial resellers on opportunities and D5 lets any partner resell.
            raise DomainError.single("PARTNER_DENIED", "This partner was denied: it cannot join an opportunity's "
                                     "team.", "partnerId", rule="P1")
        if await _on_team(opportunity_id, partner_id):
            raise DomainError.single("ALREADY_ON_TEAM", "This partner is already on the opportunity's team; "
                                     "remove it first to change its role.", "partnerId", rule="R5")
        if is_primary:
            await clear_choices(opportunity_id)
        await OpportunityPartner(opportunity=opportunity_id, partner=partner_id, role=role.value,
                                 primary_chosen_by=chooser(principal) if is_primary else "",
                                 created_at=now()).save()
        await settle(principal, rules, opportunity_id, "addOpportunityPartner")
        return await get_visible(principal, opportunity_id)


async def remove_partner(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                         partner_id: int, name: str | None = None, expected_version: int | None = None) -> dict:
    async with transaction():
        await _open_for_change(principal, opportunity_id, name, expected_version)
        place = await _team_place(opportunity_id, partner_id)
        if place is None:
            raise DomainError.single("NOT_ON_TEAM", "This partner is not on the opportunity's team.", "partnerId")
        if place["role"] == OpportunityPartnerRole.DEAL_REGISTRANT.value:
            # P5/R8: the registrant's place comes with its approved registration and goes only
            # with it (dissolveDealRegistration, which reconsiders the others; expiry or
            # closing, P6): removing the place alone would leave an approved registration
            # whose partner is not on the team.
            raise DomainError.single("REGISTRANT_PLACE_NEEDS_DISSOLUTION",
                                     "The deal registrant's place goes with its approved registration: dissolve "
                                     "the registration (dissolveDealRegistration) instead.", "partnerId", rule="P5")
        await OpportunityPartner.delete().where(
            (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
        )
        await settle(principal, rules, opportunity_id, "removeOpportunityPartner")
        return await get_visible(principal, opportunity_id)


async def set_primary(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                      partner_id: int | None, name: str | None = None, expected_version: int | None = None) -> dict:
    """Make `partner_id` primary by explicit choice, or (None) return to the precedence."""
    async with transaction():
        await _open_for_change(principal, opportunity_id, name, expected_version)
        if partner_id is not None and not await _on_team(opportunity_id, partner_id):
            raise DomainError.single("NOT_ON_TEAM", "Only a partner on the team can be primary.", "partnerId",
                                     rule="R7")
        await clear_choices(opportunity_id)
        if partner_id is not None:
            await OpportunityPartner.update({OpportunityPartner.primary_chosen_by: chooser(principal)}).where(
                (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
            )
        await settle(principal, rules, opportunity_id, "setPrimaryPartner")
        return await get_visible(principal, opportunity_id)


async def resettle_open_teams(principal: Principal, rules: reseller.RuleSet, partner_id: int, operation: str,
                              *, drop_choice: bool = False) -> list[int]:
    """P1: the partner's standing changed (denied, or authorized again): every open team it
    is on is settled again as a team change would. Denied, it is no longer primary (R6; with
    `drop_choice` an explicit choice of it goes) and the precedence chooses among the others
    (R8, R7); authorized, it may be chosen again. The name follows the new authorized
    primary, or loses the partner's nickname when none is left (R2). It keeps its place (an
    unofficial partner while DENIED, R6); its registrant places go with their registrations
    (P5), before this runs. One opportunity at a time in id order, each claimed (its version
    moves by one); not validated, as a lost deal's closing: the standing change must not wait
    on the deal's other rules. Closed opportunities keep the team they were closed with.
    Returns the opportunities settled."""
    places = await OpportunityPartner.select(OpportunityPartner.opportunity).where(
        (OpportunityPartner.partner == partner_id)
        & OpportunityPartner.opportunity.stage.not_in([stage.value for stage in CLOSED_STAGES])
    )
    partner = await Partner.select(Partner.name, Partner.nickname).where(Partner.id == partner_id).first()
    former = [f"{partner['nickname'] or partner['name']} - "] if partner else []
    settled = sorted({place["opportunity"] for place in places})
    for opportunity_id in settled:
        await versions.claim(Opportunity, opportunity_id, None, "opportunity")
        if drop_choice:
            await OpportunityPartner.update({OpportunityPartner.primary_chosen_by: ""}).where(
                (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
            )
        await settle(principal, rules, opportunity_id, operation, align_name_from=former, validate=False)
    return settled
