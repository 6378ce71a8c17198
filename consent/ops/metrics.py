"""GET /metrics: Prometheus text for a monitor holding the configured bearer token.

Counters live in this process (or, under gunicorn with PROMETHEUS_MULTIPROC_DIR set, in
files every worker writes and the scrape adds up); the queue and checkpoint numbers are read
from the database at each scrape, so every server answers the same. Labels are route rules,
kinds and slugs, never a path: a path may hold a signed link.

Without METRICS_TOKEN the endpoint does not exist (404): nothing is published by default,
and a scanner learns nothing. With it, a request without the right token is 401.
"""

import hmac
from pathlib import Path

from flask import Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from consent.config import Config
from consent.core import vitals
from consent.core.database import db
from consent.core.observe import Committed
from consent.web.errors import error_response

if Config.PROMETHEUS_MULTIPROC_DIR:
    # prometheus_client writes each counter's file there as the counter is made.
    Path(Config.PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

REQUESTS = Counter(
    "consent_http_requests",
    "HTTP requests answered, by route rule, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "consent_http_request_duration_seconds",
    "Time from the request reaching the app to its answer, by route rule.",
    ["route", "method"],
)
EVENTS = Counter(
    "consent_events_recorded", "Ledger events committed, by kind and source.", ["kind", "source"]
)
ONE_CLICK = Counter(
    "consent_one_click_unsubscribes", "One-click unsubscribe POSTs answered without an error."
)
RECEIPTS = Counter("consent_receipts_signed", "Signed receipts committed.")

ONE_CLICK_ENDPOINT = "preferences.one_click"


def count_request(route: str, duration: float, status: int) -> None:
    REQUESTS.labels(route, request.method, str(status)).inc()
    LATENCY.labels(route, request.method).observe(duration)
    if request.endpoint == ONE_CLICK_ENDPOINT and request.method == "POST" and status < 400:
        ONE_CLICK.inc()


def count_committed(committed: Committed) -> None:
    for recorded in committed.events:
        EVENTS.labels(recorded.kind, recorded.source).inc()
    if committed.receipts:
        RECEIPTS.inc(committed.receipts)


class DatabaseNumbers:
    """The numbers every server reads alike from the database, collected at the scrape."""

    def collect(self):
        try:
            queue, checkpoint_ages = vitals.queue(), vitals.checkpoint_ages()
        except SQLAlchemyError:
            db.session.rollback()
            yield GaugeMetricFamily(
                "consent_database_reachable", "Whether the scrape could read the database.", 0
            )
            return
        yield GaugeMetricFamily(
            "consent_database_reachable", "Whether the scrape could read the database.", 1
        )
        depth = GaugeMetricFamily(
            "consent_outbox_messages",
            "Outbox rows still needing the worker (pending) or a person (dead), by kind.",
            labels=["kind", "state"],
        )
        for (kind, state), count in sorted(queue.depth.items()):
            depth.add_metric([kind, state], count)
        yield depth
        yield GaugeMetricFamily(
            "consent_outbox_oldest_pending_age_seconds",
            "How long the oldest pending outbox message has waited (0: none waits).",
            value=queue.oldest_pending_age,
        )
        ages = GaugeMetricFamily(
            "consent_checkpoint_age_seconds",
            "Seconds since each controller's newest signed checkpoint (since its creation "
            "when it has none).",
            labels=["controller"],
        )
        for slug, age in sorted(checkpoint_ages.items()):
            ages.add_metric([slug], age)
        yield ages


def authorised() -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    expected = current_app.config["METRICS_TOKEN"]
    offered = token.strip().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(offered, expected.encode())


def scrape():
    if not current_app.config["METRICS_TOKEN"]:
        return error_response(404, "not_found", "Metrics are off: METRICS_TOKEN is not set.")
    if not authorised():
        response = error_response(401, "unauthorized", "The metrics bearer token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if current_app.config["PROMETHEUS_MULTIPROC_DIR"]:
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseNumbers())
    body = generate_latest(counters) + generate_latest(database)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
