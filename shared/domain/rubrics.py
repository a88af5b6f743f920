"""Business rules for scoring rubrics."""

from __future__ import annotations

from shared import clock
from shared.errors import InvalidInputError, NotFoundError
from shared.models.rubrics import CreateRubricRequest, Criterion, Rubric
from shared.store.rubrics import RubricStore


def create_rubric(store: RubricStore, org_id: str, request: CreateRubricRequest) -> Rubric:
    """Create a rubric; criterion names must be unique within it, whatever their case."""
    seen: set[str] = set()
    for index, criterion in enumerate(request.criteria):
        folded = criterion.name.strip().casefold()
        if folded in seen:
            raise InvalidInputError.for_field(
                ("criteria", index, "name"), "duplicate", f"another criterion is already named {criterion.name!r}"
            )
        seen.add(folded)
    now = clock.to_timestamp(clock.utc_now())
    rubric = Rubric(
        id=clock.new_id(),
        org_id=org_id,
        name=request.name,
        description=request.description,
        criteria=[Criterion.model_validate(criterion.model_dump()) for criterion in request.criteria],
        created_at=now,
        updated_at=now,
    )
    store.create(rubric)
    return rubric


def get_rubric(store: RubricStore, org_id: str, rubric_id: str) -> Rubric:
    """The org's active rubric; unknown, deleted and other orgs' all read as not found."""
    canonical_id = clock.canonical_uuid(rubric_id)
    rubric = store.get(org_id, canonical_id) if canonical_id else None
    if rubric is None:
        raise NotFoundError("Rubric not found")
    return rubric


def delete_rubric(store: RubricStore, org_id: str, rubric_id: str) -> str:
    """Delete the org's rubric unless an active assessment still links it; returns its id."""
    rubric = get_rubric(store, org_id, rubric_id)
    store.delete(rubric, deleted_at=clock.to_timestamp(clock.utc_now()))
    return rubric.id
