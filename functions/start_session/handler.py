"""POST /v1/sessions: a candidate redeems their key and starts (or resumes) their session."""

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import start_session
from shared.http import candidate, lambda_handler, make_resolver
from shared.models.keys import StartedSession
from shared.observability import metrics
from shared.routes import route
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("start_session")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary, status_code=201)
def start() -> Response[StartedSession]:
    started, is_new = start_session(AssessmentStore(), CandidateKeyStore(), candidate(app))
    if is_new:
        metrics.add_metric(name="SessionStarted", unit=MetricUnit.Count, value=1)
    status = HTTPStatus.CREATED if is_new else HTTPStatus.OK
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=started)


handler = lambda_handler(app)
