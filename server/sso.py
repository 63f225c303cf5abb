"""Single sign-on: JWT access tokens of configured identity providers (issue 20).

A portal whose users sign in with its identity provider (Keycloak, Auth0, Okta, Entra ID …)
sends that provider's access token as `Authorization: Bearer <jwt>`. The token is accepted
when its issuer is configured (COSELL_JWT_ISSUERS), its signature verifies with a key of
the issuer's JWKS (from a URL or a file; a new key id is fetched at once, so key rotation
needs nothing), and `iss`, `aud`, `exp` and `nbf` hold (with COSELL_JWT_LEEWAY seconds of
clock skew). The token then maps to ONE active cosell user — by email or by the linked
subject (`cosell users link-sso`) — whose role and partner apply, if the issuer may sign in
users of that role (`roles`, partner roles by default: an identity provider of partners
never signs in staff, issue 33); for partner users an optional partner claim must name
their own partner. Anything else is a 401 that says why: never a guess, never an anonymous
call. Refusals are logged (issuer, reason, user) without the token's contents. Opaque
`cst_` tokens work as before.

Verification is PyJWT's (with cryptography); this module only chooses the key and maps
the claims. Issuer objects (docs/security.md):

    {"issuer": "https://idp.example.com/realms/partners",   # the exact `iss`
     "audience": "cosell",                                  # a string or a list
     "jwks_url": "https://…/certs"  or  "jwks_file": "/etc/cosell/jwks.json",
     "match": "email" | "subject",                          # default "email"
     "email_claim": "email",                                # default "email"
     "partner_claim": "partner",                            # optional
     "roles": ["PARTNER_USER", "PARTNER_ADMIN"],            # the default: partner users only
     "algorithms": ["RS256", "ES256"]}                      # default RS256, ES256, PS256
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import jwt

from partners.people.enums import PARTNER_ROLES, Role
from partners.people.identity import partner_matches, principal_by_email, principal_by_subject
from partners.people.principal import Principal

log = logging.getLogger("cosell.sso")

DEFAULT_ALGORITHMS = ("RS256", "ES256", "PS256")
FETCH_TIMEOUT_SECONDS = 5.0


class SsoRefused(Exception):
    """The JWT is not accepted; the message tells the client why (a 401). `reason` is a short
    code for the log, which never carries the token's contents."""

    def __init__(self, message: str, reason: str = "token") -> None:
        super().__init__(message)
        self.reason = reason


def _roles(item: dict) -> frozenset[Role]:
    """The roles an issuer may sign in: partner roles unless `roles` names others (issue 33)."""
    if "roles" not in item:
        return PARTNER_ROLES
    allowed = ", ".join(r.value for r in Role)
    raw = item["roles"]
    if not isinstance(raw, list) or not raw or not all(isinstance(r, str) for r in raw):
        raise ValueError(f"COSELL_JWT_ISSUERS: {item['issuer']} roles must be a non-empty list of role names "
                         f"(allowed: {allowed})")
    names = [r.strip().upper() for r in raw]
    unknown = sorted(set(names) - {r.value for r in Role})
    if unknown:
        raise ValueError(f"COSELL_JWT_ISSUERS: {item['issuer']} unknown role(s) {', '.join(unknown)} in roles "
                         f"(allowed: {allowed})")
    return frozenset(Role(n) for n in names)


@dataclass(frozen=True)
class Issuer:
    issuer: str
    audience: tuple[str, ...]
    jwks_url: str | None = None
    jwks_file: Path | None = None
    match: str = "email"
    email_claim: str = "email"
    partner_claim: str | None = None
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    roles: frozenset[Role] = PARTNER_ROLES

    @classmethod
    def from_config(cls, item: dict) -> "Issuer":
        unknown = set(item) - {"issuer", "audience", "jwks_url", "jwks_file", "match", "email_claim",
                               "partner_claim", "algorithms", "roles"}
        if unknown:
            raise ValueError(f"COSELL_JWT_ISSUERS: unknown keys {sorted(unknown)}")
        if not item.get("issuer") or not item.get("audience"):
            raise ValueError("COSELL_JWT_ISSUERS: every issuer needs `issuer` and `audience`")
        if bool(item.get("jwks_url")) == bool(item.get("jwks_file")):
            raise ValueError(f"COSELL_JWT_ISSUERS: {item['issuer']} needs exactly one of jwks_url, jwks_file")
        match = item.get("match", "email")
        if match not in ("email", "subject"):
            raise ValueError(f"COSELL_JWT_ISSUERS: match is email or subject, got {match!r}")
        audience = item["audience"]
        algorithms = tuple(item.get("algorithms") or DEFAULT_ALGORITHMS)
        if any(a.upper().startswith("HS") or a.lower() == "none" for a in algorithms):
            raise ValueError("COSELL_JWT_ISSUERS: only asymmetric algorithms (RS*, PS*, ES*, EdDSA)")
        return cls(
            issuer=item["issuer"],
            audience=(audience,) if isinstance(audience, str) else tuple(audience),
            jwks_url=item.get("jwks_url") or None,
            jwks_file=Path(item["jwks_file"]) if item.get("jwks_file") else None,
            match=match,
            email_claim=item.get("email_claim", "email"),
            partner_claim=item.get("partner_claim") or None,
            algorithms=algorithms,
            roles=_roles(item),
        )


class KeySet:
    """An issuer's signing keys by key id, fetched when stale or when a token names a key
    id not seen yet (rotation). A failed fetch keeps the keys already known."""

    def __init__(self, issuer: Issuer, refresh_seconds: float, min_refetch_seconds: float) -> None:
        self.issuer = issuer
        self.refresh_seconds = refresh_seconds
        # An unknown key id triggers a fetch, but not more often than this: a flood of tokens
        # with made-up key ids must not become a flood of requests to the identity provider.
        self.min_refetch_seconds = min_refetch_seconds
        self.keys: dict[str | None, jwt.PyJWK] = {}
        self.fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        seen = self.fetched_at
        age = time.monotonic() - seen
        if age > self.refresh_seconds or (kid not in self.keys and age > self.min_refetch_seconds):
            async with self._lock:
                if self.fetched_at == seen:  # nobody fetched while we waited for the lock
                    await self._fetch()
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        return self.keys.get(kid)

    async def _fetch(self) -> None:
        try:
            document = await asyncio.to_thread(self._read)
            keys = jwt.PyJWKSet.from_dict(document).keys
        except Exception as exc:  # noqa: BLE001 - the provider is down or its answer is bad
            log.warning("could not fetch the JWKS of %s: %s", self.issuer.issuer, exc)
            self.fetched_at = time.monotonic()  # try again after min_refetch_seconds, not per request
            return
        self.keys = {k.key_id: k for k in keys if getattr(k, "public_key_use", None) in (None, "sig")}
        self.fetched_at = time.monotonic()

    def _read(self) -> dict:
        if self.issuer.jwks_file is not None:
            return json.loads(self.issuer.jwks_file.read_text())
        request = urllib.request.Request(self.issuer.jwks_url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
            return json.loads(response.read())


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


class SingleSignOn:
    def __init__(self, issuers: tuple[dict, ...], *, leeway: float, refresh_seconds: float,
                 min_refetch_seconds: float) -> None:
        parsed = [Issuer.from_config(item) for item in issuers]
        self.issuers = {i.issuer: (i, KeySet(i, refresh_seconds, min_refetch_seconds)) for i in parsed}
        self.leeway = leeway

    @classmethod
    def from_settings(cls, settings) -> "SingleSignOn | None":
        if not settings.jwt_issuers:
            return None
        return cls(settings.jwt_issuers, leeway=settings.jwt_leeway_seconds,
                   refresh_seconds=settings.jwks_refresh_seconds,
                   min_refetch_seconds=settings.jwks_min_refetch_seconds)

    async def principal(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise _refused(None, SsoRefused("Malformed JWT.", "malformed")) from None
        found = self.issuers.get(unverified.get("iss")) if isinstance(unverified.get("iss"), str) else None
        if found is None:
            raise _refused(None, SsoRefused("JWT from an issuer that is not configured (iss).", "issuer"))
        issuer, keys = found
        try:
            if header.get("alg") not in issuer.algorithms:
                raise SsoRefused(f"JWT algorithm {header.get('alg')!r} is not accepted for this issuer.", "algorithm")
            key = await keys.key(header.get("kid"))
            if key is None:
                raise SsoRefused("JWT signed with a key the issuer does not publish (kid).", "key")
            claims = self._verify(token, key, issuer)
        except SsoRefused as exc:
            raise _refused(issuer, exc) from None
        # The token is the issuer's: from here a refusal is someone the issuer vouches for.
        principal = await self._user(issuer, claims)
        if principal is None:
            raise _refused(issuer, SsoRefused(self._unknown(issuer, claims), "user"))
        if principal.role not in issuer.roles:
            # Issue 33: a partners' identity provider (or one letting people choose their
            # email) must not sign in staff; each issuer names the roles it vouches for.
            raise _refused(issuer, SsoRefused("This identity provider may not sign in this user (the issuer's "
                                              "roles); sign in through your organisation's own.", "role"), principal)
        if principal.is_partner_user and issuer.partner_claim:
            claimed = claims.get(issuer.partner_claim)
            if not await partner_matches(principal.partner_id, claimed):
                raise _refused(issuer, SsoRefused(
                    f"The token's {issuer.partner_claim!r} claim does not name this user's partner.", "partner_claim"),
                    principal)
        return principal

    def _verify(self, token: str, key: jwt.PyJWK, issuer: Issuer) -> dict:
        try:
            return jwt.decode(
                token, key=key, algorithms=list(issuer.algorithms), audience=list(issuer.audience),
                issuer=issuer.issuer, leeway=self.leeway, options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SsoRefused("JWT expired (exp).", "expired") from None
        except jwt.ImmatureSignatureError:
            raise SsoRefused("JWT not valid yet (nbf/iat).", "not_yet_valid") from None
        except jwt.InvalidAudienceError:
            raise SsoRefused("JWT is for another audience (aud).", "audience") from None
        except jwt.InvalidIssuerError:
            raise SsoRefused("JWT issuer mismatch (iss).", "issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise SsoRefused(f"JWT lacks the {exc.claim!r} claim.", "missing_claim") from None
        except jwt.InvalidSignatureError:
            raise SsoRefused("JWT signature does not verify.", "signature") from None
        except jwt.InvalidTokenError as exc:
            raise SsoRefused(f"JWT refused: {exc}.", "invalid") from None

    @staticmethod
    async def _user(issuer: Issuer, claims: dict) -> Principal | None:
        if issuer.match == "subject":
            return await principal_by_subject(issuer.issuer, str(claims["sub"]))
        email = claims.get(issuer.email_claim)
        if not isinstance(email, str) or not email.strip() or claims.get("email_verified") is False:
            return None
        return await principal_by_email(email)

    @staticmethod
    def _unknown(issuer: Issuer, claims: dict) -> str:
        if issuer.match == "subject":
            return ("No active cosell user is linked to this token's subject (sub); an administrator links one "
                    "with `cosell users link-sso`.")
        if claims.get("email_verified") is False:
            return "The token's email is not verified (email_verified)."
        if not isinstance(claims.get(issuer.email_claim), str):
            return f"The token has no {issuer.email_claim!r} claim to find its cosell user by."
        return "No active cosell user has this token's email; an administrator adds one with `cosell users add`."


def _refused(issuer: Issuer | None, exc: SsoRefused, principal: Principal | None = None) -> SsoRefused:
    """Log a refused sign-in and hand the refusal back to raise. The log names the configured
    issuer, the reason and, once the token verified, the cosell user — never the token, its
    claims or its email. A token that did not verify is anyone's noise (INFO); a verified
    token refused is someone the identity provider vouches for being turned away (WARNING)."""
    extra = {"reason": exc.reason, "issuer": issuer.issuer if issuer is not None else None}
    if principal is not None:
        extra.update(user_id=principal.user_id, role=principal.role.value)
    verified = exc.reason in ("user", "role", "partner_claim")
    log.log(logging.WARNING if verified else logging.INFO, "single sign-on refused", extra=extra)
    return exc
