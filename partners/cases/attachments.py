"""Files on cases (a PO uploaded to the case, 004): attach and delete, for those who may
read the case (partner users: their own partner's cases, public files only).

The bytes go to the store first, then the row commits; when the store or the transaction
fails the file is removed again. Deleting removes the row in a transaction and the file after
commit. A file left behind (a crash between the two steps, or a store that failed to remove
it) is unreachable: no row names it; docs/operations.md "Cases" says how to sweep them."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from partners import business_days
from partners.cases import rules
from partners.cases.enums import CaseHistoryEvent
from partners.cases.scoping import case_attachment_scope
from partners.cases.service import STAFF_OPENERS, announce, history, open_for_write
from partners.cases.storage import AttachmentStore, new_key
from partners.cases.tables import CaseAttachment
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied

log = logging.getLogger("cosell.cases")
NAME_MAX = 200


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    content_types: tuple[str, ...]


def sanitized_file_name(name: str) -> str:
    """The last path component, NFC, without control characters or anything but letters,
    digits, space, dot, dash, underscore, parentheses; never empty, hidden or too long."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w .()\-]", "_", "".join(c for c in name if unicodedata.category(c)[0] != "C"))
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return "attachment"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:NAME_MAX]
    return name


def upload_violations(data: bytes, content_type: str, limits: Limits) -> list[Violation]:
    violations = []
    if not data:
        violations.append(Violation("EMPTY_FILE", "The file is empty.", ("content",)))
    elif len(data) > limits.max_bytes:
        violations.append(Violation("FILE_TOO_LARGE", f"Files up to {limits.max_bytes} bytes.", ("content",)))
    if content_type not in limits.content_types:
        violations.append(Violation("CONTENT_TYPE_NOT_ALLOWED", f"Allowed: {', '.join(limits.content_types)}.",
                                    ("contentType",)))
    return violations


def _may_upload(principal: Principal, internal: bool) -> None:
    if principal.is_partner_user:
        if internal:
            raise DomainError.single("INTERNAL_NOT_ALLOWED", "Partner users attach public files only.", "internal",
                                     rule="D9")
    elif principal.role not in STAFF_OPENERS:
        raise PermissionDenied("Partner users and vendor staff attach files to cases.")


async def attach(principal: Principal, store: AttachmentStore, limits: Limits, case_id: int, file_name: str,
                 content_type: str, data: bytes, internal: bool = False) -> tuple[dict, dict]:
    _may_upload(principal, internal)
    content_type = (content_type or "").strip().lower()
    violations = upload_violations(data, content_type, limits)
    if violations:
        raise DomainError(violations)
    key = new_key()
    try:
        # Inside the try: a put that failed on our side (a timeout) may still have stored the object.
        await store.put(key, data, content_type)
        async with transaction():
            await refuse_if_partner_denied(principal)  # P1
            row = await open_for_write(principal, case_id)
            if rules.is_closed(row["status"]):
                raise DomainError.single("CASE_CLOSED", "The case is closed.", "id", rule="D10")
            name = sanitized_file_name(file_name)
            saved = await CaseAttachment.insert(CaseAttachment(
                case=case_id, file_name=name, content_type=content_type, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), storage_key=key, internal=internal,
                uploaded_by=principal.user_id, uploaded_at=business_days.now())).returning(
                *CaseAttachment.all_columns())
            await history(row, CaseHistoryEvent.ATTACHED, principal, reason=name)
            await announce(row, "ATTACHED", {"attachment": {"id": saved[0]["id"], "file_name": name,
                                                            "internal": internal}})
            return row, saved[0]
    except BaseException:
        try:
            await store.delete(key)
        except OSError:  # the original failure is the one to report; this file is unreachable
            log.warning("case attachment file %s not removed", key, exc_info=True)
        raise


async def readable(principal: Principal, attachment_id: int) -> dict | None:
    return await scoped(CaseAttachment.select(), case_attachment_scope(principal)).where(
        CaseAttachment.id == attachment_id).first()


async def content(principal: Principal, store: AttachmentStore, attachment_id: int) -> bytes | None:
    row = await readable(principal, attachment_id)
    return await store.get(row["storage_key"]) if row else None


async def delete(principal: Principal, store: AttachmentStore, attachment_id: int) -> dict:
    """The uploader, the case's owner, or an admin deletes a file of a case not yet closed
    (an admin also of a closed one)."""
    async with transaction():
        attachment = await readable(principal, attachment_id)
        if attachment is None:
            raise NotFound.of("Attachment")
        row = await open_for_write(principal, attachment["case"])
        if principal.user_id not in (attachment["uploaded_by"], row["advocate"]) and not principal.is_admin:
            raise DomainError.single("NOT_ALLOWED", "The uploader, the case's advocate or an admin deletes a file.",
                                     "id", rule="D10")
        if rules.is_closed(row["status"]) and not principal.is_admin:
            raise DomainError.single("CASE_CLOSED", "A closed case keeps its files (an admin may delete one).", "id",
                                     rule="D10")
        await CaseAttachment.delete().where(CaseAttachment.id == attachment_id)
        await history(row, CaseHistoryEvent.ATTACHMENT_DELETED, principal, reason=attachment["file_name"])
        await announce(row, "ATTACHMENT_DELETED", {"attachment": {"id": attachment_id,
                                                                  "file_name": attachment["file_name"],
                                                                  "internal": attachment["internal"]}})
    try:
        await store.delete(attachment["storage_key"])
    except OSError:  # the row is gone: the file is unreachable; an operator may sweep it
        log.warning("case attachment file %s not removed", attachment["storage_key"], exc_info=True)
    return row
