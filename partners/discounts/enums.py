"""Vocabularies of discount quotes (D5, D6, P7-P10)."""

from enum import Enum


class DiscountLineKind(str, Enum):
    """What a line of a discount quote is (P8: the partner discount is its own line;
    customer discounts are separate lines)."""

    PARTNER_DISCOUNT = "PARTNER_DISCOUNT"  # D5, P7: the program or co-sell discount of the quoted partner
    SERVICES_ATTACH = "SERVICES_ATTACH"  # P9: per engagement, stacked up to the cap
    DISTRIBUTOR_MARGIN = "DISTRIBUTOR_MARGIN"  # P10: the distributor an OPEN partner buys through
    CUSTOMER_DISCOUNT = "CUSTOMER_DISCOUNT"  # D6: e.g. the Paid POC matrix
    PROMOTION = "PROMOTION"  # added by plugins (a regional promotion …)
    OTHER = "OTHER"


class DiscountBasis(str, Enum):
    """Why the partner discount line has its rate (D5, P7)."""

    REGISTERED = "REGISTERED"  # D5: partner-sourced, approved registration: track × registration type
    CO_SELL = "CO_SELL"  # D5, P7: brought in by sales as reseller, no registration
    TENDER = "TENDER"  # P7: bidding in a tender: the co-sell rate
    TENDER_SOURCED = "TENDER_SOURCED"  # P7: sourced before the tender: keeps the sourced rate
    RENEWAL_INCUMBENT = "RENEWAL_INCUMBENT"  # P7: the incumbent keeps last year's discount
    RENEWAL_NON_INCUMBENT = "RENEWAL_NON_INCUMBENT"  # P7: other resellers quote list price


class PurchaseRoute(str, Enum):
    """P10: how the partner buys."""

    DIRECT = "DIRECT"
    DISTRIBUTOR = "DISTRIBUTOR"
