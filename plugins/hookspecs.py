"""THE contract between cosell and its plugins.

Every hook is prefixed `cosell_`. Implementations are validated when they are
registered: an unknown hook name, or an argument the spec does not offer, fails at
startup with the plugin's name (see `plugins.manager`). The domain objects passed to
hooks are plain Piccolo rows or dataclasses from `partners/`; plugins never see HTTP
or GraphQL.

Hooks that may do I/O accept `async def` implementations, awaited under
COSELL_PLUGIN_TIMEOUT_MS (`plugins.contracts.ASYNC_HOOKS`); an async implementation of any
other hook is refused at registration, naming the plugin and the hook (issue 41).
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT_NAME = "cosell"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def cosell_validate_opportunity(opportunity: Any, context: Any) -> list[Any]:
    """Check an opportunity as it will be after a write; return the rule violations.

    - `opportunity`: a `partners.reseller.OpportunitySnapshot` (frozen dataclass): name,
      type, stage, the account's id/name/type/partner organisation, `partners`
      (`TeamPartner`: partner id, name, nickname, status, team role, is_primary,
      chosen_by) and `contacts` (`TeamContact`: contact id, name, account, the partner
      whose organisation it belongs to, role, is_primary).
    - `context`: a `partners.reseller.ValidationContext`: `operation` (the mutation, e.g.
      "addOpportunityPartner"), `user_id`, `user_role`, `disabled_rules` and
      `enabled(rule_id)` (COSELL_DISABLE_RULES).

    Return a list of `partners.errors.Violation(code, message, field, rule)` (empty or None
    when the opportunity is fine). Every implementation runs on every write that touches
    an opportunity, its partners or its contacts (createOpportunity, updateOpportunity,
    moveOpportunityStage, add/removeOpportunityPartner, setPrimaryPartner, and
    updateAccount when the type or partner organisation changes), inside the write's
    transaction: the violations of all implementations are collected and returned as
    `UserError`s, and nothing is written. Raising (instead of returning violations) is
    a failure of the plugin: the write rolls back and the client gets a masked error.
    May be `async def` (awaited inside the write's transaction: keep it short).
    The built-in `plugins.builtin.reseller_rules` implements R1, R2, R3, R4, R6 and R7.
    """


@hookspec(firstresult=True)
def cosell_primary_partner(opportunity: Any, partners: list[Any]) -> Any | None:
    """Choose the primary partner of an opportunity (R8), with the reason, or None.

    Called whenever the partner team changes (addOpportunityPartner,
    removeOpportunityPartner, setPrimaryPartner) with the opportunity as it will be
    (`partners.reseller.OpportunitySnapshot`) and its team (`list[TeamPartner]`, in the
    order they were added; `chosen_by` is set on a partner a user made primary
    explicitly). Return a `partners.reseller.PrimaryChoice(partner, reason)` naming one
    of `partners`, or None for "no primary" / "let the next implementation decide". The
    answer is stored (`Opportunity.primaryPartner`, `primaryReason`) and then validated
    by `cosell_validate_opportunity` (R6, R7).

    firstresult: the first implementation that returns something other than None
    decides. The built-in `plugins.builtin.precedence` is `trylast`: an explicit choice,
    else R8 (deal registrant, then fulfiller, then distributor; unofficial partners never).
    Synchronous only: an `async def` implementation is refused at start-up.
    """


@hookspec
def cosell_partner_discount(partner: Any, deal: Any, context: Any) -> Any | list[Any] | None:
    """Return the discount lines of a partner on a deal (D5, D6, P7–P10), or None.

    Called whenever a quote is computed: the `discountQuote` query, and
    `DealRegistration.discountQuote` (once per registration, after one batched load of
    the facts of the whole page). Quotes are not stored; nothing is written. Keep
    implementations fast; an `async def` one is awaited (issue 41).

    - `partner`: a `partners.discounts.QuotePartner` (id, name, track, partner_type,
      status, region).
    - `deal`: a `partners.discounts.QuoteDeal`: opportunity_id, name, opportunity_type,
      stage, account_region, list_amount (the amount quoted) and net_arr (both
      `partners.money.Money` in the opportunity's currency, `deal.currency`), team_role (the
      partner's role on the team, or None), registration (`SourcedRegistration`: the
      partner's approved partner-sourced registration, or None), services_attach_id and
      services_attach_dates (P9), renewal (`Renewal`: the renewed deal, its incumbent
      partner and last year's rate, for RENEWAL opportunities), tender (`Tender`,
      published_on), paid_poc (`PaidPoc`, users and months) and distributor (the
      `QuotePartner` an OPEN partner buys through, P10).
    - `context`: a `partners.discounts.QuoteContext`: quote_date and policy (the
      `partners.discounts.PolicySnapshot` in effect on that date; its rates are exact
      `decimal.Decimal` percentages, 15 = 15 %).

    Return a `partners.discounts.DiscountLine`, a list of them, or None (nothing to add).
    Money (issue 40): a line's `rate` is a `Decimal` percentage and its `basis_amount` a
    `Money` in the deal's currency (usually `deal.list_amount` or `deal.net_arr`); its
    `amount` is left out (then basis × rate / 100, rounded half up to the currency's minor
    unit) or given as a `Money` of that currency at its minor unit (`Money.of` rounds). A
    float rate is still read by its repr (2.3 is 2.3 %) for one deprecation cycle, with a
    logged warning; a float amount, or a line in another currency than the deal's
    (CURRENCY_MISMATCH: a quote converts nothing), is a failure of the plugin.

    All implementations run (not firstresult), plugins before the `trylast` built-in
    (`plugins.builtin.discounts`, which returns `partners.discounts.standard_lines`). The
    answers are merged by line `key`: the first line of a key wins, so a plugin *replaces*
    a built-in line by returning a line with its key (`partner`, `services_attach`,
    `distributor_margin`, `paid_poc`) and *adds* a line with any other key. A requested
    rate (P8) then applies to the `partner` line: never above it, below only with an
    approval (rates compare exactly). Before that, P8 bounds the plugins: their
    PARTNER_DISCOUNT lines are capped so the partner discount stays within the policy's own
    partner line (`partners.discounts.bounds`), unless COSELL_PLUGINS_MAY_RAISE_DISCOUNTS.
    Derive from a standard line with `line.derive(rate=...)` (recomputes the amount). The
    quote's total is the exact sum of its lines.
    Raising is a failure of the plugin: the client gets a masked error and the log names
    the plugin.
    """


@hookspec(firstresult=True)
def cosell_locate_partners(region: Any, query: Any) -> Any | None:
    """Find partners for the locator in one region (D7), or None to let the next lookup answer.

    `region` is a `partners.enums.Region`, or None for a query across all regions (region
    lookups normally return None then, and the database lookup answers). `query` is a
    validated `partners.locator.LocatorQuery` (filters, optional `near`, `offset`/`limit`).

    Return one of (see `partners/locator/search.py`):
    - a list of `DirectoryEntry`: every entry of your directory matching the query
      (`partners.locator.matches` applies the standard filters); the locator orders it,
      counts the facets and cuts the page;
    - a `LocatorPage`: the page already ordered and cut, with total and facets;
    - an awaitable of either (a coroutine, for lookups doing I/O);
    - None to pass.
    List only AUTHORIZED, published partners (P1).

    firstresult: the first implementation that answers decides, so a plugin may serve one
    region from its own directory; the built-in database lookup
    (`plugins.builtin.locator_database`) is `trylast` and answers every region.
    """


@hookspec
def cosell_deal_registration_event(event: str, registration: Any, envelope: Any) -> None:
    """Called after a deal registration change has been committed (D1, P4).

    `event` and `registration` (a plain dict, `partners.registrations.rules.snapshot`) are
    also in `envelope`, a `plugins.EventEnvelope` (issue 41): the outbox message's id
    (stable across retries: key an idempotent side effect on it), the time of the change,
    the whole payload and the scope (partner id, region). Ask for the arguments you use.
    May be `async def` (awaited under COSELL_PLUGIN_TIMEOUT_MS). Raising retries the message.
    """


@hookspec(firstresult=True)
def cosell_lead_partner(lead: Any, candidates: list[Any]) -> Any | None:
    """Choose the partner a lead is shared with when `shareLead` names none (P11), or None.

    - `lead`: a plain dict, the lead as it is (see `partners.leads.rules.snapshot`): id,
      company, region, country, product_interest, source, share_count, recall_count …
    - `candidates`: `list[partners.leads.choice.LeadCandidate]`, the AUTHORIZED partners
      (P1) based in or serving the lead's region: partner_id, name, track, region (a
      `partners.enums.Region`; the lead dict's region is its string), country,
      serves_country, open_leads.

    Return a `partners.leads.choice.PartnerChoice(partner_id, reason)` naming one of the
    candidates, or None to let the next implementation decide. Called inside the share's
    transaction: raising (or answering another partner) fails the share, nothing is
    written. firstresult: the built-in `plugins.builtin.lead_partner` is `trylast` and
    makes the database choice (the lead's country first, SELECT tracks first, fewest open
    leads). May be `async def` (awaited under COSELL_PLUGIN_TIMEOUT_MS).
    """


@hookspec
def cosell_lead_event(event: str, lead: Any, envelope: Any) -> None:
    """Called after a lead change has been committed (P11): CREATED, SHARED, ACCEPTED,
    REJECTED, CONTACTED, MEETING, CONVERTED, DISQUALIFIED, RECALLED, and the moves of issue
    34: UPDATED, ARCHIVED, UNARCHIVED, TAKEN_BACK, REASSIGNED, PARTNER_CONTACT_SET,
    EXTENSION_REQUESTED, EXTENSION_APPROVED, EXTENSION_DENIED. `lead` is a plain dict
    (`partners.leads.rules.snapshot`); `envelope` a `plugins.EventEnvelope` (message id,
    time, payload, scope: `partner_id` is whose event it is). May be `async def`."""


@hookspec
def cosell_case_event(event: str, case: Any, envelope: Any) -> None:
    """Called after a case change has been committed (D9–D14): OPENED, PICKED_UP, UPDATED,
    WAITING, RESUMED, REASSIGNED, ESCALATED, LEAD_CONVERTED, COMMENTED, ATTACHED,
    ATTACHMENT_DELETED, CLOSED, REOPENED, RELEASED (its advocate was deactivated or left the
    role). `case` is a plain dict (`partners.cases.service.snapshot`); `envelope` a
    `plugins.EventEnvelope` whose `details` carry the comment of COMMENTED (`comment`: id,
    author_id, body, internal) and the release of RELEASED (`released_from_id`, `reason`).
    May be `async def`."""


@hookspec
def cosell_opportunity_event(event: str, opportunity: Any, envelope: Any) -> None:
    """Called after commit (by the outbox, retried with backoff while it raises) when an
    opportunity moved stage (`STAGE_CHANGED`, `envelope.details["previous_stage"]`) or an
    update changed its amount or close date (`UPDATED`, `envelope.details["changed"]`:
    `amount`, `close_date`). `opportunity` is a plain dict of the opportunity after the change
    (`id`, `name`, `stage`, `opportunity_type`, `currency`, `amount` and `net_arr` as decimal
    strings, `close_date` ISO, `account`, `owner`, `version`). Issue 39 (the AWS Partner
    Central plugin mirrors these changes). May be `async def`. Return value ignored.
    """


@hookspec(firstresult=True)
def cosell_exchange_rate(base: str, quote: str, day: Any) -> Any | None:
    """The exchange rate of `base` in `quote` (1 base = rate quote) published on `day` (a
    `datetime.date`), as a `decimal.Decimal` (or a string of one), or None to pass.

    Called by `cosell rates fetch` (and its daily background job) for each currency in use
    and the reporting currency, against the deployment's reporting currency; the answers are
    stored as dated rates (`ExchangeRate`, source: the plugin's name) and every conversion
    reads the stored rates, so a plugin may do I/O here (fetch a central bank's rates).
    Return the rate exactly as published; a float is refused. firstresult: the first
    answer decides. No built-in implementation: without a plugin, rates come from
    `cosell rates import FILE`.
    """


@hookspec
def cosell_startup(app_context: Any) -> None:
    """Called once when cosell starts, before it serves or works (issue 41): open a
    connection, warm a cache, remember your plugin's name.

    `app_context` is a `plugins.AppContext` made for your plugin: `plugin_name` (the name
    it is registered under: its entry-point name), `settings` (the values of its declared
    `plugin_settings`, a dict), `cosell_version`, and `process` (what is starting: "serve"
    for the server (each worker), or the CLI command, e.g. "outbox send", "rates fetch",
    "registrations expire"). May be `async def`; held to COSELL_PLUGIN_TIMEOUT_MS. Raising
    (or being too slow) stops the start with a message naming the plugin. Every
    implementation runs, in pluggy's order.
    """


@hookspec
def cosell_shutdown(app_context: Any) -> None:
    """Called once when cosell stops (after the last request and background job): close
    what `cosell_startup` opened. The same `app_context` as at start-up. May be
    `async def`; held to COSELL_PLUGIN_TIMEOUT_MS. A failure is logged with the plugin's
    name and the other implementations still run. Every implementation runs.
    """


@hookspec
def cosell_extend_schema() -> Any | None:
    """Add GraphQL query fields, mutations and types (issue 41), or None.

    Called once whenever an app builds its schema (at start-up; each test app), never per
    request. Return a `schema.plugin_api.SchemaAdditions(queries=..., mutations=...,
    types=...)`: `queries` and `mutations` are `@strawberry.type` classes whose fields are
    merged into `Query` and `Mutation` like cosell's own, `types` extra types reachable only
    through an interface. Every root field declares its access rule
    (`extensions=[access(...)]`), every mutation answers a payload with
    `errors: list[UserError]`, no type is a `relay.Node`, and no name may repeat one of
    cosell's or another plugin's: anything else stops start-up with a `PluginError`
    naming the plugin. Plugin fields then go through the same authentication, input
    limits, query cost and budget, audit log and error masking as the built-in ones (its
    section in docs/plugins.md). Synchronous only. The committed SDL
    (`cosell schema export`) has no plugin field; a server shows them while the plugin is
    loaded. No built-in implementation.
    """


@hookspec
def cosell_outbox_handlers() -> Any | None:
    """The outbox message kinds a plugin delivers itself (issue 39), or None: a dict
    `{kind: async def handler(message)}`. A plugin enqueues its messages with
    `partners.infra.outbox.enqueue(kind, payload, dedupe_key=...)` inside the transaction of
    its write; after commit the outbox sender (every instance, leased; `cosell outbox send`;
    `drain_outbox` in tests) calls the handler with the `partners.infra.outbox.Message`
    exactly as for cosell's own kinds: raising retries the message with backoff, raising
    `partners.infra.outbox.PermanentFailure` makes it DEAD at once, and a message still
    failing after COSELL_OUTBOX_MAX_ATTEMPTS is DEAD with its last error (`cosell outbox
    retry` sends it again; show the error to staff through your own field). Prefix your kinds with your plugin's name; a kind that repeats one of
    cosell's or another plugin's stops start-up. Called when the handlers are built (the
    outbox sender's start), never per message. Synchronous only (the handlers it returns
    are async). Every implementation runs. No built-in implementation.
    """


@hookspec
def cosell_background_jobs() -> Any | None:
    """A plugin's periodic work (issue 39), or None: a list of `plugins.BackgroundJob(name,
    run, interval)`. `await run(should_stop)` runs every `interval` seconds (at least
    COSELL_BACKGROUND_INTERVAL) in every instance's background runner (`cosell serve` with
    COSELL_BACKGROUND_JOBS), named `<plugin>:<name>` in the logs and job metrics; an error is
    logged and the job runs again next time. Every instance runs it: lease the rows you work
    on (`partners.infra.leasing.claim`/`finish`) so one instance does each. Called once when
    the runner is built. Synchronous only (the jobs' `run` are async). Every implementation
    runs. No built-in implementation.
    """
