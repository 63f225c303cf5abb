"""The co-selling domain: one package per domain over partners/infra (docs/architecture.md).

Nothing here knows about GraphQL or HTTP.
"""

# Domain event subscriptions (partners.infra.events) are made by importing the subscribing
# modules; importing them here makes them active before any domain function can run. The order
# is the order handlers run in: a denied partner's registrations end before its leads are recalled.
from partners.opportunities import subscribers as _opportunities  # noqa: F401
from partners.registrations import subscribers as _registrations  # noqa: F401
from partners.leads import subscribers as _leads  # noqa: F401
