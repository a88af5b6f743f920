"""The local server on a free port, over real HTTP, with its embedded DynamoDB."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.local.embedded_dynamodb import local_dynamodb
from infra.local.gateway import LocalGateway
from infra.local.secrets import local_secrets_key
from infra.local.server import LocalServer
from infra.local.stream import local_events


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True)
class Api:
    base_url: str

    def request(
        self, method: str, path: str, token: str | None = None, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResult:
        """Send one request; ``body`` is JSON-encoded unless it is already bytes."""
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, response_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, response_headers = error.code, error.read(), dict(error.headers)
        return HttpResult(status, json.loads(raw) if raw else None, response_headers)


@contextmanager
def local_api(table_name: str, mail: Path | None = None) -> Iterator[Api]:
    """The local server on a free port with its own embedded table; with ``mail``, as ``make dev`` runs
    it: the stream's consumer beside it (invitations written to ``mail``) and webhooks delivered."""
    with local_dynamodb(table_name), local_secrets_key():
        server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=False)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        # A short poll: shutting the server down waits for the loop to notice.
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            with local_events(table_name, base, mail) if mail is not None else nullcontext():
                yield Api(base)
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    """A local server for the whole module; tests keep apart by using their own organisations."""
    with local_api("promptster-http") as served:
        yield served
