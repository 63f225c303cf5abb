"""`channelMetrics` (issue 36): the channel's figures per group, scoped like every other
field (a partner user's figures are their own partner's)."""

from __future__ import annotations

import strawberry

from partners.analytics.facts import MetricsFilter
from partners.analytics.metrics import channel_metrics
from partners.infra.errors import DomainError
from schema.analytics.types import ChannelMetricsDimension, ChannelMetricsFilter, ChannelMetricsResult
from schema.core.access import AUTHENTICATED, access
from schema.core.context import Info
from schema.core.errors import InvalidArgument
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode


def domain_filter(info: Info | None, f: ChannelMetricsFilter) -> MetricsFilter:
    """The domain's filter from the GraphQL input (also used by the CSV export)."""
    partner_ids = tuple(decode_node_id(info, pid, PartnerNode, f"filter.partnerIds.{i}")
                        for i, pid in enumerate(f.partner_ids or ()))
    return MetricsFilter(start=f.from_, end=f.to, regions=tuple(r.value for r in f.regions or ()),
                         partner_ids=partner_ids, tracks=tuple(t.value for t in f.tracks or ()),
                         types=tuple(t.value for t in f.types or ()))


async def answer(principal, metrics_filter: MetricsFilter, group_by) -> ChannelMetricsResult:
    try:
        result = await channel_metrics(principal, metrics_filter, tuple(group_by))
    except DomainError as exc:
        v = exc.violations[0]
        raise InvalidArgument(v.message, code=v.code, field=list(v.field),
                              **({"rule": v.rule} if v.rule else {})) from exc
    return ChannelMetricsResult.of(result)


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="Channel metrics per group (issue 36; docs/api.md, \"Channel metrics\", "
                                  "defines each figure). Staff read every partner; partner users their own "
                                  "partner's figures only. Aggregated in SQL: the statements do not grow with "
                                  "the number of groups. Also as CSV: GET /exports/channel-metrics.csv.",
                      extensions=[access(AUTHENTICATED)])
    async def channel_metrics(self, info: Info, filter: ChannelMetricsFilter,
                              group_by: list[ChannelMetricsDimension] | None = None) -> ChannelMetricsResult:
        return await answer(info.context.principal, domain_filter(info, filter), group_by or [])
