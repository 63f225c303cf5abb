"""Build the GraphQL schema: one Query (and Mutation) merged from the domain folders."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from partners.infra.settings import Settings
from plugins.manager import CosellPluginManager, PluginError
from schema.accounts.mutations import AccountMutation
from schema.analytics.queries import AnalyticsQuery
from schema.accounts.queries import AccountQuery
from schema.accounts.types import AccountNode, ContactNode
from schema.audit.extension import AuditMutations, attach_audit
from schema.core.extension_hooks import CachedHooksRunner
from schema.audit.queries import AuditQuery
from schema.audit.types import AuditEntryNode
from schema.cases.mutations import CaseMutation
from schema.cases.queries import CaseQuery
from schema.cases.types import CaseNode
from schema.compiled.executor import install_compiled_plans
from schema.core.money import SCALAR_MAP
from schema.core.cost import QueryCost
from schema.core.direct_resolvers import install_direct_resolvers
from schema.core.enum_output import install_enum_serializers
from schema.core.errors import MaskUnexpectedErrors, log_unexpected_errors
from schema.core.input_limits import InputLimits, document_limits
from schema.core.node import NodeQuery
from schema.core.node_ids import install_direct_node_ids
from schema.core.refusals import attach_input_refusals
from schema.core.suggestions import HideSuggestions, IntrospectionNeedsToken
from schema.cosell_plans.mutations import CoSellPlanMutation
from schema.cosell_plans.queries import CoSellPlanQuery
from schema.cosell_plans.types import CoSellPlanNode, CoSellTaskNode
from schema.deal_registrations.mutations import DealRegistrationMutation
from schema.deal_registrations.queries import DealRegistrationQuery
from schema.deal_registrations.types import DealRegistrationNode
from schema.discounts.mutations import DiscountMutation
from schema.discounts.queries import DiscountQuery
from schema.discounts.types import DiscountApprovalNode, DiscountPolicyNode
from schema.documents.prepared import PreparedDocuments
from schema.identity.mutations import IdentityMutation
from schema.identity.queries import IdentityQuery
from schema.identity.types import ApiTokenNode, PartnerNode, UserNode
from schema.leads.mutations import LeadMutation
from schema.leads.queries import LeadQuery
from schema.leads.types import LeadNode
from schema.locator.queries import PartnerLocatorQuery
from schema.money.queries import MoneyQuery
from schema.opportunities.holdover_extensions import HoldoverExtensionMutation
from schema.opportunities.mutations import OpportunityMutation
from schema.opportunities.queries import OpportunityQuery
from schema.opportunities.team import OpportunityTeamMutation
from schema.opportunities.types import HoldoverExtensionNode, OpportunityNode
from schema.partners.mutations import PartnerProgramMutation
from schema.partners.queries import PartnerProgramQuery
from schema.plugin_api.additions import Contribution, check_no_plugin_nodes, collect
from schema.system.queries import SystemQuery
from schema.system.rules import RulesQuery
from schema.webhooks.mutations import WebhookMutation
from schema.webhooks.queries import WebhookQuery
from schema.webhooks.types import WebhookDeliveryNode, WebhookEndpointNode

QUERIES: tuple[type, ...] = (
    NodeQuery, IdentityQuery, SystemQuery, RulesQuery, AuditQuery, AccountQuery, OpportunityQuery, PartnerLocatorQuery,
    CoSellPlanQuery, DealRegistrationQuery, DiscountQuery, PartnerProgramQuery, WebhookQuery, LeadQuery, CaseQuery,
    MoneyQuery, AnalyticsQuery,
)
MUTATIONS: tuple[type, ...] = (
    IdentityMutation, AccountMutation, OpportunityMutation, OpportunityTeamMutation, CoSellPlanMutation,
    DealRegistrationMutation, DiscountMutation, HoldoverExtensionMutation, PartnerProgramMutation, WebhookMutation,
    LeadMutation, CaseMutation,
)
# Node types reachable only through `node` must still be in the schema.
EXTRA_TYPES: tuple[type, ...] = (
    PartnerNode, UserNode, ApiTokenNode, AuditEntryNode, AccountNode, ContactNode, OpportunityNode,
    CoSellPlanNode, CoSellTaskNode, DealRegistrationNode, DiscountPolicyNode, DiscountApprovalNode,
    HoldoverExtensionNode, WebhookEndpointNode, WebhookDeliveryNode, LeadNode, CaseNode,
)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None


class CosellSchema(strawberry.Schema):
    plugin_fields: frozenset[str] = frozenset()

    def create_extensions_runner(self, execution_context, extensions) -> CachedHooksRunner:
        # The hooks wrapped once per extension class, not once per request (issue 38 item 3).
        return CachedHooksRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors, execution_context=None) -> None:
        # Called before masking: log the real cause of unexpected errors (the request id
        # comes from the logging context); expected errors are the client's business.
        log_unexpected_errors(errors)


def validation_limit_rules(settings: "Settings") -> tuple:
    """The depth, alias and introspection limits as validation rules (also checked when
    documents are registered, schema/documents/check.py)."""
    rules = (
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    )
    if not settings.introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


def _roots(contributions: list[Contribution]) -> tuple[type, type | None, tuple[type, ...]]:
    """Query, Mutation and the extra types with the plugins' additions (cosell_extend_schema)."""
    if not contributions:
        return Query, Mutation, EXTRA_TYPES
    queries = QUERIES + tuple(c for each in contributions for c in each.additions.queries)
    mutations = MUTATIONS + tuple(c for each in contributions for c in each.additions.mutations)
    types = EXTRA_TYPES + tuple(t for each in contributions for t in each.additions.types)
    return merge_types("Query", queries), merge_types("Mutation", mutations) if mutations else None, types


def build_schema(settings: "Settings | None" = None, plugins: CosellPluginManager | None = None) -> CosellSchema:
    """The schema an app serves: the built-in fields and, given the app's plugin manager,
    the fields its plugins add (`cosell_extend_schema`, docs/plugins.md); without one
    (`cosell schema export`, schema/schema.graphql) the built-in fields only."""
    contributions = collect(plugins, QUERIES, MUTATIONS)
    query, mutation, types = _roots(contributions)
    # Factories, not instances: extensions keep per-request state.
    attach_input_refusals(mutation)  # before the audit: it sees these refusals as USER_ERROR
    attach_audit(mutation)
    extensions: list = [MaskUnexpectedErrors, AuditMutations, InputLimits]
    if settings is not None:
        # The depth and alias limiters build a new validation rule class per instance;
        # a new class per request would make every request a ValidationCache miss (the
        # rules are part of its key) and fill the cache with dead entries. Build the
        # rules once per schema and add the same classes to every request.
        limit_rules = validation_limit_rules(settings)
        extensions += [
            lambda: AddValidationRules(list(limit_rules)),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: QueryCost(settings),
        ]
        if settings.introspection and settings.introspection_requires_token:
            extensions.append(IntrospectionNeedsToken)
        if not settings.field_suggestions:
            extensions.append(HideSuggestions)
        extensions.append(PreparedDocuments)  # last: hands over a trusted document's parse and validation
    try:
        schema = CosellSchema(query=query, mutation=mutation, types=types, extensions=extensions,
                              config=StrawberryConfig(scalar_map=SCALAR_MAP))
    except Exception as exc:
        if not contributions:
            raise
        names = ", ".join(repr(c.plugin) for c in contributions)
        raise PluginError(f"The GraphQL schema with the additions of plugin(s) {names} cannot be built: {exc}") from exc
    check_no_plugin_nodes(schema._schema, contributions, EXTRA_TYPES)
    # Root query fields a plugin added: their documents run on the generic executor (schema/compiled).
    schema.plugin_fields = frozenset(name for c in contributions for name in c.query_fields)
    install_direct_node_ids(schema)
    install_direct_resolvers(schema)  # after the ids: it leaves resolvers other than Strawberry's alone
    install_enum_serializers(schema)
    install_compiled_plans(schema)  # after the direct ids: plans recognise them
    document_limits(schema._schema)
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
