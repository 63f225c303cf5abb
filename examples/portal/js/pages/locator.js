// The partner locator (D7): search the public directory of partners.
import { $, cell, el, fillTable, showRefusals } from "../ui.js";

export const title = "Locator";

let ctx = null;

async function search(form) {
  const data = new FormData(form);
  const input = { first: 50 };
  for (const name of ["text", "region", "country"]) {
    const value = String(data.get(name) || "").trim();
    if (value) input[name] = name === "country" ? value.toUpperCase() : value;
  }
  let result;
  try {
    result = await ctx.api.run("Locator", { input });
  } catch (err) {
    // A refused search (bad country, …) is a request error with the message to show.
    if (err.code === "UNAUTHENTICATED") throw err;
    showRefusals($("#locator-errors"), [{ code: err.code, message: err.message, field: [], rule: null }]);
    return;
  }
  showRefusals($("#locator-errors"), []);
  const { partnerLocator } = result;
  $("#locator-count").textContent = `${partnerLocator.totalCount} partner(s) found.`;
  fillTable($("#locator"), partnerLocator.nodes.map((p) => {
    const row = el("tr", null, { "data-id": p.id });
    const site = cell("Website");
    if (p.website) site.append(el("a", p.website, { href: p.website.startsWith("http") ? p.website : `https://${p.website}`,
      rel: "noopener", target: "_blank" }));
    row.append(cell("Partner", p.name), cell("Type", p.type), cell("Track", p.track), cell("Country", p.country), site);
    return row;
  }), "No partner matches.");
}

export function wire(context) {
  ctx = context;
  $("#locator-search").addEventListener("submit", context.guarded(async (event) => {
    event.preventDefault();
    await search(event.target);
  }));
}

export async function load() {
  await search($("#locator-search"));
}
