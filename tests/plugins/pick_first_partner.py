"""A throwaway plugin: always picks the first partner."""

from plugins import hookimpl


@hookimpl
def cosell_primary_partner(opportunity, partners):
    return partners[0] if partners else None
