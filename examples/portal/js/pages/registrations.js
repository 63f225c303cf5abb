// Deal registrations (P3–P8, D1, D2): the list with filters, one registration's review,
// discount quote lines and the conflicts the partner may see, withdraw and resubmit, and
// the register form.
import { $, button, cell, el, fillTable, money, plainMessage, show, showRefusals, when } from "../ui.js";

export const title = "Registrations";

let ctx = null;
let current = null; // the registration being followed
let nextCursor = null;

function filter() {
  const data = new FormData($("#registration-filters"));
  const value = {};
  if (data.get("status")) value.status = data.get("status");
  if (data.get("type")) value.type = data.get("type");
  if (data.get("conflicting")) value.conflicting = true;
  return value;
}

async function loadList(after = null) {
  const { dealRegistrations: page } = await ctx.api.run("Registrations", { first: 20, after, filter: filter() });
  const rows = page.nodes.map((reg) => {
    const row = el("tr", null, { "data-id": reg.id });
    const actions = cell("Actions");
    actions.append(button("Follow", ctx.guarded(() => follow(reg.id)), { "aria-label": `Follow ${reg.customerName}` }));
    row.append(cell("Customer", reg.customerName), cell("Type", reg.type),
      cell("Status", reg.status, { class: "status" }),
      cell("Estimated", money(reg.estimatedAmountMoney), { class: "amount" }), cell("Submitted", when(reg.submittedAt)),
      cell("Expires", when(reg.expiresAt)), actions);
    return row;
  });
  const table = $("#registrations");
  if (after) $("tbody", table).append(...rows);
  else fillTable(table, rows, "No registrations.");
  $("#registrations-count").textContent = `(${page.totalCount})`;
  nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  show($("#more-registrations"), Boolean(nextCursor));
}

function quote(reg) {
  const box = $("#registration-quote");
  const q = reg.discountQuote;
  if (!q) {
    box.replaceChildren(el("p", "No quote for this registration yet.", { class: "hint" }));
    return;
  }
  const table = el("table", null, { id: "quote-lines" });
  const head = el("thead");
  const headRow = el("tr");
  for (const name of ["Line", "Percent", "Basis", "Amount"]) headRow.append(el("th", name));
  head.append(headRow);
  const body = el("tbody");
  for (const line of q.lines) {
    const row = el("tr", null, { "data-key": line.key });
    row.append(cell("Line", line.label), cell("Percent", `${line.percent} %`),
      cell("Basis", money(line.basisMoney)), cell("Amount", money(line.amountMoney), { class: "amount" }));
    body.append(row);
  }
  table.append(head, body);
  box.replaceChildren(el("p", `List ${money(q.listMoney)} · total ${money(q.totalMoney)}`, { id: "quote-total" }), table);
}

export async function follow(id) {
  current = id;
  const { node: reg } = await ctx.api.run("Registration", { id });
  const section = $("#registration");
  showRefusals($("#registration-errors"), []);
  if (!reg) {
    show(section, false);
    return;
  }
  for (const slot of section.querySelectorAll("[data-bind]")) {
    const value = reg[slot.dataset.bind];
    const bind = slot.dataset.bind;
    slot.textContent = Array.isArray(value) ? value.join(", ") : bind.endsWith("At") ? when(value)
      : bind.endsWith("Money") ? money(value) : (value || "—");
  }
  // P4: every step of the review, from one status to the next (the first has none before it).
  $("#registration-history").replaceChildren(...reg.history.map((change) => el("li",
    `${when(change.changedAt)}: ${change.fromStatus || "(new)"} → ${change.toStatus}${change.note ? ` (${plainMessage(change.note)})` : ""}`,
    { "data-event": change.event })));
  quote(reg);
  // D2: only the conflicts the API lets this partner see.
  const conflicts = $("#registration-conflicts");
  conflicts.replaceChildren(...(reg.conflicts.length ? reg.conflicts.map((c) => el("li", `${c.customerName}: ${c.status}`))
    : [el("li", "None.")]));
  section.dataset.id = reg.id;
  section.dataset.version = reg.version;
  show($("#withdraw-registration"), ["SUBMITTED", "PENDING_SALES_REVIEW", "PENDING_MANAGER_REVIEW", "RETURNED", "ON_HOLD"]
    .includes(reg.status));
  show($("#resubmit"), reg.status === "RETURNED");
  show(section, true);
}

async function withdraw() {
  const section = $("#registration");
  const { withdrawDealRegistration: payload } = await ctx.api.run("WithdrawDealRegistration",
    { input: { id: current, expectedVersion: Number(section.dataset.version) } });
  if (payload.errors.length) return showRefusals($("#registration-errors"), payload.errors);
  await Promise.all([loadList(), follow(current)]);
}

async function resubmit(form) {
  const data = new FormData(form);
  const input = { id: current, expectedVersion: Number($("#registration").dataset.version) };
  if (data.get("notes")) input.notes = data.get("notes");
  if (data.get("seats")) input.seats = Number(data.get("seats"));
  const { resubmitDealRegistration: payload } = await ctx.api.run("ResubmitDealRegistration", { input });
  if (payload.errors.length) return showRefusals($("#registration-errors"), payload.errors, form);
  form.reset();
  await Promise.all([loadList(), follow(current)]);
}

async function register(form) {
  const data = new FormData(form);
  const number = (name) => (data.get(name) === "" ? null : Number(data.get(name)));
  const input = {
    type: data.get("type"),
    customer: { prospect: { name: data.get("name"), website: data.get("website"),
                            country: data.get("country") || "US", region: data.get("region") } },
    products: String(data.get("products")).split(",").map((p) => p.trim()).filter(Boolean),
    edition: data.get("edition"),
    seats: number("seats") ?? 0,
    // Exact: the digits as typed (a Decimal string), in the currency given or the customer's.
    estimatedAmountMoney: data.get("amount") ? { amount: String(data.get("amount")).trim() } : null,
    currency: String(data.get("currency") || "").trim().toUpperCase() || null,
    expectedCloseDate: data.get("expectedCloseDate") || null,
  };
  const list = $("#register-errors");
  const { registerDeal: payload } = await ctx.api.run("RegisterDeal", { input });
  showRefusals(list, payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  await loadList();
  await follow(payload.dealRegistration.id);
}

export function wire(context) {
  ctx = context;
  $("#registration-filters").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await loadList();
  }));
  $("#register").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await register(event.target);
  }));
  $("#resubmit").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await resubmit(event.target);
  }));
  $("#refresh-registration").addEventListener("click", context.guarded(() => follow(current)));
  $("#withdraw-registration").addEventListener("click", context.guarded(withdraw));
  $("#more-registrations").addEventListener("click", context.guarded(() => loadList(nextCursor)));
}

export async function load() {
  await loadList();
  if (current) await follow(current);
}
