"""Opportunities (O1–O11): the writes, in transactions.

The stage moves only through `move_stage`, which checks O2–O7 (and A6 for closing won),
records the dates, keeps the stage history and closes upside-IACV children (O8). The pure
rules they apply are in `partners.opportunities.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Iterable

from partners.accounts.enums import ScreeningStatus
from partners.accounts.tables import Account, Contact
from partners.infra import versions
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation, require_roles
from partners.infra.events import publish
from partners.money.currencies import currency_violation
from partners.money.given import GivenAmount, check_amounts
from partners.opportunities import outbox_events, reseller
from partners.opportunities.enums import (
    ContactRole,
    LossReason,
    OpportunityStage as Stage,
    OpportunityType,
    SalesQualifiedSource,
)
from partners.opportunities.events import OpportunityClosedLost
from partners.opportunities.rules import (
    OPEN_STAGES,
    START_STAGES,
    StageMove,
    opportunity_name,
    sales_qualified_source,
    stage_move_effects,
    stage_move_violations,
    type_violations,
)
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity, OpportunityContact, OpportunityStageChange
from partners.people.enums import PartnerStatus, Role
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import User

CREATORS = (Role.ADMIN, Role.SALES_OPS, Role.ACCOUNT_EXECUTIVE, Role.SDR)
MANAGERS = (Role.ADMIN, Role.SALES_OPS)


def opportunity_select():
    """Opportunity rows with the account facts every reader needs (name, segment, LAM):
    one join instead of a second query, and readable without reading the account."""
    return Opportunity.select(
        *Opportunity.all_columns(),
        Opportunity.account.name.as_alias("account_name"),
        Opportunity.account.segment.as_alias("account_segment"),
        Opportunity.account.potential_users.as_alias("account_potential_users"),
    )


# ---------------------------------------------------------------- reads used by writes


async def get_visible(principal: Principal, opportunity_id: int, field: str = "id") -> dict:
    row = await scoped(opportunity_select(), opportunity_scope(principal)).where(
        Opportunity.id == opportunity_id
    ).first()
    if row is None:
        raise NotFound.of("Opportunity", field)
    return row


async def open_for_write(principal: Principal, opportunity_id: int, expected_version: int | None = None,
                         field: str = "id") -> dict:
    """The opportunity as this write will change it: visible to the caller (else NOT_FOUND,
    before any version check), claimed (version + 1; STALE_VERSION when `expected_version`
    is no longer current), and read again under the claim (`partners.infra.versions`)."""
    await get_visible(principal, opportunity_id, field)
    await versions.claim(Opportunity, opportunity_id, expected_version, "opportunity")
    return await get_visible(principal, opportunity_id, field)


async def _user_facts(user_id: int, field: str) -> dict:
    row = await User.select(
        User.id, User.role, User.active, User.partner.status.as_alias("partner_status")
    ).where(User.id == user_id).first()
    if row is None or not row["active"]:
        raise NotFound.of("User", field)
    return row


async def _sqs_for(sdr_id: int | None, owner_id: int) -> SalesQualifiedSource:
    owner = await _user_facts(owner_id, "ownerId")
    status = PartnerStatus(owner["partner_status"]) if owner["partner_status"] else None
    return sales_qualified_source(sdr_id=sdr_id, owner_role=Role(owner["role"]), owner_partner_status=status)


async def refresh_sales_qualified_source(opportunity_ids: Iterable[int]) -> None:
    """O9 is stored: recompute it after owners or SDRs change (in the write that changed
    them, which already moved the version)."""
    for row in await Opportunity.select(Opportunity.id, Opportunity.owner, Opportunity.sdr).where(
        Opportunity.id.is_in(list(opportunity_ids))
    ):
        source = await _sqs_for(row["sdr"], row["owner"])
        await Opportunity.update({Opportunity.sales_qualified_source: source.value}).where(Opportunity.id == row["id"])


def may_change(principal: Principal, opp: dict, *, sdr_too: bool) -> None:
    if principal.role in MANAGERS or opp["owner"] == principal.user_id:
        return
    if sdr_too and opp["sdr"] == principal.user_id:
        return
    raise PermissionDenied("Only the opportunity's owner, sales ops or an admin may do this.")


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class ContactLink:
    contact_id: int
    role: ContactRole = ContactRole.OTHER
    is_primary: bool = False


async def _check_parent(opp_type: OpportunityType, parent_id: int | None, self_id: int | None = None) -> None:
    parent_type = None
    if parent_id is not None:
        if parent_id == self_id:
            raise DomainError.single("INVALID_PARENT", "An opportunity cannot be its own parent.", "parentId", rule="O8")
        parent = await Opportunity.select(Opportunity.opportunity_type).where(Opportunity.id == parent_id).first()
        if parent is None:
            raise NotFound.of("Parent opportunity", "parentId")
        parent_type = OpportunityType(parent["opportunity_type"])
    violations = type_violations(opp_type, parent_type)
    if violations:
        raise DomainError(violations)


async def _set_contacts(opportunity_id: int, links: list[ContactLink]) -> None:
    """Replace the contacts. Which contact may be primary or in which role (R3, R4) is for
    the rule plugins, which see the result before it commits."""
    ids = [link.contact_id for link in links]
    repeated = next((i for i, contact_id in enumerate(ids) if contact_id in ids[:i]), None)
    if repeated is not None:
        raise DomainError.single("DUPLICATE_CONTACT", "A contact is on the opportunity once.",
                                 ("contacts", str(repeated), "contactId"))
    known = {r["id"] for r in await Contact.select(Contact.id).where(Contact.id.is_in(ids))} if ids else set()
    for i, link in enumerate(links):
        if link.contact_id not in known:
            raise NotFound.of("Contact", f"contacts.{i}.contactId")
    await OpportunityContact.delete().where(OpportunityContact.opportunity == opportunity_id)
    if links:
        await OpportunityContact.insert(*[
            OpportunityContact(opportunity=opportunity_id, contact=link.contact_id, role=link.role.value,
                               is_primary=link.is_primary)
            for link in links
        ])


async def create_opportunity(principal: Principal, rules: reseller.RuleSet, **fields: Any) -> dict:
    """A new opportunity by a sales user (the fields of `insert_opportunity`)."""
    require_roles(principal, *CREATORS)
    return await insert_opportunity(principal, rules, **fields)


async def insert_opportunity(
    principal: Principal, rules: reseller.RuleSet, *, account_id: int, opp_type: OpportunityType,
    stage: Stage = Stage.PENDING_ACCEPTANCE,
    name: str | None = None, seats: int | None = None, product: str = "", parent_id: int | None = None,
    amount: GivenAmount | None = None, net_arr: GivenAmount | None = None, currency: str | None = None,
    close_date: date | None = None,
    owner_id: int | None = None, sdr_id: int | None = None, contacts: list[ContactLink] | None = None,
) -> dict:
    """O2, O8–O10; the caller's role is checked by the caller (`create_opportunity`, or an
    approved deal registration converting into an opportunity). Its amounts are in
    `currency` (ISO 4217), by default its account's (issue 40; D5)."""
    if stage not in START_STAGES:
        raise DomainError.single("INVALID_START_STAGE", "New opportunities start at 00 or 0.", "stage", rule="O2")
    bad_currency = None if currency is None else currency_violation(currency, "currency")
    if bad_currency is not None:
        raise DomainError([bad_currency])
    owner_id = owner_id or principal.user_id
    if sdr_id is None and principal.role is Role.SDR:
        sdr_id = principal.user_id
    async with transaction():
        account = await Account.select(Account.id, Account.name, Account.currency).where(
            Account.id == account_id).first()
        if account is None:
            raise NotFound.of("Account", "accountId")
        currency = currency or account["currency"]
        amount_value, net_arr_value = check_amounts([amount, net_arr], currency)
        await _check_parent(opp_type, parent_id)
        if sdr_id is not None and (await _user_facts(sdr_id, "sdrId"))["role"] != Role.SDR.value:
            raise DomainError.single("NOT_AN_SDR", "The SDR must be a user with the SDR role.", "sdrId", rule="O9")
        source = await _sqs_for(sdr_id, owner_id)
        if not (name or "").strip():
            name = opportunity_name(account["name"], opp_type, seats=seats, product=product, on=close_date)
        at = now()
        opp = Opportunity(
            account=account_id, name=name.strip(), opportunity_type=opp_type.value, parent=parent_id,
            stage=stage.value, currency=currency, amount=amount_value, net_arr=net_arr_value, close_date=close_date,
            owner=owner_id, sdr=sdr_id,
            sales_qualified_source=source.value, created_at=at,
        )
        await opp.save()
        await OpportunityStageChange(opportunity=opp.id, from_stage=None, to_stage=stage.value,
                                     changed_by=principal.user_id, changed_at=at).save()
        await _set_contacts(opp.id, contacts or [])
        await reseller.validate(rules, principal, opp.id, "createOpportunity")
        return await get_visible(principal, opp.id)


UPDATABLE = ("name", "amount", "net_arr", "close_date", "owner", "sdr")


async def update_opportunity(
    principal: Principal, rules: reseller.RuleSet, opportunity_id: int, *, fields: dict[str, Any],
    opp_type: OpportunityType | None = None,
    parent_id: Any = None, parent_given: bool = False, contacts: list[ContactLink] | None = None,
    expected_version: int | None = None,
) -> dict:
    """Everything but the stage (that is `move_stage`'s). Amounts (`GivenAmount`) are in the
    opportunity's currency, which is set when it is created and does not change here."""
    fields = {k: v for k, v in fields.items() if k in UPDATABLE}
    violations = []
    if "name" in fields and not str(fields["name"] or "").strip():
        violations.append(Violation("NAME_REQUIRED", "An opportunity needs a name.", ("name",), "O10"))
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's users do not act
        opp = await open_for_write(principal, opportunity_id, expected_version)
        may_change(principal, opp, sdr_too=True)
        given = [k for k in ("amount", "net_arr") if k in fields]
        fields.update(zip(given, check_amounts([fields[k] for k in given], opp["currency"])))
        if "owner" in fields and fields["owner"] is None:
            raise DomainError.single("OWNER_REQUIRED", "An opportunity has an owner.", "ownerId")
        if fields.get("sdr") is not None and (await _user_facts(fields["sdr"], "sdrId"))["role"] != Role.SDR.value:
            raise DomainError.single("NOT_AN_SDR", "The SDR must be a user with the SDR role.", "sdrId", rule="O9")
        if opp_type is not None or parent_given:
            new_type = opp_type or OpportunityType(opp["opportunity_type"])
            new_parent = parent_id if parent_given else opp["parent"]
            await _check_parent(new_type, new_parent, self_id=opportunity_id)
            fields["opportunity_type"] = new_type.value
            fields["parent"] = new_parent
        if "owner" in fields or "sdr" in fields:
            owner = fields.get("owner", opp["owner"])
            sdr = fields.get("sdr", opp["sdr"])
            fields["sales_qualified_source"] = (await _sqs_for(sdr, owner)).value
            if "owner" in fields:
                fields["owner_holdover_until"] = None
        if fields:
            await Opportunity.update(fields).where(Opportunity.id == opportunity_id)
        if contacts is not None:
            await _set_contacts(opportunity_id, contacts)
        await reseller.validate(rules, principal, opportunity_id, "updateOpportunity")
        if changed := outbox_events.changed_fields(opp, fields):
            await outbox_events.enqueue(outbox_events.UPDATED, opportunity_id, changed=changed)
        return await get_visible(principal, opportunity_id)


async def move_stage(principal: Principal, rules: reseller.RuleSet, opportunity_id: int, move: StageMove,
                     note: str = "", expected_version: int | None = None) -> dict:
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        opp = await open_for_write(principal, opportunity_id, expected_version)
        may_change(principal, opp, sdr_too=False)
        account = await Account.select(Account.screening_status).where(Account.id == opp["account"]).first()
        at = now()
        violations = stage_move_violations(opp, move, account_screening=ScreeningStatus(account["screening_status"]),
                                           at=at)
        if violations:
            raise DomainError(violations)
        for link_id, field in ((move.duplicate_of_id, "duplicateOfId"), (move.merged_into_id, "mergedIntoId")):
            if link_id is not None and (
                (move.target is Stage.DUPLICATE and field == "duplicateOfId")
                or (move.target is Stage.CLOSED_LOST and field == "mergedIntoId")
            ):
                await get_visible(principal, link_id, field)
        await Opportunity.update(stage_move_effects(opp, move, at)).where(Opportunity.id == opportunity_id)
        await OpportunityStageChange(opportunity=opportunity_id, from_stage=opp["stage"], to_stage=move.target.value,
                                     changed_by=principal.user_id, note=note.strip()[:500], changed_at=at).save()
        children: list[int] = []
        if move.target in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
            children = await _close_upside_children(principal, rules, opportunity_id, at)
        if move.target is Stage.CLOSED_LOST:
            await publish(OpportunityClosedLost(principal, rules, opportunity_id, at))  # P6
        await reseller.validate(rules, principal, opportunity_id, "moveOpportunityStage")
        await _validate_closed_children(rules, principal, children)
        await outbox_events.enqueue(outbox_events.STAGE_CHANGED, opportunity_id, previous_stage=opp["stage"])
        return await get_visible(principal, opportunity_id)


async def _validate_closed_children(rules: reseller.RuleSet, principal: Principal, children: list[int]) -> None:
    """O8 children turned duplicates are written too, so the rule plugins see them like any
    other opportunity write (`cosell_validate_opportunity`, operation `moveOpportunityStage`);
    a refusal of a child refuses the parent's move, and the message says which child."""
    context = reseller.context_for(rules, principal, "moveOpportunityStage")
    violations = [
        replace(v, message=f"Its upside-IACV child '{snapshot.name}' closes with it (O8): {v.message}")
        for snapshot in (await reseller.load_snapshots(children)).values()
        for v in await reseller.violations_of(rules, snapshot, context)
    ]
    if violations:
        raise DomainError(violations)


async def _close_upside_children(principal: Principal, rules: reseller.RuleSet, parent_id: int,
                                 at: datetime) -> list[int]:
    """O8: when a parent closes, its open upside-IACV children become duplicates of it —
    except accepted ones, which cannot be duplicates (O6): they are closed lost as merged
    into the parent (O7), and their registrations close with them (P6). Returns the
    children's ids (to be validated by the caller)."""
    children = await Opportunity.select(Opportunity.id, Opportunity.stage, Opportunity.sales_accepted_at).where(
        (Opportunity.parent == parent_id)
        & (Opportunity.opportunity_type == OpportunityType.UPSIDE_IACV.value)
        & Opportunity.stage.is_in([s.value for s in OPEN_STAGES])
    )
    if not children:
        return []
    duplicates = [c for c in children if c["sales_accepted_at"] is None]
    merged = [c for c in children if c["sales_accepted_at"] is not None]
    if duplicates:
        await Opportunity.update({
            Opportunity.stage: Stage.DUPLICATE.value, Opportunity.duplicate_of: parent_id, Opportunity.closed_at: at,
            **versions.bumped(Opportunity),
        }).where(Opportunity.id.is_in([c["id"] for c in duplicates]))
    if merged:
        await Opportunity.update({
            Opportunity.stage: Stage.CLOSED_LOST.value, Opportunity.loss_reason: LossReason.MERGED.value,
            Opportunity.merged_into: parent_id, Opportunity.closed_at: at, **versions.bumped(Opportunity),
        }).where(Opportunity.id.is_in([c["id"] for c in merged]))
    await OpportunityStageChange.insert(*[
        OpportunityStageChange(opportunity=c["id"], from_stage=c["stage"],
                               to_stage=(Stage.DUPLICATE if c in duplicates else Stage.CLOSED_LOST).value,
                               changed_by=principal.user_id,
                               note="Parent closed (O8)" if c in duplicates else "Parent closed; accepted, so merged (O6, O8)",
                               changed_at=at)
        for c in children
    ])
    for child in merged:
        await publish(OpportunityClosedLost(principal, rules, child["id"], at))  # P6
    return [c["id"] for c in children]
