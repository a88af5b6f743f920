"""GET /v1/rubrics/{rubric_id}: one active rubric of the caller's organisation."""

from shared.domain.rubrics import get_rubric, rubric_view
from shared.http import lambda_handler, make_resolver
from shared.models.rubrics import RubricEnvelope
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def get(rubric_id: str) -> RubricEnvelope:
    return RubricEnvelope(rubric=rubric_view(get_rubric(RubricStore(), app.reviewer().org_id, rubric_id)))


handler = lambda_handler(app)
