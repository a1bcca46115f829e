"""Web Push (RFC 8030 delivery, RFC 8291 payload encryption, RFC 8292 VAPID) through pywebpush.

pywebpush is blocking (requests), so `send` runs in a worker thread, never on the event loop. A push
service answering 404 or 410 says the subscription is gone for good: the caller removes it.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from py_vapid import Vapid

from server.reminders.records import PushSubscriptionRecord

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
TTL_SECONDS = 15 * 60  # a reminder nobody saw within a quarter hour is not worth showing late
ENDPOINT_MAX = 1000


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 404/410: the browser unsubscribed; remove it
    FAILED = "failed"


class EndpointRefused(ValueError):
    pass


def check_endpoint(endpoint: str, allow_private: bool) -> None:
    """A push service is a public HTTPS origin; loopback and private targets only when allowed (tests)."""
    if len(endpoint) > ENDPOINT_MAX:
        raise EndpointRefused(f"endpoint is longer than {ENDPOINT_MAX} characters")
    parts = urlsplit(endpoint)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise EndpointRefused("endpoint must be an https URL")
    if not parts.hostname:
        raise EndpointRefused("endpoint has no host")
    if not allow_private and _private_host(parts.hostname):
        raise EndpointRefused("endpoint must be a public push service")


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def _resolves_private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # the request itself will fail and say so
    return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos)


def send(subscription: PushSubscriptionRecord, payload: dict[str, Any], vapid: Vapid, subject: str,
         allow_private: bool) -> Outcome:
    """Encrypt `payload` for this browser and post it to its push service (blocking: run in a thread)."""
    host = urlsplit(subscription.endpoint).hostname or ""
    if not allow_private and _resolves_private(host):
        log.warning("push endpoint %s resolves to a private address; not sent", host)
        return Outcome.FAILED
    # Imported on first use: pywebpush brings aiohttp and requests, a quarter of a second of start-up
    # for every server, worker and `comeback admin` process, most of which never send a push.
    from pywebpush import WebPushException, webpush

    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        webpush(info, data=json.dumps(payload), vapid_private_key=vapid, vapid_claims={"sub": subject},
                timeout=TIMEOUT_SECONDS, ttl=TTL_SECONDS)
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            return Outcome.GONE
        log.warning("push to %s failed: %s", host, status or error)
        return Outcome.FAILED
    except Exception as error:  # connection refused, timeout, a malformed key: this browser only
        log.warning("push to %s failed: %r", host, error)
        return Outcome.FAILED
    return Outcome.SENT
