"""Which URLs a webhook may call, and which addresses it may connect to (the SSRF rules).

A webhook makes the server send requests where its owner says, so without rules anyone could aim
it at the server's own neighbours: its loopback, the private network, a cloud metadata address.
The URL is checked when the webhook is created (`check_url`); the name is resolved again before
each attempt, every address it resolves to is checked (`checked_address`), and the request goes to
that very address with the name in the Host header and TLS SNI (`sender`), so a DNS answer that
changes between the check and the connection (rebinding) cannot smuggle a private target in.
`COMEBACK_WEBHOOK_ALLOW_PRIVATE=1` lifts the address rules (and allows plain http), for receivers
on the same machine or network, and for the tests' loopback receiver.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

URL_MAX = 2048
RESOLVE_SECONDS = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# NAT64's well-known prefix (RFC 6052): on a NAT64 network, 64:ff9b::a00:1 reaches 10.0.0.1.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class TargetRefused(ValueError):
    """A URL or address a webhook may not call; the message says why, for its owner."""


def address_allowed(address: IPAddress, allow_private: bool) -> bool:
    """Only globally routable unicast addresses, unless private targets are allowed."""
    if allow_private:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 reaches the IPv4 host: judge that one.
        embedded = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None)
        if embedded is not None and not address_allowed(embedded, False):
            return False
    return address.is_global and not address.is_multicast


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone id names an interface, not a host
    except ValueError:
        return None


def check_url(raw: str, allow_private: bool) -> httpx.URL:
    """The URL if a webhook may call it (https, or http where private targets are allowed; no
    credentials; a literal address must be allowed); else TargetRefused."""
    raw = raw.strip()
    if not raw or len(raw) > URL_MAX:
        raise TargetRefused(f"the URL must be 1 to {URL_MAX} characters")
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as error:
        raise TargetRefused(f"not a valid URL: {error}") from None
    if url.scheme != "https" and not (url.scheme == "http" and allow_private):
        raise TargetRefused("the URL must start with https://")
    if not url.host:
        raise TargetRefused("the URL has no host")
    if url.userinfo:
        raise TargetRefused("the URL may not hold a user name or password (send them in the body, signed)")
    literal = literal_address(url.host)
    if literal is not None and not address_allowed(literal, allow_private):
        raise TargetRefused(f"{literal} is a loopback, private, link-local or reserved address")
    return url


async def resolve(url: httpx.URL) -> list[IPAddress]:
    """Every address the URL's host resolves to (a literal address is its own), in the resolver's order."""
    literal = literal_address(url.host)
    if literal is not None:
        return [literal]
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        # getaddrinfo blocks: it runs on a thread, and we stop waiting for it after a while.
        infos = await asyncio.wait_for(
            asyncio.to_thread(socket.getaddrinfo, url.host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS)
    except (OSError, UnicodeError, TimeoutError):
        raise TargetRefused(f"{url.host} does not resolve") from None
    found: dict[IPAddress, None] = {}
    for *_, sockaddr in infos:
        address = literal_address(str(sockaddr[0]))
        if address is not None:
            found[address] = None
    if not found:
        raise TargetRefused(f"{url.host} does not resolve")
    return list(found)


async def checked_address(url: httpx.URL, allow_private: bool) -> IPAddress:
    """The address to connect to for `url`: its host's first address, if every one is allowed."""
    addresses = await resolve(url)
    refused = [a for a in addresses if not address_allowed(a, allow_private)]
    if refused:
        # One private answer is enough to refuse: a name that mixes them is a rebinding attempt or a
        # mistake, and which answer a client would pick is up to chance.
        raise TargetRefused(f"{url.host} resolves to {refused[0]}, a loopback, private, link-local or reserved "
                            "address")
    return addresses[0]
