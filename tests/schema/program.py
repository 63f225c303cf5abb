"""Helpers for the partner-program tests (#18): mutations through GraphQL, as a client would."""

from __future__ import annotations

from tests.schema.sales import ERRORS

PARTNER_FIELDS = """id name nickname type track isPsp status region country city website published
    eligibility { eligibleToRegister agreementSignedOn trainedPeople reasons { code field rule } }
    history { kind fromValue toValue reason changedBy { email } }"""


def partner_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""


CREATE = partner_mutation("createPartner", "CreatePartnerInput")
UPDATE = partner_mutation("updatePartner", "UpdatePartnerInput")
AUTHORIZE = partner_mutation("authorizePartner", "AuthorizePartnerInput")
DENY = partner_mutation("denyPartner", "DenyPartnerInput")
TRACK = partner_mutation("changePartnerTrack", "ChangePartnerTrackInput")
PSP = partner_mutation("setPspDesignation", "SetPspDesignationInput")
APPLY = f"""mutation($input: ApplyAsPartnerInput!) {{
  applyAsPartner(input: $input) {{ application {{ name status message }} {ERRORS} }}
}}"""
AGREEMENT = f"""mutation($input: RecordPartnerAgreementInput!) {{
  recordPartnerAgreement(input: $input) {{ agreement {{ version signedOn signerName signerEmail }}
    partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
TRAINING = f"""mutation($input: RecordTrainingCompletionInput!) {{
  recordTrainingCompletion(input: $input) {{ training {{ personName personEmail course completedOn expiresOn }}
    partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""

USER_FIELDS = "id email name role regions active invitationPending partner { id name }"


def user_mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ user {{ {USER_FIELDS} }} {ERRORS} }}
}}"""


INVITE = user_mutation("inviteUser", "InviteUserInput")
DEACTIVATE = user_mutation("deactivateUser", "DeactivateUserInput")
CHANGE_ROLE = user_mutation("changeUserRoles", "ChangeUserRolesInput")
CLAIM = f"""mutation($input: ClaimInvitationInput!) {{
  claimInvitation(input: $input) {{ user {{ {USER_FIELDS} }} token {ERRORS} }}
}}"""
USERS = f"""query($f: UserFilter, $first: Int, $after: String) {{
  users(filter: $f, first: $first, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }}
    nodes {{ {USER_FIELDS} }} }}
}}"""
PARTNERS = f"""query($f: PartnerFilter, $first: Int, $after: String) {{
  partners(filter: $f, first: $first, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }}
    nodes {{ {PARTNER_FIELDS} agreements {{ version }} trainings {{ personEmail }} }} }}
}}"""


async def run(gql, query: str, token: str | None, /, **input_fields) -> dict:
    body = await gql(query, {"input": input_fields}, token=token)
    (payload,) = body["data"].values()
    return payload


async def ok(gql, query: str, token: str | None, /, **input_fields) -> dict:
    payload = await run(gql, query, token, **input_fields)
    assert payload["errors"] == [], payload["errors"]
    return payload


def codes(payload: dict) -> list[tuple]:
    return [(e["code"], tuple(e["field"]), e["rule"]) for e in payload["errors"]]


# Issue 34: the people moves.
RESEND = user_mutation("resendInvitation", "ResendInvitationInput")
REACTIVATE = user_mutation("reactivateUser", "ReactivateUserInput")
INVITATIONS = """query($f: InvitationFilter, $first: Int, $after: String) {
  invitations(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id email name role status sentAt expiresAt user { id email invitationExpiresAt } partner { name }
      invitedBy { email } } }
}"""
AGREEMENT_FIELDS = "id version signedOn endedOn endReason inForce"
TRAINING_FIELDS = "id personName personEmail course completedOn expiresOn"
END_AGREEMENT = f"""mutation($input: EndPartnerAgreementInput!) {{
  endPartnerAgreement(input: $input) {{ agreement {{ {AGREEMENT_FIELDS} }} partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
CORRECT_TRAINING = f"""mutation($input: CorrectTrainingCompletionInput!) {{
  correctTrainingCompletion(input: $input) {{ training {{ {TRAINING_FIELDS} }} partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
REMOVE_TRAINING = f"""mutation($input: RemoveTrainingCompletionInput!) {{
  removeTrainingCompletion(input: $input) {{ training {{ {TRAINING_FIELDS} }} partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
PROFILE_FIELDS = "latitude longitude specializations languages regionsServed countriesServed"
PARTNER_RECORDS = f"""query($id: ID) {{ partner(id: $id) {{ {PARTNER_FIELDS} {PROFILE_FIELDS}
  agreements {{ {AGREEMENT_FIELDS} }} trainings {{ {TRAINING_FIELDS} }} }} }}"""
