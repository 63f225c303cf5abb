"""Webhook endpoints and their deliveries (issue 20). Registered in partners/infra/piccolo_app.py."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Array, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.people.tables import Partner, User


class WebhookDeliveryStatus(str, Enum):
    """PENDING: not delivered yet (first attempt or retrying); SUCCEEDED: the endpoint
    answered 2xx; FAILED: given up (attempts exhausted, or the endpoint is disabled)."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """A URL of one partner's system that receives the partner's events."""

    partner = ForeignKey(Partner, on_delete=OnDelete.cascade, index=True)
    url = Varchar(length=2000)
    description = Varchar(length=200, default="")
    # Event categories (`events.EventCategory` values) the endpoint subscribes to.
    event_types = Array(base_column=Varchar(length=64))
    # The signing key (HMAC-SHA256); kept in clear because every delivery is signed with it.
    secret = Varchar(length=100, secret=True)
    enabled = Boolean(default=True)
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event sent (or being sent) to one endpoint: the endpoint's delivery log."""

    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    # The event's id, the same for every endpoint and every redelivery (receivers dedupe on it).
    event_id = Varchar(length=64)
    event_type = Varchar(length=64)
    # The exact JSON body sent (redeliveries send the same bytes, signed anew).
    body = Text()
    # "<endpoint id>:<event id>" for the first delivery of an event (fan-out runs once per
    # endpoint even when the outbox message is handled twice); NULL for redeliveries. Unique
    # for ever although SQLite may give a deleted endpoint's id to a new one: the event id is
    # random (the outbox message's uid), and the rows go with their endpoint.
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    redelivery_of = Integer(null=True, default=None)
    # Random, in the delivery's outbox message with its id: deleting an endpoint deletes its
    # deliveries while their messages may still be queued, and SQLite gives a deleted id to
    # the next delivery, which such a message must not attempt. NULL for older rows.
    uid = Varchar(length=32, null=True, default=None)
    requested_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    status = Varchar(length=16, choices=WebhookDeliveryStatus, default=WebhookDeliveryStatus.PENDING)
    attempts = Integer(default=0)
    response_status = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    last_attempt_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
