"""POST /v1/assessments/{assessment_id}/keys/{key_id}/resend: queue an unused key's invitation to be
emailed again, at most 3 times in any 24 hours (429 resend_limited with Retry-After beyond)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.candidate_keys import get_key, resend_invitation
from shared.http import lambda_handler, make_resolver
from shared.models.candidate_keys import KeyEnvelope
from shared.observability import metrics
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def resend(assessment_id: str, key_id: str) -> KeyEnvelope:
    key = resend_invitation(
        CandidateKeyStore(), app.reviewer().org_id, assessment_id, key_id, audit=app.audit_context()
    )
    metrics.add_metric(name="InvitationResent", unit=MetricUnit.Count, value=1)
    return KeyEnvelope(key=key)


@app.on_replay
def as_now(first: dict[str, Any]) -> KeyEnvelope:
    """The key as it reads now (an erased candidate's without name or email, a sent email as sent)."""
    key = KeyEnvelope.model_validate(first).key
    return KeyEnvelope(key=get_key(CandidateKeyStore(), app.reviewer().org_id, key.assessment_id, key.id))


handler = lambda_handler(app)
