"""The FastAPI application factory: models and the database are opened once, here."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from screening.pipeline import Pipeline
from screening.resources import LoadReport, build_pipeline, settle_loaded
from screening.service import ScreeningService
from screening.settings import Settings, get_settings
from screening.storage import Store, open_store

from .errors import LastResort, install_error_handlers
from .limits import BodySizeLimit
from .metrics import Metrics, MetricsMiddleware
from .schemas import ErrorOut
from .routes import audit, health, jobs, queue, screenings, verified_codes
from .web import install_web

log = logging.getLogger(__name__)

DESCRIPTION = """
prescreen reads every patent-product filing (专利产品备案) before a reviewer does: it checks
the form against the rules, reads the uploaded licence and profit statement, flags naming
defects, finds duplicate filings, and orders the review queue by priority.

Pipeline calls authenticate with an API key (`Authorization: Bearer psk_…`, created with
`prescreen keys create NAME`). Money is in 万元 unless a field name says `_yuan`.
Errors are `{"error", "message", "field"}` with the dotted path of the field at fault.
"""


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    pipeline: Pipeline | None = None,
    load_report: LoadReport | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    if store is None:
        store = open_store(settings.sqlalchemy_url, settings.files_dir)
    if pipeline is None:
        pipeline, load_report = build_pipeline(settings, store)
    # what any operation may answer, whatever its own list says: a body that cannot be parsed
    # (400), stalls (408) or is too large (413), and a database or storage that is down (503)
    everywhere = {code: {"model": ErrorOut, "description": text} for code, text in (
        (400, "the body cannot be parsed"), (408, "the request body stalled"), (413, "the request body is too large"),
        (503, "the database or the upload storage is unavailable; nothing was written"))}
    service = ScreeningService(pipeline, store)
    runner = service.make_runner(threads=settings.job_threads, lease_s=settings.job_lease_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # the job workers live as long as the server: started here, not at import or app creation
        if runner.threads:
            runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(title="prescreen", version="0.1.0", description=DESCRIPTION, docs_url="/docs", responses=everywhere,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.service = service
    app.state.load_report = load_report or LoadReport(loaded=dict(pipeline.resources.model_versions))
    app.state.metrics = Metrics()
    for name, version in app.state.load_report.loaded.items():
        app.state.metrics.models_loaded.labels(name, version).set(1)

    install_error_handlers(app)
    for router in (screenings.router, jobs.router, queue.router, verified_codes.router, audit.router, health.router):
        app.include_router(router)
    install_web(app)  # the reviewer pages, and sign-in sessions for the JSON API
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes, timeout_s=settings.body_timeout_s)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(LastResort)  # outermost: errors nothing else handled, logged once
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``prescreen serve --workers N`` process: settings and logging from the
    environment, as the parent read them."""
    from .logging_setup import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    app = create_app(settings)
    settle_loaded()  # the models are loaded: no full collection walks them again
    return app
