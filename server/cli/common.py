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
    from server.documents import allow_list_roles
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


def bind(settings: Settings) -> None:
    from partners.infra.engines import bind_engine, configure_engine, engine_for

    configure_currencies(settings)
    engine = engine_for(settings.database_url)
    configure_engine(engine, statement_cache_size=settings.db_statement_cache_size,
                     sqlite_busy_timeout=settings.sqlite_busy_timeout, sqlite_busy_retries=settings.sqlite_busy_retries)
    bind_engine(engine)


def run(coro):
    return asyncio.run(coro)


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
