"""The delivery POST over TLS: it connects to the address that was checked, while TLS names and
verifies the URL's host, and an endpoint whose certificate does not verify gets nothing."""

from __future__ import annotations

import datetime
import itertools
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.webhooks import sender
from shared.webhooks.addresses import Destination

HOST = "hooks.example.com"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for HOST, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "cert.pem", folder / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate_path, key_path


class _Endpoint:
    def __init__(self) -> None:
        self.seen: list[tuple[str | None, str | None, bytes]] = []  # (TLS server name, Host header, body)
        self.port = 0


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[tuple[_Endpoint, Path]]:
    """An https endpoint on 127.0.0.1 presenting a certificate for HOST."""
    certificate, key = _certificate(tmp_path)
    state = _Endpoint()
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)

    def record_server_name(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        server_names.append(name)

    context.sni_callback = record_server_name

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.seen.append((server_names[-1] if server_names else None, self.headers.get("Host"), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, certificate
    finally:
        server.shutdown()
        server.server_close()


def test_the_post_goes_to_the_checked_address_and_tls_verifies_the_host_name(
    endpoint: tuple[_Endpoint, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, certificate = endpoint
    trusting = ssl.create_default_context(cafile=str(certificate))
    monkeypatch.setattr(sender, "_tls", lambda: trusting)
    where = Destination("https", HOST, state.port, "/in", "127.0.0.1")  # the name resolved to this address
    attempt = sender.send("POST", where, b'{"ok":true}', {"Content-Type": "application/json"})
    assert (attempt.status_code, attempt.error, attempt.succeeded) == (204, None, True)
    assert state.seen == [(HOST, f"{HOST}:{state.port}", b'{"ok":true}')]


def test_a_certificate_that_does_not_verify_fails_the_attempt(endpoint: tuple[_Endpoint, Path]) -> None:
    state, _ = endpoint
    where = Destination("https", HOST, state.port, "/in", "127.0.0.1")
    attempt = sender.send("POST", where, b"{}", {"Content-Type": "application/json"})
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("TLS certificate not valid")
    assert state.seen == []


@pytest.fixture
def dripping_endpoint() -> Iterator[int]:
    """An endpoint that reads the request, then answers one byte every 0.3 s for ever (or until hung up)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100):
                if stop.wait(0.3):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_an_endpoint_dripping_its_answer_fails_the_attempt_at_the_deadline(dripping_endpoint: int) -> None:
    # Every read gets a byte within its own timeout: only a deadline on the whole attempt ends it.
    destination = Destination("http", "127.0.0.1", dripping_endpoint, "/hooks", "127.0.0.1")

    attempt = sender.send("POST", destination, b"{}", {"Content-Type": "application/json"}, timeout=1.0)

    assert (attempt.status_code, attempt.error) == (None, "no answer within 1 s")
    assert attempt.duration_ms < 3000  # not the 30-odd seconds the endpoint would take to finish a status line
