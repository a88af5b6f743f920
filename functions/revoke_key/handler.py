"""DELETE /v1/assessments/{assessment_id}/keys/{key_id}: revoke a candidate key."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.candidate_keys import revoke_key
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.common import Deleted
from shared.observability import metrics
from shared.routes import route
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("revoke_key")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def revoke(assessment_id: str, key_id: str) -> Deleted:
    revoked_id = revoke_key(CandidateKeyStore(), reviewer(app).org_id, assessment_id, key_id)
    metrics.add_metric(name="CandidateKeyRevoked", unit=MetricUnit.Count, value=1)
    return Deleted(id=revoked_id)


handler = lambda_handler(app)
