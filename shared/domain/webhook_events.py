"""Which webhooks a domain event goes to, and with what body: the same objects the API returns, in
the envelope the OpenAPI document's ``webhooks`` describe. The stream consumer's part of delivery."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from shared.domain.assessments import assessment_view
from shared.domain.candidate_keys import key_view
from shared.domain.events import DomainEvent
from shared.domain.ports import Assessments, Shares, Webhooks
from shared.domain.sessions import session_view
from shared.domain.shares import make_share
from shared.domain.webhooks import EVENT_ID_PREFIX
from shared.models.webhook_events import (
    AssessmentEventData,
    AssessmentWebhookEvent,
    ErasedCandidate,
    ErasureEventData,
    ErasureWebhookEvent,
    InvitationEventData,
    InvitationWebhookEvent,
    SessionEventData,
    SessionWebhookEvent,
    WebhookEvent,
)
from shared.models.webhooks import WEBHOOK_EVENT_TYPES
from shared.webhooks.queue import Delivery as QueuedDelivery

# The events whose deliveries carry a link to the session's report, for webhooks that ask for it.
REPORT_EVENT_TYPES = frozenset({"session.completed", "session.scored"})


class ReportLinks(NamedTuple):
    """Where report links are made (their store) and the API they point at."""

    shares: Shares
    api_url: str


def event_id_of(event: DomainEvent) -> str:
    """The id every delivery of one domain event carries, however often the stream reports it."""
    return EVENT_ID_PREFIX + hashlib.sha256(event.id.encode()).hexdigest()[:32]


def deliveries_for(
    event: DomainEvent,
    webhooks: Webhooks,
    assessments: Assessments,
    now: datetime,
    reports: ReportLinks,
) -> list[QueuedDelivery]:
    """A delivery of ``event`` for each of its org's active webhooks that takes its type; a webhook that
    asked for report links gets its own body, with a link made for that delivery."""
    if event.type not in WEBHOOK_EVENT_TYPES:
        return []
    subscribed = webhooks.subscribed(event.org_id, event.type)
    if not subscribed:
        return []
    delivered = _webhook_event(event, assessments, now)
    if delivered is None:
        return []
    body = _body(delivered)
    deliveries = []
    for webhook in subscribed:
        if webhook.share_reports and event.session is not None and event.type in REPORT_EVENT_TYPES:
            _, url = make_share(reports.shares, event.org_id, event.session.id, reports.api_url, webhook_id=webhook.id)
            with_link = delivered.model_copy(update={"data": delivered.data.model_copy(update={"report_url": url})})
            linked = _body(with_link)
            deliveries.append(QueuedDelivery(event.org_id, delivered.id, event.type, linked, webhook_id=webhook.id))
        else:
            deliveries.append(QueuedDelivery(event.org_id, delivered.id, event.type, body, webhook_id=webhook.id))
    return deliveries


def _body(delivered: WebhookEvent) -> str:
    """The JSON a delivery sends, as the OpenAPI document's ``webhooks`` describe it (``reportUrl`` only
    where there is one)."""
    report_url = isinstance(delivered, SessionWebhookEvent) and delivered.data.report_url is not None
    return delivered.model_dump_json(by_alias=True, exclude=None if report_url else {"data": {"report_url"}})


def _webhook_event(event: DomainEvent, assessments: Assessments, now: datetime) -> WebhookEvent | None:
    """The body of ``event``'s deliveries (None when what it is about is gone)."""
    fields = {"id": event_id_of(event), "type": event.type, "created_at": event.occurred_at, "org_id": event.org_id}
    if event.session is not None:
        return SessionWebhookEvent.model_validate(
            {**fields, "data": SessionEventData(session=session_view(event.session, now))}
        )
    if event.key is not None:
        return InvitationWebhookEvent.model_validate(
            {**fields, "data": InvitationEventData(key=key_view(event.key, now))}
        )
    if event.assessment_id is None:  # an erasure: the email's digest, nothing else of the candidate
        erased = ErasedCandidate(email_sha256=event.subject_id, erased_at=event.occurred_at)
        return ErasureWebhookEvent.model_validate({**fields, "data": ErasureEventData(candidate=erased)})
    assessment = assessments.get_deleted(event.org_id, event.assessment_id)
    if assessment is None:
        return None
    return AssessmentWebhookEvent.model_validate(
        {**fields, "data": AssessmentEventData(assessment=assessment_view(assessment))}
    )
