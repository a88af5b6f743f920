"""GET /v1/sessions/{session_id}: any session of the reviewer's organisation (with its score), or
the candidate's own (with the seconds left)."""

from shared.auth import Reviewer
from shared.domain.sessions import get_candidate_session, get_session
from shared.http import lambda_handler, make_resolver
from shared.models.sessions import CandidateSessionEnvelope, SessionEnvelope
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def get(session_id: str) -> SessionEnvelope | CandidateSessionEnvelope:
    caller = app.caller()
    if isinstance(caller, Reviewer):
        return SessionEnvelope(session=get_session(SessionStore(), caller.org_id, session_id))
    return CandidateSessionEnvelope(session=get_candidate_session(SessionStore(), app.candidate(), session_id))


handler = lambda_handler(app)
