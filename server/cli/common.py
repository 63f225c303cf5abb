"""What every `cosell` command shares: settings from the environment, the database bound,
a coroutine run to its end, and the explanation of a missing PostgreSQL database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server.settings import Settings, SettingsError


def load_settings() -> Settings:
    return Settings.from_env()


def check_configuration(settings: Settings) -> None:
    """What the server would refuse at start-up, checked before any command runs: raises
    SettingsError (one line naming the variable) for the settings validated outside
    `Settings` (trusted-document roles, single sign-on issuers, the OpenTelemetry variables)."""
    import os

    from partners.infra import tracing
    from server.document_roles import allow_list_roles  # not server.documents: it imports the schema
    from server.sso import SingleSignOn

    allow_list_roles(settings.trusted_documents_roles)
    configure_currencies(settings)
    tracing.exporters_from_env(os.environ)
    tracing.sampler_from_env(os.environ)
    try:
        SingleSignOn.from_settings(settings)
    except SettingsError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise SettingsError("COSELL_JWT_ISSUERS", _naming("COSELL_JWT_ISSUERS", exc)) from None


def _naming(variable: str, exc: Exception) -> str:
    message = str(exc)
    return message if message.startswith(variable) else f"{variable}: {message}"


def configure_currencies(settings: Settings) -> None:
    """The deployment's default and reporting currencies (partners.money)."""
    from partners.money import currencies

    for variable, code in (("COSELL_DEFAULT_CURRENCY", settings.default_currency),
                           ("COSELL_REPORTING_CURRENCY", settings.reporting_currency)):
        if not currencies.is_currency(code):
            raise SettingsError(variable, f"{variable} must be an ISO 4217 currency code such as EUR, got {code!r}")
    currencies.configure(default=settings.default_currency, reporting=settings.reporting_currency)


class DatabaseNotReady(Exception):
    """The database a command works on does not exist or is not migrated; the message says
    what to do (`main` prints it, exit status 2)."""


def bind(settings: Settings, *, check: bool = True) -> None:
    """Bind the database of `settings` for a command. With `check` (every command but
    `cosell migrate`, which creates and migrates it, and `cosell serve`, which checks it in its
    preflight), the database must exist and be migrated, as `serve` requires (issue 41): else
    DatabaseNotReady, before anything is created (no stray SQLite file)."""
    from partners.infra.engines import bind_engine, configure_engine, engine_for

    configure_currencies(settings)
    if check:
        missing = missing_sqlite_file(settings.database_url)
        if missing:
            raise DatabaseNotReady(missing)
    engine = engine_for(settings.database_url)
    configure_engine(engine, statement_cache_size=settings.db_statement_cache_size,
                     sqlite_busy_timeout=settings.sqlite_busy_timeout, sqlite_busy_retries=settings.sqlite_busy_retries,
                     sqlite_synchronous=settings.sqlite_synchronous)
    bind_engine(engine)
    if check:
        problem = database_problem(settings)
        if problem:
            raise DatabaseNotReady(problem)


def missing_sqlite_file(database_url: str) -> str | None:
    """What to do when `database_url` names a SQLite file that does not exist (connecting
    would create an empty one), else None."""
    import os

    from partners.infra.engines import is_postgres_url, sqlite_path

    if is_postgres_url(database_url):
        return None
    path = sqlite_path(database_url)
    if path.exists():
        return None
    named = "named by DATABASE_URL" if os.environ.get("DATABASE_URL") else "DATABASE_URL is unset: the default database"
    return (f"there is no database at {path} ({named}). Run `cosell migrate` to create it, "
            f"or point DATABASE_URL at your database.")


def database_problem(settings: Settings) -> str | None:
    """Why the database of `settings` cannot be worked on (missing, unreachable, migrations
    pending: "run `cosell migrate`"), or None. Opens and closes its own connection."""
    from partners.infra.engines import DatabaseUnavailable, close_database, describe, engine_for, open_database
    from partners.infra.migrate import pending_migrations

    missing = missing_sqlite_file(settings.database_url)
    if missing:
        return missing
    engine = engine_for(settings.database_url)

    async def check() -> str | None:
        try:
            await open_database(engine, pool_min=1, pool_max=1)
        except DatabaseUnavailable as exc:
            found = missing_database_message(exc, settings.database_url)
            return found.removeprefix("cosell: ") if found else str(exc)
        try:
            pending = await pending_migrations()
        finally:
            await close_database(engine)
        if pending:
            return f"{len(pending)} migration(s) not applied to {describe(engine)}: run `cosell migrate`."
        return None

    return run(check())


def run(coro):
    return asyncio.run(coro)


async def with_plugins_started(plugins, process: str, coro):
    """`coro` awaited between the plugins' `cosell_startup` and `cosell_shutdown` (issue 41):
    the commands that call hooks (outbox send, rates fetch, registrations expire) start the
    plugins as the server does; `process` is the command ("outbox send")."""
    from plugins.lifecycle import PluginLifecycle

    lifecycle = PluginLifecycle(plugins, process)
    await lifecycle.start()
    try:
        return await coro
    finally:
        await lifecycle.stop()


def missing_database_message(exc: BaseException, database_url: str) -> str | None:
    """A friendly explanation when the PostgreSQL database named by DATABASE_URL does not
    exist (asyncpg's InvalidCatalogNameError, possibly wrapped), else None."""
    from urllib.parse import urlsplit

    from partners.infra.engines import redact_url

    seen: BaseException | None = exc
    while seen is not None and type(seen).__name__ != "InvalidCatalogNameError":
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return None
    url = urlsplit(database_url)
    name = url.path.lstrip("/") or "(none)"
    host, port, user = url.hostname or "localhost", url.port or 5432, url.username or "postgres"
    return (f"cosell: the database {name!r} does not exist on {redact_url(database_url)}.\n"
            f"Create it, then run the command again:\n"
            f"    createdb -h {host} -p {port} -U {user} {name}\n"
            f"or point DATABASE_URL at an existing database.")


def demo_tokens_file(settings: Settings) -> Path:
    return Path(settings.var_dir) / "demo-tokens.txt"
