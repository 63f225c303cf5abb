"""The `partnercentral-selling` client: boto3 with the standard credential chain, or a role
to assume (COSELL_PLUGIN_AWS_PARTNER_CENTRAL_ROLE_ARN), at AWS's endpoint or ENDPOINT_URL
(tests, private endpoints). Calls are blocking (botocore): the
plugin runs them in a thread (`call`) so the event loop keeps serving.

Tests install a client of their own with `use_client(client)` (one built by boto3 and wrapped
in botocore's Stubber, which checks every request against the real service model)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from cosell_contrib.aws_partner_central import plugin_settings

SERVICE = "partnercentral-selling"
EXPIRED = frozenset({"ExpiredTokenException", "ExpiredToken", "RequestExpired"})
_lock = threading.Lock()
_client: Any = None
_configured_for: tuple | None = None


def use_client(client: Any) -> None:
    """Use `client` for every call (tests; embedding with a client built elsewhere); None: build one."""
    global _client, _configured_for
    with _lock:
        _client = client
        _configured_for = ("given",) if client is not None else None


def _build(region: str, role_arn: str | None, endpoint_url: str | None) -> Any:
    import boto3  # the `aws` extra

    if role_arn is None:
        return boto3.session.Session().client(SERVICE, region_name=region, endpoint_url=endpoint_url)
    credentials = boto3.client("sts", region_name=region).assume_role(
        RoleArn=role_arn, RoleSessionName="cosell-aws-partner-central")["Credentials"]
    # Assumed credentials expire (an hour by default): the client is rebuilt after a failure
    # with ExpiredToken (see `forget`).
    session = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"])
    return session.client(SERVICE, region_name=region, endpoint_url=endpoint_url)


def client() -> Any:
    global _client, _configured_for
    wanted = (plugin_settings["region"], plugin_settings["role_arn"], plugin_settings["endpoint_url"])
    with _lock:
        if _client is None or (_configured_for != ("given",) and _configured_for != wanted):
            _client, _configured_for = _build(*wanted), wanted
        return _client


def forget() -> None:
    """Drop a built client (expired assumed-role credentials); a given one stays."""
    global _client, _configured_for
    with _lock:
        if _configured_for != ("given",):
            _client, _configured_for = None, None


async def call(operation: str, **params: Any) -> dict:
    """`client().<operation>(Catalog=<catalog>, **params)` in a worker thread."""
    from botocore import xform_name

    method = getattr(client(), xform_name(operation))
    try:
        return await asyncio.to_thread(method, Catalog=plugin_settings["catalog"], **params)
    except Exception as exc:
        response = getattr(exc, "response", None)
        if isinstance(response, dict) and response.get("Error", {}).get("Code") in EXPIRED:
            forget()  # the assumed role's credentials ran out: the retry assumes it again
        raise
