"""Prometheus metrics: requests, latency, verdicts, analysis errors and the job queue.

Each app gets its own registry, so several apps (tests) never clash. Requests are labelled by
their route template (``/v1/jobs/{job_id}``), never by the raw path.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)


class _QueueCollector(Collector):
    def __init__(self, depth: Callable[[], dict[str, int]], inflight: Callable[[], int]) -> None:
        self._depth = depth
        self._inflight = inflight

    def collect(self) -> list[GaugeMetricFamily]:
        queue = GaugeMetricFamily(
            "closecheck_job_queue_depth", "Job items waiting or running, by state.", labels=["state"]
        )
        for state, n in self._depth().items():
            queue.add_metric([state], n)
        inflight = GaugeMetricFamily(
            "closecheck_requests_analysing", "Synchronous analyses in flight right now."
        )
        inflight.add_metric([], self._inflight())
        return [queue, inflight]


class Metrics:
    def __init__(self, depth: Callable[[], dict[str, int]], inflight: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "closecheck_http_requests",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "closecheck_http_request_duration_seconds",
            "HTTP request latency by method and route.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.verdicts = Counter(
            "closecheck_verdicts",
            "Verdicts given, by verdict and by where the screenshot came from (check | job).",
            ["verdict", "source"],
            registry=self.registry,
        )
        self.analysis_errors = Counter(
            "closecheck_analysis_errors",
            "Screenshots that could not be analysed, by error code and source.",
            ["code", "source"],
            registry=self.registry,
        )
        self.registry.register(_QueueCollector(depth, inflight))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Count every HTTP request and time it, labelled by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = str(getattr(route, "path", "")) or "unmatched"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - start)
