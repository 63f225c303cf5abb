"""Partner discounts through GraphQL (issue 7): each line rule (D5, P7 co-sell, tender,
renewal, P9 services attach and its cap, P10 distributor route, D6 Paid POC), policy
versions and dates, P8 (increases refused, reductions with an approval), partner scoping
and the batched quotes of a page of registrations."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

from partners.discounts.tables import DiscountPolicy, DiscountProgramRate
from partners.opportunities.enums import OpportunityPartnerRole as Role
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.registrations.tables import DealRegistration
from server.testing import make_partner
from tests.schema.discounts import (
    add_policy,
    add_policy_ok,
    amount,
    approve_reduction,
    iso,
    line,
    pct,
    quote,
    quote_payload,
    today,
    total,
)
from tests.schema.registrations import approved, register
from tests.schema.sales import create_account, create_opportunity, gid, move_ok, only_error, pk, put_partner


async def registered_opportunity(gql, world, partner_token: str = "alpha_user", **fields) -> tuple[dict, dict]:
    reg = await register(gql, world, partner_token, **fields)
    reg = await approved(gql, world, reg["id"])
    return reg, reg["opportunity"]


# ---------------------------------------------------------------- line rules


async def test_d5_registered_and_sourced_deal_earns_the_track_and_type_rate(gql, world):
    await add_policy_ok(gql, world)
    _, opp = await registered_opportunity(gql, world)
    q = await quote(gql, world, opp["id"], "alpha")
    partner_line = line(q)
    assert (partner_line["basis"], partner_line["rule"], pct(partner_line)) == ("REGISTERED", "D5", D(10))
    assert partner_line["basisMoney"] == {"amount": "17400.00", "currency": "USD"} == q["listMoney"]
    assert partner_line["amountMoney"] == {"amount": "1740.00", "currency": "USD"} == q["totalMoney"]
    assert q["currency"] == "USD"
    assert q["route"] == "DIRECT" and q["partner"]["name"] == "Alpha Resellers"
    assert partner_line["source"] == "policy" and partner_line["partner"]["name"] == "Alpha Resellers"
    # REFERRAL of a SELECT partner: the other cell of the matrix.
    await make_partner_select(world)
    _, referral = await registered_opportunity(gql, world, customer={"prospect": {"name": "Initech"}},
                                               type="REFERRAL", products=["security"])
    assert pct(line(await quote(gql, world, referral["id"], "alpha", amountMoney={"amount": "1000"}))) == D(10)


async def make_partner_select(world) -> None:
    from partners.people.tables import Partner

    await Partner.update({Partner.track: PartnerTrack.SELECT.value}).where(Partner.id == world.partners["alpha"])


async def test_p7_cosell_partner_brought_in_by_sales_gets_the_cosell_rate(gql, world):
    await add_policy_ok(gql, world, co_sell=7.5)
    opp = await create_opportunity(gql, world, await create_account(gql, world), amount=20000.0)
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    q = await quote(gql, world, opp["id"], "alpha")
    assert (line(q)["basis"], line(q)["rule"], pct(line(q)), total(q)) == ("CO_SELL", "P7", D("7.5"), D(1500))
    # D5: neither sourced nor selling (an influencer, or not on the team): no discount.
    await put_partner(opp["id"], world.partners["beta"], Role.INFLUENCER)
    refused = await quote_payload(gql, world, opp["id"], "beta")
    assert refused["quote"] is None
    assert (only_error(refused)["code"], only_error(refused)["rule"]) == ("NOT_ON_THE_DEAL", "D5")
    # P1: a DENIED partner is out of the program, whatever its place on the team.
    denied = await make_partner("Delta Denied", nickname="DELTA", status=PartnerStatus.DENIED)
    await put_partner(opp["id"], denied, Role.RESELLER)
    refused = await quote_payload(gql, world, opp["id"], denied)
    assert (only_error(refused)["code"], only_error(refused)["rule"]) == ("PARTNER_DENIED", "P1")


async def test_p7_tender_bidders_get_the_cosell_rate_unless_they_sourced_it_before(gql, world):
    await add_policy_ok(gql, world, co_sell=7.5)
    reg, opp = await registered_opportunity(gql, world)
    submitted = datetime.fromisoformat(reg["submittedAt"]).date()
    later = await quote(gql, world, opp["id"], "alpha", tender={"publishedOn": iso(submitted, 1)})
    assert (line(later)["basis"], line(later)["rule"], pct(line(later))) == ("TENDER_SOURCED", "P7", D(10))
    earlier = await quote(gql, world, opp["id"], "alpha", tender={"publishedOn": iso(submitted)})
    assert (line(earlier)["basis"], pct(line(earlier))) == ("TENDER", D("7.5"))
    # Every bidding partner gets the co-sell rate, on the team or not.
    bidder = await quote(gql, world, opp["id"], "beta", tender={"publishedOn": iso(submitted)})
    assert (line(bidder)["basis"], pct(line(bidder))) == ("TENDER", D("7.5"))


async def test_p7_renewal_incumbent_keeps_last_years_discount_others_quote_list_price(gql, world):
    """The incumbent is the primary partner of the renewed deal; its discount there is
    computed with the policy of that deal's date, so a later policy does not change it."""
    await add_policy_ok(gql, world, co_sell=5.0)
    account = await create_account(gql, world)
    last_year = await create_opportunity(gql, world, account, closeDate=iso(today()))
    await put_partner(last_year["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    renewal = await create_opportunity(gql, world, account, type="RENEWAL", parentId=last_year["id"],
                                       name="Acme, Inc- 50 Premium Renewal", amount=10000.0)
    await put_partner(renewal["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    await put_partner(renewal["id"], world.partners["beta"], Role.RESELLER)
    await add_policy_ok(gql, world, effective_from=iso(today(), 1), co_sell=9.0)
    next_week = iso(today(), 7)
    incumbent = await quote(gql, world, renewal["id"], "alpha", date=next_week)
    assert (line(incumbent)["basis"], line(incumbent)["rule"], pct(line(incumbent))) == (
        "RENEWAL_INCUMBENT", "P7", D(5))
    other = await quote(gql, world, renewal["id"], "beta", date=next_week)
    assert (line(other)["basis"], pct(line(other)), other["totalMoney"]) == (
        "RENEWAL_NON_INCUMBENT", D(0), {"amount": "0.00", "currency": "USD"})
    # A new co-sell deal of the same day gets the new policy's rate.
    fresh = await create_opportunity(gql, world, account, name="Acme, Inc- 10 Premium")
    await put_partner(fresh["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    assert pct(line(await quote(gql, world, fresh["id"], "alpha", date=next_week))) == D(9)


async def test_p10_open_partner_buys_through_the_regions_distributor_select_buys_direct(gql, world):
    await add_policy_ok(gql, world)
    await make_partner("Gamma Distribution", nickname="GAMMA", partner_type=PartnerType.DISTRIBUTOR)  # AMER
    _, opp = await registered_opportunity(gql, world)
    staff = await quote(gql, world, opp["id"], "alpha")
    assert (staff["route"], staff["distributorName"]) == ("DISTRIBUTOR", "Gamma Distribution")
    margin = line(staff, "DISTRIBUTOR_MARGIN")
    assert (margin["rule"], pct(margin), amount(margin), margin["partner"]["name"]) == (
        "P10", D(3), D("522.00"), "Gamma Distribution")
    assert total(staff) == D("1740.00") + D("522.00")
    # The partner user sees its route but never the distributor's margin (another partner's discount).
    own = await quote(gql, world, opp["id"], "alpha", token="alpha_user")
    assert own["route"] == "DISTRIBUTOR" and [l["kind"] for l in own["lines"]] == ["PARTNER_DISCOUNT"]
    assert own["totalMoney"]["amount"] == "1740.00"
    await make_partner_select(world)
    direct = await quote(gql, world, opp["id"], "alpha")
    assert (direct["route"], direct["distributorName"], pct(line(direct))) == ("DIRECT", None, D(20))
    assert [l["kind"] for l in direct["lines"]] == ["PARTNER_DISCOUNT"]


async def test_p10_partners_quoted_together_each_get_their_regions_authorized_distributor(gql, world):
    """Quotes of one request read the distributors once, for every region a quoted partner
    buys in: each partner gets the first authorized one of its own region, never another
    region's nor one that is not authorized (P1), and a region without one buys direct."""
    await add_policy_ok(gql, world)
    await make_partner("Sigma Distribution", nickname="SIGMA", partner_type=PartnerType.DISTRIBUTOR,
                       status=PartnerStatus.PROSPECT)  # AMER, first by id, not authorized
    await make_partner("Gamma Distribution", nickname="GAMMA", partner_type=PartnerType.DISTRIBUTOR)  # AMER
    epsilon = await make_partner("Epsilon Resellers", nickname="EPS", region=Region.EMEA, country="DE")
    zeta = await make_partner("Zeta Resellers", nickname="ZETA", region=Region.APJ, country="JP")
    opp = await create_opportunity(gql, world, await create_account(gql, world), amount=20000.0)
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    for partner in (epsilon, zeta):
        await put_partner(opp["id"], partner, Role.RESELLER)
    fields = "route distributorName lines { kind rule percent }"
    body = await gql(f"""query($o: ID!, $a: ID!, $e: ID!, $z: ID!) {{
        alpha: discountQuote(input: {{opportunityId: $o, partnerId: $a}}) {{ quote {{ {fields} }} }}
        epsilon: discountQuote(input: {{opportunityId: $o, partnerId: $e}}) {{ quote {{ {fields} }} }}
        zeta: discountQuote(input: {{opportunityId: $o, partnerId: $z}}) {{ quote {{ {fields} }} }}
    }}""", {"o": opp["id"], "a": gid("Partner", world.partners["alpha"]), "e": gid("Partner", epsilon),
            "z": gid("Partner", zeta)}, token=world.tokens["admin"])
    quotes = {key: payload["quote"] for key, payload in body["data"].items()}
    assert (quotes["alpha"]["route"], quotes["alpha"]["distributorName"]) == ("DISTRIBUTOR", "Gamma Distribution")
    assert (quotes["epsilon"]["route"], quotes["epsilon"]["distributorName"]) == ("DISTRIBUTOR", "Beta Distribution")
    assert (quotes["zeta"]["route"], quotes["zeta"]["distributorName"]) == ("DIRECT", None)
    assert [line["kind"] for line in quotes["zeta"]["lines"]] == ["PARTNER_DISCOUNT"]
    for key in ("alpha", "epsilon"):
        assert [(l["kind"], l["rule"], l["percent"]) for l in quotes[key]["lines"]] == [
            ("PARTNER_DISCOUNT", "P7", "7.5"), ("DISTRIBUTOR_MARGIN", "P10", "3")]


async def test_p9_only_the_quoted_partners_own_services_attach_engagements_stack(gql, world):
    """The services-attach registrations read for a quote are the quoted partner's own:
    another partner's engagements on the same deal earn it nothing."""
    await add_policy_ok(gql, world)
    _, opp = await _services_attach(gql, world, "Acme, Inc")
    await put_partner(opp["id"], world.partners["beta"], Role.RESELLER)
    alpha = await quote(gql, world, opp["id"], "alpha")
    assert pct(line(alpha, "SERVICES_ATTACH")) == D("2.5")
    beta = await quote(gql, world, opp["id"], "beta")
    assert [l["kind"] for l in beta["lines"]] == ["PARTNER_DISCOUNT"]


async def test_d6_paid_poc_is_a_separate_customer_line_from_the_matrix(gql, world):
    await add_policy_ok(gql, world)
    _, opp = await registered_opportunity(gql, world)
    q = await quote(gql, world, opp["id"], "alpha", amountMoney={"amount": "5000", "currency": "USD"},
                    paidPoc={"users": 12, "months": 12})
    poc = line(q, "CUSTOMER_DISCOUNT")
    assert (poc["key"], poc["rule"], pct(poc), amount(poc), poc["partner"]) == ("paid_poc", "D6", D(15), D(750), None)
    assert amount(line(q)) == D(500) and q["totalMoney"] == {"amount": "1250.00", "currency": "USD"}
    too_many = await quote_payload(gql, world, opp["id"], "alpha", paidPoc={"users": 21, "months": 12})
    assert (only_error(too_many)["code"], only_error(too_many)["rule"], only_error(too_many)["field"]) == (
        "PAID_POC_USERS", "D6", ["paidPoc", "users"])
    short = await quote_payload(gql, world, opp["id"], "alpha", paidPoc={"users": 5, "months": 6})
    assert (only_error(short)["code"], only_error(short)["rule"]) == ("PAID_POC_TOO_SHORT", "D6")


async def _services_attach(gql, world, name: str, net_arr: float = 40000.0) -> tuple[dict, dict]:
    """A closed-won deal with alpha's approved services-attach registration (P9)."""
    opp = await create_opportunity(gql, world, await create_account(gql, world, name=name), name=f"{name}- 50 Premium",
                                   netArr=net_arr)
    await move_ok(gql, world, opp["id"], "DISCOVERY", "CLOSED_WON")
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)  # alpha sees it (R9)
    reg = await register(gql, world, customer={"prospect": None}, type="SERVICES_ATTACH", opportunityId=opp["id"])
    return await approved(gql, world, reg["id"]), opp


async def test_p9_services_attach_stacks_per_engagement_up_to_the_cap(gql, world):
    await add_policy_ok(gql, world)
    reg1, first = await _services_attach(gql, world, "Acme, Inc")
    q = await quote(gql, world, first["id"], "alpha", token="alpha_user")
    services = line(q, "SERVICES_ATTACH")
    assert (services["rule"], pct(services), services["basisMoney"]["amount"], services["amountMoney"]["amount"]) == (
        "P9", D("2.5"), "40000.00", "1000.00")
    # Stacked on the partner's own discount for reselling the deal (co-sell, amount 12,000).
    assert [l["kind"] for l in q["lines"]] == ["PARTNER_DISCOUNT", "SERVICES_ATTACH"]
    assert total(q) == D("900.00") + D("1000.00")
    await _services_attach(gql, world, "Globex, Corp")
    _, third = await _services_attach(gql, world, "Initech, Ltd")
    assert line(await quote(gql, world, third["id"], "alpha"), "SERVICES_ATTACH")["percent"] == "7.5"
    _, fourth = await _services_attach(gql, world, "Hooli, Inc")
    capped = line(await quote(gql, world, fourth["id"], "alpha"), "SERVICES_ATTACH")
    assert (capped["percent"], capped["amountMoney"]["amount"]) == ("7.5", "3000.00"), "at most 3 engagements: 7.5 %"
    assert "capped" in capped["label"]
    # Only engagements of the last 12 months stack: age three of them.
    old = datetime.now(timezone.utc) - timedelta(days=400)
    await DealRegistration.update({DealRegistration.approved_at: old}).where(
        DealRegistration.id.is_in([pk(reg1["id"])]))
    assert pct(line(await quote(gql, world, fourth["id"], "alpha"), "SERVICES_ATTACH")) == D("7.5")
    await DealRegistration.update({DealRegistration.approved_at: old}).where(
        DealRegistration.registration_type == "SERVICES_ATTACH")
    await DealRegistration.update({DealRegistration.approved_at: datetime.now(timezone.utc)}).where(
        DealRegistration.opportunity == pk(fourth["id"]))
    assert pct(line(await quote(gql, world, fourth["id"], "alpha"), "SERVICES_ATTACH")) == D("2.5")


# ---------------------------------------------------------------- P8


async def test_p8_increases_are_refused_reductions_need_an_approval(gql, world):
    await add_policy_ok(gql, world)
    _, opp = await registered_opportunity(gql, world)
    up = await quote_payload(gql, world, opp["id"], "alpha", requestedPercent="12")
    assert up["quote"] is None
    assert (only_error(up)["code"], only_error(up)["rule"], only_error(up)["field"]) == (
        "DISCOUNT_INCREASE_REFUSED", "P8", ["requestedPercent"])
    same = await quote(gql, world, opp["id"], "alpha", requestedPercent="10.00")
    assert pct(line(same)) == D(10) and line(same)["approval"] is None
    down = await quote_payload(gql, world, opp["id"], "alpha", requestedPercent="8")
    assert (only_error(down)["code"], only_error(down)["rule"]) == ("APPROVAL_REQUIRED", "P8")
    # Approvals: a channel manager of the customer's region (or an admin), with a reason.
    assert (await approve_reduction(gql, world, opp["id"], "alpha", 8.0, token="cm_emea"))["errors"][0]["code"] == \
        "NOT_REGION_APPROVER"
    assert only_error(await approve_reduction(gql, world, opp["id"], "alpha", 8.0, reason=" "))["code"] == \
        "REASON_REQUIRED"
    forbidden = await gql("""mutation($input: ApproveDiscountReductionInput!) { approveDiscountReduction(input: $input)
        { errors { code } } }""", {"input": {"opportunityId": opp["id"], "partnerId": gid("Partner", world.partners["alpha"]),
                                            "percent": "8", "reason": "x"}}, token=world.tokens["alpha_user"], errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    approval = (await approve_reduction(gql, world, opp["id"], "alpha", 8.0))["discountApproval"]
    assert approval["approvedBy"]["email"] == "cm_amer@cosell.test"
    # The partner user quotes the reduced rate with the approval it may see.
    reduced = await quote(gql, world, opp["id"], "alpha", token="alpha_user", requestedPercent="8",
                          approvalId=approval["id"])
    assert (pct(line(reduced)), amount(line(reduced)), line(reduced)["approval"]["id"]) == (
        D(8), D("1392.00"), approval["id"])
    assert reduced["totalMoney"]["amount"] == "1392.00"
    mismatch = await quote_payload(gql, world, opp["id"], "alpha", requestedPercent="7", approvalId=approval["id"])
    assert (only_error(mismatch)["code"], only_error(mismatch)["field"]) == ("APPROVAL_MISMATCH", ["approvalId"])
    # Another partner cannot use it.
    await put_partner(opp["id"], world.partners["beta"], Role.RESELLER)
    other = await quote_payload(gql, world, opp["id"], "beta", requestedPercent="7", approvalId=approval["id"])
    assert only_error(other)["code"] == "NOT_FOUND"


# ---------------------------------------------------------------- policy versions and dates


async def test_policy_versions_never_rewrite_history(gql, world):
    first = await add_policy_ok(gql, world, effective_from="2020-01-01", co_sell="5")
    opp = await create_opportunity(gql, world, await create_account(gql, world), amount=1000.0)
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    tomorrow = iso(today(), 1)
    # History is fixed: a version may not start on or before today once a policy applied then.
    for start in ("2021-06-01", iso(today())):
        refused = await add_policy(gql, world, effective_from=start)
        assert (only_error(refused)["code"], only_error(refused)["rule"]) == ("POLICY_HISTORY_IS_FIXED", "D5")
    second = await add_policy_ok(gql, world, effective_from=tomorrow, co_sell="9")
    policies = (await gql("{ discountPolicies { nodes { id effectiveFrom effectiveTo coSellPercent } } }",
                          token=world.tokens["cm_amer"]))["data"]["discountPolicies"]["nodes"]
    assert [(p["effectiveFrom"], p["effectiveTo"], p["coSellPercent"]) for p in policies] == [
        ("2020-01-01", tomorrow, "5"), (tomorrow, None, "9")]
    assert pct(line(await quote(gql, world, opp["id"], "alpha"))) == D(5)  # today: the first version
    later = await quote(gql, world, opp["id"], "alpha", date=tomorrow)
    assert pct(line(later)) == D(9) and later["policy"]["id"] == second["id"] != first["id"]
    before = await quote_payload(gql, world, opp["id"], "alpha", date="2019-12-31")
    assert (only_error(before)["code"], only_error(before)["field"]) == ("NO_POLICY_IN_EFFECT", ["date"])
    # A closed range in the future, then one overlapping it.
    await add_policy_ok(gql, world, effective_from=iso(today(), 10), effectiveTo=iso(today(), 20), co_sell="6")
    overlap = await add_policy(gql, world, effective_from=iso(today(), 15))
    assert (only_error(overlap)["code"], only_error(overlap)["rule"]) == ("POLICY_RANGES_OVERLAP", "D5")
    assert pct(line(await quote(gql, world, opp["id"], "alpha", date=iso(today(), 12)))) == D(6)
    assert await DiscountPolicy.count() == 3


async def test_policy_input_is_checked_and_only_admins_edit_it(gql, world):
    bad = await add_policy(gql, world, co_sell="100.01", rates={"OPEN": {"RESALE": "-1"}},
                           effectiveTo="2019-01-01", pocRates=[{"minUsers": 5, "maxUsers": 12, "percent": "10"},
                                                                {"minUsers": 10, "maxUsers": 20, "percent": "15"}])
    codes = {(e["code"], e["rule"], tuple(e["field"])) for e in bad["errors"]}
    assert ("RATE_OUT_OF_RANGE", "P7", ("coSellPercent",)) in codes
    assert ("RATE_OUT_OF_RANGE", "D5", ("programRates", "0", "percent")) in codes
    assert ("MISSING_RATE", "D5", ("programRates",)) in codes
    assert ("INVALID_RANGE", "D5", ("effectiveTo",)) in codes
    assert ("POC_BANDS_OVERLAP", "D6", ("pocRates", "1")) in codes
    assert bad["discountPolicy"] is None and await DiscountPolicy.count() == 0
    assert await DiscountProgramRate.count() == 0
    for role in ("cm_amer", "sales_ops", "alpha_user"):
        body = await gql("""mutation($input: AddDiscountPolicyInput!) { addDiscountPolicy(input: $input)
            { errors { code } } }""", {"input": {"effectiveFrom": "2020-01-01", "coSellRate": 5, "programRates": []}},
                         token=world.tokens[role], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    partner = await gql("{ discountPolicies { totalCount } }", token=world.tokens["alpha_user"], errors=True)
    assert partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ---------------------------------------------------------------- who sees what


async def test_partner_users_quote_only_their_own_partner_on_deals_they_see(gql, world):
    await add_policy_ok(gql, world)
    _, opp = await registered_opportunity(gql, world)
    own = await quote(gql, world, opp["id"], "alpha", token="alpha_user")
    assert pct(line(own)) == D(10) and own["policy"] is None, "the policy itself is staff-only"
    other_partner = await quote_payload(gql, world, opp["id"], "alpha", token="beta_user")
    assert (only_error(other_partner)["code"], only_error(other_partner)["field"]) == ("NOT_FOUND", ["partnerId"])
    # beta quoting itself on a deal it is not on (R9): as if it did not exist.
    hidden = await quote_payload(gql, world, opp["id"], "beta", token="beta_user")
    assert (only_error(hidden)["code"], only_error(hidden)["field"]) == ("NOT_FOUND", ["opportunityId"])
    anonymous = await gql("query($i: DiscountQuoteInput!) { discountQuote(input: $i) { errors { code } } }",
                          {"i": {"opportunityId": opp["id"], "partnerId": gid("Partner", world.partners["alpha"])}},
                          errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_registrations_show_their_discount_quote_without_n_plus_one(gql, world):
    """The portal dashboard: a page of registrations, each with its quote; the SQL
    statements of the request do not grow with the page size."""
    await add_policy_ok(gql, world)
    for i in range(6):
        await registered_opportunity(gql, world, customer={"prospect": {"name": f"Customer {i}"}})
    pending = await register(gql, world, customer={"prospect": {"name": "Pending, Inc"}})
    query = """query($n: Int) { dealRegistrations(first: $n) { nodes { id status discountQuote {
        totalMoney { amount currency } route lines { kind rule percent amountMoney { amount } partner { name } }
        opportunity { name } } } } }"""
    small = await gql(query, {"n": 2}, token=world.tokens["alpha_user"])
    large = await gql(query, {"n": 7}, token=world.tokens["alpha_user"])
    nodes = large["data"]["dealRegistrations"]["nodes"]
    assert len(nodes) == 7
    quoted = [n for n in nodes if n["discountQuote"]]
    assert len(quoted) == 6 and all(n["discountQuote"]["totalMoney"] == {"amount": "1740.00", "currency": "USD"}
                                    for n in quoted)
    assert next(n for n in nodes if n["id"] == pending["id"])["discountQuote"] is None, "no opportunity yet"
    assert small["extensions"]["sqlStatements"] == large["extensions"]["sqlStatements"]
    staff = await gql(query, {"n": 7}, token=world.tokens["cm_amer"])
    assert staff["extensions"]["sqlStatements"] == large["extensions"]["sqlStatements"]
