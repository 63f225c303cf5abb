// The partner's scorecard: charts of channel metrics once the API has them (the analytics
// issue). Until then, or where introspection is off, the page says so.
import { $, el } from "../ui.js";

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

export function wire(context) {
  ctx = context;
}

export async function load() {
  const box = $("#scorecard");
  if (await metricsEnabled()) {
    box.replaceChildren(el("p", "This API has channel metrics; the scorecard's charts come with the portal version that reads them.",
      { id: "scorecard-state", "data-state": "metrics" }));
  } else {
    box.replaceChildren(el("p", "Your scorecard will be available once channel metrics are enabled.",
      { id: "scorecard-state", "data-state": "unavailable" }));
  }
}
