"""GET /v1/rubrics/{rubric_id}: one active rubric of the caller's organisation."""

from shared.domain.rubrics import get_rubric
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.rubrics import RubricEnvelope
from shared.routes import route
from shared.store.rubrics import RubricStore

ROUTE = route("get_rubric")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def get(rubric_id: str) -> RubricEnvelope:
    return RubricEnvelope(rubric=get_rubric(RubricStore(), reviewer(app).org_id, rubric_id))


handler = lambda_handler(app)
