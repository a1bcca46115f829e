// Achievements: unlocked ones first, then the locked ones with their progress.

import { gql } from "./api.js";
import { h, icon, formatDay, formatNumber } from "./dom.js";
import { progressBar } from "./charts.js";

const ACHIEVEMENTS = "query Achievements { achievements { key title description unlocked unlockedAt current target } }";

function badge(a) {
  return h("li", { class: `card badge ${a.unlocked ? "is-unlocked" : "is-locked"}`, dataset: { key: a.key } },
    h("div", { class: "badge-icon" }, icon(a.unlocked ? "star" : "lock", a.unlocked ? "Unlocked" : "Locked")),
    h("div", { class: "badge-body" },
      h("h3", {}, a.title),
      h("p", { class: "small" }, a.description),
      a.unlocked
        ? h("p", { class: "small unlocked-on" }, `Unlocked ${formatDay(a.unlockedAt.slice(0, 10), { day: "numeric", month: "long", year: "numeric" })}`)
        : h("div", { class: "badge-progress" },
          progressBar(a.current, a.target, `${a.title} progress`),
          h("span", { class: "small muted" }, `${formatNumber(a.current)} of ${formatNumber(a.target)}`))));
}

function skeleton() {
  return h("ul", { class: "badges", "aria-busy": "true" }, Array.from({ length: 6 }, () =>
    h("li", { class: "card badge skeleton-card" }, h("span", { class: "skeleton block square" }),
      h("div", { class: "badge-body" }, h("span", { class: "skeleton line w60" }), h("span", { class: "skeleton line w80" })))));
}

export async function render(root) {
  const summary = h("p", { class: "muted" }, "\u00a0");
  root.append(h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Achievements"), summary)), skeleton());

  async function load() {
    const all = (await gql(ACHIEVEMENTS)).achievements;
    const unlocked = all.filter((a) => a.unlocked).sort((a, b) => (b.unlockedAt || "").localeCompare(a.unlockedAt || ""));
    const locked = all.filter((a) => !a.unlocked).sort((a, b) => b.current / b.target - a.current / a.target);
    summary.textContent = `${unlocked.length} of ${all.length} unlocked.`
      + (unlocked.length ? "" : " Your first one is a check-in away: create a habit and check in today.");
    const sections = h("div", { class: "achievement-sections" },
      h("section", { "aria-labelledby": "unlocked-title" },
        h("h2", { id: "unlocked-title" }, "Unlocked"),
        unlocked.length ? h("ul", { class: "badges" }, unlocked.map(badge))
          : h("p", { class: "card empty-state small" }, "None yet. ", h("a", { href: "#/today" }, "Check in on a habit"),
            " to unlock “Showed up”.")),
      h("section", { "aria-labelledby": "locked-title" },
        h("h2", { id: "locked-title" }, "Still to come"),
        h("ul", { class: "badges" }, locked.map(badge))));
    root.querySelector(".badges[aria-busy], .achievement-sections").replaceWith(sections);
  }

  await load();
  return {
    onEvent(event) {
      if (event.__typename === "AchievementUnlocked") load().catch(() => {});
    },
  };
}
