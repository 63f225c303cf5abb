"""P8 for plugins (issue 41): a plugin's partner discount never exceeds the policy's.

The partner discount of a quote is its own line, filled from the partner and product (P8):
`partner_discount_line` under the policy in effect. A `cosell_partner_discount`
implementation may replace that line (key `partner`) or add lines of kind
PARTNER_DISCOUNT; together with what is left of the policy's own line they are bounded by
the policy's rate (none when the partner neither sourced nor sells the deal: 0 %). A line
over the bound is capped (its amount recomputed, its label saying so) and the capping is
logged with the plugin (the line's `source`). An operator lifts the bound with
COSELL_PLUGINS_MAY_RAISE_DISCOUNTS=true. Reductions are never touched, and neither are the
other kinds (promotions, customer discounts, margins: separate lines, P8). Pure: no I/O.
"""

from __future__ import annotations

import logging

from partners.discounts.enums import DiscountLineKind
from partners.discounts.rules import ZERO, DiscountLine, QuoteContext, QuoteDeal, QuotePartner, partner_discount_line, pct

log = logging.getLogger("cosell.plugins")


def bounded_by_policy(lines: list[DiscountLine], partner: QuotePartner, deal: QuoteDeal,
                      context: QuoteContext) -> list[DiscountLine]:
    """`lines` (merged, in quote order) with every plugin's PARTNER_DISCOUNT line capped so
    that the quote's partner discount stays within the policy's rate (P8)."""
    own = [line for line in lines if line.kind is DiscountLineKind.PARTNER_DISCOUNT]
    if not own:
        return lines
    policy_line = partner_discount_line(partner, deal, context.policy)
    unchanged = [line for line in own if line == policy_line]
    left = (policy_line.rate if policy_line is not None else ZERO) - sum((l.rate for l in unchanged), ZERO)
    out = []
    for line in lines:
        if line.kind is DiscountLineKind.PARTNER_DISCOUNT and line not in unchanged:
            allowed = max(left, ZERO)
            if line.rate > allowed:
                log.warning("Plugin %r answered a partner discount of %s%%, over the policy's %s%%: capped (P8; "
                            "COSELL_PLUGINS_MAY_RAISE_DISCOUNTS lifts the bound)", line.source, pct(line.rate),
                            pct(allowed), extra={"plugin": line.source, "line_key": line.key})
                line = line.derive(rate=allowed, label=f"{line.label} (capped at the policy's {pct(allowed)}%, P8)")
            left -= line.rate
        out.append(line)
    return out
