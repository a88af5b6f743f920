"""Givens for the domain tests: an organisation's rubric, assessment and keys, made through the domain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth import Candidate
from shared.domain.assessments import create_assessment
from shared.domain.audit import Actor, AuditContext
from shared.domain.candidate_keys import generate_keys
from shared.domain.rubrics import create_rubric
from shared.domain.sessions import start_session
from shared.models.assessments import CreateAssessmentRequest
from shared.models.candidate_keys import CandidateKey, GenerateKeysRequest
from shared.models.rubrics import CreateRubricRequest
from shared.models.sessions import CandidateSession
from shared.store.assessments import AssessmentRecord
from shared.store.rubrics import RubricRecord
from tests.unit.domain.fakes import Stores

START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
ORG = "org_a"
OTHER_ORG = "org_b"
# The reviewer every change of the domain tests is made for, in one request.
AUDIT = AuditContext(Actor("token", "0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8e9f", "tests"), "test-request")


class FrozenClock:
    """A clock that moves only when told."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def a_rubric(stores: Stores, weights: Mapping[str, float] | None = None, org_id: str = ORG) -> RubricRecord:
    """A rubric with a criterion per name, of its weight; two of equal weight by default."""
    criteria = [{"name": name, "weight": weight} for name, weight in (weights or {"Design": 1, "Tests": 1}).items()]
    request = CreateRubricRequest.model_validate({"name": "Backend", "criteria": criteria})
    return create_rubric(stores.rubrics, org_id, request, audit=AUDIT)


def an_assessment(stores: Stores, org_id: str = ORG, **fields: Any) -> AssessmentRecord:
    """An assessment with a one-hour limit (``fields``, camelCase, replace the defaults)."""
    body = {"title": "Webhooks", "role": "Backend", "taskBrief": "Build it", "timeLimitMinutes": 60, **fields}
    return create_assessment(
        stores.assessments, stores.rubrics, org_id, CreateAssessmentRequest.model_validate(body), audit=AUDIT
    )


def some_keys(stores: Stores, assessment: AssessmentRecord, count: int = 1, **fields: Any) -> list[CandidateKey]:
    request = GenerateKeysRequest.model_validate({"count": count, **fields})
    return generate_keys(stores.assessments, stores.keys, assessment.org_id, assessment.id, request, audit=AUDIT)


def candidate_of(key: CandidateKey) -> Candidate:
    """The principal the authorizer derives from the key's code."""
    return Candidate(org_id=key.org_id, assessment_id=key.assessment_id, key_id=key.id)


def a_started_session(stores: Stores, **fields: Any) -> tuple[Candidate, CandidateSession]:
    """A candidate who has just started a session of a new assessment (``fields`` shape it)."""
    candidate = candidate_of(some_keys(stores, an_assessment(stores, **fields))[0])
    started, _ = start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    return candidate, started.session
