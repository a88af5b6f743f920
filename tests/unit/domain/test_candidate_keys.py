"""Candidate keys: issuing, expiry, code collisions and revocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from shared import clock
from shared.auth import normalize_key_code
from shared.domain import candidate_keys
from shared.domain.assessments import delete_assessment
from shared.domain.candidate_keys import list_keys, revoke_key
from shared.domain.sessions import complete_session, get_session, start_session
from shared.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from shared.store.candidate_keys import KEYS_PER_TRANSACTION, CandidateKeyRecord
from shared.store.credentials import CodeTarget
from tests.unit.domain.fakes import FakeCandidateKeys, Memory, Stores
from tests.unit.domain.support import (
    AUDIT,
    ORG,
    OTHER_ORG,
    START,
    FrozenClock,
    a_started_session,
    an_assessment,
    candidate_of,
    some_keys,
)


def test_count_pending_keys_are_issued_expiring_after_the_assessments_days(stores: Stores) -> None:
    assessment = an_assessment(stores, expiresInDays=3)

    issued = some_keys(stores, assessment, count=3)

    assert [key.status for key in issued] == ["pending"] * 3
    assert {key.expires_at for key in issued} == {clock.to_timestamp(START + timedelta(days=3))}
    assert all(normalize_key_code(key.key) == key.key for key in issued)
    assert len({key.key for key in issued}) == 3


def test_emails_and_names_go_to_the_keys_in_order(stores: Stores) -> None:
    assessment = an_assessment(stores)

    issued = some_keys(stores, assessment, count=2, candidateEmails=["a@x.io", "b@x.io"], candidateNames=["Ann", "Bob"])

    assert [(key.candidate_email, key.candidate_name) for key in issued] == [("a@x.io", "Ann"), ("b@x.io", "Bob")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"count": 2, "candidateEmails": ["a@x.io"]}, "candidateEmails"),
        ({"count": 1, "candidateNames": ["Ann"]}, "candidateNames"),
        ({"count": 2, "candidateEmails": ["a@x.io", "b@x.io"], "candidateNames": ["Ann"]}, "candidateNames"),
    ],
)
def test_emails_must_match_the_count_and_names_the_emails(stores: Stores, fields: dict[str, Any], field: str) -> None:
    assessment = an_assessment(stores)

    with pytest.raises(InvalidInputError) as raised:
        some_keys(stores, assessment, **fields)

    assert [(problem.path, problem.code) for problem in raised.value.problems] == [((field,), "length_mismatch")]
    assert stores.memory.keys == {}


def test_more_keys_than_one_transaction_holds_are_all_issued(stores: Stores) -> None:
    assessment = an_assessment(stores)

    issued = some_keys(stores, assessment, count=KEYS_PER_TRANSACTION + 1)

    assert [key.id for key in list_keys(stores.keys, ORG, assessment.id, 100, None)[0]] == [key.id for key in issued]
    assert stores.memory.states[assessment.id].keys_issued == KEYS_PER_TRANSACTION + 1


def test_a_taken_code_is_replaced_by_a_new_draw(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = an_assessment(stores)
    [first] = some_keys(stores, assessment)
    draws: Iterator[str] = iter([first.key, "PST-AAAA-BBBB"])
    monkeypatch.setattr(candidate_keys, "new_key_code", lambda: next(draws))

    [second] = some_keys(stores, assessment)

    assert second.key == "PST-AAAA-BBBB"
    assert stores.credentials.find_code(first.key) == CodeTarget(
        org_id=ORG, assessment_id=assessment.id, key_id=first.id
    )
    assert stores.credentials.find_code(second.key) == CodeTarget(
        org_id=ORG, assessment_id=assessment.id, key_id=second.id
    )


@pytest.mark.parametrize("org_id", [ORG, OTHER_ORG])
def test_keys_cannot_be_issued_for_a_deleted_or_another_orgs_assessment(stores: Stores, org_id: str) -> None:
    assessment = an_assessment(stores)
    if org_id == ORG:
        delete_assessment(stores.assessments, stores.deleter, ORG, assessment.id, audit=AUDIT)

    with pytest.raises(NotFoundError):
        some_keys(stores, assessment.model_copy(update={"org_id": org_id}))


def test_an_unused_key_reads_expired_from_its_expiry_on(stores: Stores, clock: FrozenClock) -> None:
    assessment = an_assessment(stores, expiresInDays=1)
    some_keys(stores, assessment)

    clock.advance(days=1, seconds=-1)
    assert [key.status for key in list_keys(stores.keys, ORG, assessment.id, 100, None)[0]] == ["pending"]
    clock.advance(seconds=1)
    assert [key.status for key in list_keys(stores.keys, ORG, assessment.id, 100, None)[0]] == ["expired"]


def test_an_expired_key_cannot_start_a_session(stores: Stores, clock: FrozenClock) -> None:
    [key] = some_keys(stores, an_assessment(stores, expiresInDays=1))
    clock.advance(days=1)

    with pytest.raises(ForbiddenError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(key))

    assert raised.value.code == "key_expired"


def test_keys_of_another_org_or_a_deleted_assessment_are_not_listed(stores: Stores) -> None:
    assessment = an_assessment(stores)
    some_keys(stores, assessment)

    with pytest.raises(NotFoundError):
        list_keys(stores.keys, OTHER_ORG, assessment.id, 100, None)
    delete_assessment(stores.assessments, stores.deleter, ORG, assessment.id, audit=AUDIT)
    with pytest.raises(NotFoundError):
        list_keys(stores.keys, ORG, assessment.id, 100, None)[0]


def test_revoking_a_pending_key_stops_it_starting_and_hides_it(stores: Stores) -> None:
    assessment = an_assessment(stores)
    revoked, kept = some_keys(stores, assessment, count=2)

    assert revoke_key(stores.keys, stores.sessions, ORG, assessment.id, revoked.id, audit=AUDIT) == revoked.id

    assert [key.id for key in list_keys(stores.keys, ORG, assessment.id, 100, None)[0]] == [kept.id]
    with pytest.raises(ForbiddenError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(revoked))
    assert raised.value.code == "key_revoked"


def test_revoking_twice_or_another_orgs_key_is_not_found(stores: Stores) -> None:
    assessment = an_assessment(stores)
    [key] = some_keys(stores, assessment)

    with pytest.raises(NotFoundError):
        revoke_key(stores.keys, stores.sessions, OTHER_ORG, assessment.id, key.id, audit=AUDIT)
    revoke_key(stores.keys, stores.sessions, ORG, assessment.id, key.id, audit=AUDIT)
    with pytest.raises(NotFoundError):
        revoke_key(stores.keys, stores.sessions, ORG, assessment.id, key.id, audit=AUDIT)


def test_revoking_a_key_in_progress_ends_its_session_as_revoked(stores: Stores) -> None:
    candidate, session = a_started_session(stores)

    revoke_key(stores.keys, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    assert get_session(stores.sessions, ORG, session.id).status == "revoked"
    with pytest.raises(ForbiddenError) as raised:
        complete_session(stores.sessions, candidate, session.id, None)
    assert raised.value.code == "key_revoked"


def test_a_completed_sessions_key_cannot_be_revoked(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    complete_session(stores.sessions, candidate, session.id, None)

    with pytest.raises(ConflictError) as raised:
        revoke_key(stores.keys, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    assert raised.value.code == "session_finished"
    assert get_session(stores.sessions, ORG, session.id).status == "completed"


def test_a_timed_out_sessions_key_cannot_be_revoked(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=30)
    clock.advance(minutes=30, seconds=61)

    with pytest.raises(ConflictError) as raised:
        revoke_key(stores.keys, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    assert raised.value.code == "session_finished"
    assert get_session(stores.sessions, ORG, session.id).status == "timed_out"


class _RacedKeys(FakeCandidateKeys):
    """Keys whose first read is followed at once by another request's ``change``."""

    def __init__(self, memory: Memory, change: Callable[[], object]) -> None:
        super().__init__(memory)
        self.change: Callable[[], object] | None = change

    def get(self, assessment_id: str, key_id: str) -> CandidateKeyRecord | None:
        found = super().get(assessment_id, key_id)
        change, self.change = self.change, None
        if change is not None:
            change()
        return found


def test_a_key_whose_session_completes_while_it_is_revoked_is_session_finished(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    raced = _RacedKeys(stores.memory, lambda: complete_session(stores.sessions, candidate, session.id, None))

    with pytest.raises(ConflictError) as raised:
        revoke_key(raced, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    assert raised.value.code == "session_finished"
    assert get_session(stores.sessions, ORG, session.id).status == "completed"


def test_a_key_another_reviewer_revokes_meanwhile_is_not_found(stores: Stores) -> None:
    assessment = an_assessment(stores)
    [key] = some_keys(stores, assessment)
    raced = _RacedKeys(
        stores.memory, lambda: revoke_key(stores.keys, stores.sessions, ORG, assessment.id, key.id, audit=AUDIT)
    )

    with pytest.raises(NotFoundError):
        revoke_key(raced, stores.sessions, ORG, assessment.id, key.id, audit=AUDIT)
