"""The demo world is believable and usable: `make run` serves it."""

from partners.accounts.enums import ScreeningStatus, Segment
from partners.accounts.tables import Account, Contact
from partners.demo import is_empty
from tests.demo_world import demo_world
from partners.infra.tables import OutboxMessage
from partners.opportunities.enums import OpportunityStage
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import PARTNER_ROLES, PartnerTrack, PartnerType, Region, Role
from partners.people.tables import Partner
from partners.plans.tables import CoSellPlan, CoSellTask


async def test_demo_world(gql):
    assert await is_empty()
    logins = await demo_world()
    assert not await is_empty()

    partners = await Partner.select(Partner.partner_type, Partner.track, Partner.region)
    assert 190 <= len(partners) <= 210
    assert {p["partner_type"] for p in partners} == {t.value for t in PartnerType}
    assert {p["track"] for p in partners} == {t.value for t in PartnerTrack}
    assert {p["region"] for p in partners} == {r.value for r in Region}

    accounts = await Account.select(Account.region, Account.parent, Account.segment, Account.screening_status,
                                    Account.ultimate_parent, Account.ranking)
    assert {a["region"] for a in accounts} == {r.value for r in Region}
    assert any(a["parent"] is not None for a in accounts), "some accounts have parents"
    assert {a["segment"] for a in accounts} == {s.value for s in Segment}
    assert {a["screening_status"] for a in accounts} == {s.value for s in ScreeningStatus}
    assert all(a["ultimate_parent"] is not None for a in accounts)
    assert any(a["ranking"] for a in accounts)
    assert await Contact.count() > 0

    opportunities = await Opportunity.select(Opportunity.stage)
    assert 30 <= len(opportunities) <= 60
    assert {o["stage"] for o in opportunities} == {s.value for s in OpportunityStage}
    assert await OpportunityPartner.count() > 0
    # Co-sell plans (D3) with partner-side tasks whose confirmations wait in the outbox (D4).
    assert await CoSellPlan.count() >= 5
    assert await CoSellTask.count().where(CoSellTask.owner_side == "PARTNER") > 0
    # The cases' and the leads' emails (issue 34) aside.
    emails = await OutboxMessage.count().where((OutboxMessage.kind == "email")
                                               & OutboxMessage.dedupe_key.not_like("case-%")
                                               & OutboxMessage.dedupe_key.not_like("lead-%"))
    assert emails == await CoSellTask.count().where(CoSellTask.owner_side == "PARTNER")
    # Issue 34: the escalated demo case (D15) told the advocates.
    assert await OutboxMessage.count().where(OutboxMessage.dedupe_key.like("case-escalated:%")) > 0

    assert {login.role for login in logins} == set(Role)
    for login in logins:
        body = await gql("{ viewer { email role } }", token=login.token)
        assert body["data"]["viewer"] == {"email": login.email, "role": login.role.value}

    # Every portal user sees a few opportunities (R9), no accounts, and the deep query works.
    query = """{ accounts { totalCount } opportunities(first: 100) { totalCount nodes {
        name accountName account { segment territoryAddress { city } } contacts { contact { name } }
        partners { role } requiresClosePlan } } }"""
    for login in logins:
        body = await gql(query, token=login.token)
        data = body["data"]
        if login.role in PARTNER_ROLES:
            assert data["accounts"]["totalCount"] == 0
            assert data["opportunities"]["totalCount"] > 0, login.email
            assert all(n["account"] is None for n in data["opportunities"]["nodes"])
        else:
            assert data["opportunities"]["totalCount"] == len(opportunities)

    # Portal users see their partner's plans with progress; staff see them all.
    plans_query = "{ coSellPlans(first: 100) { totalCount nodes { motion progress { done total overdue } tasks { title } } } }"
    seen = 0
    for login in logins:
        plans = (await gql(plans_query, token=login.token))["data"]["coSellPlans"]
        if login.role is Role.PARTNER_USER:  # one portal user per partner
            seen += plans["totalCount"]
        elif login.role is not Role.PARTNER_ADMIN:
            assert plans["totalCount"] == await CoSellPlan.count()
    assert seen == await CoSellPlan.count(), "every demo plan belongs to a portal user's partner"

    # The first portal user's partner has an example webhook endpoint, disabled, which its
    # partner admin manages (issue 20); the other partner admins see none.
    hooks_query = "{ viewer { partner { id } } webhookEndpoints { nodes { enabled eventTypes partner { id } } } }"
    first_portal = next(login for login in logins if login.role is Role.PARTNER_USER)
    portal_partner = (await gql("{ viewer { partner { id } } }", token=first_portal.token))["data"]["viewer"]["partner"]
    seen = {}
    for login in (login for login in logins if login.role is Role.PARTNER_ADMIN):
        data = (await gql(hooks_query, token=login.token))["data"]
        seen[data["viewer"]["partner"]["id"]] = data["webhookEndpoints"]["nodes"]
    (endpoint,) = seen.pop(portal_partner["id"])
    assert all(nodes == [] for nodes in seen.values())
    # Subscribed to every category, the lead (P11) and case (D9) events of #19 included.
    assert endpoint["enabled"] is False and set(endpoint["eventTypes"]) == {
        "DEAL_REGISTRATION", "COSELL_TASK", "LEAD", "CASE"}
    everyone = (await gql("{ webhookEndpoints { totalCount } }", token=logins[0].token))["data"]
    assert logins[0].role is Role.ADMIN and everyone["webhookEndpoints"]["totalCount"] == 1



async def test_demo_registrations_in_several_states(gql):
    from partners.registrations.tables import DealRegistration

    logins = await demo_world()
    statuses = {r["status"] for r in await DealRegistration.select(DealRegistration.status)}
    assert {"SUBMITTED", "PENDING_SALES_REVIEW", "PENDING_MANAGER_REVIEW", "RETURNED", "APPROVED", "ON_HOLD",
            "DENIED", "WITHDRAWN"} <= statuses
    portal = [login for login in logins if login.role is Role.PARTNER_USER]
    seen = [(await gql("{ dealRegistrations { totalCount } }", token=login.token))["data"]["dealRegistrations"]["totalCount"]
            for login in portal]
    assert sum(seen) == await DealRegistration.count() and all(seen)
    # Issue 7: the example policy (marked EXAMPLE) prices the approved registrations for their partner.
    policy = (await gql("{ discountPolicies { nodes { notes coSellRate } } }", token=logins[0].token))["data"]
    assert ["EXAMPLE" in p["notes"] for p in policy["discountPolicies"]["nodes"]] == [True]
    quoted = []
    for login in portal:
        body = await gql("{ dealRegistrations(first: 50) { nodes { status discountQuote { total lines { rule } } } } }",
                         token=login.token)
        quoted += [n["discountQuote"] for n in body["data"]["dealRegistrations"]["nodes"] if n["status"] == "APPROVED"]
    assert quoted and all(q and q["total"] > 0 and q["lines"][0]["rule"] == "D5" for q in quoted)


async def test_demo_opportunities_keep_the_reseller_rules(gql):
    """R1–R7: every demo opportunity passes the built-in rules, and its primary partner is
    the one the precedence (R8) would choose."""
    from partners.opportunities import reseller
    from plugins.manager import get_plugin_manager

    await demo_world()
    rules = reseller.RuleSet(get_plugin_manager())
    snapshots = await reseller.load_snapshots([o["id"] for o in await Opportunity.select(Opportunity.id)])
    context = reseller.ValidationContext(operation="demo")
    assert {s.id: await reseller.violations_of(rules, s, context) for s in snapshots.values()} == {
        s.id: [] for s in snapshots.values()}
    with_partners = [s for s in snapshots.values() if s.authorized_resellers]
    assert with_partners, "some demo deals have an authorized reseller"
    for snapshot in with_partners:
        choice = reseller.choose_primary(rules, snapshot)
        assert [p.partner_id for p in snapshot.primary_partners] == [choice.partner.partner_id]


async def test_demo_leads_in_every_state_and_open_cases(gql):
    """Issue 19: shared leads in each P11 state (one recalled, one rejected) and a few open
    Partner Opp cases (D9), each partner seeing only its own."""
    logins = await demo_world()
    admin = next(login for login in logins if login.role is Role.ADMIN)
    body = await gql("{ leads(first: 50) { totalCount nodes { status recallReason reason } } "
                     "cases(first: 50) { nodes { status subject type escalated origin unmatched messages { text } } } }",
                     token=admin.token)
    leads = body["data"]["leads"]["nodes"]
    assert {n["status"] for n in leads} == {"NEW", "SHARED", "ACCEPTED", "CONTACTED", "MEETING", "CONVERTED",
                                            "DISQUALIFIED"}
    assert any(n["recallReason"] == "NOT_ACCEPTED" for n in leads), "a recalled lead"
    assert any(n["status"] == "NEW" and n["reason"] == "Outside our territory." for n in leads), "a rejected lead"
    # Issue 34: the lead moves.
    moved = (await gql("""{ all: leads(first: 50) { nodes { recallReason priority dealSize { currency } accountName
        partnerContact { id } extensionRequests { status } possibleDuplicates { reasons } } }
        archived: leads(filter: {archived: true}) { totalCount } }""", token=admin.token))["data"]
    nodes = moved["all"]["nodes"]
    assert {"TAKEN_BACK", "REASSIGNED"} <= {n["recallReason"] for n in nodes}
    assert {n["priority"] for n in nodes} == {"LOW", "NORMAL", "HIGH", "URGENT"}
    assert any(n["dealSize"] for n in nodes) and any(n["accountName"] for n in nodes)
    assert any(n["partnerContact"] for n in nodes) and any(n["possibleDuplicates"] for n in nodes)
    assert {r["status"] for n in nodes for r in n["extensionRequests"]} == {"PENDING", "APPROVED"}
    assert moved["archived"]["totalCount"] == 1
    cases = body["data"]["cases"]["nodes"]
    # Issue 34: every D10 status and D14 type; partner users see only their Partner Opp cases.
    assert {c["status"] for c in cases} == {"OPEN", "IN_PROGRESS", "WAITING", "CLOSED_RESOLVED", "CLOSED_DUPLICATE",
                                            "CLOSED_UNRESPONSIVE"}
    assert {c["type"] for c in cases} == {"GENERAL", "PARTNER_OPP", "HIGH_VALUE_ACCOUNT", "RENEWAL_WILL_FAIL",
                                          "PO_REQUIRED", "FIRST_ORDER", "CONTACT_LATER"}
    assert any(c["escalated"] for c in cases)
    # D15: a case opened by email with the customer's reply, and one in the SMB operations queue.
    by_email = [c for c in cases if c["origin"] == "EMAIL"]
    assert sorted(len(c["messages"]) for c in by_email) == [1, 2]
    assert [c["unmatched"] for c in by_email if len(c["messages"]) == 1] == [True]
    partner_cases = [c for c in cases if c["type"] == "PARTNER_OPP"]
    assert all(c["subject"].startswith("Partner Opp") for c in partner_cases)
    seen = 0
    for login in logins:
        if login.role is Role.PARTNER_USER:
            mine = await gql("{ leads { totalCount } cases { totalCount } }", token=login.token)
            seen += mine["data"]["cases"]["totalCount"]
    assert seen == len(partner_cases)


async def test_demo_partner_program(gql):
    """#18: partners in each status and track, agreements and trainings behind P2, one
    partner admin per authorized partner, who sees their partner's people only."""
    from partners.people.enums import PartnerStatus
    from partners.people.tables import User
    from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining

    logins = await demo_world()
    partners = await Partner.select(Partner.id, Partner.status, Partner.track, Partner.is_psp)
    assert {(p["status"]) for p in partners} == {s.value for s in PartnerStatus}
    assert {p["track"] for p in partners if p["status"] == "AUTHORIZED"} == {t.value for t in PartnerTrack}
    assert any(p["is_psp"] for p in partners)
    assert await PartnerAgreement.count() > 0 and await PartnerTraining.count() > 0
    assert await PartnerAgreement.count().where(PartnerAgreement.ended_on.is_not_null()) > 0  # issue 34
    assert await PartnerChange.count().where(PartnerChange.kind == "TRACK") > 0
    authorized = {p["id"] for p in partners if p["status"] == "AUTHORIZED"}
    admins = await User.select(User.partner).where(User.role == Role.PARTNER_ADMIN.value)
    assert sorted(a["partner"] for a in admins) == sorted(authorized)

    admin_login = next(login for login in logins if login.role is Role.PARTNER_ADMIN)
    me = (await gql("{ partner { id name eligibility { eligibleToRegister } } users { nodes { role } } }",
                    token=admin_login.token))["data"]
    assert me["partner"]["eligibility"]["eligibleToRegister"] is True
    assert {n["role"] for n in me["users"]["nodes"]} == {"PARTNER_USER", "PARTNER_ADMIN"}
    staff = next(login for login in logins if login.role is Role.ADMIN)
    prospects = (await gql('{ partners(filter: {status: PROSPECT}, first: 100) { totalCount nodes { '
                           'eligibility { eligibleToRegister reasons { code } } } } }', token=staff.token))["data"]
    assert prospects["partners"]["totalCount"] > 0
    assert all(not n["eligibility"]["eligibleToRegister"] for n in prospects["partners"]["nodes"])


async def test_demo_world_uses_several_currencies_with_dated_rates(gql):
    """Issue 40: the demo's accounts pay in their country's currency (EUR, GBP, JPY, BHD among
    others), their opportunities and registrations follow (one partner registers in euros,
    D5), and the demo's dated rates convert every amount for O11's USD thresholds."""
    from partners.money.tables import ExchangeRate
    from partners.registrations.tables import DealRegistration

    logins = await demo_world()
    currencies = {r["currency"] for r in await Account.select(Account.currency)}
    assert {"USD", "EUR", "GBP", "JPY", "BHD"} <= currencies
    assert {"USD", "EUR", "JPY"} <= {r["currency"] for r in await Opportunity.select(Opportunity.currency)}
    registrations = await DealRegistration.select(DealRegistration.currency, DealRegistration.account.currency)
    assert any(r["currency"] == "EUR" != r["account.currency"] for r in registrations), "registered in local currency"
    assert await ExchangeRate.count().where(ExchangeRate.source == "demo") > 0
    admin = next(login for login in logins if login.role is Role.ADMIN)
    body = await gql("""{ opportunities(first: 100) { nodes { currency amountMoney { amount currency }
        amountUsd { result { amount currency } rate rateDate } requiresClosePlan } } }""", token=admin.token)
    nodes = body["data"]["opportunities"]["nodes"]
    assert nodes and all(n["amountUsd"] is not None and n["requiresClosePlan"] is not None for n in nodes)
    assert all(n["amountMoney"]["currency"] == n["currency"] and n["amountUsd"]["result"]["currency"] == "USD"
               for n in nodes)
    assert any(n["currency"] == "USD" and n["amountUsd"]["rate"] == "1" for n in nodes)
