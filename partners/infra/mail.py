"""Email through the outbox: the payload domain code enqueues, and its delivery.

    await mail.enqueue_email("ana@partner.example", "Task assigned: …", text,
                             dedupe_key=f"task-assigned:{task.id}")

Delivery goes to an SMTP server (`COSELL_SMTP_HOST` …) or, when none is configured
(development), to one `.eml` file per message under `var/mail/`. Each message carries a
Message-ID built from the outbox message's stable uid, identical on every attempt, so a
receiver can drop the duplicate that a crash after acceptance and before the outbox marks
the message sent would cause; the file delivery is keyed by it and writes each message once.

A secret the email carries (an invitation's claim token) is not written into the text: the
text holds `secret_placeholder("token")` and the value goes in `secrets=`, which the outbox
keeps apart and scrubs once the message is SENT or DEAD (partners/infra/outbox.py). The
delivery puts the value in place; the stored payload never holds it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from partners.infra import outbox
from partners.infra.settings import Settings

EMAIL = "email"
log = logging.getLogger("cosell.mail")


def secret_placeholder(name: str) -> str:
    """Where the secret `name` goes in an email's text or html."""
    return f"[[secret:{name}]]"


def _revealed(text: str, secrets) -> str:
    for name, value in secrets.items():
        if value is None:
            raise outbox.PermanentFailure(f"the secret {name!r} of this email was removed when the message settled "
                                          "(SENT or DEAD); it cannot be sent again")
        text = text.replace(secret_placeholder(name), value)
    return text


def email_payload(to: str | list[str], subject: str, text: str, *, html: str | None = None) -> dict[str, Any]:
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("an email needs at least one recipient")
    payload: dict[str, Any] = {"to": recipients, "subject": subject, "text": text}
    if html is not None:
        payload["html"] = html
    return payload


async def enqueue_email(
    to: str | list[str], subject: str, text: str, *, html: str | None = None, dedupe_key: str | None = None,
    secrets: dict[str, str] | None = None,
) -> int:
    """Enqueue an email inside the caller's transaction (see `partners.infra.outbox.enqueue`);
    `secrets` fill the text's `secret_placeholder`s at delivery only."""
    return await outbox.enqueue(EMAIL, email_payload(to, subject, text, html=html), dedupe_key=dedupe_key,
                                secrets=secrets)


def message_id(message: outbox.Message, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "cosell.invalid"
    return f"<{message.uid}@{domain}>"


def build_email(message: outbox.Message, sender: str) -> EmailMessage:
    """The same bytes on every attempt: Message-ID from the uid, Date from the enqueue time."""
    payload = message.payload
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(payload["to"])
    email["Subject"] = payload["subject"]
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message, sender)
    email.set_content(_revealed(payload["text"], message.secrets))
    if payload.get("html"):
        email.add_alternative(_revealed(payload["html"], message.secrets), subtype="html")
    return email


class Mailer(Protocol):
    async def send(self, email: EmailMessage) -> None: ...


class FileMailer:
    """Development delivery: `<dir>/<message-id>.eml`, written once per Message-ID."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path_for(self, email: EmailMessage) -> Path:
        name = re.sub(r"[^A-Za-z0-9._@-]", "_", email["Message-ID"].strip("<>"))
        return self.directory / f"{name}.eml"

    async def send(self, email: EmailMessage) -> None:
        await asyncio.to_thread(self._write, email)

    def _write(self, email: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.path_for(email)
        temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        temporary.write_bytes(email.as_bytes())
        try:
            # link() fails if the file exists: a message already delivered stays as it was.
            os.link(temporary, final)
        except FileExistsError:
            log.info("mail file already delivered", extra={"path": str(final)})
        finally:
            temporary.unlink(missing_ok=True)


class SmtpMailer:
    """SMTP delivery with the standard library, in a thread (smtplib blocks)."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.tls = settings.smtp_tls
        self.timeout = settings.smtp_timeout

    async def send(self, email: EmailMessage) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> None:
        try:
            if self.tls == "ssl":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                refused = client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise outbox.PermanentFailure(f"all recipients refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise outbox.PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise
        if refused:
            log.warning("some recipients were refused", extra={"refused": str(refused)})


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailer(settings.mail_dir)


def email_handler(settings: Settings, mailer: Mailer | None = None) -> outbox.Handler:
    """The outbox handler for kind "email"."""
    mailer = mailer or mailer_from_settings(settings)

    async def deliver(message: outbox.Message) -> None:
        await mailer.send(build_email(message, settings.mail_from))

    return deliver
