"""A region lookup that breaks for EMEA (the locator must name it in the error)."""

from plugins import hookimpl


@hookimpl
def cosell_locate_partners(region, query):
    if region is not None and region.value == "EMEA":
        raise ConnectionError("EMEA directory service is down")
    return None
