"""Idempotency keys, stored in the database so that every instance sees them.

A key belongs to one principal. The first request with a key claims it (a row that is
IN_PROGRESS, unique per principal and key: concurrent claims cannot both win), runs, and
stores its response (DONE). A retry with the same request gets that response back; the
same key with another request is refused. A claim whose holder crashed is taken over
once its lease has run out; every key expires after its time to live.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from partners.infra.db import uncounted
from partners.infra.tables import IdempotencyKey

IN_PROGRESS = "IN_PROGRESS"
DONE = "DONE"
KEY_MAX_LENGTH = 255


class ClaimState(Enum):
    ACQUIRED = "acquired"  # this request runs
    REPLAY = "replay"  # a stored response answers it
    MISMATCH = "mismatch"  # the key was used for another request
    IN_PROGRESS = "in_progress"  # the first request with this key is still running


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    scope_key: str
    status: int = 0
    body: str = ""


def valid_key(key: str) -> bool:
    return 0 < len(key) <= KEY_MAX_LENGTH and key.isascii() and key.isprintable()


def request_hash(payload: Any) -> str:
    """The same request gives the same hash, whatever its JSON whitespace or key order."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scope_key(principal: str, key: str) -> str:
    return f"{principal}:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


async def claim(principal: str, key: str, req_hash: str, *, ttl_seconds: int, lease_seconds: int) -> Claim:
    scope = scope_key(principal, key)
    with uncounted():
        for _ in range(3):
            t = int(time.time())
            # An expired key, or a claim whose holder died, is free again.
            await IdempotencyKey.delete().where(
                (IdempotencyKey.scope_key == scope)
                & ((IdempotencyKey.expires_at < t) | ((IdempotencyKey.status == IN_PROGRESS) & (IdempotencyKey.locked_until < t)))
            )
            inserted = await (
                IdempotencyKey.insert(
                    IdempotencyKey(
                        scope_key=scope, request_hash=req_hash, status=IN_PROGRESS,
                        locked_until=t + lease_seconds, expires_at=t + ttl_seconds,
                    )
                )
                .on_conflict(action="DO NOTHING")
                .returning(IdempotencyKey.id)
            )
            if inserted:
                return Claim(ClaimState.ACQUIRED, scope)
            existing = await _read(scope, req_hash)
            if existing is not None:
                return existing
        return Claim(ClaimState.IN_PROGRESS, scope)  # pragma: no cover - churned three times


async def _read(scope: str, req_hash: str) -> Claim | None:
    row = await IdempotencyKey.select().where(IdempotencyKey.scope_key == scope).first()
    if row is None:
        return None
    if row["request_hash"] != req_hash:
        return Claim(ClaimState.MISMATCH, scope)
    if row["status"] == DONE:
        return Claim(ClaimState.REPLAY, scope, row["response_status"], row["response_body"])
    return Claim(ClaimState.IN_PROGRESS, scope)


async def wait_for(scope: str, req_hash: str, *, timeout: float, interval: float = 0.05) -> Claim:
    """Poll until the running request with this key has stored its response (or timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        with uncounted():
            current = await _read(scope, req_hash)
        if current is None:  # released: the first request did not complete
            return Claim(ClaimState.IN_PROGRESS, scope)
        if current.state is not ClaimState.IN_PROGRESS or time.monotonic() >= deadline:
            return current
        await asyncio.sleep(interval)


async def complete(scope: str, status: int, body: str) -> None:
    with uncounted():
        await IdempotencyKey.update(
            {IdempotencyKey.status: DONE, IdempotencyKey.response_status: status, IdempotencyKey.response_body: body}
        ).where(IdempotencyKey.scope_key == scope)


async def release(scope: str) -> None:
    """Forget a claim whose request did not complete, so that a retry runs it."""
    with uncounted():
        await IdempotencyKey.delete().where((IdempotencyKey.scope_key == scope) & (IdempotencyKey.status == IN_PROGRESS))
