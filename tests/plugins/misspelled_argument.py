"""A throwaway plugin whose hook takes an argument the spec does not offer."""

from plugins import hookimpl


@hookimpl
def cosell_primary_partner(opportunity, partnerz):
    return None
