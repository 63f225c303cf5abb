"""An example cosell plugin package (see README.md and cosell's docs/plugins.md)."""
