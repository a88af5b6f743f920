"""The route table: every endpoint of the API, read by the CDK stack, the local server,
the OpenAPI build and the tests. Adding an endpoint is one entry here plus one handler."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class Route:
    """One endpoint, served by the Lambda function in ``functions/<name>/handler.py``."""

    name: str
    method: str
    path: str  # API Gateway template, e.g. /v1/assessments/{assessment_id}
    auth: Auth
    summary: str
    # The DynamoDB actions the function issues, read from its handler, domain function and store
    # methods (a TransactWriteItems needs the actions of its items: Put, Update, Delete,
    # ConditionCheck); its role is granted exactly these, and none at all when empty.
    table_actions: tuple[str, ...]

    @property
    def writes(self) -> bool:
        """Whether the function changes the table (and so may meet a conflict)."""
        return not set(self.table_actions) <= {"dynamodb:GetItem", "dynamodb:Query"}

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
        "create_assessment",
        "POST",
        "/v1/assessments",
        Auth.REVIEWER,
        "Create an assessment",
        table_actions=("dynamodb:PutItem", "dynamodb:UpdateItem"),
    ),
    Route(
        "list_assessments",
        "GET",
        "/v1/assessments",
        Auth.REVIEWER,
        "List active assessments",
        table_actions=("dynamodb:Query",),
    ),
    Route(
        "get_assessment",
        "GET",
        "/v1/assessments/{assessment_id}",
        Auth.REVIEWER_OR_CANDIDATE,
        "Get one assessment",
        table_actions=("dynamodb:GetItem",),
    ),
    Route(
        "delete_assessment",
        "DELETE",
        "/v1/assessments/{assessment_id}",
        Auth.REVIEWER,
        "Soft-delete an assessment and deactivate its unused keys",
        table_actions=("dynamodb:GetItem", "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:UpdateItem"),
    ),
    Route(
        "generate_keys",
        "POST",
        "/v1/assessments/{assessment_id}/keys",
        Auth.REVIEWER,
        "Generate one-time candidate keys",
        table_actions=("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    ),
    Route(
        "list_keys",
        "GET",
        "/v1/assessments/{assessment_id}/keys",
        Auth.REVIEWER,
        "List an assessment's candidate keys",
        table_actions=("dynamodb:Query",),
    ),
    Route(
        "revoke_key",
        "DELETE",
        "/v1/assessments/{assessment_id}/keys/{key_id}",
        Auth.REVIEWER,
        "Revoke a candidate key",
        table_actions=("dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"),
    ),
    Route(
        "start_session",
        "POST",
        "/v1/sessions",
        Auth.CANDIDATE,
        "Redeem a key and start the session",
        table_actions=("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"),
    ),
    Route(
        "complete_session",
        "POST",
        "/v1/sessions/{session_id}/complete",
        Auth.CANDIDATE,
        "Complete the candidate's session",
        table_actions=("dynamodb:GetItem", "dynamodb:UpdateItem"),
    ),
    Route(
        "create_rubric",
        "POST",
        "/v1/rubrics",
        Auth.REVIEWER,
        "Create a scoring rubric",
        table_actions=("dynamodb:PutItem",),
    ),
    Route(
        "list_rubrics", "GET", "/v1/rubrics", Auth.REVIEWER, "List active rubrics", table_actions=("dynamodb:Query",)
    ),
    Route(
        "get_rubric",
        "GET",
        "/v1/rubrics/{rubric_id}",
        Auth.REVIEWER,
        "Get one rubric",
        table_actions=("dynamodb:GetItem",),
    ),
    Route(
        "delete_rubric",
        "DELETE",
        "/v1/rubrics/{rubric_id}",
        Auth.REVIEWER,
        "Delete a rubric no active assessment links",
        table_actions=("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem"),
    ),
    Route("list_issues", "GET", "/v1/issues", Auth.REVIEWER, "List curated OSS issues", table_actions=()),
    Route("get_issue", "GET", "/v1/issues/{issue_id}", Auth.REVIEWER, "Get one OSS issue", table_actions=()),
)

_BY_NAME = {route.name: route for route in ROUTES}


_BY_METHOD_AND_PATH = {(route.method, route.path): route for route in ROUTES}


def route(name: str) -> Route:
    """The route served by the function called ``name``."""
    return _BY_NAME[name]


def find_route(method: str, path: str) -> Route | None:
    """The route with this method and path template (API Gateway's ``resource``), if any."""
    return _BY_METHOD_AND_PATH.get((method, path))
