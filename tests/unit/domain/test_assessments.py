"""Assessments: the brief, the rubric snapshot, reading, paging and deleting."""

from __future__ import annotations

import uuid

import pytest

from shared import catalog, clock, ids
from shared.domain.assessments import (
    create_assessment,
    delete_assessment,
    get_assessment,
    list_assessments,
)
from shared.domain.paging import RESPONSE_BUDGET_BYTES, decode_cursor
from shared.domain.rubrics import delete_rubric
from shared.errors import InvalidInputError, NotFoundError
from shared.models.assessments import CreateAssessmentRequest
from shared.store.assessments import AssessmentRecord
from shared.store.rubrics import RubricRecord
from tests.unit.domain.fakes import FakeRubrics, Stores
from tests.unit.domain.support import AUDIT, ORG, OTHER_ORG, a_rubric, an_assessment, some_keys


def _request(**fields: object) -> CreateAssessmentRequest:
    return CreateAssessmentRequest.model_validate({"title": "T", "role": "R", **fields})


def test_a_catalog_issue_supplies_the_brief_over_the_task_brief(stores: Stores) -> None:
    issue = catalog.all_issues()[0]

    created = an_assessment(stores, issueId=issue.id, taskBrief="ignored")

    assert created.task_brief == issue.task_brief
    assert created.issue == issue
    assert get_assessment(stores.assessments, ORG, created.id).issue == issue


def test_an_issue_id_makes_the_task_brief_optional(stores: Stores) -> None:
    issue = catalog.all_issues()[0]

    created = create_assessment(stores.assessments, stores.rubrics, ORG, _request(issueId=issue.id), audit=AUDIT)

    assert created.task_brief == issue.task_brief


@pytest.mark.parametrize("brief", [None, "", "   "])
def test_without_an_issue_the_task_brief_is_required(stores: Stores, brief: str | None) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_assessment(stores.assessments, stores.rubrics, ORG, _request(taskBrief=brief), audit=AUDIT)

    assert [(problem.path, problem.code) for problem in raised.value.problems] == [(("taskBrief",), "missing")]
    assert stores.memory.assessments == {}


def test_an_unknown_issue_id_is_refused_naming_the_field(stores: Stores) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_assessment(stores.assessments, stores.rubrics, ORG, _request(issueId="no-such-issue"), audit=AUDIT)

    assert raised.value.code == "issue_not_found"
    assert raised.value.problems[0].path == ("issueId",)


def test_the_rubric_criteria_are_snapshotted_on_the_assessment(stores: Stores) -> None:
    rubric = a_rubric(stores, {"Design": 2, "Tests": 1})

    created = an_assessment(stores, rubricId=rubric.id)

    assert created.rubric_criteria == rubric.criteria
    assert stores.assessments.get(ORG, created.id) == created


@pytest.mark.parametrize("owner", [ORG, OTHER_ORG])
def test_a_rubric_that_is_unknown_or_another_orgs_is_rubric_not_found(stores: Stores, owner: str) -> None:
    rubric_id = a_rubric(stores, org_id=OTHER_ORG).id if owner == OTHER_ORG else str(uuid.uuid4())

    with pytest.raises(InvalidInputError) as raised:
        an_assessment(stores, rubricId=rubric_id)

    assert raised.value.code == "rubric_not_found"
    assert raised.value.message.startswith("rubricId:")
    assert stores.memory.assessments == {}


def test_a_deleted_rubric_is_rubric_not_found(stores: Stores) -> None:
    rubric = a_rubric(stores)
    delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT)

    with pytest.raises(InvalidInputError) as raised:
        an_assessment(stores, rubricId=rubric.id)

    assert raised.value.code == "rubric_not_found"


def test_a_rubric_deleted_after_it_was_read_is_rubric_not_found(stores: Stores) -> None:
    rubric = a_rubric(stores)

    class ReadBeforeTheDelete(FakeRubrics):
        def get(self, org_id: str, rubric_id: str) -> RubricRecord | None:
            found = super().get(org_id, rubric_id)
            delete_rubric(stores.rubrics, org_id, rubric_id, audit=AUDIT)
            return found

    with pytest.raises(InvalidInputError) as raised:
        create_assessment(
            stores.assessments,
            ReadBeforeTheDelete(stores.memory),
            ORG,
            _request(taskBrief="B", rubricId=rubric.id),
            audit=AUDIT,
        )

    assert raised.value.code == "rubric_not_found"
    assert stores.memory.assessments == {}


def test_get_is_not_found_for_unknown_malformed_and_other_orgs_ids(stores: Stores) -> None:
    created = an_assessment(stores)

    for org_id, assessment_id in [(ORG, str(uuid.uuid4())), (ORG, "not-a-uuid"), (OTHER_ORG, created.id)]:
        with pytest.raises(NotFoundError):
            get_assessment(stores.assessments, org_id, assessment_id)


def test_get_accepts_the_id_in_upper_case(stores: Stores) -> None:
    created = an_assessment(stores)

    assert get_assessment(stores.assessments, ORG, created.id.upper()) == created


def test_the_list_pages_through_the_orgs_assessments_in_creation_order(stores: Stores) -> None:
    created = [an_assessment(stores).id for _ in range(5)]
    an_assessment(stores, OTHER_ORG)

    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = list_assessments(stores.assessments, ORG, 2, cursor)
        assert len(page) <= 2
        seen += [view.id for view in page]
        if cursor is None:
            break

    assert seen == created


def test_a_cursor_this_api_did_not_return_is_refused_naming_the_field(stores: Stores) -> None:
    with pytest.raises(InvalidInputError) as raised:
        list_assessments(stores.assessments, ORG, 10, "garbage")

    assert raised.value.problems[0].path == ("cursor",)


def _large(brief: str) -> AssessmentRecord:
    now = clock.to_timestamp(clock.utc_now())
    return AssessmentRecord(
        id=ids.new_id(),
        org_id=ORG,
        title="T",
        role="R",
        task_brief=brief,
        expires_in_days=7,
        created_at=now,
        updated_at=now,
    )


def test_a_page_is_cut_where_its_json_would_pass_the_response_budget(stores: Stores) -> None:
    # Quotes double in JSON: 300 briefs of 10,000 quotes are 6 MB once escaped.
    seeded = [_large('"' * 10_000) for _ in range(300)]
    for record in seeded:
        stores.assessments.create(record, AUDIT.record(ORG, "assessment.create", ("assessment", record.id)))

    first, cursor = list_assessments(stores.assessments, ORG, 1000, None)

    rest, _ = list_assessments(stores.assessments, ORG, 1000, cursor)
    size = sum(len(view.model_dump_json()) for view in first)
    assert 0 < len(first) < len(seeded)
    assert size <= RESPONSE_BUDGET_BYTES < size + len(rest[0].model_dump_json())
    assert decode_cursor(cursor) == first[-1].id
    assert [view.id for view in first + rest] == [record.id for record in seeded]


def test_a_deleted_assessment_is_not_found_and_leaves_the_list(stores: Stores) -> None:
    created = an_assessment(stores)
    kept = an_assessment(stores)

    deleted_id, _ = delete_assessment(stores.assessments, stores.deleter, ORG, created.id, audit=AUDIT)

    assert deleted_id == created.id
    with pytest.raises(NotFoundError):
        get_assessment(stores.assessments, ORG, created.id)
    assert [view.id for view in list_assessments(stores.assessments, ORG, 10, None)[0]] == [kept.id]


def test_deleting_again_is_not_found(stores: Stores) -> None:
    created = an_assessment(stores)
    delete_assessment(stores.assessments, stores.deleter, ORG, created.id, audit=AUDIT)

    with pytest.raises(NotFoundError):
        delete_assessment(stores.assessments, stores.deleter, ORG, created.id, audit=AUDIT)


def test_another_org_cannot_delete_the_assessment(stores: Stores) -> None:
    created = an_assessment(stores)

    with pytest.raises(NotFoundError):
        delete_assessment(stores.assessments, stores.deleter, OTHER_ORG, created.id, audit=AUDIT)

    assert get_assessment(stores.assessments, ORG, created.id) == created


def test_deleting_revokes_the_pending_keys_and_keeps_a_snapshot(stores: Stores) -> None:
    created = an_assessment(stores)
    some_keys(stores, created, count=3)

    _, deletion = delete_assessment(stores.assessments, stores.deleter, ORG, created.id, audit=AUDIT)

    assert (deletion.revoked, deletion.left_pending) == (3, 0)
    assert {key.status for key in stores.memory.keys.values()} == {"revoked"}
    assert stores.assessments.get_deleted(ORG, created.id) == created
    assert stores.assessments.get_deleted(OTHER_ORG, created.id) is None
