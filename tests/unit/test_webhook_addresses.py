"""Server-side request forgery: which webhook URLs are refused, however the address is spelt, and
that a refused one is never connected to."""

from __future__ import annotations

import socket

import pytest

from shared import settings
from shared.webhooks import addresses
from shared.webhooks.addresses import UrlNotAllowedError, destination

REFUSED = [
    # loopback, in every spelling inet_aton and IPv6 allow
    ("https://127.0.0.1/hooks", "loopback"),
    ("https://127.1/", "loopback"),
    ("https://2130706433/", "loopback"),  # decimal
    ("https://0177.0.0.1/", "loopback"),  # octal
    ("https://0x7f.0.0.1/", "loopback"),  # hex
    ("https://0x7f000001/", "loopback"),
    ("https://017700000001/", "loopback"),
    ("https://127.0.0.1./", "loopback"),
    ("https://[::1]/", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped IPv6
    ("https://[2002:7f00:1::]/", "loopback"),  # 6to4 of 127.0.0.1
    ("https://localhost:8443/", "loopback"),
    # the instance metadata service and the rest of link-local
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://2852039166/", "link-local"),  # 169.254.169.254 in decimal
    ("https://0251.0376.0251.0376/", "link-local"),  # ... in octal
    ("https://[::ffff:a9fe:a9fe]/", "link-local"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[fe80::1%25eth0]/", "link-local"),
    ("https://metadata.example.com/", "link-local"),  # a name that resolves there
    # private networks
    ("https://10.0.0.1/", "private"),
    ("https://172.16.5.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://[fd00::1]/", "private"),
    ("https://[fec0::1]/", "site-local"),  # deprecated, yet Python's is_global says True
    ("https://[feff:ffff::1]/", "site-local"),
    ("https://[64:ff9b::a00:1]/", "private"),  # NAT64 of 10.0.0.1
    ("https://internal.example.com/", "private"),
    ("https://split.example.com/", "loopback"),  # one public answer does not excuse another
    # multicast, unspecified, reserved, shared address space
    ("https://224.0.1.1/", "multicast"),
    ("https://[ff02::1]/", "multicast"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://0/", "unspecified"),
    ("https://[::]/", "unspecified"),
    ("https://240.0.0.1/", "reserved"),
    ("https://255.255.255.255/", "reserved"),
    ("https://100.64.0.1/", "not public"),
]


@pytest.mark.parametrize(("url", "kind"), REFUSED)
def test_urls_that_reach_no_public_address_are_refused(url: str, kind: str) -> None:
    with pytest.raises(UrlNotAllowedError, match=f"public address, not .* \\({kind}\\)"):
        destination(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "must be an https URL"),
        ("ftp://hooks.example.com/", "must be an https URL"),
        ("hooks.example.com/hooks", "must be an https URL"),
        ("https://user:secret@hooks.example.com/", "user name or password"),
        ("https:///hooks", "must name a host"),
        ("https://hooks.example.com:99999/", "invalid port"),
        ("https://nowhere.example.net/", "does not resolve"),
        ("https://256.1.1.1.1/", "does not resolve"),
        ("https://1.2.3.256/", "not a valid address"),
        ("https://08.1.1.1/", "not a valid address"),
    ],
)
def test_urls_that_are_not_https_to_a_known_host_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlNotAllowedError, match=reason):
        destination(url)


def test_a_public_https_url_is_delivered_to_the_address_that_was_checked() -> None:
    where = destination("https://hooks.example.com/in?source=promptster")
    assert (where.scheme, where.host, where.port, where.target, where.address) == (
        "https",
        "hooks.example.com",
        443,
        "/in?source=promptster",
        "93.184.215.14",
    )
    assert destination("https://ats.example.org:8443").address == "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
    assert destination("https://8.8.8.8/").address == "8.8.8.8"


def test_loopback_over_http_is_allowed_only_when_the_local_server_allows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://127.0.0.1:8080/hooks"
    with pytest.raises(UrlNotAllowedError):
        destination(url)
    assert destination(url, allow_loopback=True).address == "127.0.0.1"
    # Only loopback: a private address stays refused locally too.
    with pytest.raises(UrlNotAllowedError, match="private"):
        destination("http://10.0.0.1/", allow_loopback=True)
    with pytest.raises(UrlNotAllowedError, match="https"):
        destination("http://hooks.example.com/", allow_loopback=True)

    monkeypatch.setenv(settings.LOCAL_LOOPBACK_VARIABLE, "1")
    assert destination(url).address == "127.0.0.1"
    # Inside Lambda the variable means nothing, whoever set it.
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "acme-prod-webhook-delivery")
    with pytest.raises(UrlNotAllowedError, match="loopback"):
        destination(url)


def test_the_system_resolver_answers_for_localhost_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real resolver; localhost is answered from the hosts file
    assert "127.0.0.1" in addresses.resolve("localhost")


def test_checking_a_refused_url_never_connects(monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(*_: object, **__: object) -> None:
        raise AssertionError("a refused URL was connected to")

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(socket.socket, "connect", connect)
    for url, _ in REFUSED:
        with pytest.raises(UrlNotAllowedError):
            destination(url)
