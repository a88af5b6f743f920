"""DELETE /v1/assessments/{assessment_id}: soft-delete an assessment and deactivate its unused keys."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.assessments import delete_assessment
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.common import Deleted
from shared.observability import metrics
from shared.routes import route
from shared.store.assessments import AssessmentStore

ROUTE = route("delete_assessment")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def delete(assessment_id: str) -> Deleted:
    deleted_id, revoked = delete_assessment(AssessmentStore(), reviewer(app).org_id, assessment_id)
    metrics.add_metric(name="AssessmentDeleted", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="CandidateKeysRevokedByDelete", unit=MetricUnit.Count, value=revoked)
    return Deleted(id=deleted_id)


handler = lambda_handler(app)
