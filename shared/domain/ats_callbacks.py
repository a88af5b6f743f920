"""Which calls back to an ATS a domain event makes: the stream consumer's part of telling Greenhouse and
Ashby how their candidates' sessions go. Greenhouse is sent an empty PATCH to the URL it gave when its
test finishes (completed) and when it is scored, after which it reads ``test_status``; Ashby is sent
``assessment.update`` when the session starts, completes and is scored. They are queued as webhook
deliveries are, and sent, retried and logged the same way."""

from __future__ import annotations

from shared.domain.ashby import assessment_update
from shared.domain.events import DomainEvent
from shared.domain.interviews import InterviewLinks, report_link
from shared.domain.webhook_events import event_id_of
from shared.webhooks.queue import Delivery as QueuedDelivery

# The session events each ATS hears of.
CALLBACK_EVENTS = {
    "greenhouse": frozenset({"session.completed", "session.scored"}),
    "ashby": frozenset({"session.started", "session.completed", "session.scored"}),
}


def callbacks_for(event: DomainEvent, ats: InterviewLinks) -> list[QueuedDelivery]:
    """The call back to the ATS whose integration had the session's key issued, if the event is one it
    hears of. Sessions no ATS asked for cost nothing (their key names no integration)."""
    session = event.session
    if session is None or session.integration_id is None:
        return []
    interview = ats.integrations.get_interview(session.key_id)
    if interview is None or event.type not in CALLBACK_EVENTS[interview.kind]:
        return []
    event_id = event_id_of(event)
    if interview.kind == "greenhouse":
        return [
            QueuedDelivery(
                event.org_id,
                event_id,
                event.type,
                "",
                integration_id=interview.integration_id,
                url=interview.callback_url,
            )
        ]
    link = None
    if event.type != "session.started":
        link = report_link(ats, interview, session)
    update = assessment_update(interview.key_id, session, event.occurred_at, link)
    body = update.model_dump_json(exclude_none=True)
    return [QueuedDelivery(event.org_id, event_id, event.type, body, integration_id=interview.integration_id)]
