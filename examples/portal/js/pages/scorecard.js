// The partner's scorecard: their own channel metrics per quarter (docs/api.md, "Channel
// metrics"; the API answers a partner user with their own partner's rows only), each panel a
// chart and a table of the same figures (js/charts.js). Where the API has no channelMetrics
// (or introspection is off), the page says the scorecard is not available yet.
import { $, el, money } from "../ui.js";
import { panel } from "../charts.js";

export const title = "Scorecard";

let ctx = null;

async function metricsEnabled() {
  try {
    const { __type: query } = await ctx.api.run("SchemaFields");
    return Boolean(query && query.fields.some((f) => f.name === "channelMetrics"));
  } catch (err) {
    if (err.code === "UNAUTHENTICATED") throw err;
    return false; // introspection refused: nothing tells us they exist
  }
}

const iso = (date) => date.toISOString().slice(0, 10);

// The period picked, in UTC days: "quarter" is the current quarter; "year" (the default) the
// current quarter and the three before it. Both end on the current quarter's last day.
export function period(choice, today = new Date()) {
  const year = today.getUTCFullYear();
  const quarter = Math.floor(today.getUTCMonth() / 3);
  const first = choice === "quarter" ? quarter : quarter - 3;
  return { from: iso(new Date(Date.UTC(year, first * 3, 1))), to: iso(new Date(Date.UTC(year, quarter * 3 + 3, 0))) };
}

const count = (value) => String(value);
const asNumber = (value) => (value === null || value === undefined ? null : Number(value));
const percent = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)} %`);
const hours = (value) => (value === null || value === undefined ? "—" : `${value.toFixed(1)} h`);
// Money: the table shows the exact decimal (ui.money); only the chart needs a number.
const amount = (value) => (value ? asNumber(value.amount) : null);

const counted = (label, path) => ({ label, path, text: count, plot: asNumber });
// Charts of counts have whole-number ticks.
const COUNTS = { precision: 0 };
const reviewColumns = (what, path) => [
  { label: `${what}: reviewed`, path: `${path}.count`, text: count },
  { label: `${what}: median`, path: `${path}.medianHours`, text: hours, plot: asNumber },
  { label: `${what}: 90th percentile`, path: `${path}.p90Hours`, text: hours, plot: asNumber },
  { label: `${what}: target (P4)`, path: `${path}.targetHours`, text: hours, plot: asNumber, line: true },
  { label: `${what}: over target`, path: `${path}.missedTarget`, text: count },
];

const PANELS = [
  { id: "funnel", title: "Registrations", ticks: COUNTS, hint: "Submitted in the quarter; the review's outcomes made in it (P4).",
    columns: [counted("Submitted", "registrationsSubmitted"), counted("Approved", "registrationsApproved"),
      counted("Denied", "registrationsDenied"), counted("Returned", "registrationsReturned"),
      counted("Withdrawn", "registrationsWithdrawn"), counted("Expired", "registrationsExpired")] },
  { id: "approval", title: "Approval rate", hint: "Approved out of approved and denied.",
    columns: [{ label: "Approved", path: "registrationsApproved", text: count },
      { label: "Denied", path: "registrationsDenied", text: count },
      { label: "Approval rate (%)", path: "approvalRate", text: percent, plot: (v) => (v === null ? null : v * 100) }] },
  { id: "first-review", title: "Time to first review", hint: "Working hours (Mon–Fri 09:00–17:00 UTC) against the P4 target.",
    columns: reviewColumns("First review", "timeToFirstReview") },
  { id: "decision", title: "Time to decision", hint: "Working hours from submission to approval or denial, against the P4 target.",
    columns: reviewColumns("Decision", "timeToDecision") },
  { id: "pipeline", title: "Sourced pipeline and closed-won net ARR",
    columns: [{ label: "Open pipeline", path: "sourcedOpenPipeline", text: money, plot: amount },
      { label: "Closed-won net ARR", path: "sourcedWonNetArr", text: money, plot: amount },
      { label: "Won", path: "opportunitiesWon", text: count }, { label: "Lost", path: "opportunitiesLost", text: count }] },
  { id: "leads", title: "Lead SLAs", ticks: COUNTS, hint: "Accepted within 5 business days, acted on within 10 (P11).",
    columns: [counted("Shared", "leadsShared"), counted("Accepted in time", "leadsAcceptedInTime"),
      counted("Acted on in time", "leadsActedOnInTime"), counted("Recalled", "leadsRecalled")] },
  { id: "cases", title: "Case SLAs", ticks: COUNTS, hint: "Picked up within 24 hours, closed within 15 days (D9).",
    columns: [counted("Opened", "casesOpened"), counted("Picked up in time", "casesPickedUpInTime"),
      counted("Closed in time", "casesClosedInTime")] },
];

function picker() {
  const form = el("form", null, { id: "scorecard-period", "aria-label": "Scorecard period" });
  const label = el("label", "Period");
  const select = el("select", null, { name: "period" });
  select.append(el("option", "Last 4 quarters", { value: "year" }), el("option", "This quarter", { value: "quarter" }));
  label.append(select);
  form.append(label);
  form.addEventListener("submit", (event) => event.preventDefault());
  select.addEventListener("change", ctx.guarded(() => show(select.value)));
  return form;
}

// The quarters of a period ("2026-Q1" …), in order.
export function quarters(from, to) {
  const index = (day) => Number(day.slice(0, 4)) * 4 + Math.floor((Number(day.slice(5, 7)) - 1) / 3);
  const names = [];
  for (let i = index(from); i <= index(to); i += 1) names.push(`${Math.floor(i / 4)}-Q${(i % 4) + 1}`);
  return names;
}

// A quarter the API has no row for had no figure at all (docs/api.md): every count and
// amount 0, no rate or review time. It is shown as such, so the charts keep every quarter.
function quietQuarter(quarter, result) {
  const targets = Object.fromEntries(["timeToFirstReview", "timeToDecision"].map((name) => {
    const known = result.rows.find((r) => r[name].targetHours !== null);
    return [name, { count: 0, medianHours: null, p90Hours: null, missedTarget: 0,
      targetHours: known ? known[name].targetHours : null }];
  }));
  const row = { quarter, approvalRate: null, unconvertedCurrencies: [], ...targets };
  for (const spec of PANELS) {
    for (const column of spec.columns) {
      if (column.text === count && !column.path.includes(".")) row[column.path] = 0;
      if (column.text === money) row[column.path] = { amount: "0", currency: result.currency };
    }
  }
  return row;
}

async function show(choice) {
  const { from, to } = period(choice);
  const { channelMetrics: result } = await ctx.api.run("ChannelMetrics", { from, to });
  const answered = new Map(result.rows.map((r) => [r.quarter, r]));
  const rows = quarters(result.from, result.to).map((q) => answered.get(q) || quietQuarter(q, result));
  const state = $("#scorecard-state");
  state.textContent = `${result.from} to ${result.to}. Amounts in ${result.currency} at the exchange rates of ${result.convertedOn}.`;
  Object.assign(state.dataset, { state: "metrics", from: result.from, to: result.to });
  const unconverted = [...new Set(rows.flatMap((r) => r.unconvertedCurrencies))];
  const note = $("#scorecard-unconverted");
  note.textContent = unconverted.length ? `No exchange rate yet for ${unconverted.join(", ")}: those amounts are not shown.` : "";
  note.hidden = !unconverted.length;
  const panels = $("#scorecard-panels");
  panels.replaceChildren();
  for (const spec of PANELS) panel(spec, rows, panels);
}

export function wire(context) {
  ctx = context;
}

export async function load() {
  const box = $("#scorecard");
  if (!(await metricsEnabled())) {
    box.replaceChildren(el("p", "Your scorecard will be available once channel metrics are enabled.",
      { id: "scorecard-state", "data-state": "unavailable" }));
    return;
  }
  const form = picker();
  box.replaceChildren(form, el("p", null, { id: "scorecard-state", role: "status" }),
    el("p", null, { id: "scorecard-unconverted", class: "hint", hidden: "" }), el("div", null, { id: "scorecard-panels" }));
  await show($("select", form).value);
}
