"""Accounts and contacts (A1–A9): the hierarchy and segments, addresses, screening, employee
counts. `rules` (pure), `service` (writes), `scoping`, `tables`, `enums`, `events` (what
opportunities react to). The A10 transfer of an account's opportunities is in
partners.opportunities.holdover, which writes opportunities."""
