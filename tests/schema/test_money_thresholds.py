"""Issue 40: O11's and A7's thresholds are stated in USD, so an amount in another currency
is compared at its USD value on its day: a closed opportunity's close date, else today;
cARR today. The rates are dated data (ExchangeRate rows, inserted here directly); a new
rate changes the answer on the next request; without a rate the flags are null."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from partners.infra.clock import now
from partners.money.tables import ExchangeRate
from partners.opportunities.tables import Opportunity
from tests.schema.sales import create_account, create_opportunity, pk

FLAGS = """query($id: ID!) { node(id: $id) { ... on Opportunity { currency requiresClosePlan requiresCommandPlan
    inRedGreenReview countsAsNewLogo amountUsd { source { amount currency } result { amount currency } rate rateDate }
    netArrUsd { result { amount } } } } }"""
ACCOUNT = """query($id: ID!) { node(id: $id) { ... on Account { isGlobalDigitalSmb
    carrUsd { result { amount currency } rate rateDate } } } }"""


async def rate(day, quote: str, value: str, base: str = "EUR") -> None:
    await ExchangeRate(day=day, base=base, quote=quote, rate=Decimal(value), source="test",
                       imported_at=datetime.now(timezone.utc)).save()


async def flags(gql, world, opp_id: str, token: str = "admin") -> dict:
    return (await gql(FLAGS, {"id": opp_id}, token=world.tokens[token]))["data"]["node"]


async def test_o11_close_plan_follows_the_eur_usd_rate_of_the_day(gql, world):
    today = now().date()
    de = await create_account(gql, world, name="Berlin GmbH", country="DE", region="EMEA", employeesDataFox=20)
    opp = await create_opportunity(gql, world, de, amount=None, netArr=None, amountMoney={"amount": "5000.00"},
                                   netArrMoney={"amount": "1900.00"})
    # No EUR rate yet: the flags that depend on an amount are null, not a guess.
    before = await flags(gql, world, opp["id"])
    assert before["currency"] == "EUR"
    assert before["requiresClosePlan"] is None and before["amountUsd"] is None
    assert before["inRedGreenReview"] is None and before["countsAsNewLogo"] is False, "new logo needs > 50 seats"

    await rate(today - timedelta(days=3), "USD", "1.10")  # 5,000 EUR = 5,500 USD: over $5k (SMB)
    over = await flags(gql, world, opp["id"])
    assert over["requiresClosePlan"] is True
    assert over["amountUsd"] == {"source": {"amount": "5000.00", "currency": "EUR"},
                                 "result": {"amount": "5500.00", "currency": "USD"}, "rate": "1.10",
                                 "rateDate": (today - timedelta(days=3)).isoformat()}
    assert over["inRedGreenReview"] is True, "1,900 EUR = 2,090 USD: at $2k"

    await rate(today, "USD", "0.95")  # today's rate: 4,750 USD, under
    under = await flags(gql, world, opp["id"])
    assert under["requiresClosePlan"] is False and under["amountUsd"]["result"]["amount"] == "4750.00"
    assert under["inRedGreenReview"] is False, "1,900 EUR = 1,805 USD"

    # Closed, it converts at its close date's rate, whatever today's is.
    closed_at = datetime.combine(today - timedelta(days=2), datetime.min.time(), tzinfo=timezone.utc)
    await Opportunity.update({Opportunity.stage: "8-Closed Lost", Opportunity.loss_reason: "NO_BUDGET",
                              Opportunity.closed_at: closed_at}).where(Opportunity.id == pk(opp["id"]))
    closed = await flags(gql, world, opp["id"])
    assert closed["requiresClosePlan"] is True and closed["amountUsd"]["rate"] == "1.10"

    # Partner users never read the internal thresholds or the conversions.
    assert (await gql(FLAGS, {"id": opp["id"]}, token=world.tokens["alpha_user"]))["data"]["node"] is None


async def test_usd_records_convert_at_rate_one_and_crossed_rates_work(gql, world):
    us = await create_account(gql, world, country="US", employeesDataFox=20)
    usd = await create_opportunity(gql, world, us, amount=None, netArr=None, amountMoney={"amount": "5000.01"})
    got = await flags(gql, world, usd["id"])
    assert got["requiresClosePlan"] is True, "one cent over $5,000"
    assert got["amountUsd"] == {"source": {"amount": "5000.01", "currency": "USD"},
                                "result": {"amount": "5000.01", "currency": "USD"}, "rate": "1",
                                "rateDate": now().date().isoformat()}
    assert got["netArrUsd"] is None and got["requiresCommandPlan"] is False, "no net ARR: read as 0"
    # JPY through EUR (the ECB quotes both against EUR): 800,000 JPY at 1.08 / 160 = 5,400 USD.
    jp = await create_account(gql, world, name="Tokyo KK", country="JP", region="APJ", employeesDataFox=20)
    jpy = await create_opportunity(gql, world, jp, amount=800000.0, netArr=None)
    day = now().date() - timedelta(days=1)
    await rate(day, "USD", "1.08")
    await rate(day, "JPY", "160")
    got = await flags(gql, world, jpy["id"])
    assert got["currency"] == "JPY" and got["requiresClosePlan"] is True
    assert got["amountUsd"]["result"] == {"amount": "5400.00", "currency": "USD"}


async def test_channel_managed_title_answers_without_a_rate(gql, world):
    se = await create_account(gql, world, name="Stockholm AB", country="SE", region="EMEA")
    opp = await create_opportunity(gql, world, se, name="Stockholm AB- 50 Premium Channel-Managed", amount=None,
                                   netArr=None, netArrMoney={"amount": "900000"})
    got = await flags(gql, world, opp["id"])
    assert got["currency"] == "SEK"
    assert got["requiresCommandPlan"] is False, "O11: channel-managed deals never need a command plan"
    assert got["inRedGreenReview"] is None


async def test_a7_carr_converts_at_todays_rate(gql, world):
    today = now().date()
    gb = await create_account(gql, world, name="London Ltd", country="GB", region="EMEA", employeesDataFox=30,
                              carrMoney={"amount": "24000.00"})
    jp = await create_account(gql, world, name="Tokyo KK", country="JP", region="APJ", employeesDataFox=30,
                              carrMoney={"amount": "1000"})
    assert (await gql(ACCOUNT, {"id": gb}, token=world.tokens["admin"]))["data"]["node"] == {
        "isGlobalDigitalSmb": None, "carrUsd": None}
    assert (await gql(ACCOUNT, {"id": jp}, token=world.tokens["admin"]))["data"]["node"]["isGlobalDigitalSmb"] \
        is False, "A7: never Japan, whatever the cARR"
    await rate(today - timedelta(days=10), "GBP", "1.20", base="USD")  # 24,000 GBP = 20,000 USD: under $30k
    got = (await gql(ACCOUNT, {"id": gb}, token=world.tokens["admin"]))["data"]["node"]
    assert got["isGlobalDigitalSmb"] is True
    assert got["carrUsd"] == {"result": {"amount": "20000.00", "currency": "USD"},
                              "rate": format(Decimal(1) / Decimal("1.20"), "f"),
                              "rateDate": (today - timedelta(days=10)).isoformat()}
    await rate(today, "GBP", "0.75", base="USD")  # 32,000 USD: over
    assert (await gql(ACCOUNT, {"id": gb}, token=world.tokens["admin"]))["data"]["node"]["isGlobalDigitalSmb"] is False


async def test_conversions_cost_the_same_statements_for_any_page_size(gql, world):
    """No N+1: the rate table is read once per request (one statement while the stored rates
    have not changed), whatever the number of nodes."""
    await rate(now().date(), "USD", "1.10")
    de = await create_account(gql, world, name="Berlin GmbH", country="DE", region="EMEA")
    query = """query($n: Int!) { opportunities(first: $n) { nodes { id currency amountMoney { amount currency }
        netArrMoney { amount } amountUsd { result { amount } rateDate } netArrUsd { rate } requiresClosePlan
        requiresCommandPlan inRedGreenReview countsAsNewLogo account { carrMoney { amount } carrUsd { rate }
        isGlobalDigitalSmb } } } }"""
    for i in range(6):
        await create_opportunity(gql, world, de, name=f"Deal {i}", amount=None, netArr=None,
                                 amountMoney={"amount": f"{4000 + 500 * i}.00"})
    await gql(query, {"n": 1}, token=world.tokens["admin"])  # the process reads the changed rate table once
    small = await gql(query, {"n": 2}, token=world.tokens["admin"])
    large = await gql(query, {"n": 6}, token=world.tokens["admin"])
    assert len(large["data"]["opportunities"]["nodes"]) == 6
    assert [n["requiresClosePlan"] for n in large["data"]["opportunities"]["nodes"]] == \
        [True, True, True, True, False, False], "newest first: 6,500 … 4,000 EUR at 1.10"
    assert small["extensions"]["sqlStatements"] == large["extensions"]["sqlStatements"]
