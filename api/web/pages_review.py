"""The reviewer's pages: the queue, a submission with its evidence, the decision, the files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from screening.codes import CODES
from screening.errors import InvalidInput, NotFound
from screening.parsing import parse_decision
from screening.storage.users import SignedIn

from . import compare, present
from .auth import check_csrf, page_session
from .files import INLINE
from .templating import render

router = APIRouter(include_in_schema=False)
reviewer = page_session("reviewer")

PAGE_SIZE = 50
MAX_POS = 10_000_000  # a queue position from a form or link, bounded before any query uses it
SubmissionId = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
# age filter → (min_age_days, max_age_days), calendar days as Store.queue takes them
AGES = {"": ("全部", None, None), "lt1": ("1天以内", None, 1), "1to3": ("1–3天", 1, 3),
        "3to7": ("3–7天", 3, 7), "gt7": ("7天以上", 7, None)}


def queue_filters(stage: str | None, code: str | None, age: str | None) -> dict[str, str]:
    """Only known values survive: the filters go back into links and forms."""
    return {"stage": stage if stage in present.STAGES else "", "code": code if code in CODES else "",
            "age": age if age in AGES else ""}


def _queue(store, filters: dict[str, str], *, limit: int, offset: int) -> tuple[int, list[dict]]:
    total, items, _ = _queue_page(store, filters, limit=limit, offset=offset)
    return total, items


def _queue_page(store, filters: dict[str, str], *, limit: int, offset: int = 0,
                cursor: str | None = None) -> tuple[int, list[dict], str | None]:
    _, lo, hi = AGES[filters["age"]]
    return store.queue_page(stage=filters["stage"] or None, code=filters["code"] or None, min_age_days=lo,
                            max_age_days=hi, limit=limit, offset=offset, cursor=cursor)


def _query(filters: dict[str, str], **more: Any) -> str:
    pairs = {k: v for k, v in {**filters, **more}.items() if v not in ("", None)}
    return urlencode(pairs)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue_page(request: Request, stage: str | None = None, code: str | None = None, age: str | None = None,
               page: int = 1, cursor: str | None = None, done: str | None = None, d: str | None = None,
               session: SignedIn = Depends(reviewer)) -> Response:
    store = request.app.state.store
    filters = queue_filters(stage, code, age)
    page = max(1, min(page, 100_000))
    # "下一页" carries the keyset cursor of the page before (the database seeks, however deep);
    # a page number alone (a jump) is read by offset
    try:
        total, items, next_cursor = _queue_page(store, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                                cursor=cursor or None)
    except InvalidInput:  # a cursor edited by hand or from an older page: start from the page number
        total, items, next_cursor = _queue_page(store, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    rows = []
    names = store.names([i["submission_id"] for i in items])
    for n, item in enumerate(items):
        position = (page - 1) * PAGE_SIZE + n
        age = present.age_of(item["stage"], item["submitted_at"])
        rows.append({**item, "position": position, "age": age, "names": names.get(item["submission_id"], {}),
                     "reasons": [(c, present.reason_title(c, age))
                                 for c in (item.get("priority") or {}).get("reasons") or []],
                     "href": f"/submissions/{quote(item['submission_id'])}?{_query(filters, pos=position)}"})
    return render(request, "queue.html", {
        "rows": rows, "total": total, "counts": store.counts(), "filters": filters, "page": page, "pages": pages,
        "next_cursor": next_cursor,
        "ages": AGES, "codes": CODES, "query": lambda **kw: _query(filters, **kw),
        "done": done if done and len(done) <= 64 else None, "done_decision": present.DECISIONS.get(d or ""),
    })


def _submission_context(request: Request, submission_id: str, filters: dict[str, str], pos: int) -> dict:
    store = request.app.state.store
    report = store.latest_report(submission_id)
    revision = store.revision(submission_id)
    form, findings = revision.form, report.get("findings", [])
    shown = present.shown_findings(findings, form)
    extracted = report.get("extracted") if isinstance(report.get("extracted"), dict) else {}
    docs = present.documents_with_boxes(revision.files, findings, request.app.state.web_files.sniff, extracted)
    decisions = store.decisions(submission_id)
    duplicates = _duplicates(store, submission_id, revision, shown, report)
    current = [d for d in decisions if d["revision"] == revision.revision]
    return {
        "sid": submission_id, "report": report, "form": form, "revision": revision, "findings": shown,
        "groups": present.grouped(shown), "documents": docs, "decisions": decisions,
        "readings": present.extracted_tables(extracted),
        "decided": current[-1] if current else None, "revisions": store.revisions(submission_id),
        "form_rows": present.form_rows(form, present.flagged_fields(findings)),
        "age": present.age_of(form.get("stage", "product"), form.get("submitted_at") or revision.created_at),
        "score_now": present.score_now(report.get("priority") or {}, form.get("stage", "product"),
                                       form.get("submitted_at") or revision.created_at),
        "prefilled": present.prefilled_reasons(findings), "codes": CODES, "duplicates": duplicates,
        "filters": filters, "pos": pos, "back": "/queue?" + _query(filters),
        "file_url": lambda name, sid=submission_id, rev=revision: _file_url(sid, rev, name),
    }


def _duplicates(store, submission_id: str, revision, shown: list, report: dict) -> list[dict]:
    """Each duplicate finding, and each duplicate the report lists, with the other filing's form beside ours."""
    out, seen = [], set()
    pairs = [(f, f.duplicate["this"], f.duplicate["other"]) for f in shown if f.duplicate]
    pairs += [(None, {}, d) for d in report.get("duplicates", []) if isinstance(d, dict)]
    for finding, this, other in pairs:
        other_id = other.get("submission_id")
        key = (other_id, finding.index if finding else None)
        if other_id and any(k[0] == other_id for k in seen) and finding is None:
            continue  # already shown through its finding
        seen.add(key)
        other_form, other_stored = None, None
        if isinstance(other_id, str) and other_id != submission_id:
            try:
                other_stored = store.revision(other_id)
                other_form = other_stored.form
            except NotFound:
                pass
        rows = compare.compare_rows(revision.form, this, other_form, other)
        ev = finding.evidence if finding else {}
        shown = {r["label"] for r in rows}
        extra = [(present.SIDE_LABELS[k], compare.side_value(k, this.get(k)), compare.side_value(k, other.get(k)))
                 for k in sorted(set(this) | set(other)) if k in present.SIDE_LABELS
                 and k not in ("file", "submission_id", "score") and present.SIDE_LABELS[k] not in shown
                 and not isinstance(this.get(k, ""), (dict, list)) and not isinstance(other.get(k, ""), (dict, list))]
        this_file = this.get("file") if isinstance(this.get("file"), str) else None
        other_file = other.get("file") if isinstance(other.get("file"), str) else None
        out.append({
            "finding": finding, "other_id": other_id, "other_known": other_form is not None,
            "score": other.get("score", finding.confidence if finding else None), "rows": rows, "extra": extra,
            "drivers": compare.score_drivers(ev.get("drivers")), "signals": compare.signal_rows(ev.get("signals")),
            "this_image": this_file if this_file and any(f["name"] == this_file for f in revision.files) else None,
            "other_image": (_file_url(other_id, other_stored, other_file)
                            if other_file and other_stored is not None else None),
        })
    return out


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, submission_id: str = SubmissionId, pos: int = 0, stage: str | None = None,
                    code: str | None = None, age: str | None = None, done: str | None = None, d: str | None = None,
                    newer: int | None = None, session: SignedIn = Depends(reviewer)) -> Response:
    filters = queue_filters(stage, code, age)
    try:
        ctx = _submission_context(request, submission_id, filters, max(0, min(pos, 10_000_000)))
    except NotFound:
        return render(request, "message.html", {"title": "未找到", "text": f"没有编号为 {submission_id} 的备案。"},
                      status_code=404)
    ctx.update(done=done if done and len(done) <= 64 else None, done_decision=present.DECISIONS.get(d or ""),
               newer=newer)
    return render(request, "submission.html", ctx)


@router.get("/submissions/{submission_id}/skip")
def skip(request: Request, submission_id: str = SubmissionId, pos: int = 0, stage: str | None = None,
         code: str | None = None, age: str | None = None, session: SignedIn = Depends(reviewer)) -> Response:
    """The queue's next item after this one (which stays in the queue, undecided)."""
    filters = queue_filters(stage, code, age)
    pos = max(0, min(pos, 10_000_000))
    _, nxt = _queue(request.app.state.store, filters, limit=2, offset=pos)
    following = [i for i in nxt if i["submission_id"] != submission_id]
    if not following:
        return RedirectResponse("/queue?" + _query(filters), status_code=303)
    return RedirectResponse(f"/submissions/{quote(following[0]['submission_id'])}?{_query(filters, pos=pos + 1)}",
                            status_code=303)


@router.post("/submissions/{submission_id}/decision")
async def decide(request: Request, submission_id: str = SubmissionId,
                 session: SignedIn = Depends(reviewer)) -> Response:
    form = await request.form(max_files=0, max_fields=600)
    check_csrf(session, str(form.get("csrf_token", "")))
    filters = queue_filters(form.get("stage"), form.get("code"), form.get("age"))
    pos = _int(form.get("pos"), 0)
    if not 0 <= pos <= MAX_POS:  # checked before anything is written: the redirect needs it
        return render(request, "message.html", {"title": "请求有误", "text": "队列位置无效，请返回队列重新打开。"},
                      status_code=422)
    feedback = []
    for key, value in form.multi_items():
        if key.startswith("verdict_") and value in ("confirmed", "false_positive"):
            feedback.append({"finding": _int(key[len("verdict_"):], -1), "verdict": value})
    body = {
        "decision": form.get("decision"),
        "reason_codes": list(dict.fromkeys(str(c) for c in form.getlist("reason_codes"))),
        "feedback": feedback,
        "comment": (str(form.get("comment") or "").strip() or None),
        "revision": _int(form.get("revision"), None),
    }
    try:
        decision = parse_decision(body)
        decision.reviewer = session.user.username  # a signed-in reviewer decides as themself
        out = await run_in_threadpool(request.app.state.service.decide, submission_id, decision,
                                      actor=f"user:{session.user.username}",
                                      client=request.client.host[:64] if request.client else None)
    except (InvalidInput, NotFound) as exc:
        try:
            ctx = _submission_context(request, submission_id, filters, pos)
        except NotFound:
            return render(request, "message.html", {"title": "未找到", "text": exc.message}, status_code=404)
        ctx["error"] = _error_zh(exc)
        return render(request, "submission.html", ctx, status_code=422)
    request.app.state.metrics.decisions.labels(decision.decision).inc()
    store = request.app.state.store
    latest = store.revision(submission_id).revision
    if latest != out["revision"]:  # the filer sent a new version while the reviewer was reading
        return RedirectResponse(f"/submissions/{quote(submission_id)}?{_query(filters, pos=pos, newer=out['revision'])}",
                                status_code=303)
    # the decided item has left the queue: what stands at its position now is the next one
    _, nxt = _queue(store, filters, limit=1, offset=pos)
    if not nxt and pos:
        pos = 0
        _, nxt = _queue(store, filters, limit=1, offset=0)
    done = urlencode({"done": submission_id, "d": out["decision"]})
    if nxt:
        target = f"/submissions/{quote(nxt[0]['submission_id'])}?{_query(filters, pos=pos)}&{done}"
    else:
        target = f"/queue?{_query(filters)}{'&' if _query(filters) else ''}{done}"
    return RedirectResponse(target, status_code=303)


def _file_url(submission_id: str, revision, name: str) -> str | None:
    """A file's link names it by its content hash, never by the client's part name: a name such
    as ``../../OTHER/files/licence.jpg`` would otherwise lead the browser to another filing."""
    sha = next((f["sha256"] for f in revision.files if f["name"] == name), None)
    if sha is None:
        return None
    return f"/submissions/{quote(submission_id, safe='')}/files/{sha}?rev={revision.revision}"


def _int(value: Any, default: int | None) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _error_zh(exc: InvalidInput | NotFound) -> str:
    if exc.field == "reason_codes":
        return "退回或不予通过时，请至少选择一个原因代码。"
    if exc.field == "decision":
        return "请选择审核结论：通过、退回修改或不予通过。"
    if exc.field == "revision":
        return "该备案已有新的版本，请刷新页面后重新审核。"
    return f"无法保存审核结论：{exc.message}（{exc.field or ''}）"


@router.get("/submissions/{submission_id}/files/{name}")
def file_content(request: Request, name: str, submission_id: str = SubmissionId, rev: int | None = None,
                 session: SignedIn = Depends(reviewer)) -> Response:
    store = request.app.state.store
    try:
        revision = store.revision(submission_id, rev)
        # by content hash (the pages' links); a plain name is still found, but only inside this revision
        entry = next((f for f in revision.files if f["sha256"] == name), None) or \
            next((f for f in revision.files if f["name"] == name), None)
        if entry is None:
            raise NotFound(f"no file {name!r}")
        data = store.blobs.get(entry["sha256"])
    except NotFound:
        return Response("未找到该文件", status_code=404, media_type="text/plain; charset=utf-8")
    mime, _, _ = request.app.state.web_files.sniff(entry["sha256"])
    disposition = "inline" if mime in INLINE else "attachment"
    return Response(data, media_type=mime, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(entry['name'].rsplit('/', 1)[-1], safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=86400, immutable",  # the content behind a name+revision never changes
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
