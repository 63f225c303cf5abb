"""GraphQL types of the channel metrics (issue 36); docs/api.md defines every figure."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Awaitable, Callable

import strawberry
from strawberry.relay.utils import to_base64

from partners.analytics.enums import MetricsDimension
from partners.analytics.metrics import ChannelMetrics, GroupMetrics
from partners.analytics.ranking import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ORDERABLE
from schema.core.connection import PageInfo
from schema.core.enums import DealRegistrationType, PartnerTrack, Region, member
from partners.registrations.rules import DECISION_HOURS, FIRST_REVIEW_HOURS
from schema.core.money import MoneyType


def _member(enum_type, value):
    return None if value is None else member(enum_type, value)

ChannelMetricsDimension = strawberry.enum(MetricsDimension, name="ChannelMetricsDimension",
                                          description="What channelMetrics groups by.")


ChannelMetricsOrderField = strawberry.enum(
    Enum("ChannelMetricsOrderField", {name: name for name in ("KEY", *ORDERABLE)}), name="ChannelMetricsOrderField",
    description="What the groups are ordered by: KEY (the group key: partner name then id, each other "
                "dimension's value, nulls last) or one figure (ties by the key ascending).")


@strawberry.enum(description="Ascending or descending.")
class ChannelMetricsOrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="The order of the groups (default: KEY ascending).")
class ChannelMetricsOrder:
    by: ChannelMetricsOrderField = strawberry.field(default_factory=lambda: ChannelMetricsOrderField.KEY)
    direction: ChannelMetricsOrderDirection = ChannelMetricsOrderDirection.ASC


@strawberry.input(description="The period (`from` and `to` included, UTC days) and optional criteria; "
                              "several values of one criterion: any of them.")
class ChannelMetricsFilter:
    from_: date = strawberry.field(name="from")
    to: date
    regions: list[Region] | None = None
    partner_ids: list[strawberry.ID] | None = None
    tracks: list[PartnerTrack] | None = None
    types: list[DealRegistrationType] | None = strawberry.field(
        default=None, description="Registration types: tasks, leads and cases have none, and count only "
                                  "when `types` is not given.")


@strawberry.type(description="P4 working-time durations (Mon–Fri 09:00–17:00 UTC) of the reviews in the period.")
class ReviewTimeMetrics:
    count: int
    median_hours: float | None
    p90_hours: float | None
    missed_target: int = strawberry.field(description="How many took longer than the P4 target.")
    target_hours: float


@strawberry.type(description="One group's figures. The grouping fields not asked for are null.")
class ChannelMetricsRow:
    partner_id: strawberry.ID | None
    partner_name: str | None
    region: Region | None
    track: PartnerTrack | None
    type: DealRegistrationType | None
    month: str | None = strawberry.field(description="YYYY-MM")
    quarter: str | None = strawberry.field(description="YYYY-Qn")
    registrations_submitted: int
    registrations_approved: int
    registrations_denied: int
    registrations_returned: int
    registrations_withdrawn: int
    registrations_expired: int
    approval_rate: float | None
    time_to_first_review: ReviewTimeMetrics
    time_to_decision: ReviewTimeMetrics
    sourced_open_pipeline: MoneyType | None
    sourced_won_net_arr: MoneyType | None
    opportunities_won: int
    opportunities_lost: int
    win_rate: float | None
    unconverted_currencies: list[str]
    tasks_done: int
    tasks_overdue: int
    leads_shared: int
    leads_accepted_in_time: int
    leads_acted_on_in_time: int
    leads_recalled: int
    cases_opened: int
    cases_picked_up_in_time: int
    cases_closed_in_time: int

    @classmethod
    def of(cls, g: GroupMetrics) -> "ChannelMetricsRow":
        c, key = g.counts, g.key

        def review(name: str, count: str, missed: str, target: int) -> ReviewTimeMetrics:
            return ReviewTimeMetrics(count=c[count], median_hours=g.hours.get(f"{name}_median"),
                                     p90_hours=g.hours.get(f"{name}_p90"), missed_target=c[missed],
                                     target_hours=float(target))

        def money(name: str) -> MoneyType | None:
            value = g.converted.get(name)
            return None if value is None else MoneyType.from_parts(value.amount, value.currency)

        return cls(
            partner_id=to_base64("Partner", key["partner_id"]) if key.get("partner_id") is not None else None,
            partner_name=key.get("partner_name"),
            region=_member(Region, key.get("region")), track=_member(PartnerTrack, key.get("track")),
            type=_member(DealRegistrationType, key.get("type")), month=key.get("month"), quarter=key.get("quarter"),
            registrations_submitted=c["submitted"], registrations_approved=c["approved"],
            registrations_denied=c["denied"], registrations_returned=c["returned"],
            registrations_withdrawn=c["withdrawn"], registrations_expired=c["expired"],
            approval_rate=g.approval_rate,
            time_to_first_review=review("first_review", "first_reviews", "first_review_missed", FIRST_REVIEW_HOURS),
            time_to_decision=review("decision", "decisions", "decision_missed", DECISION_HOURS),
            sourced_open_pipeline=money("open_pipeline"), sourced_won_net_arr=money("won_net_arr"),
            opportunities_won=c["won"], opportunities_lost=c["lost"], win_rate=g.win_rate,
            unconverted_currencies=g.unconverted_currencies,
            tasks_done=c["tasks_done"], tasks_overdue=c["tasks_overdue"],
            leads_shared=c["leads_shared"], leads_accepted_in_time=c["leads_accepted_in_time"],
            leads_acted_on_in_time=c["leads_acted_in_time"], leads_recalled=c["leads_recalled"],
            cases_opened=c["cases_opened"], cases_picked_up_in_time=c["cases_picked_up_in_time"],
            cases_closed_in_time=c["cases_closed_in_time"],
        )


@strawberry.type(description=f"Channel metrics of a period (issue 36): one page of groups (`first`, default "
                             f"{DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}; `after` a previous page's `endCursor`), "
                             "amounts in the reporting currency converted at `convertedOn`'s rates.")
class ChannelMetricsResult:
    from_: date = strawberry.field(name="from")
    to: date
    group_by: list[ChannelMetricsDimension]
    currency: str
    converted_on: date
    rows: list[ChannelMetricsRow] = strawberry.field(description="This page's groups, in the order asked.")
    page_info: PageInfo
    count_fn: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many groups the period has, across all pages (one more statement, run "
                                  "only when asked for).")
    async def total_groups(self) -> int:
        return await self.count_fn()

    @classmethod
    def of(cls, m: ChannelMetrics, cursor_of: Callable[[int], str],
           count_fn: Callable[[], Awaitable[int]]) -> "ChannelMetricsResult":
        rows = [ChannelMetricsRow.of(g) for g in m.groups]
        page = PageInfo(has_next_page=m.has_next, has_previous_page=m.offset > 0,
                        start_cursor=cursor_of(m.offset) if rows else None,
                        end_cursor=cursor_of(m.offset + len(rows)) if rows else None)
        return cls(from_=m.filter.start, to=m.filter.end, group_by=list(m.group_by), currency=m.currency,
                   converted_on=m.converted_on, rows=rows, page_info=page, count_fn=count_fn)
