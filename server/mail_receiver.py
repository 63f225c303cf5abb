"""The SMTP receiver of email to case (D15), on aiosmtpd, in the caller's event loop (so
its writes use the same database engine as everything else in the process).

RCPT TO an address not in COSELL_MAIL_IN_ADDRESSES: 550. MAIL FROM a domain not in
COSELL_MAIL_IN_SENDER_DOMAINS (when set): 550. A message over COSELL_MAIL_IN_MAX_BYTES:
552 (SIZE is advertised, and enforced while reading DATA). DATA is answered 250 only after
the case (or message) committed; an unexpected failure answers 451 (the sending server
retries later) and is logged with the request id the answer names."""

from __future__ import annotations

import asyncio
import logging
import secrets

from aiosmtpd.smtp import SMTP, Envelope, Session

from partners.cases.attachments import Limits
from partners.cases.email.ingest import Inbound, Refused, Result, ingest
from partners.cases.stores import store_for
from server.logs import request_id_var
from server.settings import Settings

log = logging.getLogger("cosell.mail")


def inbound_from_settings(settings: Settings) -> Inbound:
    return Inbound(store=store_for(settings),
                   limits=Limits(settings.attachment_max_bytes, settings.attachment_content_types),
                   sender_domains=settings.mail_in_sender_domains)


class CaseMailHandler:
    """aiosmtpd handler hooks."""

    def __init__(self, settings: Settings, inbound: Inbound | None = None) -> None:
        self.addresses = frozenset(a.lower() for a in settings.mail_in_addresses)
        self.sender_domains = frozenset(settings.mail_in_sender_domains)
        self.inbound = inbound or inbound_from_settings(settings)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        domain = address.rpartition("@")[2].lower()
        if address and self.sender_domains and domain not in self.sender_domains:
            return "550 5.7.1 Mail from this domain is not accepted here"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() not in self.addresses:
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        request_id = secrets.token_hex(8)
        token = request_id_var.set(request_id)
        try:
            content = envelope.original_content or envelope.content or b""
            if isinstance(content, str):
                content = content.encode("utf-8", "surrogateescape")
            outcome = await ingest(content, self.inbound, envelope_sender=envelope.mail_from or "",
                                   request_id=request_id)
        except Refused as exc:
            log.info("email refused: %s", exc.code)
            return f"550 5.7.1 Not accepted: {' '.join(str(exc).split())[:200]}"
        except Exception:
            log.exception("email to case failed")
            return f"451 4.3.0 Temporary failure, try again later (request id {request_id})"
        finally:
            request_id_var.reset(token)
        if outcome.result is Result.IGNORED:
            return "250 2.0.0 Automatic reply received and not turned into a case"
        return f"250 2.0.0 Case #{outcome.case_id} ({outcome.result.value.lower().replace('_', ' ')})"


class MailReceiver:
    """An aiosmtpd SMTP server in the running event loop (`await start()`, `await stop()`)."""

    def __init__(self, settings: Settings, handler: CaseMailHandler | None = None) -> None:
        self.settings = settings
        self.handler = handler or CaseMailHandler(settings)
        self.server: asyncio.AbstractServer | None = None

    def _protocol(self) -> SMTP:
        return SMTP(self.handler, data_size_limit=self.settings.mail_in_max_bytes, enable_SMTPUTF8=True,
                    ident="cosell email to case")

    async def start(self) -> int:
        """Listen; returns the port (useful with COSELL_MAIL_IN_PORT=0)."""
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(self._protocol, host=self.settings.mail_in_host,
                                               port=self.settings.mail_in_port)
        return self.port

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
