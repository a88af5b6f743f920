"""Webhooks as the API accepts and returns them, and the attempts to deliver to them."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.models.common import NEXT_CURSOR_DESCRIPTION, URI_CHAR, ApiModel, RequestModel

# What a webhook may subscribe to; ``ping`` is sent on request only (POST /v1/webhooks/{id}/test).
WebhookEventType = Literal[
    "session.started",
    "session.completed",
    "session.scored",
    "assessment.deleted",
    "session.extended",
    "invitation.failed",
    "candidate.erased",
]
WEBHOOK_EVENT_TYPES: tuple[WebhookEventType, ...] = (
    "session.started",
    "session.completed",
    "session.scored",
    "assessment.deleted",
    "session.extended",
    "invitation.failed",
    "candidate.erased",
)
# What a webhook registered without ``events`` takes: v1's first four. The types added since reach only the
# webhooks that name them, so no receiver meets a type it was not written for.
DEFAULT_WEBHOOK_EVENT_TYPES = WEBHOOK_EVENT_TYPES[:4]
PING = "ping"

# An https URL naming its host by a DNS name (the last label starts with a letter, so no IPv4 address
# in any spelling matches, nor an IPv6 one), with an optional port (1 to 65535), a path and a query.
_PORT = r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_DNS_NAME = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]"
_PATH_AND_QUERY = rf"(?:/{URI_CHAR}*)*(?:\?(?:{URI_CHAR}|[/?])*)?"
WEBHOOK_URL_PATTERN = rf"^https://{_DNS_NAME}{_PORT}{_PATH_AND_QUERY}$"
# A receiver on this machine, over http or https: left to the domain, which takes it only where the
# local server allows loopback receivers.
_LOCAL_URL = rf"https?://(?:127\.0\.0\.1|localhost|\[::1\]){_PORT}{_PATH_AND_QUERY}"
_WEBHOOK_URL = WEBHOOK_URL_PATTERN.removesuffix("$") + r"\Z"


def _webhook_url(url: str) -> str:
    if re.fullmatch(_LOCAL_URL, url):
        return url
    if not re.search(_WEBHOOK_URL, url):
        raise PydanticCustomError("url_not_allowed", "must be an https URL naming its host (not an address)")
    return url


# Where this API calls out to (a webhook's endpoint, an ATS's callback): https naming a public host, checked
# again by the domain (what it resolves to) and at each call.
OutboundUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(_webhook_url),
    Field(json_schema_extra={"format": "uri", "pattern": WEBHOOK_URL_PATTERN}),
]


def _unique(events: list[WebhookEventType]) -> list[WebhookEventType]:
    if len(set(events)) != len(events):
        raise PydanticCustomError("unique", "must not name an event type twice")
    return events


class CreateWebhookRequest(RequestModel):
    """Body of `POST /v1/webhooks`."""

    url: Annotated[str, StringConstraints(max_length=2048), AfterValidator(_webhook_url)] = Field(
        description="Where events are POSTed: an `https` URL naming a public host. Any other URL, or one whose "
        "host resolves to a loopback, private, link-local, multicast or reserved address, is a 400 "
        "`url_not_allowed`. The host is checked again at each delivery (DNS can change), and redirects are "
        "not followed.",
        json_schema_extra={"format": "uri", "pattern": WEBHOOK_URL_PATTERN},
    )
    events: Annotated[
        list[WebhookEventType], Field(min_length=1, max_length=len(WEBHOOK_EVENT_TYPES)), AfterValidator(_unique)
    ] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_EVENT_TYPES),
        description="The event types to deliver, each once. Left out: `session.started`, `session.completed`, "
        "`session.scored` and `assessment.deleted` (the others, added since, are delivered only to webhooks that "
        "name them).",
        json_schema_extra={"uniqueItems": True},
    )
    description: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="What the endpoint is, for the people reading this list."
    )
    share_reports: bool = Field(
        False,
        description="When true, each `session.completed` and `session.scored` delivery carries `data.reportUrl`: "
        "a share link to the session's report made for that delivery, valid 30 days (listed, and revocable, "
        "under `GET /v1/sessions/{id}/shares`).",
    )


class Webhook(ApiModel):
    id: str
    org_id: str
    url: str
    events: list[WebhookEventType]
    description: str | None
    status: Literal["active", "disabled"] = Field(
        description="`disabled` once the endpoint answered 410 Gone: it receives nothing more."
    )
    disabled_reason: str | None = Field(description="Why it was disabled, or null.")
    share_reports: bool = Field(description="Whether session deliveries carry a link to the session's report.")
    created_at: str
    updated_at: str


class WebhookEnvelope(ApiModel):
    webhook: Webhook


class CreatedWebhook(ApiModel):
    webhook: Webhook
    secret: str = Field(
        description="Signs every delivery (`Promptster-Signature`). Shown this once: store it now.",
        examples=["whsec_2b9Jk7rQ0xZ4mN8pV1cT6yH3wE5uA9sD0fG7hJ2kL4q"],
    )


class WebhookPage(ApiModel):
    webhooks: list[Webhook]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)


class QueuedEvent(ApiModel):
    """An event waiting to be delivered."""

    event_id: str = Field(description="The `id` the delivery carries (and its `Promptster-Event-Id` header).")
    type: Literal["ping"]


class Delivery(ApiModel):
    """One attempt to deliver one event."""

    event_id: str
    type: str
    attempt: int = Field(description="1 for the first try; retries follow with growing delays for about a day.")
    status_code: int | None = Field(description="What the endpoint answered, or null when it did not.")
    duration_ms: int
    error: str | None = Field(description="Why the attempt failed without an answer (or too late), or null.")
    at: str


class DeliveryPage(ApiModel):
    deliveries: list[Delivery]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)


# What a delivery's body is: the envelope every event shares, and the ping (the events about sessions
# and assessments are in shared.models.webhook_events, which only the delivery side loads).


class WebhookEventFields(ApiModel):
    id: str = Field(description="The event's id, the same on every delivery of it (and in `Promptster-Event-Id`).")
    created_at: str = Field(description="When it happened (ISO 8601).")
    org_id: str = Field(description="The organisation it happened in.")


class PingEventData(ApiModel):
    webhook: Webhook = Field(description="The webhook the ping was asked for.")


class PingWebhookEvent(WebhookEventFields):
    """Asked for with `POST /v1/webhooks/{id}/test`."""

    type: Literal["ping"]
    data: PingEventData
