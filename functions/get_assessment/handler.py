"""GET /v1/assessments/{assessment_id}: one active assessment of the caller's organisation."""

from shared.domain.assessments import get_assessment
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.assessments import AssessmentEnvelope
from shared.routes import route
from shared.store.assessments import AssessmentStore

ROUTE = route("get_assessment")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def get(assessment_id: str) -> AssessmentEnvelope:
    assessment = get_assessment(AssessmentStore(), reviewer(app).org_id, assessment_id)
    return AssessmentEnvelope(assessment=assessment)


handler = lambda_handler(app)
