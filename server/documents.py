"""Trusted documents and Apollo automatic persisted queries on the request path (issue 17).

A request names its document by id instead of (or as well as) sending its text:
- `extensions.persistedQuery = {"version": 1, "sha256Hash": …}` (Apollo Client's persisted
  query link, urql's persistedExchange, Apollo's persisted query manifests);
- `documentId` or `doc_id` next to `variables` (GraphQL-over-HTTP trusted documents,
  Relay's network layer examples).

The id is looked up among the documents registered with `cosell documents add` (the
database, shared by every instance), then among the texts this process was sent with their
hash (automatic persisted queries: a per-process cache, never written to the database, so
a client cannot add to the operators' list). Unknown → PERSISTED_QUERY_NOT_FOUND, on which
Apollo-style clients send the text with the hash; a text that does not hash to the id it
comes with → PERSISTED_QUERY_HASH_MISMATCH, and neither the text nor a stored document runs.

For the roles in COSELL_TRUSTED_DOCUMENTS_ROLES only registered documents run (by id, or a
text whose SHA-256 is a registered id); anything else → TRUSTED_DOCUMENT_REQUIRED."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass

from graphql import GraphQLError

from partners.documents import store
from partners.documents.store import DocumentRefused, sha256_hex
from partners.people.principal import Principal
from schema.core.errors import RequestRefused
from schema.documents.prepared import STATE_KEY, PreparedDocument
# Re-exported: the app checks the roles with the rest of the request path.
from server.document_roles import ANONYMOUS, allow_list_roles  # noqa: F401

# A registered document removed with `cosell documents remove` stops running on every
# instance within this delay (ids name immutable texts, so nothing else can go stale).
RECHECK_SECONDS = 30.0
AUTOMATIC_CACHE_SIZE = 1000  # automatic persisted queries kept per process
# The only ids that key the automatic cache: a SHA-256, as Apollo's protocol sends it. An MD5 or
# SHA-1 id (Relay's compiler may use them for *registered* documents, sent as `documentId`)
# could be forged to collide, and this cache is shared by every caller of the process.
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(eq=False)
class Refusal(Exception):
    code: str
    message: str
    status: int

    def result(self) -> RequestRefused:
        return RequestRefused(data=None, errors=[GraphQLError(self.message, extensions={"code": self.code})])


class TrustedDocuments:
    def __init__(self, restricted_roles: frozenset[str]) -> None:
        self.restricted_roles = restricted_roles
        self._registered: dict[str, tuple[PreparedDocument, float]] = {}
        self._automatic: OrderedDict[str, PreparedDocument] = OrderedDict()

    def restricted(self, principal: Principal | None) -> bool:
        role = principal.role.value if principal is not None else ANONYMOUS
        return role in self.restricted_roles

    async def resolve(self, query: str | None, extensions: dict | None, principal: Principal | None,
                      state) -> str | None:
        """The text to run (None: let Strawberry report the missing query), with the
        prepared document on `state`; raises Refusal."""
        document_id, is_apq = _requested_id(extensions)
        restricted = self.restricted(principal)
        if document_id is None:
            if query is None or not restricted:
                return query
            # A plain text that is a registered document runs as that document.
            prepared = await self._registered_document(sha256_hex(query))
            if prepared is None:
                raise _trusted_required(principal)
            setattr(state, STATE_KEY, prepared)
            return query
        prepared = self._fresh(document_id)
        if prepared is None and not restricted and SHA256_HEX.fullmatch(document_id):
            prepared = self._automatic.get(document_id)
            if prepared is not None:
                self._automatic.move_to_end(document_id)
        if prepared is None:
            prepared = await self._registered_document(document_id)
        if query is not None:
            same = store.id_matches(document_id, query) if is_apq or prepared is None else prepared.body == query
            if not same:
                raise Refusal("PERSISTED_QUERY_HASH_MISMATCH",
                              f"provided sha does not match query: the text sent is not the document {document_id} "
                              "(hash mismatch); it was not run.", 400)
            if prepared is None and not restricted:
                if not SHA256_HEX.fullmatch(document_id):
                    return query  # runs as a plain text: only a SHA-256 keys the shared cache
                prepared = self._remember(document_id, query)
        if prepared is None or (restricted and not prepared.trusted):
            if restricted:
                raise _trusted_required(principal, document_id)
            raise Refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
        setattr(state, STATE_KEY, prepared)
        return prepared.body

    def _fresh(self, document_id: str) -> PreparedDocument | None:
        cached = self._registered.get(document_id)
        if cached is not None and time.monotonic() - cached[1] < RECHECK_SECONDS:
            return cached[0]
        return None

    async def _registered_document(self, document_id: str) -> PreparedDocument | None:
        fresh = self._fresh(document_id)
        if fresh is not None:
            return fresh
        cached = self._registered.get(document_id)
        try:
            document = await store.get_intact(document_id)
        except DocumentRefused as exc:
            self._registered.pop(document_id, None)
            raise Refusal("PERSISTED_QUERY_HASH_MISMATCH", str(exc), 400) from exc
        if document is None:
            self._registered.pop(document_id, None)
            return None
        prepared = cached[0] if cached is not None else PreparedDocument(document_id, document.body, trusted=True)
        self._registered[document_id] = (prepared, time.monotonic())
        return prepared

    def _remember(self, document_id: str, body: str) -> PreparedDocument:
        prepared = PreparedDocument(document_id, body, trusted=False)
        self._automatic[document_id] = prepared
        if len(self._automatic) > AUTOMATIC_CACHE_SIZE:
            self._automatic.popitem(last=False)
        return prepared


def _requested_id(extensions: dict | None) -> tuple[str | None, bool]:
    if not extensions:
        return None, False
    persisted = extensions.get("persistedQuery")
    if persisted is not None:
        sha256_hash = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version", 1) != 1 \
                or not isinstance(sha256_hash, str) or not SHA256_HEX.fullmatch(sha256_hash):
            raise Refusal("PERSISTED_QUERY_NOT_SUPPORTED",
                          "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<hex>\"}, the "
                          "SHA-256 of the query as 64 lowercase hexadecimal characters (an MD5 or SHA-1 id is "
                          "sent as documentId, for a registered document only).", 400)
        return sha256_hash, True
    document_id = extensions.get(DOCUMENT_ID_KEY)
    return (document_id.lower(), False) if isinstance(document_id, str) else (None, False)


# `documentId` / `doc_id` at the top level of the request are moved here when the body is read.
DOCUMENT_ID_KEY = "cosellDocumentId"


def lift_document_id(data):
    """Move a top-level `documentId`/`doc_id` into `extensions` (Strawberry keeps only
    query, variables, operationName and extensions)."""
    if isinstance(data, dict):
        document_id = data.get("documentId", data.get("doc_id"))
        if isinstance(document_id, str):
            extensions = data.get("extensions")
            if not isinstance(extensions, dict):
                extensions = {}
            data = {**data, "extensions": {**extensions, DOCUMENT_ID_KEY: document_id}}
    return data


def _trusted_required(principal: Principal | None, document_id: str | None = None) -> Refusal:
    who = principal.role.value if principal is not None else ANONYMOUS
    what = f"document {document_id} is not registered" if document_id else "this text is not a registered document"
    return Refusal("TRUSTED_DOCUMENT_REQUIRED",
                   f"Only registered documents run for {who} ({what}): send the id of a document registered "
                   "with `cosell documents add` (extensions.persistedQuery.sha256Hash or documentId).", 400)
