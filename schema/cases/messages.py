"""D15: the emails of a case's thread as GraphQL types (plain text only; attachments through
the case's scoped attachment loader)."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.relay import to_base64

from schema.cases.attachment_type import CaseAttachment
from schema.cases.enums import CaseMessageDirection
from schema.cases.loaders import load_case_attachments
from schema.core.access import STAFF, visible_to
from schema.core.context import Info


@strawberry.type(description="D15: an attachment of an email that was not kept (too large, a type not allowed, too "
                 "many); the message itself landed.")
class RefusedAttachment:
    file_name: str
    content_type: str
    size: int = strawberry.field(description="Bytes.")
    reason: str = strawberry.field(description="The attachment limits' codes, e.g. FILE_TOO_LARGE, "
                                   "CONTENT_TYPE_NOT_ALLOWED, EMPTY_FILE, TOO_MANY_ATTACHMENTS.")


@strawberry.type(description="D15: one email of a case's thread, stored once (by Message-ID). Partner users read "
                 "those of their partner's cases, never vendor staff's.")
class CaseMessage:
    id: strawberry.ID
    message_id: str = strawberry.field(description="The Message-ID header (a hash-based id `<…@hash.cosell.invalid>` "
                                       "when the message had none, or another sender's message had used it).")
    direction: CaseMessageDirection
    from_address: str
    from_name: str
    subject: str
    text: str = strawberry.field(description="Plain text: the text/plain part, or the HTML part converted (tags "
                                 "dropped); HTML is never stored.")
    sent_at: datetime | None = strawberry.field(description="The Date header, as the sender claims it.")
    received_at: datetime
    internal: bool = strawberry.field(description="Written by vendor staff (e.g. a reply to an owner's notification); "
                                      "never shown to partner users.")
    row: strawberry.Private[dict]

    @strawberry.field(description="What the parser had to work around (malformed MIME, cut text, a reused "
                      "Message-ID, a refused thread); vendor staff only.", extensions=[visible_to(STAFF)])
    def problems(self) -> list[str] | None:
        return [p for p in self.row["problems"].split("\n") if p]

    @strawberry.field(description="Attachments of the email that were not kept.")
    def refused_attachments(self) -> list[RefusedAttachment]:
        try:
            items = json.loads(self.row["refused_attachments"] or "[]")
        except ValueError:
            items = []
        return [RefusedAttachment(file_name=i.get("file_name", ""), content_type=i.get("content_type", ""),
                                  size=int(i.get("size", 0)), reason=i.get("reason", "")) for i in items]

    @strawberry.field(description="The files the email brought, kept on the case (also in Case.attachments).")
    async def attachments(self, info: Info) -> list[CaseAttachment]:
        rows = await info.context.loaders(load_case_attachments).load(self.row["case"])
        return [CaseAttachment.from_row(r) for r in rows if r["message"] == self.row["id"]]

    @classmethod
    def from_row(cls, row: dict) -> "CaseMessage":
        return cls(id=strawberry.ID(to_base64("CaseMessage", row["id"])), message_id=row["message_id"],
                   direction=CaseMessageDirection(row["direction"]), from_address=row["from_address"],
                   from_name=row["from_name"], subject=row["subject"], text=row["text"], sent_at=row["sent_at"],
                   received_at=row["received_at"], internal=row["internal"], row=row)
