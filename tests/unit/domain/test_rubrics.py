"""Rubrics: unique criterion names, reading, paging, and deleting only what no assessment links."""

from __future__ import annotations

import pytest

from shared.domain.assessments import delete_assessment
from shared.domain.rubrics import create_rubric, delete_rubric, get_rubric, list_rubrics
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.rubrics import CreateRubricRequest
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import AUDIT, ORG, OTHER_ORG, a_rubric, an_assessment


def test_a_rubric_reads_back_as_created(stores: Stores) -> None:
    rubric = a_rubric(stores, {"Design": 2.5, "Tests": 1})

    assert get_rubric(stores.rubrics, ORG, rubric.id) == rubric
    assert [(criterion.name, criterion.weight) for criterion in rubric.criteria] == [("Design", 2.5), ("Tests", 1)]


def test_criterion_names_must_be_unique_whatever_their_case(stores: Stores) -> None:
    request = CreateRubricRequest.model_validate(
        {"name": "R", "criteria": [{"name": "Design", "weight": 1}, {"name": " design ", "weight": 1}]}
    )

    with pytest.raises(InvalidInputError) as raised:
        create_rubric(stores.rubrics, ORG, request, audit=AUDIT)

    assert raised.value.code == "validation_error"
    assert [(problem.path, problem.code) for problem in raised.value.problems] == [
        (("criteria", 1, "name"), "duplicate")
    ]
    assert stores.memory.rubrics == {}


def test_another_orgs_or_an_unknown_rubric_is_not_found(stores: Stores) -> None:
    rubric = a_rubric(stores)

    for org_id, rubric_id in [(OTHER_ORG, rubric.id), (ORG, "not-a-uuid")]:
        with pytest.raises(NotFoundError):
            get_rubric(stores.rubrics, org_id, rubric_id)


def test_the_list_pages_through_the_orgs_rubrics_in_creation_order(stores: Stores) -> None:
    created = [a_rubric(stores).id for _ in range(3)]
    a_rubric(stores, org_id=OTHER_ORG)

    first, cursor = list_rubrics(stores.rubrics, ORG, 2, None)
    rest, last = list_rubrics(stores.rubrics, ORG, 2, cursor)

    assert [rubric.id for rubric in first + rest] == created
    assert last is None


def test_a_rubric_linked_by_an_active_assessment_is_in_use(stores: Stores) -> None:
    rubric = a_rubric(stores)
    an_assessment(stores, rubricId=rubric.id)

    with pytest.raises(ConflictError) as raised:
        delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT)

    assert raised.value.code == "rubric_in_use"
    assert get_rubric(stores.rubrics, ORG, rubric.id) == rubric


def test_deleting_the_linking_assessment_frees_the_rubric(stores: Stores) -> None:
    rubric = a_rubric(stores)
    assessment = an_assessment(stores, rubricId=rubric.id)
    delete_assessment(stores.assessments, stores.deleter, ORG, assessment.id, audit=AUDIT)

    assert delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT) == rubric.id

    with pytest.raises(NotFoundError):
        get_rubric(stores.rubrics, ORG, rubric.id)


def test_deleting_twice_or_another_orgs_rubric_is_not_found(stores: Stores) -> None:
    rubric = a_rubric(stores)

    with pytest.raises(NotFoundError):
        delete_rubric(stores.rubrics, OTHER_ORG, rubric.id, audit=AUDIT)
    delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT)
    with pytest.raises(NotFoundError):
        delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT)
