// Settings: profile (name, time zone, day start) and personal access tokens.

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, formatDateTime, formatDay, setTimeZone } from "./dom.js";

const SETTINGS = `query Settings { me { email displayName timezone dayStartHour createdAt }
  apiTokens { id name scopes createdAt } }`;
const UPDATE = `mutation Profile($input: ProfileUpdateInput!) { profileUpdate(input: $input) {
  ${errorFields("InvalidInputError")} ... on User { displayName timezone dayStartHour today } } }`;
const CREATE = `mutation Token($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
  ${errorFields("InvalidInputError")} ... on ApiTokenCreated { secret apiToken { id name scopes createdAt } } } }`;
const REVOKE = `mutation Revoke($id: ID!) { apiTokenRevoke(id: $id) { ${errorFields()} ... on ApiToken { id revokedAt } } }`;

function zones(current) {
  let list = [];
  try { list = Intl.supportedValuesOf("timeZone"); } catch { list = []; }
  if (!list.includes("UTC")) list = ["UTC", ...list];
  if (current && !list.includes(current)) list = [current, ...list];
  return list;
}

function hourLabel(hour) {
  const hh = String(hour).padStart(2, "0");
  if (hour === 0) return `${hh}:00 (midnight)`;
  if (hour >= 1 && hour <= 5) return `${hh}:00 (night owl)`;
  return `${hh}:00`;
}

function profileForm(me, app) {
  const displayName = h("input", { name: "displayName", type: "text", maxlength: 80, value: me.displayName || "", autocomplete: "nickname" });
  const timezone = h("select", { name: "timezone" }, zones(me.timezone).map((z) => h("option", { value: z, selected: z === me.timezone }, z.replace(/_/g, " "))));
  const dayStart = h("select", { name: "dayStartHour" }, Array.from({ length: 24 }, (_, i) =>
    h("option", { value: String(i), selected: i === me.dayStartHour }, hourLabel(i))));
  const submit = h("button", { type: "submit", class: "button primary" }, "Save changes");
  const saved = h("p", { class: "saved small", role: "status" });
  const form = h("form", { class: "settings-form", novalidate: true, "aria-labelledby": "profile-title" },
    h("h2", { id: "profile-title" }, "Profile"),
    h("p", { class: "muted small" }, `Signed in as ${me.email}, member since ${formatDay(me.createdAt.slice(0, 10), { day: "numeric", month: "long", year: "numeric" })}.`),
    field("Display name", displayName),
    field("Time zone", timezone, "Your days follow this zone."),
    field("My day starts at", dayStart, "Up late? With 04:00, a check-in at 01:30 still counts for the day before. Past check-ins keep their day."),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit, saved));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(submit, true);
    saved.textContent = "";
    try {
      const user = unwrap((await gql(UPDATE, { input: { displayName: displayName.value.trim(), timezone: timezone.value,
        dayStartHour: Number(dayStart.value) } })).profileUpdate);
      showFormError(form, null);
      if (app.me) Object.assign(app.me, user);
      setTimeZone(user.timezone);
      saved.textContent = "Saved.";
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  return form;
}

function tokensSection(initial) {
  let tokens = initial;
  const list = h("ul", { class: "tokens" });
  const reveal = h("div", { class: "secret-slot" });
  const name = h("input", { name: "name", type: "text", maxlength: 80, placeholder: "e.g. Shortcut on my phone", autocomplete: "off" });
  const read = h("input", { type: "checkbox", name: "scopes", value: "READ", checked: true, id: "scope-read" });
  const write = h("input", { type: "checkbox", name: "scopes", value: "WRITE", id: "scope-write" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Create token");
  const form = h("form", { class: "token-form", novalidate: true, "aria-labelledby": "new-token-title" },
    h("h3", { id: "new-token-title" }, "New token"),
    field("Token name", name),
    h("fieldset", { class: "field scopes", dataset: { field: "scopes" } }, h("legend", {}, "It may"),
      h("label", { class: "check" }, read, " Read (see habits and progress)"),
      h("label", { class: "check" }, write, " Write (log check-ins, change things; includes read)"),
      h("p", { class: "field-error" })),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit));

  const drawList = () => {
    list.replaceChildren(...(tokens.length ? tokens.map((t) => tokenItem(t)) : [h("li", { class: "muted empty" },
      "No tokens yet. Create one to log check-ins from a script or a shortcut.")]));
  };

  function tokenItem(t) {
    const revoke = h("button", { type: "button", class: "button ghost danger-text", "aria-label": `Revoke token ${t.name}` }, "Revoke");
    const status = h("span", { class: "small", role: "status" });
    revoke.addEventListener("click", async () => {
      if (revoke.dataset.confirm !== "yes") {
        revoke.dataset.confirm = "yes";
        revoke.textContent = "Revoke now?";
        revoke.setAttribute("aria-label", `Confirm: revoke token ${t.name}`);
        return;
      }
      busy(revoke, true);
      try {
        unwrap((await gql(REVOKE, { id: t.id })).apiTokenRevoke);
        tokens = tokens.filter((x) => x.id !== t.id);
        drawList();
        reveal.replaceChildren(h("p", { class: "saved small", role: "status" }, `Token “${t.name}” revoked. It stopped working at once.`));
      } catch (error) {
        status.textContent = error.message;
        busy(revoke, false);
      }
    });
    return h("li", { class: "token", dataset: { tokenId: t.id } },
      h("div", {}, h("strong", {}, t.name || "Unnamed token"),
        h("span", { class: "muted small" }, ` ${t.scopes.includes("WRITE") ? "read and write" : "read only"} · created ${formatDateTime(t.createdAt)}`)),
      h("div", { class: "row" }, revoke, status));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const scopes = [read, write].filter((c) => c.checked).map((c) => c.value);
    if (!name.value.trim()) { showFormError(form, { field: "name", message: "Give the token a name, so you know where it is used." }); return; }
    if (!scopes.length) { showFormError(form, { field: "scopes", message: "Choose at least one permission." }); return; }
    busy(submit, true);
    try {
      const created = unwrap((await gql(CREATE, { input: { name: name.value.trim(), scopes } })).apiTokenCreate);
      showFormError(form, null);
      tokens = [created.apiToken, ...tokens];
      drawList();
      name.value = "";
      reveal.replaceChildren(secretBox(created.secret, created.apiToken.name));
      reveal.querySelector("input").focus();
      reveal.querySelector("input").select();
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });

  drawList();
  return h("section", { class: "card", "aria-labelledby": "tokens-title" },
    h("h2", { id: "tokens-title" }, "API tokens"),
    h("p", { class: "muted small" }, "Personal access tokens let your own scripts use the API: send ",
      h("code", {}, "Authorization: Bearer <token>"), " to ", h("code", {}, "/graphql"), "."),
    reveal, list, form);
}

function secretBox(secret, name) {
  const input = h("input", { type: "text", readonly: true, value: secret, class: "secret", "aria-label": `Secret of token ${name}`, spellcheck: "false" });
  const copy = h("button", { type: "button", class: "button primary" }, "Copy");
  const copied = h("span", { class: "small", role: "status" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copied.textContent = "Copied.";
    } catch {
      input.select();
      copied.textContent = "Press Ctrl+C (or ⌘C) to copy.";
    }
  });
  const done = h("button", { type: "button", class: "button ghost" }, "I've saved it");
  const box = h("div", { class: "secret-box", role: "region", "aria-label": "New token secret" },
    h("p", {}, h("strong", {}, `Your new token “${name}”. `), "Copy it now: it will not be shown again."),
    h("div", { class: "row nowrap" }, input, copy), h("div", { class: "row" }, done, copied));
  done.addEventListener("click", () => box.remove());
  return box;
}

export async function render(root, { app }) {
  const skeleton = h("div", { class: "settings-grid", "aria-busy": "true" },
    h("div", { class: "card" }, [1, 2, 3, 4].map(() => h("span", { class: "skeleton line w80" }))),
    h("div", { class: "card" }, [1, 2, 3].map(() => h("span", { class: "skeleton line w80" }))));
  root.append(h("div", { class: "page-head" }, h("h1", {}, "Settings")), skeleton);
  const data = await gql(SETTINGS);
  const logout = h("button", { type: "button", class: "button ghost" }, "Log out");
  logout.addEventListener("click", async () => {
    try { await gql("mutation { logOut }"); } catch { /* already gone */ }
    app.signOut();
  });
  skeleton.replaceWith(h("div", { class: "settings-grid" },
    h("section", { class: "card" }, profileForm(data.me, app)),
    tokensSection(data.apiTokens),
    h("section", { class: "card" }, h("h2", {}, "Session"), h("p", { class: "muted small" }, "Log out of this browser."), logout)));
  return {};
}
