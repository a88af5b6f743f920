"""GET /v1/ats/greenhouse/test_status: Greenhouse's Test Status. `complete` once the candidate's session has
finished, with a share link of its report (made once, then the same one) and the rubric's total once a
reviewer scored it; before that, the key's status. `metadata` holds the session's signals."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.greenhouse import interview_status
from shared.domain.interviews import InterviewLinks
from shared.http import lambda_handler, make_resolver
from shared.models.ats import GreenhouseTestStatus
from shared.secrets import KmsSecrets
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.integrations import IntegrationStore
from shared.store.sessions import SessionStore
from shared.store.shares import ShareStore

app = make_resolver(__name__)


@app.endpoint
def status(
    partner_interview_id: Annotated[
        str, Query(min_length=1, max_length=255, description="The `partner_interview_id` `send_test` answered.")
    ],
) -> GreenhouseTestStatus:
    links = InterviewLinks(IntegrationStore(), ShareStore(), KmsSecrets(), app.api_url())
    caller = app.integration("greenhouse")
    return interview_status(CandidateKeyStore(), SessionStore(), links, caller, partner_interview_id)


handler = lambda_handler(app)
