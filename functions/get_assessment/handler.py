"""GET /v1/assessments/{assessment_id}: one active assessment of the caller's organisation (with its ETag),
or, for a candidate key, the one assessment that key opens (its brief only once their session has
started, and then as it was when it started)."""

from http import HTTPStatus

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response

from shared.auth import Reviewer
from shared.domain.assessments import assessment_view, etag, get_assessment
from shared.domain.sessions import get_assessment_for_candidate
from shared.http import lambda_handler, make_resolver
from shared.models.assessments import AssessmentEnvelope, CandidateAssessmentEnvelope
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def get(assessment_id: str) -> Response[AssessmentEnvelope | CandidateAssessmentEnvelope]:
    caller = app.caller()
    if isinstance(caller, Reviewer):
        assessment = get_assessment(AssessmentStore(), caller.org_id, assessment_id)
        return Response(
            status_code=HTTPStatus.OK,
            content_type=content_types.APPLICATION_JSON,
            body=AssessmentEnvelope(assessment=assessment_view(assessment)),
            headers={"ETag": etag(assessment)},
        )
    brief = get_assessment_for_candidate(AssessmentStore(), CandidateKeyStore(), caller, assessment_id)
    return Response(
        status_code=HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=CandidateAssessmentEnvelope(assessment=brief),
    )


handler = lambda_handler(app)
