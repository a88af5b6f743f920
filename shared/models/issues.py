"""The curated OSS issue catalog as the API shows it."""

from __future__ import annotations

from typing import Literal

from shared.models.common import ApiModel

Difficulty = Literal["easy", "medium", "hard"]


class Issue(ApiModel):
    """A real, well-known open-source bug a candidate can be asked to fix."""

    id: str
    source: Literal["github"]
    repo_url: str
    repo_slug: str
    issue_number: int
    issue_title: str
    issue_url: str
    language: str
    difficulty: Difficulty
    skill_tags: tuple[str, ...]
    estimated_minutes: int
    task_brief: str
    setup_instructions: str


class IssueEnvelope(ApiModel):
    issue: Issue


class IssuePage(ApiModel):
    issues: list[Issue]
    total: int
    limit: int
    offset: int
