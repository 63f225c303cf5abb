// The reference partner portal: sign in with a token, follow registrations, register a
// deal, work co-sell tasks. Every call goes through a named document (./api.js).
import { Api, ApiError } from "./api.js";

const params = new URLSearchParams(location.search);
// The portal's own settings file (README: config.json); ?api=… overrides its API URL.
const config = await fetch(new URL("../config.json", import.meta.url)).then((r) => r.json());
const API_URL = params.get("api") || config.api || "http://127.0.0.1:8000/graphql";
const TOKEN_KEY = "cosell-portal-token";

const $ = (selector, root = document) => root.querySelector(selector);
let api = null;
let current = null; // id of the registration being followed
let nextCursor = null;

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

// A table cell that carries its column's name: at phone width rows become stacked cards
// whose cells show that name (portal.css), so no table overflows sideways.
function cell(label, text, attrs = {}) {
  return el("td", text, { "data-label": label, ...attrs });
}

function when(value) {
  return value ? new Date(value).toLocaleString() : "—";
}

// An exact amount (Money: a decimal string and its ISO 4217 code) in the browser's locale.
// The string goes to Intl as it is: no binary float between the API and the screen.
function money(value) {
  if (!value) return "—";
  return new Intl.NumberFormat(navigator.language, { style: "currency", currency: value.currency })
    .format(value.amount);
}

function show(node, visible) {
  node.hidden = !visible;
}

// ------------------------------------------------------------------ sign in

async function signIn(token) {
  const error = $("#sign-in-error");
  show(error, false);
  const candidate = new Api(API_URL, token);
  try {
    const { viewer } = await candidate.run("Viewer");
    if (!viewer || !viewer.partner) throw new ApiError("This portal is for partner users.", "NOT_A_PARTNER");
    api = candidate;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("#viewer").textContent = `${viewer.name} · ${viewer.partner.name}`;
    show($("#viewer"), true);
    show($("#sign-out"), true);
    show($("#sign-in-section"), false);
    show($("#portal"), true);
    await Promise.all([loadRegistrations(), loadTasks()]);
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    error.textContent = err.code === "UNAUTHENTICATED" ? "That token is not valid." : err.message;
    show(error, true);
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// ------------------------------------------------------------------ registrations

async function loadRegistrations(after = null) {
  const { dealRegistrations: page } = await api.run("Registrations", { first: 20, after });
  const body = $("#registrations tbody");
  if (!after) body.replaceChildren();
  for (const reg of page.nodes) {
    const row = el("tr", null, { "data-id": reg.id });
    row.append(cell("Customer", reg.customerName), cell("Type", reg.type),
      cell("Status", reg.status, { class: "status" }),
      cell("Estimated", money(reg.estimatedAmountMoney), { class: "amount" }), cell("Submitted", when(reg.submittedAt)),
      cell("Expires", when(reg.expiresAt)));
    const follow = el("button", "Follow", { type: "button", "aria-label": `Follow ${reg.customerName}` });
    follow.addEventListener("click", guarded(() => followRegistration(reg.id)));
    const actions = cell("Actions");
    actions.append(follow);
    row.append(actions);
    body.append(row);
  }
  $("#registrations-count").textContent = `(${page.totalCount})`;
  nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  show($("#more-registrations"), Boolean(nextCursor));
}

async function followRegistration(id) {
  current = id;
  const { node: reg } = await api.run("Registration", { id });
  const section = $("#registration");
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
  const history = $("#registration-history");
  history.replaceChildren(...reg.history.map((change) => el("li",
    `${when(change.changedAt)}: ${change.fromStatus || "(new)"} → ${change.toStatus}${change.note ? ` (${change.note})` : ""}`,
    { "data-event": change.event })));
  section.dataset.id = reg.id;
  show(section, true);
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
  list.replaceChildren();
  show(list, false);
  for (const field of form.querySelectorAll("[data-field]")) field.removeAttribute("aria-invalid");
  const { registerDeal: payload } = await api.run("RegisterDeal", { input });
  if (payload.errors.length) {
    for (const error of payload.errors) {
      const path = error.field.join(".");
      const field = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
      if (field) field.setAttribute("aria-invalid", "true");
      list.append(el("li", `${error.message}${error.rule ? ` (${error.rule})` : ""}`, { "data-code": error.code }));
    }
    show(list, true);
    return;
  }
  form.reset();
  await loadRegistrations();
  await followRegistration(payload.dealRegistration.id);
}

// ------------------------------------------------------------------ co-sell tasks

async function loadTasks() {
  const { coSellPlans } = await api.run("CoSellTasks");
  const body = $("#tasks tbody");
  body.replaceChildren();
  for (const plan of coSellPlans.nodes) {
    for (const task of plan.tasks) {
      const row = el("tr", null, { "data-id": task.id });
      row.append(cell("Opportunity", plan.opportunity ? plan.opportunity.name : "—"), cell("Task", task.title),
        cell("Side", task.ownerSide), cell("Due", task.dueDate + (task.overdue ? " (overdue)" : "")),
        cell("Status", task.status, { class: "status" }));
      const actions = cell("Actions");
      if (task.ownerSide === "PARTNER" && task.status !== "DONE") {
        const done = el("button", "Complete", { type: "button", "aria-label": `Complete ${task.title}` });
        done.addEventListener("click", guarded(() => completeTask(task.id)));
        actions.append(done);
      }
      row.append(actions);
      body.append(row);
    }
  }
}

async function completeTask(id) {
  const error = $("#tasks-error");
  show(error, false);
  const { completeCoSellTask: payload } = await api.run("CompleteCoSellTask", { input: { id } });
  if (payload.errors.length) {
    error.textContent = payload.errors.map((e) => e.message).join(" ");
    show(error, true);
  }
  await loadTasks();
}

// ------------------------------------------------------------------ wiring

function guarded(fn) {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ApiError && err.code === "UNAUTHENTICATED") signOut();
      else alert(err.message); // eslint-disable-line no-alert
    }
  };
}

$("#sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn($("#token").value.trim());
});
$("#sign-out").addEventListener("click", signOut);
$("#register").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  await register(event.target);
}));
$("#refresh-registration").addEventListener("click", guarded(() => followRegistration(current)));
$("#more-registrations").addEventListener("click", guarded(() => loadRegistrations(nextCursor)));

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
