"""Trusted documents (issue 17): GraphQL documents an operator registered ahead of time,
shared by every instance through the database. Storage only: parsing and validation
against the schema live in `schema/documents/`, the request protocol in `server/documents.py`."""
