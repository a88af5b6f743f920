"""DELETE /v1/assessments/{assessment_id}: soft-delete an assessment and deactivate its unused keys."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.assessments import delete_assessment
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.cascade import AssessmentDeletion

app = make_resolver(__name__)


@app.endpoint
def delete(assessment_id: str) -> Deleted:
    deleted_id, deletion = delete_assessment(
        AssessmentStore(), AssessmentDeletion(), app.reviewer().org_id, assessment_id, audit=app.audit_context()
    )
    metrics.add_metric(name="AssessmentDeleted", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="CandidateKeysRevokedByDelete", unit=MetricUnit.Count, value=deletion.revoked)
    return Deleted(id=deleted_id)


handler = lambda_handler(app)
