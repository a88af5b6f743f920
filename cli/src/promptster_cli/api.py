"""The Promptster API as the candidate's key calls it: start (or resume) the session, read it, send
events, complete it. Every failure is an ApiError naming the API's ``code`` (``unreachable`` when no
answer came)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2

from promptster_cli import __version__

TIMEOUT = httpx2.Timeout(15.0, connect=5.0)


@dataclass
class ApiError(Exception):
    """The API refused the request (``status`` and its envelope's ``code``), or could not be reached
    (``status`` 0, code ``unreachable``)."""

    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    @property
    def retryable(self) -> bool:
        """Whether sending again later may work: no answer, throttling, or a fault of the server."""
        return self.status in {0, 429} or self.status >= 500


class Api:
    """Calls with the candidate's key on one API base URL."""

    def __init__(self, base_url: str, key: str, transport: httpx2.BaseTransport | None = None) -> None:
        self.client = httpx2.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-API-Key": key, "User-Agent": f"promptster-cli/{__version__}"},
            timeout=TIMEOUT,
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def start(self, idempotency_key: str) -> tuple[dict[str, Any], bool]:
        """Start the key's session, or resume it: the answer, and whether it started now."""
        response = self._request("POST", "/v1/sessions", headers={"Idempotency-Key": idempotency_key})
        return response.json(), response.status_code == 201

    def session(self, session_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/v1/sessions/{session_id}").json()["session"])

    def send_events(self, session_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Send up to 100 events: how many the API stored now, how many it had already, and those it
        refused when the session finished (or filled) part-way (``refused``: id, code, message)."""
        response = self._request("POST", f"/v1/sessions/{session_id}/events", json={"events": events})
        return dict(response.json())

    def complete(self, session_id: str, submission: dict[str, str]) -> dict[str, Any]:
        body = submission or None
        return dict(self._request("POST", f"/v1/sessions/{session_id}/complete", json=body).json()["session"])

    def _request(self, method: str, path: str, **options: Any) -> httpx2.Response:
        try:
            response = self.client.request(method, path, **options)
        except httpx2.HTTPError as error:
            raise ApiError(0, "unreachable", f"no answer from {self.client.base_url} ({error})") from error
        if response.is_success:
            return response
        try:
            envelope = response.json()
        except ValueError:
            envelope = {}
        if not isinstance(envelope, dict):
            envelope = {}
        raise ApiError(
            response.status_code,
            str(envelope.get("code") or f"http_{response.status_code}"),
            str(envelope.get("error") or response.reason_phrase),
            [detail for detail in envelope.get("details") or [] if isinstance(detail, dict)],
        )
