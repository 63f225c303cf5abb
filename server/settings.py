"""Runtime settings: `Settings` lives below every layer (`partners/infra/settings.py`); this
module keeps `from server.settings import Settings` working for the CLI, the app and the tests."""

from partners.infra.settings import DEFAULT_DATABASE_URL, PROJECT_ROOT, Settings, SettingsError, env_int

__all__ = ["DEFAULT_DATABASE_URL", "PROJECT_ROOT", "Settings", "SettingsError", "env_int"]
