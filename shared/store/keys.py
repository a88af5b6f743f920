"""Partition and sort key formats: the one place they are spelled out."""

from __future__ import annotations

ACTIVE_ASSESSMENT_PREFIX = "ASMT#"
TOKEN_INDEX_PREFIX = "TOKEN#"


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def active_assessment_sk(assessment_id: str) -> str:
    return f"{ACTIVE_ASSESSMENT_PREFIX}{assessment_id}"


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
