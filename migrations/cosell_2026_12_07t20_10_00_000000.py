"""Issue 36 (channel metrics, pages of groups): the indexes the ranking and the page's
statements read.

- `deal_registration_sourced_approved`: the partner-sourced registrations (APPROVED or
  EXPIRED, not services attach: P5, P6) by approval time, with what the open pipeline's
  ranking needs, so the period's sourced registrations are one index range;
- `deal_registration_sourced_opportunity`: the same registrations by opportunity, for "the
  latest sourced registration of the opportunity" (an index-only anti join);
- `deal_registration_sourced_partner`: the same by partner, for a page's partners;
- `deal_registration_change_registration_cover`: a registration's history with the review
  figures, so a page's review changes are read from the index alone.
The partial indexes carry `status` and `registration_type` too: SQLite reads a partial
index alone only when it holds every column the statement names.

Written by hand; indexes only (no data changes), on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the channel metrics' pages"

_SOURCED = "WHERE \"status\" IN ('APPROVED', 'EXPIRED') AND \"registration_type\" <> 'SERVICES_ATTACH'"
INDEXES = (
    ('deal_registration_sourced_approved', 'ON "deal_registration" ("approved_at", "opportunity", "partner", '
     f'"region", "registration_type", "status", "id") {_SOURCED}'),
    ('deal_registration_sourced_opportunity', 'ON "deal_registration" ("opportunity", "approved_at", "id", '
     f'"registration_type", "status") {_SOURCED}'),
    ('deal_registration_sourced_partner', 'ON "deal_registration" ("partner", "approved_at", "opportunity", '
     f'"region", "registration_type", "status", "id") {_SOURCED}'),
    ('deal_registration_change_registration_cover', 'ON "deal_registration_change" ("registration", "changed_at", '
     '"event", "first_review_seconds", "decision_seconds")'),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in INDEXES:
            await engine.run_ddl(f'CREATE INDEX IF NOT EXISTS "{name}" {target}')

    async def undo():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, _ in INDEXES:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(run)
    manager.add_raw_backwards(undo)
    return manager
