"""A local API Gateway: routes by the route table, runs the authorizer first, then the function.

It builds the same REST proxy events API Gateway builds and answers API Gateway's own errors
with the same envelopes the deployed Gateway Responses use."""

from __future__ import annotations

import base64
import fnmatch
import importlib
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.gateway_responses import BY_TYPE
from shared import cors
from shared.http import error_body, to_json
from shared.routes import AUTHORIZER_HANDLER, ROUTES, Route

REGION = "eu-west-1"
ACCOUNT_ID = "000000000000"
API_ID = "local"
STAGE = "local"


@dataclass(frozen=True)
class LocalResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class LambdaContext:
    """Just enough of the Lambda context object for Powertools."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


# Powertools keeps the current event and the metrics buffer in module state, as Lambda runs one
# invocation per process at a time; the local server keeps that promise with one lock.
_INVOCATION_LOCK = threading.Lock()


def _invoke(handler_path: str, event: dict[str, Any], function_name: str) -> dict[str, Any]:
    with _INVOCATION_LOCK:
        return _load(handler_path)(event, LambdaContext(function_name=function_name))


@cache
def _load(handler_path: str) -> Handler:
    module_name, _, attribute = handler_path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def _bind(template: str, segments: Sequence[str]) -> dict[str, str] | None:
    """The path parameters when the decoded ``segments`` fit the route's template, else None."""
    names = template.split("/")
    if len(names) != len(segments):
        return None
    parameters = {}
    for name, segment in zip(names, segments, strict=True):
        if name.startswith("{") and name.endswith("}"):
            if not segment:
                return None
            parameters[name[1:-1]] = segment
        elif name != segment:
            return None
    return parameters


class LocalGateway:
    """Answers HTTP requests the way the deployed API Gateway stage does."""

    def __init__(self, routes: Sequence[Route] = ROUTES) -> None:
        self._routes = routes

    def handle(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes, source_ip: str
    ) -> LocalResponse:
        """Route one request: gateway errors, authorizer, then the route's Lambda handler."""
        request_id = str(uuid.uuid4())
        parts = urlsplit(target)
        path = parts.path  # as sent: API Gateway hands functions the path still percent-encoded
        # Split first, then decode each segment, so an encoded "/" stays inside its segment.
        segments = [unquote(segment) for segment in path.split("/")]
        own = self._own_answer(method, segments, headers)
        if own is not None:
            return own
        matched = self._match(method, segments)
        if matched is None:
            return self._unrouted(segments, request_id)
        route, path_parameters = matched
        event = proxy_event(
            route,
            method=method,
            path=path,
            query=parts.query,
            headers=headers,
            body=body,
            path_parameters=path_parameters,
            request_id=request_id,
            source_ip=source_ip,
        )
        if route.auth.needs_authorizer:
            # API Gateway calls a cached authorizer only when its identity header is present.
            identity = route.auth.identity_header
            if identity is not None and not any(name.lower() == identity.lower() for name, _ in headers):
                return _gateway_error("UNAUTHORIZED", request_id)
            authorization = self._authorize(event, method, path)
            if isinstance(authorization, LocalResponse):
                return authorization
            event["requestContext"]["authorizer"] = authorization
        try:
            result = _invoke(route.handler, event, route.name)
        except Exception:
            # A function that crashes is a 5xx from API Gateway too; the traceback is for the developer.
            traceback.print_exc()
            return _gateway_error("DEFAULT_5XX", request_id)
        return _from_proxy_result(result)

    def _own_answer(
        self, method: str, segments: Sequence[str], headers: Sequence[tuple[str, str]]
    ) -> LocalResponse | None:
        """What the gateway answers without a function: the stack's mock ``OPTIONS`` answer on a path
        of the API when origins are allowed (``PROMPTSTER_CORS_ORIGINS``; without them there is no
        such method)."""
        if method != "OPTIONS":
            return None
        origins = cors.allowed_origins()
        methods = [route.method for route in self._routes if _bind(route.path, segments) is not None]
        if not origins or not methods:
            return None
        origin = cors.request_origin(dict(headers))
        return LocalResponse(204, cors.preflight_headers(origins, origin, methods), b"")

    def _unrouted(self, segments: Sequence[str], request_id: str) -> LocalResponse:
        """A 405 naming the methods of a path no route of this method has, or a 404 for an unknown path.
        (API Gateway says 404 to both; the 405 and its Allow header tell a client more.)"""
        allowed = sorted({route.method for route in self._routes if _bind(route.path, segments) is not None})
        if not allowed:
            return _gateway_error("MISSING_AUTHENTICATION_TOKEN", request_id)
        body = to_json(error_body("This path does not take this method", "method_not_allowed", request_id)).encode()
        return LocalResponse(405, {"Content-Type": "application/json", "Allow": ", ".join(allowed)}, body)

    def _match(self, method: str, segments: Sequence[str]) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            parameters = _bind(route.path, segments) if route.method == method else None
            if parameters is not None:
                return route, parameters
        return None

    def _authorize(self, event: dict[str, Any], method: str, path: str) -> dict[str, Any] | LocalResponse:
        request_id = event["requestContext"]["requestId"]
        method_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}{path}"
        authorizer_event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            **{name: event[name] for name in ("resource", "path", "httpMethod", "headers", "multiValueHeaders")},
            **{name: event[name] for name in ("queryStringParameters", "pathParameters", "requestContext")},
        }
        try:
            policy = _invoke(AUTHORIZER_HANDLER, authorizer_event, "authorizer")
        except Exception as error:
            if str(error) == "Unauthorized":
                return _gateway_error("UNAUTHORIZED", request_id)
            return _gateway_error("DEFAULT_5XX", request_id)
        if not _allows(policy.get("policyDocument", {}), method_arn):
            return _gateway_error("ACCESS_DENIED", request_id)
        return {**policy.get("context", {}), "principalId": policy.get("principalId")}


def _allows(policy: Mapping[str, Any], method_arn: str) -> bool:
    """IAM evaluation for execute-api: an explicit Deny wins, else some Allow must match."""
    allowed = False
    for statement in policy.get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(method_arn, resource) for resource in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def proxy_event(
    route: Route,
    *,
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    path_parameters: dict[str, str],
    request_id: str,
    source_ip: str,
) -> dict[str, Any]:
    """The REST API proxy event API Gateway sends a function for this request.

    ``path`` is the path as sent (percent-encoded), ``path_parameters`` its decoded segments."""
    multi_headers: dict[str, list[str]] = {}
    # What API Gateway adds: the scheme the client called with (plain http here).
    for name, value in [*headers, ("X-Forwarded-Proto", "http")]:
        multi_headers.setdefault(name, []).append(value)
    host = next((value for name, value in headers if name.lower() == "host"), "localhost")
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    try:
        text, encoded = body.decode(), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "stage": STAGE,
            "requestId": request_id,
            "domainName": host,  # the host the client called (API Gateway's own name, or a custom domain)
            "resourcePath": route.path,
            "httpMethod": method,
            "path": path,  # as the client called it: the local server has no stage in its URLs
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip},
        },
        "body": text if body else None,
        "isBase64Encoded": encoded,
    }


def _from_proxy_result(result: Mapping[str, Any]) -> LocalResponse:
    headers = {name: str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(str(value) for value in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return LocalResponse(int(result["statusCode"]), headers, body)


def _gateway_error(response_type: str, request_id: str) -> LocalResponse:
    response = BY_TYPE[response_type]
    body = to_json(error_body(response.message, response.code, request_id)).encode()
    return LocalResponse(response.status, {"Content-Type": "application/json"}, body)
