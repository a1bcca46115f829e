"""Webhooks end to end: created through the API, written to the outbox with the change, delivered by
arq workers to a real HTTP receiver on loopback, signatures checked with the Standard Webhooks
reference library. Retries run at once: the tests shrink the backoff's base to 10 ms."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from server import clock
from server.database import count_queries
from server.settings import get_settings
from server.webhooks import jobs, repository, sender
from server.webhooks import tables as webhook_tables
from server.webhooks.service import attempt_delivery
from tests import factories
from tests.integration.api import Api
from tests.integration.background import engine_without_worker, pool_of, run_queued
from tests.integration.receiver import Received, receiving

CREATE = """mutation($url: String!, $events: [WebhookEvent!]!) {
  webhookCreate(input: {url: $url, events: $events}) {
    __typename ... on WebhookCreated { secret webhook { id url events enabled } }
    ... on Error { code field message } } }"""
WEBHOOKS = """{ webhooks { id url events enabled lastError failingSince disabledAt
  deliveries { id event attempt status responseCode lastError nextAttemptAt createdAt } } }"""
DELETE = "mutation($id: ID!) { webhookDelete(id: $id) { __typename ... on Webhook { id } ... on Error { code } } }"
TEST = """mutation($id: ID!) { webhookTest(id: $id) { __typename
  ... on WebhookDelivery { id event attempt status } ... on Error { code } } }"""


LEASE = timedelta(seconds=20)


@pytest.fixture
def private_targets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The loopback receiver is a private target: allowed here, with retries 10 ms apart."""
    settings = get_settings()
    monkeypatch.setattr(settings, "webhook_allow_private", True)
    monkeypatch.setattr(settings, "webhook_retry_base_seconds", 0.01)
    yield


async def create(api: Api, url: str, events: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(CREATE, {"url": url, "events": events}))["webhookCreate"]
    return result


def verified(secret: str, request: Received) -> dict[str, Any]:
    """The payload, if the reference library accepts its signature (it raises otherwise)."""
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


async def test_a_check_in_reaches_the_receiver_signed_and_shows_in_the_log(api: Api, private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving() as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            created = await create(api, receiver.url(host="localhost"), ["CHECK_IN_CREATED"])
            assert created["__typename"] == "WebhookCreated" and created["secret"].startswith("whsec_")
            # when a check-in commits and the queued jobs run
            check_in = await api.check_in(str(walk.id), note="around the park")
            await run_queued(engine)
            # then the receiver got it once, signed, with the name it was given in the Host header
            [request] = receiver.requests
            payload = verified(created["secret"], request)
            assert payload["type"] == "check_in.created"
            assert payload["data"]["id"] == check_in["id"] and payload["data"]["habitId"] == str(walk.id)
            assert payload["data"]["note"] == "around the park"
            assert request.headers["host"] == f"localhost:{receiver.port}"
            assert request.path == "/hook"
            [hook] = (await api.data(WEBHOOKS))["webhooks"]
            [delivery] = hook["deliveries"]
            assert request.headers["webhook-id"] == f"msg_{delivery['id']}"
            assert {k: delivery[k] for k in ("event", "attempt", "status", "responseCode", "lastError")} == {
                "event": "check_in.created", "attempt": 1, "status": "DELIVERED", "responseCode": 200,
                "lastError": None}
            assert hook["enabled"] and hook["failingSince"] is None


async def test_a_receiver_failing_then_recovering_gets_each_event_exactly_once(api: Api,
                                                                               private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving(fail_first=3) as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            created = await create(api, receiver.url(), ["CHECK_IN_CREATED", "CHECK_IN_UNDONE"])
            check_in = await api.check_in(str(walk.id))
            await api.data("mutation($id: ID!) { checkInUndo(id: $id) { __typename } }", {"id": check_in["id"]})
            # when the jobs and the retries they queue run to the end
            await run_queued(engine)
            # then the three failures were retried, and each event was delivered exactly once
            assert len(receiver.requests) == 5
            delivered = receiver.delivered()
            assert Counter(r.headers["webhook-id"] for r in delivered).most_common(1)[0][1] == 1
            assert sorted(verified(created["secret"], r)["type"] for r in delivered) == [
                "check_in.created", "check_in.undone"]
            # every attempt of one delivery carries the same id and body
            by_id: dict[str, set[bytes]] = {}
            for r in receiver.requests:
                by_id.setdefault(r.headers["webhook-id"], set()).add(r.body)
            assert len(by_id) == 2 and all(len(bodies) == 1 for bodies in by_id.values())
            [hook] = (await api.data(WEBHOOKS))["webhooks"]
            assert sorted(d["attempt"] for d in hook["deliveries"]) == sorted(
                Counter(r.headers["webhook-id"] for r in receiver.requests).values())
            assert {d["status"] for d in hook["deliveries"]} == {"DELIVERED"}
            assert hook["lastError"] == "answered HTTP 500" and hook["failingSince"] is None


async def test_the_recompute_tells_webhooks_of_achievements_and_confidence(api: Api, private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving() as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            await run_queued(engine)
            api.as_user(me)
            created = await create(api, receiver.url(), ["ACHIEVEMENT_UNLOCKED", "CONFIDENCE_CHANGED"])
            await api.check_in(str(walk.id))
            await run_queued(engine)
            payloads = [verified(created["secret"], r) for r in receiver.requests]
            kinds = Counter(p["type"] for p in payloads)
            assert kinds["confidence.changed"] == 1
            assert {p["data"]["key"] for p in payloads if p["type"] == "achievement.unlocked"} >= {"first-check-in"}
            assert set(kinds) == {"confidence.changed", "achievement.unlocked"}


async def test_nothing_is_written_for_events_no_webhook_subscribes_to(api: Api, private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving() as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            await create(api, receiver.url(), ["REMINDER_DUE"])
            await api.check_in(str(walk.id))
            await run_queued(engine)
            assert receiver.requests == []
            assert await webhook_tables.WebhookDelivery.count() == 0


async def test_a_webhook_failing_for_24_hours_is_disabled_and_a_successful_test_enables_it(
        api: Api, private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving(fail_first=2) as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            created = await create(api, receiver.url(), ["CHECK_IN_CREATED"])
            await api.check_in(str(walk.id))
            [row] = await webhook_tables.WebhookDelivery.select(webhook_tables.WebhookDelivery.id)
            delivery_id: UUID = row["id"]
            assert (await attempt_delivery(delivery_id, spread=0.0)).attempt == 1
            try:
                # a day later the retry fails again: the webhook has failed for 24 hours
                clock.travel(timedelta(hours=24, seconds=1))
                outcome = await attempt_delivery(delivery_id, spread=0.0)
            finally:
                clock.travel(timedelta(0))
            assert outcome.attempt == 2 and outcome.retry_at is None
            [hook] = (await api.data(WEBHOOKS))["webhooks"]
            assert not hook["enabled"] and hook["disabledAt"] and hook["lastError"] == "answered HTTP 500"
            assert [(d["status"], d["attempt"]) for d in hook["deliveries"]] == [("FAILED", 2)]
            # a disabled webhook gets no new deliveries
            await api.check_in(str(walk.id))
            assert await webhook_tables.WebhookDelivery.count() == 1
            # when its owner tests it and the receiver answers
            test = (await api.data(TEST, {"id": created["webhook"]["id"]}))["webhookTest"]
            assert test["__typename"] == "WebhookDelivery" and test["status"] == "PENDING"
            await run_queued(engine)
            # then it is enabled again, and the test was signed like any delivery
            assert verified(created["secret"], receiver.requests[-1])["type"] == "webhook.test"
            [hook] = (await api.data(WEBHOOKS))["webhooks"]
            assert hook["enabled"] and hook["disabledAt"] is None and hook["failingSince"] is None
            assert hook["deliveries"][0]["event"] == "webhook.test" and hook["deliveries"][0]["status"] == "DELIVERED"


async def test_a_delivery_claimed_by_a_worker_that_died_is_delivered_by_the_sweep(api: Api,
                                                                                 private_targets: None) -> None:
    async with engine_without_worker() as engine:
        with receiving() as receiver:
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            created = await create(api, receiver.url(), ["CHECK_IN_CREATED"])
            await api.check_in(str(walk.id))
            await pool_of(engine).flushdb()  # the enqueued job is lost
            [row] = await webhook_tables.WebhookDelivery.select(webhook_tables.WebhookDelivery.id)
            # a worker claimed it, then died before recording anything
            now = clock.now()
            assert await repository.claim(row["id"], now, now + LEASE)
            assert await jobs.sweep_webhooks({"redis": pool_of(engine)}) == 0  # its lease still runs
            try:
                clock.travel(LEASE + timedelta(seconds=1))
                assert await jobs.sweep_webhooks({"redis": pool_of(engine)}) == 1
                await run_queued(engine)
            finally:
                clock.travel(timedelta(0))
            [request] = receiver.requests
            assert verified(created["secret"], request)["type"] == "check_in.created"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://10.0.0.7/hook", "https://[::1]/hook",
    "https://169.254.169.254/latest/meta-data/", "https://localhost/hook", "https://[::ffff:192.168.0.1]/x",
])
async def test_private_targets_are_refused_at_creation(api: Api, url: str) -> None:
    api.as_user(await factories.user())
    refused = await create(api, url, ["CHECK_IN_CREATED"])
    assert (refused["__typename"], refused["code"], refused["field"]) == ("InvalidInputError", "INVALID_INPUT", "url")
    assert (await api.data(WEBHOOKS))["webhooks"] == []


async def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery_time(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Created while private targets were allowed; by the time of the delivery they are not (the same
    # check a DNS answer changed after creation meets): the request is never sent.
    async with engine_without_worker() as engine:
        with receiving() as receiver:
            monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
            me = await factories.user()
            walk = await factories.habit(me, "Walk")
            api.as_user(me)
            await create(api, receiver.url(path="/x", host="localhost").replace("http:", "https:"),
                         ["CHECK_IN_CREATED"])
            monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
            await api.check_in(str(walk.id))
            [row] = await webhook_tables.WebhookDelivery.select(webhook_tables.WebhookDelivery.id)
            outcome = await attempt_delivery(row["id"], spread=0.0)
            assert receiver.requests == []
            assert outcome.attempt == 1 and outcome.retry_at is not None
            [hook] = (await api.data(WEBHOOKS))["webhooks"]
            assert hook["deliveries"][0]["lastError"].startswith("refused: localhost resolves to ")
            await pool_of(engine).flushdb()


async def test_at_most_ten_webhooks_and_events_are_required(api: Api) -> None:
    api.as_user(await factories.user())
    for n in range(10):
        assert (await create(api, f"https://1.1.1.1/hook/{n}", ["CHECK_IN_CREATED"]))["__typename"] == "WebhookCreated"
    over = await create(api, "https://1.1.1.1/hook/10", ["CHECK_IN_CREATED"])
    assert (over["__typename"], over["code"]) == ("OutOfRangeError", "OUT_OF_RANGE")
    api.as_user(await factories.user())
    none = await create(api, "https://1.1.1.1/hook", [])
    assert (none["code"], none["field"]) == ("INVALID_INPUT", "events")


async def test_another_users_webhook_is_not_found_and_theirs_are_not_listed(api: Api) -> None:
    owner = await factories.user()
    api.as_user(owner)
    hook = (await create(api, "https://1.1.1.1/hook", ["CHECK_IN_CREATED"]))["webhook"]
    api.as_user(await factories.user())
    assert (await api.data(WEBHOOKS))["webhooks"] == []
    assert (await api.data(DELETE, {"id": hook["id"]}))["webhookDelete"] == {"__typename": "NotFoundError",
                                                                             "code": "NOT_FOUND"}
    assert (await api.data(TEST, {"id": hook["id"]}))["webhookTest"] == {"__typename": "NotFoundError",
                                                                         "code": "NOT_FOUND"}
    assert await webhook_tables.WebhookDelivery.count() == 0
    api.as_user(owner)
    assert [h["id"] for h in (await api.data(WEBHOOKS))["webhooks"]] == [hook["id"]]
    assert (await api.data(DELETE, {"id": hook["id"]}))["webhookDelete"] == {"__typename": "Webhook", "id": hook["id"]}
    assert (await api.data(WEBHOOKS))["webhooks"] == []



@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A key and a certificate for hooks.test that no CA signed."""
    if shutil.which("openssl") is None:
        pytest.skip("makes its certificate with openssl")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=hooks.test",
                    "-addext", "subjectAltName=DNS:hooks.test"], check=True, capture_output=True)
    return key, cert


async def test_tls_goes_to_the_checked_address_with_the_name_in_sni_and_the_certificate_checked(
        self_signed: tuple[Path, Path]) -> None:
    # given a TLS server on loopback for a name no resolver knows, with a certificate no CA signed
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(self_signed[1], self_signed[0])
    names: list[str | None] = []

    def record(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = record  # type: ignore[assignment]
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # when a delivery to https://hooks.test connects to the address checked for it
        url = httpx.URL(f"https://hooks.test:{server.server_address[1]}/hook")
        attempt = await sender.post(url, ipaddress.ip_address("127.0.0.1"), {}, b"{}", seconds=5,
                                    max_response_bytes=1024)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    # then the handshake named the host, not the address, and the unknown certificate was refused
    assert names == ["hooks.test"]
    assert attempt.status_code is None and attempt.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error


async def test_a_test_asked_for_again_while_one_waits_is_the_same_delivery(api: Api) -> None:
    api.as_user(await factories.user())
    hook = (await create(api, "https://1.1.1.1/hook", ["CHECK_IN_CREATED"]))["webhook"]
    first, second = [(await api.data(TEST, {"id": hook["id"]}))["webhookTest"] for _ in range(2)]
    assert first["__typename"] == "WebhookDelivery" and first == second
    assert await webhook_tables.WebhookDelivery.count() == 1


async def test_the_webhooks_list_costs_the_same_statements_for_one_webhook_as_for_ten(api: Api) -> None:
    async def statements(n: int) -> tuple[int, list[int]]:
        api.as_user(await factories.user())
        for i in range(n):
            hook = (await create(api, f"https://1.1.1.1/hook/{i}", ["CHECK_IN_CREATED"]))["webhook"]
            for _ in range(3):
                await api.data(TEST, {"id": hook["id"]})
                await webhook_tables.WebhookDelivery.update({webhook_tables.WebhookDelivery.status: "DELIVERED"},
                                                            force=True)
        with count_queries() as counter:
            listed = (await api.data(WEBHOOKS))["webhooks"]
        return counter.count, [len(w["deliveries"]) for w in listed]

    one, ten = await statements(1), await statements(10)
    assert one[1] == [3] and ten[1] == [3] * 10
    # token look-up, webhooks, the latest deliveries' ids, their rows
    assert one[0] == ten[0] == 4


async def test_a_due_reminder_reaches_a_reminder_webhook_once(api: Api, private_targets: None) -> None:
    """REMINDER_DUE rides the reminder's own firing transaction: claimed as a delivery channel with its
    outbox row, so firing rounds run again (two workers, a retry) never send it twice."""
    from datetime import UTC, date, datetime

    from server.reminders import firing
    from server.reminders import service as reminders

    async def publish(_user: UUID, _event: Any) -> None:
        pass

    async with engine_without_worker() as engine:
        with receiving() as receiver:
            me = await factories.user(timezone="Europe/Berlin")
            walk = await factories.habit(me, "Walk", start_date=date(2026, 1, 1))
            api.as_user(me)
            created = await create(api, receiver.url(), ["REMINDER_DUE"])
            try:
                # Monday 12 January 2026, 07:29 Berlin; the reminder is for 07:30
                clock.travel(datetime(2026, 1, 12, 6, 29, tzinfo=UTC) - datetime.now(UTC))
                reminder, _ = await reminders.set_reminder(me.viewer, walk.id, None, "07:30", None, True)
                assert (await firing.fire_due(clock.now(), publish)).fired == 0
                clock.travel(datetime(2026, 1, 12, 6, 30, 5, tzinfo=UTC) - datetime.now(UTC))
                fired = [await firing.fire_due(clock.now(), publish) for _ in range(2)]
            finally:
                clock.travel(timedelta(0))
            await run_queued(engine)  # sent now: the receiver checks the signature's timestamp against its clock
            assert [r.fired for r in fired] == [1, 0]
            [request] = receiver.requests
            payload = verified(created["secret"], request)
            assert payload["type"] == "reminder.due"
            assert payload["data"] == {"habitId": str(walk.id), "habitName": "Walk", "reminderId": str(reminder.id),
                                       "time": "07:30", "day": "2026-01-12", "dueAt": "2026-01-12T06:30:00+00:00"}
