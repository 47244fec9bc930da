"""Loading everything a screening needs, once, at start-up.

A resource that fails to load is logged and left empty; the checks that need it then report
``CHECK_FAILED`` and the report is ``degraded`` — visible in every report and in /healthz,
never a silent pass. One exception: a model file that does not match its manifest's hash
(``CorruptModel``) stops start-up — serving weights nobody trained is worse than not starting.

Every model comes from the registry (``models.registry``): the promoted version of its name,
else the one shipped in models/weights/. ``live_versions`` is what /healthz and each report's
``models`` show: the version each resource answers with now (the served ones follow promotions).
"""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass, field

from models.errors import CorruptModel

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
        from .storage.filed import FiledRecords

        res.verified_codes = store.is_code_verified
        res.filed_records = FiledRecords(store)
        from .storage.register import PatentRegisterStore

        res.patent_register = PatentRegisterStore(store.engine)  # the patent register snapshot (may be empty)

    def attempt(name: str, loader):
        key = VERSION_KEYS.get(name, name)
        try:
            obj = loader()
        except CorruptModel:
            raise
        except Exception as exc:
            log.exception("resource failed to load", extra={"resource": name})
            status.failed[key] = f"{type(exc).__name__}: {exc}"
            return None
        version = getattr(obj, "version", "loaded")
        status.loaded[key] = version
        res.model_versions[key] = version
        return obj

    for name, loader in _loaders(settings, store, ocr if ocr is not None else settings.ocr_enabled):
        setattr(res, name, attempt(name, loader))
    return res, status


VERSION_KEYS = Resources.VERSION_KEYS


def settle_loaded() -> None:
    """Take what is alive now — the loaded models — out of the garbage collector's full passes.

    Called once the models are loaded, before serving. They are millions of objects that live as
    long as the process (the brand dictionary alone: 284k entries and their trie's inner nodes),
    and every full collection walked them all: measured on PostgreSQL, one pass per ~200
    screenings took 303 ms with every thread stopped; 17 ms after this."""
    gc.collect()
    gc.freeze()


def live_versions(res: Resources) -> dict[str, str]:
    """Each loaded resource's version as it answers now (a promotion or rollback shows at once)."""
    return res.live_versions()


def _loaders(settings: Settings, store: Store | None, with_ocr: bool):
    """(slot, loader) pairs, in load order. The sentence embedder is loaded once and shared by
    the text models and duplicate search."""
    from functools import cache

    from models.brand_lexicon import BrandLexicon
    from models.embedder import SentenceEmbedder
    from models.name_tagger import NameTagger
    from models.registry import Registry
    from models.text_calibration import TextCalibration
    from models.text_feedback import ServedTextFeedback
    from models.text_heads import TextHeads
    from models.text_screener import TextScreener

    from .learned_priority import served_prioritizer

    registry = Registry(settings.registry_dir)

    def in_service(name: str):
        version = registry.in_service(name)
        if version is None:
            raise FileNotFoundError(f"no {name} model: none shipped in models/weights/ and none promoted")
        return registry.path(name, version)

    embedder = cache(lambda: SentenceEmbedder.load(in_service("sentence-embedder")))

    def text_screener():
        # the brand dictionary and the calibration are fitted to the tagger and heads they ship
        # with; they go through the registry like every other model
        return TextScreener.from_parts(embedder(), NameTagger.load(in_service("name-tagger")),
                                       TextHeads.load(in_service("text-heads")),
                                       BrandLexicon.load(in_service("brand-lexicon")),
                                       TextCalibration.load(in_service("text-calibration")))

    out = []
    if with_ocr:
        out.append(("ocr", lambda: load_readers(settings)))
    out.append(("text", text_screener))
    # reviewers' false positives, learned (prescreen train text-feedback); follows the registry alias
    out.append(("text_feedback", lambda: ServedTextFeedback(settings.registry_dir, embedder())))
    # the learned priority follows the registry's alias (the severity prior until one is promoted)
    out.append(("prioritizer", lambda: served_prioritizer(settings.registry_dir, store)))
    if store is not None:  # duplicate search needs the database; its index lives under data_dir/index
        from screening.duplicates import DuplicateSearch

        from models.pair_scorer import served_pair_scorer  # the registry's promoted scorer, else the shipped one

        from models.photo_kind import PhotoKindClassifier

        from screening.duplicates.vector_index import set_search_threads

        def duplicates():
            set_search_threads(settings.index_threads)
            return DuplicateSearch.open(
                settings.data_dir, store, embedder(), scorer=served_pair_scorer(settings.registry_dir),
                photo_kind=PhotoKindClassifier.load(in_service("photo-kind")))

        out.append(("duplicates", duplicates))
    return out


def load_readers(settings: Settings):
    """The document readers as the settings say (engine, threads, timeout, model folders): the
    one place ``ocr`` gets its configuration, for the service, ``prescreen read`` and the
    evaluation alike."""
    from ocr.readers import DocumentReaders

    from .validators.uscc import CODE_RULES

    if settings.ocr_engine.lower() == "paddleocr":
        # paddlex reads this from the environment when it is imported: no download check offline
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    return DocumentReaders.load(CODE_RULES, engine=settings.ocr_engine, timeout_s=settings.ocr_timeout_s,
                                threads=settings.ocr_threads, det_dir=settings.paddle_det_dir,
                                rec_dir=settings.paddle_rec_dir)


def build_pipeline(settings: Settings, store: Store | None, *, ocr: bool | None = None) -> tuple[Pipeline, LoadReport]:
    resources, status = load_resources(settings, store, ocr=ocr)
    return Pipeline(default_checks(), resources), status
