"""Trusted documents on the GraphQL side (issue 17): reading a front-end build's exported
documents, validating them against the schema, and the per-document parse/validation
cache the request path uses."""
