"""Invitations: the emails a candidate gets for a key issued to their address: the invitation (again when a
reviewer asks) and one reminder before the key expires. Each is sent at most once per queuing although
the stream may deliver the change that queued it more than once."""

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
    cli_package: str = "promptster-cli"  # what `pipx install` is given for the candidate's CLI


def send_invitation(
    key: CandidateKeyRecord, assessments: Assessments, invites: Invitations, mailer: Mailer, settings: MailSettings
) -> None:
    """Send the key's queued email (its invitation, or its reminder) once. A permanent refusal is recorded
    on the key; anything else puts the email back in the queue and is raised, so the stream delivers the
    record again."""
    now = clock.to_timestamp(clock.utc_now())
    if settings.sender is None:
        invites.settle(key, ("queued", "failed"), error=MAIL_NOT_CONFIGURED, failed_at=now)
        return
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        invites.settle(key, ("queued", "failed"), error=ASSESSMENT_DELETED, failed_at=now)
        return
    claimed = invites.claim(key)
    if claimed is None:
        return  # sent or being sent by another delivery, or the key was revoked or used meanwhile
    if claimed.invite_reason == "reminder":
        message = compose_reminder(claimed, assessment, settings.sender, settings)
    else:
        message = compose(claimed, assessment, settings.sender, settings)
    try:
        mailer.send(message)
    except MailRefusedError as refused:
        invites.settle(
            claimed, ("sending", "failed"), error=refused.reason, failed_at=clock.to_timestamp(clock.utc_now())
        )
        return
    except Exception:
        invites.settle(claimed, ("sending", "queued"))
        raise
    invites.settle(claimed, ("sending", "sent"), sent_at=clock.to_timestamp(clock.utc_now()))


def _time_limit(assessment: AssessmentRecord, key: CandidateKeyRecord) -> str:
    """The time a session of this key will have, its extra minutes included."""
    if not assessment.time_limit_minutes:
        return "none"
    extra = f" (with {key.extra_minutes} extra)" if key.extra_minutes else ""
    return f"{assessment.time_limit_minutes + key.extra_minutes} minutes from the start{extra}"


def compose(key: CandidateKeyRecord, assessment: AssessmentRecord, sender: str, settings: MailSettings) -> Message:
    """The invitation: who invites, to what, the key and its limits, and how to start: the CLI (install,
    then the exact start line for this stack), or the API call itself."""
    organisation = key.org_name or key.org_id
    return _message(
        key,
        assessment,
        sender,
        settings,
        opening=f"{organisation} invites you to take a technical assessment.",
        subject=f"{organisation} invites you to the {assessment.title} assessment",
    )


def compose_reminder(
    key: CandidateKeyRecord, assessment: AssessmentRecord, sender: str, settings: MailSettings
) -> Message:
    """The one reminder: the invitation's facts and ways to start, opening with when the key expires."""
    organisation = key.org_name or key.org_id
    return _message(
        key,
        assessment,
        sender,
        settings,
        opening=f"A reminder: your key to {organisation}'s technical assessment expires at {key.expires_at} (UTC), "
        "and it has not been used yet.",
        subject=f"Reminder: your {assessment.title} assessment key expires soon",
    )


def _message(
    key: CandidateKeyRecord,
    assessment: AssessmentRecord,
    sender: str,
    settings: MailSettings,
    *,
    opening: str,
    subject: str,
) -> Message:
    assert key.candidate_email is not None, "only keys issued to an address are invited"
    greeting = f"Hello {key.candidate_name}," if key.candidate_name else "Hello,"
    install = f"pipx install {settings.cli_package}    (or: uv tool install {settings.cli_package})"
    start = f"promptster start {key.code} --api {settings.api_url}"
    curl = f'curl -X POST {settings.api_url}/v1/sessions -H "X-API-Key: {key.code}"'
    facts = [
        ("Assessment", assessment.title),
        ("Role", assessment.role),
        ("Your key", key.code),
        ("Key expires", f"{key.expires_at} (UTC)"),
        ("Time limit", _time_limit(assessment, key)),
    ]
    how = "To start, install the Promptster CLI and start with your key (the session and its time limit begin then):"
    recorded = (
        "It prepares your workspace and records how you work with your AI tools (prompts, tool calls, file paths "
        "and line counts, never file contents); `promptster status` shows it, `promptster submit` hands in."
    )
    fallback = "Without the CLI, start by calling the API with your key:"
    text = "\n".join(
        [
            greeting,
            "",
            opening,
            "",
            *(f"{label}: {value}" for label, value in facts),
            "",
            how,
            "",
            f"  {install}",
            f"  {start}",
            "",
            recorded,
            "",
            fallback,
            "",
            f"  {curl}",
            "",
        ]
    )
    rows = "".join(f"<tr><th align='left'>{label}</th><td>{escape(value)}</td></tr>" for label, value in facts)
    html = (
        f"<!DOCTYPE html><html><body><p>{escape(greeting)}</p><p>{escape(opening)}</p><table>{rows}</table>"
        f"<p>{escape(how)}</p><pre>{escape(install)}\n{escape(start)}</pre><p>{escape(recorded)}</p>"
        f"<p>{escape(fallback)}</p><pre>{escape(curl)}</pre></body></html>"
    )
    return Message(
        sender=sender,
        recipient=key.candidate_email,
        # One line whatever the names hold: a header cannot carry a line break.
        subject=" ".join(subject.split()),
        text=text,
        html=html,
    )
