// The create-habit form: name, category, build or quit, schedule, target (or a quit habit's daily limit),
// unit, start date. Two ways to say "a few times": per calendar week ("3 times a week", WEEKLY) or over
// rolling days ("2 times in any 3 days", INTERVAL: Loop Habit Tracker's frequency).

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, addDays, CATEGORY_LABELS } from "./dom.js";

const CREATE = `mutation CreateHabit($input: HabitCreateInput!) { habitCreate(input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError")} ... on Habit { id name kind } } }`;

// What each field wants, in the form's own words: the server's messages are written for programs
// ("targetQuantity must be greater than 0 and at most 1e+06"), and a field it names gets these instead.
const PLAIN = {
  name: "Give the habit a name of up to 80 characters, different from your other habits' names.",
  targetQuantity: "Enter a daily target above 0, up to 1,000,000 (1 for a simple yes/no habit).",
  dailyLimit: "Enter how many a day are allowed: 0 or more, up to 1,000,000.",
  unit: "Keep the unit short: up to 24 characters, like pages or minutes.",
  startDate: "Choose a start date no more than a year ahead.",
  schedule: "Check how often: 1 to 7 times a week, or up to as many times as days (at most 365 days).",
};
const MAX_AMOUNT = 1_000_000;

function plain(error) {
  return error && error.field && PLAIN[error.field] ? { ...error, message: PLAIN[error.field] } : error;
}

const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function select(name, options, value) {
  return h("select", { name }, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

/** onCreated(habit) runs after a successful create; onCancel closes the form. */
export function habitForm(today, { onCreated, onCancel }) {
  const name = h("input", { name: "name", type: "text", required: true, maxlength: 80, autocomplete: "off",
    placeholder: "e.g. Evening walk" });
  const category = select("category", Object.entries(CATEGORY_LABELS), "WORKOUT");
  const kindBuild = h("input", { type: "radio", name: "kind", value: "BUILD", id: "kind-build", checked: true });
  const kindQuit = h("input", { type: "radio", name: "kind", value: "QUIT", id: "kind-quit" });
  const period = select("period", [["DAILY", "Every day"], ["WEEKDAYS", "On chosen weekdays"],
    ["WEEKLY", "A number of times a week (e.g. 3 times a week)"],
    ["INTERVAL", "A number of times in any few days (e.g. 2 times in any 3 days)"]], "DAILY");
  const weekdays = DAY_NAMES.map((day, i) => h("label", { class: "day-check" },
    h("input", { type: "checkbox", name: "weekdays", value: String(i + 1), checked: i < 5 }),
    h("span", { "aria-hidden": "true" }, day.slice(0, 3)), h("span", { class: "sr-only" }, day)));
  const weekdaysBox = h("fieldset", { class: "field weekdays", dataset: { field: "schedule" }, hidden: true },
    h("legend", {}, "On these days"), h("div", { class: "day-checks" }, weekdays), h("p", { class: "field-error" }));
  const timesPerWeek = h("input", { name: "timesPerWeek", type: "number", min: 1, max: 7, value: 3, inputmode: "numeric" });
  const timesField = field("Times per week", timesPerWeek, "Counted per calendar week, Monday to Sunday.");
  timesField.hidden = true;
  const intervalTimes = h("input", { name: "times", type: "number", min: 1, max: 365, value: 2, inputmode: "numeric",
    "aria-label": "Times" });
  const intervalDays = h("input", { name: "days", type: "number", min: 1, max: 365, value: 3, inputmode: "numeric",
    "aria-label": "Days" });
  const intervalField = h("fieldset", { class: "field interval", dataset: { field: "schedule" }, hidden: true },
    h("legend", {}, "How often"),
    h("div", { class: "row nowrap" }, intervalTimes, h("span", {}, "times in any"), intervalDays, h("span", {}, "days")),
    h("p", { class: "hint" }, "Rolling days, as Loop Habit Tracker counts them: a day the check-ins around it "
      + "already cover needs no check-in."),
    h("p", { class: "field-error" }));
  const target = h("input", { name: "targetQuantity", type: "number", min: 0.1, step: "any", value: 1, inputmode: "decimal" });
  const unit = h("input", { name: "unit", type: "text", maxlength: 24, placeholder: "e.g. pages, minutes", autocomplete: "off" });
  const startDate = h("input", { name: "startDate", type: "date", value: today, max: addDays(today, 366) });
  const targetField = field("Daily target", target, "1 for a simple yes/no habit; more for an amount, like 10 pages.");
  const unitField = field("Unit (optional)", unit);
  const limit = h("input", { name: "dailyLimit", type: "number", min: 0, step: "any", value: 0, inputmode: "decimal" });
  const limitField = field("Allowed per day", limit, "0: any check-in is a slip. 2: up to 2 a day is still clean.");
  const submit = h("button", { type: "submit", class: "button primary" }, "Create habit");
  const cancel = h("button", { type: "button", class: "button ghost", onclick: () => onCancel() }, "Cancel");

  const sync = () => {
    weekdaysBox.hidden = period.value !== "WEEKDAYS";
    // A schedule error goes to whichever schedule box is showing.
    weekdaysBox.dataset.field = period.value === "WEEKDAYS" ? "schedule" : "";
    intervalField.dataset.field = period.value === "INTERVAL" ? "schedule" : "";
    timesField.hidden = period.value !== "WEEKLY";
    intervalField.hidden = period.value !== "INTERVAL";
    const quit = kindQuit.checked;
    targetField.hidden = quit;
    unitField.hidden = quit;
    limitField.hidden = !quit;
  };
  period.addEventListener("change", sync);
  kindBuild.addEventListener("change", sync);
  kindQuit.addEventListener("change", sync);

  const form = h("form", { class: "habit-form", novalidate: true, "aria-labelledby": "new-habit-title" },
    h("h2", { id: "new-habit-title" }, "New habit"),
    h("div", { class: "form-grid" },
      field("Name", name),
      field("Category", category),
      h("fieldset", { class: "field kind", dataset: { field: "kind" } }, h("legend", {}, "I want to"),
        h("div", { class: "segmented" },
          kindBuild, h("label", { for: "kind-build" }, "Build a habit"),
          kindQuit, h("label", { for: "kind-quit" }, "Quit a habit")),
        h("p", { class: "hint" }, "Quit habits count clean days; you log a slip when it happens."),
        h("p", { class: "field-error" })),
      field("How often", period),
      weekdaysBox,
      timesField,
      intervalField,
      targetField,
      unitField,
      limitField,
      field("Start date", startDate, "Can be in the past if you already started.")),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit, cancel));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!name.value.trim()) { showFormError(form, { field: "name", message: "Give the habit a name." }); return; }
    const schedule = { period: period.value };
    if (period.value === "WEEKDAYS") {
      schedule.weekdays = weekdays.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => Number(i.value));
      if (!schedule.weekdays.length) { showFormError(form, { field: "schedule", message: "Choose at least one day." }); return; }
    }
    if (period.value === "WEEKLY") {
      schedule.timesPerWeek = Number(timesPerWeek.value);
      if (!(Number.isInteger(schedule.timesPerWeek) && schedule.timesPerWeek >= 1 && schedule.timesPerWeek <= 7)) {
        showFormError(form, { field: "timesPerWeek", message: "Times per week: a whole number from 1 to 7." }); return;
      }
    }
    if (period.value === "INTERVAL") {
      schedule.times = Number(intervalTimes.value);
      schedule.days = Number(intervalDays.value);
      const ok = Number.isInteger(schedule.times) && Number.isInteger(schedule.days) && schedule.times >= 1
        && schedule.days <= 365 && schedule.times <= schedule.days;
      if (!ok) { showFormError(form, plain({ field: "schedule" })); return; }
    }
    const quit = kindQuit.checked;
    const amount = Number(quit ? limit.value : target.value);
    const amountField = quit ? "dailyLimit" : "targetQuantity";
    if (!Number.isFinite(amount) || amount > MAX_AMOUNT || (quit ? amount < 0 : amount <= 0)) {
      showFormError(form, plain({ field: amountField })); return;
    }
    const input = {
      name: name.value.trim(), category: category.value, kind: quit ? "QUIT" : "BUILD", schedule,
      targetQuantity: quit ? null : Number(target.value) || null,
      unit: quit ? null : unit.value.trim() || null,
      dailyLimit: quit ? Number(limit.value) || null : null,
      startDate: startDate.value || null,
    };
    busy(submit, true);
    try {
      const habit = unwrap((await gql(CREATE, { input })).habitCreate);
      showFormError(form, null);
      onCreated(habit);
    } catch (error) {
      showFormError(form, plain(error));
    } finally {
      busy(submit, false);
    }
  });
  sync();
  return { form, focus: () => name.focus() };
}
