"""The curated OSS issue catalog as the API shows it."""

from typing import Literal

from pydantic import Field

from shared.models.common import NEXT_CURSOR_DESCRIPTION, ApiModel

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
    """One page of the catalog, in id order."""

    issues: list[Issue]
    total: int = Field(description="How many issues match the filters, on every page.")
    limit: int = Field(description="The `limit` this page was read with.")
    offset: int = Field(description="The `offset` this page was read with (0 unless one was sent).")
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)
