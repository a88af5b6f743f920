"""Business rules for assessments, as plain functions over a store."""

from __future__ import annotations

import base64
import binascii

from shared import clock
from shared.errors import InvalidInputError, NotFoundError
from shared.models.assessments import AssessmentView, CreateAssessmentRequest
from shared.store.assessments import AssessmentStore

# Lambda refuses responses over 6 MB; stay clear of it with room for the envelope.
RESPONSE_BUDGET_BYTES = 5 * 1024 * 1024


def create_assessment(store: AssessmentStore, org_id: str, request: CreateAssessmentRequest) -> AssessmentView:
    """Create an assessment; a catalog issue, when named, supplies the brief (it wins over ``taskBrief``)."""
    issue = None
    task_brief = request.task_brief
    if request.issue_id is not None:
        # Loaded here, not at import: only the requests that name an issue pay for the catalog.
        from shared import catalog  # noqa: PLC0415

        issue = catalog.find_issue(request.issue_id)
        if issue is None:
            raise InvalidInputError.for_field(
                ("issueId",),
                "issue_not_found",
                f"no catalog issue has id {request.issue_id!r}",
                "issue_not_found",
            )
        task_brief = issue.task_brief
    if task_brief is None or not task_brief.strip():
        raise InvalidInputError.for_field(("taskBrief",), "missing", "required unless issueId is given")
    now = clock.to_timestamp(clock.utc_now())
    assessment = AssessmentView(
        id=clock.new_id(),
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
    )
    store.create(assessment)
    return assessment


def get_assessment(store: AssessmentStore, org_id: str, assessment_id: str) -> AssessmentView:
    """The org's active assessment; unknown, deleted and other orgs' all read as not found."""
    canonical_id = clock.canonical_uuid(assessment_id)
    assessment = store.get(org_id, canonical_id) if canonical_id else None
    if assessment is None:
        raise NotFoundError("Assessment not found")
    return assessment


def list_assessments(
    store: AssessmentStore, org_id: str, limit: int, cursor: str | None
) -> tuple[list[AssessmentView], str | None]:
    """One page of the org's active assessments in creation order, and the cursor of the next."""
    page, resume_after = store.list_page(org_id, limit, _decode_cursor(cursor) if cursor else None)
    size = 0
    for index, assessment in enumerate(page):
        # JSON escaping can make a page several times larger than DynamoDB's 1 MB read.
        size += len(assessment.model_dump_json(by_alias=True))
        if size > RESPONSE_BUDGET_BYTES and index > 0:
            page, resume_after = page[:index], page[index - 1].id
            break
    return page, _encode_cursor(resume_after) if resume_after else None


def delete_assessment(store: AssessmentStore, org_id: str, assessment_id: str) -> tuple[str, int]:
    """Soft-delete the org's active assessment; returns its id and how many unused keys were revoked."""
    assessment = get_assessment(store, org_id, assessment_id)
    return assessment.id, store.delete(assessment, deleted_at=clock.to_timestamp(clock.utc_now()))


def _encode_cursor(assessment_id: str) -> str:
    return base64.urlsafe_b64encode(assessment_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    """The id a cursor resumes after; it only ever addresses the caller's own partition."""
    try:
        assessment_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        assessment_id = ""
    if clock.canonical_uuid(assessment_id) != assessment_id:
        raise InvalidInputError.for_field(("cursor",), "invalid_cursor", "not a cursor this API returned")
    return assessment_id
