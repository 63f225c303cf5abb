"""One raw RFC 5322 message as what a case needs (D15), with the standard library's `email`
package (policy=email.policy.default). Hostile input is expected: headers are read raw and
decoded defensively, the MIME tree is walked without recursion to a bounded depth and part
count, bodies are cut to a bounded length, NUL bytes and undecodable bytes never reach the
database, and HTML becomes plain text. Nothing here raises on any input."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from partners.cases.email.html_text import html_to_text

log = logging.getLogger("cosell.mail")

MAX_DEPTH = 8  # nested multiparts deeper than this are skipped
MAX_PARTS = 200
TEXT_MAX = 100_000  # characters of body text kept
SUBJECT_MAX = 250
ID_MAX = 250
REFERENCES_MAX = 50
_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,%d})>" % ID_MAX)
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:\\\[\]]{1,64}@[A-Za-z0-9.-]{1,189}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class RawAttachment:
    file_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str  # "<…>", or "" when the message has none (or an unusable one)
    from_address: str  # lower case, or "" when none could be read
    from_name: str
    subject: str
    text: str
    sent_at: datetime | None
    in_reply_to: str
    references: tuple[str, ...]  # In-Reply-To first, then References, newest first
    attachments: tuple[RawAttachment, ...] = ()
    auto_submitted: bool = False
    problems: tuple[str, ...] = ()
    size: int = 0
    fingerprint: str = field(default="", repr=False)  # sha256 of what the message says

    def hashed_id(self, salt: str = "") -> str:
        """The id of a message without a usable Message-ID (or whose Message-ID another
        sender's message took): the same message delivered twice gets the same id."""
        digest = hashlib.sha256(f"{salt}\n{self.fingerprint}".encode()).hexdigest()
        return f"<{digest}@hash.cosell.invalid>"


def clean(text: str, keep_newlines: bool = True) -> str:
    """Text the database stores: undecodable bytes replaced, no NUL or control characters."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not keep_newlines:
        text = " ".join(text.split())
    return _CONTROL.sub("", text)


def _raw_headers(msg: Message) -> dict[str, str]:
    """The first value of each header, unparsed (the typed header parser is not trusted
    with hostile values)."""
    found: dict[str, str] = {}
    for name, value in msg.raw_items():
        found.setdefault(str(name).lower(), str(value))
    return found


def _decoded(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 — a broken encoded-word stays as written
        return raw


def message_ids(raw: str) -> list[str]:
    return [f"<{m}>" for m in _ID.findall(raw or "")]


def _sender(raw: str) -> tuple[str, str]:
    try:
        pairs = getaddresses([_decoded(raw)])
    except Exception:  # noqa: BLE001
        pairs = []
    for name, address in pairs:
        address = clean(address, keep_newlines=False).lower()
        if len(address) <= 254 and _ADDRESS.match(address):
            return address, clean(name, keep_newlines=False)[:200]
    return "", ""


def _date(raw: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(raw) if raw else None
    except Exception:  # noqa: BLE001
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except Exception:  # noqa: BLE001 — unknown charset, bad transfer encoding …
        pass
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:  # noqa: BLE001
        data = b""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


def _bytes_of(part: Message) -> bytes:
    try:
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            return part.get_payload(0).as_bytes()
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        return b""
    return data if isinstance(data, bytes) else b""


def _walk(msg: Message, problems: list[str]):
    """The leaf parts, in order, without recursion; bounded depth and count."""
    stack = [(msg, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > MAX_PARTS:
            problems.append(f"more than {MAX_PARTS} MIME parts: the rest was skipped")
            return
        try:
            content_type = part.get_content_type()
            multipart = part.is_multipart() and content_type != "message/rfc822"
        except Exception:  # noqa: BLE001
            problems.append("a MIME part could not be read")
            continue
        if multipart:
            if depth >= MAX_DEPTH:
                problems.append(f"MIME nesting deeper than {MAX_DEPTH}: the inner parts were skipped")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children) if isinstance(child, Message))
            continue
        yield part, content_type


def _body_and_attachments(msg: Message, problems: list[str]) -> tuple[str, list[RawAttachment]]:
    plain: list[str] = []
    html: str | None = None
    attachments: list[RawAttachment] = []
    for part, content_type in _walk(msg, problems):
        try:
            disposition = part.get_content_disposition()
            file_name = part.get_filename()
        except Exception:  # noqa: BLE001
            disposition, file_name = "attachment", None
        if content_type in ("text/plain", "text/html") and disposition != "attachment" and not file_name:
            if content_type == "text/plain":
                plain.append(_text_of(part))
            elif html is None:
                html = _text_of(part)
            continue
        name = clean(_decoded(file_name or ""), keep_newlines=False) or (
            "attachment" + (mimetypes.guess_extension(content_type) or ""))
        attachments.append(RawAttachment(file_name=name, content_type=content_type, data=_bytes_of(part)))
    if plain and any(p.strip() for p in plain):
        text = "\n\n".join(p.strip() for p in plain if p.strip())
    elif html is not None:
        text = html_to_text(html[: TEXT_MAX * 10])
    else:
        text = ""
    text = clean(text).strip()
    if len(text) > TEXT_MAX:
        problems.append(f"the text was cut to {TEXT_MAX} characters")
        text = text[:TEXT_MAX]
    return text, attachments


def parse(raw: bytes) -> ParsedEmail:
    problems: list[str] = []
    try:
        msg: Message | None = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001 — e.g. RecursionError on absurd nesting: keep the headers
        log.warning("message body could not be parsed (%s)", type(exc).__name__)
        problems.append("the message could not be parsed: only its headers were read")
        msg = None
    try:
        headers = _raw_headers(msg if msg is not None else BytesHeaderParser(policy=policy.compat32).parsebytes(raw))
    except Exception:  # noqa: BLE001
        headers = {}
        problems.append("the headers could not be read")
    text, attachments = _body_and_attachments(msg, problems) if msg is not None else ("", [])
    if msg is not None and getattr(msg, "defects", None):
        problems.append("malformed MIME: " + ", ".join(sorted({type(d).__name__ for d in msg.defects}))[:300])
    from_address, from_name = _sender(headers.get("from", ""))
    subject = clean(_decoded(headers.get("subject", "")), keep_newlines=False)[:SUBJECT_MAX]
    own = message_ids(headers.get("message-id", ""))
    in_reply_to = message_ids(headers.get("in-reply-to", ""))
    references = list(reversed(message_ids(headers.get("references", ""))))
    thread = tuple(dict.fromkeys(in_reply_to + references))[:REFERENCES_MAX]
    auto = headers.get("auto-submitted", "no").strip().lower()
    fingerprint = hashlib.sha256("\n".join([
        from_address, headers.get("date", "").strip(), subject, text,
        *(hashlib.sha256(a.data).hexdigest() for a in attachments)]).encode("utf-8", "replace")).hexdigest()
    return ParsedEmail(
        message_id=own[0] if own else "", from_address=from_address, from_name=from_name, subject=subject,
        text=text, sent_at=_date(clean(headers.get("date", ""), keep_newlines=False)),
        in_reply_to=in_reply_to[0] if in_reply_to else "", references=thread, attachments=tuple(attachments),
        auto_submitted=auto not in ("", "no"), problems=tuple(problems), size=len(raw), fingerprint=fingerprint)
