"""Loading everything a screening needs, once, at start-up.

A resource that fails to load is logged and left empty; the checks that need it then report
``CHECK_FAILED`` and the report is ``degraded`` — visible in every report and in /healthz,
never a silent pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .checks import default_checks
from .pipeline import Pipeline, Resources
from .settings import Settings
from .storage import Store

log = logging.getLogger(__name__)


@dataclass
class LoadReport:
    loaded: dict[str, str] = field(default_factory=dict)  # name -> version
    failed: dict[str, str] = field(default_factory=dict)  # name -> error


def load_resources(settings: Settings, store: Store | None, *, ocr: bool | None = None) -> tuple[Resources, LoadReport]:
    res = Resources()
    status = LoadReport()
    if store is not None:
        res.verified_codes = store.is_code_verified
        from .storage.register import PatentRegisterStore

        res.patent_register = PatentRegisterStore(store.engine)  # the patent register snapshot (may be empty)

    def attempt(name: str, loader):
        try:
            obj = loader()
        except Exception as exc:
            log.exception("resource failed to load", extra={"resource": name})
            status.failed[name] = f"{type(exc).__name__}: {exc}"
            return None
        version = getattr(obj, "version", "loaded")
        status.loaded[name] = version
        res.model_versions[name] = version
        return obj

    for name, loader in _loaders(settings, store, ocr if ocr is not None else settings.ocr_enabled):
        setattr(res, name, attempt(name, loader))
    return res, status


def _loaders(settings: Settings, store: Store | None, with_ocr: bool):
    """(slot, loader) pairs, in load order. The sentence embedder is loaded once and shared by
    the text models and duplicate search."""
    from functools import cache

    from models.embedder import SentenceEmbedder
    from models.text_feedback import ServedTextFeedback
    from models.text_screener import TextScreener

    from .learned_priority import served_prioritizer

    embedder = cache(SentenceEmbedder.load_default)
    out = []
    if with_ocr:
        from ocr.readers import DocumentReaders

        from .validators.uscc import CODE_RULES

        out.append(("ocr", lambda: DocumentReaders.load(CODE_RULES)))
    out.append(("text", lambda: TextScreener.load_default(embedder())))
    # reviewers' false positives, learned (prescreen train text-feedback); follows the registry alias
    out.append(("text_feedback", lambda: ServedTextFeedback(settings.registry_dir, embedder())))
    # the learned priority follows the registry's alias (the severity prior until one is promoted)
    out.append(("prioritizer", lambda: served_prioritizer(settings.registry_dir, store)))
    if store is not None:  # duplicate search needs the database; its index lives under data_dir/index
        from screening.duplicates import DuplicateSearch

        from models.pair_scorer import served_pair_scorer  # the registry's promoted scorer, else the shipped one

        out.append(("duplicates", lambda: DuplicateSearch.open(settings.data_dir, store, embedder(),
                                                               scorer=served_pair_scorer(settings.registry_dir))))
    return out


def build_pipeline(settings: Settings, store: Store | None, *, ocr: bool | None = None) -> tuple[Pipeline, LoadReport]:
    resources, status = load_resources(settings, store, ocr=ocr)
    return Pipeline(default_checks(), resources), status
