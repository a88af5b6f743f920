"""Every ``code`` an error envelope can carry: its HTTP status and what it means to a client.

The one list: the OpenAPI build describes each route's codes from it, docs/errors.md is generated from
it, and a test fails when code raised anywhere in shared/ or functions/ (or answered by API Gateway or
the local server) is missing here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    code: str
    statuses: tuple[int, ...]  # most codes have one; internal_error is API Gateway's 502 too
    meaning: str
    answered_by: str = "API"  # "API Gateway" for the gateway's own answers, "local server" for make dev's


ERROR_CODES: tuple[ErrorCode, ...] = (
    ErrorCode(
        "validation_error",
        (400,),
        "A body, query or path value is invalid; `details` names each field and its problem (`missing`, "
        "`extra_forbidden`, `int_type`, `length_mismatch`, `duplicate`, `unknown_criterion`, …)",
    ),
    ErrorCode("invalid_encoding", (400,), "The body is not UTF-8 text"),
    ErrorCode("too_deep", (400,), "The body's JSON nests deeper than 32 levels"),
    ErrorCode("number_too_long", (400,), "A number in the body has more than 1,000 digits"),
    ErrorCode(
        "event_out_of_range",
        (400,),
        "An event's `at` is before the session started or ahead of the API's clock (beyond a minute of skew)",
    ),
    ErrorCode("issue_not_found", (400,), "`issueId` names no issue of the catalog"),
    ErrorCode("rubric_not_found", (400,), "`rubricId` in the body names no active rubric of the organisation"),
    ErrorCode("url_not_allowed", (400,), "A webhook URL that is not https, or whose host is not public"),
    ErrorCode("invalid_idempotency_key", (400,), "`Idempotency-Key` is empty or longer than 255 characters"),
    ErrorCode("bad_request", (400,), "The request could not be handled (malformed)", "API Gateway"),
    ErrorCode("unauthorized", (401,), "No credential, an invalid one, or the wrong kind for the route"),
    ErrorCode("invalid_key", (401,), "The candidate key is unknown"),
    ErrorCode("forbidden", (403,), "The authorizer denied this route to the credential", "API Gateway"),
    ErrorCode("request_blocked", (403,), "The firewall's managed rules refused the request", "API Gateway"),
    ErrorCode("key_revoked", (403,), "The candidate's key was revoked (a session in progress ends with it)"),
    ErrorCode("key_expired", (403,), "The key was not redeemed before its `expiresAt`"),
    ErrorCode("assessment_deleted", (403,), "The key's assessment was deleted before the session started"),
    ErrorCode(
        "not_found",
        (404,),
        "No such resource (another organisation's, a deleted one, another candidate's session), or no such route",
    ),
    ErrorCode(
        "method_not_allowed",
        (405,),
        "The path does not take this method (`Allow` lists those it does; API Gateway answers 404 `not_found`)",
        "local server",
    ),
    ErrorCode("conflict", (409,), "The item changed while it was being written: read again and retry"),
    ErrorCode("write_conflict", (409,), "The session changed while its events were being stored: retry"),
    ErrorCode("key_changed", (409,), "The key was revoked or used while the session was starting"),
    ErrorCode("session_completed", (409,), "The key's session is already completed"),
    ErrorCode("deadline_passed", (409,), "The session's deadline, plus 60 s of grace, has passed"),
    ErrorCode(
        "session_finished",
        (409,),
        "The session has finished: its key cannot be revoked (results are kept), nor can it take events or "
        "more time (nor can an erased candidate's)",
    ),
    ErrorCode("no_deadline", (409,), "Extending a session without a time limit: there is no deadline to move"),
    ErrorCode("no_email", (409,), "Sending again the invitation of a key issued to no email address"),
    ErrorCode("key_not_pending", (409,), "Sending again the invitation of a key already used or expired"),
    ErrorCode("invite_queued", (409,), "Sending again an invitation while an email for the key is on its way"),
    ErrorCode(
        "precondition_failed",
        (412,),
        "The assessment changed since the version `If-Match` names: read it again (its `ETag`) and retry",
    ),
    ErrorCode("event_limit_reached", (409,), "The session holds as many events as a session may (50,000)"),
    ErrorCode("session_not_finished", (409,), "Scoring a session still in progress, or revoked"),
    ErrorCode("no_rubric", (409,), "Scoring a session whose assessment has no rubric"),
    ErrorCode("rubric_in_use", (409,), "Deleting a rubric an active assessment links"),
    ErrorCode("too_many_webhooks", (409,), "The organisation already has 25 webhooks"),
    ErrorCode("webhook_disabled", (409,), "Pinging a webhook that was deleted or disabled"),
    ErrorCode("idempotency_key_in_progress", (409,), "The first request with this `Idempotency-Key` still runs"),
    ErrorCode(
        "payload_too_large",
        (413,),
        "The body is larger than the route takes (see each route's limit; over 10 MB, API Gateway's own 413)",
    ),
    ErrorCode("event_too_large", (413,), "An event's `data` is over 32 KiB as JSON (the message names the event)"),
    ErrorCode("idempotency_key_reused", (422,), "This `Idempotency-Key` was used for a different request"),
    ErrorCode(
        "resend_limited",
        (429,),
        "A key's invitation was sent again 3 times in the last 24 hours: retry after `Retry-After` seconds",
    ),
    ErrorCode("throttled", (429,), "The stage's throttling, or the firewall's rate limit per address", "API Gateway"),
    ErrorCode("quota_exceeded", (429,), "A usage plan's quota is spent", "API Gateway"),
    ErrorCode(
        "internal_error",
        (500, 502),
        "A fault of ours, logged with the `requestId` and alarmed (502 when API Gateway saw a function fail)",
    ),
    ErrorCode(
        "unavailable",
        (503,),
        "A service the request needs timed out or throttled: retry after the `Retry-After` seconds",
    ),
    ErrorCode("request_timeout", (408,), "The request's body stopped arriving (30 s)", "local server"),
    ErrorCode("length_required", (411,), "The request body has no valid length", "local server"),
    ErrorCode("uri_too_long", (414,), "The request line is too long", "local server"),
    ErrorCode("headers_too_large", (431,), "The request headers are too large", "local server"),
    ErrorCode("not_implemented", (501,), "A transfer encoding other than chunked", "local server"),
    ErrorCode("http_version_not_supported", (505,), "An HTTP version other than 1.0 and 1.1", "local server"),
)

BY_CODE: dict[str, ErrorCode] = {error.code: error for error in ERROR_CODES}
