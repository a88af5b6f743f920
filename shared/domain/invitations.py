"""Invitations: the email a candidate gets for a key issued to their address, sent at most once per key
although the stream may deliver the key's creation more than once."""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from shared import clock
from shared.domain.ports import Assessments, Invitations, Mailer
from shared.mail import MailRefusedError, Message
from shared.store.assessments import AssessmentRecord
from shared.store.candidate_keys import CandidateKeyRecord

MAIL_NOT_CONFIGURED = "mail_not_configured"
ASSESSMENT_DELETED = "assessment_deleted"


class MailSettings(NamedTuple):
    """Where invitations come from and what they tell candidates to call."""

    sender: str | None  # None: the deployment has no sender, and invitations fail saying so
    api_url: str


def send_invitation(
    key: CandidateKeyRecord, assessments: Assessments, invites: Invitations, mailer: Mailer, settings: MailSettings
) -> None:
    """Send the key's queued invitation once. A permanent refusal is recorded on the key; anything else
    puts the invitation back in the queue and is raised, so the stream delivers the record again."""
    if settings.sender is None:
        invites.settle(key, ("queued", "failed"), error=MAIL_NOT_CONFIGURED)
        return
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        invites.settle(key, ("queued", "failed"), error=ASSESSMENT_DELETED)
        return
    claimed = invites.claim(key)
    if claimed is None:
        return  # sent or being sent by another delivery, or the key was revoked or used meanwhile
    message = compose(claimed, assessment, settings.sender, settings.api_url)
    try:
        mailer.send(message)
    except MailRefusedError as refused:
        invites.settle(claimed, ("sending", "failed"), error=refused.reason)
        return
    except Exception:
        invites.settle(claimed, ("sending", "queued"))
        raise
    invites.settle(claimed, ("sending", "sent"), sent_at=clock.to_timestamp(clock.utc_now()))


def compose(key: CandidateKeyRecord, assessment: AssessmentRecord, sender: str, api_url: str) -> Message:
    """The invitation: who invites, to what, the key and its limits, and the call that starts."""
    assert key.candidate_email is not None, "only keys issued to an address are invited"
    organisation = key.org_name or key.org_id
    greeting = f"Hello {key.candidate_name}," if key.candidate_name else "Hello,"
    time_limit = f"{assessment.time_limit_minutes} minutes from the start" if assessment.time_limit_minutes else "none"
    start = f'curl -X POST {api_url}/v1/sessions -H "X-API-Key: {key.code}"'
    facts = [
        ("Assessment", assessment.title),
        ("Role", assessment.role),
        ("Your key", key.code),
        ("Key expires", f"{key.expires_at} (UTC)"),
        ("Time limit", time_limit),
    ]
    invitation = f"{organisation} invites you to take a technical assessment."
    how = "To start, call the API with your key (the session and its time limit begin then):"
    text = "\n".join(
        [greeting, "", invitation, "", *(f"{label}: {value}" for label, value in facts), "", how, "", f"  {start}", ""]
    )
    rows = "".join(f"<tr><th align='left'>{label}</th><td>{escape(value)}</td></tr>" for label, value in facts)
    html = (
        f"<!DOCTYPE html><html><body><p>{escape(greeting)}</p><p>{escape(invitation)}</p><table>{rows}</table>"
        f"<p>{escape(how)}</p><pre>{escape(start)}</pre></body></html>"
    )
    return Message(
        sender=sender,
        recipient=key.candidate_email,
        # One line whatever the names hold: a header cannot carry a line break.
        subject=" ".join(f"{organisation} invites you to the {assessment.title} assessment".split()),
        text=text,
        html=html,
    )
