"""Indexes for the portal's and the review queue's first pages (issue 11).

- `deal_registration_partner_submitted` (partner, submitted_at, id): a partner user's
  registrations in submission order (the portal dashboard) are read from the index in
  order, the first page without visiting the partner's other registrations.
- `deal_registration_review_queue` (region, submitted_at, id) over registrations waiting
  for a review step (P4: SUBMITTED, PENDING_SALES_REVIEW, PENDING_MANAGER_REVIEW): the
  channel managers' queue of a region (D1) in order, and its count, from a small index.
  Its condition is the `dueForReview` filter's, in the same order, so that SQLite too
  recognises it.

Same SQL on SQLite and PostgreSQL; the tables exist already, so plain raw steps do.

On PostgreSQL `cost_budget` becomes UNLOGGED: every request spends from its budget with
one upsert, and a logged write waits for its WAL flush at commit (~1–4 ms, and one at a
time per user's row). Unlogged, the spend still is one atomic statement seen at once by
every instance (the budget stays shared and exact); the price is that a PostgreSQL crash
(not a clean restart) empties the table: the current minute's budgets start afresh.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deal registration indexes for the dashboard and the review queue; unlogged cost budgets"

# partners.registrations.rules.IN_REVIEW when this was written (a migration never changes).
_IN_REVIEW = "'SUBMITTED', 'PENDING_SALES_REVIEW', 'PENDING_MANAGER_REVIEW'"
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "deal_registration_partner_submitted" '
    'ON "deal_registration" ("partner", "submitted_at", "id")',
    'CREATE INDEX IF NOT EXISTS "deal_registration_review_queue" '
    f'ON "deal_registration" ("region", "submitted_at", "id") WHERE "status" IN ({_IN_REVIEW})',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for ddl in INDEXES:
            await engine.run_ddl(ddl)
        if engine.engine_type == "postgres":
            await engine.run_ddl("ALTER TABLE cost_budget SET UNLOGGED")

    async def drop_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name in ("deal_registration_partner_submitted", "deal_registration_review_queue"):
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')
        if engine.engine_type == "postgres":
            await engine.run_ddl("ALTER TABLE cost_budget SET LOGGED")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
