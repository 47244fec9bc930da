"""Data scientists' page (models in service, registry cards and plots, false positives by code)
and the administrator's account page."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from screening.errors import Conflict, InvalidInput, NotFound
from screening.storage.user_tables import ROLES
from screening.storage.users import SignedIn

from . import present
from .auth import check_csrf, page_session
from .labels import metric_label
from .templating import render

router = APIRouter(include_in_schema=False)
scientist = page_session("data_scientist")
admin = page_session("admin")

CARD_NAMES = ("card.md", "MODEL_CARD.md", "model_card.md", "README.md")
PLOT_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg"}
ROLE_ZH = {"reviewer": "审核员", "data_scientist": "数据科学家", "admin": "管理员"}


def registry_entries(root: Path, in_service: dict[str, str], *, max_depth: int = 4) -> list[dict]:
    """Every model directory under ``root`` (one with a manifest.json), newest first.

    Reads only what models.base writes (manifest.json) plus any card and plots beside it, so
    it shows whatever the registry holds without depending on its code."""
    if not root.is_dir():
        return []
    entries = []
    for manifest in _manifests(root, max_depth):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        directory = manifest.parent
        card = next((directory / n for n in CARD_NAMES if (directory / n).is_file()), None)
        plots = sorted(str(p.relative_to(root)) for p in directory.rglob("*") if p.suffix.lower() in PLOT_SUFFIXES
                       and p.is_file() and p.stat().st_size < 5_000_000)
        name, version = str(data.get("name", directory.name)), str(data.get("version", "?"))
        entries.append({
            "name": name, "version": version, "kind": data.get("kind"), "created_at": data.get("created_at"),
            "metrics": data.get("metrics") or {}, "recipe": data.get("recipe") or {}, "data_hash": data.get("data_hash"),
            "path": str(directory.relative_to(root)), "plots": plots,
            "card": card.read_text(encoding="utf-8", errors="replace")[:20_000] if card else None,
            "in_service": in_service.get(name) == version or in_service.get(str(data.get("kind"))) == version,
        })
    return sorted(entries, key=lambda e: (not e["in_service"], e["name"], str(e["created_at"] or "")))


def registry_state(root: Path) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """The version each model name has in service per the registry's alias, and its latest
    events (registered, promoted, refused, rolled back), newest first. Empty when the
    registry module or folder is not there: the page then shows what the manifests say."""
    try:
        from models.registry import Registry
    except ImportError:
        return {}, {}
    registry = Registry(root)
    serving, events = {}, {}
    for name in registry.names():
        try:
            version = registry.serving(name)
            if version:
                serving[name] = version
            events[name] = list(reversed(registry.events(name)[-8:]))
        except (OSError, ValueError, KeyError):  # a damaged alias or log is shown as absent, not a 500
            continue
    return serving, events


MODEL_ZH = {"sentence-embedder": "句向量模型", "name-tagger": "产品名称标注模型", "text-heads": "文本分类头",
            "brand-lexicon": "品牌词典", "text-calibration": "名称问题置信度校准", "text-feedback": "文本误报过滤",
            "pair-scorer": "重复申报判定模型", "photo-kind": "照片类型识别", "priority": "审核优先级"}
MAX_FIGURES = 12  # metrics shown inline per model; the rest are in the row's details


def models_in_service(root: Path) -> list[dict]:
    """Every model name with the version that answers now: the promoted one, else the built-in
    version shipped in models/weights/ (which the registry's own listing does not show, being
    never copied into it). One row each, with its data hash and figures."""
    try:
        from models.base import Manifest
        from models.registry import Registry
    except ImportError:
        return []
    registry = Registry(root)
    rows = []
    for name in registry.names():
        try:
            version = registry.in_service(name)
            if version is None:
                continue
            directory = registry.path(name, version)
            manifest = Manifest.read(directory)
        except (OSError, ValueError, KeyError, NotFound):  # a damaged alias or manifest: shown as absent, not a 500
            continue
        metrics = manifest.metrics or {}
        builtin = registry.serving(name) is None
        card = next((directory / n for n in CARD_NAMES if (directory / n).is_file()), None)
        rows.append({"name": name, "label": MODEL_ZH.get(name, name), "version": version,
                     "builtin": builtin, "data_hash": manifest.data_hash,
                     "figures": [("·".join(metric_label(part) for part in key.split(".")), value)
                                 for key, value in _figures(metrics)[:MAX_FIGURES]], "metrics": metrics,
                     # a promoted version's card and plots are in the registry's list below already
                     "card": card.read_text(encoding="utf-8", errors="replace")[:20_000] if builtin and card else None,
                     "plots": [f"/models/shipped/{name}/{p.name}" for p in sorted(directory.iterdir())
                               if builtin and p.suffix.lower() in PLOT_SUFFIXES and p.is_file()]})
    return rows


def _figures(metrics: dict) -> list[tuple[str, object]]:
    """The manifest's figures; those under "fixed" (the same, keyed by evaluation set for the
    promotion gate) only when there are no others."""
    top = _numbers({k: v for k, v in metrics.items() if k != "fixed"})
    return top or _numbers(metrics.get("fixed") or {})


def _numbers(metrics: dict, prefix: str = "") -> list[tuple[str, object]]:
    """The numeric values, nested keys joined by '.' (set hashes and the promotion gate's
    directions are not figures)."""
    out = []
    for key, value in metrics.items():
        if key in ("gate", "hash", "promote_when", "compared_with"):
            continue
        if isinstance(value, dict):
            out += _numbers(value, f"{prefix}{key}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append((f"{prefix}{key}", value))
    return out


def _manifests(root: Path, max_depth: int) -> list[Path]:
    found = []
    for depth in range(1, max_depth + 1):
        found += sorted(root.glob("/".join(["*"] * depth) + "/manifest.json"))
    return found


@router.get("/models")
def models_page(request: Request, session: SignedIn = Depends(scientist)) -> Response:
    state = request.app.state
    in_service = state.service.pipeline.resources.live_versions()  # what answers now (promotions swap)
    root = Path(state.settings.registry_dir)
    decisions = state.store.decisions()
    rates = present.false_positive_rates(decisions)
    serving, events = registry_state(root)
    entries = registry_entries(root, in_service)
    for e in entries:
        e["promoted"] = serving.get(e["path"].split("/")[0]) == e["version"]
    entries.sort(key=lambda e: (not (e["in_service"] or e["promoted"]), e["name"], str(e["created_at"] or "")))
    return render(request, "models.html", {
        "in_service": in_service, "models": models_in_service(root), "failed": dict(getattr(state.load_report, "failed", {}) or {}),
        "registry_root": str(root), "entries": entries, "rates": rates, "serving": serving, "events": events,
        "n_decisions": len(decisions), "n_feedback": sum(r["n"] for r in rates),
    })


@router.get("/models/files/{path:path}")
def registry_file(request: Request, path: str, session: SignedIn = Depends(scientist)) -> Response:
    root = Path(request.app.state.settings.registry_dir).resolve()
    target = (root / path).resolve()
    if root not in target.parents or target.suffix.lower() not in PLOT_SUFFIXES or not target.is_file():
        return Response("未找到该文件", status_code=404, media_type="text/plain; charset=utf-8")
    mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Response(target.read_bytes(), media_type=mime,
                    headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})


@router.get("/models/shipped/{name}/{filename}")
def shipped_file(request: Request, name: str, filename: str, session: SignedIn = Depends(scientist)) -> Response:
    """A plot shipped beside a built-in model (models/weights/<name>/), e.g. the calibration's reliability."""
    from models.registry import Registry

    try:
        builtin = Registry(request.app.state.settings.registry_dir).builtin(name)
    except NotFound:
        builtin = None
    target = builtin.path / filename if builtin is not None else None
    if (target is None or target.resolve().parent != builtin.path.resolve() or target.suffix.lower() not in PLOT_SUFFIXES
            or not target.is_file()):
        return Response("未找到该文件", status_code=404, media_type="text/plain; charset=utf-8")
    return Response(target.read_bytes(), media_type=mimetypes.guess_type(target.name)[0] or "application/octet-stream",
                    headers={"X-Content-Type-Options": "nosniff"})


@router.get("/admin/users")
def users_page(request: Request, session: SignedIn = Depends(admin), error: str | None = None,
               ok: str | None = None) -> Response:
    return render(request, "users.html", {"users": request.app.state.users.list_users(), "roles": ROLES,
                                          "role_zh": ROLE_ZH, "error": error, "ok": ok})


@router.post("/admin/users")
async def users_action(request: Request, session: SignedIn = Depends(admin)) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    check_csrf(session, str(form.get("csrf_token", "")))
    users = request.app.state.users
    action, username = str(form.get("action", "")), str(form.get("username", "")).strip()
    actor = f"user:{session.user.username}"
    try:
        if action == "create":
            await run_in_threadpool(users.create_user, username, str(form.get("password", "")),
                                    str(form.get("role", "")), actor=actor,
                                    display_name=str(form.get("display_name", "")).strip() or None)
            message = f"已创建账号 {username}"
        elif action in ("disable", "enable"):
            if username == session.user.username:
                raise InvalidInput("不能停用自己的账号", field="username")
            await run_in_threadpool(users.set_disabled, username, action == "disable", actor=actor)
            message = f"已{'停用' if action == 'disable' else '启用'}账号 {username}"
        else:
            raise InvalidInput("unknown action", field="action")
    except (InvalidInput, Conflict, NotFound) as exc:
        return render(request, "users.html", {"users": users.list_users(), "roles": ROLES, "role_zh": ROLE_ZH,
                                              "error": _user_error_zh(exc), "ok": None}, status_code=422)
    return RedirectResponse("/admin/users?" + urlencode({"ok": message}), status_code=303)


def _user_error_zh(exc) -> str:
    if isinstance(exc, Conflict):
        return "该用户名已存在。"
    zh = {"username": "用户名须为2–64位字母、数字或 . _ -。", "password": "密码至少10位。", "role": "请选择角色。"}
    return exc.message if exc.message.startswith("不能") else zh.get(exc.field, exc.message)
