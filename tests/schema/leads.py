"""Helpers for lead (P11) and case (D9) tests, through GraphQL."""

from __future__ import annotations

from tests.schema.sales import ERRORS

LEAD_FIELDS = """id company contactName region country productInterest source status sharedAt acceptDueAt
    actionDueAt acceptedAt action actedAt reason recallReason recallCount shareCount acceptOverdue actionOverdue
    version partner { id name } dealRegistration { id } opportunity { id } history { event note }
    priority dealSize { amount currency } accountName archivedAt extensionPending partnerContact { id }"""


def lead_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERRORS} }}
}}"""


def warned_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERRORS}
    warnings {{ code possibleDuplicate {{ reasons lead {{ id }} }} }} }}
}}"""


def extension_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERRORS}
    extension {{ deadline days reason status dueAt newDueAt grantedDays note shareCount }} }}
}}"""


CREATE_LEAD = lead_mutation("createLead", "CreateLeadInput")
SHARE_LEAD = lead_mutation("shareLead", "ShareLeadInput")
ACCEPT_LEAD = lead_mutation("acceptLead", "AcceptLeadInput")
REJECT_LEAD = lead_mutation("rejectLead", "RejectLeadInput")
RECORD_ACTION = lead_mutation("recordLeadAction", "RecordLeadActionInput")
# Issue 34
CREATE_LEAD_WARNED = warned_mutation("createLead", "CreateLeadInput")
UPDATE_LEAD = warned_mutation("updateLead", "UpdateLeadInput")
ARCHIVE_LEAD = lead_mutation("archiveLead", "ArchiveLeadInput")
UNARCHIVE_LEAD = lead_mutation("unarchiveLead", "ArchiveLeadInput")
TAKE_BACK_LEAD = lead_mutation("takeBackLead", "TakeBackLeadInput")
REASSIGN_LEAD = lead_mutation("reassignLead", "ReassignLeadInput")
SET_PARTNER_CONTACT = lead_mutation("setLeadPartnerContact", "SetLeadPartnerContactInput")
REQUEST_EXTENSION = extension_mutation("requestLeadExtension", "RequestLeadExtensionInput")
DECIDE_EXTENSION = extension_mutation("decideLeadExtension", "DecideLeadExtensionInput")
LEAD_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Lead {{ {LEAD_FIELDS} }} }} }}"

CASE_FIELDS = """id subject description accountName status type origin openedAt pickupDueAt targetDueAt closeDueAt
    pickedUpAt closedAt resolution resolutionAction feedback nextSteps nextStepsDate waitingOn leadName leadEmail
    pickupOverdue targetOverdue closeOverdue overdue exempt escalated version partner { id } advocate { id }
    opportunity { id } account { id } contact { id } duplicateOf { id } comments { body internal }"""


def case_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ case {{ {CASE_FIELDS} }} {ERRORS} }}
}}"""


OPEN_CASE = case_mutation("openCase", "OpenCaseInput")
PICK_UP_CASE = case_mutation("pickUpCase", "PickUpCaseInput")
CLOSE_CASE = case_mutation("closeCase", "CloseCaseInput")
COMMENT_ON_CASE = f"""mutation($input: CommentOnCaseInput!) {{
  commentOnCase(input: $input) {{ case {{ id }} comment {{ body internal }} {ERRORS} }}
}}"""


async def call(gql, world, query: str, token: str, **input_fields) -> dict:
    body = await gql(query, {"input": input_fields}, token=world.tokens[token])
    (payload,) = body["data"].values()
    return payload


async def ok(gql, world, query: str, token: str, key: str = "lead", **input_fields) -> dict:
    payload = await call(gql, world, query, token, **input_fields)
    assert payload["errors"] == [], payload["errors"]
    return payload[key]


async def create_lead(gql, world, token: str = "sdr", **fields) -> dict:
    values = {"company": "Initech", "region": "AMER", "country": "US", "contactName": "Peter Gibbons",
              "contactEmail": "peter@initech.test", "productInterest": "Premium", **fields}
    return await ok(gql, world, CREATE_LEAD, token, **values)


async def shared_lead(gql, world, partner: str = "alpha", token: str = "cm_amer", **fields) -> dict:
    from server.testing import global_id

    lead = await create_lead(gql, world, **fields)
    return await ok(gql, world, SHARE_LEAD, token, id=lead["id"], partnerId=global_id("Partner", world.partners[partner]))


async def open_case(gql, world, token: str = "alpha_user", **fields) -> dict:
    values = {"subject": "Help with a renewal quote", "description": "The customer asks for a 3-year term.",
              "accountName": "Hooli", **fields}
    return await ok(gql, world, OPEN_CASE, token, key="case", **values)


class Clock:
    """The clock the lead rules read (partners.business_days.now)."""

    def __init__(self, at) -> None:
        self.at = at

    def __call__(self):
        return self.at


async def emails(prefix: str) -> list[dict]:
    """The emails in the outbox whose dedupe key starts with `prefix`, in order."""
    import json

    from partners.infra.tables import OutboxMessage

    rows = await OutboxMessage.select(OutboxMessage.dedupe_key, OutboxMessage.payload).where(
        (OutboxMessage.kind == "email") & OutboxMessage.dedupe_key.like(f"{prefix}%")).order_by(OutboxMessage.id)
    return [{"key": r["dedupe_key"], **(json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"])}
            for r in rows]


async def lead_events(kind_prefix: str = "lead-event:") -> list[dict]:
    """The lead_event outbox payloads (what plugins and webhooks hear), in order."""
    import json

    from partners.infra.tables import OutboxMessage

    rows = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "lead_event").order_by(
        OutboxMessage.id)
    return [json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"] for r in rows]
