"""DELETE /v1/assessments/{assessment_id}/keys/{key_id}: revoke a candidate key; a session in progress
ends as revoked, a finished one is kept (409)."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.candidate_keys import revoke_key
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def revoke(assessment_id: str, key_id: str) -> Deleted:
    revoked_id = revoke_key(
        CandidateKeyStore(), SessionStore(), app.reviewer().org_id, assessment_id, key_id, audit=app.audit_context()
    )
    metrics.add_metric(name="CandidateKeyRevoked", unit=MetricUnit.Count, value=1)
    return Deleted(id=revoked_id)


handler = lambda_handler(app)
