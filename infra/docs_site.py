"""MkDocs hooks (mkdocs.yml names this file): the API reference page is the OpenAPI document rendered at
build time, so the site always describes the document the functions serve, and needs no script from
elsewhere to be read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from shared import docs

MARKER = "<!-- openapi-reference -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """The reference page with the document's operations and schemas where its marker is."""
    if MARKER not in markdown:
        return markdown
    page = docs.render_html(docs.openapi_document())
    body = page[page.index("</h1>") + len("</h1>") : page.index("</body>")]
    # One HTML block for Markdown: no line of it may be blank.
    return markdown.replace(MARKER, '<div class="openapi-reference">' + " ".join(body.split()) + "</div>")


def on_post_build(config: Any, **_: Any) -> None:
    """The machine-readable document beside the pages, where the reference links to it."""
    shutil.copyfile(docs.DOCUMENT_PATH, Path(config["site_dir"]) / "reference" / "openapi.json")
