"""POST /v1/sessions/{session_id}/complete: a candidate completes their own session."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import complete_session
from shared.http import candidate, lambda_handler, make_resolver
from shared.models.keys import CompletedSessionEnvelope
from shared.observability import metrics
from shared.routes import route
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("complete_session")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def complete(session_id: str) -> CompletedSessionEnvelope:
    session = complete_session(CandidateKeyStore(), candidate(app), session_id)
    metrics.add_metric(name="SessionCompleted", unit=MetricUnit.Count, value=1)
    return CompletedSessionEnvelope(session=session)


handler = lambda_handler(app)
