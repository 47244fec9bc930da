"""JSON → contract dataclasses, with errors that name the field at fault.

One small type-directed reader instead of a schema library: the pipeline stays free of the
HTTP layer's pydantic, and the CLI and the API report the same precise errors
(``InvalidInput(field="entity.figures_wan.net_profit")``). Unknown keys are ignored so the
pipeline may add fields before we read them (CONTRACT.md: "add to it freely").
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from .codes import CODES
from .contract import Decision, Submission
from .errors import InvalidInput

MAX_STRING = 20_000  # an intro may be long (we flag >500), but not megabytes
MAX_LIST = 500
# fullmatch, never ``$``: ``$`` also matches before a final newline, and "NL-1\n" would pass
SUBMISSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
# a date-time the database, the UTC conversion and the working-day arithmetic all hold
YEARS = (1990, 2200)
MAX_REVISION = 1_000_000
MAX_FINDING = 10_000


def parse_submission_json(text: str | bytes) -> Submission:
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"submission is not valid JSON: {exc}", field="submission") from None
    except RecursionError:  # nesting deeper than the parser's stack, even under a key we ignore
        raise InvalidInput("submission JSON is nested too deeply", field="submission") from None
    return parse_submission(data)


def parse_submission(data: Any) -> Submission:
    sub = _read(data, Submission, "")
    if not SUBMISSION_ID.fullmatch(sub.submission_id):
        raise InvalidInput(
            "submission_id must be 1–64 characters of letters, digits, '.', '_' or '-'", field="submission_id"
        )
    if sub.filed_submission_id is not None and not SUBMISSION_ID.match(sub.filed_submission_id):
        raise InvalidInput("filed_submission_id must be a submission_id (1–64 characters of letters, digits, "
                           "'.', '_' or '-')", field="filed_submission_id")
    if sub.stage == "revocation" and sub.filed_submission_id is None and (sub.product is None or sub.entity is None):
        # a withdrawal must say which filed product it withdraws: its filing, or the entity and product
        raise InvalidInput("a revocation names the filed product: filed_submission_id, or the entity and product",
                           field="filed_submission_id")
    if sub.revocation is not None and sub.stage != "revocation":
        raise InvalidInput("revocation belongs to stage 'revocation' only", field="revocation")
    names = [d.file for d in sub.documents]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise InvalidInput(f"file {name!r} is named by two documents", field=f"documents[{i}].file")
    return sub


def parse_decision(data: Any) -> Decision:
    data = _finding_codes_as_code(data)
    decision = _read(data, Decision, "")
    if decision.revision is not None and not 1 <= decision.revision <= MAX_REVISION:
        raise InvalidInput(f"a revision is a number from 1 to {MAX_REVISION}", field="revision")
    for i, code in enumerate(decision.reason_codes):
        if code not in CODES:
            raise InvalidInput(f"unknown finding code {code!r}", field=f"reason_codes[{i}]")
    if decision.decision in ("rejected", "returned") and not decision.reason_codes:
        raise InvalidInput("a rejected or returned submission needs at least one reason code", field="reason_codes")
    for i, fb in enumerate(decision.feedback):
        if fb.finding is not None and not 0 <= fb.finding < MAX_FINDING:
            raise InvalidInput(f"a finding's position is from 0 to {MAX_FINDING - 1}", field=f"feedback[{i}].finding")
        if fb.finding is None and fb.code is None:
            raise InvalidInput("name the finding by its position ('finding') or its 'code'", field=f"feedback[{i}]")
        if fb.code is not None and fb.code not in CODES:
            raise InvalidInput(f"unknown finding code {fb.code!r}", field=f"feedback[{i}].code")
    if decision.comment is not None and len(decision.comment) > 5000:
        raise InvalidInput("at most 5000 characters", field="comment")
    return decision


def _finding_codes_as_code(data: Any) -> Any:
    """README's form names a finding by position or code in one key (``"finding": 0`` or
    ``"finding": "NAME_BRAND"``); the older separate ``code`` key is still read. A code given as
    ``finding`` moves to ``code``, checked here so that its error names ``feedback[i].finding``."""
    if not isinstance(data, dict) or not isinstance(data.get("feedback"), list):
        return data
    items = []
    for i, fb in enumerate(data["feedback"]):
        if isinstance(fb, dict) and isinstance(fb.get("finding"), str):
            code = fb["finding"].strip()
            if code not in CODES:
                raise InvalidInput(f"unknown finding code {code!r}", field=f"feedback[{i}].finding")
            if fb.get("code") not in (None, code):
                raise InvalidInput(f"'finding' names {code} but 'code' names {fb['code']}", field=f"feedback[{i}].finding")
            fb = {**fb, "finding": None, "code": code}
        items.append(fb)
    return {**data, "feedback": items}


def _path(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _read(value: Any, tp: Any, path: str) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _read(value, args[0], path) if len(args) == 1 else value
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise InvalidInput(f"must be one of {', '.join(map(str, allowed))}; got {value!r}", field=path or None)
        return value
    if origin is list:
        if not isinstance(value, list):
            raise InvalidInput(f"must be a list, got {_kind(value)}", field=path)
        if len(value) > MAX_LIST:
            raise InvalidInput(f"at most {MAX_LIST} items", field=path)
        (item_tp,) = get_args(tp)
        return [_read(v, item_tp, f"{path}[{i}]") for i, v in enumerate(value)]
    if is_dataclass(tp):
        return _read_dataclass(value, tp, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"must be true or false, got {_kind(value)}", field=path)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise InvalidInput(f"must be an integer, got {_kind(value)}", field=path)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"must be a number (万元 unless the field says _yuan), got {_kind(value)}", field=path)
        if not math.isfinite(value) or abs(value) > 1e12:
            raise InvalidInput("must be a finite number below 10¹²", field=path)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise InvalidInput(f"must be a string, got {_kind(value)}", field=path)
        if len(value) > MAX_STRING:
            raise InvalidInput(f"at most {MAX_STRING} characters", field=path)
        if "\x00" in value:
            raise InvalidInput("must not contain NUL characters", field=path)
        try:  # a lone surrogate (JSON "\\ud800") decodes but can be neither stored nor sent back
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("must be valid Unicode text (a lone surrogate was sent)", field=path) from None
        return value
    if tp is datetime:
        if not isinstance(value, str):
            raise InvalidInput(f"must be an ISO 8601 date-time string, got {_kind(value)}", field=path)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"must be an ISO 8601 date-time, got {value!r}", field=path) from None
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            raise InvalidInput(f"must be a date-time between the years {YEARS[0]} and {YEARS[1]}", field=path)
        return parsed
    raise TypeError(f"unsupported type {tp!r} at {path}")  # a programming error, not input


_HINTS: dict[type, tuple[dict[str, Any], tuple]] = {}


def _hints(cls: type) -> tuple[dict[str, Any], tuple]:
    """Resolved field types per class, computed once (get_type_hints is costly per call)."""
    if cls not in _HINTS:
        module = vars(__import__(cls.__module__, fromlist=["_"]))
        _HINTS[cls] = (get_type_hints(cls, globalns=vars(typing) | module), fields(cls))
    return _HINTS[cls]


def _read_dataclass(value: Any, cls: type, path: str) -> Any:
    if not isinstance(value, dict):
        raise InvalidInput(f"must be an object, got {_kind(value)}", field=path or "submission")
    hints, cls_fields = _hints(cls)
    kwargs = {}
    for f in cls_fields:
        sub = _path(path, f.name)
        if f.name not in value or value[f.name] is None:
            required = f.default is MISSING and f.default_factory is MISSING
            if required:
                raise InvalidInput("is required", field=sub)
            continue
        kwargs[f.name] = _read(value[f.name], hints[f.name], sub)
    return cls(**kwargs)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )
