"""``/metrics``: the installation's numbers in the Prometheus text format (docs/metrics.md).

Two kinds of numbers:

- What the web processes count themselves (requests by view name, method and status, their
  latency, requests in progress). Every gunicorn worker writes them to memory-mapped files in
  prometheus-client's multiprocess directory (``PROMETHEUS_MULTIPROC_DIR``, set in settings.py
  before the first metric exists), and a scrape of any worker adds up the files of all of them,
  so the numbers do not depend on which worker answers. ``metrics_gunicorn.child_exit`` removes
  the live gauges of a worker that has ended; its counters stay, so totals never go backwards.
- What the database knows, computed at the scrape (:class:`DatabaseCollector`): the task queue,
  pending e-mails, dead letters, and the totals that apps above core register with
  :func:`register_total` (bookings, submissions), so core imports no app (ADR 0014).

Access: ``Authorization: Bearer <RATHAUS_METRICS_TOKEN>``, or a client address in
``RATHAUS_METRICS_NETWORKS`` (read like the rate limits, through trusted proxies only). With
neither set, ``/metrics`` does not exist (404); a request that has neither gets 403.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics import Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from rathaus.core.models import OutgoingEmail
from rathaus.core.ratelimit import client_address
from rathaus.core.taskqueue import queue_state

# Seconds; from a cached page (a few ms) to an upload that is scanned and stored.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "rathaus_http_requests",
    "HTTP requests answered, by view name, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "rathaus_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view name and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
_in_progress: list[Gauge] = []


def _own_directory() -> None:
    """Create the multiprocess directory; a process's own one goes when the process ends."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    if directory.name == f"process-{os.getpid()}":
        atexit.register(shutil.rmtree, directory, ignore_errors=True)


def in_progress_gauge() -> Gauge:
    """Made by the first middleware, not at import: an unlabelled gauge writes its file at once,
    and the worker and management commands, which import this module, serve no requests."""
    if not _in_progress:
        _own_directory()
        _in_progress.append(
            Gauge(
                "rathaus_http_requests_in_progress",
                "Requests being answered right now, over the live web worker processes.",
                multiprocess_mode="livesum",
            )
        )
    return _in_progress[0]


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "unnamed"
    # Answered before the URL was resolved: WhiteNoise's static files, or no URL matched.
    static_url = settings.STATIC_URL or "/static/"
    return "static" if request.path.startswith(static_url) else "unmatched"


class MetricsMiddleware:
    """Counts every request and times it; the outermost middleware, so it sees every answer.

    The labelled children are looked up once per label combination and kept, so a request costs
    a dictionary lookup and a few writes to the memory-mapped files (docs/metrics.md measures it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._in_progress = in_progress_gauge()
        self._counters: dict[tuple[str, str, str], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        self._in_progress.inc()
        try:
            response = self.get_response(request)
        finally:
            self._in_progress.dec()
        elapsed = time.perf_counter() - started
        method = request.method if request.method in METHODS else "other"
        view = _view_label(request)
        key = (view, method, str(response.status_code))
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = REQUESTS.labels(*key)
        counter.inc()
        histogram = self._histograms.get(key[:2])
        if histogram is None:
            histogram = self._histograms[key[:2]] = LATENCY.labels(view, method)
        histogram.observe(elapsed)
        return response


# --- numbers from the database, computed at the scrape ------------------------------------------


@dataclass(frozen=True)
class Total:
    """A number an app reports at each scrape: ``count()`` gives {label value: number}."""

    name: str
    documentation: str
    label: str  # the one label's name; "" for a plain number under the key ""
    count: Callable[[], Mapping[str, float]]


_totals: dict[str, Total] = {}


def register_total(
    name: str, documentation: str, count: Callable[[], Mapping[str, float]], label: str = ""
) -> None:
    """Report ``count()`` as the gauge ``name`` at each scrape (called in ``AppConfig.ready``)."""
    _totals[name] = Total(name, documentation, label, count)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class DatabaseCollector:
    """The queue, the outbox and the registered totals, read from the database at the scrape."""

    def collect(self) -> Iterator[Metric]:
        try:
            metrics = list(self._database_metrics())
        except DatabaseError:
            yield _gauge("rathaus_database_up", "1 if the database answered this scrape.", 0)
            return
        yield _gauge("rathaus_database_up", "1 if the database answered this scrape.", 1)
        yield from metrics

    def _database_metrics(self) -> Iterator[Metric]:
        state = queue_state()
        yield _gauge(
            "rathaus_workers_alive", "Task workers with a recent heartbeat.", state["workers"]
        )
        yield _gauge("rathaus_tasks_queued", "Tasks waiting for a worker.", state["queued_tasks"])
        oldest = state["oldest_queued_seconds"]
        yield _gauge(
            "rathaus_tasks_oldest_queued_age_seconds",
            "How long the oldest waiting task has waited (0 when none waits).",
            oldest or 0,
        )
        yield _gauge(
            "rathaus_tasks_stuck",
            "Tasks marked running in a worker that is no longer alive.",
            state["stuck_tasks"],
        )
        yield _gauge(
            "rathaus_tasks_dead_letters",
            "Failed tasks set aside for staff (dead letters) and not yet retried.",
            state["set_aside_tasks"],
        )
        yield _gauge(
            "rathaus_emails_pending",
            "E-mails queued and not yet sent.",
            OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).count(),
        )
        yield _gauge(
            "rathaus_emails_failed",
            "E-mails given up after their last attempt.",
            OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count(),
        )
        for total in _totals.values():
            labels = [total.label] if total.label else []
            family = GaugeMetricFamily(total.name, total.documentation, labels=labels)
            for label_value, number in sorted(total.count().items()):
                family.add_metric([label_value] if total.label else [], number)
            yield family


def render(accept: str = "") -> tuple[bytes, str]:
    """One scrape (text format, or OpenMetrics if accepted) and its content type."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])  # type: ignore[no-untyped-call]
    registry.register(DatabaseCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


# --- access -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _from_allowed_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.RATHAUS_METRICS_NETWORKS)))


def _has_token(request: HttpRequest) -> bool:
    token: str = settings.RATHAUS_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.RATHAUS_METRICS_TOKEN and not settings.RATHAUS_METRICS_NETWORKS:
        raise Http404("metrics are off")
    if not (_has_token(request) or _from_allowed_network(request)):
        response = HttpResponse(
            "forbidden: send the metrics token or scrape from an allowed network\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        if settings.RATHAUS_METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = render(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
