// A habit's reminders on its page: add, switch on and off, delete; and Web Push for this browser,
// turned on from a button (permission is never asked on load).

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, formatDateTime } from "./dom.js";
import { enablePush, pushSupported } from "./push.js";

export const REMINDER_FIELDS = "reminders { id time weekdays followsHabit enabled nextDueAt }";
const SET = `mutation ReminderSet($habitId: ID!, $input: ReminderInput!) { reminderSet(habitId: $habitId, input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError")} ... on Reminder { id } } }`;
const DELETE = `mutation ReminderDelete($id: ID!) { reminderDelete(id: $id) { ${errorFields()} ... on Reminder { id } } }`;

const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MAX = 5;

function daysText(weekdays) {
  if (weekdays.length === 7) return "every day";
  return weekdays.map((d) => DAY_NAMES[d - 1].slice(0, 3)).join(", ");
}

function row(habitId, reminder, reload) {
  const toggle = h("input", { type: "checkbox", checked: reminder.enabled, "aria-label": `Reminder at ${reminder.time} on` });
  toggle.addEventListener("change", async () => {
    toggle.disabled = true;
    try {
      // reminderSet replaces every setting: a reminder following the habit's days keeps following them.
      unwrap((await gql(SET, { habitId, input: { id: reminder.id, time: reminder.time,
        weekdays: reminder.followsHabit ? null : reminder.weekdays, enabled: toggle.checked } })).reminderSet);
      await reload();
    } catch {
      toggle.checked = !toggle.checked;
      toggle.disabled = false;
    }
  });
  const remove = h("button", { type: "button", class: "link-button danger-text" }, "Delete");
  remove.addEventListener("click", async () => {
    busy(remove, true);
    try { unwrap((await gql(DELETE, { id: reminder.id })).reminderDelete); await reload(); } catch { busy(remove, false); }
  });
  return h("li", { class: "reminder-item" },
    h("label", { class: "reminder-switch" }, toggle, h("strong", {}, reminder.time), h("span", { class: "muted" }, ` ${daysText(reminder.weekdays)}`)),
    h("span", { class: "muted small" }, reminder.enabled && reminder.nextDueAt ? `next ${formatDateTime(reminder.nextDueAt)}` : "off"),
    remove);
}

function pushButton() {
  if (!pushSupported()) return h("p", { class: "muted small" }, "This browser cannot show push notifications; reminders appear here while Comeback is open.");
  const button = h("button", { type: "button", class: "button ghost push-enable" }, "Get reminders in this browser");
  const status = h("p", { class: "small push-status", role: "status" });
  if (Notification.permission === "granted") status.textContent = "This browser can show reminders.";
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      await enablePush();
      status.textContent = "This browser will show your reminders, with a Done button that checks the habit in.";
    } catch (error) {
      status.textContent = error.message || String(error);
    } finally {
      busy(button, false);
    }
  });
  return h("div", { class: "push-row" }, button, status);
}

export function remindersSection(habit, reload) {
  const time = h("input", { name: "time", type: "time", value: "08:00", required: true });
  const days = DAY_NAMES.map((day, i) => h("label", { class: "day-check" },
    h("input", { type: "checkbox", name: "weekdays", value: String(i + 1) }),
    h("span", { "aria-hidden": "true" }, day.slice(0, 3)), h("span", { class: "sr-only" }, day)));
  const submit = h("button", { type: "submit", class: "button primary" }, "Add reminder");
  const full = habit.reminders.length >= MAX;
  const form = h("form", { class: "reminder-form", novalidate: true, hidden: full },
    field("Time", time),
    h("fieldset", { class: "field weekdays", dataset: { field: "weekdays" } },
      h("legend", {}, "On"), h("div", { class: "day-checks" }, days),
      h("p", { class: "hint" }, "None ticked: the habit's own days."), h("p", { class: "field-error" })),
    h("p", { class: "form-alert", role: "alert" }),
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(submit, true);
    const chosen = days.map((l) => l.querySelector("input")).filter((c) => c.checked).map((c) => Number(c.value));
    try {
      unwrap((await gql(SET, { habitId: habit.id, input: { time: time.value, weekdays: chosen.length ? chosen : null } })).reminderSet);
      showFormError(form, null);
      await reload();
    } catch (error) {
      showFormError(form, error);
      busy(submit, false);
    }
  });
  return h("section", { class: "card reminders", "aria-labelledby": "reminders-title" },
    h("h2", { id: "reminders-title" }, "Reminders"),
    h("p", { class: "muted small" }, "At your local time, wherever you are, and only on days the habit is due and not yet done or skipped."),
    habit.reminders.length ? h("ul", { class: "reminder-list" }, habit.reminders.map((r) => row(habit.id, r, reload)))
      : h("p", { class: "muted" }, "No reminders yet."),
    full ? h("p", { class: "muted small" }, `A habit has at most ${MAX} reminders.`) : null,
    form,
    pushButton());
}
