// The service worker: shows reminders that arrive by Web Push, and checks the habit in from the
// notification's "Done" action. It holds no data of its own but the session token the page hands it
// (kept in Cache Storage, so a worker restarted by the browser still has it; removed on log-out).

const STORE = "comeback-sw";
const TOKEN_URL = "/__sw/token";

async function token() {
  const cache = await caches.open(STORE);
  const response = await cache.match(TOKEN_URL);
  return response ? response.text() : null;
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "token") {
    event.waitUntil(caches.open(STORE).then((cache) => (data.token
      ? cache.put(TOKEN_URL, new Response(data.token))
      : cache.delete(TOKEN_URL))));
  }
});

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch { message = {}; }
  if (message.type !== "ReminderDue") return;
  event.waitUntil(self.registration.showNotification(message.title || "Comeback", {
    body: message.body || "",
    tag: `reminder-${message.reminderId}`,
    icon: "/favicon.svg",
    data: message,
    actions: [{ action: "done", title: "Done" }],
  }));
});

async function checkIn(message) {
  const secret = await token();
  if (!secret) return false;
  // One check-in per reminder firing, however often "Done" is pressed (the idempotency key).
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${secret}` },
    body: JSON.stringify({
      query: "mutation($input: HabitCheckInInput!) { habitCheckIn(input: $input) { __typename } }",
      variables: { input: { habitId: message.habitId, source: "WEB",
        idempotencyKey: `reminder-${message.reminderId}-${message.dueAt}` } },
    }),
  });
  const body = await response.json().catch(() => ({}));
  return Boolean(body.data && body.data.habitCheckIn && body.data.habitCheckIn.__typename === "CheckIn");
}

async function open(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if ("focus" in client) { await client.navigate(url).catch(() => null); return client.focus(); }
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  const message = event.notification.data || {};
  event.notification.close();
  if (event.action === "done") {
    event.waitUntil(checkIn(message).then((ok) => (ok ? null : open(`/#/habit/${message.habitId}`))));
  } else {
    event.waitUntil(open(message.habitId ? `/#/habit/${message.habitId}` : "/#/today"));
  }
});
