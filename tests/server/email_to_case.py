"""Helpers for the email-to-case tests (D15): a receiver on a free port of 127.0.0.1 in the
test's event loop, and real SMTP to it with smtplib (in a thread, so the loop serves it)."""

from __future__ import annotations

import asyncio
import json
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from partners.infra.tables import AuditEntry, OutboxMessage

ADDRESS = "smallbusiness@cosell.test"
CASES = """query($filter: CaseFilter) { cases(filter: $filter) { nodes { id subject description status type origin
    unmatched region leadEmail escalated partner { id } account { id } contact { id }
    attachments { fileName contentType size contentBase64 uploadedBy { id } }
    messages { messageId direction fromAddress subject text internal problems
      refusedAttachments { fileName contentType size reason } attachments { fileName } } } } }"""


def message(sender: str, subject: str, text: str = "Hello SMB team.", *, message_id: str | None = None,
            in_reply_to: str | None = None, html: str | None = None, to: str = ADDRESS) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="customer.test")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail


def _smtp(port: int, data: bytes, sender: str, rcpts: list[str], size: int | None) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("client.test")
        result = {"size": client.esmtp_features.get("size")}
        options = [f"SIZE={size}"] if size is not None else []
        result["mail"] = client.mail(sender, options)
        if result["mail"][0] != 250:
            return result
        result["rcpt"] = [client.rcpt(r) for r in rcpts]
        if not any(code == 250 for code, _ in result["rcpt"]):
            return result
        try:
            result["data"] = client.data(data)
        except smtplib.SMTPResponseException as exc:
            result["data"] = (exc.smtp_code, exc.smtp_error)
        return result


async def send(port: int, mail: EmailMessage | bytes, *, sender: str = "", rcpts: list[str] | None = None,
               size: int | None = None) -> dict:
    """One SMTP session; the server's answers to MAIL, RCPT and DATA."""
    data = mail if isinstance(mail, bytes) else mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))
    envelope = sender or (mail["From"] if not isinstance(mail, bytes) else "someone@customer.test")
    from email.utils import parseaddr

    return await asyncio.to_thread(_smtp, port, data, parseaddr(envelope)[1] or envelope, rcpts or [ADDRESS], size)


async def delivered(port: int, mail: EmailMessage | bytes, **kwargs) -> str:
    result = await send(port, mail, **kwargs)
    code, text = result["data"]
    assert code == 250, result
    return text.decode()


async def emails_to(address: str) -> list[dict]:
    rows = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "email")
    payloads = [r["payload"] if isinstance(r["payload"], dict) else json.loads(r["payload"]) for r in rows]
    return [p for p in payloads if address in p["to"]]


async def audit_rows(mutation: str) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.mutation == mutation)


async def cases(gql, world, token: str = "admin", **filters) -> list[dict]:
    body = await gql(CASES, {"filter": filters or None}, token=world.tokens[token])
    return body["data"]["cases"]["nodes"]
