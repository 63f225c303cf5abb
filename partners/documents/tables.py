"""The table of registered documents (registered in partners/infra/piccolo_app.py)."""

from __future__ import annotations

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.table import Table


class TrustedDocument(Table, tablename="trusted_document"):
    """One GraphQL document a client may send by id instead of by text.

    `document_id` is what the client sends: the SHA-256 of the text for Apollo persisted
    queries and `.graphql` files, or the id a build tool chose (Relay's persisted output,
    Apollo's manifest), checked against `body` with that tool's hash when registered.
    `sha256` is always the SHA-256 of `body`: the server checks it again when it loads the
    row, so a body changed in the database is refused, never run."""

    document_id = Varchar(length=128, unique=True)
    sha256 = Varchar(length=64)
    body = Text()
    # Comma-separated operation names, for `cosell documents list`.
    operation_names = Text(default="")
    source = Varchar(length=255, default="")
    created_at = Timestamptz()
