"""Compiled plans for registered (trusted) documents (issue 17, part 3).

A plan replaces graphql-core's per-field machinery for a query whose every field below
the root is a plain attribute, a Node id, or a field with a batch resolver registered in
`schema/compiled/batches.py` (the same scoped DataLoaders the generic resolvers use, so
partner scoping and R9 stay in one place). Root fields still run through their own
Strawberry resolvers (access checks, scoping, pagination, argument conversion). Anything
else — fragments, directives, field arguments below the root, field extensions, abstract
types, a null where the schema says non-null, any error — runs the generic executor.
"""
