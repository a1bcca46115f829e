// The dashboard's only door to the service: POST /graphql, and the `events` subscription
// over WebSocket (graphql-transport-ws). Errors come out as ApiError with words for people.

const TOKEN_KEY = "comeback.token";

export function getToken() {
  try { return localStorage.getItem(TOKEN_KEY); } catch { return null; }
}

export function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try { localStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
}

export class ApiError extends Error {
  constructor(message, code = null, field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

// Top-level error codes turned into sentences (a raw code is never shown).
const WORDS = {
  UNAUTHENTICATED: "Your session has ended. Please log in again.",
  FORBIDDEN: "You are not allowed to do that with this sign-in.",
  RATE_LIMITED: "That was a lot of requests at once. Wait a moment and try again.",
  QUERY_TOO_COMPLEX: "That request was too large for the service. Try a smaller range.",
  INTERNAL: "Something went wrong on our side. Please try again in a moment.",
};

export function sentence(text) {
  const t = String(text || "").trim();
  if (!t) return "Something went wrong. Please try again.";
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + ".";
}

const listeners = new Set();
/** Called with no argument when the service says the session is gone. */
export function onUnauthenticated(fn) { listeners.add(fn); }

export async function gql(query, variables = {}) {
  const token = getToken();
  const headers = { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError("Comeback can't be reached. Check your connection and try again.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The service answered with an error (HTTP ${response.status}). Please try again.`, "HTTP");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions && first.extensions.code) || null;
    if (code === "UNAUTHENTICATED") {
      clearToken();
      listeners.forEach((fn) => fn());
    }
    throw new ApiError(WORDS[code] || sentence(first.message), code);
  }
  return body.data;
}

/** A mutation's union result: the success member, or an ApiError carrying the error's message. */
export function unwrap(result) {
  if (result && typeof result.code === "string" && typeof result.message === "string") {
    throw new ApiError(sentence(result.message), result.code, result.field || null);
  }
  return result;
}

/** The selection for a mutation's error members; name the union's error types that carry `field`. */
export function errorFields(...withField) {
  return `__typename ... on Error { code message } ${withField.map((t) => `... on ${t} { field }`).join(" ")}`;
}

const EVENTS = `subscription Events { events { __typename
  ... on AchievementUnlocked { key title at }
  ... on StepUnlocked { key title position at }
  ... on ConfidenceChanged { score previous at }
  ... on ReminderDue { dueAt habit { id name question } reminder { id time } } } }`;

/**
 * Subscribe to the signed-in user's events; reconnects with back-off.
 * onState receives "connecting" | "live" | "offline". Returns a function that stops it.
 */
export function subscribeEvents(onEvent, onState = () => {}) {
  let socket = null;
  let stopped = false;
  let delay = 1000;
  let timer = null;

  function connect() {
    const token = getToken();
    if (stopped || !token) return;
    onState("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
    });
    socket.addEventListener("message", (message) => {
      let data;
      try { data = JSON.parse(message.data); } catch { return; }
      if (data.type === "connection_ack") {
        delay = 1000;
        socket.send(JSON.stringify({ id: "events", type: "subscribe", payload: { query: EVENTS } }));
        onState("live");
      } else if (data.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (data.type === "next" && data.payload && data.payload.data && data.payload.data.events) {
        onEvent(data.payload.data.events);
      }
    });
    socket.addEventListener("close", () => {
      onState("offline");
      if (!stopped) {
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    });
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}

export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
