// Settings → Webhooks: create one (its signing secret shown once), send a test, delete, and each
// webhook's state and latest deliveries (the delivery log).

import { gql, unwrap, errorFields } from "./api.js";
import { h, field, showFormError, busy, formatDateTime, confirmedTwice } from "./dom.js";

export const WEBHOOK_FIELDS = `id url events enabled lastError disabledAt
  deliveries { id event attempt status responseCode lastError createdAt }`;
const LIST = `query Webhooks { webhooks { ${WEBHOOK_FIELDS} } }`;
const CREATE = `mutation WebhookCreate($input: WebhookCreateInput!) { webhookCreate(input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError")} ... on WebhookCreated { secret webhook { ${WEBHOOK_FIELDS} } } } }`;
const DELETE = `mutation WebhookDelete($id: ID!) { webhookDelete(id: $id) { ${errorFields()} ... on Webhook { id } } }`;
const TEST = `mutation WebhookTest($id: ID!) { webhookTest(id: $id) { ${errorFields()} ... on WebhookDelivery { id } } }`;

const EVENTS = [
  ["CHECK_IN_CREATED", "A check-in is logged"],
  ["CHECK_IN_UNDONE", "A check-in is undone"],
  ["ACHIEVEMENT_UNLOCKED", "An achievement is earned"],
  ["STEP_UNLOCKED", "A program step opens"],
  ["CONFIDENCE_CHANGED", "Today's confidence changes"],
  ["REMINDER_DUE", "A reminder is due"],
];

export function webhooksSection(initial, secretBox) {
  let hooks = initial;
  const openLogs = new Set(); // logs left open survive the list being drawn again
  const list = h("ul", { class: "tokens webhooks" });
  const reveal = h("div", { class: "secret-slot" });
  const url = h("input", { name: "url", type: "url", maxlength: 2048, placeholder: "https://example.com/comeback", autocomplete: "off" });
  const boxes = EVENTS.map(([value], i) => h("input", { type: "checkbox", name: "events", value, checked: i === 0 }));
  const submit = h("button", { type: "submit", class: "button primary" }, "Create webhook");
  const form = h("form", { class: "token-form", novalidate: true, "aria-labelledby": "new-webhook-title" },
    h("h3", { id: "new-webhook-title" }, "New webhook"),
    field("URL", url, "Comeback POSTs signed JSON here (Standard Webhooks)."),
    h("fieldset", { class: "field scopes", dataset: { field: "events" } }, h("legend", {}, "Send it when"),
      ...EVENTS.map(([, label], i) => h("label", { class: "check" }, boxes[i], ` ${label}`)),
      h("p", { class: "field-error" })),
    h("p", { class: "form-alert", role: "alert" }),
    h("div", { class: "row" }, submit));

  const refresh = async () => {
    hooks = (await gql(LIST)).webhooks;
    drawList();
  };

  // The test runs in the background: read the log again until its answer is in (a few tries).
  const followTest = (webhookId, deliveryId, tries) => setTimeout(async () => {
    try {
      await refresh();
    } catch { return; }
    const hook = hooks.find((x) => x.id === webhookId);
    const delivery = hook && hook.deliveries.find((d) => d.id === deliveryId);
    if (delivery && delivery.status === "PENDING" && tries > 1) followTest(webhookId, deliveryId, tries - 1);
  }, 1000);

  const drawList = () => {
    list.replaceChildren(...(hooks.length ? hooks.map((w) => webhookItem(w)) : [h("li", { class: "muted empty" },
      "No webhooks yet. Add one to let your own server hear about check-ins and unlocks.")]));
  };

  function webhookItem(w) {
    const status = h("span", { class: "small", role: "status" });
    const test = h("button", { type: "button", class: "button ghost", "aria-label": `Send a test to ${w.url}` }, "Send test");
    const remove = h("button", { type: "button", class: "button ghost danger-text", "aria-label": `Delete webhook ${w.url}` }, "Delete");
    test.addEventListener("click", async () => {
      busy(test, true);
      try {
        const sent = unwrap((await gql(TEST, { id: w.id })).webhookTest);
        openLogs.add(w.id);
        status.textContent = "Test sent; its answer shows in the log below.";
        followTest(w.id, sent.id, 8);
      } catch (error) {
        status.textContent = error.message;
      } finally {
        busy(test, false);
      }
    });
    remove.addEventListener("click", async () => {
      if (!confirmedTwice(remove, "Delete now?", `Confirm: delete webhook ${w.url}`)) return;
      busy(remove, true);
      try {
        unwrap((await gql(DELETE, { id: w.id })).webhookDelete);
        hooks = hooks.filter((x) => x.id !== w.id);
        drawList();
      } catch (error) {
        status.textContent = error.message;
        busy(remove, false);
      }
    });
    const state = w.enabled ? "active" : `disabled ${w.disabledAt ? formatDateTime(w.disabledAt) : ""}`;
    return h("li", { class: "token webhook", dataset: { webhookId: w.id } },
      h("div", {}, h("strong", { class: "webhook-url" }, w.url),
        h("span", { class: "muted small" }, ` ${state} · ${w.events.length} event${w.events.length === 1 ? "" : "s"}`),
        w.lastError ? h("p", { class: "small danger-text" }, `Last error: ${w.lastError}`) : null),
      h("div", { class: "row" }, test, remove, status),
      deliveryLog(w));
  }

  function deliveryLog(w) {
    const table = h("table", { class: "delivery-log small" },
      h("thead", {}, h("tr", {}, ["When", "Event", "Status", "Attempts", "HTTP"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, w.deliveries.map((d) => h("tr", { dataset: { status: d.status }, title: d.lastError || "" },
        h("td", {}, formatDateTime(d.createdAt)), h("td", {}, d.event), h("td", {}, d.status.toLowerCase()),
        h("td", {}, String(d.attempt)), h("td", {}, d.responseCode == null ? "–" : String(d.responseCode))))));
    const details = h("details", { class: "webhook-log", open: openLogs.has(w.id) },
      h("summary", { class: "small" }, `Deliveries (${w.deliveries.length})`),
      w.deliveries.length ? table : h("p", { class: "muted small" }, "Nothing sent yet."));
    details.addEventListener("toggle", () => (details.open ? openLogs.add(w.id) : openLogs.delete(w.id)));
    return details;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!url.value.trim()) { showFormError(form, { field: "url", message: "Give the URL of your receiver." }); return; }
    if (!events.length) { showFormError(form, { field: "events", message: "Choose at least one event." }); return; }
    busy(submit, true);
    try {
      const created = unwrap((await gql(CREATE, { input: { url: url.value.trim(), events } })).webhookCreate);
      showFormError(form, null);
      hooks = [...hooks, created.webhook];
      drawList();
      url.value = "";
      reveal.replaceChildren(secretBox(created.secret, "webhook", created.webhook.url));
      reveal.querySelector("input").focus();
      reveal.querySelector("input").select();
    } catch (error) {
      showFormError(form, error);
    } finally {
      busy(submit, false);
    }
  });

  drawList();
  return h("section", { class: "card", "aria-labelledby": "webhooks-title" },
    h("h2", { id: "webhooks-title" }, "Webhooks"),
    h("p", { class: "muted small" }, "Your own server hears what happens here: each request is signed with the "
      + "webhook's secret (verify it with any Standard Webhooks library), retried for a day if it fails, and listed in the log."),
    reveal, list, form);
}
