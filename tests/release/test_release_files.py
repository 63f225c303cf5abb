"""What the release relies on, checked on every run (the wheel itself: test_wheel.py): the
GraphiQL files the wheel build copies are the ones served, the favicon (no 404 on GraphiQL's
page), and where local files go (the var dir rule of docs/operations.md)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from server.graphiql import NPM_ASSETS, STATIC_DIR
from server.settings import PROJECT_ROOT, Settings


async def test_graphiql_links_the_favicon_that_is_served_at_favicon_ico(cosell_client):
    html = (await cosell_client.get("/graphql", headers={"Accept": "text/html"})).text
    assert re.search(r'<link rel="icon" href="/favicon.ico"', html)
    response = await cosell_client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg") and b"</svg>" in response.content


async def test_no_favicon_when_graphiql_is_off(cosell_app_factory):
    async with cosell_app_factory(graphiql=False) as client:
        assert (await client.get("/favicon.ico")).status_code == 404


async def test_every_npm_file_the_wheel_carries_is_served_under_its_public_name(cosell_client):
    manifest = json.loads((STATIC_DIR / "assets.json").read_text())
    assert manifest["served"] == NPM_ASSETS
    page = (await cosell_client.get("/graphql", headers={"Accept": "text/html"})).text
    linked = set(re.findall(r"""(?:src|href)=["']/graphiql/([^"']+)""", page))
    assert linked == set(NPM_ASSETS) | {"cosell-graphiql.js"}, "the page links exactly the served files"
    for name in NPM_ASSETS:
        assert (await cosell_client.get(f"/graphiql/{name}")).status_code == 200, name


def test_from_a_checkout_the_var_dir_is_the_repository_var(monkeypatch):
    monkeypatch.delenv("COSELL_VAR_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings.from_env()
    assert (PROJECT_ROOT / "pyproject.toml").is_file()
    assert settings.var_dir == PROJECT_ROOT / "var"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'cosell.sqlite3'}"


def test_the_default_sqlite_database_follows_cosell_var_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COSELL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings.from_env()
    assert settings.var_dir == tmp_path
    assert settings.database_url == f"sqlite:///{tmp_path / 'cosell.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/elsewhere")
    assert Settings.from_env().database_url == "postgresql://postgres@127.0.0.1:5432/elsewhere"


def test_outside_a_checkout_the_var_dir_is_the_users_data_dir(tmp_path):
    """The packages copied without pyproject.toml, as the wheel installs them."""
    copy = tmp_path / "site-packages"
    (copy / "partners" / "infra").mkdir(parents=True)
    for name in ("__init__.py", "infra/__init__.py", "infra/settings.py"):
        source = PROJECT_ROOT / "partners" / name
        (copy / "partners" / name).write_text(source.read_text() if name.endswith("settings.py") else "")
    probe = "from partners.infra.settings import Settings; s = Settings.from_env(); print(s.var_dir); print(s.database_url)"
    environment = {"PYTHONPATH": str(copy), "HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    lines = subprocess.run([sys.executable, "-c", probe], env=environment, cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    data_dir = tmp_path / "home" / ".local" / "share" / "cosell"
    assert lines == [str(data_dir), f"sqlite:///{data_dir / 'cosell.sqlite3'}"]
    environment["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    lines = subprocess.run([sys.executable, "-c", probe], env=environment, cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert lines[0] == str(tmp_path / "xdg" / "cosell")
    assert Path(lines[0]) != PROJECT_ROOT / "var"


def test_make_run_announces_each_phase_in_order():
    """`make run` is not silent while it installs (issue 35): one `==> ` line per phase."""
    planned = subprocess.run(["make", "--dry-run", "--always-make", "run"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, check=True).stdout
    phases = [line.split("==> ", 1)[1].split(":", 1)[0] for line in planned.splitlines() if "==> " in line]
    assert phases == ["installing", "assets", "migrating", "demo", "serving"]
