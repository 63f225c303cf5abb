// Cases (D9): the partner's "Partner Opp" cases; open one, follow it, comment. Internal
// comments are the SMB team's: the API never gives them to a partner user, and the portal
// would not show one anyway.
import { $, button, cell, el, fillTable, show, showRefusals, when } from "../ui.js";

export const title = "Cases";

let ctx = null;
let current = null;

async function open(id) {
  current = id;
  const { node } = await ctx.api.run("Case", { id });
  const box = $("#case");
  if (!node) return show(box, false);
  $("#case-subject").textContent = node.subject;
  $("#case-status").textContent = node.status;
  box.dataset.id = node.id;
  box.dataset.version = node.version;
  const comments = node.comments.filter((c) => !c.internal);
  $("#case-comments").replaceChildren(...(comments.length ? comments.map((c) => el("li",
    `${when(c.createdAt)} · ${c.author ? c.author.name : "—"}: ${c.body}`)) : [el("li", "No comments yet.")]));
  show(box, true);
}

async function comment(form) {
  const body = String(new FormData(form).get("body") || "");
  const { commentOnCase: payload } = await ctx.api.run("CommentOnCase", { input: { id: current, body } });
  showRefusals($("#case-errors"), payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  await open(current);
}

async function openCase(form) {
  const data = new FormData(form);
  const input = { type: "PARTNER_OPP", subject: data.get("subject"), description: data.get("description"),
                  accountName: data.get("accountName") || "" };
  const { openCase: payload } = await ctx.api.run("OpenCase", { input });
  showRefusals($("#case-errors"), payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  await load();
  await open(payload.case.id);
}

export function wire(context) {
  ctx = context;
  $("#comment").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await comment(event.target);
  }));
  $("#open-case").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await openCase(event.target);
  }));
}

export async function load() {
  const { cases } = await ctx.api.run("Cases", { first: 50 });
  $("#cases-count").textContent = `(${cases.totalCount})`;
  fillTable($("#cases"), cases.nodes.map((c) => {
    const row = el("tr", null, { "data-id": c.id });
    const actions = cell("Actions");
    actions.append(button("Open", ctx.guarded(() => open(c.id)), { "aria-label": `Open the case ${c.subject}` }));
    row.append(cell("Subject", c.subject), cell("Account", c.accountName || "—"),
      cell("Status", c.status, { class: "status" }), cell("Opened", when(c.openedAt)), actions);
    return row;
  }), "No cases.");
  if (current) await open(current);
}
