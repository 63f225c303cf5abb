"""A file on a case as a GraphQL type (D9 attachments, D15 files from emails); used by the
Case and CaseMessage types."""

from __future__ import annotations

import base64
from datetime import datetime

import strawberry
from strawberry.relay import to_base64

from partners.cases.stores import store_for
from schema.core.context import Info
from schema.identity.loaders import load_users
from schema.identity.types import UserNode


@strawberry.type(description="A file on a case (e.g. a PO, 004); partner users read the public ones of their cases.")
class CaseAttachment:
    id: strawberry.ID
    file_name: str
    content_type: str
    size: int = strawberry.field(description="Bytes.")
    sha256: str
    internal: bool = strawberry.field(description="Vendor staff only.")
    uploaded_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field(description="The file, base64-encoded (null when the stored file is missing). Ask for it one "
                      "attachment at a time: it is read from the store.")
    async def content_base64(self, info: Info) -> str | None:
        data = await store_for(info.context.settings).get(self.row["storage_key"])
        return base64.b64encode(data).decode("ascii") if data is not None else None

    @strawberry.field(description="Null for a file that came with an email (D15), or when you may not see the "
                      "uploader.")
    async def uploaded_by(self, info: Info) -> UserNode | None:
        if self.row["uploaded_by"] is None:
            return None
        row = await info.context.loaders(load_users).load(self.row["uploaded_by"])
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "CaseAttachment":
        return cls(id=strawberry.ID(to_base64("CaseAttachment", row["id"])), file_name=row["file_name"],
                   content_type=row["content_type"], size=row["size"], sha256=row["sha256"],
                   internal=row["internal"], uploaded_at=row["uploaded_at"], row=row)
