"""Webhooks as the API accepts and returns them, and the attempts to deliver to them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.models.common import NEXT_CURSOR_DESCRIPTION, ApiModel, RequestModel

# What a webhook may subscribe to; ``ping`` is sent on request only (POST /v1/webhooks/{id}/test).
WebhookEventType = Literal["session.started", "session.completed", "session.scored", "assessment.deleted"]
WEBHOOK_EVENT_TYPES: tuple[WebhookEventType, ...] = (
    "session.started",
    "session.completed",
    "session.scored",
    "assessment.deleted",
)
PING = "ping"


def _unique(events: list[WebhookEventType]) -> list[WebhookEventType]:
    if len(set(events)) != len(events):
        raise PydanticCustomError("unique", "must not name an event type twice")
    return events


class CreateWebhookRequest(RequestModel):
    """Body of `POST /v1/webhooks`."""

    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] = Field(
        description="Where events are POSTed: an `https` URL whose host is public. A URL that is not, or whose "
        "host resolves to a loopback, private, link-local, multicast or reserved address, is a 400 "
        "`url_not_allowed` (checked again at each delivery; redirects are not followed).",
        json_schema_extra={"format": "uri"},
    )
    events: Annotated[list[WebhookEventType], Field(min_length=1, max_length=4), AfterValidator(_unique)] = Field(
        default_factory=lambda: list(WEBHOOK_EVENT_TYPES),
        description="The event types to deliver, each once; all of them when left out.",
        json_schema_extra={"uniqueItems": True},
    )
    description: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="What the endpoint is, for the people reading this list."
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
