"""One HTTP attempt to a checked address: the name in Host and SNI, time and response size capped.

A fresh client per attempt, on purpose: httpx pools connections by the address it connects to, so
a pooled TLS connection opened for one webhook's name could otherwise carry another's request to
the same address. Redirects are not followed (their target was never checked), and proxies from
the environment are ignored (a proxy would connect to the name itself, unchecked).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from server.webhooks.targets import IPAddress

USER_AGENT = "Comeback-Webhooks/1"
ERROR_MAX = 300


@dataclass(frozen=True, slots=True)
class Attempt:
    status_code: int | None  # None: no HTTP answer at all
    error: str | None  # None: delivered

    @property
    def delivered(self) -> bool:
        return self.error is None


async def post(url: httpx.URL, address: IPAddress, headers: dict[str, str], body: bytes, *,
               seconds: float, max_response_bytes: int) -> Attempt:
    """POST `body` to `url`, connecting to `address`; a 2xx answer is a delivery, anything else an error."""
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    request_headers = {**headers, "host": url.netloc.decode("ascii"), "content-type": "application/json",
                       "user-agent": USER_AGENT}
    try:
        # httpx's timeout is per read or write; the deadline bounds the whole attempt (a receiver
        # dripping a byte a second would otherwise hold a worker slot for as long as it likes).
        async with asyncio.timeout(seconds), httpx.AsyncClient(
                timeout=httpx.Timeout(seconds), follow_redirects=False, trust_env=False) as client:
            request = client.build_request("POST", url.copy_with(host=str(address)), headers=request_headers,
                                           content=body, extensions=extensions)
            response = await client.send(request, stream=True)
            try:
                # Read at most the cap (a receiver's answer is not ours to store), then hang up.
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= max_response_bytes:
                        break
            finally:
                await response.aclose()
    except (httpx.TimeoutException, TimeoutError):
        return Attempt(None, f"no answer within {seconds:g} s")
    except httpx.HTTPError as error:
        return Attempt(None, f"could not connect: {_short(error)}")
    if 200 <= response.status_code < 300:
        return Attempt(response.status_code, None)
    return Attempt(response.status_code, f"answered HTTP {response.status_code}")


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:ERROR_MAX]
