"""Database plumbing below the domain (issue 17): the connection pool's release policy,
statements prepared once per scope shape, one connection per request."""
