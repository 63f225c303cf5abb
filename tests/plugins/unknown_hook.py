"""A throwaway plugin implementing a hook that does not exist."""

from plugins import hookimpl


@hookimpl
def cosell_no_such_hook(opportunity):
    return None
