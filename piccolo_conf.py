"""Piccolo's configuration: the engine comes from DATABASE_URL (see server.settings)."""

from piccolo.conf.apps import AppRegistry

from partners.db import engine_for
from server.settings import Settings

DB = engine_for(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["partners.piccolo_app"])
