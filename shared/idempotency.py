"""``Idempotency-Key`` on POST routes: the first response to a key is kept for 24 hours and replayed
to the same caller's retries of the same request, with Powertools' idempotency utility.

A resolver middleware: it runs after request validation (an invalid body costs no record) and before
the handler. Only 2xx responses are kept; an error leaves nothing behind, so a retry runs afresh."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from pydantic import BaseModel

from shared.auth import Principal, Reviewer
from shared.errors import ConflictError, InvalidInputError, UnprocessableError
from shared.routes import Route
from shared.store.idempotency import KEY_PREFIX, idempotency_store

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
EXPIRES_AFTER_SECONDS = 24 * 60 * 60
# Headers of a kept response replayed as they were (CORS and the like are added per request); an ETag
# goes with the body it was the version of.
_KEPT_HEADERS = ("Location", "ETag")


class RouteApp(Protocol):
    """What the middleware needs of the resolver it runs in (shared.http's RouteResolver)."""

    served: Route
    replayed: Callable[[Any], BaseModel] | None
    shown_once: frozenset[str]

    @property
    def current_event(self) -> APIGatewayProxyEvent: ...
    @property
    def lambda_context(self) -> Any: ...
    def caller(self) -> Principal: ...
    def json_text(self, body: Any) -> str: ...


NextMiddleware = Callable[[RouteApp], Response[Any]]


class _NotKeptError(Exception):
    """Carries a non-2xx response through Powertools, which then deletes the in-progress record."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    """Powertools calls this on replays only: say so in what the middleware returns."""
    return {**response, "replayed": True}


@cache
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        response_hook=_mark_replayed,
    )


def caller_scope(caller: Principal) -> str:
    """Whose keys these are: an organisation's (all its tokens share them) or one candidate key's."""
    if isinstance(caller, Reviewer):
        return f"org:{caller.org_id}"
    return f"candidate:{caller.org_id}:{caller.key_id}"


def idempotency_middleware(app: RouteApp, next_middleware: NextMiddleware) -> Response[Any]:
    """Run the route once per key: replay what the first request answered, or refuse a conflicting reuse."""
    event = app.current_event
    key = event.headers.get(HEADER)
    if key is None:
        return next_middleware(app)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError.for_field(
            (HEADER,),
            "idempotency_key",
            f"must be 1 to {MAX_KEY_LENGTH} characters",
            error_code="invalid_idempotency_key",
        )
    _config().register_lambda_context(app.lambda_context)
    request = {"path": event.path_parameters or {}, "body": _body(event.body)}
    scoped_key = [caller_scope(app.caller()), app.served.name, key]

    def run(*, idempotent: dict[str, Any]) -> dict[str, Any]:
        response = next_middleware(app)
        if not 200 <= response.status_code < 300:
            raise _NotKeptError(response)
        return _kept(app, response)

    once = idempotent_function(
        run,
        data_keyword_argument="idempotent",
        persistence_store=idempotency_store(),
        config=_config(),
        output_serializer=CustomDictSerializer(to_dict=_forgetting(app.shown_once), from_dict=lambda kept: kept),
        key_prefix=KEY_PREFIX,
    )
    try:
        kept = once(idempotent={"key": scoped_key, "request": request})
    except _NotKeptError as not_kept:
        return not_kept.response
    except IdempotencyValidationError:
        raise UnprocessableError(
            f"This {HEADER} was used with a different request; send a new key", code="idempotency_key_reused"
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise ConflictError(
            f"The first request with this {HEADER} is still running; retry shortly",
            code="idempotency_key_in_progress",
        ) from None
    headers, body = dict(kept["headers"]), kept["body"]
    if kept.get("replayed"):
        headers[REPLAYED_HEADER] = "true"
        if app.replayed is not None:
            body = app.json_text(app.replayed(json.loads(body)).model_dump(mode="json", by_alias=True))
    return Response(status_code=kept["status"], content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def _forgetting(shown_once: frozenset[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What the record keeps of a kept answer: the fields shown once (a secret) as null. The first
    request is answered in full; only a replay reads the record."""

    def forget(kept: dict[str, Any]) -> dict[str, Any]:
        if not shown_once:
            return kept
        fields = json.loads(kept["body"])
        forgotten = {name: None if name in shown_once else value for name, value in fields.items()}
        return {**kept, "body": json.dumps(forgotten, separators=(",", ":"), ensure_ascii=False)}

    return forget


def _body(text: str | None) -> Any:
    """The body as JSON (so spacing and key order do not make a different request), else as sent."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _kept(app: RouteApp, response: Response[Any]) -> dict[str, Any]:
    """What is kept of a response: status, JSON body text and the headers that describe the resource."""
    body = app.json_text(response.body)
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    return {"status": int(response.status_code or HTTPStatus.OK), "body": body, "headers": headers}
