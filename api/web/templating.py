"""Jinja2 templates and the headers every page is sent with."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from markdown_it import MarkdownIt
from markupsafe import Markup
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from screening.money import format_money

from . import present
from .labels import metric_label, metrics_view, source_label
from .auth import signed_in

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
env = templates.env
env.globals.update(
    code_title=present.code_title, field_label=present.field_label, stages=present.STAGES,
    severity_label=present.SEVERITY_LABEL, decisions_zh=present.DECISIONS, verdicts_zh=present.VERDICTS,
    documents_zh=present.DOCUMENTS, china_time=present.china_time,
)
env.filters["pct"] = lambda v: "—" if v is None else f"{100 * float(v):.0f}%"
env.filters["num"] = lambda v: "—" if v is None else (f"{v:,.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else v)
env.filters["tojson_zh"] = lambda v: json.dumps(v, ensure_ascii=False, indent=1)
env.filters["money"] = lambda v, unit="万元": format_money(v, unit)
env.filters["markdown"] = lambda text: Markup(_MARKDOWN.render(text or ""))
env.globals.update(metric_label=metric_label, metrics_view=metrics_view, source_label=source_label)

# model cards are markdown written by whoever trained the model: raw HTML in them is escaped
# (html=False), links other than http(s)/mailto/relative are refused (markdown-it's validateLink)
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

# no asset from outside, no inline script; inline style attributes are not needed either
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    session = signed_in(request)
    ctx = {"session": session, "user": session.user if session else None,
           "csrf": session.csrf_token if session else "", "path": request.url.path, "qs": urlencode}
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
