// Inline SVG charts: the year heatmap, line charts, the confidence gauge and progress bars.
// Every chart has a fixed aspect ratio (no layout shift) and a text alternative.

import { h, s, addDays, parseDate, formatDay, formatNumber } from "./dom.js";

export const STATUS_LABELS = {
  DONE: "Done", PARTIAL: "Partly done", MISSED: "Missed", SKIPPED: "Skipped", FROZEN: "Kept by a freeze",
  NOT_DUE: "Not due", CLEAN: "Clean", SLIP: "Slip", FUTURE: "Still to come", PENDING: "Today, still open",
  COVERED: "Covered by nearby check-ins",
};

const CELL = 11;
const GAP = 2;
const LEFT = 26;
const TOP = 16;

/** A year of days as a weeks x weekdays grid (Monday on top), one cell per day. */
/** `paused`: date -> the pause covering it (breaks.js pausedDays); those days are marked as a break. */
export function heatmap(days, { unit = null, startDate = null, paused = new Map() } = {}) {
  if (!days.length) return h("p", { class: "muted" }, "No days to show yet.");
  const first = parseDate(days[0].date);
  const offset = (first.getUTCDay() + 6) % 7; // Monday = 0
  const weeks = Math.ceil((days.length + offset) / 7);
  const width = LEFT + weeks * (CELL + GAP);
  const height = TOP + 7 * (CELL + GAP);
  const counts = {};
  const svg = s("svg", { class: "heatmap", viewBox: `0 0 ${width} ${height}`, role: "img",
    preserveAspectRatio: "xMinYMin meet" });
  days.forEach((day, i) => {
    const index = i + offset;
    const col = Math.floor(index / 7);
    const row = index % 7;
    const date = parseDate(day.date);
    // A month's name over the first week that starts in it (the first column only when its
    // month has room before the next name).
    if ((row === 0 && date.getUTCDate() <= 7) || (i === 0 && date.getUTCDate() <= 14)) {
      svg.append(s("text", { x: LEFT + col * (CELL + GAP), y: 10, class: "axis" },
        date.toLocaleDateString(undefined, { month: "short", timeZone: "UTC" })));
    }
    const before = startDate && day.date < startDate;
    if (!before) counts[day.status] = (counts[day.status] || 0) + 1;
    const qty = day.quantity ? ` (${formatNumber(day.quantity, 1)}${unit ? " " + unit : ""})` : "";
    const pause = !before && paused.get(day.date);
    const label = before ? "before the habit started" : STATUS_LABELS[day.status] || day.status;
    const why = pause ? `, on a break${pause.reason ? ` (${pause.reason})` : ""}` : "";
    svg.append(s("rect", {
      x: LEFT + col * (CELL + GAP), y: TOP + row * (CELL + GAP), width: CELL, height: CELL, rx: 2,
      class: before ? "day before" : `day s-${day.status}${pause ? " paused" : ""}`,
      dataset: pause ? { date: day.date, status: day.status, paused: "true" } : { date: day.date, status: day.status },
    }, s("title", {}, `${formatDay(day.date)}: ${label}${why}${qty}`)));
  });
  ["Mon", "Wed", "Fri"].forEach((label, i) => {
    svg.append(s("text", { x: 0, y: TOP + (i * 2) * (CELL + GAP) + CELL - 2, class: "axis" }, label));
  });
  const summary = Object.entries(counts)
    .filter(([status]) => status !== "FUTURE")
    .map(([status, n]) => `${n} ${STATUS_LABELS[status].toLowerCase()}`).join(", ");
  svg.setAttribute("aria-label", `Calendar from ${formatDay(days[0].date)} to ${formatDay(days[days.length - 1].date)}: ${summary}.`);
  return svg;
}

export function heatmapLegend(kind, { paused = false } = {}) {
  const statuses = kind === "QUIT"
    ? ["CLEAN", "SLIP", "SKIPPED", "PENDING"]
    : kind === "INTERVAL"
      ? ["DONE", "COVERED", "PARTIAL", "MISSED", "SKIPPED", "PENDING"]
      : ["DONE", "PARTIAL", "MISSED", "SKIPPED", "FROZEN", "NOT_DUE", "PENDING"];
  const item = (cls, text) => h("li", {}, s("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" },
    s("rect", { width: 12, height: 12, rx: 2, class: cls })), text);
  return h("ul", { class: "legend", "aria-label": "Legend" },
    statuses.map((status) => item(`day s-${status}`, STATUS_LABELS[status])),
    paused ? item("day s-SKIPPED paused", "On a break") : null);
}

/**
 * A 0-100 line over dates, drawn at the container's real width (crisp text at any size) and
 * a fixed height, so nothing moves when it appears. points: [{date, value}] oldest first.
 */
export function lineChart(points, { label, height = 180, format = (v) => formatNumber(v) } = {}) {
  const wrap = h("div", { class: "chart", style: { height: `${height}px` } });
  const first = points[0];
  const last = points[points.length - 1];
  const text = points.length
    ? `${label}: ${format(first.value)} on ${formatDay(first.date)}, ${format(last.value)} on ${formatDay(last.date)}.`
    : `${label}: no data yet.`;
  let drawnFor = 0;
  const draw = () => {
    const width = Math.max(200, Math.round(wrap.clientWidth || 600));
    if (width === drawnFor) return;
    drawnFor = width;
    wrap.replaceChildren(drawLine(points, width, height, text));
  };
  if (typeof ResizeObserver === "function") new ResizeObserver(draw).observe(wrap);
  requestAnimationFrame(draw);
  return wrap;
}

function drawLine(points, width, height, text) {
  const pad = { left: 34, right: 14, top: 12, bottom: 24 };
  const svg = s("svg", { class: "line-chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": text });
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const y = (v) => pad.top + innerH - (Math.max(0, Math.min(100, v)) / 100) * innerH;
  for (const tick of [0, 25, 50, 75, 100]) {
    svg.append(s("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: "grid" }));
    svg.append(s("text", { x: pad.left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, String(tick)));
  }
  if (!points.length) return svg;
  const x = (i) => pad.left + (points.length === 1 ? innerW : (i / (points.length - 1)) * innerW);
  const d = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  svg.append(s("path", { d: `${d} L${x(points.length - 1).toFixed(1)},${y(0)} L${x(0).toFixed(1)},${y(0)} Z`,
    class: "area" }));
  svg.append(s("path", { d, class: "line" }));
  // One day has one label (at the right, under its point); two labels at one spot would overlap.
  const ticks = points.length > 2 ? [0, Math.floor((points.length - 1) / 2), points.length - 1]
    : points.length === 2 ? [0, 1] : [0];
  ticks.forEach((i, n) => {
    const anchor = points.length === 1 || n === ticks.length - 1 ? "end" : n === 0 ? "start" : "middle";
    svg.append(s("text", { x: x(i), y: height - 6, class: "axis", "text-anchor": anchor },
      formatDay(points[i].date, { day: "numeric", month: "short" })));
  });
  const lastX = x(points.length - 1);
  svg.append(s("circle", { cx: lastX, cy: y(points[points.length - 1].value), r: 4, class: "dot" }));
  return svg;
}

/** The confidence score as a half-circle gauge. */
export function gauge(score) {
  const value = Math.max(0, Math.min(100, score));
  const r = 80;
  const cx = 100;
  const cy = 100;
  const angle = Math.PI * (1 - value / 100);
  const end = [cx + r * Math.cos(angle), cy - r * Math.sin(angle)];
  const arc = (to) => `M${cx - r},${cy} A${r},${r} 0 0 1 ${to[0].toFixed(2)},${to[1].toFixed(2)}`;
  const band = value < 35 ? "low" : value < 65 ? "mid" : "high";
  return s("svg", { class: `gauge gauge-${band}`, viewBox: "0 0 200 118", role: "img",
    "aria-label": `Confidence score ${formatNumber(value)} out of 100` },
  s("path", { d: arc([cx + r, cy]), class: "gauge-track" }),
  value > 0 ? s("path", { d: arc(end), class: "gauge-value" }) : null,
  s("text", { x: cx, y: cy - 12, "text-anchor": "middle", class: "gauge-number" }, formatNumber(value)),
  s("text", { x: cx, y: cy + 14, "text-anchor": "middle", class: "gauge-caption" }, "out of 100"));
}

export function progressBar(current, target, label) {
  const pct = target > 0 ? Math.max(0, Math.min(100, (current / target) * 100)) : 100;
  return h("div", { class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": 0,
    "aria-valuemax": target, "aria-valuenow": current, "aria-valuetext": `${formatNumber(current, 1)} of ${formatNumber(target, 1)}` },
  h("span", { style: { width: `${pct}%` } }));
}

/**
 * The API's `strengthSeries` ({ from, to, values }) as chart points [{date, value}], from the habit's
 * start date on: the service computes strength (one formula, the same numbers as `strength`).
 */
export function strengthPoints(series, startDate) {
  const points = [];
  let day = series.from;
  for (const value of series.values) {
    if (day >= startDate) points.push({ date: day, value });
    day = addDays(day, 1);
  }
  return points;
}

/**
 * The API's `daySeries` ({ start, statuses, quantities }) as the heatmap's days [{date, status, quantity}]:
 * a year asked as two arrays costs the service far less than 365 objects of three fields.
 */
export function seriesDays(series) {
  const days = [];
  let day = series.start;
  series.statuses.forEach((status, i) => {
    days.push({ date: day, status, quantity: series.quantities[i] });
    day = addDays(day, 1);
  });
  return days;
}
