"""Every request and response example in docs/ is what the local server answers now, and the tables made
from the code's lists are current: `make docs-examples` writes them, this fails when a page disagrees."""

from __future__ import annotations

from infra.docs_examples import STEPS, stale_pages
from infra.paths import REPO_ROOT


def test_every_page_shows_what_the_server_answers_and_the_code_lists() -> None:
    stale = stale_pages()

    assert not stale, f"run `make docs-examples`: {sorted(str(path.relative_to(REPO_ROOT)) for path in stale)}"


def test_the_story_shows_every_route_it_documents_at_least_once() -> None:
    shown = "".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "docs").glob("*.md"))

    assert [step.name for step in STEPS if f"<!-- example: {step.name} -->" not in shown] == []
