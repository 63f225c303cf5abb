// One scorecard panel: a Chart.js chart and, right under it, the table of the same figures.
// The table is the accessible alternative (screen readers, keyboard, phone width: stacked
// cards); the chart is a picture of it (role="img"). Chart.js is the UMD build from the npm
// registry (index.html: window.Chart); without it the tables still show every figure.
import { cell, el, fillTable } from "./ui.js";

const COLORS = ["#1b3a7a", "#2f7d4f", "#b00020", "#a15c00", "#6b3fa0", "#00708a"];
const charts = new Map();

if (window.Chart) {
  window.Chart.defaults.animation = false; // drawn once per answer: screenshots and tests see the final state
  window.Chart.defaults.maintainAspectRatio = false;
}

// A figure's value in a row: "timeToFirstReview.medianHours" walks the nested object.
export function figure(row, path) {
  return path.split(".").reduce((value, key) => (value === null || value === undefined ? null : value[key]), row);
}

// A panel: { id, title, hint, ticks (the y axis'), columns: [{ label, path, text(value), plot(value) | undefined, line }] }.
// Columns with `plot` are drawn (one dataset each, `line: true` as a line over the bars).
export function panel(spec, rows, container) {
  const section = el("section", null, { class: "scorecard-panel", id: `scorecard-${spec.id}`,
    "aria-labelledby": `scorecard-${spec.id}-title` });
  section.append(el("h3", spec.title, { id: `scorecard-${spec.id}-title` }));
  if (spec.hint) section.append(el("p", spec.hint, { class: "hint" }));
  const plotted = spec.columns.filter((c) => c.plot);
  if (window.Chart && rows.length && plotted.length) {
    const holder = el("div", null, { class: "chart" });
    const canvas = el("canvas", null, { role: "img",
      "aria-label": `${spec.title}, by quarter: a chart of the figures in the table that follows.` });
    holder.append(canvas);
    section.append(holder);
    if (charts.has(spec.id)) charts.get(spec.id).destroy();
    charts.set(spec.id, new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map((r) => r.quarter),
        datasets: plotted.map((c, i) => ({
          label: c.label, type: c.line ? "line" : "bar", data: rows.map((r) => c.plot(figure(r, c.path))),
          backgroundColor: COLORS[i % COLORS.length], borderColor: COLORS[i % COLORS.length],
        })),
      },
      options: { responsive: true, scales: { y: { beginAtZero: true, ticks: spec.ticks || {} } }, plugins: { legend: { position: "bottom" } } },
    }));
  } else if (charts.has(spec.id)) {
    charts.get(spec.id).destroy();
    charts.delete(spec.id);
  }
  const table = el("table", null, { id: `scorecard-${spec.id}-table` });
  table.append(el("caption", `${spec.title}, by quarter`));
  const head = el("tr");
  head.append(el("th", "Quarter", { scope: "col" }), ...spec.columns.map((c) => el("th", c.label, { scope: "col" })));
  const thead = el("thead");
  thead.append(head);
  table.append(thead, el("tbody"));
  fillTable(table, rows.map((r) => {
    const tr = el("tr", null, { "data-quarter": r.quarter });
    tr.append(cell("Quarter", r.quarter, { "data-figure": "quarter" }),
      ...spec.columns.map((c) => cell(c.label, c.text(figure(r, c.path)), { "data-figure": c.path })));
    return tr;
  }), "No figures for this period.");
  section.append(table);
  container.append(section);
}
