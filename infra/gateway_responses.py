"""API Gateway's own answers (no function ran), rewritten to the project's error envelope.

The CDK stack installs these as Gateway Responses; the local server answers with the same bodies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayResponse:
    response_type: str  # API Gateway's ResponseType
    status: int
    code: str
    message: str


GATEWAY_RESPONSES: tuple[GatewayResponse, ...] = (
    GatewayResponse("UNAUTHORIZED", 401, "unauthorized", "Missing or invalid credentials"),
    GatewayResponse("ACCESS_DENIED", 403, "forbidden", "These credentials may not use this route"),
    GatewayResponse("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "No such route"),
    GatewayResponse("THROTTLED", 429, "throttled", "Too many requests; retry with backoff"),
    GatewayResponse("QUOTA_EXCEEDED", 429, "quota_exceeded", "Request quota exceeded"),
    GatewayResponse("REQUEST_TOO_LARGE", 413, "payload_too_large", "The request body is too large"),
    GatewayResponse("BAD_REQUEST_BODY", 400, "validation_error", "The request body is invalid"),
    GatewayResponse("BAD_REQUEST_PARAMETERS", 400, "validation_error", "The request parameters are invalid"),
    # A request the web ACL's managed rules blocked (its rate limit answers 429 itself).
    GatewayResponse("WAF_FILTERED", 403, "request_blocked", "The firewall refused this request"),
    GatewayResponse("DEFAULT_4XX", 400, "bad_request", "The request could not be handled"),
    # A function that fails is a 502 from API Gateway, which the DEFAULT_ types keep.
    GatewayResponse("DEFAULT_5XX", 502, "internal_error", "Internal server error"),
)

BY_TYPE = {response.response_type: response for response in GATEWAY_RESPONSES}
