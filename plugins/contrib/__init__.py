"""Optional plugins shipped with cosell, never registered by default (enable them explicitly)."""
