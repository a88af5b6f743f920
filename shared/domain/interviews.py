"""What both ATS integrations do the same way: issue a candidate one key per assessment (through
key generation, so the invitation goes out as for any key), find an interview by its key's id within the
caller's organisation, read where it stands, make its report link once, and cancel it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from shared import clock, ids
from shared.auth import Integration
from shared.domain.audit import AuditContext
from shared.domain.candidate_keys import generate_keys, revoke_key
from shared.domain.deadlines import status_at
from shared.domain.ports import Assessments, CandidateKeys, Integrations, Secrets, Sessions, Shares
from shared.domain.sessions import session_status
from shared.domain.shares import new_share
from shared.errors import ConflictError, NotFoundError
from shared.ids import email_digest
from shared.models.candidate_keys import GenerateKeysRequest
from shared.models.shares import MAX_EXPIRES_IN_DAYS
from shared.store.assessments import AssessmentRecord
from shared.store.candidate_keys import CandidateKeyRecord
from shared.store.dynamo import ConditionFailedError, WriteConflictError
from shared.store.integrations import ClaimRecord, InterviewRecord, InterviewTerms
from shared.store.sessions import SessionRecord

# Assessments read per page while listing them all.
_PAGE = 100
# Issuing reads the claim again when another request for the same candidate wrote it first.
_ISSUE_ATTEMPTS = 3
# A report link made for an ATS lives as long as a link may; a new one is made when it has expired.
REPORT_LINK_DAYS = MAX_EXPIRES_IN_DAYS
_LINK_ATTEMPTS = 3
FINISHED = ("completed", "timed_out")
MAX_NAME_LENGTH = 255


class Candidate(NamedTuple):
    """Who an ATS asks to assess: the invitation goes to ``email``."""

    email: str
    first_name: str | None
    last_name: str | None

    @property
    def name(self) -> str | None:
        """The name the invitation greets, as a key keeps one (at most 255 characters), or None."""
        name = " ".join(part.strip() for part in (self.first_name, self.last_name) if part and part.strip())
        return name[:MAX_NAME_LENGTH].strip() or None


class Issued(NamedTuple):
    """The key holding a candidate's place on an assessment, and whether this request issued it."""

    claim: ClaimRecord
    new: bool


def canonical_id(text: str, what: str) -> str:
    """An id an ATS sends, as this API spells it; anything that is not one of ours is not found."""
    canonical = ids.canonical_uuid(text)
    if canonical is None:
        raise NotFoundError(f"{what} not found")
    return canonical


def active_assessments(assessments: Assessments, org_id: str) -> list[AssessmentRecord]:
    """Every active assessment of the org, in creation order (one Query per page)."""
    found: list[AssessmentRecord] = []
    after_id: str | None = None
    while True:
        page, after_id = assessments.list_page(org_id, _PAGE, after_id)
        found += page
        if after_id is None:
            return found


def issue_interview(
    assessments: Assessments,
    keys: CandidateKeys,
    integrations: Integrations,
    caller: Integration,
    *,
    assessment_id: str,
    candidate: Candidate,
    callback_url: str | None = None,
    ats_reference: str | None = None,
    audit: AuditContext,
) -> Issued:
    """The key holding the candidate's place on the org's assessment: the one already issued while it can
    still be used (pending, in progress or completed), else a new one, generated as any key is (its
    invitation goes out) together with the claim on that place, so concurrent requests issue one key.
    NotFoundError when the assessment is not the org's active one."""
    digest = email_digest(candidate.email)
    for _ in range(_ISSUE_ATTEMPTS):
        claim = integrations.find_claim(caller.org_id, assessment_id, digest)
        if claim is not None and _usable(keys.get(assessment_id, claim.key_id)):
            return Issued(claim, new=False)
        terms = InterviewTerms(
            org_id=caller.org_id,
            integration_id=caller.integration_id,
            kind=caller.kind,
            callback_url=callback_url,
            ats_reference=ats_reference,
            replacing_key_id=claim.key_id if claim is not None else None,
        )
        named = {"candidateNames": [candidate.name]} if candidate.name else {}
        request = GenerateKeysRequest.model_validate({"count": 1, "candidateEmails": [candidate.email], **named})
        try:
            [key] = generate_keys(
                assessments, keys, caller.org_id, assessment_id, request, audit=audit, interview=terms
            )
        except ConditionFailedError as failed:
            if failed.item != "interview claim":
                raise
            continue  # another request for this candidate wrote the claim first: read it
        except WriteConflictError:
            continue
        return Issued(
            ClaimRecord(key_id=key.id, integration_id=caller.integration_id, ats_reference=ats_reference), True
        )
    raise ConflictError("The candidate's key changed while it was being issued; retry")


def _usable(key: CandidateKeyRecord | None) -> bool:
    return key is not None and status_at(key, clock.utc_now()) not in ("revoked", "expired")


def org_interview(integrations: Integrations, caller: Integration, interview_id: str) -> InterviewRecord:
    """The interview of the caller's organisation with this key id; any other is not found."""
    canonical = ids.canonical_uuid(interview_id)
    interview = integrations.get_interview(canonical) if canonical else None
    if interview is None or interview.org_id != caller.org_id:
        raise NotFoundError("Interview not found")
    return interview


class Standing(NamedTuple):
    """Where an interview stands: its key, its session once started, and whether that has finished."""

    key: CandidateKeyRecord
    session: SessionRecord | None
    finished: bool

    def status(self, now: datetime) -> str:
        """The key's status as the API shows it (``redeemed`` while the session runs)."""
        return status_at(self.key, now)


def standing(keys: CandidateKeys, sessions: Sessions, interview: InterviewRecord) -> Standing:
    """The interview's key and session as they are now."""
    key = keys.get(interview.assessment_id, interview.key_id)
    if key is None:
        raise NotFoundError("Interview not found")
    session = sessions.get(key.session_id) if key.session_id else None
    finished = session is not None and session_status(session, clock.utc_now()) in FINISHED
    return Standing(key, session, finished)


def report_link_context(interview: InterviewRecord) -> Mapping[str, str]:
    """What the encrypted report link of an interview is bound to."""
    return {"interview": interview.key_id, "purpose": "report-link"}


class InterviewLinks(NamedTuple):
    """Where an interview's report link is made and remembered: the interviews, the links' store, the key
    the link's URL is kept encrypted under, and the API the link points at."""

    integrations: Integrations
    shares: Shares
    secrets: Secrets
    api_url: str


def report_link(links: InterviewLinks, interview: InterviewRecord, session: SessionRecord) -> str:
    """The link to the session's report the interview's ATS shows: made once and remembered (encrypted) on
    the interview, the same one again while it lives; a new one only once it expired or was revoked."""
    integrations, shares, secrets = links.integrations, links.shares, links.secrets
    for _ in range(_LINK_ATTEMPTS):
        now = clock.utc_now()
        if interview.share_id is not None and interview.share_url_ciphertext is not None:
            share = shares.get(session.id, interview.share_id)
            if share is not None and share.expires_at > clock.to_timestamp(now):
                return secrets.decrypt(interview.share_url_ciphertext, report_link_context(interview))
        share, url = new_share(interview.org_id, session.id, links.api_url, days=REPORT_LINK_DAYS, now=now)
        try:
            integrations.remember_share(interview, share, secrets.encrypt(url, report_link_context(interview)))
        except (ConditionFailedError, WriteConflictError):
            # Another request remembered a link first: that one is the interview's.
            found = integrations.get_interview(interview.key_id)
            if found is None:
                raise NotFoundError("Interview not found") from None
            interview = found
            continue
        return url
    raise ConflictError("The interview's report link changed while it was being made; retry")


def cancel_interview(
    keys: CandidateKeys,
    sessions: Sessions,
    integrations: Integrations,
    caller: Integration,
    interview_id: str,
    *,
    audit: AuditContext,
) -> InterviewRecord:
    """Revoke the interview's key (a session in progress ends as revoked); cancelling it again changes
    nothing. ConflictError (``session_finished``) once the session has finished: results are kept."""
    interview = org_interview(integrations, caller, interview_id)
    key = keys.get(interview.assessment_id, interview.key_id)
    if key is None:
        raise NotFoundError("Interview not found")
    if key.status != "revoked":
        revoke_key(keys, sessions, caller.org_id, interview.assessment_id, interview.key_id, audit=audit)
    return interview
