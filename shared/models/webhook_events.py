"""The bodies of the webhook deliveries about sessions, assessments, invitations and erasures: the envelope
of every event around the objects the API returns for them (published as the OpenAPI document's ``webhooks``)."""

from typing import Literal

from pydantic import Field

from shared.models.assessments import AssessmentView
from shared.models.candidate_keys import CandidateKey
from shared.models.common import ApiModel
from shared.models.sessions import Session
from shared.models.webhooks import PingWebhookEvent, WebhookEventFields


class SessionEventData(ApiModel):
    session: Session = Field(description="The session as a reviewer reads it (`GET /v1/sessions/{id}`).")
    report_url: str | None = Field(
        None,
        description="A share link to the session's report (`GET /v1/reports/{token}`), valid 30 days: present on "
        "`session.completed` and `session.scored` deliveries to a webhook registered with `shareReports: true`, "
        "absent otherwise.",
        json_schema_extra={"format": "uri"},
    )


class SessionWebhookEvent(WebhookEventFields):
    """A candidate started or completed, was scored, or was given more time (`session.extended`: the
    session's `deadline` and `extensions` say how much)."""

    type: Literal["session.started", "session.completed", "session.scored", "session.extended"]
    data: SessionEventData


class AssessmentEventData(ApiModel):
    assessment: AssessmentView = Field(description="The assessment as it was when deleted.")


class AssessmentWebhookEvent(WebhookEventFields):
    """An assessment was deleted."""

    type: Literal["assessment.deleted"]
    data: AssessmentEventData


class InvitationEventData(ApiModel):
    key: CandidateKey = Field(
        description="The key as `GET /v1/assessments/{id}/keys` lists it: `invite.error` says why the email failed."
    )


class InvitationWebhookEvent(WebhookEventFields):
    """An email for a key (its invitation, sent again or not, or its reminder) was refused for good."""

    type: Literal["invitation.failed"]
    data: InvitationEventData


class ErasedCandidate(ApiModel):
    email_sha256: str = Field(
        description="The SHA-256 (hex) of the erased email, lower-cased and trimmed: hash your own copy to match it."
    )
    erased_at: str = Field(description="When the erasure was made (ISO 8601).")


class ErasureEventData(ApiModel):
    candidate: ErasedCandidate


class ErasureWebhookEvent(WebhookEventFields):
    """A candidate's personal data was erased from the organisation on request: erase your copies too. It
    names the candidate by their email's SHA-256 alone."""

    type: Literal["candidate.erased"]
    data: ErasureEventData


WebhookEvent = (
    SessionWebhookEvent | AssessmentWebhookEvent | InvitationWebhookEvent | ErasureWebhookEvent | PingWebhookEvent
)
