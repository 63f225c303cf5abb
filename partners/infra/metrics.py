"""Every Prometheus metric cosell exports (issue 42), defined once for every layer.

The HTTP layer, the outbox, webhook deliveries, background jobs, the database pool and the
plugin manager record into these; `server/metrics.py` serves them at `/metrics`. With several
workers (`cosell serve --workers N`) prometheus_client's multiprocess mode is on
(`PROMETHEUS_MULTIPROC_DIR`, set by `cosell serve` before any worker starts), so a scrape of
any worker reports every worker. Gauges read from the database at scrape time (the outbox
backlog) keep the most recent value of whichever worker answered.

Labels never carry tokens, emails, customer names or other personal data: operation names,
document ids, error codes, roles, job, hook and plugin names, and partner ids only.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Latency buckets for requests and jobs, in seconds (a portal page is 5-50 ms; a slow one 1 s+).
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# ---- GraphQL requests (server/): one observation per HTTP request to /graphql
REQUESTS = Counter(
    "cosell_graphql_requests_total",
    "GraphQL requests by operation (the registered document id where there is one, else the "
    "operation name, else 'anonymous'), outcome (ok, user_error, error, refused) and error code.",
    ["operation", "outcome", "code"],
)
REQUEST_SECONDS = Histogram(
    "cosell_graphql_request_duration_seconds",
    "Wall time of a GraphQL request, by operation and executor (compiled plan or generic).",
    ["operation", "executor"],
    buckets=SECONDS,
)
REQUEST_STATEMENTS = Histogram(
    "cosell_graphql_request_sql_statements",
    "SQL statements one GraphQL request ran, by operation.",
    ["operation"],
    buckets=(1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100),
)
BUDGET_REFUSALS = Counter(
    "cosell_cost_budget_refusals_total",
    "Requests refused because the caller's query cost budget of the minute was spent.",
    ["caller"],  # authenticated | anonymous
)

# ---- outbox (partners/infra/outbox.py)
OUTBOX_ATTEMPTS = Counter(
    "cosell_outbox_attempts_total",
    "Outbox delivery attempts by message kind and result (sent, retry, dead; lost: the handler ran "
    "but another worker had taken the message over, so it may be delivered again).",
    ["kind", "result"],
)
OUTBOX_MESSAGES = Gauge(
    "cosell_outbox_messages",
    "Outbox messages by kind and status (PENDING, SENT, DEAD), read at scrape time.",
    ["kind", "status"],
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "cosell_outbox_oldest_pending_age_seconds",
    "Age of the oldest PENDING outbox message (0 when none), read at scrape time.",
    multiprocess_mode="mostrecent",
)

# ---- deal registrations (partners/registrations/reminders.py)
REVIEWS_OVERDUE = Gauge(
    "cosell_registrations_review_overdue",
    "Deal registrations in review whose P4 review target has passed, by region, read at scrape time.",
    ["region"],
    multiprocess_mode="mostrecent",
)

# ---- webhook deliveries (partners/webhooks/delivery.py)
WEBHOOK_DELIVERIES = Counter(
    "cosell_webhook_deliveries_total",
    "Webhook delivery attempts by outcome (delivered, retry, failed) and the endpoint's partner id.",
    ["outcome", "partner"],
)

# ---- background jobs (server/background.py); `job_name`, since Prometheus gives every scrape
# target a `job` label of its own
JOB_RUNS = Counter(
    "cosell_job_runs_total",
    "Background job runs by job and outcome (ok, error).",
    ["job_name", "outcome"],
)
JOB_SECONDS = Histogram(
    "cosell_job_duration_seconds",
    "Duration of one background job run.",
    ["job_name"],
    buckets=SECONDS,
)
JOB_LAST_SUCCESS = Gauge(
    "cosell_job_last_success_timestamp_seconds",
    "Unix time of the job's last successful run.",
    ["job_name"],
    multiprocess_mode="max",
)
JOB_LAG_SECONDS = Gauge(
    "cosell_job_lag_seconds",
    "How late the job's last run started after it was due (its interval after the previous run).",
    ["job_name"],
    multiprocess_mode="max",
)

# ---- database pool (partners/infra/engines.py, PostgreSQL)
DB_POOL_CONNECTIONS = Gauge(
    "cosell_db_pool_connections",
    "Connections of this worker's database pool by state (open, in_use).",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_WAIT_SECONDS = Histogram(
    "cosell_db_pool_wait_seconds",
    "Time a request waited for a pooled database connection.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)

# ---- plugin hooks (plugins/manager.py)
HOOK_CALLS = Counter(
    "cosell_hook_calls_total",
    "Hook implementation calls by hook, plugin and outcome (ok, error).",
    ["hook", "plugin", "outcome"],
)
HOOK_SECONDS = Histogram(
    "cosell_hook_duration_seconds",
    "Time spent in one hook implementation call.",
    ["hook", "plugin"],
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0),
)

ALL = (REQUESTS, REQUEST_SECONDS, REQUEST_STATEMENTS, BUDGET_REFUSALS, OUTBOX_ATTEMPTS, OUTBOX_MESSAGES,
       OUTBOX_OLDEST_PENDING_SECONDS, REVIEWS_OVERDUE, WEBHOOK_DELIVERIES, JOB_RUNS, JOB_SECONDS, JOB_LAST_SUCCESS,
       JOB_LAG_SECONDS, DB_POOL_CONNECTIONS, DB_POOL_WAIT_SECONDS, HOOK_CALLS, HOOK_SECONDS)
