"""Runtime settings, read once from the environment (12-factor style).

A dependency-free leaf below every layer, so any layer may read it; `server.settings`
re-exports it for the CLI, the app and the tests."""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

SYNCHRONOUS_LEVELS = ("NORMAL", "FULL", "EXTRA")  # COSELL_SQLITE_SYNCHRONOUS (partners/infra/sqlite_connections.py)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Run from a checkout (`make run`, the tests, an editable install), cosell keeps its local
# files in <repo>/var; installed from the wheel, in the user's data directory. A checkout is
# recognised by pyproject.toml next to the packages: a wheel never installs one there.
FROM_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def default_var_dir() -> Path:
    """Where local files go when COSELL_VAR_DIR is unset (docs/operations.md, "Deploying from the wheel")."""
    if FROM_CHECKOUT:
        return PROJECT_ROOT / "var"
    from platformdirs import user_data_path  # $XDG_DATA_HOME/cosell, ~/.local/share/cosell …

    return user_data_path("cosell", appauthor=False)


def sqlite_url(var_dir: Path) -> str:
    """The embedded database when DATABASE_URL is unset: a file in the var dir."""
    return f"sqlite:///{Path(var_dir) / 'cosell.sqlite3'}"


DEFAULT_VAR_DIR = default_var_dir()
DEFAULT_DATABASE_URL = sqlite_url(DEFAULT_VAR_DIR)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """A configuration value that cannot be used. The message is one line that names the
    variable and says what is allowed; every `cosell` command prints it and exits with 2."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the cause said
        self.variable = variable


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise SettingsError(name, f"{name} must be 1, true, yes, on or 0, false, no, off, got {raw!r}")
    return value in _TRUE


def _env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        at_least = f" of at least {minimum}" if minimum is not None else ""
        raise SettingsError(name, f"{name} must be an integer{at_least}, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingsError(name, f"{name} must be an integer of at least {minimum}, got {raw!r}")
    return value


env_int = _env_int  # for the CLI's own variables (COSELL_PORT, COSELL_WORKERS)


def _env_float(name: str, default: float, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"{name} must be a number, got {raw!r}") from None
    if value != value or (minimum is not None and value < minimum):  # NaN, or below the minimum
        raise SettingsError(name, f"{name} must be a number of at least {minimum:g}, got {raw!r}")
    return value


def _env_list(name: str) -> tuple[str, ...] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _smtp_tls(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"starttls", "ssl", "none"}:
        raise SettingsError("COSELL_SMTP_TLS", f"COSELL_SMTP_TLS must be starttls, ssl or none, got {raw!r}")
    return value


def _metrics(raw: str | None) -> tuple[bool, int | None]:
    """COSELL_METRICS: off (the default), on (`/metrics` on the API's port) or the port of a
    metrics server of its own: (recording on, that port or None)."""
    value = (raw or "").strip().lower()
    if value in ("", *_FALSE):
        return False, None
    if value in _TRUE:
        return True, None
    if value.isdigit() and 2 <= int(value) <= 65535:
        return True, int(value)
    raise SettingsError("COSELL_METRICS", f"COSELL_METRICS must be off, on or a port number (2-65535) for a metrics "
                        f"server of its own, got {raw!r}")


def _currency(name: str, default: str) -> str:
    """An ISO 4217 code (COSELL_DEFAULT_CURRENCY, COSELL_REPORTING_CURRENCY); the list of
    codes is checked by partners.money when the server configures it."""
    raw = (os.environ.get(name) or default).strip().upper()
    if len(raw) != 3 or not raw.isalpha() or not raw.isascii():
        raise SettingsError(name, f"{name} must be an ISO 4217 currency code such as EUR, got {raw!r}")
    return raw


def _jwt_issuers(raw: str) -> tuple:
    """COSELL_JWT_ISSUERS: a JSON list of issuer objects, or the path of a file holding one
    (docs/security.md, "Single sign-on")."""
    raw = raw.strip()
    if not raw:
        return ()
    if not raw.startswith("["):
        path = Path(raw)
        if not path.is_file():
            raise SettingsError("COSELL_JWT_ISSUERS", f"COSELL_JWT_ISSUERS must be a JSON list of issuer objects "
                                f"or the path of a file holding one; {raw!r} is neither")
        raw = path.read_text()
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise SettingsError("COSELL_JWT_ISSUERS", f"COSELL_JWT_ISSUERS must be a JSON list of issuer objects; "
                            f"it is not valid JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SettingsError("COSELL_JWT_ISSUERS", "COSELL_JWT_ISSUERS must be a JSON list of issuer objects")
    return tuple(items)


_S3_VARIABLES = ("BUCKET", "PREFIX", "ENDPOINT_URL", "REGION", "ADDRESSING_STYLE")


def _s3_from_env() -> dict:
    """COSELL_ATTACHMENTS_S3_*: any of them set means S3 is meant, so the bucket must be too."""
    raw = {name: os.environ.get(f"COSELL_ATTACHMENTS_S3_{name}", "").strip() for name in _S3_VARIABLES}
    if not raw["BUCKET"] and any(raw.values()):
        given = ", ".join(f"COSELL_ATTACHMENTS_S3_{n}" for n, v in raw.items() if v)
        raise SettingsError("COSELL_ATTACHMENTS_S3_BUCKET", f"COSELL_ATTACHMENTS_S3_BUCKET must name the bucket "
                            f"when {given} is set (or unset it to keep attachments on disk)")
    prefix = os.environ.get("COSELL_ATTACHMENTS_S3_PREFIX")  # unset: attachments/; set empty: the bucket's root
    return dict(attachments_s3_bucket=raw["BUCKET"],
                attachments_s3_prefix="attachments/" if prefix is None else s3_prefix(prefix),
                attachments_s3_endpoint_url=raw["ENDPOINT_URL"], attachments_s3_region=raw["REGION"],
                attachments_s3_addressing_style=raw["ADDRESSING_STYLE"].lower() or "auto")


def s3_prefix(raw: str) -> str:
    """A key prefix as a folder: no leading slash, one trailing slash (or empty)."""
    prefix = raw.strip().strip("/")
    return f"{prefix}/" if prefix else ""


def _check_s3(settings: "Settings") -> None:
    if settings.attachments_s3_addressing_style not in ("auto", "path", "virtual"):
        raise SettingsError("COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE", "COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE must "
                            f"be auto, path or virtual, got {settings.attachments_s3_addressing_style!r}")
    if not settings.attachments_s3_bucket:
        return
    if any(c.isspace() or c == "/" for c in settings.attachments_s3_bucket):
        raise SettingsError("COSELL_ATTACHMENTS_S3_BUCKET", "COSELL_ATTACHMENTS_S3_BUCKET must be a bucket name "
                            f"(no slash or space; the key prefix is COSELL_ATTACHMENTS_S3_PREFIX), got "
                            f"{settings.attachments_s3_bucket!r}")
    if settings.attachments_s3_endpoint_url and not settings.attachments_s3_endpoint_url.startswith(
            ("http://", "https://")):
        raise SettingsError("COSELL_ATTACHMENTS_S3_ENDPOINT_URL", "COSELL_ATTACHMENTS_S3_ENDPOINT_URL must be an "
                            f"http:// or https:// URL, got {settings.attachments_s3_endpoint_url!r}")
    if importlib.util.find_spec("boto3") is None:
        raise SettingsError("COSELL_ATTACHMENTS_S3_BUCKET", "COSELL_ATTACHMENTS_S3_BUCKET is set but boto3 is not "
                            "installed: install cosell with the s3 extra (pip install 'cosell[s3]')")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Connection pool per worker process (PostgreSQL only; SQLite opens per query).
    db_pool_min: int = 1
    db_pool_max: int = 10
    # asyncpg's prepared-statement cache per connection (PostgreSQL only). 0 behind pgbouncer
    # in transaction pooling mode: a statement prepared on one server connection is not
    # there when the next transaction lands on another one (docs/operations.md).
    db_statement_cache_size: int = 100
    # Seconds `cosell serve` lets in-flight requests finish after SIGTERM before closing them.
    shutdown_timeout: float = 30.0
    log_level: str = "INFO"
    log_json: bool = True
    # GraphQL limits (ARCHITECTURE: depth/alias/token limits; page size max 100).
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    graphiql: bool = True
    dashboard: bool = True  # /dashboard, the channel metrics page (issue 36)
    introspection: bool = True
    field_suggestions: bool = True  # "Did you mean …?" in error messages
    # Plugins: None means "no allow list" (everything discovered is loaded).
    plugins_allow: tuple[str, ...] | None = None
    plugins_deny: tuple[str, ...] = field(default_factory=tuple)
    trace_hooks: bool = False
    # Longest call of a (non-built-in) plugin's hook implementation, 0 = no limit; what a
    # slow call does depends on the hook (docs/plugins.md, "Isolation").
    plugin_timeout_ms: float = 1000.0
    # P8: a plugin's partner discount lines are capped at the policy's partner line unless
    # the operator lets plugins raise them (COSELL_PLUGINS_MAY_RAISE_DISCOUNTS, issue 41).
    plugins_may_raise_discounts: bool = False
    # Built-in reseller rules switched off by id (COSELL_DISABLE_RULES=R2,R4), see docs/plugins.md.
    disabled_rules: frozenset[str] = field(default_factory=frozenset)
    # Report the request's SQL statement count in the response `extensions` (tests, bench).
    expose_metrics: bool = False
    # Prometheus metrics (issue 42, docs/operations.md "Metrics"): recorded and served at
    # `/metrics` when on; on the API's port (metrics_port None) or on a port of its own,
    # bound to metrics_host, by a small server in each worker process (server/metrics.py).
    metrics: bool = False
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    var_dir: Path = DEFAULT_VAR_DIR
    # Background jobs (outbox sending …) in every server process; see docs/operations.md.
    background_jobs: bool = True
    background_interval: float = 5.0  # seconds between runs of each job
    # Outbox delivery.
    outbox_batch: int = 50
    outbox_max_attempts: int = 8
    outbox_backoff: float = 30.0  # seconds before the 2nd attempt, doubling up to the max
    outbox_backoff_max: float = 3600.0
    outbox_lease: float = 300.0  # seconds a worker holds a claimed batch
    # Webhooks (issue 20): seconds per POST; whether endpoints may resolve to loopback,
    # private or link-local addresses (off in production: no requests into our network).
    webhook_timeout: float = 10.0
    webhook_allow_private: bool = False
    # Email: SMTP when smtp_host is set, else .eml files under var/mail/ (development).
    # Money (issue 40): the currency of records whose country names none, and the one sums
    # across currencies are reported in (O11's and A7's thresholds stay in USD, as stated).
    default_currency: str = "USD"
    reporting_currency: str = "USD"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_tls: str = "starttls"  # starttls | ssl | none
    smtp_timeout: float = 30.0
    mail_from: str = "cosell@localhost"

    @property
    def mail_dir(self) -> Path:
        return Path(self.var_dir) / "mail"
    # Hardening (docs/security.md): request body size, idempotency keys, query cost, budgets.
    max_body_bytes: int = 1024 * 1024
    idempotency_ttl_seconds: int = 24 * 3600
    idempotency_lease_seconds: int = 60
    idempotency_wait_seconds: float = 10.0
    max_query_cost: int = 5000
    cost_budget_per_minute: int = 50000  # cost points per user per minute, all instances together (0 = none)
    cost_budget_flush_ms: int = 200  # ms a process may hold granted points unwritten (budgets.py; 0 = none)
    # Requests per minute of anonymous callers, per client IP (0 = no budget).
    anonymous_budget_per_minute: int = 300
    # Introspection (and "Did you mean …?" hints) for signed-in callers only.
    introspection_requires_token: bool = False
    # Seconds a process reuses a token's principal (0 = look it up every request): a revocation
    # applies at once in the process that made it, within this delay in others (CLI, instances).
    auth_cache_seconds: float = 5.0
    # SQLite "database is locked" after the busy timeout: retry this many times, then fail clearly.
    sqlite_busy_retries: int = 3
    sqlite_busy_timeout: float = 10.0
    sqlite_synchronous: str = "NORMAL"  # WAL + NORMAL: no fsync per commit (partners/infra/sqlite_connections.py)
    # Browser access from portals on other origins (CORS, issue 20): none by default.
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False  # cookies are not how cosell authenticates
    cors_max_age: int = 600  # seconds a browser may cache a preflight answer
    # Single sign-on: JWT access tokens from these issuers (server/sso.py, docs/security.md).
    jwt_issuers: tuple = ()
    jwt_leeway_seconds: float = 60.0  # clock skew allowed on exp/nbf/iat
    jwks_refresh_seconds: float = 300.0  # an issuer's keys are fetched again after this long
    jwks_min_refetch_seconds: float = 10.0  # … or at once for an unknown key id, at most this often
    # Roles (and ANONYMOUS) for which only registered documents run (issue 17,
    # docs/operations.md "Trusted documents"); empty = every caller may send any text.
    trusted_documents_roles: tuple[str, ...] = ()
    # gc.freeze() once the app is up and after its first requests (server/gc_tuning.py):
    # what the process keeps for good leaves the collector's walk (issue 17, the p99).
    gc_freeze: bool = True
    # Objects allocated before a young collection (Python's default: 700). A request
    # allocates thousands, so the default collects several times per request (server/gc_tuning.py).
    gc_young_threshold: int = 10_000
    compiled_plans: bool = True
    # Cases (issue 34, docs/operations.md "Cases"): the month fiscal years start (D14's High
    # Value Account cases stay open until the end of theirs), and case attachments: where
    # the files go (default var/attachments), the largest accepted, the content types allowed.
    fiscal_year_start_month: int = 2
    attachments_dir_override: Path | None = None
    # 750 000 bytes: their base64 fits the default 1 MiB request body (raise both together).
    attachment_max_bytes: int = 750_000
    attachment_content_types: tuple[str, ...] = (
        "application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # … or in an S3-compatible bucket when one is named (partners/cases/s3_store.py, needs the
    # `s3` extra); credentials come from boto3's own chain, never from a cosell setting.
    attachments_s3_bucket: str = ""
    attachments_s3_prefix: str = "attachments/"
    attachments_s3_endpoint_url: str = ""  # MinIO, Ceph, Cloudflare R2 …; empty: AWS
    attachments_s3_region: str = ""  # empty: boto3's (AWS_REGION, the profile …)
    attachments_s3_addressing_style: str = "auto"  # auto | path | virtual

    # Email to case (D15, docs/operations.md "Email to case"): `cosell mail serve` accepts mail
    # for these addresses only (others: 550), from these sender domains (empty: any), up to
    # mail_in_max_bytes per message (SMTP SIZE, enforced); `cosell mail ingest` shares the rest.
    mail_in_addresses: tuple[str, ...] = ()
    mail_in_host: str = "127.0.0.1"
    mail_in_port: int = 2525
    mail_in_sender_domains: tuple[str, ...] = ()
    mail_in_max_bytes: int = 10_000_000

    @property
    def attachments_dir(self) -> Path:
        return self.attachments_dir_override or Path(self.var_dir) / "attachments"

    def __post_init__(self) -> None:
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise SettingsError("COSELL_CORS_ORIGINS", "COSELL_CORS_ORIGINS must list explicit origins, not *, "
                                "when COSELL_CORS_CREDENTIALS=1 (or set COSELL_CORS_CREDENTIALS=0)")
        if not self.database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise SettingsError("DATABASE_URL", "DATABASE_URL must be sqlite:///<path> or "
                                "postgresql://user@host:port/database")
        if self.sqlite_synchronous not in SYNCHRONOUS_LEVELS:
            raise SettingsError("COSELL_SQLITE_SYNCHRONOUS", "COSELL_SQLITE_SYNCHRONOUS must be one of "
                                f"{', '.join(SYNCHRONOUS_LEVELS)}, not {self.sqlite_synchronous!r}")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError("COSELL_LOG_LEVEL", f"COSELL_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                                f"got {self.log_level!r}")
        if any("@" not in a for a in self.mail_in_addresses):
            raise SettingsError("COSELL_MAIL_IN_ADDRESSES", "COSELL_MAIL_IN_ADDRESSES must list email addresses "
                                "(smallbusiness@example.com,…)")
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise SettingsError("COSELL_FISCAL_YEAR_START_MONTH", "COSELL_FISCAL_YEAR_START_MONTH must be 1 to 12")
        _check_s3(self)
        if self.db_pool_min > self.db_pool_max:
            raise SettingsError("COSELL_DB_POOL_MIN", f"COSELL_DB_POOL_MIN ({self.db_pool_min}) must not exceed "
                                f"COSELL_DB_POOL_MAX ({self.db_pool_max})")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        metrics, metrics_port = _metrics(os.environ.get("COSELL_METRICS"))
        var_dir = Path(overrides.get("var_dir") or os.environ.get("COSELL_VAR_DIR") or DEFAULT_VAR_DIR)
        values = dict(
            database_url=os.environ.get("DATABASE_URL") or sqlite_url(var_dir),
            db_pool_min=_env_int("COSELL_DB_POOL_MIN", 1, minimum=0),
            db_pool_max=_env_int("COSELL_DB_POOL_MAX", 10, minimum=1),
            db_statement_cache_size=_env_int("COSELL_DB_STATEMENT_CACHE_SIZE", 100, minimum=0),
            shutdown_timeout=_env_float("COSELL_SHUTDOWN_TIMEOUT", 30.0),
            log_level=os.environ.get("COSELL_LOG_LEVEL", "INFO").upper(),
            log_json=_env_bool("COSELL_LOG_JSON", True),
            max_page_size=_env_int("COSELL_MAX_PAGE_SIZE", 100, minimum=1),
            max_query_depth=_env_int("COSELL_MAX_QUERY_DEPTH", 12),
            max_aliases=_env_int("COSELL_MAX_ALIASES", 30),
            max_tokens=_env_int("COSELL_MAX_TOKENS", 5000),
            graphiql=_env_bool("COSELL_GRAPHIQL", True),
            dashboard=_env_bool("COSELL_DASHBOARD", True),
            introspection=_env_bool("COSELL_INTROSPECTION", True),
            field_suggestions=_env_bool("COSELL_FIELD_SUGGESTIONS", True),
            plugins_allow=_env_list("COSELL_PLUGINS"),
            plugins_deny=_env_list("COSELL_DISABLE_PLUGINS") or (),
            trace_hooks=_env_bool("COSELL_TRACE_HOOKS", False),
            plugin_timeout_ms=_env_float("COSELL_PLUGIN_TIMEOUT_MS", 1000.0),
            plugins_may_raise_discounts=_env_bool("COSELL_PLUGINS_MAY_RAISE_DISCOUNTS", False),
            disabled_rules=frozenset(r.upper() for r in _env_list("COSELL_DISABLE_RULES") or ()),
            expose_metrics=_env_bool("COSELL_EXPOSE_METRICS", False),
            metrics=metrics,
            metrics_port=metrics_port,
            metrics_host=os.environ.get("COSELL_METRICS_HOST", "").strip() or "127.0.0.1",
            var_dir=var_dir,
            background_jobs=_env_bool("COSELL_BACKGROUND_JOBS", True),
            background_interval=_env_float("COSELL_BACKGROUND_INTERVAL", 5.0),
            outbox_batch=_env_int("COSELL_OUTBOX_BATCH", 50, minimum=1),
            outbox_max_attempts=_env_int("COSELL_OUTBOX_MAX_ATTEMPTS", 8),
            outbox_backoff=_env_float("COSELL_OUTBOX_BACKOFF", 30.0),
            outbox_backoff_max=_env_float("COSELL_OUTBOX_BACKOFF_MAX", 3600.0),
            outbox_lease=_env_float("COSELL_OUTBOX_LEASE", 300.0),
            webhook_timeout=_env_float("COSELL_WEBHOOK_TIMEOUT", 10.0),
            webhook_allow_private=_env_bool("COSELL_WEBHOOK_ALLOW_PRIVATE", False),
            default_currency=_currency("COSELL_DEFAULT_CURRENCY", "USD"),
            reporting_currency=_currency("COSELL_REPORTING_CURRENCY", "USD"),
            smtp_host=os.environ.get("COSELL_SMTP_HOST", ""),
            smtp_port=_env_int("COSELL_SMTP_PORT", 587, minimum=1),
            smtp_user=os.environ.get("COSELL_SMTP_USER", ""),
            smtp_password=os.environ.get("COSELL_SMTP_PASSWORD", ""),
            smtp_tls=_smtp_tls(os.environ.get("COSELL_SMTP_TLS", "starttls")),
            smtp_timeout=_env_float("COSELL_SMTP_TIMEOUT", 30.0),
            mail_from=os.environ.get("COSELL_MAIL_FROM", "cosell@localhost"),
            max_body_bytes=_env_int("COSELL_MAX_BODY_BYTES", 1024 * 1024, minimum=1),
            idempotency_ttl_seconds=_env_int("COSELL_IDEMPOTENCY_TTL_SECONDS", 24 * 3600),
            idempotency_lease_seconds=_env_int("COSELL_IDEMPOTENCY_LEASE_SECONDS", 60),
            idempotency_wait_seconds=float(_env_int("COSELL_IDEMPOTENCY_WAIT_SECONDS", 10)),
            max_query_cost=_env_int("COSELL_MAX_QUERY_COST", 5000),
            cost_budget_per_minute=_env_int("COSELL_COST_BUDGET_PER_MINUTE", 50000),
            cost_budget_flush_ms=_env_int("COSELL_COST_BUDGET_FLUSH_MS", 200),
            anonymous_budget_per_minute=_env_int("COSELL_ANONYMOUS_BUDGET_PER_MINUTE", 300),
            introspection_requires_token=_env_bool("COSELL_INTROSPECTION_REQUIRES_TOKEN", False),
            auth_cache_seconds=_env_float("COSELL_AUTH_CACHE_SECONDS", 5.0),
            sqlite_busy_retries=_env_int("COSELL_SQLITE_BUSY_RETRIES", 3),
            sqlite_busy_timeout=_env_float("COSELL_SQLITE_BUSY_TIMEOUT", 10.0, minimum=0),
            sqlite_synchronous=os.environ.get("COSELL_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper(),
            cors_origins=tuple(o.rstrip("/") for o in _env_list("COSELL_CORS_ORIGINS") or ()),
            cors_allow_credentials=_env_bool("COSELL_CORS_CREDENTIALS", False),
            cors_max_age=_env_int("COSELL_CORS_MAX_AGE", 600, minimum=0),
            jwt_issuers=_jwt_issuers(os.environ.get("COSELL_JWT_ISSUERS", "")),
            jwt_leeway_seconds=_env_float("COSELL_JWT_LEEWAY", 60.0),
            jwks_refresh_seconds=_env_float("COSELL_JWKS_REFRESH_SECONDS", 300.0),
            jwks_min_refetch_seconds=_env_float("COSELL_JWKS_MIN_REFETCH_SECONDS", 10.0),
            gc_freeze=_env_bool("COSELL_GC_FREEZE", True),
            gc_young_threshold=_env_int("COSELL_GC_YOUNG_THRESHOLD", 10_000),
            compiled_plans=_env_bool("COSELL_COMPILED_PLANS", True),
            fiscal_year_start_month=_env_int("COSELL_FISCAL_YEAR_START_MONTH", 2),
            attachments_dir_override=Path(os.environ["COSELL_ATTACHMENTS_DIR"])
            if os.environ.get("COSELL_ATTACHMENTS_DIR") else None,
            attachment_max_bytes=_env_int("COSELL_ATTACHMENT_MAX_BYTES", 750_000, minimum=1),
            attachment_content_types=tuple(t.lower() for t in _env_list("COSELL_ATTACHMENT_CONTENT_TYPES") or ())
            or Settings.attachment_content_types,
            **_s3_from_env(),
            mail_in_addresses=tuple(a.lower() for a in _env_list("COSELL_MAIL_IN_ADDRESSES") or ()),
            mail_in_host=os.environ.get("COSELL_MAIL_IN_HOST") or "127.0.0.1",
            mail_in_port=_env_int("COSELL_MAIL_IN_PORT", 2525, minimum=0),
            mail_in_sender_domains=tuple(d.lower().lstrip("@") for d in _env_list("COSELL_MAIL_IN_SENDER_DOMAINS")
                                         or ()),
            mail_in_max_bytes=_env_int("COSELL_MAIL_IN_MAX_BYTES", 10_000_000, minimum=1024),
            trusted_documents_roles=tuple(r.upper() for r in _env_list("COSELL_TRUSTED_DOCUMENTS_ROLES") or ()),
        )
        values.update(overrides)
        return cls(**values)
