"""Store one received email (D15): a new case, or a message of its case's thread, once.

`ingest(raw, inbound)` parses, matches the sender and the thread, writes the attachment
files, then in one transaction: the case (new) or the claim on it (thread), the
`case_message` row (unique Message-ID), the attachment rows, the history row, the audit row
(actor: the system) and the outbox messages (the owner's notification; SMB operations for a
case nobody could match). It returns only after commit, so a receiver answers 250 after
the message is safe. A message already stored (same Message-ID, same sender) changes
nothing. Raises `Refused` for what must not be retried (a sender domain not allowed, a
DENIED partner's user); anything else is a temporary failure the caller reports (451)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from enum import Enum

from partners import business_days
from partners.cases import rules
from partners.cases.attachments import Limits, sanitized_file_name, upload_violations
from partners.cases.email.parse import ParsedEmail, clean, parse
from partners.cases.email.threads import Sender, case_tag, identify, thread_case
from partners.cases.enums import CaseHistoryEvent, CaseOrigin, CaseType, MessageDirection
from partners.cases.service import NewCase, announce, create_case, email_user, history
from partners.cases.storage import AttachmentStore, new_key
from partners.cases.tables import CaseAttachment, CaseMessage, PartnerCase
from partners.cases.work import RENEWAL_MANAGERS, escalate
from partners.infra import audit, versions
from partners.infra.db import is_unique_violation, transaction
from partners.infra.errors import DomainError
from partners.people.enums import Role
from partners.people.tables import User

log = logging.getLogger("cosell.mail")
MAX_ATTACHMENTS = 20
NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text)"
NOTIFY_TEXT_MAX = 4000


class SystemRole(str, Enum):
    SYSTEM = "SYSTEM"


@dataclass(frozen=True)
class SystemActor:
    """The audit log's actor for what the receiver does on nobody's behalf."""

    user_id: None = None
    email: str = "system:email-to-case"
    role: SystemRole = SystemRole.SYSTEM


SYSTEM = SystemActor()


class Refused(Exception):
    """A message that must not be retried (SMTP 550, `cosell mail ingest` exit 77)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Result(str, Enum):
    CASE_OPENED = "CASE_OPENED"
    THREADED = "THREADED"
    DUPLICATE = "DUPLICATE"
    IGNORED = "IGNORED"  # an automatic reply (Auto-Submitted): never opens a case (no mail loops)


@dataclass(frozen=True)
class Outcome:
    result: Result
    case_id: int | None
    message_id: str
    refused_attachments: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Inbound:
    """What the receiver needs besides the message (from Settings)."""

    store: AttachmentStore
    limits: Limits
    sender_domains: tuple[str, ...] = ()


@dataclass
class _Files:
    kept: list[dict] = field(default_factory=list)  # file_name, content_type, size, sha256, storage_key
    refused: list[dict] = field(default_factory=list)


async def _store_files(parsed: ParsedEmail, inbound: Inbound) -> _Files:
    """Each attachment within the case attachment limits goes to the store; the others are
    recorded as refused (the message still lands)."""
    files = _Files()
    for index, attachment in enumerate(parsed.attachments):
        content_type = attachment.content_type.strip().lower()
        name = sanitized_file_name(attachment.file_name)
        codes = [v.code for v in upload_violations(attachment.data, content_type, inbound.limits)]
        if index >= MAX_ATTACHMENTS:
            codes = ["TOO_MANY_ATTACHMENTS"]
        summary = {"file_name": name, "content_type": content_type[:100], "size": len(attachment.data)}
        if codes:
            files.refused.append({**summary, "reason": ",".join(codes)})
            continue
        key = new_key()
        files.kept.append({**summary, "sha256": hashlib.sha256(attachment.data).hexdigest(), "storage_key": key})
        try:
            await inbound.store.put(key, attachment.data, content_type)
        except BaseException:  # the store failed (an S3 endpoint down): none of this message's files stay
            await _forget(files, inbound)
            raise
    return files


async def _forget(files: _Files, inbound: Inbound) -> None:
    for kept in files.kept:
        try:
            await inbound.store.delete(kept["storage_key"])
        except OSError:
            log.warning("attachment file %s not removed", kept["storage_key"], exc_info=True)


def _sender_address(parsed: ParsedEmail, envelope_sender: str) -> str:
    if parsed.from_address:
        return parsed.from_address
    envelope = clean(envelope_sender or "", keep_newlines=False).lower()
    return envelope if "@" in envelope and len(envelope) <= 254 else ""


async def ingest(raw: bytes, inbound: Inbound, *, envelope_sender: str = "", request_id: str = "") -> Outcome:
    parsed = parse(raw)
    if parsed.auto_submitted:
        log.info("automatic reply %s ignored", parsed.message_id or "(no Message-ID)")
        return Outcome(Result.IGNORED, None, parsed.message_id)
    address = _sender_address(parsed, envelope_sender)
    domain = address.rpartition("@")[2]
    if inbound.sender_domains and domain not in inbound.sender_domains:
        raise Refused("SENDER_DOMAIN_NOT_ALLOWED", f"mail from {domain or 'an unknown sender'} is not accepted here")
    sender = await identify(address, parsed.from_name)
    duplicate = await _stored(parsed, address)
    if duplicate is not None:
        return duplicate
    files = await _store_files(parsed, inbound)
    try:
        async with transaction():
            outcome = await _record(parsed, sender, files, request_id)
    except DomainError as exc:
        await _forget(files, inbound)
        codes = ",".join(v.code for v in exc.violations)
        raise Refused(codes, "; ".join(v.message for v in exc.violations)) from exc
    except BaseException as exc:
        await _forget(files, inbound)
        if isinstance(exc, Exception) and is_unique_violation(exc):  # the same message, delivered concurrently
            again = await _stored(parsed, address)
            if again is not None:
                return again
        raise
    log.info("email %s from %s: %s case %s", outcome.message_id, address or "(no sender)", outcome.result.value,
             outcome.case_id)
    return outcome


def _message_id(parsed: ParsedEmail, address: str, taken_by: str | None) -> str:
    if not parsed.message_id:
        return parsed.hashed_id()
    if taken_by is not None and taken_by != address:
        # Another sender's message has this Message-ID: this one is stored under its own id
        # and never joins that message's case because of it.
        return parsed.hashed_id(salt=f"{parsed.message_id} {address}")
    return parsed.message_id


async def _stored(parsed: ParsedEmail, address: str) -> Outcome | None:
    """The outcome of this message's earlier delivery, or None."""
    taken = await CaseMessage.select(CaseMessage.from_address).where(
        CaseMessage.message_id == parsed.message_id).first() if parsed.message_id else None
    message_id = _message_id(parsed, address, taken["from_address"] if taken else None)
    row = await CaseMessage.select(CaseMessage.case, CaseMessage.from_address).where(
        CaseMessage.message_id == message_id).first()
    if row is not None and row["from_address"] == address:
        return Outcome(Result.DUPLICATE, row["case"], message_id)
    return None


async def _record(parsed: ParsedEmail, sender: Sender, files: _Files, request_id: str) -> Outcome:
    taken = await CaseMessage.select(CaseMessage.from_address).where(
        CaseMessage.message_id == parsed.message_id).first() if parsed.message_id else None
    message_id = _message_id(parsed, sender.address, taken["from_address"] if taken else None)
    problems = list(parsed.problems)
    if message_id != parsed.message_id and parsed.message_id:
        problems.append(f"Message-ID {parsed.message_id} was already used by another sender")
    case, refused_thread = await thread_case(parsed.subject, parsed.references, sender)
    if refused_thread:
        problems.append("named the thread of a case its sender does not belong on: opened as a new case")
    if case is None:
        case = await _open(parsed, sender)
        result = Result.CASE_OPENED
    else:
        case = await versions.claim(PartnerCase, case["id"], None, "case")
        result = Result.THREADED
    at = business_days.now()
    saved = await CaseMessage.insert(CaseMessage(
        case=case["id"], message_id=message_id, direction=MessageDirection.INBOUND.value,
        from_address=sender.address, from_name=sender.name, subject=parsed.subject, text=parsed.text,
        sent_at=parsed.sent_at, received_at=at, in_reply_to=parsed.in_reply_to[:255], size=parsed.size,
        internal=sender.is_staff, refused_attachments=json.dumps(files.refused),
        problems="\n".join(problems)[:4000])).returning(CaseMessage.id)
    if files.kept:
        await CaseAttachment.insert(*[CaseAttachment(
            case=case["id"], file_name=f["file_name"], content_type=f["content_type"], size=f["size"],
            sha256=f["sha256"], storage_key=f["storage_key"], internal=sender.is_staff, uploaded_by=None,
            uploaded_at=at, message=saved[0]["id"]) for f in files.kept]).run()
    if result is Result.THREADED:
        await _threaded(case, parsed, sender, saved[0]["id"])
    else:
        await _notify_operations(case, sender)
    await audit.record(SYSTEM, [audit.MutationCall(
        "emailToCase" if result is Result.CASE_OPENED else "emailToCaseThread",
        {"caseId": case["id"], "messageId": message_id, "from": sender.address, "subject": parsed.subject,
         "attachments": len(files.kept), "refusedAttachments": len(files.refused)},
        audit.Outcome(audit.OK))], request_id)
    return Outcome(result, case["id"], message_id, tuple(files.refused))


async def _open(parsed: ParsedEmail, sender: Sender) -> dict:
    """D15: subject → subject, body → description, matched to a contact by sender (routed by
    its account's region), a partner user's as Partner Opp (D9), otherwise the sender as the
    lead and no account: the SMB operations queue (`unmatched`)."""
    subject = parsed.subject or NO_SUBJECT
    description = parsed.text or NO_TEXT
    if sender.is_partner_user:
        new = NewCase(subject=rules.subject_with_prefix(subject), description=description,
                      case_type=CaseType.PARTNER_OPP)
        return await create_case(sender.principal, new, CaseOrigin.EMAIL)
    if sender.is_staff:
        return await create_case(sender.principal, NewCase(subject=subject, description=description), CaseOrigin.EMAIL)
    if sender.contact is not None:
        new = NewCase(subject=subject, description=description, account_id=sender.contact["account"],
                      contact_id=sender.contact["id"])
    else:
        new = NewCase(subject=subject, description=description, lead_name=sender.name, lead_email=sender.address)
    return await create_case(None, new, CaseOrigin.EMAIL)


async def _notify_operations(case: dict, sender: Sender) -> None:
    """No account to route by: SMB operations (SALES_OPS) decide where the case goes."""
    if case["account"] is not None or case["partner"] is not None:
        return
    why = "contacts of several accounts share this address" if sender.ambiguous else "no contact has this address"
    operators = await User.select(User.id).where((User.role == Role.SALES_OPS.value) & (User.active == True))  # noqa: E712
    for operator in operators:
        await email_user(operator["id"], f"{case_tag(case['id'])} Email case to route: {case['subject']}",
                         f"Case #{case['id']} was opened by an email from {sender.address or 'an unknown sender'} "
                         f"and could not be routed ({why}).\nLink its account (or contact) so it reaches the "
                         "right region's advocates.\n", f"case-email-unmatched:{case['id']}:{operator['id']}")


async def _threaded(case: dict, parsed: ParsedEmail, sender: Sender, message_row: int) -> None:
    """A later message of the thread: history, event, the owner told (even when the case is
    closed: it is not reopened), and "#advocate" from a renewal manager escalates (D15)."""
    principal = sender.principal
    await history(case, CaseHistoryEvent.EMAIL_RECEIVED, principal,
                  reason=f"{sender.address}: {parsed.subject}"[:500])
    await announce(case, "EMAIL_RECEIVED", {"message": {"id": message_row, "from": sender.address,
                                                        "subject": parsed.subject, "internal": sender.is_staff}})
    if case["advocate"] is not None and (principal is None or principal.user_id != case["advocate"]):
        closed = rules.is_closed(case["status"])
        text = (f"{sender.name or sender.address} <{sender.address}> wrote on case #{case['id']} "
                f"\"{case['subject']}\":\n\nSubject: {parsed.subject}\n\n{parsed.text[:NOTIFY_TEXT_MAX]}\n")
        if closed:
            text += (f"\nThe case is {case['status']} and stays closed: reopen it if this continues the request, or "
                     "ask the customer to write a new email for a new request.\n")
        await email_user(case["advocate"], f"{case_tag(case['id'])} New email on "
                         f"{'closed ' if closed else ''}case: {case['subject']}"[:300], text,
                         f"case-email:{case['id']}:{message_row}")
    if (principal is not None and principal.role in RENEWAL_MANAGERS and rules.is_escalated(parsed.subject)
            and not rules.is_closed(case["status"]) and not rules.is_escalated(case["subject"])):
        try:
            await escalate(principal, case["id"], note="By email.")
        except DomainError as exc:  # the message still lands; only the escalation is undone
            log.warning("escalation by email of case %s refused: %s", case["id"],
                        ", ".join(v.code for v in exc.violations))

