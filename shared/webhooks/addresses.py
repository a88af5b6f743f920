"""Where a webhook may be delivered: an ``https`` URL whose host is public. Loopback, private,
link-local (the instance metadata service), multicast, reserved and unspecified addresses are
refused however they are spelt (IPv6, IPv4 mapped into IPv6, ``2130706433``, ``0177.0.0.1``), both
when a webhook is registered and again at each delivery, since what a name resolves to can change.
A delivery then connects to the address that was checked, never to a second lookup's answer."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

from shared import settings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Host name -> the addresses it resolves to (a failed lookup raises OSError).
Resolver = Callable[[str], Sequence[str]]

# An IPv4 address the way inet_aton reads one: 1 to 4 dot-separated numbers, each decimal, octal
# (leading 0) or hex (0x). No DNS name ends in such a label, so a host like this is an address.
_IPV4_NUMBER = r"(?:0x[0-9a-f]*|[0-9]+)"
_INET_ATON = rf"{_IPV4_NUMBER}(?:\.{_IPV4_NUMBER}){{0,3}}\.?"
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlNotAllowedError(Exception):
    """The URL may not receive webhooks; the message says why, for the caller."""


class UnresolvedHostError(UrlNotAllowedError):
    """The URL's host resolves to nothing (yet): nowhere to deliver, and nothing to refuse."""


class Destination(NamedTuple):
    """A URL that passed the checks, with the address a delivery connects to."""

    scheme: str
    host: str  # as written: what TLS verifies and the Host header names
    port: int
    target: str  # the path and query to request
    address: str


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 first: it is what a Lambda function reaches)."""
    found = {str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    return sorted(found, key=lambda address: (":" in address, address))


def destination(url: str, resolver: Resolver | None = None, *, allow_loopback: bool | None = None) -> Destination:
    """Where ``url`` is delivered, or UrlNotAllowedError saying why it may not be. ``resolver``
    defaults to the system's; ``allow_loopback`` (default: as the environment says) admits http and
    https to loopback addresses, and nothing else that is not public."""
    loopback = settings.loopback_receivers_allowed() if allow_loopback is None else allow_loopback
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UrlNotAllowedError("must be an https URL")
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowedError("must not carry a user name or password")
    host = parts.hostname
    if not host:
        raise UrlNotAllowedError("must name a host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UrlNotAllowedError("has an invalid port") from None
    addresses = [_parse(address) for address in _addresses_of(host, resolver or resolve)]
    refused = [address for address in addresses if not _public(address)]
    if refused and not (loopback and all(address.is_loopback for address in refused)):
        raise UrlNotAllowedError(f"must point to a public address, not {refused[0]} ({_kind(refused[0])})")
    if scheme != "https" and not (loopback and all(address.is_loopback for address in addresses)):
        raise UrlNotAllowedError("must be an https URL")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme, host, port, target, str(addresses[0]))


def check_registration(url: str, resolver: Resolver | None = None) -> None:
    """Refuse to register a URL that reaches an address that is not public. A host that does not
    resolve is let through: its DNS may not be published yet, and every delivery checks again."""
    with contextlib.suppress(UnresolvedHostError):
        destination(url, resolver)


def _addresses_of(host: str, resolver: Resolver) -> list[str]:
    literal = _literal(host)
    if literal is not None:
        return [str(literal)]
    try:
        found = list(resolver(host))
    except (OSError, UnicodeError):
        found = []
    if not found:
        raise UnresolvedHostError(f"host {host!r} does not resolve")
    return found


def _literal(host: str) -> IpAddress | None:
    """The address a host spells directly: IPv6 (``[::1]``), or IPv4 in any form inet_aton reads."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if not re.fullmatch(_INET_ATON, host, re.IGNORECASE):
        return None
    try:
        *leading, last = [_number(part) for part in host.rstrip(".").split(".")]
    except ValueError:
        raise UrlNotAllowedError(f"host {host!r} is not a valid address") from None
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        raise UrlNotAllowedError(f"host {host!r} is not a valid address")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int:
    """One part of an inet_aton address: hex after 0x, octal after a leading 0, else decimal."""
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    return int(part, 8) if len(part) > 1 and part.startswith("0") else int(part)


def _parse(address: str) -> IpAddress:
    return ipaddress.ip_address(address.split("%", 1)[0])


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo's server side, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _public(embedded)
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local or address.is_unspecified or site_local
    )


def _kind(address: IpAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        address = _embedded_ipv4(address) or address
    for kind, matches in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        # Deprecated (RFC 3879) but still routed inside some networks, and Python counts it global.
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
    ):
        if matches:
            return kind
    return "not public"
