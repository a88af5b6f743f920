"""Business rules for assessments, as plain functions over the stores they are given."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic.alias_generators import to_camel

from shared import clock, ids
from shared.domain.audit import AuditContext
from shared.domain.paging import decode_cursor, within_budget
from shared.errors import ConflictError, InvalidInputError, NotFoundError, PreconditionFailedError
from shared.models.assessments import AssessmentView
from shared.models.common import is_blank
from shared.store.assessments import AssessmentRecord
from shared.store.dynamo import ConditionFailedError, WriteConflictError

# For the type checker only: a route that deletes nothing loads no deletion cascade.
if TYPE_CHECKING:
    from shared.domain.ports import AssessmentDeleter, Assessments, Rubrics
    from shared.models.assessments import CreateAssessmentRequest, UpdateAssessmentRequest
    from shared.models.issues import Issue
    from shared.store.cascade import Deletion

# The fields a reviewer sets, as an edit compares them (the issue's snapshot follows its id).
_EDITABLE = (
    "title",
    "role",
    "task_brief",
    "repo_url",
    "time_limit_minutes",
    "expires_in_days",
    "issue_id",
    "rubric_id",
)
# An edit reads the assessment again when another edit (or a delete) got there first.
_UPDATE_ATTEMPTS = 3


def assessment_view(assessment: AssessmentRecord) -> AssessmentView:
    """The assessment as a reviewer reads it: the seed's twelve fields and its issue."""
    return AssessmentView.model_validate(assessment.model_dump(exclude={"rubric_criteria"}))


def etag(assessment: AssessmentRecord) -> str:
    """The assessment's strong validator: its version, which every edit counts up."""
    return f'"{assessment.version}"'


def _set_fields(assessment: AssessmentRecord, names: tuple[str, ...] = _EDITABLE) -> list[str]:
    """The API's names of the fields among ``names`` that hold a value."""
    return [to_camel(name) for name in names if getattr(assessment, name) is not None]


def _rubric_not_found() -> InvalidInputError:
    # A 400 naming the field, as v1 first answered (404 is for an id in the path): clients rely on it.
    return InvalidInputError.for_field(
        ("rubricId",),
        "rubric_not_found",
        "no active rubric of this organisation has this id",
        error_code="rubric_not_found",
    )


def _catalog_issue(issue_id: str) -> Issue:
    from shared import catalog  # noqa: PLC0415 - the catalog loads only for the requests that name an issue

    issue = catalog.find_issue(issue_id)
    if issue is None:
        raise InvalidInputError.for_field(
            ("issueId",), "issue_not_found", f"no catalog issue has id {issue_id!r}", error_code="issue_not_found"
        )
    return issue


def create_assessment(
    assessments: Assessments, rubrics: Rubrics, org_id: str, request: CreateAssessmentRequest, *, audit: AuditContext
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
    record = audit.record(org_id, "assessment.create", ("assessment", assessment.id), _set_fields(assessment), now)
    try:
        assessments.create(assessment, record)
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


def update_assessment(
    assessments: Assessments,
    rubrics: Rubrics,
    org_id: str,
    assessment_id: str,
    request: UpdateAssessmentRequest,
    *,
    if_match: str | None,
    audit: AuditContext,
) -> AssessmentRecord:
    """Apply a merge patch to the org's active assessment, as create's rules allow, and return it as it is
    now: with a new version and ``updatedAt`` when something changed. With ``if_match``, only while the
    assessment is still a version it names (else 412); without, the last edit wins."""
    for _ in range(_UPDATE_ATTEMPTS):
        before = get_assessment(assessments, org_id, assessment_id)
        if if_match is not None and not _matches(if_match, before):
            raise PreconditionFailedError(
                f"The assessment changed since the ETag you sent (it is {etag(before)} now); read it again",
                code="precondition_failed",
            )
        after = _patched(before, request, rubrics, org_id)
        changed = [to_camel(name) for name in _EDITABLE if getattr(after, name) != getattr(before, name)]
        if after.issue != before.issue and "issueId" not in changed:
            changed.append("issueId")  # the same issue again, its snapshot taken afresh
        if not changed:
            return before
        now = clock.to_timestamp(clock.utc_now())
        after = after.model_copy(
            update={
                "version": before.version + 1,
                "terms_version": before.terms_version + (1 if after.terms != before.terms else 0),
                "updated_at": now,
            }
        )
        record = audit.record(org_id, "assessment.update", ("assessment", before.id), changed, now)
        try:
            assessments.update(before, after, record)
        except ConditionFailedError as failed:
            if failed.item == "rubric":  # deleted since it was read
                raise _rubric_not_found() from failed
            continue  # edited or deleted meanwhile: read it again
        except WriteConflictError:
            continue
        return after
    raise ConflictError("The assessment kept changing while it was being edited; retry")


def _matches(if_match: str, assessment: AssessmentRecord) -> bool:
    """Whether ``If-Match`` names the assessment's current version (strong comparison: a weak tag never does)."""
    tags = {tag.strip() for tag in if_match.split(",")}
    return "*" in tags or etag(assessment) in tags


def _patched(
    assessment: AssessmentRecord, request: UpdateAssessmentRequest, rubrics: Rubrics, org_id: str
) -> AssessmentRecord:
    """The assessment with the patch's fields over its own, the issue's brief and the rubric's criteria
    snapshotted as create takes them."""
    sent = request.model_fields_set
    updates: dict[str, Any] = {
        name: getattr(request, name)
        for name in ("title", "role", "repo_url", "time_limit_minutes", "expires_in_days")
        if name in sent
    }
    linking_issue = "issue_id" in sent and request.issue_id is not None
    if "issue_id" in sent:
        issue = _catalog_issue(request.issue_id) if request.issue_id is not None else None
        updates |= {"issue_id": request.issue_id, "issue": issue}
        if issue is not None:
            updates["task_brief"] = issue.task_brief
    if "task_brief" in sent and not linking_issue:  # an issue named in the same patch wins, as on create
        if updates.get("issue_id", assessment.issue_id) is not None:
            raise InvalidInputError.for_field(
                ("taskBrief",),
                "issue_linked",
                "the brief comes from the linked issue: set issueId to null in the same patch to write your own",
            )
        updates["task_brief"] = request.task_brief
    if "rubric_id" in sent and request.rubric_id != assessment.rubric_id:
        criteria = None
        if request.rubric_id is not None:
            rubric = rubrics.get(org_id, request.rubric_id)
            if rubric is None:
                raise _rubric_not_found()
            criteria = rubric.criteria
        updates |= {"rubric_id": request.rubric_id, "rubric_criteria": criteria}
    return assessment.model_copy(update=updates)


def delete_assessment(
    assessments: Assessments, deleter: AssessmentDeleter, org_id: str, assessment_id: str, *, audit: AuditContext
) -> tuple[str, Deletion]:
    """Soft-delete the org's active assessment; returns its id and what became of its unused keys."""
    assessment = get_assessment(assessments, org_id, assessment_id)
    deleted_at = clock.to_timestamp(clock.utc_now())
    record = audit.record(org_id, "assessment.delete", ("assessment", assessment.id), at=deleted_at)
    try:
        return assessment.id, deleter.delete(assessment, deleted_at, record)
    except ConditionFailedError as failed:
        raise NotFoundError("Assessment not found") from failed
    except WriteConflictError as conflict:
        raise ConflictError("The assessment kept changing while it was being deleted; retry") from conflict
