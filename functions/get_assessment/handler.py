"""GET /v1/assessments/{assessment_id}: one active assessment of the caller's organisation, or, for a
candidate key, the one assessment that key opens (its brief only once their session has started)."""

from shared.auth import Reviewer
from shared.domain.assessments import assessment_view, get_assessment
from shared.domain.sessions import get_assessment_for_candidate
from shared.http import lambda_handler, make_resolver
from shared.models.assessments import AssessmentEnvelope, CandidateAssessmentEnvelope
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def get(assessment_id: str) -> AssessmentEnvelope | CandidateAssessmentEnvelope:
    caller = app.caller()
    if isinstance(caller, Reviewer):
        assessment = get_assessment(AssessmentStore(), caller.org_id, assessment_id)
        return AssessmentEnvelope(assessment=assessment_view(assessment))
    brief = get_assessment_for_candidate(AssessmentStore(), CandidateKeyStore(), app.candidate(), assessment_id)
    return CandidateAssessmentEnvelope(assessment=brief)


handler = lambda_handler(app)
