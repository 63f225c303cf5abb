// Small DOM helpers shared by the portal's pages.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

// A table cell that carries its column's name: at phone width rows become stacked cards
// whose cells show that name (portal.css), so no table overflows sideways.
export function cell(label, text, attrs = {}) {
  return el("td", text, { "data-label": label, ...attrs });
}

export function button(text, onClick, attrs = {}) {
  const node = el("button", text, { type: "button", ...attrs });
  node.addEventListener("click", onClick);
  return node;
}

export function show(node, visible) {
  node.hidden = !visible;
}

export function when(value) {
  return value ? new Date(value).toLocaleString() : "—";
}

// An exact amount (Money: a decimal string and its ISO 4217 code) in the browser's locale.
// The string goes to Intl as it is: no binary float between the API and the screen.
export function money(value) {
  if (!value) return "—";
  return new Intl.NumberFormat(navigator.language, { style: "currency", currency: value.currency })
    .format(value.amount);
}

// "in 3 days", "2 hours ago": how long until (or since) a due date, in the browser's language.
export function countdown(value, now = Date.now()) {
  if (!value) return "—";
  const seconds = (new Date(value).getTime() - now) / 1000;
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) || units[units.length - 1];
  return new Intl.RelativeTimeFormat(navigator.language, { numeric: "auto" }).format(Math.round(seconds / size), unit);
}

// The plain message for a person: a rule id in parentheses ("… (D2).") belongs to the
// details, not the sentence (issue 37). The API sends messages without them; this keeps
// older servers' messages plain too.
export function plainMessage(message) {
  return String(message || "").replace(/\s*\((?:[ADOPR]\d{1,2})(?:\s*[,/;]\s*[ADOPR]\d{1,2})*\)/g, "").trim();
}

// One refusal (a UserError): the plain message, and a details toggle with code and rule.
export function refusal(error, tag = "li") {
  const item = el(tag, null, { "data-code": error.code });
  item.append(el("span", plainMessage(error.message), { class: "message" }));
  const details = el("details", null, { class: "why" });
  details.append(el("summary", "Details"));
  const facts = [`code ${error.code}`];
  if (error.rule) facts.push(`rule ${error.rule}`);
  if (error.field && error.field.length) facts.push(`field ${error.field.join(".")}`);
  details.append(el("span", facts.join(" · ")));
  item.append(" ", details);
  return item;
}

// Show a payload's errors in `list` (a <ul>) and mark the inputs of `form` they name.
export function showRefusals(list, errors, form = null) {
  list.replaceChildren(...errors.map((e) => refusal(e)));
  show(list, errors.length > 0);
  if (!form) return;
  for (const field of $$("[data-field]", form)) field.removeAttribute("aria-invalid");
  for (const error of errors) {
    const field = form.querySelector(`[data-field="${CSS.escape((error.field || []).join("."))}"]`);
    if (field) field.setAttribute("aria-invalid", "true");
  }
}

// A table's body filled with rows; `empty` is said when there are none.
export function fillTable(table, rows, empty = "Nothing here yet.") {
  const body = $("tbody", table);
  if (rows.length) {
    body.replaceChildren(...rows);
  } else {
    const columns = $$("thead th", table).length || 1;
    const row = el("tr", null, { class: "empty" });
    row.append(el("td", empty, { colspan: String(columns) }));
    body.replaceChildren(row);
  }
}
