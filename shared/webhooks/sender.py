"""One HTTP request of a delivery (a webhook's POST, or a call back to an ATS: Greenhouse's PATCH, Ashby's
POST), to the address its URL was checked against: TLS still verifies
the host name, redirects are not followed, and the whole attempt (connection, TLS, request, status
line, headers and the part of the body read) ends within the delivery timeout, however slowly the
endpoint drips its answer: a batch of deliveries is never held up past the sum of its timeouts."""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from functools import cache
from typing import NamedTuple

from shared.webhooks.addresses import Destination
from shared.webhooks.schedule import DELIVERY_TIMEOUT_SECONDS

# The endpoint's answer is not used: read a little of it so the connection closes cleanly, no more.
_RESPONSE_BYTES_READ = 4096


class Attempt(NamedTuple):
    """What one request came to: the status an endpoint answered, or why there was none."""

    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        """The endpoint says it is gone for good (410): the webhook is disabled."""
        return self.status_code == 410

    @property
    def refused(self) -> bool:
        """The endpoint refused the request itself (a 4xx other than 408 and 429): sending it again changes nothing."""
        return self.status_code is not None and 400 <= self.status_code < 500 and self.status_code not in (408, 429)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _Abortable:
    """Keeps the connection's raw socket, so the attempt's deadline can cut it whatever it waits on."""

    _raw: socket.socket | None = None
    aborted = False

    def _open(self, address: str, port: int, timeout: float | None) -> socket.socket:
        self._raw = socket.create_connection((address, port), timeout)
        if self.aborted:
            self.abort()
        return self._raw

    def abort(self) -> None:
        """End the connection now: a read or write waiting on it fails at once."""
        self.aborted = True
        if self._raw is not None:
            with contextlib.suppress(OSError):  # already closed
                self._raw.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(_Abortable, http.client.HTTPConnection):
    """Plain http to the checked address (the local server's loopback receivers only)."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = destination.address

    def connect(self) -> None:
        self.sock = self._open(self._address, self.port, self.timeout)


class _PinnedHTTPSConnection(_Abortable, http.client.HTTPSConnection):
    """https to the checked address, with the certificate verified for the URL's host name."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout, context=_tls())
        self._address = destination.address

    def connect(self) -> None:
        raw = self._open(self._address, self.port, self.timeout)
        self.sock = _tls().wrap_socket(raw, server_hostname=self.host)


def send(
    method: str,
    destination: Destination,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float = DELIVERY_TIMEOUT_SECONDS,
) -> Attempt:
    """Send ``body`` to ``destination`` with ``method``; never raises for what the network or the endpoint does."""
    started = time.monotonic()
    kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    connection = kind(destination, timeout)
    # Each socket operation also times out alone; this bounds them all together.
    deadline = threading.Timer(timeout, connection.abort)
    deadline.start()
    try:
        connection.request(method, destination.target, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read(_RESPONSE_BYTES_READ)
        status: int | None = response.status
        error = None
    except (OSError, http.client.HTTPException) as failure:
        status, error = None, _describe(failure, timeout)
    finally:
        deadline.cancel()
        connection.close()
    elapsed = time.monotonic() - started
    if connection.aborted or (error is None and elapsed > timeout):
        status, error = None, _too_late(timeout)
    return Attempt(status, round(elapsed * 1000), error)


def _too_late(timeout: float) -> str:
    return f"no answer within {timeout:g} s"


def _describe(failure: Exception, timeout: float) -> str:
    """A short reason fit for the delivery log (no header or body of ours is ever in it)."""
    if isinstance(failure, TimeoutError | socket.timeout):
        return _too_late(timeout)
    if isinstance(failure, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid: {failure.verify_message}"
    if isinstance(failure, ConnectionRefusedError):
        return "connection refused"
    return f"{type(failure).__name__}: {failure}"[:300]
