"""A rule plugin with a bug: it raises on every opportunity."""

from plugins import hookimpl


@hookimpl
def cosell_validate_opportunity(opportunity, context):
    raise KeyError("acme_region")
