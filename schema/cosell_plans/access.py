"""Access rules of the co-sell plan mutations (D3)."""

from partners.plans.service import PLAN_WRITERS, TASK_UPDATERS
from schema.core.access import Rule

# partners.plans.service decides per opportunity: a channel manager of the account's region,
# the opportunity's owner, SALES_OPS or ADMIN.
PLAN_MANAGERS = Rule(
    "plan-managers",
    "the channel manager of the account's region, the opportunity's owner, SALES_OPS or ADMIN "
    "(decided per opportunity)",
    frozenset(PLAN_WRITERS),
)
# Plus partner users of the plan's partner, for the status and notes of PARTNER-side tasks.
TASK_UPDATERS_RULE = Rule(
    "plan-managers-and-partner-users",
    "the plan's managers, or partner users of the plan's partner (status and notes of partner-side tasks)",
    frozenset(TASK_UPDATERS),
)
