"""Leads shared with partners (P11): created by staff or a plugin, shared by a channel
manager of the region with one AUTHORIZED partner, accepted or rejected within 5 business
days, acted on within 10, otherwise recalled by the `lead-deadlines` job.

Modules: `tables` (Piccolo), `rules` (pure: deadlines, transitions), `service` (writes),
`deadlines` (the leased recall and reminder job), `scoping` (who reads what).
"""
