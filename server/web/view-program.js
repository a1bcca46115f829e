// The guided program: steps with their lock state and requirements, the open steps' texts,
// starter kits, and the journal with each step's prompts.

import { gql, unwrap, errorFields } from "./api.js";
import { h, icon, field, showFormError, busy, formatDay, formatNumber, scheduleText, CATEGORY_LABELS } from "./dom.js";
import { progressBar } from "./charts.js";
import { renderMarkdown } from "./markdown.js";

const PROGRAM = `query Program { program { key title currentStep { key }
  steps { key position title summary unlocked unlockedAt content prompts complete
    suggestedHabits { name category kind schedule { period weekdays timesPerWeek times days total } targetQuantity unit }
    requirements { kind description current target met } } } }`;
const JOURNAL = `query Journal($after: String) { journalEntries(first: 10, after: $after) {
  edges { node { id prompt body stepKey day createdAt } } pageInfo { hasNextPage endCursor } } }`;
const WRITE = `mutation Write($input: JournalEntryCreateInput!) { journalEntryCreate(input: $input) {
  ${errorFields("InvalidInputError", "StepLockedError")} ... on JournalEntry { id } } }`;
const ADOPT = `mutation Adopt($key: String!) { starterKitAdopt(stepKey: $key) { ${errorFields("StepLockedError")}
  ... on StarterKitAdopted { habits { id name } } } }`;

function requirementList(requirements) {
  return h("ul", { class: "requirements" }, requirements.map((r) => h("li", { class: r.met ? "met" : "" },
    h("div", { class: "requirement-head" },
      r.met ? icon("check", "Done") : h("span", { class: "req-dot", "aria-hidden": "true" }),
      h("span", {}, r.description),
      h("span", { class: "muted small" }, `${formatNumber(r.current, 1)} / ${formatNumber(r.target, 1)}`)),
    progressBar(r.current, r.target, r.description))));
}

function stepStatus(step, currentKey) {
  if (!step.unlocked) return ["Locked", "locked"];
  if (step.complete) return ["Done", "complete"];
  if (step.key === currentKey) return ["You are here", "current"];
  return ["Open", "open"];
}

function journalForm({ prompt = null, stepKey = null, label, onSaved }) {
  const body = h("textarea", { name: "body", rows: 4, maxlength: 20000, required: true,
    dataset: { draft: `${stepKey || ""}|${prompt || ""}` } });
  const submit = h("button", { type: "submit", class: "button primary" }, "Save entry");
  const form = h("form", { class: "journal-form", novalidate: true },
    field(label, body), h("p", { class: "form-alert", role: "alert" }), h("div", { class: "row" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!body.value.trim()) { showFormError(form, { field: "body", message: "Write something first." }); return; }
    busy(submit, true);
    try {
      unwrap((await gql(WRITE, { input: { body: body.value, prompt, stepKey } })).journalEntryCreate);
      body.value = "";
      showFormError(form, null);
      await onSaved();
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });
  return form;
}

function entryItem(entry, titles) {
  return h("li", { class: "entry" },
    h("p", { class: "entry-meta small muted" }, formatDay(entry.day, { weekday: "short", day: "numeric", month: "long", year: "numeric" }),
      entry.stepKey && titles[entry.stepKey] ? ` · ${titles[entry.stepKey]}` : ""),
    entry.prompt ? h("p", { class: "entry-prompt" }, entry.prompt) : null,
    h("p", { class: "entry-body" }, entry.body));
}

function skeleton() {
  return h("div", { class: "program-layout", "aria-busy": "true" },
    h("div", { class: "card steps-card" }, Array.from({ length: 6 }, () => h("span", { class: "skeleton line w80" }))),
    h("div", { class: "card step-detail" }, h("span", { class: "skeleton line w60" }), h("span", { class: "skeleton block tall" })));
}

export async function render(root, { params, app }) {
  const heading = h("h1", {}, "Program");
  root.append(h("div", { class: "page-head" }, h("div", {}, heading,
    h("p", { class: "muted" }, "Ten steps back to yourself. Each one opens when you've done the work of the one before."))),
  skeleton());
  let journal = [];
  let journalPage = null;
  let program = null;
  let polls = [];

  async function loadJournal(after = null) {
    const data = (await gql(JOURNAL, { after })).journalEntries;
    journal = after ? journal.concat(data.edges.map((e) => e.node)) : data.edges.map((e) => e.node);
    journalPage = data.pageInfo;
  }

  async function load() {
    const [data] = await Promise.all([gql(PROGRAM), loadJournal()]);
    program = data.program;
    draw();
  }

  // The engine also records unlocks in the background; re-read a few times so the view follows.
  function followUp() {
    polls.forEach(clearTimeout);
    polls = [1500, 4000, 8000].map((ms) => setTimeout(() => load().catch(() => {}), ms));
  }

  function draw() {
    const steps = program.steps;
    const currentKey = program.currentStep.key;
    const selectedKey = params[0] && steps.some((x) => x.key === params[0]) ? params[0] : currentKey;
    const step = steps.find((x) => x.key === selectedKey);
    const titles = Object.fromEntries(steps.map((x) => [x.key, `Step ${x.position}: ${x.title}`]));
    heading.textContent = program.title;

    const nav = h("nav", { class: "card steps-card", "aria-label": "Steps" }, h("ol", { class: "steps" }, steps.map((x) => {
      const [label, cls] = stepStatus(x, currentKey);
      const done = x.requirements.filter((r) => r.met).length;
      return h("li", { class: `step-item is-${cls}`, dataset: { stepKey: x.key, unlocked: String(x.unlocked) } },
        h("a", { href: `#/program/${x.key}`, "aria-current": x.key === selectedKey ? "true" : null },
          h("span", { class: "step-number", "aria-hidden": "true" }, x.unlocked ? String(x.position) : icon("lock")),
          h("span", { class: "step-text" }, h("span", { class: "step-title" }, x.title),
            h("span", { class: "step-state small" }, label,
              x.unlocked && !x.complete && x.requirements.length ? ` · ${done} of ${x.requirements.length} to open the next` : "")),
          h("span", { class: "sr-only" }, `Step ${x.position}`)));
    })));

    const detail = h("article", { class: "card step-detail", "aria-labelledby": "step-title", dataset: { stepKey: step.key } },
      h("p", { class: "eyebrow" }, `Step ${step.position} of ${steps.length}`),
      h("h2", { id: "step-title" }, step.title),
      h("p", { class: "step-summary" }, step.summary));

    if (!step.unlocked) {
      const previous = steps.find((x) => x.position === step.position - 1);
      detail.classList.add("is-locked");
      detail.append(h("div", { class: "locked-note" }, icon("lock"),
        h("div", {}, h("p", {}, h("strong", {}, "This step is still locked. "),
          previous ? `It opens when you finish step ${previous.position}, “${previous.title}”:` : ""),
        previous ? requirementList(previous.requirements) : null,
        previous && previous.unlocked ? h("a", { href: `#/program/${previous.key}`, class: "button" }, `Go to step ${previous.position}`) : null)));
    } else {
      if (step.requirements.length) {
        const next = steps.find((x) => x.position === step.position + 1);
        detail.append(h("section", { class: "next-step", "aria-labelledby": "next-title" },
          h("h3", { id: "next-title" }, step.complete && next
            ? `Done: step ${next.position}, “${next.title}”, is open`
            : next ? `To open step ${next.position}, “${next.title}”` : "To finish this step"),
          requirementList(step.requirements)));
      }
      const markdown = h("div", { class: "markdown" });
      markdown.innerHTML = renderMarkdown(step.content || "");
      detail.append(markdown);
      if (step.suggestedHabits.length) detail.append(starterKit(step, app));
      const prompts = step.prompts || [];
      detail.append(h("section", { class: "step-journal", "aria-labelledby": "prompts-title" },
        h("h3", { id: "prompts-title" }, "Write about it"),
        prompts.map((prompt) => journalForm({ prompt, stepKey: step.key, label: prompt, onSaved: async () => {
          await load();
          app.toast("Journal entry saved", "Only you can read it.");
          followUp();
        } })),
        (() => {
          const mine = journal.filter((e) => e.stepKey === step.key);
          return mine.length ? h("div", {}, h("h4", {}, "Your entries for this step"),
            h("ul", { class: "entries" }, mine.map((e) => entryItem(e, titles)))) : null;
        })()));
    }

    const more = h("button", { type: "button", class: "button ghost", hidden: !(journalPage && journalPage.hasNextPage) }, "Show older entries");
    more.addEventListener("click", async () => {
      busy(more, true);
      try { await loadJournal(journalPage.endCursor); draw(); } finally { busy(more, false); }
    });
    const journalSection = h("section", { class: "card journal-card", "aria-labelledby": "journal-title" },
      h("h2", { id: "journal-title" }, "Journal"),
      h("p", { class: "muted small" }, "Private to you. Write freely, or answer a step's prompts above."),
      journalForm({ label: "New entry", onSaved: async () => { await load(); followUp(); } }),
      journal.length ? h("ul", { class: "entries" }, journal.map((e) => entryItem(e, titles)))
        : h("p", { class: "muted" }, "No entries yet. Step 1 asks for two honest ones: start with its prompts."),
      more);

    // A redraw (an unlock arriving, a follow-up read) keeps what is being typed, and the focus.
    const old = root.querySelector(".program-layout");
    const drafts = new Map([...old.querySelectorAll("textarea")].map((t) => [t.dataset.draft, t.value]));
    const focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.dataset.draft : null;
    const layout = h("div", { class: "program-layout" }, nav, detail, journalSection);
    layout.querySelectorAll("textarea").forEach((t) => {
      if (drafts.get(t.dataset.draft)) t.value = drafts.get(t.dataset.draft);
      if (focused && t.dataset.draft === focused) requestAnimationFrame(() => t.focus());
    });
    old.replaceWith(layout);
    const chip = layout.querySelector(".step-item a[aria-current]");
    const strip = layout.querySelector(".steps");
    if (chip && strip.scrollWidth > strip.clientWidth) strip.scrollLeft = chip.parentElement.offsetLeft - strip.offsetLeft - 48;
  }

  await load();
  if (params[0] && window.matchMedia("(max-width: 720px)").matches) {
    // On a phone the step list comes first: bring the chosen step into view.
    root.querySelector(".step-detail").scrollIntoView({ block: "start" });
  }
  return {
    onEvent(event) {
      if (event.__typename === "StepUnlocked") load().catch(() => {});
    },
    destroy() { polls.forEach(clearTimeout); },
  };
}

function starterKit(step, app) {
  const adopt = h("button", { type: "button", class: "button" }, "Adopt the starter kit");
  const status = h("p", { class: "small", role: "status" });
  adopt.addEventListener("click", async () => {
    busy(adopt, true);
    try {
      const result = unwrap((await gql(ADOPT, { key: step.key })).starterKitAdopt);
      const n = result.habits.length;
      status.replaceChildren(`${n === 1 ? "1 habit is" : `${n} habits are`} on your `, h("a", { href: "#/today" }, "today list"), ".");
      app.toast("Starter kit adopted", "Find the habits on your today list.");
    } catch (error) {
      status.textContent = error.message;
    } finally {
      busy(adopt, false);
    }
  });
  return h("section", { class: "starter-kit", "aria-labelledby": "kit-title" },
    h("h3", { id: "kit-title" }, "Starter kit"),
    h("ul", { class: "kit" }, step.suggestedHabits.map((x) => h("li", {},
      h("strong", {}, x.name),
      h("span", { class: "muted small" }, [x.kind === "QUIT" ? "Quit" : CATEGORY_LABELS[x.category], scheduleText(x.schedule),
        x.targetQuantity > 1 || x.unit ? `${formatNumber(x.targetQuantity)} ${x.unit || ""}`.trim() : null].filter(Boolean).join(" · "))))),
    h("div", { class: "row" }, adopt), status);
}
