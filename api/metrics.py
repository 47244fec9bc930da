"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Receive, Scope, Send


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("prescreen_http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.latency = Histogram("prescreen_http_request_seconds", "HTTP request latency", ["route"], registry=r,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.screenings = Counter("prescreen_screenings", "Screenings recorded", ["stage", "status"], registry=r)
        self.findings = Counter("prescreen_findings", "Findings reported", ["code", "severity"], registry=r)
        self.part_seconds = Histogram("prescreen_screening_part_seconds", "Time per pipeline part", ["part"], registry=r,
                                      buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30))
        self.decisions = Counter("prescreen_decisions", "Decisions recorded", ["decision"], registry=r)
        self.models_loaded = Gauge("prescreen_model_loaded", "1 when a model resource loaded", ["resource", "version"],
                                   registry=r)

    def observe_report(self, stage: str, report: dict) -> None:
        self.screenings.labels(stage, report.get("status", "unknown")).inc()
        for f in report.get("findings", []):
            self.findings.labels(f["code"], f["severity"]).inc()
        for part, ms in report.get("timings_ms", {}).items():
            self.part_seconds.labels(part).observe(ms / 1000)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts requests by route template (never the raw path: ids would explode the label set)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def _send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], name, str(status["code"])).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - start)
