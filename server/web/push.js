// Web Push in the dashboard: the service worker is registered on load (no prompt), and permission
// is asked only when the user presses the button that turns reminders on in this browser.

import { gql, unwrap, errorFields, getToken } from "./api.js";

const KEY = "query PushKey { webPushPublicKey }";
const ADD = `mutation PushAdd($input: PushSubscriptionInput!) { pushSubscriptionAdd(input: $input) {
  ${errorFields("InvalidInputError", "OutOfRangeError")} ... on PushSubscription { endpoint } } }`;

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** Register /sw.js (scope "/") and hand it the session token; resolves to the registration or null. */
export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
    shareToken(getToken());
    return registration;
  } catch {
    return null;
  }
}

/** Give the service worker the current session token (null on log-out: it forgets it). */
export function shareToken(token) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => {
    if (registration.active) registration.active.postMessage({ type: "token", token: token || null });
  }).catch(() => {});
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Ask permission (only from a click), subscribe with the service's VAPID key, and register the browser. */
export async function enablePush() {
  if (!pushSupported()) throw new Error("This browser cannot receive push notifications.");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site; allow them in the browser's settings.");
  const registration = await registerServiceWorker();
  if (!registration) throw new Error("The service worker could not start.");
  const key = (await gql(KEY)).webPushPublicKey;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();  // made for another server key: the push service would refuse it
    subscription = null;
  }
  subscription = subscription || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  const json = subscription.toJSON();
  unwrap((await gql(ADD, { input: { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth,
    userAgent: navigator.userAgent.slice(0, 200) } })).pushSubscriptionAdd);
  return json.endpoint;
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const a = new Uint8Array(current);
  const b = keyBytes(key);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
