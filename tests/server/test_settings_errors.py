"""Issue 33 item 10: a bad configuration is one line naming the variable and what is
allowed, exit status 2, for every `cosell` command — never a Python traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (
    ["migrate"],
    ["serve", "--port", "0"],
    ["schema", "export"],
    ["users", "add", "--email", "x@example.com", "--name", "X", "--role", "ADMIN"],
    ["outbox", "status"],
    ["documents", "list"],
    ["plugins"],
)
BAD = (
    # (variables, the variable the message names, what it says is allowed)
    ({"COSELL_CORS_CREDENTIALS": "1", "COSELL_CORS_ORIGINS": "*"}, "COSELL_CORS_ORIGINS", "explicit origins"),
    ({"COSELL_DB_POOL_MAX": "lots"}, "COSELL_DB_POOL_MAX", "integer"),
    ({"COSELL_DB_POOL_MAX": "0"}, "COSELL_DB_POOL_MAX", "at least 1"),
    ({"COSELL_PORT": "eighty"}, "COSELL_PORT", "integer"),
    ({"COSELL_SMTP_TLS": "tls"}, "COSELL_SMTP_TLS", "starttls, ssl or none"),
    ({"COSELL_LOG_LEVEL": "loud"}, "COSELL_LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ({"COSELL_METRICS": "sometimes"}, "COSELL_METRICS", "off, on or a port number"),
    ({"COSELL_GRAPHIQL": "maybe"}, "COSELL_GRAPHIQL", "1, true, yes, on or 0, false, no, off"),
    ({"COSELL_MAX_PAGE_SIZE": "-5"}, "COSELL_MAX_PAGE_SIZE", "at least 1"),
    ({"DATABASE_URL": "mysql://db/cosell"}, "DATABASE_URL", "sqlite:///"),
    ({"COSELL_SQLITE_SYNCHRONOUS": "OFF"}, "COSELL_SQLITE_SYNCHRONOUS", "NORMAL, FULL, EXTRA"),
    ({"COSELL_TRUSTED_DOCUMENTS_ROLES": "PARTNER_USRE"}, "COSELL_TRUSTED_DOCUMENTS_ROLES", "PARTNER_USER"),
    ({"COSELL_JWT_ISSUERS": "not json"}, "COSELL_JWT_ISSUERS", "JSON list"),
    ({"COSELL_JWT_ISSUERS": '[{"issuer": "https://idp.example"}]'}, "COSELL_JWT_ISSUERS", "audience"),
    ({"COSELL_JWT_ISSUERS": '[{"issuer": "https://idp.example", "audience": "cosell", "jwks_url": "https://idp.example/k",'
                            ' "algorithms": ["HS256"]}]'}, "COSELL_JWT_ISSUERS", "asymmetric"),
    # Issue 42: the OpenTelemetry variables cosell reads (docs/operations.md, "Traces").
    ({"OTEL_TRACES_EXPORTER": "jaeger"}, "OTEL_TRACES_EXPORTER", "otlp, console, none"),
    ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_TRACES_SAMPLER_ARG": "5%"}, "OTEL_TRACES_SAMPLER_ARG", "between 0 and 1"),
    # Issue 34: attachments in an S3-compatible bucket need the bucket named.
    ({"COSELL_ATTACHMENTS_S3_ENDPOINT_URL": "http://minio:9000"}, "COSELL_ATTACHMENTS_S3_BUCKET", "must name the bucket"),
)


@pytest.mark.parametrize("index", range(len(BAD)), ids=[b[1] + "=" + next(iter(b[0].values()))[:12] for b in BAD])
def test_a_bad_setting_is_one_line_and_exit_2_for_every_command(tmp_path, index):
    """Each bad setting through three commands, in turn, so that every command meets
    several of them (every command checks the whole configuration before it starts)."""
    variables, variable, allowed = BAD[index]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COSELL_", "OTEL_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'untouched.sqlite3'}", COSELL_VAR_DIR=str(tmp_path),
               PYTHONPATH=str(ROOT))
    env.update(variables)
    for command in (COMMANDS[(index + k) % len(COMMANDS)] for k in (0, 2, 4)):
        run = subprocess.run([sys.executable, "-m", "server.cli", *command], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=60)
        where = f"{variables} cosell {' '.join(command)}: {run.stderr}"
        assert run.returncode == 2, where
        assert "Traceback" not in run.stderr and run.stdout == "", where
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, where
        assert lines[0].startswith("cosell: configuration error: ") and variable in lines[0], where
        assert allowed in lines[0], where
    assert not (tmp_path / "untouched.sqlite3").exists()  # nothing ran


def test_good_settings_still_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COSELL_", "OTEL_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHONPATH=str(ROOT), COSELL_GRAPHIQL="off",
               COSELL_CORS_ORIGINS="https://portal.example", COSELL_CORS_CREDENTIALS="yes", COSELL_LOG_LEVEL="warning")
    run = subprocess.run([sys.executable, "-m", "server.cli", "schema", "export"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=60)
    assert run.returncode == 0 and "type Query" in run.stdout, run.stderr
