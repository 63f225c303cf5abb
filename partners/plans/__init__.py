"""Co-sell plans and their tasks (D3, D8): `rules` (pure), `service` (writes, task
confirmations through the outbox), `scoping`, `tables`, `enums`."""
