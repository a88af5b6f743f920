"""GET /v1/ats/greenhouse/list_tests: Greenhouse's List Tests, the organisation's active assessments, each
a test named `<title> (<role>)`."""

from shared.domain.greenhouse import list_tests
from shared.http import lambda_handler, make_resolver
from shared.models.ats import PartnerTest
from shared.store.assessments import AssessmentStore

app = make_resolver(__name__)


@app.endpoint
def tests() -> list[PartnerTest]:
    return list_tests(AssessmentStore(), app.integration("greenhouse"))


handler = lambda_handler(app)
