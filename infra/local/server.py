"""The HTTP server in front of :class:`LocalGateway`, as strict about HTTP as API Gateway's front door.

Whatever a client sends, it gets an answer in the error envelope (never the stock HTML page) or a
closed connection: malformed requests are 400, bodies are framed by a valid ``Content-Length`` or
chunked encoding, and after a refused body the connection is closed, never parsed for a next request."""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.gateway_responses import BY_TYPE
from infra.local.gateway import LocalGateway, LocalResponse
from shared.http import error_body, to_json
from shared.models.shares import REPORTS_PATH

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's own payload ceiling
MAX_LINE_BYTES = 64 * 1024  # a chunk-size or trailer line
MAX_TRAILERS = 100
LINGER_SECONDS = 2.0  # how long a refused body is read and dropped before the connection closes
_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_SHARED_REPORT = re.compile(re.escape(REPORTS_PATH) + r"[^/?#\s]+")

# The envelope's code and message for each refusal made before any route is looked up.
REFUSALS: dict[int, tuple[str, str]] = {
    HTTPStatus.BAD_REQUEST: (BY_TYPE["DEFAULT_4XX"].code, "The request is malformed"),
    HTTPStatus.REQUEST_TIMEOUT: ("request_timeout", "The request did not arrive in time"),
    HTTPStatus.LENGTH_REQUIRED: ("length_required", "The request body needs a valid length"),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (BY_TYPE["REQUEST_TOO_LARGE"].code, BY_TYPE["REQUEST_TOO_LARGE"].message),
    HTTPStatus.REQUEST_URI_TOO_LONG: ("uri_too_long", "The request line is too long"),
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: ("headers_too_large", "The request headers are too large"),
    HTTPStatus.NOT_IMPLEMENTED: ("not_implemented", "This transfer encoding is not supported"),
    HTTPStatus.HTTP_VERSION_NOT_SUPPORTED: ("http_version_not_supported", "Only HTTP/1.0 and HTTP/1.1 are supported"),
}


class _BadBodyError(Exception):
    """The body cannot be read; the request is answered with ``status`` and the connection closed."""

    def __init__(self, status: HTTPStatus, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalServer
    raw_requestline: bytes  # set by the base class, missing from its type stubs
    protocol_version = "HTTP/1.1"
    # What a refusal is answered in when the request line is too broken to name its version.
    default_request_version = "HTTP/1.1"

    def setup(self) -> None:
        # Every read and write on the connection gives up after this long: a client that
        # announces more body than it sends gets a 408 instead of holding the thread forever.
        super().setup()
        self.connection.settimeout(self.server.read_timeout)

    def parse_request(self) -> bool:
        # The base class skips a blank request line without an answer and serves HTTP/0.9 (no status
        # line, no headers); API Gateway refuses both.
        if len(self.raw_requestline.split()) != 3:
            self.command, self.request_version = "", self.default_request_version
            self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
            self.send_error(HTTPStatus.BAD_REQUEST, "The request line must be a method, a target and a version")
            return False
        return super().parse_request()

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BadBodyError as refused:
            self.send_error(refused.status, refused.message)
            return
        except TimeoutError:
            self.send_error(HTTPStatus.REQUEST_TIMEOUT)
            return
        response = self.server.gateway.handle(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        self._send(response)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # The base class looks up do_<METHOD>: every method goes to the gateway, which answers one
        # that no route of the path takes with a 405 naming those that do.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        lengths = self.headers.get_all("Content-Length") or []
        encodings = self.headers.get_all("Transfer-Encoding") or []
        if encodings:
            # Both framings at once is how requests get smuggled: refuse rather than pick one.
            if lengths:
                raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Content-Length and Transfer-Encoding are exclusive")
            if [encoding.strip().lower() for encoding in encodings] != ["chunked"]:
                raise _BadBodyError(HTTPStatus.NOT_IMPLEMENTED, "Only the chunked transfer encoding is supported")
            return self._read_chunks()
        if not lengths:
            return b""
        if len(lengths) > 1 or not _DIGITS.fullmatch(lengths[0].strip()):
            raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Content-Length must be one non-negative integer")
        length = int(lengths[0])
        if length > MAX_BODY_BYTES:
            raise _BadBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = self.rfile.read(length)
        if len(body) < length:
            raise _BadBodyError(HTTPStatus.BAD_REQUEST, "The body ended before its Content-Length")
        return body

    def _read_chunks(self) -> bytes:
        body = bytearray()
        while True:
            size_line = self._read_line()
            size_text = size_line.split(b";", 1)[0].strip()  # chunk extensions are allowed and ignored
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Malformed chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > MAX_BODY_BYTES:
                raise _BadBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            chunk = self.rfile.read(size)
            if len(chunk) < size or self._read_line().strip():
                raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Malformed chunk")
            body += chunk
        for _ in range(MAX_TRAILERS):
            if not self._read_line().strip():
                return bytes(body)
        raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Too many trailer fields")

    def _read_line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if not line.endswith(b"\n") or len(line) > MAX_LINE_BYTES:
            raise _BadBodyError(HTTPStatus.BAD_REQUEST, "Malformed chunked body")
        return line

    def _send(self, response: LocalResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refuse the request in the error envelope, then close the connection without reading on."""
        self.log_error("code %d, message %s", code, message)
        error_code, default_message = REFUSALS.get(code, REFUSALS[HTTPStatus.BAD_REQUEST])
        body = error_body(message or default_message, error_code, str(uuid.uuid4()))
        headers = {"Content-Type": "application/json", "Connection": "close"}
        self._send(LocalResponse(code, headers, to_json(body).encode()))
        self._linger()

    def _linger(self) -> None:
        """Drop what the client is still sending (a refused body) for a moment before closing, so the
        close does not reset the connection before the client has read the answer."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(MAX_LINE_BYTES):
                    return
        except OSError:
            return  # the client is gone or slow: nothing more to do for it

    def log_message(self, format: str, *args: object) -> None:
        if self.server.access_log:
            super().log_message(format, *(_without_tokens(arg) for arg in args))


def _without_tokens(value: object) -> object:
    """A request line as the access log keeps it: a share link's token left out, as the deployed API's
    access log leaves out every path."""
    return _SHARED_REPORT.sub(REPORTS_PATH + "…", value) if isinstance(value, str) else value


class LocalServer(ThreadingHTTPServer):
    """A threaded HTTP server answering through a LocalGateway."""

    daemon_threads = True
    request_queue_size = 128  # the listen backlog: bursts of connections wait instead of being reset

    def __init__(
        self, address: tuple[str, int], gateway: LocalGateway, access_log: bool = True, read_timeout: float = 30.0
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.gateway = gateway
        self.access_log = access_log
        self.read_timeout = read_timeout
