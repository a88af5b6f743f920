"""Business rules for scoring rubrics."""

from __future__ import annotations

from shared import clock, ids
from shared.domain.audit import AuditContext
from shared.domain.paging import decode_cursor, within_budget
from shared.domain.ports import Rubrics
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.rubrics import CreateRubricRequest, Criterion, Rubric
from shared.store.dynamo import ConditionFailedError
from shared.store.rubrics import RubricRecord


def rubric_view(rubric: RubricRecord) -> Rubric:
    """The rubric as the API shows it."""
    return Rubric.model_validate(rubric.model_dump())


def create_rubric(rubrics: Rubrics, org_id: str, request: CreateRubricRequest, *, audit: AuditContext) -> RubricRecord:
    """Create a rubric; criterion names must be unique within it, whatever their case (a 400
    ``validation_error`` whose detail ``duplicate`` points at the second name, as v1 first answered)."""
    seen: set[str] = set()
    for index, criterion in enumerate(request.criteria):
        folded = criterion.name.strip().casefold()
        if folded in seen:
            raise InvalidInputError.for_field(
                ("criteria", index, "name"), "duplicate", f"another criterion is already named {criterion.name!r}"
            )
        seen.add(folded)
    now = clock.to_timestamp(clock.utc_now())
    rubric = RubricRecord(
        id=ids.new_id(),
        org_id=org_id,
        name=request.name,
        description=request.description,
        criteria=tuple(Criterion.model_validate(criterion.model_dump()) for criterion in request.criteria),
        created_at=now,
        updated_at=now,
    )
    changes = ["name", "criteria", *(["description"] if rubric.description is not None else [])]
    rubrics.create(rubric, audit.record(org_id, "rubric.create", ("rubric", rubric.id), changes, now))
    return rubric


def get_rubric(rubrics: Rubrics, org_id: str, rubric_id: str) -> RubricRecord:
    """The org's active rubric; unknown, deleted and other orgs' all read as not found."""
    canonical_id = ids.canonical_uuid(rubric_id)
    rubric = rubrics.get(org_id, canonical_id) if canonical_id else None
    if rubric is None:
        raise NotFoundError("Rubric not found")
    return rubric


def list_rubrics(rubrics: Rubrics, org_id: str, limit: int, cursor: str | None) -> tuple[list[Rubric], str | None]:
    """One page of the org's active rubrics in creation order, and the cursor of the next."""
    page, resume_after = rubrics.list_page(org_id, limit, decode_cursor(cursor))
    views = [rubric_view(rubric) for rubric in page]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def delete_rubric(rubrics: Rubrics, org_id: str, rubric_id: str, *, audit: AuditContext) -> str:
    """Delete the org's rubric unless an active assessment still links it; returns its id."""
    rubric = get_rubric(rubrics, org_id, rubric_id)
    deleted_at = clock.to_timestamp(clock.utc_now())
    try:
        rubrics.delete(rubric, deleted_at, audit.record(org_id, "rubric.delete", ("rubric", rubric.id), at=deleted_at))
    except ConditionFailedError as failed:
        if failed.item == "rubric":
            raise NotFoundError("Rubric not found") from failed
        raise ConflictError(
            "An active assessment links this rubric; delete the assessment first", code="rubric_in_use"
        ) from failed
    return rubric.id
