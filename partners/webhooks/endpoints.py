"""Registering, changing and deleting webhook endpoints (issue 20).

Who: `access.may_manage` (administrators for any partner; the partner's own managers).
Someone who may not manage the partner's endpoints is told NOT_FOUND, as for a partner
that does not exist, and an endpoint they may not read is NOT_FOUND too. A DENIED
partner's admins change nothing (PARTNER_DENIED, P1); administrators still do.
"""

from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urlsplit

from partners.infra.clock import now
from partners.infra.db import lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, Violation
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import Partner
from partners.webhooks import access, signing
from partners.webhooks.events import EventCategory
from partners.webhooks.tables import WebhookEndpoint

URL_MAX = 2000
DESCRIPTION_MAX = 200
SECRET_MIN, SECRET_MAX = 24, 100
MAX_ENDPOINTS_PER_PARTNER = 10
UPDATABLE = ("url", "event_types", "description", "enabled")
FIELD_NAMES = {"url": "url", "event_types": "eventTypes", "description": "description", "enabled": "enabled",
               "secret": "secret"}


# ---------------------------------------------------------------- pure rules


def url_violations(url: str) -> list[Violation]:
    """An absolute http(s) URL with a host and no user:password part."""
    if not url or len(url) > URL_MAX:
        return [Violation("INVALID_URL", f"The URL is required and at most {URL_MAX} characters.", ("url",))]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return [Violation("INVALID_URL", "The URL cannot be parsed.", ("url",))]
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [Violation("INVALID_URL", "An absolute http:// or https:// URL with a host is required.", ("url",))]
    if parts.username is not None or parts.password is not None:
        return [Violation("INVALID_URL", "Credentials do not go in the URL: the signature authenticates us.",
                          ("url",))]
    return []


def event_type_violations(event_types: Iterable[EventCategory]) -> list[Violation]:
    if not list(event_types):
        return [Violation("EVENT_TYPES_REQUIRED", "Subscribe to at least one event type.", ("eventTypes",))]
    return []


def secret_violations(secret: str) -> list[Violation]:
    if not (SECRET_MIN <= len(secret) <= SECRET_MAX) or not secret.isprintable() or secret.strip() != secret:
        return [Violation("INVALID_SECRET", f"A secret has {SECRET_MIN} to {SECRET_MAX} printable characters, "
                          "without surrounding spaces; leave it out to have one generated.", ("secret",))]
    return []


def description_violations(description: str) -> list[Violation]:
    if len(description) > DESCRIPTION_MAX:
        return [Violation("TOO_LONG", f"At most {DESCRIPTION_MAX} characters.", ("description",))]
    return []


def _categories(event_types: Iterable[EventCategory]) -> list[str]:
    return sorted({EventCategory(e).value for e in event_types})


# ---------------------------------------------------------------- reads


async def get_visible(principal: Principal, endpoint_id: int, field: str = "id") -> dict:
    row = await scoped(WebhookEndpoint.select(), access.endpoint_scope(principal)).where(
        WebhookEndpoint.id == endpoint_id).first()
    if row is None:
        raise NotFound.of("Webhook endpoint", field)
    return row


# ---------------------------------------------------------------- writes


async def create(principal: Principal, *, partner_id: int | None, url: str, event_types: list[EventCategory],
                 secret: str | None = None, description: str = "") -> tuple[dict, str]:
    """A new endpoint and its secret (generated unless given); the secret is returned here
    only: it is never readable again."""
    access.require_manager_role(principal)
    if partner_id is None:
        if not access.manages_own_partner(principal):
            raise DomainError.single("PARTNER_REQUIRED", "Name the partner whose events the endpoint receives.",
                                     "partnerId")
        partner_id = principal.partner_id
    url, description = (url or "").strip(), (description or "").strip()
    violations = url_violations(url) + event_type_violations(event_types) + description_violations(description)
    if secret is not None:
        violations += secret_violations(secret)
    if violations:
        raise DomainError(violations)
    secret = secret if secret is not None else signing.new_secret()
    async with transaction():
        await refuse_if_partner_denied(principal, "partnerId")  # P1: a DENIED partner's admins do not act
        if not access.may_manage(principal, partner_id):
            raise NotFound.of("Partner", "partnerId")
        # Serialises registrations of one partner so the limit holds across instances.
        await lock_for_update(Partner, partner_id)
        if await Partner.select(Partner.id).where(Partner.id == partner_id).first() is None:
            raise NotFound.of("Partner", "partnerId")
        if await WebhookEndpoint.count().where(WebhookEndpoint.partner == partner_id) >= MAX_ENDPOINTS_PER_PARTNER:
            raise DomainError.single("TOO_MANY_ENDPOINTS",
                                     f"A partner has at most {MAX_ENDPOINTS_PER_PARTNER} webhook endpoints.", "partnerId")
        at = now()
        endpoint = WebhookEndpoint(partner=partner_id, url=url, description=description,
                                   event_types=_categories(event_types), secret=secret, enabled=True,
                                   created_by=principal.user_id, created_at=at, updated_at=at)
        await endpoint.save()
        return await get_visible(principal, endpoint.id), secret


async def update(principal: Principal, endpoint_id: int, changes: dict[str, Any]) -> dict:
    """Change the URL, the event types, the description or `enabled`; only given keys change."""
    access.require_manager_role(principal)
    changes = {k: v for k, v in changes.items() if k in UPDATABLE}
    violations: list[Violation] = []
    for key in UPDATABLE:
        if key in changes and changes[key] is None:
            violations.append(Violation("REQUIRED", "This field cannot be cleared.", (FIELD_NAMES[key],)))
    if violations:
        raise DomainError(violations)
    if "url" in changes:
        changes["url"] = changes["url"].strip()
        violations += url_violations(changes["url"])
    if "event_types" in changes:
        violations += event_type_violations(changes["event_types"])
        changes["event_types"] = _categories(changes["event_types"])
    if "description" in changes:
        changes["description"] = changes["description"].strip()
        violations += description_violations(changes["description"])
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        await get_visible(principal, endpoint_id)
        await lock_for_update(WebhookEndpoint, endpoint_id)
        if changes:
            await WebhookEndpoint.update({
                **{getattr(WebhookEndpoint, k): v for k, v in changes.items()},
                WebhookEndpoint.updated_at: now(),
            }).where(WebhookEndpoint.id == endpoint_id)
        return await get_visible(principal, endpoint_id)


async def rotate_secret(principal: Principal, endpoint_id: int, secret: str | None = None) -> tuple[dict, str]:
    """A new secret for the endpoint (generated unless given), returned once; deliveries
    from now on are signed with it."""
    access.require_manager_role(principal)
    if secret is not None and (violations := secret_violations(secret)):
        raise DomainError(violations)
    secret = secret if secret is not None else signing.new_secret()
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        await get_visible(principal, endpoint_id)
        await WebhookEndpoint.update({WebhookEndpoint.secret: secret, WebhookEndpoint.updated_at: now()}).where(
            WebhookEndpoint.id == endpoint_id)
        return await get_visible(principal, endpoint_id), secret


async def delete(principal: Principal, endpoint_id: int) -> dict:
    """Remove the endpoint and its delivery log; deliveries still queued are dropped."""
    access.require_manager_role(principal)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await get_visible(principal, endpoint_id)
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint_id)
        return row
