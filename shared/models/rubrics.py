"""Scoring rubrics as the API accepts and returns them."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from shared.models.common import NEXT_CURSOR_DESCRIPTION, NOT_BLANK, ApiModel, Name, RequestModel, not_blank

CriterionName = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(not_blank), NOT_BLANK]
Description = Annotated[str, StringConstraints(max_length=2_000)]
# 0.01 to 100 in steps of 0.01, so a weight always fits DynamoDB's decimal numbers (1e-200 would
# underflow them); float noise inside pydantic's tolerance (7 * 0.01) is kept as the 2 decimals it means.
Weight = Annotated[
    float,
    Field(
        ge=0.01,
        le=100,
        multiple_of=0.01,
        description="How much the criterion counts: 0.01 to 100, with at most 2 decimal places. The total score "
        "is the weighted average of the criteria's scores.",
    ),
    AfterValidator(lambda weight: round(weight, 2)),
]


def whole_as_int(value: float) -> int | float:
    """Weights read back as sent: 50, not 50.0."""
    return int(value) if float(value).is_integer() else float(value)


class Criterion(ApiModel):
    """One thing a completed session is scored on, and how much it counts."""

    name: str
    description: str | None = None
    weight: Annotated[int | float, AfterValidator(whole_as_int)]


class CriterionRequest(RequestModel):
    """One criterion of a new rubric."""

    name: CriterionName = Field(
        description="What is scored, e.g. Correctness. Unique within the rubric, whatever the case (a duplicate "
        "is a 400 `validation_error` whose detail has code `duplicate` and the path of the second name); scores name "
        "the criterion this way."
    )
    description: Description | None = Field(None, description="What a reviewer should look for.")
    weight: Weight


class CreateRubricRequest(RequestModel):
    """Body of `POST /v1/rubrics`."""

    name: Name = Field(description="The rubric's name, e.g. Backend take-home.")
    description: Description | None = Field(None, description="What the rubric is for.")
    criteria: Annotated[list[CriterionRequest], Field(min_length=1, max_length=20)] = Field(
        description="1 to 20 criteria with unique names (compared without regard to case).",
        json_schema_extra={"uniqueItems": True},  # what JSON Schema can say of it: no two criteria alike
    )


class Rubric(ApiModel):
    id: str
    org_id: str
    name: str
    description: str | None
    criteria: list[Criterion]
    created_at: str
    updated_at: str


class RubricEnvelope(ApiModel):
    rubric: Rubric


class RubricPage(ApiModel):
    rubrics: list[Rubric]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)
