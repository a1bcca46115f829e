// Settings: profile (name, time zone, day start), personal access tokens, the browsers that receive
// reminders by Web Push, your data in Loop Habit Tracker's format (download an export; import one,
// all or nothing), and owning your account (password, sessions, deletion: settings-account.js).

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, formatDateTime, formatDay, setTimeZone, confirmedTwice } from "./dom.js";
import { SESSIONS, passwordSection, sessionsSection, deleteSection } from "./settings-account.js";
import { webhooksSection, WEBHOOK_FIELDS } from "./view-webhooks.js";

const SETTINGS = `query Settings { me { email displayName timezone dayStartHour createdAt }
  apiTokens { id name scopes createdAt } ${SESSIONS} pushSubscriptions { endpoint userAgent createdAt }
  webhooks { ${WEBHOOK_FIELDS} } }`;
const UPDATE = `mutation Profile($input: ProfileUpdateInput!) { profileUpdate(input: $input) {
  ${errorFields("InvalidInputError")} ... on User { displayName timezone dayStartHour today } } }`;
const CREATE = `mutation Token($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
  ${errorFields("InvalidInputError")} ... on ApiTokenCreated { secret apiToken { id name scopes createdAt } } } }`;
const LOOP_EXPORT = `query LoopExport { loopExport { filename archive } }`;
const LOOP_IMPORT = `mutation LoopImport($input: LoopImportInput!) { loopImport(input: $input) {
  ${errorFields("InvalidInputError", "DuplicateError")} ... on LoopImportReport { dryRun habitsCreated checkInsCreated
    skipsCreated warnings habits { name action exact warnings } } } }`;
const PUSH_REMOVE = `mutation PushRemove($endpoint: String!) { pushSubscriptionRemove(endpoint: $endpoint) }`;
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
      if (!confirmedTwice(revoke, "Revoke now?", `Confirm: revoke token ${t.name}`)) return;
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

function secretBox(secret, name, kind = "token") {
  const input = h("input", { type: "text", readonly: true, value: secret, class: "secret", "aria-label": `Secret of ${kind} ${name}`, spellcheck: "false" });
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
  const box = h("div", { class: "secret-box", role: "region", "aria-label": `New ${kind} secret` },
    h("p", {}, h("strong", {}, kind === "token" ? `Your new token “${name}”. ` : `The signing secret of your new ${kind}. `),
      "Copy it now: it will not be shown again."),
    h("div", { class: "row nowrap" }, input, copy), h("div", { class: "row" }, done, copied));
  done.addEventListener("click", () => box.remove());
  return box;
}

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function base64Of(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function loopSection() {
  const download = h("button", { type: "button", class: "button" }, "Download for Loop Habit Tracker");
  const said = h("p", { class: "small", role: "status" });
  download.addEventListener("click", async () => {
    busy(download, true);
    said.textContent = "";
    try {
      const { filename, archive } = (await gql(LOOP_EXPORT)).loopExport;
      const link = h("a", { href: URL.createObjectURL(new Blob([bytesOf(archive)], { type: "application/zip" })),
        download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      said.textContent = `Saved ${filename}.`;
    } catch (error) {
      said.textContent = error.message;
    } finally {
      busy(download, false);
    }
  });
  const file = h("input", { type: "file", name: "loopZip", accept: ".zip,application/zip" });
  const importButton = h("button", { type: "submit", class: "button" }, "Import");
  const report = h("div", { class: "loop-report", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "settings-form", "aria-labelledby": "loop-import-title" },
    h("h3", { id: "loop-import-title" }, "Import from Loop Habit Tracker"),
    field("Loop's 'Export as CSV' file", file, "All or nothing; importing the same file again adds only what is new."),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, importButton), report);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file.files.length) { showFormError(form, { message: "Choose the ZIP Loop made." }); return; }
    busy(importButton, true);
    report.replaceChildren();
    try {
      const archive = base64Of(await file.files[0].arrayBuffer());
      const out = unwrap((await gql(LOOP_IMPORT, { input: { archive } })).loopImport);
      showFormError(form, null);
      report.append(h("p", {}, `Imported ${out.habitsCreated} new habits, ${out.checkInsCreated} check-ins and `
        + `${out.skipsCreated} skipped days.`),
        h("ul", { class: "small" }, out.habits.map((habit) => h("li", {},
          `${habit.name}: ${habit.exact ? "Loop's numbers exactly" : "see the notes"}`
          + (habit.warnings.length ? ` (${habit.warnings.join(" ")})` : "")))),
        ...out.warnings.map((warning) => h("p", { class: "muted small" }, warning)));
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(importButton, false);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, "Your data"),
    h("p", { class: "muted small" }, "Your habits in Loop Habit Tracker's 'Export as CSV' format: the same files, "
      + "columns and numbers Loop writes."),
    h("div", { class: "row" }, download), said, form);
}

function devicesSection(devices) {
  const list = h("ul", { class: "devices" });
  const empty = h("p", { class: "muted small" }, "No browser shows your reminders yet: turn them on from a habit's page.");
  function draw() {
    empty.hidden = list.children.length > 0;
  }
  for (const device of devices) {
    const remove = h("button", { type: "button", class: "link-button danger-text" }, "Remove");
    const item = h("li", { class: "device" },
      h("span", { class: "device-name" }, device.userAgent || "A browser"),
      h("span", { class: "muted small" }, ` since ${formatDateTime(device.createdAt)}`), remove);
    remove.addEventListener("click", async () => {
      busy(remove, true);
      try {
        await gql(PUSH_REMOVE, { endpoint: device.endpoint });
        item.remove();
        draw();
      } catch {
        busy(remove, false);
      }
    });
    list.append(item);
  }
  draw();
  return h("section", { class: "card", "aria-labelledby": "devices-title" },
    h("h2", { id: "devices-title" }, "Reminders in your browsers"),
    h("p", { class: "muted small" }, "These browsers show your reminders as notifications (Web Push)."),
    list, empty);
}

export async function render(root, { app }) {
  const skeleton = h("div", { class: "settings-grid", "aria-busy": "true" },
    h("div", { class: "card" }, [1, 2, 3, 4].map(() => h("span", { class: "skeleton line w80" }))),
    h("div", { class: "card" }, [1, 2, 3].map(() => h("span", { class: "skeleton line w80" }))));
  root.append(h("div", { class: "page-head" }, h("h1", {}, "Settings")), skeleton);
  const data = await gql(SETTINGS);
  const sessions = sessionsSection(data.sessions, app);
  const password = passwordSection();
  // A password change signs the other sessions out: show the list as it now is.
  password.addEventListener("sessions-changed", () => { sessions.refresh().catch(() => {}); });
  skeleton.replaceWith(h("div", { class: "settings-grid" },
    h("section", { class: "card" }, profileForm(data.me, app)),
    tokensSection(data.apiTokens),
    devicesSection(data.pushSubscriptions),
    webhooksSection(data.webhooks, (secret, kind, name) => secretBox(secret, name, kind)),
    loopSection(),
    password,
    sessions,
    deleteSection(app)));
  return {};
}
