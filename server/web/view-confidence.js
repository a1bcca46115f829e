// Confidence: the score as a gauge, what it is made of, and the last 90 days.

import { gql } from "./api.js";
import { h, formatDateTime, formatNumber } from "./dom.js";
import { gauge, lineChart, progressBar } from "./charts.js";

const CONFIDENCE = `query Confidence { confidence { score computedAt components { key label weight value }
  history(days: 90) { date score } } habits { id } }`;

function band(score) {
  if (score >= 65) return "Strong. Your habits are carrying you.";
  if (score >= 35) return "Building. Keep showing up and it keeps rising.";
  if (score > 0) return "Early days. Every check-in moves it.";
  return "Not started yet.";
}

function skeleton() {
  return h("div", { class: "confidence-grid", "aria-busy": "true" },
    h("div", { class: "card gauge-card" }, h("span", { class: "skeleton block gauge-size" })),
    h("div", { class: "card" }, h("span", { class: "skeleton line w60" }), h("span", { class: "skeleton line w80" }),
      h("span", { class: "skeleton line w80" }), h("span", { class: "skeleton line w60" })),
    h("div", { class: "card wide" }, h("span", { class: "skeleton block chart-size" })));
}

export async function render(root) {
  root.append(h("div", { class: "page-head" }, h("div", {},
    h("h1", {}, "Confidence"),
    h("p", { class: "muted" }, "One number for how well you are looking after yourself, from your habits and your journal."))),
  skeleton());

  async function load() {
    const data = await gql(CONFIDENCE);
    const c = data.confidence;
    const components = [...c.components].sort((a, b) => b.weight - a.weight);
    const empty = !data.habits.length;
    const grid = h("div", { class: "confidence-grid" },
      h("section", { class: "card gauge-card", "aria-labelledby": "score-title" },
        h("h2", { id: "score-title", class: "sr-only" }, "Your score"),
        gauge(c.score),
        h("p", { class: "gauge-band" }, band(c.score)),
        h("p", { class: "muted small" }, `Updated ${formatDateTime(c.computedAt)}`),
        empty ? h("p", { class: "empty-hint" }, "Your score grows as you check in. ",
          h("a", { href: "#/today" }, "Create your first habit"), " to start it.") : null),
      h("section", { class: "card", "aria-labelledby": "parts-title" },
        h("h2", { id: "parts-title" }, "What it's made of"),
        h("p", { class: "muted small" }, "Each part scores 0–100 and counts for its share; the score is the weighted sum. "
          + "Shares follow what you track, so a part you don't track counts for nothing."),
        components.length ? h("ul", { class: "components" }, components.map((part) => h("li", { class: "component" },
          h("div", { class: "component-head" },
            h("strong", {}, part.label),
            h("span", { class: "muted" }, `${formatNumber(part.value)} / 100 · counts ${formatNumber(part.weight * 100)}%`)),
          progressBar(part.value, 100, `${part.label}: ${formatNumber(part.value)} out of 100`),
          h("p", { class: "small muted" }, `Adds ${formatNumber(part.weight * part.value, 1)} points to your score.`))))
          : h("p", { class: "muted" }, "Nothing yet: create a habit or write in your journal.")),
      h("section", { class: "card wide", "aria-labelledby": "history-title" },
        h("h2", { id: "history-title" }, "The last 90 days"),
        lineChart(c.history.map((p) => ({ date: p.date, value: p.score })), { label: "Confidence score", height: 200 })));
    root.querySelector(".confidence-grid").replaceWith(grid);
  }

  await load();
  let timer = null;
  return {
    onEvent(event) {
      if (event.__typename !== "ConfidenceChanged") return;
      clearTimeout(timer);
      timer = setTimeout(() => load().catch(() => {}), 300);
    },
    destroy() { clearTimeout(timer); },
  };
}
