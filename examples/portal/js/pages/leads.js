// The lead inbox (P11): shared leads to accept or reject within 5 business days, accepted
// ones to act on within 10, with countdowns to each due date; an extension request.
import { $, button, cell, countdown, el, fillTable, show, showRefusals, when } from "../ui.js";

export const title = "Leads";

let ctx = null;
let selected = null; // the lead being worked

function due(value, overdue) {
  return value ? `${countdown(value)}${overdue ? " (overdue)" : ""}` : "—";
}

function select(lead) {
  selected = lead;
  $("#lead-company").textContent = lead.company;
  const form = $("#lead-decision");
  form.dataset.id = lead.id;
  show(form, true);
  showRefusals($("#lead-errors"), []);
  form.querySelector("input[name=note]").focus();
}

async function decide(kind) {
  const form = $("#lead-decision");
  const data = new FormData(form);
  const note = String(data.get("note") || "");
  const base = { id: selected.id, expectedVersion: selected.version };
  // One named document per decision, each called by its name.
  const calls = {
    accept: async () => (await ctx.api.run("AcceptLead", { input: { ...base, note } })).acceptLead,
    reject: async () => (await ctx.api.run("RejectLead", { input: { ...base, reason: note } })).rejectLead,
    act: async () => (await ctx.api.run("RecordLeadAction",
      { input: { ...base, action: data.get("action"), note, reason: note } })).recordLeadAction,
    extend: async () => (await ctx.api.run("RequestLeadExtension",
      { input: { ...base, days: Number(data.get("days")), reason: note } })).requestLeadExtension,
  };
  const payload = await calls[kind]();
  showRefusals($("#lead-errors"), payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  show(form, false);
  await load();
}

export function wire(context) {
  ctx = context;
  for (const kind of ["accept", "reject", "act", "extend"]) {
    $(`#lead-decision [data-lead=${kind}]`).addEventListener("click", context.guarded(() => decide(kind)));
  }
}

export async function load() {
  const { leads } = await ctx.api.run("Leads", { first: 50 });
  $("#leads-count").textContent = `(${leads.totalCount})`;
  const rows = leads.nodes.map((lead) => {
    const row = el("tr", null, { "data-id": lead.id });
    const actions = cell("Actions");
    if (["SHARED", "ACCEPTED", "CONTACTED", "MEETING"].includes(lead.status)) {
      actions.append(button("Work", () => select(lead), { "aria-label": `Work the lead ${lead.company}` }));
    }
    const acceptDue = lead.status === "SHARED" ? lead.acceptDueAt : null;
    row.append(cell("Company", lead.company), cell("Contact", `${lead.contactName} <${lead.contactEmail}>`),
      cell("Status", lead.status + (lead.extensionPending ? " (extension asked)" : ""), { class: "status" }),
      cell("Accept by", due(acceptDue, lead.acceptOverdue),
        { class: lead.acceptOverdue ? "overdue accept-due" : "accept-due", "data-due": acceptDue || "", title: when(acceptDue) }),
      cell("Act by", due(lead.actionDueAt, lead.actionOverdue),
        { class: lead.actionOverdue ? "overdue action-due" : "action-due", "data-due": lead.actionDueAt || "",
          title: when(lead.actionDueAt) }),
      actions);
    return row;
  });
  fillTable($("#leads"), rows, "No leads shared with you.");
}
