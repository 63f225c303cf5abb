"""Discount plugins written against the hook before issue 40 (tests): a float rate is read
by its repr for one deprecation cycle (with a warning); a line in another currency than
the deal's is the plugin's failure (CURRENCY_MISMATCH)."""

from decimal import Decimal

from partners.discounts.enums import DiscountLineKind
from partners.discounts.rules import DiscountLine
from partners.money import Money
from plugins import hookimpl


class FloatRate:
    """A promotion of 2.3 % given as a float, as plugins did before issue 40."""

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        return DiscountLine(DiscountLineKind.PROMOTION, "legacy_promo", "Legacy promotion", 2.3, deal.list_amount,
                            partner_id=partner.id, source="acme-legacy")


class ForeignCurrency:
    """A fixed 100 USD bonus line whatever the deal's currency: wrong for a EUR deal."""

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        usd = Money.of(100, "USD")
        return DiscountLine(DiscountLineKind.PROMOTION, "usd_bonus", "USD bonus", Decimal(0), usd, amount=usd,
                            partner_id=partner.id, source="acme-usd")


class FloatAmount:
    """A fixed amount given as a float: refused (amounts are Money)."""

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        return DiscountLine(DiscountLineKind.PROMOTION, "bonus", "Bonus", Decimal(0), deal.list_amount, amount=100.0,
                            partner_id=partner.id, source="acme-float-amount")
