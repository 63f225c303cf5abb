"""HTTP layer: the Starlette app, authentication, the CLI."""
