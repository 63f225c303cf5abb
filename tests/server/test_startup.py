"""The app fails fast, with a clear message, when it cannot serve correctly."""

import pytest

from server.app import StartupError, create_app
from server.settings import Settings


async def _start(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


async def test_unreachable_database_fails_fast(cosell_database_url):
    settings = Settings.from_env(database_url="postgresql://cosell@127.0.0.1:1/nowhere")
    with pytest.raises(StartupError, match=r"Cannot reach the database at postgresql://cosell@127.0.0.1:1/nowhere"):
        await _start(settings)


async def test_database_password_is_not_printed(cosell_database_url):
    settings = Settings.from_env(database_url="postgresql://cosell:s3cret@127.0.0.1:1/nowhere")
    with pytest.raises(StartupError) as info:
        await _start(settings)
    assert "s3cret" not in str(info.value)


async def test_pending_migrations_fail_fast(tmp_path, cosell_database_url):
    from partners.infra.engines import bind_engine, engine_for

    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        with pytest.raises(StartupError, match=r"migration\(s\) not applied .*run `cosell migrate`"):
            await _start(settings)
    finally:
        bind_engine(engine_for(cosell_database_url))  # give the other tests their database back
