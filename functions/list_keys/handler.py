"""GET /v1/assessments/{assessment_id}/keys: every non-revoked key, with its status as of now."""

from shared.domain.candidate_keys import list_keys
from shared.http import lambda_handler, make_resolver
from shared.models.candidate_keys import KeyList
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def list_all(assessment_id: str) -> KeyList:
    return KeyList(keys=list_keys(CandidateKeyStore(), app.reviewer().org_id, assessment_id))


handler = lambda_handler(app)
