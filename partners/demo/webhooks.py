"""An example webhook endpoint (webhooks domain)."""

from __future__ import annotations

from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.tables import User
from partners.webhooks import endpoints
from partners.webhooks.events import EventCategory


async def create_webhook_endpoint() -> None:
    """An example webhook endpoint (issue 20) of the first portal user's partner, made by its
    partner admin and disabled: the URL is a placeholder, so nothing is sent until the partner
    puts its own and enables it."""
    portal = await User.select(User.partner).where(User.role == Role.PARTNER_USER.value).order_by(User.id).first()
    row = await User.select(User.id, User.email, User.name, User.partner).where(
        (User.role == Role.PARTNER_ADMIN.value) & (User.partner == portal["partner"])).order_by(User.id).first()
    owner = Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role.PARTNER_ADMIN,
                      partner_id=row["partner"])
    endpoint, _ = await endpoints.create(owner, partner_id=None, url="https://crm.partner.example/cosell",
                                         event_types=list(EventCategory),
                                         description="Example: put your CRM's URL here, then enable it.")
    await endpoints.update(owner, endpoint["id"], {"enabled": False})
