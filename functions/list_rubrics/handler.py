"""GET /v1/rubrics: the caller's active rubrics in creation order."""

from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.rubrics import RubricList
from shared.routes import route
from shared.store.rubrics import RubricStore

ROUTE = route("list_rubrics")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def list_all() -> RubricList:
    return RubricList(rubrics=RubricStore().list_active(reviewer(app).org_id))


handler = lambda_handler(app)
