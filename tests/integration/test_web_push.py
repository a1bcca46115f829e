"""Web Push to a loopback push service that checks VAPID and decrypts the RFC 8291 payload as a browser would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from server import clock
from server.engine.events import LiveEvent
from server.reminders import firing, push, repository, service, vapid
from server.settings import get_settings
from tests import factories
from tests.integration.api import ERROR, FIELD, Api
from tests.push_service import PushService

ADD = f"""mutation($i: PushSubscriptionInput!) {{ pushSubscriptionAdd(input: $i) {{ {ERROR} {FIELD}
  ... on PushSubscription {{ endpoint userAgent }} }} }}"""
REMOVE = "mutation($e: String!) { pushSubscriptionRemove(endpoint: $e) }"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    running = PushService().start()
    yield running
    running.stop()


@pytest.fixture
def monday() -> Iterator[None]:
    clock.travel(datetime(2026, 1, 12, 5, 0, tzinfo=UTC) - datetime.now(UTC))
    yield
    clock.travel(timedelta(0))


async def ignore(user_id: UUID, event: LiveEvent) -> None:
    return None


async def test_the_public_key_is_made_once_and_kept(api: Api) -> None:
    api.as_user(await factories.user())
    first = (await api.data("{ webPushPublicKey }"))["webPushPublicKey"]
    again = (await api.data("{ webPushPublicKey }"))["webPushPublicKey"]
    assert first == again and len(first) == 87  # a base64url uncompressed P-256 point (65 bytes)
    # another process (or a restart) reads the same key from where it is kept
    vapid._current.clear()
    assert vapid.public_key(await vapid.keys(get_settings())) == first
    assert await api.codes("{ webPushPublicKey }", token=None) == ["UNAUTHENTICATED"]


async def test_subscriptions_are_validated_listed_and_removed(api: Api, push_service: PushService) -> None:
    me = await factories.user()
    api.as_user(me)
    phone = push_service.browser("phone").as_input()
    for change, field in [({"p256dh": "abc"}, "p256dh"), ({"auth": "A" * 30}, "auth"),
                          ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
                          ({"p256dh": "Aw" + "A" * 85}, "p256dh")]:
        out = (await api.data(ADD, {"i": {**phone, **change}}))["pushSubscriptionAdd"]
        assert (out["code"], out["field"]) == ("INVALID_INPUT", field), change
    added = (await api.data(ADD, {"i": phone}))["pushSubscriptionAdd"]
    assert added == {"__typename": "PushSubscription", "endpoint": phone["endpoint"], "userAgent": "phone"}
    # subscribing again replaces, never duplicates
    await api.data(ADD, {"i": phone})
    assert [s["endpoint"] for s in (await api.data("{ pushSubscriptions { endpoint } }"))["pushSubscriptions"]] == [
        phone["endpoint"]]
    assert (await api.data(REMOVE, {"e": phone["endpoint"]}))["pushSubscriptionRemove"] is True
    assert (await api.data(REMOVE, {"e": phone["endpoint"]}))["pushSubscriptionRemove"] is False


def test_loopback_private_and_plain_http_endpoints_are_refused_by_default() -> None:
    for endpoint in ("http://push.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://[::1]/x",
                     "https://localhost/x", "https://169.254.169.254/latest"):
        with pytest.raises(push.EndpointRefused):
            push.check_endpoint(endpoint, allow_private=False)
    push.check_endpoint("https://fcm.googleapis.com/fcm/send/abc", allow_private=False)
    push.check_endpoint("http://127.0.0.1:9/push/x", allow_private=True)


async def test_a_due_reminder_is_pushed_encrypted_and_signed(push_service: PushService, monday: None) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    reminder, _ = await service.set_reminder(me.viewer, walk.id, None, "07:30", None, True)
    phone, laptop = push_service.browser("phone"), push_service.browser("laptop")
    for browser in (phone, laptop):
        i = browser.as_input()
        await service.add_push_subscription(me.viewer, i["endpoint"], i["p256dh"], i["auth"], i["userAgent"])

    clock.travel(datetime(2026, 1, 12, 6, 30, 3, tzinfo=UTC) - datetime.now(UTC))
    # two workers at once: each browser still gets it once
    await asyncio.gather(firing.fire_due(clock.now(), ignore), firing.fire_due(clock.now(), ignore))

    assert push_service.refused == []
    assert sorted(r.browser for r in push_service.received) == ["laptop", "phone"]
    key = vapid.public_key(await vapid.keys(get_settings()))
    for got in push_service.received:
        assert got.vapid_key == key
        assert got.claims["sub"] == get_settings().vapid_subject
        assert got.payload == {"type": "ReminderDue", "habitId": str(walk.id), "reminderId": str(reminder.id),
                               "dueAt": "2026-01-12T06:30:00+00:00", "title": "Walk", "body": "Time for Walk."}
        assert got.ttl == push.TTL_SECONDS
    assert await repository.deliveries(reminder.id) == [(date(2026, 1, 12), "event"), (date(2026, 1, 12), "push")]


async def test_a_browser_gone_from_its_push_service_is_removed(push_service: PushService, monday: None) -> None:
    me = await factories.user(timezone="Europe/Berlin")
    walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
    await service.set_reminder(me.viewer, walk.id, None, "07:30", None, True)
    old, current = push_service.browser("old"), push_service.browser("current")
    for browser in (old, current):
        i = browser.as_input()
        await service.add_push_subscription(me.viewer, i["endpoint"], i["p256dh"], i["auth"], i["userAgent"])
    push_service.gone.add("old")

    clock.travel(datetime(2026, 1, 12, 6, 30, 3, tzinfo=UTC) - datetime.now(UTC))
    report = await firing.fire_due(clock.now(), ignore)

    assert report.pushes == {"sent": 1, "gone": 1}
    assert [r.browser for r in push_service.received] == ["current"]
    assert [s.endpoint for s in await repository.push_subscriptions(me.id)] == [current.endpoint]
