// Co-sell tasks (D3): the tasks of the partner's plans; partner-side ones can be completed.
import { $, button, cell, el, fillTable, showRefusals } from "../ui.js";

export const title = "Co-sell tasks";

let ctx = null;

async function complete(id) {
  const { completeCoSellTask: payload } = await ctx.api.run("CompleteCoSellTask", { input: { id } });
  showRefusals($("#tasks-error"), payload.errors);
  await load();
}

export function wire(context) {
  ctx = context;
}

export async function load() {
  const { coSellPlans } = await ctx.api.run("CoSellTasks");
  const rows = [];
  for (const plan of coSellPlans.nodes) {
    for (const task of plan.tasks) {
      const row = el("tr", null, { "data-id": task.id });
      const actions = cell("Actions");
      if (task.ownerSide === "PARTNER" && task.status !== "DONE") {
        actions.append(button("Complete", ctx.guarded(() => complete(task.id)), { "aria-label": `Complete ${task.title}` }));
      }
      row.append(cell("Opportunity", plan.opportunity ? plan.opportunity.name : "—"), cell("Task", task.title),
        cell("Side", task.ownerSide), cell("Due", task.dueDate + (task.overdue ? " (overdue)" : "")),
        cell("Status", task.status, { class: "status" }), actions);
      rows.push(row);
    }
  }
  fillTable($("#tasks"), rows, "No co-sell tasks.");
}
