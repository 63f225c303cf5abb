"""Helpers for the case workflow tests (D10–D14), through GraphQL."""

from __future__ import annotations

from tests.schema.leads import CASE_FIELDS, call, case_mutation, ok
from tests.schema.sales import ERRORS, create_account, create_contact

UPDATE_CASE = case_mutation("updateCase", "UpdateCaseInput")
SET_WAITING = case_mutation("setCaseWaiting", "SetCaseWaitingInput")
RESUME_CASE = case_mutation("resumeCase", "ResumeCaseInput")
REASSIGN_CASE = case_mutation("reassignCase", "ReassignCaseInput")
ESCALATE_CASE = case_mutation("escalateCase", "EscalateCaseInput")
REOPEN_CASE = case_mutation("reopenCase", "ReopenCaseInput")
CLOSE_CASE = case_mutation("closeCase", "CloseCaseInput")
OPEN_CASE = case_mutation("openCase", "OpenCaseInput")
PICK_UP_CASE = case_mutation("pickUpCase", "PickUpCaseInput")
CONVERT_LEAD = f"""mutation($input: ConvertCaseLeadInput!) {{
  convertCaseLead(input: $input) {{ case {{ {CASE_FIELDS} }} contact {{ id name email }} {ERRORS} }}
}}"""
SET_ADMIN_CONTACT = f"""mutation($input: SetCustomerAdminContactInput!) {{
  setCustomerAdminContact(input: $input) {{ contact {{ id }} {ERRORS} }}
}}"""
ATTACH = f"""mutation($input: AttachFileToCaseInput!) {{
  attachFileToCase(input: $input) {{ attachment {{ id fileName contentType size sha256 internal contentBase64 }}
    {ERRORS} }}
}}"""
DELETE_ATTACHMENT = f"""mutation($input: DeleteCaseAttachmentInput!) {{
  deleteCaseAttachment(input: $input) {{ deletedId {ERRORS} }}
}}"""


def codes(payload: dict) -> list[tuple[str, str | None]]:
    """(code, rule) of a payload's errors."""
    return [(e["code"], e["rule"]) for e in payload["errors"]]


async def staff_case(gql, world, token: str = "ae", *, contact: bool = True, **fields) -> dict:
    """A case a vendor employee opens on a fresh account (with its contact unless told)."""
    account = fields.pop("accountId", None) or await create_account(gql, world)
    values = {"subject": "Renewal question", "description": "The customer asks about seats.", "accountId": account,
              **fields}
    if contact and "contactId" not in values:
        values["contactId"] = await create_contact(gql, world, account)
    return await ok(gql, world, OPEN_CASE, token, key="case", **values)


async def picked_up(gql, world, token: str = "ae", advocate: str = "advocate", **fields) -> dict:
    case = await staff_case(gql, world, token, **fields)
    return await ok(gql, world, PICK_UP_CASE, advocate, key="case", id=case["id"])


async def close(gql, world, case_id: str, token: str = "advocate", **fields) -> dict:
    values = {"status": "CLOSED_RESOLVED", "resolutionAction": "ANSWERED_QUESTION", "feedback": "NA", **fields}
    return await call(gql, world, CLOSE_CASE, token, id=case_id, **values)
