"""GET /v1/assessments/{assessment_id}: one active assessment of the caller's organisation,
or, for a candidate key, the one assessment that key opens."""

from shared.auth import Reviewer
from shared.domain.assessments import get_assessment
from shared.domain.sessions import get_assessment_for_candidate
from shared.http import lambda_handler, make_resolver, principal
from shared.models.assessments import AssessmentEnvelope
from shared.routes import route
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("get_assessment")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def get(assessment_id: str) -> AssessmentEnvelope:
    caller = principal(app)
    if isinstance(caller, Reviewer):
        assessment = get_assessment(AssessmentStore(), caller.org_id, assessment_id)
    else:
        assessment = get_assessment_for_candidate(AssessmentStore(), CandidateKeyStore(), caller, assessment_id)
    return AssessmentEnvelope(assessment=assessment)


handler = lambda_handler(app)
