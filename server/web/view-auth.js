// Sign up and log in.

import { gql, setToken, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy } from "./dom.js";

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) {
  ${errorFields("EmailTakenError", "InvalidInputError")} ... on AuthPayload { token user { id } } } }`;
const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) {
  ${errorFields("EmailTakenError", "InvalidInputError")} ... on AuthPayload { token user { id } } } }`;

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { return "UTC"; }
}

export async function render(root, { name, app }) {
  const signingUp = name === "signup";
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const password = h("input", { name: "password", type: "password", required: true, minlength: signingUp ? 8 : null,
    autocomplete: signingUp ? "new-password" : "current-password" });
  const displayName = h("input", { name: "displayName", type: "text", autocomplete: "nickname", maxlength: 80 });
  const submit = h("button", { type: "submit", class: "button primary wide" }, signingUp ? "Create my account" : "Log in");
  const zone = browserZone();

  const form = h("form", { class: "auth-form", novalidate: true, "aria-labelledby": "auth-title" },
    h("h1", { id: "auth-title" }, signingUp ? "Start your comeback" : "Welcome back"),
    h("p", { class: "muted" }, signingUp
      ? "One small habit a day. Your streaks, your confidence and a guided path, all in one place."
      : "Log in to see today's habits and your progress."),
    field("E-mail", email),
    field("Password", password, signingUp ? "At least 8 characters." : null),
    signingUp ? field("What should we call you? (optional)", displayName) : null,
    signingUp ? h("p", { class: "hint" }, `Your days follow your time zone: ${zone}. You can change it in settings.`) : null,
    h("p", { class: "form-alert", role: "alert" }),
    submit,
    h("p", { class: "switch" }, signingUp ? "Already have an account? " : "New here? ",
      h("a", { href: signingUp ? "#/login" : "#/signup" }, signingUp ? "Log in" : "Create an account")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!email.value.trim()) { showFormError(form, { field: "email", message: "Enter your e-mail address." }); return; }
    if (!password.value) { showFormError(form, { field: "password", message: "Enter your password." }); return; }
    busy(submit, true);
    try {
      const input = signingUp
        ? { email: email.value, password: password.value, timezone: zone, displayName: displayName.value.trim() || null }
        : { email: email.value, password: password.value };
      const data = await gql(signingUp ? SIGN_UP : LOG_IN, { input });
      const payload = unwrap(signingUp ? data.signUp : data.logIn);
      setToken(payload.token);
      app.signedIn();
    } catch (error) {
      showFormError(form, error);
      busy(submit, false);
    }
  });

  root.append(h("section", { class: "auth" },
    h("div", { class: "auth-brand" }, h("span", { class: "brand" }, "Comeback"),
      h("p", {}, "Get back on your feet, one day at a time.")),
    h("div", { class: "card auth-card" }, form)));
  email.focus();
}
