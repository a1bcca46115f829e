"""Run the synchronous command-line client against the in-process app: the client runs in a worker
thread and its requests are sent by an httpx.AsyncClient on the test's event loop."""

from __future__ import annotations

import asyncio

import httpx


class AsgiBridge(httpx.BaseTransport):
    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self.client.send(httpx.Request(request.method, request.url, headers=request.headers,
                                                            content=request.read()))
            await response.aread()
            return response

        response = asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout=60)
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def bridge(http: httpx.AsyncClient) -> AsgiBridge:
    return AsgiBridge(http, asyncio.get_running_loop())
