"""Limits on every text input, checked before anything runs (issue 16, docs/security.md).

One generic step over the operation's input values — literals and variables, in
arguments and inside input objects and lists — instead of a check per resolver:

- no string may hold a lone surrogate (it cannot be encoded as UTF-8: both engines fail)
  or a NUL character (PostgreSQL refuses it in text);
- every String and ID input has a maximum length: MAX_LENGTHS["Type.field"] (input
  object fields) or MAX_LENGTHS["Type.field(argument)"] (arguments) when declared, else
  DEFAULT_MAX_LENGTH (ID_MAX_LENGTH for IDs). Declare a limit where the column behind a
  field is shorter than the default (PostgreSQL varchar(n) refuses longer values), or
  where the field is long text. Where the domain refuses shorter values with its own
  UserError (a token name over 100 characters …), the limit stays above it so that the
  domain's answer, with its rule, is kept.

An operation with such a string is refused as a whole before any field executes (a
mutation document cannot commit its first field and then fail on its second), with
BAD_USER_INPUT, `field` (the argument path) and `maxLength`; it costs nothing, and its
mutation fields are audited as REFUSED. The limits are shown in the schema: each
limited field's description ends with "At most N characters.", N being the limit the
field enforces — DOMAIN_LIMITS[key] (the very constant the domain's check reads) where the
domain refuses shorter texts itself, else the input limit.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from partners.locator.search import MAX_TEXT_LENGTH as LOCATOR_TEXT_MAX
from partners.opportunities.holdover import NOTE_MAX as HOLDOVER_NOTE_MAX
from partners.people.identity import TOKEN_NAME_MAX
from partners.plans.rules import GOALS_MAX, NOTES_MAX, TITLE_MAX
from partners.program.lifecycle import LIMITS as PARTNER_TEXT_LIMITS
from partners.program.members import INVITATION_TOKEN_MAX
from partners.webhooks.endpoints import DESCRIPTION_MAX as WEBHOOK_DESCRIPTION_MAX
from partners.webhooks.endpoints import SECRET_MAX as WEBHOOK_SECRET_MAX
from partners.webhooks.endpoints import URL_MAX as WEBHOOK_URL_MAX

DEFAULT_MAX_LENGTH = 255  # the widest varchar column (PostgreSQL varchar(255))
ID_MAX_LENGTH = 100  # global ids and cursors are a few dozen characters
LONG_TEXT = 10_000  # notes, goals, reasons: text columns

MAX_LENGTHS: dict[str, int] = {
    # accounts (partners.accounts.tables.Account, AccountAddress, Contact)
    "CreateAccountInput.rankingNote": LONG_TEXT,
    "UpdateAccountInput.rankingNote": LONG_TEXT,
    "AccountAddressInput.city": 100,
    "AccountAddressInput.state": 100,
    "AccountAddressInput.postalCode": 20,
    "AccountAddressInput.country": 2,
    "RequestEmployeeCountReviewInput.sourceUrl": 500,
    "CreateContactInput.name": 200,
    "CreateContactInput.email": 254,
    "CreateContactInput.title": 200,
    "UpdateContactInput.name": 200,
    "UpdateContactInput.email": 254,
    "UpdateContactInput.title": 200,
    # opportunities (Opportunity.competitor, OpportunityStageChange.note)
    "MoveOpportunityStageInput.competitor": 200,
    "MoveOpportunityStageInput.note": 500,
    "RequestHoldoverExtensionInput.note": LONG_TEXT,
    "ApproveHoldoverExtensionInput.note": LONG_TEXT,
    "RefuseHoldoverExtensionInput.reason": LONG_TEXT,
    # co-sell plans (the domain refuses goals and notes over 5000, titles over 200)
    "CreateCoSellPlanInput.goals": LONG_TEXT,
    "UpdateCoSellPlanInput.goals": LONG_TEXT,
    "AddCoSellTaskInput.notes": LONG_TEXT,
    "UpdateCoSellTaskInput.notes": LONG_TEXT,
    "CompleteCoSellTaskInput.notes": LONG_TEXT,
    # deal registrations (DealRegistration.edition, DealRegistrationProduct.product)
    "RegisterDealInput.products": 60,
    "RegisterDealInput.edition": 60,
    "RegisterDealInput.notes": LONG_TEXT,
    "ResubmitDealRegistrationInput.notes": LONG_TEXT,
    "DealRegistrationNoteInput.note": LONG_TEXT,
    "DealRegistrationReasonInput.reason": LONG_TEXT,
    "ApproveDealRegistrationInput.note": LONG_TEXT,
    "ExtendDealRegistrationInput.note": LONG_TEXT,
    # discounts
    "AddDiscountPolicyInput.notes": LONG_TEXT,
    "ApproveDiscountReductionInput.reason": LONG_TEXT,
    # partner program (partners.program: reasons up to 2000, text columns)
    "AuthorizePartnerInput.reason": LONG_TEXT,
    "DenyPartnerInput.reason": LONG_TEXT,
    "ChangePartnerTrackInput.reason": LONG_TEXT,
    "SetPspDesignationInput.reason": LONG_TEXT,
    "InviteUserInput.email": 254,  # User.email; the domain checks the format only
    "EndPartnerAgreementInput.reason": LONG_TEXT,
    "RemoveTrainingCompletionInput.reason": LONG_TEXT,
    # leads (P11; partners.leads.tables.Lead: notes and reasons are text columns)
    "CreateLeadInput.contactName": 200,
    "CreateLeadInput.contactEmail": 254,
    "CreateLeadInput.productInterest": 200,
    "CreateLeadInput.notes": LONG_TEXT,
    "CreateLeadInput.source": 100,
    "AcceptLeadInput.note": LONG_TEXT,
    "RejectLeadInput.reason": LONG_TEXT,
    "RecordLeadActionInput.note": LONG_TEXT,
    "RecordLeadActionInput.reason": LONG_TEXT,
    "AddRegionHolidayInput.name": 200,
    "UpdateLeadInput.contactName": 200,
    "UpdateLeadInput.contactEmail": 254,
    "UpdateLeadInput.productInterest": 200,
    "UpdateLeadInput.notes": LONG_TEXT,
    "UpdateLeadInput.source": 100,
    "ArchiveLeadInput.note": LONG_TEXT,
    "TakeBackLeadInput.reason": LONG_TEXT,
    "ReassignLeadInput.reason": LONG_TEXT,
    "RequestLeadExtensionInput.reason": LONG_TEXT,
    "DecideLeadExtensionInput.note": LONG_TEXT,
    # Partner Opp cases (D9; the subject column is varchar(300) with room for the "Partner Opp: " prefix)
    "OpenCaseInput.subject": 280,
    "OpenCaseInput.description": LONG_TEXT,
    "CommentOnCaseInput.body": LONG_TEXT,
    "CloseCaseInput.resolution": LONG_TEXT,
    # the case workflow (D10–D14, issue 34; columns in partners.cases.tables) and attachments
    "OpenCaseInput.leadName": 200,
    "OpenCaseInput.leadEmail": 254,
    "PickUpCaseInput.nextSteps": LONG_TEXT,
    "UpdateCaseInput.nextSteps": LONG_TEXT,
    "UpdateCaseInput.description": LONG_TEXT,
    "UpdateCaseInput.leadName": 200,
    "UpdateCaseInput.leadEmail": 254,
    "SetCaseWaitingInput.waitingOn": 200,
    "ReassignCaseInput.reason": LONG_TEXT,
    "EscalateCaseInput.note": LONG_TEXT,
    "ReopenCaseInput.reason": LONG_TEXT,
    "ConvertCaseLeadInput.title": 200,
    "CloseCaseInput.resolutionAction": 64,
    "CloseCaseInput.feedback": LONG_TEXT,
    "AddCaseResolutionActionInput.code": 64,
    "AddCaseResolutionActionInput.label": 100,
    "AttachFileToCaseInput.fileName": 1000,  # sanitized to 200 characters
    "AttachFileToCaseInput.contentType": 100,
    # base64 of COSELL_ATTACHMENT_MAX_BYTES; the request body limit (COSELL_MAX_BODY_BYTES) applies first
    "AttachFileToCaseInput.contentBase64": 64 * 1024 * 1024,
    # webhooks (the domain refuses URLs over 2000 characters with INVALID_URL: the limit stays above it)
    "CreateWebhookEndpointInput.url": 4000,
    "UpdateWebhookEndpointInput.url": 4000,
}

# Limits the domain enforces itself, each with its own code and rule (TOO_LONG P1, TITLE_TOO_LONG
# D3 …), shorter than the input limit above: the schema shows these — the constant the
# domain's check reads — since they are the ones a client meets (issue 33 item 9).
_PROGRAM = PARTNER_TEXT_LIMITS
DOMAIN_LIMITS: dict[str, int] = {
    # partner program (partners.program.lifecycle.LIMITS, P1; agreements and trainings P2)
    **{f"{t}.{f}": _PROGRAM[f] for t in ("CreatePartnerInput", "UpdatePartnerInput") for f in
       ("name", "nickname", "city", "website")},
    **{f"ApplyAsPartnerInput.{f}": _PROGRAM[f] for f in ("name", "city", "website")},
    "ApplicantContactInput.name": _PROGRAM["contactName"],
    "ApplicantContactInput.email": _PROGRAM["contactEmail"],
    "ApplicantContactInput.title": _PROGRAM["contactTitle"],
    **{f"{t}.reason": _PROGRAM["reason"] for t in ("AuthorizePartnerInput", "DenyPartnerInput",
                                                   "ChangePartnerTrackInput", "SetPspDesignationInput")},
    "RecordPartnerAgreementInput.version": _PROGRAM["version"],
    "RecordPartnerAgreementInput.signerName": _PROGRAM["signerName"],
    "RecordPartnerAgreementInput.signerEmail": _PROGRAM["signerEmail"],
    "RecordTrainingCompletionInput.personName": _PROGRAM["personName"],
    "RecordTrainingCompletionInput.personEmail": _PROGRAM["personEmail"],
    "CorrectTrainingCompletionInput.personName": _PROGRAM["personName"],
    "CorrectTrainingCompletionInput.personEmail": _PROGRAM["personEmail"],
    "EndPartnerAgreementInput.reason": _PROGRAM["reason"],
    "RemoveTrainingCompletionInput.reason": _PROGRAM["reason"],
    "InviteUserInput.name": _PROGRAM["name"],
    "ClaimInvitationInput.token": INVITATION_TOKEN_MAX,
    # co-sell plans (partners.plans.rules, D3)
    "CreateCoSellPlanInput.goals": GOALS_MAX,
    "UpdateCoSellPlanInput.goals": GOALS_MAX,
    "AddCoSellTaskInput.title": TITLE_MAX,
    "UpdateCoSellTaskInput.title": TITLE_MAX,
    "AddCoSellTaskInput.notes": NOTES_MAX,
    "UpdateCoSellTaskInput.notes": NOTES_MAX,
    "CompleteCoSellTaskInput.notes": NOTES_MAX,
    # holdover extensions (partners.opportunities.holdover, A10)
    "RequestHoldoverExtensionInput.note": HOLDOVER_NOTE_MAX,
    "ApproveHoldoverExtensionInput.note": HOLDOVER_NOTE_MAX,
    "RefuseHoldoverExtensionInput.reason": HOLDOVER_NOTE_MAX,
    # API tokens, the locator, webhooks
    "CreateApiTokenInput.name": TOKEN_NAME_MAX,
    "PartnerLocatorInput.text": LOCATOR_TEXT_MAX,
    "CreateWebhookEndpointInput.url": WEBHOOK_URL_MAX,
    "UpdateWebhookEndpointInput.url": WEBHOOK_URL_MAX,
    "CreateWebhookEndpointInput.description": WEBHOOK_DESCRIPTION_MAX,
    "UpdateWebhookEndpointInput.description": WEBHOOK_DESCRIPTION_MAX,
    "CreateWebhookEndpointInput.secret": WEBHOOK_SECRET_MAX,
    "RotateWebhookSecretInput.secret": WEBHOOK_SECRET_MAX,
}

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def max_length(key: str, type_name: str) -> int:
    """The input limit: longer strings are refused before anything runs (BAD_USER_INPUT)."""
    return MAX_LENGTHS.get(key, ID_MAX_LENGTH if type_name == "ID" else DEFAULT_MAX_LENGTH)


def shown_limit(key: str, type_name: str) -> int:
    """The limit a client meets, the one its description states: the domain's own where it
    has one (refused with the domain's code and rule), else the input limit."""
    return min(DOMAIN_LIMITS.get(key, max_length(key, type_name)), max_length(key, type_name))



class InputRefused(Exception):
    def __init__(self, message: str, field: list[str], **extensions: Any) -> None:
        super().__init__(message)
        self.field = field
        self.extensions = extensions


def check_string(value: str, key: str, type_name: str, field: list[str]) -> None:
    bad = _BAD_CHARACTER.search(value)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (not valid Unicode)"
        raise InputRefused(f"`{'.'.join(field)}` contains {what} at position {bad.start()}.", field)
    limit = max_length(key, type_name)
    if len(value) > limit:
        raise InputRefused(f"`{'.'.join(field)}` is longer than {limit} characters.", field, maxLength=limit)


def _unwrap(type_):
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


class _Checker:
    def __init__(self, schema: GraphQLSchema, document, variables: dict | None) -> None:
        self.schema = schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
        self.seen_fragments: set[str] = set()

    def selections(self, selections, parent) -> None:
        for node in selections:
            if isinstance(node, FieldNode):
                self.field(node, parent)
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                self.selections(node.selection_set.selections, target)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in self.seen_fragments:
                self.seen_fragments.add(node.name.value)
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self.selections(fragment.selection_set.selections, target)

    def field(self, node: FieldNode, parent) -> None:
        field_def = getattr(parent, "fields", {}).get(node.name.value)
        if field_def is None:
            return
        for argument in node.arguments or ():
            arg_def = field_def.args.get(argument.name.value)
            if arg_def is not None:
                key = f"{parent.name}.{node.name.value}({argument.name.value})"
                self.value(argument.value, arg_def.type, key, [argument.name.value])
        if node.selection_set is not None:
            self.selections(node.selection_set.selections, get_named_type(field_def.type))

    def value(self, node, type_, key: str, path: list[str]) -> None:
        type_ = _unwrap(type_)
        if isinstance(node, VariableNode):
            self.raw(self.variables.get(node.name.value), type_, key, path)
        elif isinstance(node, StringValueNode):
            check_string(node.value, key, get_named_type(type_).name, path)
        elif isinstance(node, ListValueNode) and isinstance(type_, GraphQLList):
            for i, item in enumerate(node.values):
                self.value(item, type_.of_type, key, [*path, str(i)])
        elif isinstance(node, ObjectValueNode) and isinstance(type_, GraphQLInputObjectType):
            for field in node.fields:
                field_def = type_.fields.get(field.name.value)
                if field_def is not None:
                    self.value(field.value, field_def.type, f"{type_.name}.{field.name.value}", [*path, field.name.value])

    def raw(self, value, type_, key: str, path: list[str]) -> None:
        type_ = _unwrap(type_)
        if isinstance(value, str):
            check_string(value, key, get_named_type(type_).name, path)
        elif isinstance(value, list):
            item_type = type_.of_type if isinstance(type_, GraphQLList) else type_
            for i, item in enumerate(value):
                self.raw(item, item_type, key, [*path, str(i)])
        elif isinstance(value, dict) and isinstance(type_, GraphQLInputObjectType):
            for name, item in value.items():
                field_def = type_.fields.get(name)
                if field_def is not None:
                    self.raw(item, field_def.type, f"{type_.name}.{name}", [*path, name])


def refusal(schema: GraphQLSchema, document, operation_name: str | None, variables: dict | None) -> GraphQLError | None:
    """The error refusing the operation for its first bad string, or None."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    checker = _Checker(schema, document, variables)
    for node in operation.selection_set.selections:
        try:
            checker.selections([node], root)
        except InputRefused as exc:
            response_key = (node.alias or node.name).value if isinstance(node, FieldNode) else None
            return GraphQLError(
                f"{exc} Nothing was executed.",
                nodes=[node],
                path=[response_key] if response_key else None,
                extensions={"code": "BAD_USER_INPUT", "field": exc.field, **exc.extensions},
            )
    return None


class InputLimits(SchemaExtension):
    """Refuse the operation before execution when a string input breaks the limits."""

    async def on_execute(self):
        ctx = self.execution_context
        if ctx.graphql_document is not None and ctx.result is None:
            error = refusal(ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables)
            if error is not None:
                ctx.result = ExecutionResult(data=None, errors=[error])
        yield


def document_limits(schema: GraphQLSchema) -> None:
    """End the description of every String/ID input with its limit (shown in the SDL)."""

    def note(description: str | None, limit: int) -> str:
        text = f"At most {limit} characters."
        if description and description.endswith(text):  # the same types in another schema build
            return description
        return f"{description.rstrip()} {text}" if description else text

    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        if isinstance(type_, GraphQLInputObjectType):
            for name, field in type_.fields.items():
                named = get_named_type(field.type).name
                if named in ("String", "ID"):
                    field.description = note(field.description, shown_limit(f"{type_.name}.{name}", named))
        elif isinstance(type_, GraphQLObjectType):
            for field_name, field in type_.fields.items():
                for name, arg in field.args.items():
                    named = get_named_type(arg.type).name
                    if named in ("String", "ID"):
                        arg.description = note(arg.description, shown_limit(f"{type_.name}.{field_name}({name})", named))
