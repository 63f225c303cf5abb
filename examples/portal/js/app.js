// The reference partner portal: sign in (single sign-on, or a token for developers), then
// one page per partner capability. Every call goes through a named document (./api.js);
// the API scopes everything to the signed-in user's partner.
import { Api, ApiError } from "./api.js";
import { $, $$, el, show } from "./ui.js";
import { finishSignIn, forget, ssoEnabled, startSignIn } from "./sso.js";
import * as registrations from "./pages/registrations.js";
import * as leads from "./pages/leads.js";
import * as cases from "./pages/cases.js";
import * as tasks from "./pages/tasks.js";
import * as people from "./pages/people.js";
import * as webhooks from "./pages/webhooks.js";
import * as locator from "./pages/locator.js";
import * as scorecard from "./pages/scorecard.js";

const PAGES = { registrations, leads, cases, tasks, people, webhooks, locator, scorecard };
const TOKEN_KEY = "cosell-portal-token";

const params = new URLSearchParams(location.search);
// The portal's own settings file (README: config.json); ?api=… overrides its API URL.
const config = await fetch(new URL("../config.json", import.meta.url)).then((r) => r.json());
// The override outlives the trip to the identity provider, whose redirect URI has no query.
if (params.get("api")) sessionStorage.setItem("cosell-portal-api", params.get("api"));
const API_URL = params.get("api") || sessionStorage.getItem("cosell-portal-api") || config.api
  || "http://127.0.0.1:8000/graphql";

const context = { api: null, viewer: null, config };

// ------------------------------------------------------------------ sign in

// What a refused sign-in says: the API's 401 names the reason (server/sso.py); a person
// gets a sentence they can act on, the reason stays in the details.
function signInMessage(err, how) {
  if (err.code === "SSO") return "Sign-in with your identity provider did not complete. Try again.";
  if (err.code !== "UNAUTHENTICATED") return err.message;
  if (how === "token") return "That token is not valid.";
  if (/expired/i.test(err.message)) return "Your sign-in has expired. Sign in again.";
  if (/audience/i.test(err.message)) {
    return "Your identity provider signed you in for another application, so cosell refused the sign-in. "
      + "Ask your administrator to check the portal's single sign-on settings (audience).";
  }
  if (/no active cosell user/i.test(err.message)) {
    return "You signed in, but cosell has no partner user for you. Ask your partner's administrator for an invitation.";
  }
  return "cosell refused the sign-in.";
}

function showSignInError(err, how) {
  const box = $("#sign-in-error");
  box.replaceChildren(el("span", signInMessage(err, how), { class: "message" }));
  if (err.code === "UNAUTHENTICATED" || err.code === "SSO") {
    const details = el("details", null, { class: "why" });
    details.append(el("summary", "Details"), el("span", err.message));
    box.append(" ", details);
  }
  show(box, true);
}

async function signIn(token, how) {
  show($("#sign-in-error"), false);
  const candidate = new Api(API_URL, token);
  try {
    const { viewer } = await candidate.run("Viewer");
    if (!viewer || !viewer.partner) throw new ApiError("This portal is for partner users.", "NOT_A_PARTNER");
    context.api = candidate;
    context.viewer = viewer;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("#viewer").textContent = `${viewer.name} · ${viewer.partner.name}`;
    show($("#viewer"), true);
    show($("#sign-out"), true);
    show($("#sign-in-section"), false);
    buildNav();
    show($("#portal"), true);
    await route();
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignInError(err, how);
  }
}

async function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  await forget(config);
  location.hash = "";
  location.reload();
}

// ------------------------------------------------------------------ pages

function allowed(page) {
  return !page.adminOnly || context.viewer.role === "PARTNER_ADMIN";
}

function buildNav() {
  const list = $("#nav ul");
  list.replaceChildren(...Object.entries(PAGES).filter(([, page]) => allowed(page)).map(([name, page]) => {
    const item = el("li");
    item.append(el("a", page.title, { href: `#${name}`, "data-nav": name }));
    return item;
  }));
  show($("#nav"), true);
}

async function route() {
  if (!context.api) return;
  let name = location.hash.slice(1) || "registrations";
  if (!PAGES[name] || !allowed(PAGES[name])) name = "registrations";
  for (const section of $$("[data-page]")) show(section, section.dataset.page === name);
  for (const link of $$("#nav a")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${PAGES[name].title} · Partner portal · cosell`;
  show($("#portal-error"), false);
  await guarded(() => PAGES[name].load(context))();
}

// ------------------------------------------------------------------ wiring

// An action's unexpected failure: signed out on UNAUTHENTICATED, else said in an alert region.
function guarded(fn) {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ApiError && err.code === "UNAUTHENTICATED") await signOut();
      else {
        const box = $("#portal-error");
        box.textContent = err.message;
        show(box, true);
      }
    }
  };
}
context.guarded = guarded;

for (const [name, page] of Object.entries(PAGES)) {
  if (page.wire) page.wire(context, $(`[data-page="${name}"]`));
}

window.addEventListener("hashchange", () => route());
$("#sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn($("#token").value.trim(), "token");
});
$("#sign-out").addEventListener("click", signOut);

show($("#token-sign-in"), config.tokenSignIn !== false);
if (ssoEnabled(config)) {
  const button = $("#sso-sign-in");
  if (config.oidc.label) button.textContent = config.oidc.label;
  button.addEventListener("click", () => startSignIn(config).catch((err) => showSignInError(err, "sso")));
  show($("#sso"), true);
  if (config.tokenSignIn === false) $("#token-sign-in").remove();
} else {
  $("#token-sign-in").open = true;
}

let returned = null;
try {
  returned = ssoEnabled(config) ? await finishSignIn(config) : null;
} catch (err) {
  showSignInError(new ApiError(err.message, "SSO"), "sso");
}
const saved = returned || sessionStorage.getItem(TOKEN_KEY);
if (saved) await signIn(saved, returned ? "sso" : "token");
