"""Business rules for assessments, as plain functions over the stores they are given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock, ids
from shared.domain.paging import decode_cursor, within_budget
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.assessments import AssessmentView
from shared.models.common import is_blank
from shared.store.assessments import AssessmentRecord
from shared.store.dynamo import ConditionFailedError, WriteConflictError

# For the type checker only: a route that deletes nothing loads no deletion cascade.
if TYPE_CHECKING:
    from shared.domain.ports import AssessmentDeleter, Assessments, Rubrics
    from shared.models.assessments import CreateAssessmentRequest
    from shared.models.issues import Issue
    from shared.store.cascade import Deletion


def assessment_view(assessment: AssessmentRecord) -> AssessmentView:
    """The assessment as a reviewer reads it: the seed's twelve fields and its issue."""
    return AssessmentView.model_validate(assessment.model_dump(exclude={"rubric_criteria"}))


def _rubric_not_found() -> NotFoundError:
    # A 404, not a 400: the id is well formed (any UUID is, as the document says), the rubric is missing.
    return NotFoundError("rubricId: no active rubric of this organisation has this id", code="rubric_not_found")


def _catalog_issue(issue_id: str) -> Issue:
    from shared import catalog  # noqa: PLC0415 - the catalog loads only for the requests that name an issue

    issue = catalog.find_issue(issue_id)
    if issue is None:
        raise InvalidInputError.for_field(
            ("issueId",), "issue_not_found", f"no catalog issue has id {issue_id!r}", "issue_not_found"
        )
    return issue


def create_assessment(
    assessments: Assessments, rubrics: Rubrics, org_id: str, request: CreateAssessmentRequest
) -> AssessmentRecord:
    """Create an assessment; a catalog issue, when named, supplies the brief (it wins over ``taskBrief``),
    and a rubric, when named, is snapshotted so its sessions can be scored whatever becomes of it."""
    issue = _catalog_issue(request.issue_id) if request.issue_id is not None else None
    task_brief = issue.task_brief if issue is not None else request.task_brief
    if task_brief is None or is_blank(task_brief):
        raise InvalidInputError.for_field(("taskBrief",), "missing", "required unless issueId is given")
    criteria = None
    if request.rubric_id is not None:
        rubric = rubrics.get(org_id, request.rubric_id)
        if rubric is None:
            raise _rubric_not_found()
        criteria = rubric.criteria
    now = clock.to_timestamp(clock.utc_now())
    assessment = AssessmentRecord(
        id=ids.new_id(),
        org_id=org_id,
        title=request.title,
        role=request.role,
        task_brief=task_brief,
        repo_url=request.repo_url,
        time_limit_minutes=request.time_limit_minutes,
        expires_in_days=request.expires_in_days,
        issue_id=request.issue_id,
        rubric_id=request.rubric_id,
        created_at=now,
        updated_at=now,
        issue=issue,
        rubric_criteria=criteria,
    )
    try:
        assessments.create(assessment)
    except ConditionFailedError as failed:
        if failed.item == "rubric":  # deleted since it was read
            raise _rubric_not_found() from failed
        raise ConflictError("The assessment could not be stored; retry") from failed
    except WriteConflictError as conflict:
        raise ConflictError("The assessment could not be stored; retry") from conflict
    return assessment


def get_assessment(assessments: Assessments, org_id: str, assessment_id: str) -> AssessmentRecord:
    """The org's active assessment; unknown, deleted and other orgs' all read as not found."""
    canonical_id = ids.canonical_uuid(assessment_id)
    assessment = assessments.get(org_id, canonical_id) if canonical_id else None
    if assessment is None:
        raise NotFoundError("Assessment not found")
    return assessment


def list_assessments(
    assessments: Assessments, org_id: str, limit: int, cursor: str | None
) -> tuple[list[AssessmentView], str | None]:
    """One page of the org's active assessments in creation order, and the cursor of the next."""
    page, resume_after = assessments.list_page(org_id, limit, decode_cursor(cursor))
    views = [assessment_view(assessment) for assessment in page]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def delete_assessment(
    assessments: Assessments, deleter: AssessmentDeleter, org_id: str, assessment_id: str
) -> tuple[str, Deletion]:
    """Soft-delete the org's active assessment; returns its id and what became of its unused keys."""
    assessment = get_assessment(assessments, org_id, assessment_id)
    try:
        return assessment.id, deleter.delete(assessment, deleted_at=clock.to_timestamp(clock.utc_now()))
    except ConditionFailedError as failed:
        raise NotFoundError("Assessment not found") from failed
    except WriteConflictError as conflict:
        raise ConflictError("The assessment kept changing while it was being deleted; retry") from conflict
