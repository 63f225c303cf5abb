"""A third-party discount plugin (issue 7 tests): an AMER spring promotion adds a line,
and a distributor-margin override replaces the built-in P10 line. Rates are exact
`Decimal` percentages of the deal's `Money` amounts (issue 40)."""

from decimal import Decimal

from partners.discounts.enums import DiscountLineKind
from partners.discounts.rules import DiscountLine, QuoteContext, QuoteDeal, QuotePartner
from partners.people.enums import Region
from plugins import hookimpl


@hookimpl
def cosell_partner_discount(partner: QuotePartner, deal: QuoteDeal, context: QuoteContext):
    if deal.account_region is not Region.AMER:
        return None
    lines = [DiscountLine(DiscountLineKind.PROMOTION, "amer_spring_promo", "AMER spring promotion", Decimal("2"),
                          deal.list_amount, rule="ACME-PROMO", partner_id=partner.id, source="acme-promotions")]
    if deal.distributor is not None:
        lines.append(DiscountLine(DiscountLineKind.DISTRIBUTOR_MARGIN, "distributor_margin",
                                  f"{deal.distributor.name}: negotiated margin", Decimal("4"), deal.list_amount,
                                  rule="ACME-DIST", partner_id=deal.distributor.id, source="acme-promotions"))
    return lines
