"""Leads in every P11 state and cases (D9–D14, partners/demo/cases.py), with a few region holidays the
lead deadlines count (leads, cases and business-days domains); the lead moves of issue 34
(`_lead_moves`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from partners.accounts.tables import Account
from partners.business_days.tables import RegionHoliday
from partners.demo.cases import create_cases
from partners.demo.people import USER_COLUMNS, as_principal
from partners.infra.clock import now
from partners.leads import deadlines, extensions, moves, service as leads
from partners.leads.enums import LeadAction, LeadPriority
from partners.leads.links import DealSize
from partners.leads.tables import Lead
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.enums import Region, Role
from partners.people.scoping import scoped
from partners.people.tables import Partner, User
from partners.registrations.tables import DealRegistration
from plugins.manager import get_plugin_manager


async def create_leads_and_cases() -> None:
    """Leads in every P11 state (shared with the portal partners, one recalled, one
    rejected, one not shared) and cases of every status and type (D9–D14), through the real services."""
    plugins = get_plugin_manager(allow=())

    admin = as_principal(await User.select(*USER_COLUMNS).where(User.role == Role.ADMIN.value).first())
    advocate = as_principal(await User.select(*USER_COLUMNS).where(User.role == Role.SMB_ADVOCATE.value).first())
    portal = [as_principal(r) for r in await User.select(*USER_COLUMNS).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)]
    regions = {r["id"]: r["region"] for r in await Partner.select(Partner.id, Partner.region).where(
        Partner.id.is_in([p.partner_id for p in portal]))}
    year = now().year
    for region, day, name in [(Region.AMER, f"{year}-07-04", "Independence Day"),
                              (Region.EMEA, f"{year}-12-25", "Christmas Day"),
                              (Region.APJ, f"{year}-01-01", "New Year's Day")]:
        await RegionHoliday(region=region.value, day=date.fromisoformat(day), name=name, created_at=now()).save()

    companies = ["Northwind Traders", "Contoso Pharma", "Fabrikam Robotics", "Tailspin Toys", "Wingtip Air",
                 "Adventure Works", "Litware Labs", "Proseware Health", "Lucerne Publishing", "Margie's Travel"]
    # (company index, portal user index, what happens)
    plan = [(0, 0, "new"), (1, 0, "shared"), (2, 1, "accepted"), (3, 1, "contacted"), (4, 2, "meeting"),
            (5, 2, "converted"), (6, 3, "disqualified"), (7, 3, "rejected"), (8, 0, "recalled")]
    for company, who_index, outcome in plan:
        who = portal[who_index % len(portal)]
        lead = await leads.create_lead(admin, leads.NewLead(
            company=companies[company], region=Region(regions[who.partner_id]), country="US",
            contact_name="Jordan Buyer", contact_email=f"jordan@{companies[company].split()[0].lower()}.example",
            product_interest="Premium", notes="From the demo's web form.", source="web form"))
        if outcome == "new":
            continue
        await leads.share_lead(admin, plugins, lead["id"], who.partner_id)
        if outcome == "rejected":
            await leads.reject_lead(who, lead["id"], "Outside our territory.")
        elif outcome == "recalled":
            # Shared two weeks ago and never answered: the deadline job recalls it (P11).
            back = timedelta(days=14)
            row = await Lead.select().where(Lead.id == lead["id"]).first()
            await Lead.update({Lead.shared_at: row["shared_at"] - back, Lead.accept_due_at: row["accept_due_at"] - back,
                               Lead.action_due_at: row["action_due_at"] - back,
                               Lead.accept_remind_at: row["accept_remind_at"] - back,
                               Lead.action_remind_at: row["action_remind_at"] - back}).where(Lead.id == lead["id"])
            await deadlines.recall_due_leads(worker="demo")
        elif outcome != "shared":
            await leads.accept_lead(who, lead["id"], note="We know the buyer.")
            if outcome == "contacted":
                await leads.record_action(who, lead["id"], LeadAction.CONTACTED, note="Intro call booked.")
            elif outcome == "meeting":
                await leads.record_action(who, lead["id"], LeadAction.MEETING, note="Demo on Tuesday.")
            elif outcome == "converted":
                registration = await DealRegistration.select(DealRegistration.id).where(
                    DealRegistration.partner == who.partner_id).order_by(DealRegistration.id).first()
                await leads.record_action(who, lead["id"], LeadAction.CONVERTED, note="Registered the deal.",
                                          registration_id=registration["id"] if registration else None,
                                          opportunity_id=None if registration else await _visible_opportunity(who))
            elif outcome == "disqualified":
                await leads.record_action(who, lead["id"], LeadAction.DISQUALIFIED, reason="No budget this year.")
    await _lead_moves(admin, portal, regions)

    await create_cases(portal, advocate, companies)


async def _lead_moves(admin, portal, regions) -> None:
    """Issue 34: leads with an account, a deal size and a priority; taken back, reassigned,
    archived; a named contact at the partner; a pending and an approved request for more
    time; and a likely duplicate (the same contact's email on two open leads)."""
    first, second = portal[0], portal[1 % len(portal)]
    region = Region(regions[first.partner_id])
    account = await Account.select(Account.id).where(Account.region == region.value).order_by(Account.id).first()
    rows = {}
    for company, priority, size in [("Blue Yonder Airlines", LeadPriority.HIGH, "48000.00"),
                                    ("Coho Winery", LeadPriority.URGENT, "125000.50"),
                                    ("Fourth Coffee", LeadPriority.LOW, "9500.00"),
                                    ("Graphic Design Institute", LeadPriority.NORMAL, None),
                                    ("Humongous Insurance", LeadPriority.HIGH, "310000.00"),
                                    ("Alpine Ski House", LeadPriority.NORMAL, "7200.00")]:
        rows[company] = await leads.create_lead(admin, leads.NewLead(
            company=company, region=region, country="US", contact_name="Casey Jordan",
            contact_email=f"casey@{company.split()[0].lower()}.example", product_interest="Premium",
            notes="From the demo's event list.", source="event", priority=priority,
            account_id=account["id"] if account and company == "Coho Winery" else None,
            deal_size=DealSize(Decimal(size), "USD") if size else None))
    # A likely duplicate of Coho Winery: the same contact, a new form fill.
    await leads.create_lead(admin, leads.NewLead(company="Coho Winery Ltd", region=region, contact_name="Casey Jordan",
                                                 contact_email="casey@coho.example", source="web form"))
    plugins = get_plugin_manager(allow=())
    ids = {company: row["id"] for company, row in rows.items()}
    for company in ids:
        if company != "Alpine Ski House":
            await leads.share_lead(admin, plugins, ids[company], first.partner_id)
    await moves.take_back_lead(admin, ids["Fourth Coffee"], "The customer signed directly with us.")
    if second.partner_id != first.partner_id:
        await moves.reassign_lead(admin, ids["Graphic Design Institute"], second.partner_id,
                                  "Closer to the customer's office.")
    await moves.archive_lead(admin, ids["Alpine Ski House"], True, "Test record from a trade show.")
    await moves.set_partner_contact(admin, ids["Coho Winery"], first.user_id)
    await extensions.request_extension(first, ids["Blue Yonder Airlines"], 3, "Their buyer is travelling.")
    await extensions.request_extension(first, ids["Humongous Insurance"], 2, "Waiting for their budget cycle.")
    await extensions.decide_extension(admin, ids["Humongous Insurance"], True, 2, "Fine, two more days.")


async def _visible_opportunity(who) -> int | None:
    row = await scoped(Opportunity.select(Opportunity.id), opportunity_scope(who)).order_by(Opportunity.id).first()
    return row["id"] if row else None
