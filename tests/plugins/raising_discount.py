"""A discount plugin with a bug (issue 7 tests): it raises on every quote."""

from plugins import hookimpl


@hookimpl
def cosell_partner_discount(partner, deal, context):
    raise KeyError("promo_table")
