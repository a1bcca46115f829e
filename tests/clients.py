"""HTTP clients for tests that talk to the real servers they start (plain HTTP on 127.0.0.1).

httpx builds a TLS context for every client it creates, loading the CA bundle: about 35 ms of
CPU, even for an http:// URL, and `httpx.get`/`httpx.post` create a client per call. Polling a
server's /health every 0.1 s, or a helper posting each query, paid that each time. These share
one context, built once.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

TLS = ssl.create_default_context()


def client(**kwargs: Any) -> httpx.Client:
    return httpx.Client(verify=TLS, **kwargs)


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=TLS, **kwargs)


def get(url: str, **kwargs: Any) -> httpx.Response:
    with client() as http:
        return http.get(url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    with client() as http:
        return http.post(url, **kwargs)
