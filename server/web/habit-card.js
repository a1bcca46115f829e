// One habit's today: check in (one tap or an amount), undo, skip, slips for QUIT habits.
// Used by the today list and the habit detail page.

import { gql, unwrap, newKey, errorFields } from "./api.js";
import { h, icon, addDays, formatDay, formatNumber, plural, scheduleText, isNumeric, CATEGORY_LABELS, busy } from "./dom.js";
import { STATUS_LABELS, progressBar } from "./charts.js";

export const HABIT_FIELDS = `fragment HabitFields on Habit {
  id name category kind schedule { period weekdays timesPerWeek times days total } targetQuantity dailyLimit unit startDate archived
  currentStreak longestStreak streakUnit strength doneToday freezesHeld }`;

/** The habit with its last 7 days and today's check-ins (newest first). */
export const HABIT_TODAY = `query HabitToday($id: ID!, $from: Date!, $to: Date!) { habit(id: $id) {
  ...HabitFields days(from: $from, to: $to) { date status quantity }
  checkIns(from: $to, to: $to, first: 50) { edges { node { id quantity occurredAt note } } } } }
  ${HABIT_FIELDS}`;

const CHECK_IN = `mutation CheckIn($input: HabitCheckInInput!) { habitCheckIn(input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError", "DuplicateError")} ... on CheckIn { id day quantity } } }`;
const UNDO = `mutation Undo($id: ID!) { checkInUndo(id: $id) { ${errorFields()} ... on CheckIn { id undone } } }`;
const SKIP = `mutation Skip($habitId: ID!, $day: Date!) { habitSkip(habitId: $habitId, day: $day) { ${errorFields("InvalidInputError", "OutOfRangeError")} ... on Habit { id } } }`;
const UNSKIP = `mutation Unskip($habitId: ID!, $day: Date!) { habitUnskip(habitId: $habitId, day: $day) { ${errorFields("InvalidInputError", "OutOfRangeError")} ... on Habit { id } } }`;

export async function loadHabitToday(id, today) {
  const data = await gql(HABIT_TODAY, { id, from: addDays(today, -6), to: today });
  return data.habit;
}

export function streakText(habit) {
  const unit = habit.streakUnit === "WEEKS" ? ["week", "weeks"] : ["day", "days"];
  return plural(habit.currentStreak, unit[0], unit[1]);
}

function todayOf(habit, today) {
  const day = (habit.days || []).find((d) => d.date === today) || { status: "PENDING", quantity: 0 };
  const checkIns = (habit.checkIns ? habit.checkIns.edges : []).map((e) => e.node);
  return { status: day.status, quantity: day.quantity, checkIns };
}

function weekStrip(habit) {
  return h("ol", { class: "week-strip", "aria-label": "Last 7 days" }, (habit.days || []).map((day) =>
    h("li", { class: `s-${day.status}`, dataset: { date: day.date, status: day.status },
      title: `${formatDay(day.date)}: ${STATUS_LABELS[day.status]}` },
    h("span", { class: "sr-only" }, `${formatDay(day.date)}: ${STATUS_LABELS[day.status]}`),
    h("span", { "aria-hidden": "true" }, formatDay(day.date, { weekday: "narrow" })))));
}

/**
 * The action area for a habit today. `refresh(message, keepFocus)` re-reads the habit and redraws;
 * every mutation ends with it, so streaks and days update at once.
 */
export function habitActions(habit, today, refresh) {
  const state = todayOf(habit, today);
  const status = h("p", { class: "action-status", role: "status", "aria-live": "polite" });
  const wrap = h("div", { class: "habit-actions" });
  const fail = (error) => { status.textContent = error.message; status.classList.add("is-error"); };
  const run = async (button, action) => {
    const hadFocus = wrap.contains(document.activeElement);
    busy(button, true);
    status.classList.remove("is-error");
    try {
      const message = await action();
      await refresh(message, hadFocus);
    } catch (error) {
      fail(error);
      busy(button, false);
    }
  };
  const noteInput = h("input", { type: "text", maxlength: 1000, placeholder: "e.g. around the park",
    "aria-label": `Note for ${habit.name}` });
  const note = h("details", { class: "note" }, h("summary", {}, "Add a note"), noteInput);
  note.addEventListener("toggle", () => { if (note.open) noteInput.focus(); });
  const checkIn = (quantity) => gql(CHECK_IN, { input: { habitId: habit.id, quantity, note: noteInput.value.trim() || null,
    idempotencyKey: newKey(), source: "WEB" } }).then((d) => unwrap(d.habitCheckIn));
  const last = state.checkIns[0];
  const undoButton = last ? h("button", { type: "button", class: "button ghost undo",
    "aria-label": `Undo the last check-in of ${habit.name}` }, icon("undo"), "Undo") : null;
  if (undoButton) {
    undoButton.addEventListener("click", () => run(undoButton, async () => {
      unwrap((await gql(UNDO, { id: last.id })).checkInUndo);
      return "Last check-in undone.";
    }));
  }

  // On a break the day counts as skipped, with no skip to take back; a check-in still counts as done.
  if (state.status === "SKIPPED" && !habit.pausedToday) {
    const unskip = h("button", { type: "button", class: "button ghost", "aria-label": `Take back skip for ${habit.name}` }, "Take back skip");
    unskip.addEventListener("click", () => run(unskip, async () => {
      unwrap((await gql(UNSKIP, { habitId: habit.id, day: today })).habitUnskip);
      return "Skip taken back.";
    }));
    wrap.append(h("p", { class: "state-pill skipped" }, "Skipped today: your streak is safe."), h("div", { class: "row" }, unskip), status);
    return wrap;
  }

  if (habit.pausedToday) {
    wrap.append(h("p", { class: "state-pill skipped paused-today" }, "On a break today: your streak is safe."));
  }
  const skip = habit.pausedToday ? null
    : h("button", { type: "button", class: "button ghost", "aria-label": `Skip today for ${habit.name}` }, "Skip today");
  if (skip) {
    skip.addEventListener("click", () => run(skip, async () => {
      unwrap((await gql(SKIP, { habitId: habit.id, day: today })).habitSkip);
      return "Skipped today. Your streak is kept.";
    }));
  }

  if (habit.kind === "QUIT") {
    const slipped = state.status === "SLIP" || !habit.doneToday;
    const limit = habit.dailyLimit || 0;
    const row = h("div", { class: "row" });
    if (slipped) {
      wrap.append(h("p", { class: "state-pill slip" }, "Slip logged today. Tomorrow is a clean start."));
      row.append(undoButton);
    } else {
      // With a daily limit, logging is counting (a slip only above the limit); without one, a check-in is a slip.
      const label = limit ? "Log one" : "Log a slip";
      const slip = h("button", { type: "button", class: "button", "aria-label": `${label} for ${habit.name}` }, label);
      const confirm = h("div", { class: "confirm", hidden: true },
        h("span", {}, limit ? `Log one for today (at most ${formatNumber(limit, 2)} a day)?` : "Log a slip for today?"));
      const yes = h("button", { type: "button", class: "button danger" }, "Yes, log it");
      const no = h("button", { type: "button", class: "button ghost" }, "Cancel");
      confirm.append(yes, no);
      slip.addEventListener("click", () => { confirm.hidden = false; slip.hidden = true; yes.focus(); });
      no.addEventListener("click", () => { confirm.hidden = true; slip.hidden = false; slip.focus(); });
      yes.addEventListener("click", () => run(yes, async () => {
        await checkIn(1);
        if (state.quantity + 1 <= limit) return `Logged: ${formatNumber(state.quantity + 1, 2)} of at most ${formatNumber(limit, 2)} today.`;
        return "Slip logged. Be kind to yourself: the counter starts again tomorrow.";
      }));
      wrap.append(h("p", { class: "state-pill clean" }, icon("leaf"),
        limit && state.quantity > 0 ? `Clean today: ${formatNumber(state.quantity, 2)} of at most ${formatNumber(limit, 2)}` : "Clean today"));
      row.append(slip, confirm, skip);
      if (limit && state.quantity > 0) row.append(undoButton);
    }
    wrap.append(row, status);
    return wrap;
  }

  // INTERVAL habits: a day the interval already covers needs no check-in (one is still welcome).
  const covered = state.status === "COVERED"
    ? h("p", { class: "state-pill covered" }, icon("check"), "Covered today: your recent check-ins keep it going")
    : null;
  const target = habit.targetQuantity;
  if (isNumeric(habit)) {
    const unit = habit.unit || "";
    const remaining = Math.max(0, target - state.quantity);
    // What is left today, ready to log; once done, nothing: one tap must not log the target again.
    const amount = h("input", { type: "number", class: "amount", min: 0.1, step: "any", inputmode: "decimal",
      value: habit.doneToday || remaining <= 0 ? "" : String(Math.round(remaining * 100) / 100),
      placeholder: habit.doneToday ? "More?" : "",
      "aria-label": `Amount${unit ? ` in ${unit}` : ""} for ${habit.name}` });
    const add = h("button", { type: "submit", class: `button ${habit.doneToday ? "" : "primary"}`,
      "aria-label": `Log amount for ${habit.name}` }, "Log");
    const form = h("form", { class: "amount-form" }, amount, unit ? h("span", { class: "unit" }, unit) : null, add);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = Number(amount.value);
      if (!(value > 0)) { fail({ message: "Enter an amount greater than 0." }); amount.focus(); return; }
      run(add, async () => {
        await checkIn(value);
        return `Logged ${formatNumber(value, 2)} ${unit}.`;
      });
    });
    wrap.append(
      h("div", { class: "amount-progress" },
        h("span", { class: "amount-text" }, `${formatNumber(state.quantity, 2)} of ${formatNumber(target, 2)} ${unit}`),
        habit.doneToday ? h("span", { class: "state-pill done" }, icon("check"), "Done") : covered),
      progressBar(Math.min(state.quantity, target), target, `${habit.name} today`),
      form, h("div", { class: "row" }, undoButton, habit.doneToday ? null : skip), note, status);
    return wrap;
  }

  if (habit.doneToday) {
    wrap.append(h("div", { class: "row" },
      h("span", { class: "state-pill done", role: "img", "aria-label": `${habit.name}: done today` }, icon("check"), "Done today"),
      undoButton), status);
    return wrap;
  }
  const tap = h("button", { type: "button", class: "button primary check-in", "aria-label": `Check in ${habit.name}` },
    icon("check"), "Check in");
  tap.addEventListener("click", () => run(tap, async () => {
    await checkIn(1);
    return "Checked in. Well done.";
  }));
  if (covered) wrap.append(covered);
  wrap.append(h("div", { class: "row" }, tap, skip), note, status);
  return wrap;
}

/** After a redraw, keyboard focus goes back to the habit's first action instead of the page top. */
export function focusActions(root) {
  const target = root.querySelector(".habit-actions button:not([hidden]), .habit-actions input");
  if (target) target.focus();
}

/** The card on the today list; redraws itself in place after every action. */
/**
 * `footer`: a node kept at the card's end across redraws (the today list's up/down buttons);
 * `pausedToday`: whether a break covers this habit today.
 */
export function habitCard(habit, today, footer = null, pausedToday = false) {
  const card = h("article", { class: "card habit-card", "aria-labelledby": `h-${habit.id}` });
  const draw = (fresh, message = "") => {
    const current = { ...fresh, pausedToday };
    const isQuit = current.kind === "QUIT";
    const numeric = isNumeric(current);
    card.className = `card habit-card${current.doneToday ? " is-done" : ""}${isQuit ? " is-quit" : ""}`;
    card.dataset.habitId = current.id;
    card.dataset.done = String(current.doneToday);
    const refresh = async (text, keepFocus) => {
      const fresh = await loadHabitToday(current.id, today);
      if (fresh) draw(fresh, text);
      if (keepFocus) focusActions(card);
      card.dispatchEvent(new CustomEvent("habit-changed", { bubbles: true, detail: fresh }));
    };
    const headline = isQuit
      ? h("p", { class: "clean-counter" }, h("strong", {}, formatNumber(current.currentStreak)),
        ` clean ${current.currentStreak === 1 ? "day" : "days"}`)
      : h("p", { class: "streak" }, icon("flame"), h("strong", { class: "streak-value" }, streakText(current)),
        h("span", { class: "muted" }, " streak"));
    const meta = [scheduleText(current.schedule)];
    if (numeric) meta.push(`${formatNumber(current.targetQuantity, 2)} ${current.unit || ""}`.trim());
    const actions = habitActions(current, today, refresh);
    const status = actions.querySelector(".action-status");
    if (message && status) status.textContent = message;
    card.replaceChildren(
      h("header", { class: "habit-head" },
        h("h2", { id: `h-${current.id}` }, h("a", { href: `#/habit/${current.id}` }, current.name)),
        h("span", { class: `chip cat-${current.category}` }, isQuit ? "Quitting" : CATEGORY_LABELS[current.category])),
      h("p", { class: "muted meta" }, meta.join(" · ")),
      h("div", { class: "habit-stats" }, headline,
        current.freezesHeld ? h("span", { class: "freezes", title: "Streak freezes held" }, icon("snow"),
          `${current.freezesHeld} ${current.freezesHeld === 1 ? "freeze" : "freezes"}`) : null,
        h("span", { class: "strength", title: "Habit strength (Loop's score)" }, `${formatNumber(current.strength)}% strength`)),
      weekStrip(current),
      actions, ...(footer ? [footer] : []));
  };
  draw(habit);
  return card;
}
