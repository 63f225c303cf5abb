"""The partner locator (D7, P1): public directory listings, not the scoped Partner node."""
