"""The HTTP server in front of :class:`LocalGateway`."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.local.gateway import LocalGateway

MAX_READ_BYTES = 10 * 1024 * 1024  # API Gateway's own payload ceiling


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_READ_BYTES)
        body = self.rfile.read(length) if length else b""
        response = self.server.gateway.handle(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        if self.server.access_log:
            super().log_message(format, *args)


class LocalServer(ThreadingHTTPServer):
    """A threaded HTTP server answering through a LocalGateway."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: LocalGateway, access_log: bool = True) -> None:
        super().__init__(address, _RequestHandler)
        self.gateway = gateway
        self.access_log = access_log
