"""Piccolo's configuration: the engine comes from DATABASE_URL (see partners.infra.settings)."""

from piccolo.conf.apps import AppRegistry

from partners.infra.engines import configure_engine, engine_for
from partners.infra.settings import Settings

_settings = Settings.from_env()
DB = engine_for(_settings.database_url)
configure_engine(DB, statement_cache_size=_settings.db_statement_cache_size,
                 sqlite_busy_timeout=_settings.sqlite_busy_timeout, sqlite_busy_retries=_settings.sqlite_busy_retries)

APP_REGISTRY = AppRegistry(apps=["partners.infra.piccolo_app"])
