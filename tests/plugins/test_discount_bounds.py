"""Issue 41, P8: a plugin's partner discount never exceeds the policy's (the line is capped,
its amount recomputed), unless COSELL_PLUGINS_MAY_RAISE_DISCOUNTS lets plugins raise it;
reductions and other line kinds are left alone. `DiscountLine.derive` recomputes the amount."""

from __future__ import annotations

import logging
from decimal import Decimal as D

from partners.discounts import DiscountLine
from partners.enums import DiscountLineKind
from partners.money import Money
from plugins import hookimpl
from server.testing import GraphQLClient
from tests.plugins.test_discount_hook import _registered_deal
from tests.schema.discounts import line, quote, total


class Generous:
    """Replaces the built-in partner line (key `partner`) with `rate` percent."""

    def __init__(self, rate: str) -> None:
        self.rate = D(rate)

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        return DiscountLine(DiscountLineKind.PARTNER_DISCOUNT, "partner", "Acme partner rate", self.rate,
                            deal.list_amount, rule="ACME-P", partner_id=partner.id, source="acme-generous")


async def test_p8_a_plugins_partner_line_over_the_policy_is_capped(cosell_app_factory, world, caplog):
    async with cosell_app_factory(extra_plugins=[("acme-generous", Generous("50"))]) as client:
        gql = GraphQLClient(client)
        with caplog.at_level(logging.WARNING, logger="cosell.plugins"):
            q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
    partner = line(q)
    # The policy's OPEN × RESALE rate is 10 % of the 17,400.00 list amount.
    assert (partner["percent"], partner["source"], partner["amountMoney"]["amount"]) == ("10", "acme-generous",
                                                                                         "1740.00")
    assert "capped at the policy's 10%, P8" in partner["label"]
    assert total(q) == D("1740.00")
    assert "Plugin 'acme-generous' answered a partner discount of 50%" in caplog.text


async def test_p8_the_operator_may_let_plugins_raise_the_partner_discount(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-generous", Generous("50"))],
                                  plugins_may_raise_discounts=True) as client:
        gql = GraphQLClient(client)
        q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
    assert (line(q)["percent"], line(q)["amountMoney"]["amount"]) == ("50", "8700.00")


async def test_p8_a_plugin_may_lower_the_partner_discount(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-strict", Generous("7.25"))]) as client:
        gql = GraphQLClient(client)
        q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
    assert (line(q)["percent"], line(q)["label"]) == ("7.25", "Acme partner rate")


class SecondPartnerLine:
    """Adds a second partner discount line beside the policy's: over the bound, so it is
    capped at what the policy's line leaves (nothing)."""

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        return DiscountLine(DiscountLineKind.PARTNER_DISCOUNT, "acme_bonus", "Acme bonus", D("5"), deal.list_amount,
                            partner_id=partner.id, source="acme-bonus")


async def test_p8_an_added_partner_line_cannot_stack_over_the_policy(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-bonus", SecondPartnerLine())]) as client:
        gql = GraphQLClient(client)
        q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
    assert sorted((l["key"], l["percent"]) for l in q["lines"]) == [("acme_bonus", "0"), ("partner", "10")]
    assert total(q) == D("1740.00")


def test_derive_recomputes_the_amount_when_the_rate_changes():
    basis = Money.of("999.99", "USD")
    standard = DiscountLine(DiscountLineKind.PARTNER_DISCOUNT, "partner", "Standard", D("10"), basis)
    assert standard.amount == Money.of("100.00", "USD")
    derived = standard.derive(rate=D("7.5"), source="acme")
    assert (derived.rate, derived.amount, derived.source) == (D("7.5"), Money.of("75.00", "USD"), "acme")
    relabelled = standard.derive(label="Renamed")  # no new rate: the amount stays
    assert relabelled.amount == standard.amount
    fixed = standard.derive(rate=D("7.5"), amount=Money.of("70", "USD"))  # an explicit amount wins
    assert fixed.amount == Money.of("70.00", "USD")
