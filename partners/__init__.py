"""The co-selling domain: one package per domain over partners/infra (docs/architecture.md).

Nothing here knows about GraphQL or HTTP.
"""

from partners.infra.events import on_first_use


def _subscribe_every_domain() -> None:
    """Domain event subscriptions (partners.infra.events) are made by importing the subscribing
    modules. They are imported on the first lookup of handlers (every `publish` makes one), not
    here: a process that publishes nothing, such as a `cosell` command refused on its settings,
    does not pay for importing every domain. The order is the order handlers run in: a denied
    partner's registrations end before its leads are recalled."""
    from partners.opportunities import subscribers as _opportunities  # noqa: F401
    from partners.registrations import subscribers as _registrations  # noqa: F401
    from partners.leads import subscribers as _leads  # noqa: F401


on_first_use(_subscribe_every_domain)
