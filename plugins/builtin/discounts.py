"""The default partner discount (D5, D6, P7–P10), `trylast`: the policy in effect on the
quote's date (`partners.discounts.policy`) applied by `partners.discounts.rules.standard_lines`.

A plugin replaces one of these lines by returning a line with the same key (`partner`,
`services_attach`, `distributor_margin`, `paid_poc`), or adds lines with other keys.
Lines are exact (issue 40): `Decimal` rates of `Money` bases in the deal's currency.
"""

from __future__ import annotations

from partners.discounts.rules import DiscountLine, QuoteContext, QuoteDeal, QuotePartner, standard_lines
from plugins import hookimpl


@hookimpl(trylast=True)
def cosell_partner_discount(partner: QuotePartner, deal: QuoteDeal, context: QuoteContext) -> list[DiscountLine]:
    return standard_lines(partner, deal, context)
