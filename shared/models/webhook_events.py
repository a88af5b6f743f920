"""The bodies of the webhook deliveries about sessions and assessments: the envelope of every event
around the objects the API returns for them (published as the OpenAPI document's ``webhooks``)."""

from typing import Literal

from pydantic import Field

from shared.models.assessments import AssessmentView
from shared.models.common import ApiModel
from shared.models.sessions import Session
from shared.models.webhooks import PingWebhookEvent, WebhookEventFields


class SessionEventData(ApiModel):
    session: Session = Field(description="The session as a reviewer reads it (`GET /v1/sessions/{id}`).")


class SessionWebhookEvent(WebhookEventFields):
    """A candidate started, completed, or was scored."""

    type: Literal["session.started", "session.completed", "session.scored"]
    data: SessionEventData


class AssessmentEventData(ApiModel):
    assessment: AssessmentView = Field(description="The assessment as it was when deleted.")


class AssessmentWebhookEvent(WebhookEventFields):
    """An assessment was deleted."""

    type: Literal["assessment.deleted"]
    data: AssessmentEventData


WebhookEvent = SessionWebhookEvent | AssessmentWebhookEvent | PingWebhookEvent
