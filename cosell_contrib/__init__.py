"""Plugins shipped with cosell that need more than the domain: they use the GraphQL plugin
API (`schema.plugin_api`) like an installed plugin would, so they sit outside the layers of
docs/architecture.md (`plugins/` may not import `schema`). Each is off unless configured."""
