// Breaks (pauses): "Take a break" from some habits or all of them, the banner while one runs or is
// planned, and the paused days of a habit for its heatmap. A paused day counts as a skipped day.

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, addDays, formatDay } from "./dom.js";

export const PAUSES = "query Pauses { pauses { id from to reason habits { id name } } }";
const CREATE = `mutation TakeBreak($input: PauseCreateInput!) { pauseCreate(input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError", "NotFoundError")} ... on Pause { id from to } } }`;
const DELETE = `mutation CallOffBreak($id: ID!) { pauseDelete(id: $id) { ${errorFields()} ... on PauseDeleted { id } } }`;

const day = (iso) => formatDay(iso, { weekday: "short", day: "numeric", month: "long" });

/** Whether a pause covers this habit (a pause of every habit has habits: null). */
export function covers(pause, habitId) {
  return pause.habits === null || pause.habits.some((x) => x.id === habitId);
}

/** date -> the pause covering it, for one habit: the heatmap marks these days. */
export function pausedDays(pauses, habitId) {
  const days = new Map();
  for (const pause of pauses.filter((p) => covers(p, habitId))) {
    for (let d = pause.from; d <= pause.to; d = addDays(d, 1)) days.set(d, pause);
  }
  return days;
}

function whose(pause) {
  return pause.habits === null ? "all habits" : pause.habits.map((x) => x.name).join(", ");
}

/**
 * Banners for the breaks running today or planned; `changed(message)` reloads the page.
 * Ending a running break keeps its days so far: it is declared again up to yesterday, then the
 * original is deleted (deleting alone would count its past days as logged again).
 */
export function breakBanners(pauses, today, changed) {
  const current = pauses.filter((p) => p.to >= today).sort((a, b) => (a.from < b.from ? -1 : 1));
  return current.map((pause) => {
    const running = pause.from <= today;
    const status = h("p", { class: "form-alert", role: "alert" });
    const end = h("button", { type: "button", class: "button ghost" }, running ? "End the break now" : "Cancel this break");
    end.addEventListener("click", async () => {
      busy(end, true);
      try {
        if (running && pause.from < today) {
          unwrap((await gql(CREATE, { input: { habitIds: pause.habits && pause.habits.map((x) => x.id),
            from: pause.from, to: addDays(today, -1), reason: pause.reason } })).pauseCreate);
        }
        unwrap((await gql(DELETE, { id: pause.id })).pauseDelete);
        changed(running ? "Welcome back. Today counts again." : "Break cancelled.");
      } catch (error) {
        status.textContent = error.message;
        busy(end, false);
      }
    });
    const text = running
      ? `You're on a break until ${day(pause.to)} (${whose(pause)}).`
      : `Break planned from ${day(pause.from)} to ${day(pause.to)} (${whose(pause)}).`;
    return h("section", { class: `card break-banner${running ? " running" : ""}`, role: "status",
      dataset: { pause: pause.id } },
    h("p", {}, h("strong", {}, text), pause.reason ? ` Reason: ${pause.reason}.` : "",
      " Paused days count as skipped: streaks and freezes are kept, strength holds; a check-in still counts."),
    h("div", { class: "row" }, end), status);
  });
}

/** The "Take a break" form. onDone(message) after a break is declared; onCancel closes it. */
export function breakForm(today, habits, { onDone, onCancel }) {
  const from = h("input", { name: "from", type: "date", value: today, required: true, max: addDays(today, 366) });
  const to = h("input", { name: "to", type: "date", value: addDays(today, 6), required: true });
  const reason = h("input", { name: "reason", type: "text", maxlength: 200, autocomplete: "off",
    placeholder: "e.g. holiday, flu" });
  const all = h("input", { type: "checkbox", name: "all", checked: true, id: "break-all" });
  const picks = habits.map((habit) => h("label", { class: "day-check" },
    h("input", { type: "checkbox", name: "habitIds", value: habit.id }), h("span", {}, habit.name)));
  const pickBox = h("div", { class: "day-checks", hidden: true }, picks);
  all.addEventListener("change", () => { pickBox.hidden = all.checked; });
  const submit = h("button", { type: "submit", class: "button primary" }, "Start the break");
  const cancel = h("button", { type: "button", class: "button ghost", onclick: () => onCancel() }, "Cancel");
  const form = h("form", { class: "break-form", novalidate: true, "aria-labelledby": "break-title" },
    h("h2", { id: "break-title" }, "Take a break"),
    h("p", { class: "muted" }, "Holiday or illness: the days of a break count as skipped, so your streaks, freezes and "
      + "strength wait for you. A check-in on a paused day still counts. It can start in the past."),
    h("div", { class: "form-grid" },
      field("From", from), field("To", to, "At most 366 days."), field("Reason (optional)", reason),
      h("fieldset", { class: "field", dataset: { field: "habitIds" } }, h("legend", {}, "Habits"),
        h("label", { for: "break-all", class: "day-check" }, all, h("span", {}, "All habits, also new ones")),
        pickBox, h("p", { class: "field-error" }))),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit, cancel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const habitIds = all.checked ? null
      : picks.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    if (habitIds && !habitIds.length) {
      showFormError(form, { field: "habitIds", message: "Choose at least one habit, or all of them." });
      return;
    }
    busy(submit, true);
    try {
      const pause = unwrap((await gql(CREATE, { input: { habitIds, from: from.value, to: to.value,
        reason: reason.value.trim() || null } })).pauseCreate);
      showFormError(form, null);
      onDone(`Break from ${day(pause.from)} to ${day(pause.to)}. Look after yourself.`);
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  return { form, focus: () => from.focus() };
}
