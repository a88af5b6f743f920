"""POST /v1/sessions/{session_id}/complete: a candidate completes their own session, optionally
handing in a submission URL and notes."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import complete_session, get_candidate_session
from shared.http import lambda_handler, make_resolver
from shared.models.sessions import CandidateSessionEnvelope, CompleteSessionRequest
from shared.observability import metrics
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def complete(
    session_id: str, body: Annotated[CompleteSessionRequest | None, Body()] = None
) -> CandidateSessionEnvelope:
    session = complete_session(SessionStore(), app.candidate(), session_id, body)
    metrics.add_metric(name="SessionCompleted", unit=MetricUnit.Count, value=1)
    return CandidateSessionEnvelope(session=session)


@app.on_replay
def as_now(first: dict[str, Any]) -> CandidateSessionEnvelope:
    """The completed session as it reads now (an erased candidate's without name, email or notes)."""
    session_id = CandidateSessionEnvelope.model_validate(first).session.id
    return CandidateSessionEnvelope(session=get_candidate_session(SessionStore(), app.candidate(), session_id))


handler = lambda_handler(app)
