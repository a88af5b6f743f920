"""The route table: every endpoint of the API, read by the CDK stack, the local server,
the OpenAPI build and the tests. Adding an endpoint is one entry here plus one handler."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.auth import Principal, Reviewer


class Auth(StrEnum):
    """Who may call a route, as the Lambda authorizer establishes it."""

    REVIEWER = "reviewer"  # Authorization: Bearer psk_live_…
    CANDIDATE = "candidate"  # X-API-Key: PST-XXXX-XXXX
    REVIEWER_OR_CANDIDATE = "reviewer_or_candidate"

    @property
    def identity_header(self) -> str | None:
        """The header API Gateway requires (and caches the authorizer's verdict under) on such routes;
        none where either credential will do, as API Gateway would refuse a call carrying the other."""
        return {Auth.REVIEWER: "Authorization", Auth.CANDIDATE: "X-API-Key"}.get(self)

    def admits(self, caller: Principal) -> bool:
        """Whether this kind of caller may use a route with this auth."""
        if isinstance(caller, Reviewer):
            return self is not Auth.CANDIDATE
        return self is not Auth.REVIEWER


@dataclass(frozen=True)
class Route:
    """One endpoint, served by the Lambda function in ``functions/<name>/handler.py``."""

    name: str
    method: str
    path: str  # API Gateway template, e.g. /v1/assessments/{assessment_id}
    auth: Auth
    summary: str
    writes: bool  # whether the function needs write access to the table
    status: int = 200  # of a success; the handler may answer another (start_session: 200 on resume)

    @property
    def resolver_path(self) -> str:
        """The path in Powertools' notation (``<param>`` instead of ``{param}``)."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def handler(self) -> str:
        """The Lambda ``Handler`` string, relative to the code asset root."""
        return f"functions.{self.name}.handler.handler"


AUTHORIZER_HANDLER = "functions.authorizer.handler.handler"

ROUTES: tuple[Route, ...] = (
    Route(
        "create_assessment", "POST", "/v1/assessments", Auth.REVIEWER, "Create an assessment", writes=True, status=201
    ),
    Route("list_assessments", "GET", "/v1/assessments", Auth.REVIEWER, "List active assessments", writes=False),
    Route(
        "get_assessment",
        "GET",
        "/v1/assessments/{assessment_id}",
        Auth.REVIEWER_OR_CANDIDATE,
        "Get one assessment",
        writes=False,
    ),
    Route(
        "delete_assessment",
        "DELETE",
        "/v1/assessments/{assessment_id}",
        Auth.REVIEWER,
        "Soft-delete an assessment and deactivate its unused keys",
        writes=True,
    ),
    Route(
        "generate_keys",
        "POST",
        "/v1/assessments/{assessment_id}/keys",
        Auth.REVIEWER,
        "Generate one-time candidate keys",
        writes=True,
        status=201,
    ),
    Route(
        "list_keys",
        "GET",
        "/v1/assessments/{assessment_id}/keys",
        Auth.REVIEWER,
        "List an assessment's candidate keys",
        writes=False,
    ),
    Route(
        "revoke_key",
        "DELETE",
        "/v1/assessments/{assessment_id}/keys/{key_id}",
        Auth.REVIEWER,
        "Revoke a candidate key",
        writes=True,
    ),
    Route(
        "start_session",
        "POST",
        "/v1/sessions",
        Auth.CANDIDATE,
        "Redeem a key and start the session",
        writes=True,
        status=201,
    ),
    Route(
        "get_session",
        "GET",
        "/v1/sessions/{session_id}",
        Auth.REVIEWER_OR_CANDIDATE,
        "Get a session: any of the organisation's, or the candidate's own",
        writes=False,
    ),
    Route(
        "complete_session",
        "POST",
        "/v1/sessions/{session_id}/complete",
        Auth.CANDIDATE,
        "Complete the candidate's session, with what they hand in",
        writes=True,
    ),
    Route(
        "list_sessions",
        "GET",
        "/v1/assessments/{assessment_id}/sessions",
        Auth.REVIEWER,
        "List an assessment's sessions in start order, deleted assessment or not",
        writes=False,
    ),
    Route(
        "score_session",
        "PUT",
        "/v1/sessions/{session_id}/score",
        Auth.REVIEWER,
        "Score a finished session against its assessment's rubric",
        writes=True,
    ),
    Route("create_rubric", "POST", "/v1/rubrics", Auth.REVIEWER, "Create a scoring rubric", writes=True, status=201),
    Route("list_rubrics", "GET", "/v1/rubrics", Auth.REVIEWER, "List active rubrics", writes=False),
    Route("get_rubric", "GET", "/v1/rubrics/{rubric_id}", Auth.REVIEWER, "Get one rubric", writes=False),
    Route(
        "delete_rubric",
        "DELETE",
        "/v1/rubrics/{rubric_id}",
        Auth.REVIEWER,
        "Delete a rubric no active assessment links",
        writes=True,
    ),
    Route("list_issues", "GET", "/v1/issues", Auth.REVIEWER, "List curated OSS issues", writes=False),
    Route("get_issue", "GET", "/v1/issues/{issue_id}", Auth.REVIEWER, "Get one OSS issue", writes=False),
)

_BY_NAME = {route.name: route for route in ROUTES}


_BY_METHOD_AND_PATH = {(route.method, route.path): route for route in ROUTES}


def route(name: str) -> Route:
    """The route served by the function called ``name``."""
    return _BY_NAME[name]


def find_route(method: str, path: str) -> Route | None:
    """The route with this method and path template (API Gateway's ``resource``), if any."""
    return _BY_METHOD_AND_PATH.get((method, path))
