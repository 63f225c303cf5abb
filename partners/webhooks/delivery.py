"""Getting events to endpoints (issue 20): fan-out, signed HTTP attempts, redelivery.

1. The domain enqueues its event (e.g. `deal_registration_event`) in the transaction of the
   change. After commit the outbox hands it to `fan_out`, which writes one delivery per
   enabled endpoint of the event's partner subscribed to its category, and one
   `webhook_delivery` outbox message each, in one transaction. The delivery's dedupe key
   makes a second fan-out of the same event (a retried handler) add nothing.
2. Each `webhook_delivery` message is one HTTP POST (`attempt`): the stored body, signed
   (`signing`), with the event's id and type in headers. A 2xx answer is success; anything
   else (or no answer within the timeout) is recorded on the delivery and raised, so the
   outbox retries it with its backoff; after the last attempt the delivery is FAILED.
3. `redeliver` queues the same event (same id and body) to the same endpoint again.

What a delivery's `lastError` says is read by the partner's admins: it names the kind of
failure, never an address the endpoint's host resolved to or whether a name exists in the
server's network (issue 33); the server log keeps the detail for operators.

Only the event's own partner's endpoints are ever looked up: a partner's endpoints hear of
that partner's records only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from partners.infra import outbox
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound
from partners.infra.metrics import WEBHOOK_DELIVERIES
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.webhooks import access, signing
from partners.webhooks.events import SOURCES, Event
from partners.webhooks.tables import WebhookDelivery, WebhookDeliveryStatus as Status, WebhookEndpoint

DELIVERY_KIND = "webhook_delivery"
USER_AGENT = "cosell-webhooks/1"
ERROR_MAX = 500
# One text for a host that resolves to a non-public address and for one that does not
# resolve at all, so that the log tells a partner nothing of the names and addresses of the
# network the server runs in (issue 33).
NOT_PUBLIC = "the endpoint's host does not resolve to a public address; webhooks are only sent to public addresses"
DNS_TEMPORARY = "the endpoint's host could not be looked up (temporary DNS failure)"

log = logging.getLogger("cosell.webhooks")


@dataclass(frozen=True)
class SendPolicy:
    timeout: float = 10.0  # seconds for one POST, connect included
    # Refuse loopback, private, link-local and reserved addresses (an endpoint URL must not
    # reach into the network the server runs in); tests and local development allow them.
    allow_private_addresses: bool = False
    max_attempts: int = 8  # the outbox's: the attempt after which a delivery is FAILED


class DeliveryFailed(Exception):
    """The endpoint did not accept the delivery (the outbox retries)."""


def body_of(event: Event, event_id: str, created_at) -> str:
    return json.dumps({"id": event_id, "type": event.type, "createdAt": created_at.isoformat(), "data": event.data},
                      sort_keys=True, separators=(",", ":"))


async def fan_out(message: outbox.Message) -> int:
    """The deliveries `message` (an event source kind) causes; returns how many are new."""
    event = SOURCES[message.kind](message.payload)
    if event is None or event.partner_id is None:
        return 0
    event_id = f"evt_{message.uid}"
    added = 0
    async with transaction():
        endpoints = await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
            (WebhookEndpoint.partner == event.partner_id) & (WebhookEndpoint.enabled == True)  # noqa: E712
        ).order_by(WebhookEndpoint.id)
        body = body_of(event, event_id, message.created_at)
        for endpoint in endpoints:
            if event.category.value not in (endpoint["event_types"] or []):
                continue
            uid = secrets.token_hex(16)
            inserted = await WebhookDelivery.insert(WebhookDelivery(
                endpoint=endpoint["id"], event_id=event_id, event_type=event.type, body=body, uid=uid,
                dedupe_key=f"{endpoint['id']}:{event_id}", status=Status.PENDING.value, created_at=now(),
            )).on_conflict(target=WebhookDelivery.dedupe_key, action="DO NOTHING").returning(WebhookDelivery.id)
            if inserted:
                await outbox.enqueue(DELIVERY_KIND, {"delivery_id": inserted[0]["id"], "uid": uid})
                added += 1
    return added


def with_fan_out(inner: outbox.Handler | None) -> outbox.Handler:
    """The handler of an event source kind: fan out to webhooks, then the kind's own
    handler (plugins). A failure of either retries the message; the fan-out is idempotent."""

    async def handler(message: outbox.Message) -> None:
        await fan_out(message)
        if inner is not None:
            await inner(message)

    return handler


async def _check_address(host: str, port: int, policy: SendPolicy, delivery_id: int) -> None:
    """Refuse (for good) a host that does not resolve, or resolves to a non-public address;
    the text is the same either way and names no address (issue 33)."""
    if policy.allow_private_addresses:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        log.warning("webhook delivery %s: %s does not resolve: %s", delivery_id, host, exc,
                    extra={"delivery_id": delivery_id})
        if exc.errno == socket.EAI_AGAIN:
            raise DeliveryFailed(DNS_TEMPORARY) from None
        raise outbox.PermanentFailure(NOT_PUBLIC) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            log.warning("webhook delivery %s refused: %s resolves to %s, not a public address", delivery_id, host,
                        address, extra={"delivery_id": delivery_id})
            raise outbox.PermanentFailure(NOT_PUBLIC)


def _transport_error(exc: Exception, policy: SendPolicy) -> str:
    """The kind of failure of a POST, in words that name no address (issue 33): the
    exception's own text may (a DNS answer that changed after the check, an OS message)."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"{name}: no answer within {policy.timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE" in str(exc).upper() or "SSL" in str(exc).upper():
            return f"{name}: the TLS handshake failed (is the certificate valid for the host?)"
        return f"{name}: no connection could be made"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return f"{name}: the connection failed during the exchange"
    return name


async def attempt(delivery_id: int, *, attempt_no: int, policy: SendPolicy, uid: str | None = None) -> None:
    """One POST of a delivery; raises when it must be retried. `uid` (the delivery's, from
    its message) tells a reused id apart: a message queued before its endpoint was deleted
    names a delivery that is gone, whatever row has its id now."""
    condition = WebhookDelivery.id == delivery_id
    if uid is not None:
        condition = condition & (WebhookDelivery.uid == uid)
    rows = await WebhookDelivery.select(
        *WebhookDelivery.all_columns(), WebhookDelivery.endpoint.url.as_alias("url"),
        WebhookDelivery.endpoint.secret.as_alias("secret"), WebhookDelivery.endpoint.enabled.as_alias("enabled"),
        WebhookDelivery.endpoint.partner.as_alias("partner"),
    ).where(condition)
    if not rows or rows[0]["status"] != Status.PENDING.value:
        return  # the endpoint was deleted, or the delivery settled already
    row = rows[0]
    partner = str(row["partner"])
    if not row["enabled"]:
        await _record(delivery_id, Status.FAILED, None, "the endpoint is disabled")
        WEBHOOK_DELIVERIES.labels("failed", partner).inc()
        return
    body = row["body"].encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.header(row["secret"], body),
        "Cosell-Event-Id": row["event_id"],
        "Cosell-Event-Type": row["event_type"],
        "Cosell-Delivery-Id": str(delivery_id),
    }
    status_code: int | None = None
    error = ""
    try:
        parts = urlsplit(row["url"])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        await _check_address(parts.hostname or "", port, policy, delivery_id)
        async with httpx.AsyncClient(timeout=policy.timeout, follow_redirects=False, trust_env=False) as client:
            response = await client.post(row["url"], content=body, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except outbox.PermanentFailure as exc:
        await _record(delivery_id, Status.FAILED, None, str(exc))
        WEBHOOK_DELIVERIES.labels("failed", partner).inc()
        raise
    except DeliveryFailed as exc:
        error = str(exc)
    except (httpx.HTTPError, OSError) as exc:
        log.info("webhook delivery %s: %s: %s", delivery_id, type(exc).__name__, exc,
                 extra={"delivery_id": delivery_id})
        error = _transport_error(exc, policy)
    if not error:
        await _record(delivery_id, Status.SUCCEEDED, status_code, "")
        WEBHOOK_DELIVERIES.labels("delivered", partner).inc()
        return
    final = attempt_no >= policy.max_attempts
    await _record(delivery_id, Status.FAILED if final else Status.PENDING, status_code, error)
    WEBHOOK_DELIVERIES.labels("failed" if final else "retry", partner).inc()
    raise DeliveryFailed(error)


async def _record(delivery_id: int, status: Status, status_code: int | None, error: str) -> None:
    at = now()
    values = {
        WebhookDelivery.status: status.value,
        WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
        WebhookDelivery.response_status: status_code,
        WebhookDelivery.last_error: error[:ERROR_MAX],
        WebhookDelivery.last_attempt_at: at,
    }
    if status is Status.SUCCEEDED:
        values[WebhookDelivery.delivered_at] = at
    await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery_id)


def delivery_handler(policy: SendPolicy) -> outbox.Handler:
    async def handler(message: outbox.Message) -> None:
        await attempt(message.payload["delivery_id"], attempt_no=message.attempt, policy=policy,
                      uid=message.payload.get("uid"))

    return handler


def handlers(existing: dict[str, outbox.Handler], policy: SendPolicy) -> dict[str, outbox.Handler]:
    """`existing` with every event source kind fanning out to webhooks, plus the delivery kind."""
    out = dict(existing)
    for kind in SOURCES:
        out[kind] = with_fan_out(existing.get(kind))
    out[DELIVERY_KIND] = delivery_handler(policy)
    return out


async def get_visible(principal: Principal, delivery_id: int, field: str = "id") -> dict:
    row = await scoped(WebhookDelivery.select(), access.delivery_scope(principal)).where(
        WebhookDelivery.id == delivery_id).first()
    if row is None:
        raise NotFound.of("Webhook delivery", field)
    return row


async def redeliver(principal: Principal, delivery_id: int) -> dict:
    """Queue the delivery's event (same id, same body) to its endpoint again, as a new
    delivery of the log; whoever reads the delivery may ask."""
    access.require_manager_role(principal)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's admins do not act
        original = await get_visible(principal, delivery_id)
        endpoint = await WebhookEndpoint.select(WebhookEndpoint.enabled).where(
            WebhookEndpoint.id == original["endpoint"]).first()
        if not endpoint["enabled"]:
            raise DomainError.single("ENDPOINT_DISABLED", "Enable the endpoint before asking for a redelivery.", "id")
        row = WebhookDelivery(
            endpoint=original["endpoint"], event_id=original["event_id"], event_type=original["event_type"],
            body=original["body"], dedupe_key=None, redelivery_of=original["id"], requested_by=principal.user_id,
            status=Status.PENDING.value, created_at=now(), uid=secrets.token_hex(16),
        )
        await row.save()
        await outbox.enqueue(DELIVERY_KIND, {"delivery_id": row.id, "uid": row.uid})
        return await get_visible(principal, row.id)
