"""Partition and sort key formats: the one place they are spelled out."""

from __future__ import annotations

ACTIVE_ASSESSMENT_PREFIX = "ASMT#"
DELETED_ASSESSMENT_PREFIX = "DELETED#"
TOKEN_INDEX_PREFIX = "TOKEN#"


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def active_assessment_sk(assessment_id: str) -> str:
    return f"{ACTIVE_ASSESSMENT_PREFIX}{assessment_id}"


def deleted_assessment_sk(assessment_id: str) -> str:
    return f"{DELETED_ASSESSMENT_PREFIX}{assessment_id}"


def token_pk(token_hash: str) -> str:
    return f"TOKEN#{token_hash}"


TOKEN_SK = "TOKEN"


def token_index_sk(token_id: str) -> str:
    """The org-partition entry that lets an operator list and revoke an org's tokens."""
    return f"{TOKEN_INDEX_PREFIX}{token_id}"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}
