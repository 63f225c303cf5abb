"""The partner locator (D7): queries, directory entries and per-region lookups.

`from partners.locator import DirectoryEntry, LocatorQuery, matches` is the path plugins use
(docs/plugins.md).
"""

from partners.locator.search import DirectoryEntry, Facets, LocatorPage, LocatorQuery, Near, matches

__all__ = ["DirectoryEntry", "Facets", "LocatorPage", "LocatorQuery", "Near", "matches"]
