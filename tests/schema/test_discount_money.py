"""Exact quotes through GraphQL (issue 40): Money and percent fields, the opportunity's
currency (JPY, BHD), CURRENCY_MISMATCH on an amount in another currency, AMBIGUOUS_* when
a Decimal and its deprecated Float are both given, exact P8 comparisons, and the
deprecated Float fields still answering."""

from decimal import Decimal as D

from partners.opportunities.enums import OpportunityPartnerRole as Role
from partners.opportunities.tables import Opportunity
from tests.schema.discounts import (
    add_policy,
    add_policy_ok,
    amount,
    approve_reduction,
    line,
    pct,
    quote,
    quote_payload,
    total,
)
from tests.schema.registrations import approved, register
from tests.schema.sales import create_account, create_opportunity, gid, only_error, pk, put_partner


async def _cosell_deal(gql, world, currency: str = "USD", amount_: str = "20000", co_sell: str = "7.5") -> str:
    await add_policy_ok(gql, world, co_sell=co_sell)
    opp = await create_opportunity(gql, world, await create_account(gql, world), amount=1.0)
    # The opportunity's currency is set by its owner's API (another part of issue 40); here the row.
    await Opportunity.update({Opportunity.currency: currency, Opportunity.amount: D(amount_),
                              Opportunity.net_arr: D(amount_)}).where(Opportunity.id == pk(opp["id"]))
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    return opp["id"]


async def test_quotes_are_in_the_opportunitys_currency_rounded_half_up_to_its_minor_unit(gql, world):
    opp = await _cosell_deal(gql, world, "JPY", "1234567")
    q = await quote(gql, world, opp, "alpha")
    assert q["currency"] == "JPY" and q["listMoney"] == {"amount": "1234567", "currency": "JPY"}
    # 7.5 % of ¥1,234,567 = ¥92,592.525 → ¥92,593 (half up, no decimals in yen).
    assert line(q)["amountMoney"] == {"amount": "92593", "currency": "JPY"} == q["totalMoney"]
    yen = await quote_payload(gql, world, opp, "alpha", amountMoney={"amount": "1234.5"})
    assert (only_error(yen)["code"], only_error(yen)["rule"]) == ("TOO_MANY_DECIMALS", "D5")
    await Opportunity.update({Opportunity.currency: "BHD"}).where(Opportunity.id == pk(opp))
    q = await quote(gql, world, opp, "alpha", amountMoney={"amount": "1234.567"})
    # 7.5 % of 1234.567 BHD = 92.592525 → 92.593 (three decimals: fils).
    assert (q["currency"], amount(line(q)), line(q)["basisMoney"]["amount"]) == ("BHD", D("92.593"), "1234.567")


async def test_an_amount_in_another_currency_is_refused_never_converted(gql, world):
    opp = await _cosell_deal(gql, world, "EUR")
    refused = await quote_payload(gql, world, opp, "alpha", amountMoney={"amount": "1000", "currency": "USD"})
    assert refused["quote"] is None
    assert (only_error(refused)["code"], only_error(refused)["rule"], only_error(refused)["field"]) == (
        "CURRENCY_MISMATCH", "D5", ["amountMoney"])
    invalid = await quote_payload(gql, world, opp, "alpha", amountMoney={"amount": "1000", "currency": "eur"})
    assert (only_error(invalid)["code"], only_error(invalid)["field"]) == ("INVALID_CURRENCY", ["amountMoney", "currency"])
    ok = await quote(gql, world, opp, "alpha", amountMoney={"amount": "1000", "currency": "EUR"})
    assert ok["totalMoney"] == {"amount": "75.00", "currency": "EUR"}
    # More decimals than the currency has: refused, never rounded silently.
    for given, field in (({"amountMoney": {"amount": "10.005"}}, "amountMoney"), ({"amount": 10.005}, "amount")):
        decimals = await quote_payload(gql, world, opp, "alpha", **given)
        assert (only_error(decimals)["code"], only_error(decimals)["field"]) == ("TOO_MANY_DECIMALS", [field])
    negative = await quote_payload(gql, world, opp, "alpha", amountMoney={"amount": "-1"})
    assert only_error(negative)["code"] == "NEGATIVE_AMOUNT"


async def test_a_decimal_and_its_deprecated_float_together_are_ambiguous(gql, world):
    opp = await _cosell_deal(gql, world)
    both = await quote_payload(gql, world, opp, "alpha", amount=100.0, amountMoney={"amount": "100"})
    assert (only_error(both)["code"], only_error(both)["field"]) == ("AMBIGUOUS_AMOUNT", ["amountMoney"])
    rates = await quote_payload(gql, world, opp, "alpha", requestedRate=5.0, requestedPercent="5")
    assert (only_error(rates)["code"], only_error(rates)["field"]) == ("AMBIGUOUS_RATE", ["requestedPercent"])
    approval = await approve_reduction(gql, world, opp, "alpha", "5")  # percent given; now both:
    assert approval["errors"] == []
    body = await gql("""mutation($i: ApproveDiscountReductionInput!) { approveDiscountReduction(input: $i) {
        errors { code field } } }""", {"i": {"opportunityId": opp, "partnerId": gid("Partner", world.partners["alpha"]),
                                             "percent": "5", "rate": 5.0, "reason": "x"}}, token=world.tokens["cm_amer"])
    assert body["data"]["approveDiscountReduction"]["errors"] == [{"code": "AMBIGUOUS_RATE", "field": ["percent"]}]
    policy = await add_policy(gql, world, effective_from="2031-01-01", coSellRate=5.0)
    assert [(e["code"], e["field"]) for e in policy["errors"]] == [("AMBIGUOUS_RATE", ["coSellPercent"])]
    missing = await add_policy(gql, world, effective_from="2031-01-01", coSellPercent=None)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("REQUIRED", ["coSellPercent"])]


async def test_p8_compares_exactly(gql, world):
    """12.5 requested on a 12.5 line is no reduction; 12.49 is one and needs an approval of
    exactly 12.49 (an approval of 12.5 or 12.490001 does not do)."""
    await add_policy_ok(gql, world, rates={t: {k: "12.5" for k in ("RESALE", "REFERRAL", "MSP")}
                                           for t in ("OPEN", "SELECT", "SELECT_SERVICES")})
    reg = await approved(gql, world, (await register(gql, world, "alpha_user"))["id"])
    opp = reg["opportunity"]["id"]
    same = await quote(gql, world, opp, "alpha", requestedPercent="12.500")
    assert pct(line(same)) == D("12.5") and line(same)["approval"] is None
    legacy = await quote(gql, world, opp, "alpha", requestedRate=12.5)  # the deprecated Float, by its repr
    assert pct(line(legacy)) == D("12.5")
    up = await quote_payload(gql, world, opp, "alpha", requestedPercent="12.5000001")
    assert only_error(up)["code"] == "DISCOUNT_INCREASE_REFUSED"
    down = await quote_payload(gql, world, opp, "alpha", requestedPercent="12.49")
    assert (only_error(down)["code"], only_error(down)["field"]) == ("APPROVAL_REQUIRED", ["approvalId"])
    near = (await approve_reduction(gql, world, opp, "alpha", "12.490001"))["discountApproval"]
    mismatch = await quote_payload(gql, world, opp, "alpha", requestedPercent="12.49", approvalId=near["id"])
    assert only_error(mismatch)["code"] == "APPROVAL_MISMATCH"
    exact = (await approve_reduction(gql, world, opp, "alpha", "12.49"))["discountApproval"]
    assert exact["percent"] == "12.49"
    reduced = await quote(gql, world, opp, "alpha", requestedPercent="12.49", approvalId=exact["id"])
    # 12.49 % of 17,400.00 = 2,173.26 exactly; the line is recomputed from the reduced rate.
    assert (pct(line(reduced)), amount(line(reduced)), total(reduced)) == (D("12.49"), D("2173.26"), D("2173.26"))
    legacy = await quote(gql, world, opp, "alpha", requestedRate=12.49, approvalId=exact["id"])
    assert legacy["totalMoney"]["amount"] == "2173.26"


async def test_deprecated_float_fields_still_answer(gql, world):
    """One deprecation cycle: the Float fields answer the same figures as floats, and the
    Float inputs are read as written."""
    await add_policy_ok(gql, world, effective_from="2020-01-01", programRates=[
        {"track": t, "registrationType": k, "rate": 10.0} for t in ("OPEN", "SELECT", "SELECT_SERVICES")
        for k in ("RESALE", "REFERRAL", "MSP")], coSellPercent=None, coSellRate=7.5,
        distributorMarginPercent=None, distributorMarginRate=3.0, servicesAttachRate=2.5)
    opp = await _cosell_deal_without_policy(gql, world)
    body = await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { quote {
        listAmount total listMoney { amount } lines { rate percent basisAmount amount amountMoney { amount } } } } }""",
                     {"i": {"opportunityId": opp, "partnerId": gid("Partner", world.partners["alpha"]),
                            "amount": 999.99}}, token=world.tokens["admin"])
    q = body["data"]["discountQuote"]["quote"]
    assert (q["listAmount"], q["total"], q["listMoney"]["amount"]) == (999.99, 75.0, "999.99")
    assert q["lines"] == [{"rate": 7.5, "percent": "7.5", "basisAmount": 999.99, "amount": 75.0,
                           "amountMoney": {"amount": "75.00"}}]  # 74.99925 half up
    policy = (await gql("""{ discountPolicies { nodes { coSellRate coSellPercent servicesAttachRate
        servicesAttachPercent servicesAttachCap servicesAttachCapPercent distributorMarginRate distributorMarginPercent
        programRates { rate percent } pocRates { rate percent } } } }""", token=world.tokens["admin"]))
    (p,) = policy["data"]["discountPolicies"]["nodes"]
    assert (p["coSellRate"], p["coSellPercent"], p["servicesAttachCap"], p["servicesAttachCapPercent"]) == (
        7.5, "7.5", 7.5, "7.5")
    assert (p["distributorMarginRate"], p["distributorMarginPercent"]) == (3.0, "3.0")
    assert p["programRates"][0] == {"rate": 10.0, "percent": "10.0"}
    assert p["pocRates"][0] == {"rate": 10.0, "percent": "10"}
    deprecated = (await gql("""{ __type(name: "DiscountLine") { fields(includeDeprecated: true) {
        name isDeprecated deprecationReason } } }""", token=world.tokens["admin"]))["data"]["__type"]["fields"]
    reasons = {f["name"]: f["deprecationReason"] for f in deprecated if f["isDeprecated"]}
    assert reasons == {"rate": "Use percent: an exact percentage (issue 40).",
                       "basisAmount": "Use basisMoney: exact, with its currency (issue 40).",
                       "amount": "Use amountMoney: exact, with its currency (issue 40)."}


async def _cosell_deal_without_policy(gql, world) -> str:
    opp = await create_opportunity(gql, world, await create_account(gql, world), amount=20000.0)
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER, primary=True)
    return opp["id"]


async def test_partner_users_see_only_their_own_lines_and_total(gql, world):
    """Scoping is unchanged by the Money fields: the distributor's margin is another
    partner's discount, absent from the partner user's lines and total."""
    from partners.people.enums import PartnerType
    from server.testing import make_partner

    await make_partner("Gamma Distribution", nickname="GAMMA", partner_type=PartnerType.DISTRIBUTOR)
    opp = await _cosell_deal(gql, world, "EUR", "1000")
    staff = await quote(gql, world, opp, "alpha")
    own = await quote(gql, world, opp, "alpha", token="alpha_user")
    assert [l["kind"] for l in staff["lines"]] == ["PARTNER_DISCOUNT", "DISTRIBUTOR_MARGIN"]
    assert staff["totalMoney"] == {"amount": "105.00", "currency": "EUR"}
    assert [l["kind"] for l in own["lines"]] == ["PARTNER_DISCOUNT"]
    assert own["totalMoney"] == {"amount": "75.00", "currency": "EUR"} and own["policy"] is None


async def test_a_malformed_decimal_is_the_clients_error_never_an_internal_one(gql, world):
    opp = await _cosell_deal(gql, world)
    partner = gid("Partner", world.partners["alpha"])
    for literal in ('"12,5"', '"a\\u0000b"', '"NaN"', '""'):
        body = await gql(f"""query($o: ID!, $p: ID!) {{ discountQuote(input: {{opportunityId: $o, partnerId: $p,
            requestedPercent: {literal}}}) {{ errors {{ code }} }} }}""", {"o": opp, "p": partner},
                         token=world.tokens["admin"], errors=True)
        (error,) = body["errors"]
        assert error["extensions"].get("code") != "INTERNAL_SERVER_ERROR", error
        assert "decimal" in error["message"].lower(), error
    body = await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { errors { code } } }""",
                     {"i": {"opportunityId": opp, "partnerId": partner, "requestedPercent": "1e"}},
                     token=world.tokens["admin"], errors=True)
    assert body["errors"][0]["extensions"].get("code") != "INTERNAL_SERVER_ERROR"
