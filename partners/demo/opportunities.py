"""Opportunities at every stage (opportunities domain)."""

from __future__ import annotations

import random
from datetime import timedelta

from partners.accounts.enums import ScreeningStatus
from partners.accounts.tables import Account, Contact
from partners.demo.money import local
from partners.demo.vocabulary import PRODUCTS
from partners.infra.clock import now
from partners.opportunities.enums import (
    ContactRole,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
)
from partners.opportunities.rules import ACCEPTED_STAGES, CLOSED_STAGES, QUALIFIED_STAGES, sales_qualified_source
from partners.opportunities.tables import (
    Opportunity,
    OpportunityContact,
    OpportunityPartner,
    OpportunityStageChange,
)
from partners.people.enums import PartnerStatus, PartnerType, Role
from partners.people.tables import Partner, User


async def create_opportunities(rng: random.Random, count: int = 40) -> None:
    """Opportunities at every stage, with consistent dates (O3, O4), closing facts (O6, O7),
    stage history, a primary contact, and resellers or deal registrants on some (R9)."""
    roots = await Account.select(Account.id, Account.name, Account.screening_status, Account.owner,
                                 Account.currency).where(
        Account.parent.is_null()).order_by(Account.id)
    contacts_by_account: dict[int, list[int]] = {}
    for c in await Contact.select(Contact.id, Contact.account).order_by(Contact.id):
        contacts_by_account.setdefault(c["account"], []).append(c["id"])
    sdr = await User.select(User.id).where(User.role == Role.SDR.value).first()
    portal_partners = [u["partner"] for u in await User.select(User.partner).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)]
    nicknames = {p["id"]: p["nickname"] for p in await Partner.select(Partner.id, Partner.nickname)}
    resellers = [p["id"] for p in await Partner.select(Partner.id).where(
        (Partner.status == PartnerStatus.AUTHORIZED.value) & (Partner.partner_type == PartnerType.RESELLER.value))]
    stages = list(OpportunityStage)
    created: list[int] = []
    for i in range(count):
        account = roots[i % len(roots)]
        stage = stages[i % len(stages)]
        if stage is OpportunityStage.CLOSED_WON and account["screening_status"] != ScreeningStatus.CLEAR.value:
            stage = OpportunityStage.NEGOTIATING  # A6: only CLEAR accounts close won
        if stage is OpportunityStage.DUPLICATE and not created:
            stage = OpportunityStage.PENDING_ACCEPTANCE
        seats = rng.choice([5, 10, 25, 50, 100, 250])
        product = rng.choice(PRODUCTS)
        # Priced in USD, quoted in the account's currency (issue 40).
        amount = local(seats * (29 if product == "Premium" else 99) * 12, account["currency"])
        created_at = now() - timedelta(days=rng.randint(1, 240))
        accepted = stage in ACCEPTED_STAGES or (stage is OpportunityStage.CLOSED_LOST)
        qualified = stage in QUALIFIED_STAGES or (stage is OpportunityStage.CLOSED_LOST and rng.random() < 0.5)
        with_sdr = rng.random() < 0.3
        reason = rng.choice([LossReason.NO_BUDGET, LossReason.TIMING, LossReason.NO_DECISION])
        # Every third deal has an authorized partner as its primary reseller or registrant:
        # R2 puts its nickname in front of the name, R7/R8 make it the one primary.
        partner, role = None, None
        if i % 3 == 0:
            partner = portal_partners[(i // 3) % len(portal_partners)] if portal_partners else rng.choice(resellers)
            role = OpportunityPartnerRole.DEAL_REGISTRANT if i % 2 else OpportunityPartnerRole.RESELLER
        prefix = f"{nicknames[partner]} - " if partner else ""
        opp = Opportunity(
            account=account["id"], name=f"{prefix}{account['name']}- {seats} {product}",
            primary_reason={OpportunityPartnerRole.DEAL_REGISTRANT: "deal registrant (R8)",
                            OpportunityPartnerRole.RESELLER: "authorized reseller (R7)"}.get(role, ""),
            opportunity_type=OpportunityType.NEW_BUSINESS.value, stage=stage.value, currency=account["currency"],
            amount=amount,
            net_arr=amount, close_date=(created_at + timedelta(days=90)).date(), owner=account["owner"],
            sdr=sdr["id"] if with_sdr else None,
            sales_qualified_source=sales_qualified_source(
                sdr_id=sdr["id"] if with_sdr else None, owner_role=Role.ACCOUNT_EXECUTIVE).value,
            sales_accepted_at=created_at + timedelta(days=3) if accepted else None,
            sales_qualified=qualified,
            sales_qualified_at=created_at + timedelta(days=10) if qualified else None,
            initial_iacv=amount if qualified else None,
            closed_at=created_at + timedelta(days=60) if stage in CLOSED_STAGES else None,
            loss_reason=reason.value if stage is OpportunityStage.CLOSED_LOST else None,
            duplicate_of=created[0] if stage is OpportunityStage.DUPLICATE else None,
            created_at=created_at,
        )
        await opp.save()
        created.append(opp.id)
        start = stage if stage in (OpportunityStage.PRE_OPPORTUNITY, OpportunityStage.PENDING_ACCEPTANCE) \
            else OpportunityStage.PENDING_ACCEPTANCE  # O2
        history = [OpportunityStageChange(opportunity=opp.id, from_stage=None, to_stage=start.value,
                                          changed_by=account["owner"], changed_at=created_at)]
        if stage is not start:
            history.append(OpportunityStageChange(
                opportunity=opp.id, from_stage=start.value, to_stage=stage.value,
                changed_by=account["owner"], changed_at=created_at + timedelta(days=5)))
        await OpportunityStageChange.insert(*history)
        account_contacts = contacts_by_account.get(account["id"], [])
        if account_contacts:
            await OpportunityContact(opportunity=opp.id, contact=account_contacts[0],
                                     role=ContactRole.DECISION_MAKER.value, is_primary=True).save()
        if partner:
            await OpportunityPartner(opportunity=opp.id, partner=partner, role=role.value, is_primary=True,
                                     created_at=created_at).save()
        influencers = [r for r in resellers if r != partner]
        if i % 5 == 0 and influencers:
            await OpportunityPartner(opportunity=opp.id, partner=rng.choice(influencers),
                                     role=OpportunityPartnerRole.INFLUENCER.value, created_at=created_at).save()
