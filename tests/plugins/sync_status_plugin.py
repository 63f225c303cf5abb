"""A plugin that adds GraphQL fields (cosell_extend_schema, issue 41), written with
`schema.plugin_api` only: a CRM sync status per partner, under partner scoping.

- `acmeSyncStatus(partnerId)`: a partner user reads their own partner's status (another
  partner's is null, like `node`); staff name any partner.
- `acmeSyncStatuses`: the statuses of every partner the caller may see.
- `acmeMarkSynced(input)` (staff): records a sync; an empty note is refused as
  `UserError {code: NOTE_REQUIRED, field: ["note"], rule: "ACME3"}` and records nothing.
- `acmeBroken`: a resolver that fails (the failure names the plugin).
"""

from __future__ import annotations

import strawberry

from partners.people.tables import Partner
from plugins import hookimpl
from schema.plugin_api import (
    AUTHENTICATED, STAFF, DomainError, Info, NotFound, PartnerNode, SchemaAdditions, UserError, Violation, access,
    call_domain, own_partner_id, partner_id_from, partner_scope, principal, scoped, visible_partner,
)

SYNCED: dict[int, list[str]] = {}  # partner id -> notes: the plugin's own store (a CRM, in real life)


@strawberry.type(description="How far the ACME CRM has caught up with a partner.")
class AcmeSyncStatus:
    partner: PartnerNode
    synced: int
    last_note: str | None


def status_of(partner: PartnerNode) -> AcmeSyncStatus:
    notes = SYNCED.get(partner.id, [])
    return AcmeSyncStatus(partner=partner, synced=len(notes), last_note=notes[-1] if notes else None)


@strawberry.type
class AcmeSyncQuery:
    @strawberry.field(description="A partner's sync status: your own partner's, or (staff) any partner's.",
                      extensions=[access(AUTHENTICATED)])
    async def acme_sync_status(self, info: Info, partner_id: strawberry.ID | None = None) -> AcmeSyncStatus | None:
        wanted = partner_id_from(info, partner_id) if partner_id is not None else own_partner_id(info)
        partner = await visible_partner(info, wanted) if wanted is not None else None
        return status_of(partner) if partner is not None else None

    @strawberry.field(description="The sync status of every partner you may see.", extensions=[access(AUTHENTICATED)])
    async def acme_sync_statuses(self, info: Info) -> list[AcmeSyncStatus]:
        rows = await scoped(Partner.select().order_by(Partner.id), partner_scope(principal(info)))
        return [status_of(PartnerNode.from_row(row)) for row in rows]

    @strawberry.field(extensions=[access(AUTHENTICATED)])
    def acme_broken(self, info: Info) -> str:
        raise RuntimeError("the CRM is unreachable")


@strawberry.input
class AcmeMarkSyncedInput:
    partner_id: strawberry.ID
    note: str


@strawberry.type
class AcmeMarkSyncedPayload:
    status: AcmeSyncStatus | None
    errors: list[UserError]


async def mark_synced(partner: PartnerNode | None, note: str) -> AcmeSyncStatus:
    if partner is None:
        raise NotFound.of("Partner", "partnerId")
    if not note.strip():
        raise DomainError([Violation("NOTE_REQUIRED", "Say what was synced (ACME3).", ("note",), "ACME3")])
    SYNCED.setdefault(partner.id, []).append(note)
    return status_of(partner)


@strawberry.type
class AcmeSyncMutation:
    @strawberry.mutation(description="Record a sync of a partner (staff).", extensions=[access(STAFF)])
    async def acme_mark_synced(self, info: Info, input: AcmeMarkSyncedInput) -> AcmeMarkSyncedPayload:
        partner = await visible_partner(info, partner_id_from(info, input.partner_id))
        status, errors = await call_domain(mark_synced(partner, input.note))
        return AcmeMarkSyncedPayload(status=status, errors=errors)


@hookimpl
def cosell_extend_schema():
    return SchemaAdditions(queries=[AcmeSyncQuery], mutations=[AcmeSyncMutation])
