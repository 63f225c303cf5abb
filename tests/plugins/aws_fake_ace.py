"""A local stand-in for the Partner Central Selling API (issue 39), for a live cosell server
whose plugin points at it (COSELL_PLUGIN_AWS_PARTNER_CENTRAL_ENDPOINT_URL). It speaks the
API's protocol, awsJson1_0 (POST /, `X-Amz-Target: AWSPartnerCentralSelling.<Operation>`,
JSON bodies, timestamps as epoch seconds), checks that each request is SigV4-signed and that
its body is valid for the operation's input shape in botocore's `partnercentral-selling`
model (botocore.validate: names, types, required members; `model_violations`: enums,
patterns, maximum lengths), and answers responses that are
valid for the output shape, keeping state like ACE: CreateOpportunity with a ClientToken it
has seen answers the opportunity it created then. Binds 127.0.0.1 only.

    with FakeAce(review_status="Approved") as ace:
        ace.url  # the endpoint
        ace.operations()  # the operations called, in order
        ace.invalid  # the requests that failed validation (with botocore's report)
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
from botocore.validate import ParamValidator

TARGET = "AWSPartnerCentralSelling."
MODEL = botocore.session.get_session().get_service_model("partnercentral-selling")


def model_violations(value, shape, path: str = "") -> list[str]:
    """What botocore's ParamValidator leaves to the service: enums, patterns and maximum
    lengths of strings, anywhere in the value."""
    found = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in value.items():
            if name in shape.members:
                found += model_violations(member, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            found += model_violations(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += model_violations(item, shape.value, f"{path}.{key}")
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            found.append(f"{path}: {value!r} is not one of {shape.enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            found.append(f"{path}: {value!r} does not match {pattern}")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            found.append(f"{path}: longer than {shape.metadata['max']}")
    return found


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


class FakeAce:
    def __init__(self, *, review_status: str = "Approved", stage: str = "Qualified",
                 invitations: list[dict] | None = None) -> None:
        self.review_status, self.stage = review_status, stage
        # Engagement invitations to us (GetEngagementInvitation's answers, timestamps as epoch seconds).
        self._invitations = {i["Id"]: dict(i) for i in invitations or []}
        self.calls: list[tuple[str, dict]] = []
        self.invalid: list[str] = []
        self._opportunities: dict[str, dict] = {}  # ACE id -> what we keep of it
        self._tokens: dict[str, str] = {}  # ClientToken -> ACE id
        self._ids = itertools.count(1234567)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeAce":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def operations(self) -> list[str]:
        with self._lock:
            return [name for name, _ in self.calls]

    def bodies(self, operation: str) -> list[dict]:
        with self._lock:
            return [body for name, body in self.calls if name == operation]

    # ------------------------------------------------------------ the protocol

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = fake.answer(self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        return Handler

    def answer(self, headers, raw: bytes) -> tuple[int, dict]:
        target = headers.get("X-Amz-Target", "")
        if not target.startswith(TARGET) or target[len(TARGET):] not in MODEL.operation_names:
            return 400, {"__type": "UnknownOperationException", "message": target}
        operation = MODEL.operation_model(target[len(TARGET):])
        if not headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return 403, {"__type": "AccessDeniedException", "message": "missing SigV4 signature"}
        if headers.get("Content-Type") != "application/x-amz-json-1.0":
            return 400, {"__type": "ValidationException", "message": "awsJson1_0 content type expected"}
        params = json.loads(raw or b"{}")
        report = ParamValidator().validate(params, operation.input_shape)
        problems = ([report.generate_report()] if report.has_errors() else []) + model_violations(
            params, operation.input_shape)
        with self._lock:
            self.calls.append((operation.name, params))
            if problems:
                self.invalid.append(f"{operation.name}: {'; '.join(problems)}")
                return 400, {"__type": "ValidationException", "message": "; ".join(problems)}
            try:
                answer = getattr(self, f"_{operation.name}", lambda p: {})(params)
            except KeyError as missing:
                return 404, {"__type": "ResourceNotFoundException", "message": f"{missing} not found"}
        if operation.output_shape is not None:  # the fake's own answers are valid too
            checked = ParamValidator().validate(answer, operation.output_shape)
            assert not checked.has_errors(), checked.generate_report()
        return 200, answer

    # ------------------------------------------------------------ the operations (under the lock)

    def _CreateOpportunity(self, params: dict) -> dict:  # noqa: N802 - the operation's name
        ace_id = self._tokens.get(params["ClientToken"])
        if ace_id is None:
            ace_id = self._tokens[params["ClientToken"]] = f"O{next(self._ids)}"
            self._opportunities[ace_id] = {"modified": _now(), "created": _now(), "submitted": False,
                                           "related": {}, "partner_id": params.get("PartnerOpportunityIdentifier")}
        kept = self._opportunities[ace_id]
        return {"Id": ace_id, "PartnerOpportunityIdentifier": kept["partner_id"], "LastModifiedDate": kept["modified"]}

    def _StartEngagementFromOpportunityTask(self, params: dict) -> dict:  # noqa: N802
        self._opportunities[params["Identifier"]]["submitted"] = True
        return {"TaskId": f"task-{params['Identifier'][1:]:0>10}", "TaskStatus": "IN_PROGRESS",
                "OpportunityId": params["Identifier"], "StartTime": _now()}

    def _AssociateOpportunity(self, params: dict) -> dict:  # noqa: N802
        related = self._opportunities[params["OpportunityIdentifier"]]["related"]
        related.setdefault(params["RelatedEntityType"], []).append(params["RelatedEntityIdentifier"])
        return {}

    def _GetOpportunity(self, params: dict) -> dict:  # noqa: N802
        kept = self._opportunities[params["Identifier"]]
        status = self.review_status if kept["submitted"] else "Pending Submission"
        return {"Id": params["Identifier"], "Catalog": params["Catalog"], "LastModifiedDate": kept["modified"],
                "CreatedDate": kept["created"], "RelatedEntityIdentifiers": kept["related"],
                "LifeCycle": {"ReviewStatus": status, "Stage": self.stage}}

    def _UpdateOpportunity(self, params: dict) -> dict:  # noqa: N802
        kept = self._opportunities[params["Identifier"]]
        kept["modified"] = _now()
        return {"Id": params["Identifier"], "LastModifiedDate": kept["modified"]}

    def _ListEngagementInvitations(self, params: dict) -> dict:  # noqa: N802
        keys = ("Id", "Catalog", "PayloadType", "EngagementTitle", "Status", "InvitationDate", "ExpirationDate",
                "SenderCompanyName")
        return {"EngagementInvitationSummaries": [
            {**{k: i[k] for k in keys if k in i}, "ParticipantType": "RECEIVER"}
            for i in self._invitations.values() if i["Status"] in params.get("Status", [i["Status"]])]}

    def _GetEngagementInvitation(self, params: dict) -> dict:  # noqa: N802
        return self._invitations[params["Identifier"]]

    def _StartEngagementByAcceptingInvitationTask(self, params: dict) -> dict:  # noqa: N802
        invitation = self._invitations[params["Identifier"]]
        invitation["Status"] = "ACCEPTED"
        ace_id = self._tokens.get(params["ClientToken"])
        if ace_id is None:  # the referred opportunity, now ours to work with AWS (submitted by AWS)
            ace_id = self._tokens[params["ClientToken"]] = f"O{next(self._ids)}"
            self._opportunities[ace_id] = {"modified": _now(), "created": _now(), "submitted": True,
                                           "related": {}, "partner_id": None}
        return {"TaskId": f"task-{ace_id[1:]:0>10}", "TaskStatus": "IN_PROGRESS", "OpportunityId": ace_id,
                "EngagementInvitationId": params["Identifier"], "StartTime": _now()}

    def _RejectEngagementInvitation(self, params: dict) -> dict:  # noqa: N802
        self._invitations[params["Identifier"]].update(Status="REJECTED", RejectionReason=params.get(
            "RejectionReason", ""))
        return {}

