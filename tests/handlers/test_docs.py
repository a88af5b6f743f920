"""The API describes itself to anyone: its OpenAPI document and a reference page rendered from it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from infra.local.gateway import proxy_event
from shared import docs
from shared.routes import ROUTES, route
from tests.support import invoke, run


def get_page() -> dict[str, Any]:
    target = route("get_docs")
    event = proxy_event(
        target,
        method="GET",
        path=target.path,
        query="",
        headers=[],
        body=b"",
        path_parameters={},
        request_id="r",
        source_ip="127.0.0.1",
    )
    return run("get_docs", event)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_document_is_served_without_credentials() -> None:
    answer = invoke("get_openapi", principal=None)

    assert answer.status == 200
    assert answer.body == docs.openapi_document()
    assert answer.headers["Content-Type"] == "application/json"
    assert {(path, method.upper()) for path, item in answer.body["paths"].items() for method in item} == {
        (r.path, r.method) for r in ROUTES
    }


def test_the_page_lists_every_operation_and_schema_without_credentials() -> None:
    result = get_page()
    page = str(result["body"])

    assert result["statusCode"] == 200
    assert result["multiValueHeaders"]["Content-Type"] == ["text/html; charset=utf-8"]
    for r in ROUTES:
        assert f'<h3 id="{r.name}"><span class="method">{r.method.lower()}</span> <code>{r.path}</code></h3>' in page
    for name in docs.openapi_document()["components"]["schemas"]:
        assert f'id="{name}"' in page


def test_the_page_loads_nothing_from_elsewhere() -> None:
    parser = _Tags()
    parser.feed(str(get_page()["body"]))

    assert "script" not in {tag for tag, _ in parser.tags}
    external = [
        attrs
        for _, attrs in parser.tags
        for name in ("src", "href")
        if re.match(r"(https?:)?//", attrs.get(name) or "")
    ]
    assert external == []


def test_text_from_the_document_is_escaped() -> None:
    document = {
        "info": {"title": "<b>API</b>", "version": "1", "description": "a & b"},
        "paths": {"/x": {"get": {"summary": "<script>alert(1)</script>", "operationId": "x", "responses": {}}}},
    }

    page = docs.render_html(document)

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;API&lt;/b&gt;" in page
