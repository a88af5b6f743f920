"""What the applicant tracking systems send and are answered, in their own documented formats (snake_case,
fields they may add ignored): Greenhouse's Assessment Partner API and Ashby's assessments API, and the
``assessment.update`` this API calls Ashby with."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.models.candidate_keys import Email
from shared.models.webhooks import OutboundUrl

# Longer names than this are cut: the key keeps a candidate's name for the invitation only.
_ATS_TEXT = Annotated[str, StringConstraints(max_length=255)]
# An id an ATS sends (ours or its own), as text.
_ATS_ID = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class AtsModel(BaseModel):
    """A body in an ATS's format: its names as they are, what it adds to them ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, defer_build=True)


# Greenhouse


class PartnerTest(AtsModel):
    partner_test_id: str = Field(description="The assessment's id.")
    partner_test_name: str = Field(description="`<title> (<role>)`: what Greenhouse shows its users.")


class GreenhouseCandidate(AtsModel):
    first_name: _ATS_TEXT | None = Field(None, description="With `last_name`, the name the invitation greets.")
    last_name: _ATS_TEXT | None = Field(None, description="The candidate's last name.")
    email: Email = Field(description="Where the invitation, with the candidate's key, is sent.")


class SendTestRequest(AtsModel):
    """What Greenhouse sends to `send_test` (other fields it sends are ignored)."""

    partner_test_id: _ATS_ID = Field(description="An assessment's id, from `list_tests`.")
    candidate: GreenhouseCandidate = Field(description="Who is invited: their name and email.")
    url: OutboundUrl = Field(
        description="Where Greenhouse takes the PATCH that says the test is complete: an https URL naming a public "
        "host (else a 400 `url_not_allowed`), checked again at each call."
    )


class SendTestResponse(AtsModel):
    partner_interview_id: str = Field(description="The candidate's key id: the same for the same email and test.")


class GreenhouseTestStatus(AtsModel):
    partner_status: str = Field(
        description="`complete` once the session is finished (completed, or timed out), else the key's status: "
        "`pending`, `redeemed` (in progress), `expired` or `revoked`."
    )
    partner_profile_url: str | None = Field(
        description="When complete: a share link of the session's report (made once, reused while it lives)."
    )
    partner_score: float | None = Field(description="The rubric's weighted total, once a reviewer scored it.")
    metadata: dict[str, str | int | float] = Field(
        description="The session's signals, flat (numbers and text only; what is unknown is left out)."
    )


class ResponseErrorRequest(AtsModel):
    """What Greenhouse sends to `response_error` about an answer it could not read."""

    api_call: _ATS_TEXT = Field(description="The call whose answer could not be read (`test_status`, …).")
    errors: Annotated[list[Annotated[str, StringConstraints(max_length=2000)]], Field(max_length=50)] = Field(
        description="What was wrong with it; any address or link they quote is left out of what is kept."
    )
    partner_interview_id: _ATS_ID | None = Field(None, description="The interview it was about, if any.")


class ResponseErrorAnswer(AtsModel):
    """The acknowledgement Greenhouse expects: the report was received."""

    # A plain integer: a generated client renders an integer constant as code that does not parse.
    status: int = Field(200, description="Always 200.")


# Ashby


class AshbyAssessmentType(AtsModel):
    assessment_type_id: str = Field(description="The assessment's id.")
    name: str
    description: str


class AshbyAssessmentList(AtsModel):
    success: Literal[True] = True
    results: list[AshbyAssessmentType]


class AshbyListRequest(AtsModel):
    """What Ashby sends to `assessment.list` (nothing this API reads)."""


class AshbyCandidate(AtsModel):
    first_name: _ATS_TEXT | None = Field(None, description="With `last_name`, the name the invitation greets.")
    last_name: _ATS_TEXT | None = Field(None, description="The candidate's last name.")
    email: Email = Field(description="Where the invitation, with the candidate's key, is sent.")


class AshbyApplication(AtsModel):
    ashby_id: _ATS_ID = Field(description="A retried start names the same application: it is answered the same.")


class StartAssessmentRequest(AtsModel):
    """What Ashby sends to `assessment.start` (the job and the other fields it sends are ignored)."""

    assessment_type_id: _ATS_ID = Field(description="An assessment's id, from `assessment.list`.")
    candidate: AshbyCandidate = Field(description="Who is invited: their name and email.")
    application: AshbyApplication = Field(description="The application they are assessed for.")


class AshbyAssessmentId(AtsModel):
    assessment_id: str = Field(description="The candidate's key id.")


class AshbyStarted(AtsModel):
    success: Literal[True] = True
    results: AshbyAssessmentId


class CancelAssessmentRequest(AtsModel):
    assessment_id: _ATS_ID = Field(description="The `assessment_id` `assessment.start` answered.")


# What this API sends Ashby: assessment.update, each value typed as Ashby displays it.

AshbyValueType = Literal["numeric_score", "numeric_duration_minutes", "url", "string", "boolean_success"]


class AshbyDataValue(AtsModel):
    identifier: str
    label: str
    type: AshbyValueType
    value: str | float | int | bool
    description: str | None = None


class AshbyAssessmentUpdate(AtsModel):
    assessment_id: str
    timestamp: int  # milliseconds since the epoch
    assessment_status: AshbyDataValue
    assessment_profile_url: AshbyDataValue | None = None
    assessment_result: AshbyDataValue | None = None
    metadata: list[AshbyDataValue] | None = None
