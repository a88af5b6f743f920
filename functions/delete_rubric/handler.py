"""DELETE /v1/rubrics/{rubric_id}: delete a rubric that no active assessment links."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.rubrics import delete_rubric
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def delete(rubric_id: str) -> Deleted:
    deleted_id = delete_rubric(RubricStore(), app.reviewer().org_id, rubric_id, audit=app.audit_context())
    metrics.add_metric(name="RubricDeleted", unit=MetricUnit.Count, value=1)
    return Deleted(id=deleted_id)


handler = lambda_handler(app)
