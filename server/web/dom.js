// Tiny DOM helpers: build elements without innerHTML (text is always text), and format values.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = value;
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** h("button", {class: "primary", onclick}, "Save") */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** The same for SVG elements. */
export function s(tag, props = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// Small inline icons (no icon font, no emoji: both may be missing offline).
const ICONS = {
  today: "M4 5h16v15H4z M4 9h16 M9 3v4 M15 3v4",
  confidence: "M4 18a8 8 0 1 1 16 0 M12 18l4-6",
  achievements: "M8 4h8v5a4 4 0 0 1-8 0z M12 13v4 M8 20h8 M8 6H5a3 3 0 0 0 3 4 M16 6h3a3 3 0 0 1-3 4",
  program: "M5 4h10l4 4v12H5z M9 11h6 M9 15h6",
  settings: "M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6 M12 3v3 M12 18v3 M3 12h3 M18 12h3 M5.6 5.6l2.1 2.1 M16.3 16.3l2.1 2.1 M5.6 18.4l2.1-2.1 M16.3 7.7l2.1-2.1",
  flame: "M12 3c1 4 5 5 5 10a5 5 0 0 1-10 0c0-3 2-4 2-7 2 1 3 3 3 5",
  check: "M5 12l5 5 9-10",
  lock: "M6 11h12v9H6z M8 11V8a4 4 0 0 1 8 0v3",
  snow: "M12 3v18 M4 7.5l16 9 M4 16.5l16-9",
  undo: "M9 14L4 9l5-5 M4 9h10.5a5.5 5.5 0 0 1 0 11H11",
  star: "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z",
  leaf: "M5 19c0-9 6-14 14-14 0 8-5 14-14 14z M5 19l7-7",
};

export function icon(name, label = null) {
  const props = { class: `icon icon-${name}`, viewBox: "0 0 24 24", width: 20, height: 20, fill: "none",
    stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round" };
  if (label) { props.role = "img"; props["aria-label"] = label; } else { props["aria-hidden"] = "true"; }
  return s("svg", props, s("path", { d: ICONS[name] || "" }));
}

// --- dates ----------------------------------------------------------------------------------

export function parseDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso, n) {
  const d = parseDate(iso);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDate(d);
}

export function daysBetween(a, b) {
  return Math.round((parseDate(b) - parseDate(a)) / 86400000);
}

export function formatDay(iso, options = { weekday: "short", day: "numeric", month: "short" }) {
  return parseDate(iso).toLocaleDateString(undefined, { ...options, timeZone: "UTC" });
}

// Instants are shown on the user's own clock (their profile's time zone), not the browser's.
let zone;
export function setTimeZone(name) { zone = name || undefined; }

export function formatDateTime(iso) {
  return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: zone });
}

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone });
}

export function formatNumber(n, digits = 0) {
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function plural(n, one, many) {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export function scheduleText(schedule) {
  if (schedule.period === "DAILY") return "Every day";
  if (schedule.period === "WEEKDAYS") return schedule.weekdays.map((d) => WEEKDAYS[d - 1]).join(", ");
  if (schedule.period === "INTERVAL") {
    // Rolling days, as Loop Habit Tracker counts them: "2× in any 3 days", or a total over them.
    if (schedule.total) return `In total, in any ${schedule.days} days`;
    return schedule.times === 1 ? `Once in any ${schedule.days} days` : `${schedule.times}× in any ${schedule.days} days`;
  }
  return `${schedule.timesPerWeek}× a week`;
}

export const CATEGORY_LABELS = {
  WORKOUT: "Workout", READING: "Reading", HYGIENE: "Self-care", FRIENDS: "Friends & family", CUSTOM: "Other",
};

export function isNumeric(habit) {
  return habit.kind === "BUILD" && (habit.targetQuantity > 1 || Boolean(habit.unit));
}

/** A labelled field: <label> + control + (error slot). */
export function field(label, control, hint = null) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  control.setAttribute("aria-describedby", `${id}-error`);
  return h("div", { class: "field", dataset: { field: control.name || "" } },
    h("label", { for: id }, label), control, hint ? h("p", { class: "hint" }, hint) : null, error);
}

/** Show an ApiError on a form: next to its field when it names one, else in the form's alert. */
export function showFormError(form, error) {
  form.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const alert = form.querySelector(".form-alert");
  if (!error) { if (alert) alert.textContent = ""; return; }
  const slot = error.field && form.querySelector(`.field[data-field="${error.field}"]`);
  if (slot) {
    slot.querySelector(".field-error").textContent = error.message;
    const control = slot.querySelector("input, select, textarea");
    if (control) { control.setAttribute("aria-invalid", "true"); control.focus(); }
    if (alert) alert.textContent = "";
  } else if (alert) {
    alert.textContent = error.message;
  }
}

/** A button that destroys something asks once more: the first click only turns it into `text` (and,
 * when given, names it `label` for screen readers); true once the user has clicked it again. */
export function confirmedTwice(button, text, label) {
  if (button.dataset.confirm === "yes") return true;
  button.dataset.confirm = "yes";
  button.textContent = text;
  if (label) button.setAttribute("aria-label", label);
  return false;
}

export function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", on ? "true" : "false");
}
