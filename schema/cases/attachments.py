"""Case attachments through GraphQL: base64 content in `attachFileToCase` (within
COSELL_ATTACHMENT_MAX_BYTES and the request body limit), read back through the scoped
`Case.attachments` / `CaseAttachment.contentBase64`, deleted by `deleteCaseAttachment`."""

from __future__ import annotations

import base64
import binascii

import strawberry

from partners.cases import attachments
from partners.cases.storage import AttachmentStore
from partners.cases.stores import store_for
from partners.people.enums import Role
from schema.cases.types import CaseAttachment, CaseNode
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.errors import InvalidId, UserError
from schema.core.node import decode_node_id, parse_global_id
from schema.core.permissions import require_principal
from schema.core.rows import database_id

UPLOADERS = roles(*sorted(Role, key=lambda r: r.value), description="those who may read the case: its partner's "
                  "users (public files), vendor staff")


def store_of(info: Info) -> AttachmentStore:
    return store_for(info.context.settings)


def limits_of(info: Info) -> attachments.Limits:
    settings = info.context.settings
    return attachments.Limits(settings.attachment_max_bytes, tuple(settings.attachment_content_types))


@strawberry.input(description="A file for a case, base64-encoded; the name is sanitized.")
class AttachFileToCaseInput:
    id: strawberry.ID
    file_name: str
    content_type: str
    content_base64: str
    internal: bool = strawberry.field(default=False, description="Vendor staff only; never shown to partner users.")


@strawberry.input
class DeleteCaseAttachmentInput:
    id: strawberry.ID


@strawberry.type
class AttachFileToCasePayload:
    attachment: CaseAttachment | None
    errors: list[UserError]


@strawberry.type
class DeleteCaseAttachmentPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _attachment_id(value: str) -> int:
    gid = parse_global_id(value, "id")
    pk = database_id(gid.node_id) if gid.type_name == "CaseAttachment" else None
    if pk is None:
        raise InvalidId("Expected a CaseAttachment id.", field="id")
    return pk


@strawberry.type
class CaseAttachmentMutation:
    @strawberry.mutation(description="Attach a file (e.g. a PO) to a case you may read and that is not closed.",
                         extensions=[access(UPLOADERS)])
    async def attach_file_to_case(self, info: Info, input: AttachFileToCaseInput) -> AttachFileToCasePayload:
        principal = require_principal(info)
        case_id = decode_node_id(info, input.id, CaseNode)
        try:
            data = base64.b64decode(input.content_base64, validate=True)
        except (binascii.Error, ValueError):
            return AttachFileToCasePayload(attachment=None, errors=[UserError(
                code="INVALID_BASE64", message="contentBase64 is not base64.", field=["contentBase64"], rule=None)])
        result, errors = await call_domain(attachments.attach(
            principal, store_of(info), limits_of(info), case_id, input.file_name, input.content_type, data,
            input.internal))
        return AttachFileToCasePayload(attachment=CaseAttachment.from_row(result[1]) if result else None,
                                       errors=errors)

    @strawberry.mutation(description="Delete a file of a case (its uploader, the case's advocate, an admin).",
                         extensions=[access(UPLOADERS)])
    async def delete_case_attachment(self, info: Info, input: DeleteCaseAttachmentInput) -> DeleteCaseAttachmentPayload:
        principal = require_principal(info)
        _, errors = await call_domain(attachments.delete(principal, store_of(info), _attachment_id(input.id)))
        return DeleteCaseAttachmentPayload(deleted_id=None if errors else input.id, errors=errors)

