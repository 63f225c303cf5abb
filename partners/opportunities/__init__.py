"""Opportunities (O1–O11), their partner team and the reseller rules (R1–R9), A10 holdovers.

`rules` (pure), `service` (create, update, stage moves), `team` (partners on an opportunity,
the primary, R2 name prefixes), `reseller` (snapshots for the rule plugins), `holdover` (account
transfers, hand-over, extension requests), `scoping`, `tables`, `enums`, `events` (closed lost,
P6), `subscribers` (accounts' changes)."""
