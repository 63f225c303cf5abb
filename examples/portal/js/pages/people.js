// People (PARTNER_ADMIN only): the partner's users, pending invitations, invite, deactivate.
import { $, button, cell, el, fillTable, showRefusals, when } from "../ui.js";

export const title = "People";
export const adminOnly = true;

let ctx = null;

async function deactivate(user) {
  const { deactivateUser: payload } = await ctx.api.run("DeactivateUser", { input: { id: user.id } });
  showRefusals($("#people-errors"), payload.errors);
  await load();
}

async function invite(form) {
  const data = new FormData(form);
  const input = { name: data.get("name"), email: data.get("email"), role: data.get("role") };
  const { inviteUser: payload } = await ctx.api.run("InviteUser", { input });
  showRefusals($("#people-errors"), payload.errors, form);
  if (payload.errors.length) return;
  form.reset();
  await load();
}

export function wire(context) {
  ctx = context;
  $("#invite").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await invite(event.target);
  }));
}

export async function load() {
  const { users, invitations } = await ctx.api.run("People");
  fillTable($("#people"), users.nodes.map((user) => {
    const row = el("tr", null, { "data-id": user.id });
    const actions = cell("Actions");
    if (user.active && user.id !== ctx.viewer.id) {
      actions.append(button("Deactivate", ctx.guarded(() => deactivate(user)), { "aria-label": `Deactivate ${user.name}` }));
    }
    const state = user.active ? "active" : user.invitationPending ? "invited" : "deactivated";
    row.append(cell("Name", user.name), cell("Email", user.email), cell("Role", user.role),
      cell("State", state, { class: "state" }), actions);
    return row;
  }), "Nobody yet.");
  fillTable($("#invitations"), invitations.nodes.map((inv) => {
    const row = el("tr", null, { "data-id": inv.id });
    row.append(cell("Name", inv.name), cell("Email", inv.email), cell("Role", inv.role), cell("Expires", when(inv.expiresAt)));
    return row;
  }), "No pending invitations.");
}
