"""Standard library logging, configured once: one line per request and per recorded event.

A line carries the level, the time, the request id, the route's rule (never the path: it may
hold a signed link), the status, the duration and the controller's slug. Nothing a person
typed reaches a line: as a last guard every message has token paths and anything shaped
like an email address replaced before it is written.
"""

import logging
import os
import re
import secrets
import sys
import time
from datetime import UTC, datetime

import orjson
from flask import g, has_request_context, request
from flask.logging import default_handler

from consent.config import ConfigurationError
from consent.core.observe import Committed
from consent.web.log_redaction import redact

FORMATS = ("json", "text")
EMAIL_LIKE = re.compile(r"[^\s@\"'<>()]+@[^\s@\"'<>()]+\.[^\s@\"'<>()]+")
# A request id a proxy in front of us chose is kept when it is plainly an id.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
FIELDS = "consent_fields"
OUR_LOGGERS = ("consent", "alembic", "flask_migrate")

requests_log = logging.getLogger("consent.request")
events_log = logging.getLogger("consent.event")


def scrub(text: str) -> str:
    text = redact(text)
    # Nothing shaped like an address without an @: the pattern is not tried at every
    # position of every line (a one-click writes two lines).
    return EMAIL_LIKE.sub("[email]", text) if "@" in text else text


class RequestIdFilter(logging.Filter):
    """Every line written during a request names the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            **getattr(record, FIELDS, {}),
        }
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """The same content as key=value pairs, for a person at a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = scrub(super().format(record))
        fields = {"request_id": getattr(record, "request_id", None), **getattr(record, FIELDS, {})}
        pairs = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        return f"{line} {pairs}".rstrip()


class StderrHandler(logging.Handler):
    """Writes each line to the process's standard error itself, in one write(2): a
    command's captured output (a test runner swapping sys.stderr) never has log lines
    mixed into it, and the threads of a worker take no lock to write (a line of up to
    PIPE_BUF bytes, 4 kB, goes whole into a pipe; logging's own lock around a stream was
    a wait in every request of a busy worker)."""

    def handle(self, record: logging.LogRecord):
        """logging.Handler.handle without taking the handler's lock around emit(): one
        write(2) needs none. (Setting the lock to None instead relies on how a Python
        version takes it.)"""
        passed = self.filter(record)
        if passed:
            self.emit(passed if isinstance(passed, logging.LogRecord) else record)
        return passed

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = (self.format(record) + "\n").encode()
            descriptor = (sys.__stderr__ or sys.stderr).fileno()
            while line:
                line = line[os.write(descriptor, line) :]
        except Exception:
            self.handleError(record)


_handler: logging.Handler | None = None


def configure(log_format: str) -> None:
    """Install the one handler on the root logger; a later app in the same process (tests,
    the CLI) only changes its format."""
    global _handler
    if log_format not in FORMATS:
        raise ConfigurationError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    if _handler is None:
        _handler = StderrHandler()
        _handler.addFilter(RequestIdFilter())
    # No line says which file, function, thread or process wrote it, so a record need not
    # look them up (the logging HOWTO's "Optimization"): a tenth of a line's cost, and a
    # one-click writes two.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    # Our own lines and the migrations' at INFO; other libraries keep the default (WARNING),
    # so a chatty dependency cannot fill the log, nor carry what it saw into it.
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    # Flask's own handler would write the app's errors a second time, unformatted.
    logging.getLogger("consent").removeHandler(default_handler)
    _handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())


def begin_request() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if REQUEST_ID.fullmatch(offered) else secrets.token_hex(8)


def controller_slug() -> str | None:
    """Which controller the request concerned, as far as the door that served it knows."""
    if g.get("controller_slug"):
        return g.controller_slug
    controller = g.get("controller") or getattr(g.get("staff"), "controller", None)
    return getattr(controller, "slug", None)


def route() -> str:
    return request.url_rule.rule if request.url_rule else "(no route)"


def elapsed() -> float:
    return time.perf_counter() - g.get("request_started", time.perf_counter())


def end_request(response, duration: float):
    """Log the request's one line and name the request in the answer."""
    if g.get("request_id"):
        response.headers["X-Request-ID"] = g.request_id
    fields = {
        "method": request.method,
        "route": route(),
        "status": response.status_code,
        "duration_ms": round(duration * 1000, 1),
        "controller": controller_slug(),
    }
    requests_log.info(
        "%s %s %s", request.method, fields["route"], response.status_code, extra={FIELDS: fields}
    )
    return response


def log_events(committed: Committed) -> None:
    """One line per recorded event: what kind, from which door, for which controller."""
    for recorded in committed.events:
        if has_request_context() and not g.get("controller_slug"):
            g.controller_slug = recorded.controller
        fields = {
            "event_id": recorded.id,
            "kind": recorded.kind,
            "source": recorded.source,
            "controller": recorded.controller,
        }
        events_log.info("event recorded: %s", recorded.kind, extra={FIELDS: fields})
