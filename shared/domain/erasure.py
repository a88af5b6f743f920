"""Erasing a candidate on request (GDPR article 17), composed from the stores in an order that can be
resumed wherever it stops: first every key and session of the candidate loses the name, email and
notes (transactions, so a key redeemed or completed meanwhile cannot escape), then each erased
session's events are deleted a bounded pass at a time by the event consumer. The email lookup of a
session stays, marked, until its events are gone: a pass that dies leaves it to be resumed, and
erasing the candidate again resumes it too."""

from __future__ import annotations

from contextlib import suppress

from shared import clock
from shared.domain.audit import AuditContext
from shared.domain.ports import Erasures, Telemetry
from shared.errors import ConflictError
from shared.ids import email_digest
from shared.models.candidate_keys import EraseCandidateRequest, Erasure
from shared.observability import logger
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import EmailLookup
from shared.store.dynamo import ConditionFailedError

# An erasure reads the lookups again when a key is redeemed or completed while it runs.
_ATTEMPTS = 3
# Events deleted in one pass over an erased session's timeline (a Query and 40 BatchWriteItems): a
# pass takes a few seconds whatever the session's size, far inside the consumer's time limit.
EVENTS_PER_PASS = 1000
# What an erasure takes away, as the audit record names it.
ERASED_FIELDS = ("candidateEmail", "candidateName", "notes", "extensionReasons", "timeline")


def erase_candidate(erasures: Erasures, org_id: str, request: EraseCandidateRequest, *, audit: AuditContext) -> Erasure:
    """Erase a candidate from the org's keys and sessions by email: their name, email and notes go, their
    unused keys are revoked, their sessions take no more events and their timelines are deleted (a
    moment later); scores and timings stay as the org's records. Returns how many keys were erased
    now (none when they already were). The log and the audit record name the candidate by the email's
    SHA-256 only; the record is written with the first of the erasure's writes (alone when there is
    nothing left to erase: the request was honoured all the same)."""
    digest = email_digest(request.email)
    erased_at = clock.to_timestamp(clock.utc_now())
    erased = 0
    record: AuditRecord | None = audit.record(
        org_id, "candidate.erase", ("candidate", digest), ERASED_FIELDS, erased_at
    )
    earlier: set[str] | None = None  # the keys an earlier erasure marked, whose timelines may have stalled
    for _ in range(_ATTEMPTS):
        lookups = erasures.lookups(org_id, digest)
        if earlier is None:
            earlier = {lookup.key_id for lookup in lookups if lookup.erased_at is not None}
        fresh = [lookup for lookup in lookups if lookup.erased_at is None]
        done, recorded = erasures.erase(digest, fresh, erased_at, record)
        if recorded:
            record = None
        erased += done
        if done == len(fresh) and record is None:
            break
    else:
        raise ConflictError("The candidate's keys changed while they were being erased; retry")
    for stalled in (lookup for lookup in lookups if lookup.key_id in earlier):
        with suppress(ConditionFailedError):  # its deletion finished meanwhile
            erasures.resume(digest, stalled)
    logger.info("Candidate erased", extra={"org_id": org_id, "email_sha256": digest, "keys_erased": erased})
    return Erasure(erased=erased)


def erase_timeline(erasures: Erasures, telemetry: Telemetry, digest: str, lookup: EmailLookup) -> None:
    """One pass over an erased session's events; the lookup goes once none are left, else it is marked
    for the next pass. A pass that fails leaves the lookup as it was, for the consumer's retry."""
    assert lookup.session_id is not None, "only a started session has a timeline"
    finished = telemetry.erase_events(lookup.session_id, EVENTS_PER_PASS)
    with suppress(ConditionFailedError):  # another pass got there first
        if finished:
            erasures.finish(digest, lookup)
        else:
            erasures.resume(digest, lookup)
