"""Database plumbing below the domain (issue 17): the connection pool's release policy."""
