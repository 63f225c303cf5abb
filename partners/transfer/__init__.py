"""Bringing a channel's data in and out (issue 35): `cosell import` and `cosell export`.

The native format is one CSV file per entity (`formats`), read as a stream (`reading`),
written in batches through the domain's rules (`importing` and the per-entity modules),
and written back out by `exporting`; `salesforce` maps a Salesforce data export onto the
native rows. Every imported record keeps its external id (`keys`, table `external_id`).
docs/import-export.md is the user's description.
"""
