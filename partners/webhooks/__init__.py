"""Webhooks (issue 20): a partner's endpoints hear of its own registrations and co-sell
tasks, signed, after commit, retried, with a delivery log.

- `tables`: endpoints and deliveries;
- `access`: who manages a partner's endpoints (one function) and the read scopes;
- `events`: which outbox kinds become webhook events, for which partner (`SOURCES`);
- `signing`: the `Cosell-Signature: t=…,v1=…` header (HMAC-SHA256) and its verification;
- `endpoints`: register, change, delete an endpoint;
- `delivery`: the fan-out of an event to the partner's endpoints, one HTTP attempt per
  outbox delivery message, redelivery on demand.
"""
