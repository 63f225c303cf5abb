"""Plumbing below every domain: settings, engines and transactions, prepared statements, domain
events, outbox and mail transport, leasing, idempotency, cost budgets, versions, audit writer,
migrations, errors and the clock (docs/architecture.md). Imports no domain package."""
