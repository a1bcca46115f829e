// The dashboard shell: hash routes, the signed-in user, live events and toasts.

import { gql, getToken, clearToken, onUnauthenticated, subscribeEvents } from "./api.js";
import { h, icon, setTimeZone } from "./dom.js";
import { registerServiceWorker, shareToken } from "./push.js";
import * as auth from "./view-auth.js";
import * as today from "./view-today.js";
import * as habit from "./view-habit.js";
import * as confidence from "./view-confidence.js";
import * as achievements from "./view-achievements.js";
import * as program from "./view-program.js";
import * as settings from "./view-settings.js";

const VIEWS = {
  login: { view: auth, title: "Log in", open: true },
  signup: { view: auth, title: "Sign up", open: true },
  today: { view: today, title: "Today" },
  habit: { view: habit, title: "Habit" },
  confidence: { view: confidence, title: "Confidence" },
  achievements: { view: achievements, title: "Achievements" },
  program: { view: program, title: "Program" },
  settings: { view: settings, title: "Settings" },
};

const TABS = {
  today: ["today", "Today"],
  confidence: ["confidence", "Confidence"],
  achievements: ["achievements", "Achievements", "Badges"],
  program: ["program", "Program"],
  settings: ["settings", "Settings"],
};

const ME = "query Me { me { id email displayName timezone dayStartHour today createdAt } }";

export const app = {
  me: null,
  current: null, // { name, handle }
  stopLive: null,

  async loadMe() {
    const data = await gql(ME);
    this.me = data.me;
    setTimeZone(this.me.timezone);
    return this.me;
  },

  /** Today's local date for the user (re-read from the service: it may have turned midnight). */
  async today() {
    await this.loadMe();
    return this.me.today;
  },

  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },

  signedIn() {
    startLive();
    shareToken(getToken());
    this.go("#/today");
  },

  signOut() {
    clearToken();
    shareToken(null);
    this.me = null;
    stopLive();
    this.go("#/login");
  },

  toast,
};

// --- toasts ---------------------------------------------------------------------------------

// At most this many toasts show at once, newest last; older ones fold into a "N more" button, so a burst
// of unlocks never covers the page's own buttons. (What the user just did in a view is confirmed in that
// view, not here: toasts are for what happens elsewhere.)
export const TOASTS_SHOWN = 3;
let toastsExpanded = false;

function layoutToasts() {
  const region = document.querySelector(".toasts");
  const all = [...region.querySelectorAll(".toast")];
  const folded = toastsExpanded ? [] : all.slice(0, Math.max(0, all.length - TOASTS_SHOWN));
  all.forEach((el) => { el.hidden = folded.includes(el); });
  let more = region.querySelector(".toast-more");
  if (!folded.length) { if (more) more.remove(); if (all.length <= TOASTS_SHOWN) toastsExpanded = false; return; }
  if (!more) {
    more = h("button", { type: "button", class: "toast-more", onclick: () => { toastsExpanded = true; layoutToasts(); } });
    region.prepend(more);
  }
  more.textContent = `${folded.length} more notification${folded.length === 1 ? "" : "s"}`;
}

export function toast(title, body = "", { tone = "info", href = null, timeout = 8000 } = {}) {
  const region = document.querySelector(".toasts");
  const close = h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss notification" }, "×");
  const text = h("div", { class: "toast-text" }, h("strong", {}, title), body ? h("span", {}, body) : null);
  const el = h("div", { class: `toast toast-${tone}`, role: tone === "error" ? "alert" : "status" },
    icon(tone === "achievement" ? "star" : tone === "step" ? "program" : tone === "error" ? "lock" : "check"),
    href ? h("a", { href, class: "toast-link" }, text) : text, close);
  const remove = () => { el.remove(); layoutToasts(); };
  close.addEventListener("click", remove);
  region.append(el);
  layoutToasts();
  let timer = setTimeout(remove, timeout);
  el.addEventListener("mouseenter", () => clearTimeout(timer));
  el.addEventListener("mouseleave", () => { timer = setTimeout(remove, timeout / 2); });
  return el;
}

// --- live events ----------------------------------------------------------------------------

function setLive(state) {
  const el = document.querySelector(".live");
  el.dataset.state = state;
  document.body.dataset.live = state;
  el.querySelector(".live-text").textContent = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
}

function onEvent(event) {
  if (event.__typename === "AchievementUnlocked") {
    toast(`Achievement unlocked: ${event.title}`, "See it with the others.", { tone: "achievement", href: "#/achievements" });
  } else if (event.__typename === "ReminderDue") {
    toast(`Reminder: ${event.habit.name}`, event.habit.question || "Check it in when it's done.", { href: `#/habit/${event.habit.id}` });
  } else if (event.__typename === "StepUnlocked") {
    toast(`Step ${event.position} is open: ${event.title}`, "Read it in the program.", { tone: "step", href: `#/program/${event.key}` });
  }
  const handle = app.current && app.current.handle;
  if (handle && typeof handle.onEvent === "function") handle.onEvent(event);
}

function startLive() {
  if (app.stopLive || !getToken()) return;
  app.stopLive = subscribeEvents(onEvent, setLive);
}

function stopLive() {
  if (app.stopLive) app.stopLive();
  app.stopLive = null;
  setLive("offline");
}

// --- routing --------------------------------------------------------------------------------

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || "today", params: parts.slice(1) };
}

const NOT_FOUND = { view: { render: notFound }, title: "Not found" };

/** An address the dashboard does not know: say so, instead of quietly showing another page. */
function notFound(container) {
  container.append(h("section", { class: "card empty-state" },
    h("h1", {}, "Page not found"),
    h("p", {}, `There is no page at ${location.hash}. It may have moved, or the link may be mistyped.`),
    h("a", { class: "button primary", href: getToken() ? "#/today" : "#/login" },
      getToken() ? "Go to Today" : "Log in")));
}

async function route() {
  const parsed = parseHash();
  const { params } = parsed;
  // An unknown address is answered by a view of its own, signed in or not.
  const name = VIEWS[parsed.name] ? parsed.name : "not-found";
  const entry = VIEWS[name] || { ...NOT_FOUND, open: !getToken() };
  if (!entry.open && !getToken()) { app.go("#/login"); return; }
  if (entry.open && getToken()) { app.go("#/today"); return; }

  const header = document.querySelector(".topbar");
  header.hidden = Boolean(entry.open);
  document.body.classList.toggle("signed-out", Boolean(entry.open));
  document.querySelectorAll(".tabs a").forEach((a) => {
    const active = a.dataset.route === name || (name === "habit" && a.dataset.route === "today");
    if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });

  if (app.current && app.current.handle && app.current.handle.destroy) app.current.handle.destroy();
  const main = document.getElementById("main");
  const container = h("div", { class: `view view-${name}` });
  main.replaceChildren(container);
  document.title = `${entry.title} · Comeback`;
  const current = { name, handle: null };
  app.current = current;
  // Lets tests (and anyone curious) tell when a view has its data on screen.
  document.body.dataset.view = name;
  document.body.dataset.ready = "false";
  if (!entry.open) startLive();
  try {
    if (!entry.open && !app.me) await app.loadMe();
    if (app.current !== current) return;
    current.handle = (await entry.view.render(container, { name, params, app })) || null;
    if (app.current === current) document.body.dataset.ready = "true";
  } catch (error) {
    document.body.dataset.ready = "error";
    container.replaceChildren(h("div", { class: "card error-state", role: "alert" },
      h("h1", {}, "This page could not load"), h("p", {}, error.message || String(error)),
      h("button", { type: "button", class: "button", onclick: () => route() }, "Try again")));
  }
}

function buildTabs() {
  document.querySelectorAll(".tabs a").forEach((a) => {
    const [iconName, label, short] = TABS[a.dataset.route];
    // On a phone the tab bar shows a shorter word; the accessible name stays the full one.
    a.setAttribute("aria-label", label);
    a.replaceChildren(icon(iconName), h("span", { class: "tab-label", dataset: short ? { short } : {} }, label));
  });
  const logout = h("button", { type: "button", class: "link-button logout", onclick: async () => {
    try { await gql("mutation { logOut }"); } catch { /* the session may already be gone */ }
    app.signOut();
  } }, "Log out");
  document.querySelector(".topbar-inner").append(logout);
}

let previousHash = location.hash;
window.addEventListener("hashchange", () => {
  const moved = previousHash !== location.hash;
  previousHash = location.hash;
  route().then(() => {
    if (moved) document.getElementById("main").focus({ preventScroll: true });
  });
  window.scrollTo(0, 0);
});

onUnauthenticated(() => {
  stopLive();
  shareToken(null);
  app.me = null;
  toast("Please log in again", "Your session has ended.", { tone: "error" });
  app.go("#/login");
});

buildTabs();
route();
// Registering asks nothing of the user; push permission waits for the button on a habit's page.
registerServiceWorker();
