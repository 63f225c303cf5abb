"""The GraphQL field this plugin adds (`cosell_extend_schema`, issue 41), under partner scoping:

    exampleLoyalty(partnerId: ID): ExampleLoyalty

A partner user reads their own partner's loyalty standing (EX2: SELECT partners get the
loyalty promotion on every quote); staff name any partner with `partnerId`. Another
partner's standing is null for a partner user, as `node` would be: the partner is read
through cosell's scoped loader (`visible_partner`), never directly.
"""

from __future__ import annotations

import strawberry

from partners.enums import PartnerTrack
from schema.plugin_api import AUTHENTICATED, Info, PartnerNode, access, own_partner_id, partner_id_from, visible_partner


@strawberry.type(description="A partner's standing in the example loyalty promotion (EX2).")
class ExampleLoyalty:
    partner: PartnerNode
    eligible: bool = strawberry.field(description="SELECT partners get the promotion on every quote.")
    percent: str | None = strawberry.field(description="The promotion's rate, an exact decimal percentage; "
                                                       "null when not eligible.")


@strawberry.type
class ExampleLoyaltyQuery:
    @strawberry.field(description="The example loyalty promotion (EX2) for your partner, or (staff) any partner.",
                      extensions=[access(AUTHENTICATED)])
    async def example_loyalty(self, info: Info, partner_id: strawberry.ID | None = None) -> ExampleLoyalty | None:
        from cosell_plugin_example.plugin import loyalty_rate  # the plugin module imports this one

        wanted = partner_id_from(info, partner_id) if partner_id is not None else own_partner_id(info)
        partner = await visible_partner(info, wanted) if wanted is not None else None
        if partner is None:
            return None
        rate = loyalty_rate()
        eligible = partner.track is PartnerTrack.SELECT and bool(rate)
        return ExampleLoyalty(partner=partner, eligible=eligible, percent=str(rate) if eligible else None)
