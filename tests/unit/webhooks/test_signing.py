"""Secrets and signatures, checked against the Standard Webhooks reference library and by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from server.webhooks import signing
from server.webhooks.outbox import body


def test_a_secret_is_whsec_and_32_random_bytes_in_base64() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_the_signature_is_hmac_sha256_of_id_timestamp_body_keyed_by_the_decoded_secret() -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    at = datetime(2026, 3, 1, 12, 0, 5, 900_000, tzinfo=UTC)
    headers = signing.headers(secret, "msg_1", at, '{"a":1}')
    expected = hmac.new(b"k" * 32, b'msg_1.1772366405.{"a":1}', hashlib.sha256).digest()
    assert headers == {"webhook-id": "msg_1", "webhook-timestamp": "1772366405",
                       "webhook-signature": "v1," + base64.b64encode(expected).decode()}


def test_an_instant_in_another_zone_signs_the_same_timestamp() -> None:
    secret = signing.new_secret()
    utc = datetime(2026, 3, 1, 12, tzinfo=UTC)
    berlin = utc.astimezone(timezone(timedelta(hours=1)))
    assert signing.headers(secret, "m", utc, "{}") == signing.headers(secret, "m", berlin, "{}")


def test_the_reference_library_verifies_what_we_sign_and_refuses_a_changed_body() -> None:
    secret = signing.new_secret()
    payload = body("check_in.created", {"id": "x", "note": "ünïcode"}, datetime.now(UTC))
    headers = signing.headers(secret, "msg_2", datetime.now(UTC), payload)
    assert Webhook(secret).verify(payload, headers)["data"]["note"] == "ünïcode"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(payload.replace("x", "y"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(payload, headers)


def test_the_body_is_type_timestamp_and_data() -> None:
    at = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    assert json.loads(body("step.unlocked", {"key": "k"}, at)) == {
        "type": "step.unlocked", "timestamp": "2026-03-01T12:00:05Z", "data": {"key": "k"}}
