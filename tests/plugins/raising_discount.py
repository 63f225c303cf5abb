"""A discount plugin with a bug (issue 7 tests): it raises on every quote."""

from plugins import hookimpl


@hookimpl
def cosell_partner_discount(partner, deal, context):
    raise KeyError("promo_table")


class WrongDiscountAnswer:
    """Answers a plain dict instead of a DiscountLine: a wrong type (the hook's contract)."""

    @hookimpl
    def cosell_partner_discount(self, partner, deal, context):
        return {"key": "promo", "rate": 5}
