"""Scoring rubrics as the API accepts and returns them."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from shared.models.common import ApiModel, Name, RequestModel, not_blank

CriterionName = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(not_blank)]
Description = Annotated[str, StringConstraints(max_length=2_000)]
# 0.01 to 100 in steps of 0.01, so a weight always fits DynamoDB's decimal numbers (1e-200 would
# underflow them); float noise inside pydantic's tolerance (7 * 0.01) is kept as the 2 decimals it means.
Weight = Annotated[float, Field(ge=0.01, le=100, multiple_of=0.01), AfterValidator(lambda weight: round(weight, 2))]


def whole_as_int(value: float) -> int | float:
    """Weights read back as sent: 50, not 50.0."""
    return int(value) if float(value).is_integer() else float(value)


class Criterion(ApiModel):
    """One thing a completed session is scored on, and how much it counts."""

    name: str
    description: str | None = None
    weight: Annotated[int | float, AfterValidator(whole_as_int)]


class CriterionRequest(RequestModel):
    name: CriterionName
    description: Description | None = None
    weight: Weight


class CreateRubricRequest(RequestModel):
    """Body of ``POST /v1/rubrics``."""

    name: Name
    description: Description | None = None
    criteria: Annotated[list[CriterionRequest], Field(min_length=1, max_length=20)]


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
    next_cursor: str | None
