"""Registered documents in the database: add (all or nothing), look up, list, remove.

A document id is always a hash of its body that the server can check: SHA-256 (Apollo
persisted queries, `.graphql` files), or the MD5/SHA-1 a build tool such as Relay's
compiler was configured with. So an id names one text for ever: registering the same id
with another text, or finding a stored body that no longer hashes to its id, is refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from partners.documents.tables import TrustedDocument
from partners.infra.clock import now
from partners.infra.db import transaction

_ALGORITHMS = {64: hashlib.sha256, 40: hashlib.sha1, 32: hashlib.md5}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def id_matches(document_id: str, body: str) -> bool:
    """Whether `document_id` is the MD5, SHA-1 or SHA-256 (by its length) of `body`."""
    algorithm = _ALGORITHMS.get(len(document_id))
    return algorithm is not None and algorithm(body.encode("utf-8")).hexdigest() == document_id.lower()


class DocumentRefused(ValueError):
    """A document that cannot be registered; the message says which and why."""


@dataclass(frozen=True)
class Document:
    document_id: str
    body: str
    operation_names: tuple[str, ...] = ()
    source: str = ""

    @property
    def sha256(self) -> str:
        return sha256_hex(self.body)


@dataclass(frozen=True)
class AddReport:
    added: tuple[str, ...]
    unchanged: tuple[str, ...]


def check_id(document: Document) -> None:
    if not id_matches(document.document_id, document.body):
        raise DocumentRefused(
            f"{document.source or 'document'}: id {document.document_id} is not the MD5, SHA-1 or SHA-256 "
            "of its text (hash mismatch): export the documents again, or configure the build tool to hash "
            "with one of these.")


async def add(documents: list[Document]) -> AddReport:
    """Register `documents` in one transaction: nothing is written if one is refused."""
    added, unchanged = [], []
    for document in documents:
        check_id(document)
    async with transaction():
        for document in documents:
            document_id = document.document_id.lower()
            existing = await TrustedDocument.select(TrustedDocument.sha256).where(
                TrustedDocument.document_id == document_id).first()
            if existing is not None:
                if existing["sha256"] != document.sha256:
                    raise DocumentRefused(
                        f"{document.source or 'document'}: id {document_id} is already registered with "
                        "another text (hash mismatch).")
                unchanged.append(document_id)
                continue
            await TrustedDocument.insert(TrustedDocument(
                document_id=document_id, sha256=document.sha256, body=document.body,
                operation_names=",".join(document.operation_names), source=document.source[:255],
                created_at=now())).run()
            added.append(document_id)
    return AddReport(tuple(added), tuple(unchanged))


def intact(document: Document, stored_sha256: str) -> bool:
    return document.sha256 == stored_sha256 and id_matches(document.document_id, document.body)


async def get_intact(document_id: str) -> Document | None:
    """The registered document, or None. A row whose body no longer matches its hashes
    (edited in the database after registration) raises DocumentRefused: never run it."""
    row = await TrustedDocument.select(
        TrustedDocument.document_id, TrustedDocument.sha256, TrustedDocument.body,
        TrustedDocument.operation_names, TrustedDocument.source,
    ).where(TrustedDocument.document_id == document_id.lower()).first()
    if row is None:
        return None
    document = _document(row)
    if not intact(document, row["sha256"]):
        raise DocumentRefused(
            f"registered document {document.document_id} no longer matches its hash: it was changed "
            "after registration; register the new text (`cosell documents add`).")
    return document


async def list_all() -> list[Document]:
    rows = await TrustedDocument.select(
        TrustedDocument.document_id, TrustedDocument.sha256, TrustedDocument.body,
        TrustedDocument.operation_names, TrustedDocument.source,
    ).order_by(TrustedDocument.source).order_by(TrustedDocument.document_id)
    return [_document(row) for row in rows]


async def remove(document_ids: list[str]) -> int:
    ids = [i.lower() for i in document_ids]
    async with transaction():
        count = await TrustedDocument.count().where(TrustedDocument.document_id.is_in(ids))
        if count:
            await TrustedDocument.delete().where(TrustedDocument.document_id.is_in(ids))
    return count


def _document(row: dict) -> Document:
    names = tuple(n for n in (row["operation_names"] or "").split(",") if n)
    return Document(document_id=row["document_id"], body=row["body"], operation_names=names, source=row["source"])
