"""Helpers for webhook tests (issue 20): a real HTTP receiver on 127.0.0.1, endpoint
registration through GraphQL, and delivery driven through the app's own outbox handlers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from partners.infra import outbox
from partners.infra.leasing import utcnow
from partners.people.enums import Role
from server.background import outbox_handlers, outbox_policy
from server.testing import make_user
from tests.schema.sales import ERRORS, gid

ENDPOINT_FIELDS = "id url description eventTypes enabled partner { id name }"
DELIVERY_FIELDS = ("id eventId eventType status attempts responseStatus lastError body deliveredAt "
                   "redeliveryOf { id }")

CREATE = f"""
mutation($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{ endpoint {{ {ENDPOINT_FIELDS} }} secret {ERRORS} }}
}}"""

LOG = f"""
query($id: ID!) {{
  node(id: $id) {{ ... on WebhookEndpoint {{ id deliveries(first: 50) {{ totalCount nodes {{ {DELIVERY_FIELDS} }} }} }} }}
}}"""

REDELIVER = f"""
mutation($input: RedeliverWebhookDeliveryInput!) {{
  redeliverWebhookDelivery(input: $input) {{ delivery {{ {DELIVERY_FIELDS} }} {ERRORS} }}
}}"""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A partner's HTTP endpoint: records every POST; answers the next status of `statuses`
    (then 200 for ever)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def events(self, path: str | None = None) -> list[str]:
        return [r.json["type"] for r in self.requests if path is None or r.path == path]


async def partner_admins(world) -> None:
    """alpha_admin and beta_admin (PARTNER_ADMIN: they manage webhooks), unless the world has them."""
    for partner in ("alpha", "beta"):
        if f"{partner}_admin" not in world.tokens:
            await make_user(world, f"{partner}_admin", Role.PARTNER_ADMIN, partner_id=world.partners[partner])


async def create_endpoint(gql, world, token: str, url: str, event_types=("DEAL_REGISTRATION", "COSELL_TASK"),
                          **fields) -> dict:
    body = await gql(CREATE, {"input": {"url": url, "eventTypes": list(event_types), **fields}},
                     token=world.tokens[token])
    return body["data"]["createWebhookEndpoint"]


async def delivery_log(gql, world, token: str, endpoint_id: str) -> list[dict]:
    body = await gql(LOG, {"id": endpoint_id}, token=world.tokens[token])
    return body["data"]["node"]["deliveries"]["nodes"]


async def deliver(client, now: datetime | None = None) -> outbox.DeliveryReport:
    """Run the app's outbox handlers (the server's background job does this) at `now`."""
    settings = client.app.state.settings
    handlers = outbox_handlers(settings, client.app.state.plugins)
    return await outbox.deliver_due(handlers, worker="test", policy=outbox_policy(settings), now=now)


def later(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


__all__ = ["Receiver", "partner_admins", "create_endpoint", "delivery_log", "deliver", "later", "gid", "REDELIVER"]
