"""Deleting an assessment: the one write that spans aggregates, composed here from the actions each
store module owns (the assessment's tombstone, its rubric's link, its keys' revocations, the audit record)."""

from __future__ import annotations

from typing import NamedTuple

from shared.observability import logger, traced
from shared.store import audit, dynamo
from shared.store.assessments import AssessmentRecord, AssessmentStore
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import CandidateKeyRecord, CandidateKeyStore, revoke_action

# Deleting re-reads and retries when keys are issued or redeemed, or the assessment edited, while it runs.
_ATTEMPTS = 5


class Deletion(NamedTuple):
    """What a delete did: the keys it revoked, and any it had to leave pending (they cannot start a
    session all the same, as redemption checks the tombstone)."""

    revoked: int
    left_pending: int


class AssessmentDeletion:
    """Soft-deletes assessments: the tombstone and as many pending keys as fit in one transaction,
    the remaining keys a transaction at a time."""

    def __init__(self, assessments: AssessmentStore | None = None, keys: CandidateKeyStore | None = None) -> None:
        self.assessments = assessments or AssessmentStore()
        self.keys = keys or CandidateKeyStore()

    @traced
    def delete(self, assessment: AssessmentRecord, deleted_at: str, record: AuditRecord) -> Deletion:
        """Delete the assessment, with ``record`` in the tombstone's transaction. ConditionFailedError
        (``assessment``) when it is already gone; WriteConflictError when it kept changing for every attempt."""
        current: AssessmentRecord | None = assessment
        for _ in range(_ATTEMPTS):
            state, candidate_keys = self.keys.read_partition(assessment.id)
            if current is None or state is None or state.org_id != assessment.org_id or state.deleted_at is not None:
                raise dynamo.ConditionFailedError("assessment")
            pending = [key for key in candidate_keys if key.status == "pending"]
            tombstone = [
                *self.assessments.tombstone_actions(current, state.keys_issued, deleted_at),
                audit.entry_action(record),
            ]
            room = dynamo.MAX_TRANSACTION_ACTIONS - len(tombstone)
            try:
                dynamo.transact_write(tombstone + [revoke_action(key, deleted_at) for key in pending[:room]])
            except dynamo.ConditionFailedError as failed:
                if failed.item == "assessment":  # edited (read it again) or gone
                    current = self.assessments.get(assessment.org_id, assessment.id)
                continue  # keys were issued, redeemed or revoked meanwhile: read again
            except dynamo.WriteConflictError:
                continue
            later = _revoke_remaining(pending[room:], deleted_at)
            return Deletion(revoked=len(pending[:room]) + later.revoked, left_pending=later.left_pending)
        raise dynamo.WriteConflictError("the assessment kept changing while it was being deleted")


def _revoke_remaining(pending: list[CandidateKeyRecord], revoked_at: str) -> Deletion:
    """Revoke what did not fit in the first transaction, a transaction at a time. A key whose
    condition fails is no longer pending (a reviewer revoked it), so it is dropped, not retried."""
    revoked = left = 0
    for start in range(0, len(pending), dynamo.MAX_TRANSACTION_ACTIONS):
        chunk = pending[start : start + dynamo.MAX_TRANSACTION_ACTIONS]
        for _ in range(_ATTEMPTS):
            try:
                dynamo.transact_write([revoke_action(key, revoked_at) for key in chunk])
                revoked += len(chunk)
                chunk = []
                break
            except dynamo.ConditionFailedError as failed:
                chunk = [key for index, key in enumerate(chunk) if index not in failed.positions]
            except dynamo.WriteConflictError:
                continue
            if not chunk:
                break
        left += len(chunk)
    if left:
        logger.warning("Keys left pending behind a tombstone", extra={"left_pending": left})
    return Deletion(revoked=revoked, left_pending=left)
