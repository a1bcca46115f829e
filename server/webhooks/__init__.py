"""Webhooks: signed HTTP callbacks to the user's own servers (Standard Webhooks), from an outbox.

- `model` — the events a webhook can subscribe to, webhooks and deliveries as plain dataclasses;
- `payloads` — what each event carries (`data`), one function per producer;
- `signing` — secrets and the Standard Webhooks signature (pure);
- `backoff` — when a failed delivery is tried again, and when a webhook is disabled (pure);
- `targets` — which URLs and addresses may be called (SSRF rules, pure) and the DNS look-up;
- `sender` — one HTTP attempt to a checked address (httpx), time and size capped;
- `tables`, `repository` — the webhook and webhook_delivery tables and every query on them;
- `outbox` — rows written inside the caller's unit of work (`uow.emit`), enqueued after its commit;
- `service` — the use cases (create, delete, test, list) and one delivery attempt;
- `jobs` — the arq entry points: deliver one, and the sweep that re-enqueues due retries.
"""
