"""Issue 34, data of the case workflow (D10–D12):

- `partner_case.status` widens to 24 characters (PostgreSQL; CLOSED_UNRESPONSIVE is 19).
- D10: CLOSED becomes CLOSED_RESOLVED (feedback "NA"; the resolution action stays empty:
  these cases closed before D12 had a dictionary, their text `resolution` says what was done).
- Every existing case was a partner's: type PARTNER_OPP, origin PARTNER; its 7-day target
  is opened + 7 days (D14).
- D11: a held case without Next Steps gets "<picked-up day> <owner's initials> Picked up before
  Next Steps were kept", dated its pick-up day; trying to reach the customer (D10's 15 days)
  counts from the pick-up.
- D12: the handbook's resolution actions are written to `case_resolution_action`.
"""

from __future__ import annotations

from datetime import timedelta

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from partners.cases.rules import SEED_RESOLUTION_ACTIONS, TARGET_DAYS, initials_of
from partners.infra.clock import now

ID = "2026-12-07T16:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "case workflow data (D10-D12)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def _rows(engine, sql: str) -> list[dict]:
    return list(await engine.run_ddl(sql) or [])


def _aware(value):
    from datetime import datetime, timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def convert_cases(engine) -> None:
    """The partner_case part (idempotent: the tests run it again on rows they insert)."""
    if engine.engine_type == "postgres":
        await engine.run_ddl("ALTER TABLE partner_case ALTER COLUMN status TYPE VARCHAR(24)")
    await engine.run_ddl("UPDATE partner_case SET status = 'CLOSED_RESOLVED', feedback = 'NA' WHERE status = 'CLOSED'")
    await engine.run_ddl("UPDATE partner_case SET case_type = 'PARTNER_OPP', origin = 'PARTNER' "
                         "WHERE target_due_at IS NULL")
    rows = await _rows(engine, "SELECT c.id, c.opened_at, c.picked_up_at, c.status, c.next_steps, u.name "
                               "FROM partner_case c LEFT JOIN cosell_user u ON u.id = c.advocate "
                               "WHERE c.target_due_at IS NULL")
    for row in rows:
        target = _aware(row["opened_at"]) + timedelta(days=TARGET_DAYS)
        sets = [f"target_due_at = {_quote(target.isoformat())}"]
        if row["picked_up_at"] is not None:
            picked = _aware(row["picked_up_at"])
            sets.append(f"contact_attempts_since = {_quote(picked.isoformat())}")
            if row["status"] in ("IN_PROGRESS", "WAITING") and not row["next_steps"]:
                initials = sorted(initials_of(row["name"] or ""), key=len)
                steps = f"{picked.date().isoformat()} {initials[0] if initials else 'XX'} " \
                        "Picked up before Next Steps were kept"
                sets += [f"next_steps = {_quote(steps)}", f"next_steps_date = {_quote(picked.date().isoformat())}"]
        await engine.run_ddl(f"UPDATE partner_case SET {', '.join(sets)} WHERE id = {int(row['id'])}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def convert() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await convert_cases(engine)
        at = _quote(now().isoformat())
        true = "TRUE" if engine.engine_type == "postgres" else "1"
        for code, label in SEED_RESOLUTION_ACTIONS:
            await engine.run_ddl("INSERT INTO case_resolution_action (code, label, active, created_at) "
                                 f"VALUES ({_quote(code)}, {_quote(label)}, {true}, {at})")

    manager.add_raw(convert)
    return manager
