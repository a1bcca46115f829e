// Today: every habit with its one-tap check-in, and the create-habit form.

import { gql, unwrap, errorFields } from "./api.js";
import { h, icon, addDays, formatDay, busy } from "./dom.js";
import { HABIT_FIELDS, habitCard } from "./habit-card.js";
import { habitForm } from "./habit-form.js";
import { breakBanners, breakForm, covers } from "./breaks.js";

const TODAY = `query Today($from: Date!, $to: Date!) { habits {
  ...HabitFields days(from: $from, to: $to) { date status quantity }
  checkIns(from: $to, to: $to, first: 50) { edges { node { id quantity occurredAt note } } } }
  pauses { id from to reason habits { id name } } }
  ${HABIT_FIELDS}`;
const REORDER = "mutation Reorder($ids: [ID!]!) { habitsReorder(ids: $ids) { id } }";
const FIRST_STEP = "query FirstStep { program { steps { key position title unlocked suggestedHabits { name } } } }";
const ADOPT = `mutation Adopt($key: String!) { starterKitAdopt(stepKey: $key) { ${errorFields("StepLockedError")}
  ... on StarterKitAdopted { habits { id name } } } }`;

function greeting(me) {
  let hour = new Date().getHours();
  try {
    hour = Number(new Intl.DateTimeFormat("en-GB", { hour: "numeric", hourCycle: "h23", timeZone: me.timezone }).format(new Date()));
  } catch { /* an unknown zone: the browser's clock will do */ }
  const part = hour < 5 ? "Good night" : hour < 12 ? "Good morning" : hour < 18 ? "Good afternoon" : "Good evening";
  return me.displayName ? `${part}, ${me.displayName}` : part;
}

function skeleton() {
  return h("div", { class: "habit-grid", "aria-busy": "true", "aria-label": "Loading your habits" },
    [1, 2, 3, 4].map(() => h("div", { class: "card habit-card skeleton-card" },
      h("span", { class: "skeleton line w60" }), h("span", { class: "skeleton line w40" }),
      h("span", { class: "skeleton block" }), h("span", { class: "skeleton line w80" }))));
}

export async function render(root, { app }) {
  const summary = h("p", { class: "today-summary muted" }, h("span", { class: "skeleton line w40 inline" }));
  // What the user just did here is confirmed here (a live line under the heading), not with a toast.
  const notice = h("p", { class: "today-notice", role: "status" });
  const heading = h("h1", {}, "Today");
  const dateLine = h("p", { class: "eyebrow" }, "\u00a0");
  const newButton = h("button", { type: "button", class: "button primary", "aria-expanded": "false",
    "aria-controls": "new-habit" }, "+ New habit");
  const breakButton = h("button", { type: "button", class: "button", "aria-expanded": "false",
    "aria-controls": "take-break" }, "Take a break");
  const formSlot = h("section", { id: "new-habit", class: "card form-card", hidden: true });
  const breakSlot = h("section", { id: "take-break", class: "card form-card", hidden: true });
  const banners = h("div", { class: "break-banners" });
  let habits = [];
  root.append(
    h("div", { class: "page-head" }, h("div", {}, dateLine, heading, summary, notice),
      h("div", { class: "row" }, breakButton, newButton)),
    formSlot, breakSlot, banners, skeleton());

  const today = await app.today();
  const me = app.me;
  dateLine.textContent = formatDay(today, { weekday: "long", day: "numeric", month: "long" });
  heading.textContent = greeting(me);

  const openForm = (open) => {
    formSlot.hidden = !open;
    newButton.setAttribute("aria-expanded", String(open));
    if (open) {
      const { form, focus } = habitForm(today, {
        onCreated: (habit) => { openForm(false); load(addedMessage(habit)); },
        onCancel: () => { openForm(false); newButton.focus(); },
      });
      formSlot.replaceChildren(form);
      focus();
    }
  };
  newButton.addEventListener("click", () => openForm(formSlot.hidden));

  const openBreak = (open) => {
    breakSlot.hidden = !open;
    breakButton.setAttribute("aria-expanded", String(open));
    if (open) {
      const { form, focus } = breakForm(today, habits, {
        onDone: (message) => { openBreak(false); load(message); },
        onCancel: () => { openBreak(false); breakButton.focus(); },
      });
      breakSlot.replaceChildren(form);
      focus();
    }
  };
  breakButton.addEventListener("click", () => openBreak(breakSlot.hidden));

  // Up and down swap a habit with its neighbour; the active habits are sent in their new order.
  const move = async (index, by) => {
    const ids = habits.map((x) => x.id);
    [ids[index], ids[index + by]] = [ids[index + by], ids[index]];
    await gql(REORDER, { ids });
    await load(`Moved “${habits[index].name}” ${by < 0 ? "up" : "down"}.`);
    const moved = root.querySelector(`.order-buttons[data-habit="${ids[index + by]}"] button[data-move="${by < 0 ? "up" : "down"}"]`);
    if (moved && !moved.disabled) moved.focus();
  };
  const orderButtons = (habit, index) => h("div", { class: "order-buttons", dataset: { habit: habit.id } },
    h("button", { type: "button", class: "link-button", dataset: { move: "up" }, disabled: index === 0,
      "aria-label": `Move ${habit.name} up`, onclick: () => move(index, -1) }, "↑"),
    h("button", { type: "button", class: "link-button", dataset: { move: "down" }, disabled: index === habits.length - 1,
      "aria-label": `Move ${habit.name} down`, onclick: () => move(index, 1) }, "↓"));

  const updateSummary = (habits) => {
    const done = habits.filter((x) => x.doneToday).length;
    summary.replaceChildren(habits.length
      ? `${done} of ${habits.length} done today${done === habits.length ? " — all done. Well done." : "."}`
      : "Nothing to track yet.");
  };

  async function load(message = "") {
    const data = await gql(TODAY, { from: addDays(today, -6), to: today });
    habits = data.habits;
    banners.replaceChildren(...breakBanners(data.pauses, today, (text) => load(text)));
    updateSummary(habits);
    if (!habits.length) {
      const empty = await emptyState(openForm, () => load("Starter kit added. Here is your first habit."));
      root.querySelector(".habit-grid, .empty-state").replaceWith(empty);
      return;
    }
    const running = data.pauses.filter((p) => p.from <= today && today <= p.to);
    const grid = h("div", { class: "habit-grid" }, habits.map((habit, index) =>
      habitCard(habit, today, habits.length > 1 ? orderButtons(habit, index) : null,
        running.some((p) => covers(p, habit.id)))));
    grid.addEventListener("habit-changed", () => {
      const cards = [...grid.querySelectorAll(".habit-card")];
      updateSummary(cards.map((c) => ({ doneToday: c.dataset.done === "true" })));
    });
    const current = root.querySelector(".habit-grid, .empty-state");
    current.replaceWith(grid);
    notice.textContent = message;
  }

  await load();
  return {};
}

export function addedMessage(habit) {
  return habit.kind === "QUIT"
    ? `Added “${habit.name}”. Every day without it counts as clean; log a slip if it happens.`
    : `Added “${habit.name}”. Check in whenever you've done it.`;
}

async function emptyState(openForm, reload) {
  const adopt = h("button", { type: "button", class: "button" }, "Adopt step 1's starter kit");
  const alert = h("p", { class: "form-alert", role: "alert" });
  let kitText = "";
  try {
    const step = (await gql(FIRST_STEP)).program.steps.find((x) => x.position === 1);
    if (step) {
      kitText = step.suggestedHabits.map((x) => x.name).join(", ");
      adopt.addEventListener("click", async () => {
        busy(adopt, true);
        try {
          unwrap((await gql(ADOPT, { key: step.key })).starterKitAdopt);
          reload();
        } catch (error) {
          alert.textContent = error.message;
          busy(adopt, false);
        }
      });
    }
  } catch { adopt.hidden = true; }
  const create = h("button", { type: "button", class: "button primary", onclick: () => openForm(true) }, "Create your first habit");
  return h("section", { class: "card empty-state" },
    icon("leaf"),
    h("h2", {}, "Create your first habit"),
    h("p", {}, "Start with one small thing you can do today: a short walk, ten pages, making your bed. "
      + "Each check-in builds a streak, and your confidence score grows with it."),
    kitText ? h("p", { class: "muted" }, `Not sure where to start? Step 1 of the program suggests: ${kitText}.`) : null,
    h("div", { class: "row center" }, create, adopt), alert);
}
