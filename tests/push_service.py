"""A loopback Web Push service for tests: a real RFC 8030 peer, not a mock.

It accepts `POST /push/<name>` as a push service does, and for each message checks what a real one
checks and what only the browser could: the VAPID JWT (RFC 8292: ES256 signature by the key in `k=`,
audience = this origin, expiry within 24 h, a mailto:/https: subject), then decrypts the RFC 8291
aes128gcm body with the subscription's private key and auth secret, as the browser would. Each
subscription is a fresh P-256 key pair made here, so the service's side of the protocol is all real.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Browser:
    """One push subscription: what PushManager.subscribe would hand the page."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                         serialization.PublicFormat.UncompressedPoint)
        return b64e(raw)

    def as_input(self) -> dict[str, str]:
        return {"endpoint": self.endpoint, "p256dh": self.p256dh, "auth": b64e(self.auth), "userAgent": self.name}


@dataclass
class Received:
    browser: str
    vapid_key: str  # the `k=` the message was signed with
    claims: dict[str, Any]
    payload: dict[str, Any]
    ttl: int


@dataclass
class PushService:
    url: str = ""
    browsers: dict[str, Browser] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a message was refused (a test asserts it stays empty)
    gone: set[str] = field(default_factory=set)  # answered 410 Gone: unsubscribed
    _server: ThreadingHTTPServer | None = None

    def browser(self, name: str) -> Browser:
        made = Browser(name, f"{self.url}/push/{name}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.browsers[name] = made
        return made

    def handle(self, path: str, headers: Any, body: bytes) -> int:
        name = path.removeprefix("/push/")
        browser = self.browsers.get(name)
        if browser is None:
            return 404
        if name in self.gone:
            return 410
        try:
            vapid_key, claims = self._vapid(headers.get("Authorization", ""))
            if headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError(f"Content-Encoding {headers.get('Content-Encoding')!r}")
            ttl = int(headers["TTL"])  # RFC 8030 requires it
            clear = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth,
                                     version="aes128gcm")
            payload = json.loads(clear)
        except Exception as error:
            self.refused.append(repr(error))
            return 400
        self.received.append(Received(name, vapid_key, claims, payload, ttl))
        return 201

    def _vapid(self, authorization: str) -> tuple[str, dict[str, Any]]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme {scheme!r}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        head, body, signature = token.split(".")
        if json.loads(b64d(head)) != {"typ": "JWT", "alg": "ES256"}:
            raise ValueError("JWT header")
        raw = b64d(signature)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                      f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        claims: dict[str, Any] = json.loads(b64d(body))
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r}")
        if not time.time() < claims["exp"] <= time.time() + 24 * 3600:
            raise ValueError("exp")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub")
        return key, claims

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = service.handle(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
