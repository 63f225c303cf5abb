"""Compiled plans for registered (trusted) documents (issue 17, part 3).

A plan replaces graphql-core's per-field machinery for a query whose every field below
the root is a plain attribute, a Node id, a field with a batch resolver registered in
`schema/compiled/batches.py` (one `load_many` per level through the same scoped
DataLoaders), or a field whose own resolver is called directly with the request context
(`DIRECT`: the same code as the generic path, so partner scoping, R9 and plugin hooks
such as cosell_partner_discount stay in one place). Root fields still run through their
own Strawberry resolvers (access checks, scoping, pagination, prefetch, argument
conversion). Anything else — fragments, directives, field arguments below the root,
field extensions (e.g. staff-only fields), abstract types, a null where the schema says
non-null, any error — runs the generic executor.
"""
