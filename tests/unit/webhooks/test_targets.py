"""Which URLs and addresses a webhook may call (the SSRF rules), as pure functions."""

from __future__ import annotations

import ipaddress

import pytest

from server.webhooks.targets import TargetRefused, address_allowed, check_url


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.8.8", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.1", "198.18.0.1", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "2002:0a00:0001::1", "64:ff9b::a00:1", "2001:db8::1",
])
def test_loopback_private_link_local_and_reserved_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not address_allowed(ip, allow_private=False)
    assert address_allowed(ip, allow_private=True)


@pytest.mark.parametrize("address", ["1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize(("url", "why"), [
    ("http://hooks.example.com/x", "https://"),
    ("ftp://hooks.example.com/x", "https://"),
    ("https://127.0.0.1/x", "loopback"),
    ("https://[::1]:8443/x", "loopback"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://user:pw@hooks.example.com/x", "user name"),
    ("https:///x", "no host"),
    ("", "1 to 2048"),
    ("https://hooks.example.com/" + "a" * 2048, "1 to 2048"),
])
def test_urls_refused_at_creation(url: str, why: str) -> None:
    with pytest.raises(TargetRefused, match=why):
        check_url(url, allow_private=False)


def test_a_public_https_url_is_taken_as_given_and_plain_http_only_where_private_targets_are_allowed() -> None:
    assert str(check_url(" https://hooks.example.com/comeback?x=1 ", allow_private=False)) == \
        "https://hooks.example.com/comeback?x=1"
    assert str(check_url("http://127.0.0.1:9000/hook", allow_private=True)) == "http://127.0.0.1:9000/hook"
