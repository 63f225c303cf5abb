// Webhooks (PARTNER_ADMIN only): endpoints, secret rotation (the secret is shown once),
// the delivery log and redelivery.
import { $, button, cell, el, fillTable, show, showRefusals, when } from "../ui.js";

export const title = "Webhooks";
export const adminOnly = true;

let ctx = null;
let endpoints = [];
let shown = null; // the endpoint whose deliveries are listed

function showSecret(secret) {
  const box = $("#webhook-secret");
  box.replaceChildren("New signing secret (shown once, keep it now): ", el("code", secret, { id: "webhook-secret-value" }));
  show(box, true);
}

async function rotate(endpoint) {
  const { rotateWebhookSecret: payload } = await ctx.api.run("RotateWebhookSecret", { input: { id: endpoint.id } });
  showRefusals($("#webhook-errors"), payload.errors);
  if (!payload.errors.length) showSecret(payload.secret);
}

async function redeliver(delivery) {
  const { redeliverWebhookDelivery: payload } = await ctx.api.run("RedeliverWebhookDelivery", { input: { id: delivery.id } });
  showRefusals($("#webhook-errors"), payload.errors);
  await load();
}

function deliveries(endpoint) {
  shown = endpoint.id;
  $("#deliveries-endpoint").textContent = `of ${endpoint.url}`;
  fillTable($("#deliveries"), endpoint.deliveries.nodes.map((d) => {
    const row = el("tr", null, { "data-id": d.id });
    const actions = cell("Actions");
    actions.append(button("Redeliver", ctx.guarded(() => redeliver(d)), { "aria-label": `Redeliver ${d.eventType} of ${when(d.createdAt)}` }));
    row.append(cell("Event", d.eventType), cell("Status", d.status, { class: "status" }), cell("Attempts", d.attempts),
      cell("HTTP", d.responseStatus ?? "—"), cell("Created", when(d.createdAt)), actions);
    return row;
  }), "No deliveries yet.");
}

async function add(form) {
  const data = new FormData(form);
  const input = { url: data.get("url"), eventTypes: data.getAll("eventTypes"), description: data.get("description") || "" };
  const { createWebhookEndpoint: payload } = await ctx.api.run("CreateWebhookEndpoint", { input });
  showRefusals($("#webhook-errors"), payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  await load();
  showSecret(payload.secret);
}

export function wire(context) {
  ctx = context;
  $("#add-webhook").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await add(event.target);
  }));
}

export async function load() {
  const { webhookEndpoints } = await ctx.api.run("Webhooks");
  endpoints = webhookEndpoints.nodes;
  fillTable($("#webhooks"), endpoints.map((endpoint) => {
    const row = el("tr", null, { "data-id": endpoint.id });
    const actions = cell("Actions");
    actions.append(
      button("Deliveries", () => deliveries(endpoint), { "aria-label": `Deliveries of ${endpoint.url}` }),
      button("Rotate secret", ctx.guarded(() => rotate(endpoint)), { "aria-label": `Rotate secret of ${endpoint.url}` }));
    row.append(cell("URL", endpoint.url), cell("Events", endpoint.eventTypes.join(", ")),
      cell("Enabled", endpoint.enabled ? "yes" : "no"), actions);
    return row;
  }), "No endpoints.");
  const again = endpoints.find((e) => e.id === shown) || endpoints[0];
  if (again) deliveries(again);
  else fillTable($("#deliveries"), [], "No deliveries yet.");
}
