"""The route table: every endpoint of the API, read by the CDK stack, the local server,
the OpenAPI build and the tests. Adding an endpoint is one entry here plus one handler."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

from shared.auth import Integration, Principal, Reviewer


class Auth(StrEnum):
    """Who may call a route, as the Lambda authorizer establishes it."""

    REVIEWER = "reviewer"  # Authorization: Bearer psk_live_…
    CANDIDATE = "candidate"  # X-API-Key: PST-XXXX-XXXX
    REVIEWER_OR_CANDIDATE = "reviewer_or_candidate"
    INTEGRATION = "integration"  # Authorization: Basic base64(psi_live_…:), on the /v1/ats/ routes only
    PUBLIC = "public"  # no credential and no authorizer: the API's description of itself, a shared report

    @property
    def needs_authorizer(self) -> bool:
        """Whether API Gateway runs the Lambda authorizer before the function."""
        return self is not Auth.PUBLIC

    @property
    def identity_header(self) -> str | None:
        """The header API Gateway requires (and caches the authorizer's verdict under) on such routes;
        none where either credential will do, as API Gateway would refuse a call carrying the other."""
        return {Auth.REVIEWER: "Authorization", Auth.CANDIDATE: "X-API-Key", Auth.INTEGRATION: "Authorization"}.get(
            self
        )

    def admits(self, caller: Principal | None) -> bool:
        """Whether this kind of caller (None: no credential) may use a route with this auth."""
        if self is Auth.PUBLIC:
            return True
        if caller is None:
            return False
        if isinstance(caller, Integration) or self is Auth.INTEGRATION:
            return isinstance(caller, Integration) and self is Auth.INTEGRATION
        if isinstance(caller, Reviewer):
            return self is not Auth.CANDIDATE
        return self is not Auth.REVIEWER


# The request body a route accepts unless it says otherwise (API Gateway's own ceiling is 10 MB).
DEFAULT_BODY_BYTES = 64 * 1024

# What a function may do with the stack's secrets key (an ATS's credentials and report links, encrypted).
ENCRYPT, DECRYPT = "kms:Encrypt", "kms:Decrypt"

# The DynamoDB actions a function may be granted, by what its code issues.
GET, BATCH_GET, QUERY, PUT, UPDATE, DELETE, CHECK = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
)


class Route(NamedTuple):
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
    status: int = 200  # of a success; the handler may answer another (start_session: 200 on resume)
    max_body_bytes: int = DEFAULT_BODY_BYTES  # larger bodies are refused with 413 before the handler runs
    # The function queues webhook deliveries itself: it is told the delivery queue and may send to it.
    enqueues_webhooks: bool = False
    # Where its role may touch the table, by partition key prefix (all of it when empty): a public route's
    # function cannot read credentials (tokens, key codes, webhook secrets) whatever it is asked.
    table_partition_prefixes: tuple[str, ...] = ()
    # What it does with the secrets key (ENCRYPT, DECRYPT): it is told the key and granted exactly these.
    secret_actions: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether the function changes the table (and so may meet a conflict)."""
        return not set(self.table_actions) <= {GET, BATCH_GET, QUERY}

    @property
    def idempotent(self) -> bool:
        """Whether the route honours ``Idempotency-Key``: every POST does, keeping its records in the
        table (so its ``table_actions`` include Put, Update and Delete for them)."""
        return self.method == "POST"

    @property
    def resolver_path(self) -> str:
        """The path in Powertools' notation (``<param>`` instead of ``{param}``)."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def handler(self) -> str:
        """The Lambda ``Handler`` string, relative to the code asset root."""
        return f"functions.{self.name}.handler.handler"


AUTHORIZER_HANDLER = "functions.authorizer.handler.handler"
OPENAPI_PATH = "/v1/openapi.json"

_ASSESSMENT = "/v1/assessments/{assessment_id}"
_SESSION = "/v1/sessions/{session_id}"
_WEBHOOK = "/v1/webhooks/{webhook_id}"
_INTEGRATION = "/v1/integrations/{integration_id}"
_GREENHOUSE = "/v1/ats/greenhouse"
_ASHBY = "/v1/ats/ashby"
_REVIEWER, _CANDIDATE, _EITHER = Auth.REVIEWER, Auth.CANDIDATE, Auth.REVIEWER_OR_CANDIDATE
_ATS = Auth.INTEGRATION

# Body limits: 64 KiB unless a route's largest schema-valid body, with every character sent as a JSON
# escape (12 bytes for one outside the BMP), needs more; events are capped at 256 KiB by design.
_KIB = 1024

ROUTES: tuple[Route, ...] = (
    Route(
        "create_assessment",
        "POST",
        "/v1/assessments",
        _REVIEWER,
        "Create an assessment",
        (GET, PUT, UPDATE, DELETE),
        201,
        max_body_bytes=512 * _KIB,
    ),
    Route("list_assessments", "GET", "/v1/assessments", _REVIEWER, "List active assessments", (QUERY,)),
    Route("get_assessment", "GET", _ASSESSMENT, _EITHER, "Get one assessment", (GET,)),
    Route(
        "update_assessment",
        "PATCH",
        _ASSESSMENT,
        _REVIEWER,
        "Edit an assessment with a JSON merge patch",
        (GET, PUT, UPDATE),
        max_body_bytes=512 * _KIB,
    ),
    Route(
        "delete_assessment",
        "DELETE",
        _ASSESSMENT,
        _REVIEWER,
        "Soft-delete an assessment and deactivate its unused keys",
        (GET, QUERY, PUT, UPDATE, DELETE),
    ),
    Route(
        "generate_keys",
        "POST",
        f"{_ASSESSMENT}/keys",
        _REVIEWER,
        "Generate one-time candidate keys",
        (GET, BATCH_GET, PUT, UPDATE, DELETE),
        201,
        max_body_bytes=512 * _KIB,
    ),
    Route("list_keys", "GET", f"{_ASSESSMENT}/keys", _REVIEWER, "List an assessment's candidate keys", (QUERY,)),
    Route(
        "revoke_key",
        "DELETE",
        f"{_ASSESSMENT}/keys/{{key_id}}",
        _REVIEWER,
        "Revoke a candidate key; a session in progress ends as revoked",
        (GET, PUT, UPDATE, CHECK),
    ),
    Route(
        "resend_invitation",
        "POST",
        f"{_ASSESSMENT}/keys/{{key_id}}/resend",
        _REVIEWER,
        "Email an unused key's invitation again (at most 3 times a day)",
        (GET, PUT, UPDATE, DELETE, CHECK),
        202,
    ),
    Route(
        "list_sessions",
        "GET",
        f"{_ASSESSMENT}/sessions",
        _REVIEWER,
        "List an assessment's sessions in start order, deleted assessment or not",
        (QUERY,),
    ),
    Route(
        "start_session",
        "POST",
        "/v1/sessions",
        _CANDIDATE,
        "Redeem a key and start the session",
        (GET, PUT, UPDATE, DELETE, CHECK),
        201,
    ),
    Route(
        "get_session",
        "GET",
        _SESSION,
        _EITHER,
        "Get a session: any of the organisation's, or the candidate's own",
        (GET,),
    ),
    Route(
        "complete_session",
        "POST",
        f"{_SESSION}/complete",
        _CANDIDATE,
        "Complete the candidate's session, with what they hand in",
        (GET, PUT, UPDATE, DELETE),
        max_body_bytes=256 * _KIB,
    ),
    Route(
        "extend_session",
        "POST",
        f"{_SESSION}/extend",
        _REVIEWER,
        "Give a running session more time: its deadline moves",
        (GET, PUT, UPDATE, DELETE),
    ),
    Route(
        "score_session",
        "PUT",
        f"{_SESSION}/score",
        _REVIEWER,
        "Score a finished session against its assessment's rubric",
        (GET, PUT, UPDATE),
        max_body_bytes=256 * _KIB,
    ),
    Route(
        "ingest_events",
        "POST",
        f"{_SESSION}/events",
        _CANDIDATE,
        "Record what the candidate's tools captured, each event once",
        (GET, PUT, UPDATE, DELETE),
        max_body_bytes=256 * _KIB,
    ),
    Route(
        "get_timeline",
        "GET",
        f"{_SESSION}/timeline",
        _REVIEWER,
        "Read a session's events in time order, or those of one type",
        (GET, QUERY),
    ),
    Route(
        "get_report",
        "GET",
        f"{_SESSION}/report",
        _REVIEWER,
        "The session's report as one self-contained HTML page",
        (GET, QUERY),
    ),
    Route(
        "create_share",
        "POST",
        f"{_SESSION}/share",
        _REVIEWER,
        "Make a link that opens the session's report without a credential; its URL is shown once",
        (GET, PUT, UPDATE, DELETE),
        201,
    ),
    Route("list_shares", "GET", f"{_SESSION}/shares", _REVIEWER, "List the session's live share links", (GET, QUERY)),
    Route(
        "revoke_share",
        "DELETE",
        f"{_SESSION}/shares/{{share_id}}",
        _REVIEWER,
        "Revoke a share link at once",
        (GET, PUT, DELETE),
    ),
    Route(
        "get_shared_report",
        "GET",
        "/v1/reports/{token}",
        Auth.PUBLIC,
        "The report a share link opens, to anyone holding it",
        (GET, QUERY),
        # The share link, the session and its events, the assessment, and its sessions index (the cohort).
        table_partition_prefixes=("SHARE#", "SESSION#", "ORG#", "ASMT#"),
    ),
    Route(
        "get_assessment_stats",
        "GET",
        f"{_ASSESSMENT}/stats",
        _REVIEWER,
        "The spread of the signals over an assessment's completed sessions",
        (QUERY,),
    ),
    Route(
        "create_rubric",
        "POST",
        "/v1/rubrics",
        _REVIEWER,
        "Create a scoring rubric",
        (PUT, UPDATE, DELETE),
        201,
        max_body_bytes=1024 * _KIB,
    ),
    Route(
        "erase_candidate",
        "POST",
        "/v1/candidates/erase",
        _REVIEWER,
        "Erase a candidate's name, email, notes and timelines from the organisation's keys and sessions",
        (QUERY, PUT, UPDATE, DELETE),
    ),
    Route("list_rubrics", "GET", "/v1/rubrics", _REVIEWER, "List active rubrics", (QUERY,)),
    Route("get_rubric", "GET", "/v1/rubrics/{rubric_id}", _REVIEWER, "Get one rubric", (GET,)),
    Route(
        "delete_rubric",
        "DELETE",
        "/v1/rubrics/{rubric_id}",
        _REVIEWER,
        "Delete a rubric no active assessment links",
        (GET, PUT, DELETE),
    ),
    Route(
        "create_webhook",
        "POST",
        "/v1/webhooks",
        _REVIEWER,
        "Register an https endpoint for signed event deliveries; its secret is shown only here (and on a replay)",
        (GET, QUERY, PUT, UPDATE, DELETE),
        201,
    ),
    Route("list_webhooks", "GET", "/v1/webhooks", _REVIEWER, "List the organisation's webhooks", (QUERY,)),
    Route("get_webhook", "GET", _WEBHOOK, _REVIEWER, "Get one webhook", (GET,)),
    Route(
        "delete_webhook",
        "DELETE",
        _WEBHOOK,
        _REVIEWER,
        "Delete a webhook: deliveries stop, its delivery log stays readable",
        (GET, PUT, UPDATE),
    ),
    Route(
        "test_webhook",
        "POST",
        f"{_WEBHOOK}/test",
        _REVIEWER,
        "Queue a ping event to a webhook",
        (GET, PUT, UPDATE, DELETE),
        202,
        enqueues_webhooks=True,
    ),
    Route(
        "list_webhook_deliveries",
        "GET",
        f"{_WEBHOOK}/deliveries",
        _REVIEWER,
        "A webhook's delivery attempts of the last 30 days, newest first",
        (GET, QUERY),
    ),
    Route(
        "list_audit",
        "GET",
        "/v1/audit",
        _REVIEWER,
        "The organisation's audit log: who changed what, newest first",
        (QUERY,),
    ),
    Route(
        "create_integration",
        "POST",
        "/v1/integrations",
        _REVIEWER,
        "Connect an applicant tracking system (Greenhouse or Ashby); its API key is shown only here",
        (PUT, UPDATE, DELETE),
        201,
        secret_actions=(ENCRYPT,),
    ),
    Route("list_integrations", "GET", "/v1/integrations", _REVIEWER, "List the organisation's integrations", (QUERY,)),
    Route(
        "delete_integration",
        "DELETE",
        _INTEGRATION,
        _REVIEWER,
        "Disconnect an integration: its key is refused at once and calls back to its ATS stop",
        (GET, UPDATE, PUT),
    ),
    Route(
        "list_integration_deliveries",
        "GET",
        f"{_INTEGRATION}/deliveries",
        _REVIEWER,
        "An integration's calls back to its ATS of the last 30 days, newest first",
        (GET, QUERY),
    ),
    Route(
        "greenhouse_list_tests",
        "GET",
        f"{_GREENHOUSE}/list_tests",
        _ATS,
        "Greenhouse: the organisation's active assessments, as tests",
        (QUERY,),
    ),
    Route(
        "greenhouse_send_test",
        "POST",
        f"{_GREENHOUSE}/send_test",
        _ATS,
        "Greenhouse: invite a candidate with a key of their own (the same one again for the same email)",
        (GET, PUT, UPDATE, DELETE),
    ),
    Route(
        "greenhouse_test_status",
        "GET",
        f"{_GREENHOUSE}/test_status",
        _ATS,
        "Greenhouse: where a candidate's test stands, with the report link and score once complete",
        (GET, PUT, UPDATE),
        secret_actions=(ENCRYPT, DECRYPT),
    ),
    Route(
        "greenhouse_response_error",
        "POST",
        f"{_GREENHOUSE}/response_error",
        _ATS,
        "Greenhouse: an answer of ours it could not read, recorded on the interview",
        (GET, PUT, UPDATE, DELETE),
    ),
    Route(
        "ashby_list_assessments",
        "POST",
        f"{_ASHBY}/assessment.list",
        _ATS,
        "Ashby: the organisation's active assessments",
        (QUERY, PUT, UPDATE, DELETE),
    ),
    Route(
        "ashby_start_assessment",
        "POST",
        f"{_ASHBY}/assessment.start",
        _ATS,
        "Ashby: invite a candidate with a key of their own; 409 when they are already being assessed",
        (GET, PUT, UPDATE, DELETE),
    ),
    Route(
        "ashby_cancel_assessment",
        "POST",
        f"{_ASHBY}/assessment.cancel",
        _ATS,
        "Ashby: revoke the candidate's key; a session in progress ends as revoked",
        (GET, PUT, UPDATE, DELETE, CHECK),
    ),
    Route("list_issues", "GET", "/v1/issues", _REVIEWER, "List curated OSS issues", ()),
    Route("get_issue", "GET", "/v1/issues/{issue_id}", _REVIEWER, "Get one OSS issue", ()),
    Route("get_openapi", "GET", OPENAPI_PATH, Auth.PUBLIC, "This API's OpenAPI document", ()),
    Route("get_docs", "GET", "/v1/docs", Auth.PUBLIC, "This API's reference as a web page", ()),
)

_BY_NAME = {route.name: route for route in ROUTES}
_BY_METHOD_AND_PATH = {(route.method, route.path): route for route in ROUTES}


def route(name: str) -> Route:
    """The route served by the function called ``name``."""
    return _BY_NAME[name]


def find_route(method: str, path: str) -> Route | None:
    """The route with this method and path template (API Gateway's ``resource``), if any."""
    return _BY_METHOD_AND_PATH.get((method, path))
