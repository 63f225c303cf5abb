"""The signature header of a webhook delivery (issue 20), in the style of Stripe's:

    Cosell-Signature: t=1733150000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

`v1` is the hex HMAC-SHA256, keyed with the endpoint's secret, of the timestamp, a dot and
the exact request body: `f"{t}.{body}"`. A receiver recomputes it, compares in constant
time, and refuses timestamps too far from its clock (replays). Several `v1=` may appear
(none today; kept open for secret rotation): any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Cosell-Signature"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(secret: str, body: bytes, value: str, *, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> bool:
    """True if `value` (the header) signs `body` with `secret` within `tolerance` seconds."""
    parts = [p.split("=", 1) for p in value.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    candidates = [v.strip() for k, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
        return False
    t = int(stamps[0])
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = signature(secret, t, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
