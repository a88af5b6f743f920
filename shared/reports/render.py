"""The report page as HTML: one Jinja2 template with autoescaping, no script and nothing to fetch, and
the headers that keep a browser to that (Content-Security-Policy and the rest). Imported by the report
functions alone: no other function loads Jinja2."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from shared.domain.reports import Report
from shared.reports.page import report_page

TEMPLATES = Path(__file__).with_name("templates")
CONTENT_TYPE = f"{content_types.TEXT_HTML}; charset=utf-8"
# Inline styles only, and nothing else: no script, no font, image, frame or connection of any kind.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}
# A share link's page is not for search engines.
PUBLIC_HEADERS = {**HEADERS, "X-Robots-Tag": "noindex"}

# Characters that reorder text around them (bidirectional overrides, embeddings, isolates and marks):
# shown as their code point, so a candidate's text cannot make the page read otherwise than it is.
_BIDI_CONTROLS = "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
# What HTML does not allow in text (controls but tab and line ends, lone surrogates, noncharacters).
_NOT_IN_HTML = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"


def inert_text(value: Any) -> Any:
    """Text as the page prints it (escaped afterwards by autoescape): reordering controls made visible,
    characters HTML forbids replaced. Every value the template prints passes through here."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    shown = re.sub(_BIDI_CONTROLS, lambda found: f"[U+{ord(found.group()):04X}]", value)
    return re.sub(_NOT_IN_HTML, "\ufffd", shown)


@cache
def _environment() -> Environment:
    """Built once per process: the template is compiled on the first page and kept."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=inert_text,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render_report(report: Report) -> str:
    """The report's page."""
    return _environment().get_template("report.html").render(page=report_page(report))


def report_response(report: Report) -> Response[str]:
    """The answer carrying the report's page, with the headers that keep it inert."""
    return Response(
        status_code=200,
        content_type=CONTENT_TYPE,
        body=render_report(report),
        headers=PUBLIC_HEADERS if report.shared else HEADERS,
    )
