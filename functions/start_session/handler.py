"""POST /v1/sessions: a candidate redeems their key and starts (or resumes) their session."""

from http import HTTPStatus

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import start_session
from shared.http import lambda_handler, make_resolver
from shared.models.sessions import StartedSession
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def start() -> Response[StartedSession]:
    started, is_new = start_session(AssessmentStore(), CandidateKeyStore(), SessionStore(), app.candidate())
    if is_new:
        metrics.add_metric(name="SessionStarted", unit=MetricUnit.Count, value=1)
        return app.created(started, f"/v1/sessions/{started.session.id}")
    return Response(status_code=HTTPStatus.OK, content_type=content_types.APPLICATION_JSON, body=started)


@app.on_replay
def as_now(_: object) -> StartedSession:
    """The session as a resume finds it now: refused, as a new start would be, once the key was revoked
    or the session finished."""
    started, _ = start_session(AssessmentStore(), CandidateKeyStore(), SessionStore(), app.candidate())
    return started


handler = lambda_handler(app)
