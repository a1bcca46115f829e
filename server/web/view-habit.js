// One habit: a year heatmap, streaks and freezes, strength over time, recent check-ins.

import { gql, unwrap, errorFields } from "./api.js";
import { h, icon, addDays, parseDate, isoDate, formatDay, formatTime, formatNumber, plural, scheduleText,
  CATEGORY_LABELS, busy, confirmedTwice } from "./dom.js";
import { HABIT_FIELDS, habitActions, streakText, focusActions } from "./habit-card.js";
import { heatmap, heatmapLegend, lineChart, seriesDays, strengthPoints } from "./charts.js";
import { pausedDays } from "./breaks.js";
import { REMINDER_FIELDS, remindersSection } from "./reminders.js";

const DETAIL = `query HabitDetail($id: ID!, $heatFrom: Date!, $from: Date!, $to: Date!) { habit(id: $id) {
  ...HabitFields daySeries(from: $heatFrom, to: $to) { start statuses quantities } ${REMINDER_FIELDS}
  strengthSeries(from: $from, to: $to) { from to values }
  checkIns(first: 15) { edges { node { id day occurredAt quantity note source } } pageInfo { hasNextPage endCursor } } }
  pauses { id from to reason habits { id } } }
  ${HABIT_FIELDS}`;
const MORE = `query MoreCheckIns($id: ID!, $after: String) { habit(id: $id) {
  checkIns(first: 15, after: $after) { edges { node { id day occurredAt quantity note source } } pageInfo { hasNextPage endCursor } } } }`;
const ARCHIVE = `mutation Archive($id: ID!) { habitArchive(id: $id) { ${errorFields("InvalidInputError", "OutOfRangeError")} ... on Habit { id archived } } }`;

const DELETE = `mutation DeleteHabit($id: ID!) { habitDelete(id: $id) { ${errorFields()} ... on HabitDeleted { id } } }`;

const SOURCES = { API: "via the API", WEB: "on the web", MOBILE: "on the phone", SCRIPT: "by a script", IMPORT: "imported" };

/** The heatmap starts on the Monday about a year back; the strength chart shows up to 1,000 days (the API's limit). */
function ranges(today) {
  const d = parseDate(addDays(today, -364));
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return { heatFrom: isoDate(d), from: addDays(today, -999) };
}

function stat(label, value, extra = null) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-label" }, label), extra);
}

function checkInList(nodes, habit) {
  return nodes.map((c) => h("li", { class: "check-in-item" },
    h("div", { class: "check-in-when" }, h("strong", {}, formatDay(c.day)),
      h("span", { class: "muted" }, ` ${formatTime(c.occurredAt)} ${SOURCES[c.source] || ""}`)),
    h("div", {}, habit.kind === "QUIT" ? "Slip" : `${formatNumber(c.quantity, 2)} ${habit.unit || (c.quantity === 1 ? "time" : "times")}`),
    c.note ? h("p", { class: "note" }, c.note) : null));
}

function skeleton() {
  return [h("div", { class: "card" }, h("span", { class: "skeleton line w60" }), h("span", { class: "skeleton line w40" })),
    h("div", { class: "card heatmap-card" }, h("span", { class: "skeleton block tall" })),
    h("div", { class: "card" }, h("span", { class: "skeleton block chart-size" }))];
}

export async function render(root, { params, app }) {
  const id = params[0];
  if (!id) { app.go("#/today"); return {}; }
  const back = h("a", { href: "#/today", class: "back" }, "← Today");
  const body = h("div", { class: "habit-detail", "aria-busy": "true" }, skeleton());
  root.append(back, body);
  const today = await app.today();

  const { heatFrom, from } = ranges(today);
  async function load(message = "") {
    const data = await gql(DETAIL, { id, heatFrom, from, to: today });
    const habit = data.habit;
    if (!habit) {
      body.replaceChildren(h("div", { class: "card empty-state" }, h("h1", {}, "Habit not found"),
        h("p", {}, "This habit doesn't exist, or it isn't yours."), h("a", { href: "#/today", class: "button" }, "Back to today")));
      return;
    }
    document.title = `${habit.name} · Comeback`;
    const heatDays = seriesDays(habit.daySeries);
    const paused = pausedDays(data.pauses, habit.id);
    const todayCheckIns = habit.checkIns.edges.filter((e) => e.node.day === today);
    const forActions = { ...habit, days: heatDays.slice(-7), checkIns: { edges: todayCheckIns }, pausedToday: paused.has(today) };
    const actions = habitActions(forActions, today, async (text, keepFocus) => {
      await load(text);
      if (keepFocus) focusActions(body);
    });
    if (message) actions.querySelector(".action-status").textContent = message;
    const series = strengthPoints(habit.strengthSeries, habit.startDate);
    const partial = habit.startDate < from;
    const unit = habit.streakUnit === "WEEKS" ? "weeks" : "days";

    const list = h("ol", { class: "check-ins" }, checkInList(habit.checkIns.edges.map((e) => e.node), habit));
    let page = habit.checkIns.pageInfo;
    const more = h("button", { type: "button", class: "button ghost", hidden: !page.hasNextPage }, "Show older check-ins");
    more.addEventListener("click", async () => {
      busy(more, true);
      try {
        const next = (await gql(MORE, { id, after: page.endCursor })).habit.checkIns;
        list.append(...checkInList(next.edges.map((e) => e.node), habit));
        page = next.pageInfo;
        more.hidden = !page.hasNextPage;
      } finally { busy(more, false); }
    });

    const archive = h("button", { type: "button", class: "link-button danger-text" }, "Archive this habit");
    archive.addEventListener("click", async () => {
      if (!confirmedTwice(archive, "Archive it? Its history is kept. Click again to confirm.")) return;
      busy(archive, true);
      try {
        unwrap((await gql(ARCHIVE, { id })).habitArchive);
        app.toast(`Archived “${habit.name}”`, "Its history is kept.");
        app.go("#/today");
      } catch (error) {
        archive.textContent = error.message;
        busy(archive, false);
      }
    });

    const remove = h("button", { type: "button", class: "link-button danger-text" }, "Delete this habit");
    remove.addEventListener("click", async () => {
      if (!confirmedTwice(remove, "Delete it with all its check-ins? This cannot be undone (archive keeps them). "
          + "Click again to delete.")) return;
      busy(remove, true);
      try {
        unwrap((await gql(DELETE, { id })).habitDelete);
        app.toast(`Deleted “${habit.name}”`, "Achievements you earned stay yours.");
        app.go("#/today");
      } catch (error) {
        remove.textContent = error.message;
        busy(remove, false);
      }
    });

    // INTERVAL habits follow Loop's rolling intervals: covered days instead of freezes.
    const interval = habit.kind === "BUILD" && habit.schedule.period === "INTERVAL";
    body.removeAttribute("aria-busy");
    body.replaceChildren(
      h("header", { class: "card detail-head" },
        h("div", { class: "detail-title" },
          h("h1", {}, habit.name),
          h("span", { class: `chip cat-${habit.category}` }, habit.kind === "QUIT" ? "Quitting" : CATEGORY_LABELS[habit.category])),
        h("p", { class: "muted" }, `${scheduleText(habit.schedule)}`
          + (habit.kind === "BUILD" && (habit.targetQuantity > 1 || habit.unit) ? ` · ${formatNumber(habit.targetQuantity, 2)} ${habit.unit || ""}` : "")
          + (habit.kind === "QUIT" && habit.dailyLimit ? ` · at most ${formatNumber(habit.dailyLimit, 2)} a day` : "")
          + ` · since ${formatDay(habit.startDate, { day: "numeric", month: "long", year: "numeric" })}`),
        h("div", { class: "stats" },
          stat(habit.kind === "QUIT" ? "Clean streak" : "Current streak", streakText(habit)),
          stat("Longest streak", plural(habit.longestStreak, unit.slice(0, -1), unit)),
          habit.kind === "QUIT" || interval ? null : stat("Freezes held", h("span", { class: "freeze-count",
            title: "7 done days in a row earn a freeze (2 at most); one covers a missed day." }, icon("snow"), String(habit.freezesHeld))),
          stat("Strength", `${formatNumber(habit.strength)}%`)),
        h("h2", { class: "eyebrow" }, "Today"),
        actions),
      remindersSection(habit, () => load()),
      h("section", { class: "card heatmap-card", "aria-labelledby": "year-title" },
        h("h2", { id: "year-title" }, "Your year"),
        h("div", { class: "heatmap-scroll", tabindex: 0, "aria-label": "Year calendar, scrollable" }, heatmap(heatDays, { unit: habit.unit, startDate: habit.startDate, paused })),
        heatmapLegend(interval ? "INTERVAL" : habit.kind, { paused: heatDays.some((d) => paused.has(d.date)) }),
        habit.kind === "QUIT" ? null : interval
          ? h("p", { class: "muted small" }, "A day without a check-in is covered when check-ins around it already "
            + "meet the interval, as in Loop Habit Tracker; covered days count for the streak.")
          : h("p", { class: "muted small" }, "A freeze is earned by 7 done days in a row "
            + "(2 at most) and covers the next missed day, so one bad day doesn't end a streak.")),
      h("section", { class: "card", "aria-labelledby": "strength-title" },
        h("h2", { id: "strength-title" }, "Strength over time"),
        h("p", { class: "muted small" }, "Loop Habit Tracker's habit strength (0–100), day by day. It rises with every done day and fades slowly when you miss."
          + (partial ? " Shown for the last 1,000 days." : "")),
        lineChart(series, { label: "Habit strength", format: (v) => `${formatNumber(v)}%` })),
      h("section", { class: "card", "aria-labelledby": "recent-title" },
        h("h2", { id: "recent-title" }, habit.kind === "QUIT" ? "Logged slips" : "Recent check-ins"),
        habit.checkIns.edges.length ? list : h("p", { class: "muted" }, habit.kind === "QUIT"
          ? "No slips logged. Every day without one adds to your clean streak."
          : "No check-ins yet. Check in above when you've done it today."),
        more),
      h("p", { class: "archive-row" }, archive, remove));
    const scroller = body.querySelector(".heatmap-scroll");
    scroller.scrollLeft = scroller.scrollWidth;
  }

  await load();
  return {};
}
