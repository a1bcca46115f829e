"""Secrets and signatures per the Standard Webhooks spec (https://www.standardwebhooks.com/).

The signature is the reference library's own (`standardwebhooks`): `v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`, keyed by the base64-decoded bytes after the secret's `whsec_` prefix. The
secret is stored as given: it is a signing key we must use again at every attempt, not a password
we only compare against, so it cannot be hashed.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook as Signer

PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64 random bytes


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id(delivery_id: object) -> str:
    """The `webhook-id` of a delivery: the same at every retry, so receivers can drop repeats."""
    return f"msg_{delivery_id}"


def headers(secret: str, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt, signed at `at` (an aware instant)."""
    timestamp = int(at.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        # The library reads the datetime as UTC whatever its zone says: hand it one in UTC.
        "webhook-signature": Signer(secret).sign(msg_id, datetime.fromtimestamp(timestamp, tz=UTC), body),
    }
