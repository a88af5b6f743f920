"""Partition and sort key formats: the one place they are spelled out."""

from __future__ import annotations

ACTIVE_ASSESSMENT_PREFIX = "ASMT#"
TOKEN_INDEX_PREFIX = "TOKEN#"
ACTIVE_RUBRIC_PREFIX = "RUBRIC#"


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def active_assessment_sk(assessment_id: str) -> str:
    return f"{ACTIVE_ASSESSMENT_PREFIX}{assessment_id}"


def active_rubric_sk(rubric_id: str) -> str:
    return f"{ACTIVE_RUBRIC_PREFIX}{rubric_id}"


def deleted_rubric_sk(rubric_id: str) -> str:
    """Where a deleted rubric is kept for audit, outside the active prefix so listing skips it."""
    return f"DELETED_RUBRIC#{rubric_id}"


def token_pk(token_hash: str) -> str:
    return f"TOKEN#{token_hash}"


TOKEN_SK = "TOKEN"


def token_index_sk(token_id: str) -> str:
    """The org-partition entry that lets an operator list and revoke an org's tokens."""
    return f"{TOKEN_INDEX_PREFIX}{token_id}"


def assessment_pk(assessment_id: str) -> str:
    """The partition holding an assessment's state record and all its candidate keys."""
    return f"ASMT#{assessment_id}"


ASSESSMENT_STATE_SK = "STATE"
CANDIDATE_KEY_PREFIX = "KEY#"


def candidate_key_sk(key_id: str) -> str:
    return f"{CANDIDATE_KEY_PREFIX}{key_id}"


def key_code_pk(code: str) -> str:
    return f"CODE#{code}"


KEY_CODE_SK = "CODE"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}
