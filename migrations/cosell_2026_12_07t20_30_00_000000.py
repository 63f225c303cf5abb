"""A substring index for matching a registered prospect to an existing account on SQLite
(D1, issue 38 item 5).

`registerDeal` looks for the prospect among existing accounts by website domain or name
(`partners.registrations.submit._match_or_create_account`: a case-insensitive substring
prefilter, then exact normalised matching in Python). PostgreSQL serves the prefilter
with pg_trgm's GIN indexes (migration 2026-11-23T18:10). SQLite had no index for
`LIKE '%…%'`, so every registration of a prospect read all accounts: 60–190 ms with
100,000 accounts (bench op 4, loaded machine), most of the write's time.

SQLite's FTS5 with the trigram tokenizer (SQLite ≥ 3.34) is the same kind of index:
`account_match`, an external-content table over `account`'s name and website (nothing
stored twice but the index), kept current by three triggers on `account`; its
`LIKE '%…%'` is served from the trigrams when the pattern has three characters or more.
SQLite only: PostgreSQL has its indexes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram index (FTS5) on account website and name (SQLite)"

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS account_match USING fts5("
    "name, website, content='account', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS account_match_insert AFTER INSERT ON account BEGIN "
    "INSERT INTO account_match (rowid, name, website) VALUES (new.id, new.name, new.website); END",
    "CREATE TRIGGER IF NOT EXISTS account_match_delete AFTER DELETE ON account BEGIN "
    "INSERT INTO account_match (account_match, rowid, name, website) VALUES ('delete', old.id, old.name, old.website); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS account_match_update AFTER UPDATE OF name, website ON account BEGIN "
    "INSERT INTO account_match (account_match, rowid, name, website) VALUES ('delete', old.id, old.name, old.website); "
    "INSERT INTO account_match (rowid, name, website) VALUES (new.id, new.name, new.website); END",
    # The accounts already there.
    "INSERT INTO account_match (account_match) VALUES ('rebuild')",
)
DROP = (
    "DROP TRIGGER IF EXISTS account_match_insert",
    "DROP TRIGGER IF EXISTS account_match_delete",
    "DROP TRIGGER IF EXISTS account_match_update",
    "DROP TABLE IF EXISTS account_match",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run(statements):
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type != "sqlite":
            return
        for ddl in statements:
            await engine.run_ddl(ddl)

    async def create_index():
        await run(CREATE)

    async def drop_index():
        await run(DROP)

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
