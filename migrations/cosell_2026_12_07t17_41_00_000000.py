"""Issue 36 (channel metrics): backfill of the P4 durations added by the previous migration,
and the indexes the metrics' GROUP BY queries read their period from.

The backfill walks the history once, in (registration, changed_at, id) order: the clock of
a registration starts at its SUBMITTED or RESUBMITTED change; the first reviewer step out of
SUBMITTED (PENDING_SALES_REVIEW, RETURNED, DENIED) gets `first_review_seconds`, an APPROVED
or DENIED change `decision_seconds`, the working seconds (Mon–Fri 09:00–17:00 UTC, as the
P4 targets count) since that start. One UPDATE per review change: on a year of the bench world
(~1M history rows) some minutes, once.

The working-time arithmetic is copied here on purpose (a migration never changes when the
domain's code does)."""

from datetime import date, datetime, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T17:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill P4 durations; indexes of the channel metrics"

INDEXES = (
    # Covering: the submissions and review changes of a period are read from the index alone.
    ('deal_registration_submitted_cover',
     'ON "deal_registration" ("submitted_at", "partner", "region", "registration_type")'),
    ('deal_registration_change_review_cover',
     'ON "deal_registration_change" ("event", "changed_at", "registration", "first_review_seconds", '
     '"decision_seconds")'),
    ('opportunity_closed_at', 'ON "opportunity" ("closed_at")'),
    ('lead_event_event_at', 'ON "lead_event" ("event", "occurred_at")'),
    ('lead_shared_at', 'ON "lead" ("shared_at")'),
    ('cosell_task_completed_at', 'ON "cosell_task" ("completed_at")'),
    ('partner_case_opened_at', 'ON "partner_case" ("opened_at")'),
)
_DAY = 8 * 3600
_MONDAY = date(2000, 1, 3)
_FIRST = {"PENDING_SALES_REVIEW", "RETURNED", "DENIED"}
_DECISION = {"APPROVED", "DENIED"}


def _parse(value) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return datetime.fromisoformat(str(value)).astimezone(timezone.utc)


def _since_anchor(at: datetime) -> int:
    weeks, weekday = divmod((at.date() - _MONDAY).days, 7)
    seconds = weeks * 5 * _DAY + min(weekday, 5) * _DAY
    if weekday < 5:
        seconds += max(0, min(at.hour * 3600 + at.minute * 60 + at.second - 9 * 3600, _DAY))
    return seconds


async def backfill(engine) -> None:
    from piccolo.querystring import QueryString

    rows = await engine.run_querystring(QueryString(
        'SELECT id, registration, event, from_status, changed_at FROM "deal_registration_change" '
        'ORDER BY registration, changed_at, id'))
    current, start = None, None
    for row in rows:
        if row["registration"] != current:
            current, start = row["registration"], None
        at = _parse(row["changed_at"])
        if row["event"] in ("SUBMITTED", "RESUBMITTED"):
            start = at
            continue
        if start is None:
            continue
        elapsed = max(0, _since_anchor(at) - _since_anchor(start))
        first = elapsed if row["from_status"] == "SUBMITTED" and row["event"] in _FIRST else None
        decision = elapsed if row["event"] in _DECISION else None
        if first is not None or decision is not None:
            await engine.run_querystring(QueryString(
                'UPDATE "deal_registration_change" SET first_review_seconds = {}, decision_seconds = {} '
                'WHERE id = {}', first, decision, row["id"]))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await backfill(engine)
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
