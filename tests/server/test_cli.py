"""The `cosell` command line: users, tokens, schema export."""

import subprocess
import sys

from server.cli import main


def _token_from(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("cst_"))


async def _viewer(client, token):
    response = await client.post("/graphql", json={"query": "{ viewer { email role } }"},
                                 headers={"Authorization": f"Bearer {token}"})
    return response


def test_users_add_prints_a_working_token_and_revoke_stops_it(cosell_database_url, capsys):
    assert main(["users", "add", "--email", "Lee@Example.com", "--name", "Lee", "--role", "SALES_OPS"]) == 0
    token = _token_from(capsys.readouterr().out)
    assert main(["tokens", "issue", "--email", "lee@example.com"]) == 0
    second = _token_from(capsys.readouterr().out)
    assert second != token
    assert main(["tokens", "revoke", token]) == 0
    assert main(["tokens", "revoke", token]) == 1  # already revoked


def test_channel_manager_needs_a_region(cosell_database_url, capsys):
    assert main(["users", "add", "--email", "cm@x.com", "--name", "CM", "--role", "CHANNEL_MANAGER"]) == 2
    assert "region" in capsys.readouterr().err


def test_schema_export_prints_sdl():
    out = subprocess.run([sys.executable, "-m", "server.cli", "schema", "export"], capture_output=True, text=True, check=True)
    assert "type Query" in out.stdout and "viewer: User" in out.stdout


def test_a_partner_admin_belongs_to_a_partner_and_the_first_admin_bootstraps(cosell_database_url, capsys):
    """#18: PARTNER_ADMIN is a partner-side role like PARTNER_USER; the CLI still creates the first admin."""
    assert main(["users", "add", "--email", "pa@x.com", "--name", "PA", "--role", "PARTNER_ADMIN"]) == 2
    assert "partner" in capsys.readouterr().err
    assert main(["users", "add", "--email", "root@x.com", "--name", "Root", "--role", "ADMIN"]) == 0
    assert _token_from(capsys.readouterr().out).startswith("cst_")


def test_serve_on_a_taken_port_says_so_before_announcing_anything(tmp_path):
    """Issue 35: with the port taken, one clear error naming COSELL_PORT and --port, exit
    status 1, and neither "serving GraphQL on …" nor the demo tokens first."""
    import os
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {**os.environ, "COSELL_PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
        done = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--show-demo-tokens"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "serving GraphQL" not in done.stderr and "cst_" not in done.stderr + done.stdout
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"127.0.0.1:{port}" in message and "COSELL_PORT" in message and "--port" in message
