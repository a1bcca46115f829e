// Settings, owning your account: change the password, see and end sessions, delete the account
// (with your data offered for download first).

import { gql, unwrap, errorFields, clearToken } from "./api.js";
import { h, field, showFormError, busy, formatDateTime, confirmedTwice } from "./dom.js";

export const SESSIONS = `sessions { id createdAt lastUsedAt userAgent current }`;
const PASSWORD_CHANGE = `mutation PasswordChange($input: PasswordChangeInput!) { passwordChange(input: $input) {
  ${errorFields("InvalidInputError", "InvalidCredentialsError")} ... on PasswordChanged { sessionsEnded } } }`;
const SESSION_REVOKE = `mutation SessionRevoke($id: ID!) { sessionRevoke(id: $id) { ${errorFields()} ... on Session { id } } }`;
const EXPORT = `query Export { export }`;
const ACCOUNT_DELETE = `mutation AccountDelete($input: AccountDeleteInput!) { accountDelete(input: $input) {
  ${errorFields("InvalidCredentialsError")} ... on AccountDeleted { email } } }`;

/** "Firefox on Linux" from a User-Agent header; the header itself when it says nothing we know. */
export function deviceName(userAgent) {
  if (!userAgent) return "Unknown device";
  const browsers = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
  const systems = [["iPhone", "iPhone"], ["iPad", "iPad"], ["Android", "Android"], ["Windows", "Windows"],
    ["Mac OS X", "macOS"], ["Linux", "Linux"]];
  const browser = browsers.find(([mark]) => userAgent.includes(mark));
  const system = systems.find(([mark]) => userAgent.includes(mark));
  if (browser && system) return `${browser[1]} on ${system[1]}`;
  return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
}

function passwordInput(name, label, autocomplete) {
  return h("input", { name, type: "password", autocomplete, "aria-label": label, maxlength: 256 });
}

export function passwordSection() {
  const current = passwordInput("currentPassword", "Current password", "current-password");
  const next = passwordInput("newPassword", "New password", "new-password");
  const again = passwordInput("newPasswordAgain", "New password again", "new-password");
  const submit = h("button", { type: "submit", class: "button primary" }, "Change password");
  const said = h("p", { class: "saved small", role: "status" });
  const form = h("form", { class: "settings-form", novalidate: true, "aria-labelledby": "password-title" },
    h("h2", { id: "password-title" }, "Change password"),
    field("Current password", current),
    field("New password", next, "8 to 256 characters; a few unrelated words make a good one."),
    field("New password again", again),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit, said));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    said.textContent = "";
    if (next.value !== again.value) {
      showFormError(form, { field: "newPasswordAgain", message: "The two new passwords differ." });
      return;
    }
    busy(submit, true);
    try {
      const out = unwrap((await gql(PASSWORD_CHANGE, { input: { currentPassword: current.value,
        newPassword: next.value } })).passwordChange);
      showFormError(form, null);
      form.reset();
      said.textContent = out.sessionsEnded
        ? `Password changed. ${out.sessionsEnded === 1 ? "One other session was" : `${out.sessionsEnded} other sessions were`} signed out.`
        : "Password changed.";
      form.dispatchEvent(new CustomEvent("sessions-changed", { bubbles: true }));
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  return h("section", { class: "card" }, form);
}

export function sessionsSection(initial, app) {
  let sessions = initial;
  const list = h("ul", { class: "tokens sessions" });
  const said = h("p", { class: "small", role: "status" });

  const draw = () => list.replaceChildren(...sessions.map((s) => sessionItem(s)));

  function sessionItem(s) {
    const name = deviceName(s.userAgent);
    const end = h("button", { type: "button", class: "button ghost danger-text", "aria-label": s.current ? `Log out of this session (${name})` : `End session ${name}` },
      s.current ? "Log out" : "End");
    end.addEventListener("click", async () => {
      if (s.current) {  // ending this one is logging out
        try { await gql("mutation { logOut }"); } catch { /* already gone */ }
        app.signOut();
        return;
      }
      busy(end, true);
      try {
        unwrap((await gql(SESSION_REVOKE, { id: s.id })).sessionRevoke);
        sessions = sessions.filter((x) => x.id !== s.id);
        draw();
        said.textContent = `${name} was signed out.`;
      } catch (error) {
        said.textContent = error.message;
        busy(end, false);
      }
    });
    const used = s.lastUsedAt ? `last used ${formatDateTime(s.lastUsedAt)}` : "not used yet";
    return h("li", { class: "token session", dataset: { sessionId: s.id } },
      h("div", {}, h("strong", { title: s.userAgent || "" }, name),
        s.current ? h("span", { class: "chip" }, "This browser") : null,
        h("span", { class: "muted small" }, ` · signed in ${formatDateTime(s.createdAt)} · ${used}`)),
      h("div", { class: "row" }, end));
  }

  const everywhere = h("button", { type: "button", class: "button ghost" }, "Log out everywhere");
  everywhere.addEventListener("click", async () => {
    if (!confirmedTwice(everywhere, "Log out of every device?")) return;
    try { await gql("mutation { logOutEverywhere }"); } catch { /* this session is gone either way */ }
    app.signOut();
  });

  const section = h("section", { class: "card", "aria-labelledby": "sessions-title" },
    h("h2", { id: "sessions-title" }, "Sessions"),
    h("p", { class: "muted small" }, "Where you are signed in. End any you do not recognise; API tokens are "
      + "not affected."), list, said, h("div", { class: "row" }, everywhere));
  section.refresh = async () => {
    sessions = (await gql(`query Sessions { ${SESSIONS} }`)).sessions;
    draw();
  };
  draw();
  return section;
}

function download(filename, text) {
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })),
    download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

export function deleteSection(app) {
  const exportButton = h("button", { type: "button", class: "button" }, "Download my data");
  const exported = h("p", { class: "small", role: "status" });
  exportButton.addEventListener("click", async () => {
    busy(exportButton, true);
    exported.textContent = "";
    try {
      const data = (await gql(EXPORT)).export;
      const filename = `comeback-export-${new Date().toISOString().slice(0, 10)}.json`;
      download(filename, JSON.stringify(data, null, 2));
      exported.textContent = `Saved ${filename}. It can be imported into any Comeback account.`;
    } catch (error) {
      exported.textContent = error.message;
    } finally {
      busy(exportButton, false);
    }
  });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", maxlength: 256 });
  const submit = h("button", { type: "submit", class: "button danger" }, "Delete my account");
  const form = h("form", { class: "settings-form", novalidate: true, "aria-labelledby": "delete-title" },
    field("Your password", password, "Everything goes at once and for good: habits, check-ins, journal, "
      + "progress and tokens."),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!password.value) { showFormError(form, { field: "password", message: "Enter your password to confirm." }); return; }
    if (!confirmedTwice(submit, "Delete everything for good?")) return;
    busy(submit, true);
    try {
      unwrap((await gql(ACCOUNT_DELETE, { input: { password: password.value } })).accountDelete);
      clearToken();
      app.signOut();
      app.toast("Your account and everything in it are deleted.");
    } catch (error) {
      showFormError(form, error);
      submit.dataset.confirm = "";
      submit.textContent = "Delete my account";
      busy(submit, false);
    }
  });
  return h("section", { class: "card danger-zone", "aria-labelledby": "delete-title" },
    h("h2", { id: "delete-title" }, "Delete account"),
    h("p", { class: "muted small" }, "First, keep a copy of your data if you may want it back (Loop Habit "
      + "Tracker's format is under Your data)."),
    h("div", { class: "row" }, exportButton), exported, form);
}
