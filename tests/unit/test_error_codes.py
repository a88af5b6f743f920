"""The one list of error codes (shared/error_codes.py) names every code anything answers, and only those."""

from __future__ import annotations

import re
from pathlib import Path

from infra.gateway_responses import GATEWAY_RESPONSES
from infra.local.server import REFUSALS
from infra.openapi import COMMON_CODES, IDEMPOTENCY_CODES, ROUTE_CODES
from infra.paths import REPO_ROOT
from shared.error_codes import BY_CODE, ERROR_CODES
from shared.http import ERROR_CODE_PROBLEMS

# How code spells an envelope's code: an error's `code=` or class attribute, a body check's first argument,
# an envelope built by hand.
_RAISED = re.compile(
    r"""\b(?:error_)?code\s*=\s*"(\w+)"|\b_body_error\(\s*"(\w+)"|\berror_body\([^()]*?,\s*"(\w+)",\s*request_id"""
)


def _sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPO_ROOT / folder).rglob("*.py"))


def _raised_codes() -> set[str]:
    found: set[str] = set()
    for path in _sources("shared", "functions", "infra/local"):
        for match in _RAISED.finditer(path.read_text(encoding="utf-8")):
            found.add(next(group for group in match.groups() if group))
    return found - {"error"}  # DomainError's placeholder: every error that is raised is a subclass


def test_every_code_raised_in_the_code_is_in_the_list() -> None:
    raised = _raised_codes()

    assert {"rubric_not_found", "key_revoked", "internal_error", "too_deep"} <= raised  # the search finds them
    assert raised - BY_CODE.keys() == set()


def test_every_code_api_gateway_or_the_local_server_answers_is_in_the_list_with_its_status() -> None:
    answered = [(response.code, response.status) for response in GATEWAY_RESPONSES]
    answered += [(code, int(status)) for status, (code, _) in REFUSALS.items()]

    assert [(code, status) for code, status in answered if status not in BY_CODE[code].statuses] == []


def test_every_code_the_document_lists_is_in_the_list_with_that_status() -> None:
    documented = [
        (code, int(status))
        for table in (COMMON_CODES, IDEMPOTENCY_CODES, *ROUTE_CODES.values())
        for status, codes in table.items()
        for code in codes
    ]

    assert [(code, status) for code, status in documented if status not in BY_CODE[code].statuses] == []


def test_the_list_holds_no_code_that_nothing_answers() -> None:
    answered = _raised_codes() | set(ERROR_CODE_PROBLEMS) | {response.code for response in GATEWAY_RESPONSES}
    answered |= {code for code, _ in REFUSALS.values()}

    assert [error.code for error in ERROR_CODES if error.code not in answered] == []
    assert len(BY_CODE) == len(ERROR_CODES)
