"""A throwaway plugin: always picks the first partner."""

from partners.opportunities.reseller import PrimaryChoice
from plugins import hookimpl


@hookimpl
def cosell_primary_partner(opportunity, partners):
    return PrimaryChoice(partners[0], "first partner") if partners else None
