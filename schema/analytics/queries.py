"""`channelMetrics` (issue 36): the channel's figures per group, a page of groups at a time,
scoped like every other field (a partner user's figures are their own partner's)."""

from __future__ import annotations

import hashlib

import strawberry

from partners.analytics.facts import MetricsFilter
from partners.analytics.metrics import channel_metrics, count_groups
from partners.analytics.ranking import DEFAULT_PAGE_SIZE, MetricsOrder
from partners.infra.errors import DomainError
from schema.analytics.types import (ChannelMetricsDimension, ChannelMetricsFilter, ChannelMetricsOrder,
                                    ChannelMetricsOrderDirection, ChannelMetricsResult)
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import decode_cursor_payload, encode_cursor_payload
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


def domain_order(order: ChannelMetricsOrder | None) -> MetricsOrder:
    if order is None:
        return MetricsOrder()
    return MetricsOrder(by=order.by.value, descending=order.direction is ChannelMetricsOrderDirection.DESC)


def cursor_kind(f: MetricsFilter, group_by, order: MetricsOrder) -> str:
    """What a cursor is a position in: the same filter, grouping and ordering only."""
    made_for = repr((f, tuple(getattr(d, "value", d) for d in group_by), order)).encode()
    return "channelMetrics:" + hashlib.sha256(made_for).hexdigest()[:16]


async def answer(principal, metrics_filter: MetricsFilter, group_by, order: MetricsOrder | None = None,
                 first: int | None = None, after: str | None = None) -> ChannelMetricsResult:
    group_by = tuple(dict.fromkeys(group_by))
    order = order or MetricsOrder()
    kind = cursor_kind(metrics_filter, group_by, order)
    offset = 0
    if after is not None:
        values = decode_cursor_payload(after, kind)
        if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
            values = decode_cursor_payload("", kind)  # refused as malformed
        offset = values[0]
    try:
        result = await channel_metrics(principal, metrics_filter, group_by, order,
                                       DEFAULT_PAGE_SIZE if first is None else first, offset)
    except DomainError as exc:
        v = exc.violations[0]
        raise InvalidArgument(v.message, code=v.code, field=list(v.field),
                              **({"rule": v.rule} if v.rule else {})) from exc
    async def total() -> int:  # known when every group was computed, else one statement
        if result.total is not None:
            return result.total
        return await count_groups(principal, metrics_filter, group_by)

    return ChannelMetricsResult.of(result, lambda n: encode_cursor_payload(kind, [n]), total)


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="Channel metrics per group (issue 36; docs/api.md, \"Channel metrics\", "
                                  "defines each figure), a page of groups at a time in the order asked. Staff "
                                  "read every partner; partner users their own partner's figures only. "
                                  "Aggregated in SQL: the statements do not grow with the number of groups or "
                                  "the page size. Also as CSV (every group): GET /exports/channel-metrics.csv.",
                      extensions=[access(AUTHENTICATED)])
    async def channel_metrics(self, info: Info, filter: ChannelMetricsFilter,
                              group_by: list[ChannelMetricsDimension] | None = None,
                              order_by: ChannelMetricsOrder | None = None,
                              first: int | None = None, after: str | None = None) -> ChannelMetricsResult:
        return await answer(info.context.principal, domain_filter(info, filter), group_by or [],
                            domain_order(order_by), first, after)
