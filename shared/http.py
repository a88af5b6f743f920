"""The HTTP edge every function shares: resolver factory, error envelope, caller identity."""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import json
import re
import typing
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared import cors
from shared.auth import Candidate, Integration, Principal, Reviewer, principal_from_context
from shared.errors import (
    ConflictError,
    DomainError,
    FieldProblem,
    ForbiddenError,
    GoneError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    RateLimitedError,
    UnauthorizedError,
    UnavailableError,
    UnprocessableError,
)
from shared.observability import DEPENDENCY_UNAVAILABLE, capture_lambda_handler, loaded, logger, metrics
from shared.routes import DEFAULT_BODY_BYTES, Auth, Route, route

MAX_BODY_BYTES = DEFAULT_BODY_BYTES  # the limit of most routes (Route.max_body_bytes says otherwise)

_STATUS_BY_ERROR: dict[type[DomainError], HTTPStatus] = {
    InvalidInputError: HTTPStatus.BAD_REQUEST,
    UnauthorizedError: HTTPStatus.UNAUTHORIZED,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    NotFoundError: HTTPStatus.NOT_FOUND,
    PayloadTooLargeError: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    ConflictError: HTTPStatus.CONFLICT,
    GoneError: HTTPStatus.GONE,
    PreconditionFailedError: HTTPStatus.PRECONDITION_FAILED,
    UnprocessableError: HTTPStatus.UNPROCESSABLE_ENTITY,
    RateLimitedError: HTTPStatus.TOO_MANY_REQUESTS,
    UnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
}

# What pydantic reports when the body is missing, null or not an object at all.
_NOT_AN_OBJECT = frozenset({"missing", "model_attributes_type", "model_type", "dict_type"})

if TYPE_CHECKING:
    from shared.domain.audit import AuditContext

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def error_body(
    message: str, code: str, request_id: str, problems: Sequence[FieldProblem] = (), *, for_ats: bool = False
) -> dict[str, Any]:
    """The error envelope of every non-2xx answer, the API Gateway's own ones included. An ATS's routes
    repeat the message as ``message``, the field Ashby shows its user."""
    body: dict[str, Any] = {"error": message, "code": code, "requestId": request_id}
    if problems:
        body["details"] = [
            {"path": list(problem.path), "code": problem.code, "message": problem.message} for problem in problems
        ]
    if for_ats:
        body["message"] = message
    return body


def error_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A proxy-integration response carrying an error envelope."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": to_json(body),
    }


def to_json(value: Any) -> str:
    """Compact JSON, UTF-8 kept as is (smaller than \\u escapes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Problems a client must tell apart from other invalid input: alone, each is the error's code too.
ERROR_CODE_PROBLEMS = frozenset({"url_not_allowed"})


def _problems_from_validation(errors: Sequence[Any], union_tags: frozenset[str]) -> list[FieldProblem]:
    problems = []
    for error in errors:
        location = tuple(error.get("loc", ()))
        # Drop where the value came from (body, query, path): the field names say enough.
        path = location[1:] if location and location[0] in ("body", "query", "path") else location
        # Pydantic names the variant of a tagged union it tried (events.0.test_run.data): the document's
        # path to the field has no such step (events.0.data).
        path = tuple(
            part
            for index, part in enumerate(path)
            if not (part in union_tags and index > 0 and isinstance(path[index - 1], int))
        )
        problems.append(FieldProblem(path, str(error.get("type", "invalid")), str(error.get("msg", ""))))
    return problems


@functools.cache
def _union_tags(model: type[BaseModel] | None) -> frozenset[str]:
    """The tags of every tagged union in ``model`` (the names its variants are told apart by), from its
    JSON schema: built when a request first fails validation, then kept."""
    tags: set[str] = set()
    pending: list[Any] = [model.model_json_schema()] if model is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            tags.update(node.get("discriminator", {}).get("mapping", {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return frozenset(tags)


def _body_model(function: Callable[..., Any]) -> type[BaseModel] | None:
    """The request model of an endpoint's ``body`` parameter, if it has one."""
    hint = typing.get_type_hints(function, include_extras=True).get("body")
    candidates = [hint, *typing.get_args(hint)]
    while candidates:
        candidate = candidates.pop()
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        candidates.extend(typing.get_args(candidate))
    return None


class RouteResolver(APIGatewayRestResolver):
    """The resolver of one function: it serves exactly one route of the table, whose ``auth`` the
    Lambda entry point enforces before anything else runs."""

    def __init__(self, served: Route) -> None:
        super().__init__(enable_validation=True, serializer=to_json, cors=cors.RouteCors())
        self.served = served
        self.query_names: frozenset[str] = frozenset()
        self.replayed: Callable[[Any], BaseModel] | None = None
        self.body_model: type[BaseModel] | None = None
        # Fields of a JSON answer shown once (a share link's URL): what an Idempotency-Key keeps of the
        # answer, and so a replay, holds null in their place.
        self.shown_once: frozenset[str] = frozenset()

    def endpoint(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``function`` as the handler of the served route (its method, path, summary and status);
        its parameters that are neither in the path nor the body are the only query parameters it takes."""
        served = self.served
        path_names = set(re.findall(r"\{(\w+)\}", served.path))
        self.query_names = frozenset(inspect.signature(function).parameters) - path_names - {"body"}
        self.body_model = _body_model(function)
        register = self.route(
            served.resolver_path, method=served.method, summary=served.summary, status_code=served.status
        )
        return register(function)

    def on_replay(self, function: Callable[[Any], BaseModel]) -> Callable[[Any], BaseModel]:
        """Register how an ``Idempotency-Key`` replay of this route reads: given the first answer's body
        (as JSON), the same resources as they are now, or the error a new request would meet. Routes
        whose answer carries a candidate's data have one, so a replay never shows what was erased or
        revoked since; the others replay the first answer as it was."""
        self.replayed = function
        return function

    def created(self, body: Any, resource_path: str) -> Response[Any]:
        """A 201 with ``body`` and ``Location``: the new resource's path as the client addresses the API
        (behind the stage's name on API Gateway's own domain)."""
        return Response(
            status_code=HTTPStatus.CREATED,
            content_type=content_types.APPLICATION_JSON,
            body=body,
            headers={"Location": self._base_path() + resource_path},
        )

    def api_url(self) -> str:
        """The API's base URL as the client called it: its scheme, host and stage (``https://…/prod``)."""
        event = self.current_event
        scheme = "http" if event.headers.get("X-Forwarded-Proto") == "http" else "https"  # API Gateway: https
        host = event.request_context.domain_name or event.headers.get("Host", "")
        return f"{scheme}://{host}{self._base_path()}"

    def _base_path(self) -> str:
        """What comes before the route's path in the URL the client called (``/prod``, or nothing)."""
        called = str(self.current_event.request_context.path or "")
        path = self.current_event.path
        return called[: -len(path)] if path and called.endswith(path) else ""

    def json_text(self, body: Any) -> str:
        """A response body as the JSON text the client receives."""
        return body if isinstance(body, str) else to_json(body)

    def caller(self) -> Principal:
        """Who is calling, as the authorizer proved it."""
        return principal_from_context(self.current_event.request_context.authorizer.get_context())

    def reviewer(self) -> Reviewer:
        """The calling reviewer (the entry point admitted only reviewers to a reviewer route)."""
        caller = self.caller()
        if not isinstance(caller, Reviewer):
            raise UnauthorizedError("This route needs an organisation's API token")
        return caller

    def audit_context(self) -> AuditContext:
        """What the audit record of a change this caller asks for names: a reviewer's token, or the integration
        an ATS calls with; and this request."""
        # Only the routes that change something load the audit log's code.
        from shared.domain.audit import Actor, AuditContext  # noqa: PLC0415

        caller = self.caller()
        if isinstance(caller, Integration):
            actor = Actor("integration", caller.integration_id, f"{caller.kind} integration")
        else:
            reviewer = self.reviewer()
            actor = Actor("token", reviewer.token_id, reviewer.token_name)
        return AuditContext(actor, str(self.current_event.request_context.request_id))

    def candidate(self) -> Candidate:
        """The calling candidate (the entry point admitted only candidates to a candidate route)."""
        caller = self.caller()
        if not isinstance(caller, Candidate):
            raise UnauthorizedError("This route needs a candidate key (X-API-Key)")
        return caller

    def integration(self, kind: str) -> Integration:
        """The calling ATS, which must be a ``kind`` integration: another's key is refused here as an
        unknown one would be (the entry point admitted only integrations to an ATS route)."""
        caller = self.caller()
        if not isinstance(caller, Integration) or caller.kind != kind:
            raise UnauthorizedError(f"This route needs a {kind.title()} integration's key (HTTP Basic)")
        return caller


def make_resolver(module_name: str) -> RouteResolver:
    """The resolver of the function in ``functions/<route name>/handler.py`` (pass ``__name__``),
    with request validation and every error mapped to the envelope."""
    app = RouteResolver(route(module_name.split(".")[-2]))
    for_ats = app.served.auth is Auth.INTEGRATION
    if app.served.idempotent:
        # Only the POST routes load Powertools' idempotency utility (and jmespath) at cold start.
        from shared.idempotency import idempotency_middleware  # noqa: PLC0415

        app.use([idempotency_middleware])

    def request_id() -> str:
        return str(app.current_event.request_context.request_id)

    def respond(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[str]:
        return Response(
            status_code=status, content_type=content_types.APPLICATION_JSON, body=to_json(body), headers=headers
        )

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def invalid_request(error: RequestValidationError) -> Response[str]:
        problems = _problems_from_validation(error.errors(), _union_tags(app.body_model))
        if problems and problems[0].code == "json_invalid":
            problems = [FieldProblem((), "json_invalid", "the body is not valid JSON")]
        elif problems and problems[0].path == () and problems[0].code in _NOT_AN_OBJECT:
            problems = [FieldProblem((), "object_type", "the body must be a JSON object")]
        first = problems[0] if problems else FieldProblem((), "invalid", "invalid request")
        where = ".".join(str(part) for part in first.path) or "body"
        message = f"{where}: {first.message}"
        code = first.code if len(problems) == 1 and first.code in ERROR_CODE_PROBLEMS else "validation_error"
        return respond(HTTPStatus.BAD_REQUEST, error_body(message, code, request_id(), problems, for_ats=for_ats))

    @app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
    def domain_error(error: DomainError) -> Response[str]:
        status = next(status for kind, status in _STATUS_BY_ERROR.items() if isinstance(error, kind))
        problems = error.problems if isinstance(error, InvalidInputError) else []
        headers = None
        if isinstance(error, UnavailableError):
            logger.warning("Dependency unavailable", extra={"reason": error.message}, exc_info=error)
            metrics.add_metric(name=DEPENDENCY_UNAVAILABLE, unit=MetricUnit.Count, value=1)
        if isinstance(error, UnavailableError | RateLimitedError):
            headers = {"Retry-After": str(error.retry_after_seconds)}
        return respond(status, error_body(error.message, error.code, request_id(), problems, for_ats=for_ats), headers)

    @app.not_found
    def route_not_found(_: Exception) -> Response[str]:
        return respond(HTTPStatus.NOT_FOUND, error_body("No such route", "not_found", request_id(), for_ats=for_ats))

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(_: Exception) -> Response[str]:
        logger.exception("Unhandled error")
        metrics.add_metric(name="UnhandledError", unit=MetricUnit.Count, value=1)
        return respond(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            error_body("Internal server error", "internal_error", request_id(), for_ats=for_ats),
        )

    return app


def lambda_handler(app: RouteResolver) -> LambdaHandler:
    """The Lambda entry point for ``app``: logging, tracing, metrics, who may call, and the body checks."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = _answer(app, event, context)
        _log_refusal(event, response)
        if app.served.auth is Auth.INTEGRATION:
            _log_ats_call(app.served, event, response)
        return response

    loaded()  # the last line of a route's module builds its entry point
    return handler


def _answer(app: RouteResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_id = str(event.get("requestContext", {}).get("requestId", ""))
    refusal = _refuse_caller(app.served, event, request_id) or _refuse_unknown_query(app, event, request_id)
    if refusal is not None:
        return _with_cors(event, refusal)
    if event.get("body"):
        try:
            event["body"], event["isBase64Encoded"] = _safe_json_text(event, app.served.max_body_bytes), False
        except (InvalidInputError, PayloadTooLargeError) as error:
            problems = error.problems if isinstance(error, InvalidInputError) else []
            body = error_body(
                error.message, error.code, request_id, problems, for_ats=app.served.auth is Auth.INTEGRATION
            )
            return _with_cors(event, error_response(_STATUS_BY_ERROR[type(error)], body))
        _treat_body_as_json(event)
    return app.resolve(event, context)


def _log_refusal(event: dict[str, Any], response: dict[str, Any]) -> None:
    """A caller's mistake is worth one INFO line (it trips no 5xx alarm): the status, the code, and the
    organisation, whoever refused it (the entry checks, validation or the domain)."""
    status = int(response.get("statusCode", 200))
    if not 400 <= status < 500:
        return
    try:
        code = json.loads(response.get("body") or "{}").get("code")
    except ValueError:
        code = None
    context = event.get("requestContext", {}).get("authorizer") or {}
    logger.info("Refused", extra={"status": status, "code": code, "org_id": context.get("orgId")})


def _log_ats_call(served: Route, event: dict[str, Any], response: dict[str, Any]) -> None:
    """Every call from an ATS is one INFO line: which integration, which route, what it was answered (the
    request id is the line's correlation id). Never the body: it names the candidate."""
    context = event.get("requestContext", {}).get("authorizer") or {}
    logger.info(
        "ATS call",
        extra={
            "route": served.name,
            "status": int(response.get("statusCode", 200)),
            "org_id": context.get("orgId"),
            "integration_id": context.get("integrationId"),
            "integration_kind": context.get("integrationKind"),
        },
    )


def _with_cors(event: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """A refusal made before the resolver runs, with the CORS headers the resolver would have added."""
    response["headers"].update(cors.response_headers(cors.request_origin(event.get("headers"))))
    return response


MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 1_000

# What a scan of JSON text needs: whole strings (skipped, so what they hold never counts; an
# unterminated one runs to the end, so the scan never backtracks), brackets, and overlong digit runs.
_JSON_TOKENS = rf'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{{}}]|(?<![0-9])[0-9]{{{MAX_NUMBER_DIGITS + 1},}}'


def _safe_json_text(event: dict[str, Any], max_bytes: int) -> str:
    """The body as text Python's JSON parser can take without failing, else the error to answer.

    That parser recurses once per nesting level and converts long integers in quadratic time
    (refusing them past 4,300 digits), so nesting and digits are bounded first, in one linear scan."""
    text = _body_text(event, max_bytes)
    depth = 0
    for match in re.finditer(_JSON_TOKENS, text, re.DOTALL):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _body_error("too_deep", f"the body nests deeper than {MAX_JSON_DEPTH} levels")
        elif token in ("]", "}"):
            depth -= 1
        elif token[0] != '"':
            raise _body_error("number_too_long", f"a number in the body has more than {MAX_NUMBER_DIGITS} digits")
    return text


def _body_text(event: dict[str, Any], max_bytes: int) -> str:
    """The body as sent, base64 undone: UTF-8 text of at most ``max_bytes`` (the route's limit)."""
    body: str = event["body"]
    try:
        data = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode()
        text = data.decode()
    except (binascii.Error, UnicodeError):
        raise _body_error("invalid_encoding", "the body is not UTF-8 text") from None
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"The request body is larger than {max_bytes // 1024} KiB")
    return text


def _body_error(code: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"body: {message}", [FieldProblem((), code, message)], code=code)


def _treat_body_as_json(event: dict[str, Any]) -> None:
    """The API speaks JSON only: parse any body as JSON, whatever Content-Type claims (curl's
    ``-d`` says form-urlencoded), so a wrong header still gets a clear JSON error, never a form."""
    for name in [name for name in event.get("headers") or {} if name.lower() == "content-type"]:
        del event["headers"][name]
    for name in [name for name in event.get("multiValueHeaders") or {} if name.lower() == "content-type"]:
        del event["multiValueHeaders"][name]


def _refuse_unknown_query(app: RouteResolver, event: dict[str, Any], request_id: str) -> dict[str, Any] | None:
    """The 400 for query parameters the route does not take (as for unknown body fields), or None."""
    given = event.get("multiValueQueryStringParameters") or event.get("queryStringParameters") or {}
    unknown = sorted(set(given) - app.query_names)
    if not unknown:
        return None
    problems = [
        FieldProblem((name,), "extra_forbidden", "this route takes no such query parameter") for name in unknown
    ]
    message = f"{unknown[0]}: {problems[0].message}"
    body = error_body(message, "validation_error", request_id, problems, for_ats=app.served.auth is Auth.INTEGRATION)
    return error_response(HTTPStatus.BAD_REQUEST, body)


def _refuse_caller(served: Route, event: dict[str, Any], request_id: str) -> dict[str, Any] | None:
    """The 401 for a caller the route does not admit (``Route.auth``), or None. API Gateway's
    authorizer already proved the credential; this says whether that kind of caller may use the route."""
    try:
        caller = principal_from_context(event.get("requestContext", {}).get("authorizer") or {})
    except UnauthorizedError:
        caller = None
    if served.auth.admits(caller):
        return None
    message = {
        Auth.CANDIDATE: "This route needs a candidate key (X-API-Key)",
        Auth.INTEGRATION: "This route needs an integration's key (HTTP Basic)",
    }.get(served.auth, "This route needs an organisation's API token")
    body = error_body(message, "unauthorized", request_id, for_ats=served.auth is Auth.INTEGRATION)
    return error_response(HTTPStatus.UNAUTHORIZED, body)
