"""GET /v1/assessments/{assessment_id}/keys: every non-revoked key, with its status as of now."""

from shared.domain.candidate_keys import list_keys
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.keys import KeyList
from shared.routes import route
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("list_keys")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def list_all(assessment_id: str) -> KeyList:
    return KeyList(keys=list_keys(CandidateKeyStore(), reviewer(app).org_id, assessment_id))


handler = lambda_handler(app)
