"""Integrations with applicant tracking systems, as the reviewer routes accept and return them."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared.models.common import NEXT_CURSOR_DESCRIPTION, ApiModel, RequestModel

IntegrationKind = Literal["greenhouse", "ashby"]

# An API key as Ashby issues them: printable ASCII, no white space (it goes in an HTTP header).
ASHBY_API_KEY_PATTERN = r"^[!-~]{8,512}$"


def _ashby_needs_its_key(schema: dict[str, Any]) -> None:
    """The rule the domain enforces, as JSON Schema states it: `ashbyApiKey` with `ashby`, and only then."""
    given = {"properties": {"ashbyApiKey": {"type": "string"}}, "required": ["ashbyApiKey"]}
    schema["if"] = {"properties": {"type": {"const": "ashby"}}}
    schema["then"] = given
    schema["else"] = {"not": given}


class CreateIntegrationRequest(RequestModel):
    """Body of `POST /v1/integrations`. Rule: an Ashby integration needs the key this API calls Ashby with
    (`ashbyApiKey`); a Greenhouse one takes none (a 400 `validation_error` naming the field otherwise)."""

    model_config = ConfigDict(json_schema_extra=_ashby_needs_its_key)

    type: IntegrationKind = Field(description="The applicant tracking system: `greenhouse` or `ashby`.")
    ashby_api_key: Annotated[str, StringConstraints(pattern=ASHBY_API_KEY_PATTERN)] | None = Field(
        None,
        description="Ashby only, and required there: an Ashby API key with the `candidatesWrite` permission, "
        "which this API sends (HTTP Basic) with each `assessment.update`. Stored encrypted under the "
        "deployment's KMS key, never shown again, never logged.",
        json_schema_extra={"writeOnly": True},
    )


class Integration(ApiModel):
    """An integration: what its ATS calls, and with which organisation's data."""

    id: str
    type: IntegrationKind
    created_at: str
    endpoints: dict[str, str] = Field(
        description="What to paste on the ATS's side. Greenhouse: the URLs of `list_tests`, `send_test`, "
        "`test_status` and `response_error`; Ashby: the base URL its `assessment.*` calls go under."
    )


class CreatedIntegration(Integration):
    api_key: str | None = Field(
        description="What the ATS sends as the HTTP Basic user name, with an empty password. Only its SHA-256 is "
        "stored: this answer is the one place it appears (a replay for the same Idempotency-Key carries null).",
        examples=["psi_live_7Hc2Qm9TzR4vX1bN8kJ5wL3yP6dF0gS2aE9uK4rM"],
    )


class IntegrationPage(ApiModel):
    integrations: list[Integration]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)
