"""The local server speaks HTTP like API Gateway's front door: every refusal in the error envelope,
bodies framed strictly, no request smuggled after a refused body. Over raw sockets."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local.embedded_dynamodb import local_dynamodb
from infra.local.gateway import LocalGateway
from infra.local.server import MAX_BODY_BYTES, LocalServer
from shared.domain.tokens import issue_token
from shared.store.tokens import TokenStore
from tests.support import OPERATOR, SEED_BODY


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def envelope(self) -> dict[str, Any]:
        assert self.headers["content-type"] == "application/json"
        body: dict[str, Any] = json.loads(self.body)
        assert set(body) >= {"error", "code", "requestId"}
        return body


def parse_responses(data: bytes) -> list[RawResponse]:
    """Every response in ``data``, each framed by its Content-Length."""
    responses = []
    while data:
        head, separator, data = data.partition(b"\r\n\r\n")
        assert separator, f"an incomplete response: {head!r}"
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers["content-length"])
        responses.append(RawResponse(int(status_line.split()[1]), headers, data[:length]))
        data = data[length:]
    return responses


def read_until_closed(connection: socket.socket) -> bytes:
    received = bytearray()
    while chunk := connection.recv(65536):
        received += chunk
    return bytes(received)


@dataclass(frozen=True)
class RawServer:
    port: int
    token: str

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def exchange(self, raw: bytes) -> list[RawResponse]:
        """Send ``raw`` on a fresh connection and read every response until the server closes it."""
        with self.connect() as connection:
            connection.sendall(raw)
            return parse_responses(read_until_closed(connection))


def serve(server: LocalServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def raw() -> Iterator[RawServer]:
    with local_dynamodb("promptster-raw-http"):
        # A short read timeout, so the stalled-client test ends quickly.
        server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=False, read_timeout=1.0)
        serve(server)
        try:
            yield RawServer(
                server.server_address[1], issue_token(TokenStore(), "org_raw", name="tests", audit=OPERATOR).token
            )
        finally:
            server.shutdown()
            server.server_close()


def get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(path: str, body: bytes, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"\r\n\r\n",
        b"GET /v1/issues\r\nHost: localhost\r\n\r\n",
        b"GET /v1/issues HTTP/1.1 extra\r\n\r\n",
        b"GET /v1/issues HTTP/one\r\nHost: localhost\r\n\r\n",
        b"GET /v1/issues FTP/1.1\r\nHost: localhost\r\n\r\n",
    ],
)
def test_a_malformed_request_is_a_400_in_the_envelope(raw: RawServer, request_bytes: bytes) -> None:
    [response] = raw.exchange(request_bytes)

    assert response.status == 400
    assert response.envelope()["code"] == "bad_request"
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize(
    "length_headers",
    [("Content-Length: -1",), ("Content-Length: abc",), ("Content-Length: 1, 2",), ("Content-Length: 2",) * 2],
)
def test_a_content_length_that_is_not_one_non_negative_integer_is_a_400(
    raw: RawServer, length_headers: tuple[str, ...]
) -> None:
    [response] = raw.exchange(post("/v1/assessments", b"{}", *length_headers))

    assert response.status == 400
    assert response.envelope()["code"] == "bad_request"


def test_a_body_shorter_than_its_content_length_is_a_400_once_the_client_stops_sending(raw: RawServer) -> None:
    with raw.connect() as connection:
        connection.sendall(post("/v1/assessments", b"{}", "Content-Length: 100"))
        connection.shutdown(socket.SHUT_WR)
        [response] = parse_responses(read_until_closed(connection))

    assert response.status == 400
    assert response.envelope()["error"] == "The body ended before its Content-Length"


def test_a_client_that_stalls_mid_body_gets_a_408_instead_of_holding_the_connection(raw: RawServer) -> None:
    [response] = raw.exchange(post("/v1/assessments", b"{}", "Content-Length: 100"))

    assert response.status == 408
    assert response.envelope()["code"] == "request_timeout"


def chunked(*chunks: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def test_a_chunked_body_is_read_and_the_next_request_on_the_connection_answered(raw: RawServer) -> None:
    body = json.dumps(SEED_BODY).encode()
    first = post(
        "/v1/assessments",
        chunked(body[:10], body[10:]),
        f"Authorization: Bearer {raw.token}",
        "Transfer-Encoding: chunked",
    )

    created, second = raw.exchange(first + get("/v1/nowhere", "Connection: close"))

    assert created.status == 201
    assert json.loads(created.body)["assessment"]["title"] == SEED_BODY["title"]
    assert second.status == 404


@pytest.mark.parametrize(
    ("framing", "body", "status", "code"),
    [
        (("Transfer-Encoding: chunked",), b"zz\r\n{}\r\n0\r\n\r\n", 400, "bad_request"),
        (("Transfer-Encoding: chunked",), b"2\r\n{}XX0\r\n\r\n", 400, "bad_request"),
        (("Transfer-Encoding: chunked", "Content-Length: 7"), chunked(b"{}"), 400, "bad_request"),
        (("Transfer-Encoding: gzip, chunked",), chunked(b"{}"), 501, "not_implemented"),
    ],
)
def test_a_malformed_or_ambiguous_framing_is_refused_in_the_envelope(
    raw: RawServer, framing: tuple[str, ...], body: bytes, status: int, code: str
) -> None:
    [response] = raw.exchange(post("/v1/assessments", body, f"Authorization: Bearer {raw.token}", *framing))

    assert response.status == status
    assert response.envelope()["code"] == code


def _send_ignoring_reset(connection: socket.socket, data: bytes) -> threading.Thread:
    def send() -> None:
        # The server may close before the last bytes: that is the point.
        with contextlib.suppress(OSError):
            connection.sendall(data)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("chunked_body", [False, True])
def test_after_a_413_the_rest_of_the_body_is_never_read_as_requests(raw: RawServer, chunked_body: bool) -> None:
    smuggled = get("/v1/openapi.json")
    body = smuggled * (12 * 1024 * 1024 // len(smuggled))
    framing = "Transfer-Encoding: chunked" if chunked_body else f"Content-Length: {len(body)}"
    payload = chunked(*[body[i : i + 65536] for i in range(0, len(body), 65536)]) if chunked_body else body
    assert len(body) > MAX_BODY_BYTES

    with raw.connect() as connection:
        sender = _send_ignoring_reset(connection, post("/v1/assessments", b"", framing) + payload)
        responses = parse_responses(read_until_closed(connection))
        sender.join(timeout=30)

    assert [response.status for response in responses] == [413]
    assert responses[0].envelope()["code"] == "payload_too_large"


def test_a_head_response_carries_headers_but_no_body(raw: RawServer) -> None:
    with raw.connect() as connection:
        connection.sendall(b"HEAD /v1/nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        received = read_until_closed(connection)

    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ")
    assert int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0]) > 0  # what a GET would carry
    assert rest == b""


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "FOO", "get", "PATCH"])
def test_a_method_no_route_of_the_path_takes_is_a_405_naming_those_that_do(raw: RawServer, method: str) -> None:
    close = "Connection: close"
    [response] = raw.exchange(f"{method} /v1/assessments HTTP/1.1\r\nHost: localhost\r\n{close}\r\n\r\n".encode())
    [elsewhere] = raw.exchange(f"{method} /v1/nowhere HTTP/1.1\r\nHost: localhost\r\n{close}\r\n\r\n".encode())

    assert response.status == 405
    assert response.envelope()["code"] == "method_not_allowed"
    assert response.headers["allow"] == "GET, POST"
    assert elsewhere.status == 404


def test_an_encoded_slash_stays_inside_its_path_segment(raw: RawServer) -> None:
    authorization = f"Authorization: Bearer {raw.token}"
    body = json.dumps(SEED_BODY).encode()
    [created] = raw.exchange(
        post("/v1/assessments", body, authorization, f"Content-Length: {len(body)}", "Connection: close")
    )
    assessment_id = json.loads(created.body)["assessment"]["id"]

    [listed] = raw.exchange(get(f"/v1/assessments/{assessment_id}/keys", authorization, "Connection: close"))
    [encoded] = raw.exchange(get(f"/v1/assessments/{assessment_id}%2Fkeys", authorization, "Connection: close"))

    assert listed.status == 200
    assert encoded.status == 404
    assert encoded.envelope()["code"] == "not_found"


def test_fifty_connections_opened_at_once_are_all_answered() -> None:
    server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=False)
    port = server.server_address[1]
    # Every connection is made before the server accepts any: they all wait in the listen backlog.
    connections = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(50)]
    try:
        for connection in connections:
            connection.sendall(get("/v1/nowhere", "Connection: close"))
        serve(server)
        answers = [parse_responses(read_until_closed(connection)) for connection in connections]
    finally:
        for connection in connections:
            connection.close()
        server.shutdown()
        server.server_close()

    assert [[response.status for response in answer] for answer in answers] == [[404]] * 50


def test_a_client_slow_to_send_its_body_does_not_hold_up_other_clients() -> None:
    server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=False, read_timeout=60)
    port = server.server_address[1]
    serve(server)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
            slow.sendall(post("/v1/nowhere", b"{", "Content-Length: 2", "Connection: close"))
            with socket.create_connection(("127.0.0.1", port), timeout=30) as quick:
                quick.sendall(get("/v1/nowhere", "Connection: close"))
                [quick_answer] = parse_responses(read_until_closed(quick))
            slow.sendall(b"}")
            [slow_answer] = parse_responses(read_until_closed(slow))
    finally:
        server.shutdown()
        server.server_close()

    assert (quick_answer.status, slow_answer.status) == (404, 404)
