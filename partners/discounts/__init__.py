"""Partner discounts (D5, D6, P7-P10): the policy, quote lines and reduction approvals.

`from partners.discounts import DiscountLine` is the path plugins use (docs/plugins.md).
"""

from partners.discounts.policy import PolicySnapshot
from partners.discounts.rules import DiscountLine, QuoteContext, QuoteDeal, QuotePartner, standard_lines

__all__ = ["DiscountLine", "PolicySnapshot", "QuoteContext", "QuoteDeal", "QuotePartner", "standard_lines"]
