"""gunicorn's settings for this app: `gunicorn -c gunicorn.conf.py app:app` (docs/deploy.md).

Every value can be changed from the environment without editing this file. Workers are
processes (a crash or a leak stays in one), one per CPU, each with a few threads. A change
keeps a CPU busy with Python for most of its time (the rules, the chain, the receipt, the
page), so more processes than CPUs only take turns on them; the threads let a request that
waits on PostgreSQL leave its CPU to another (BENCHMARKS.md measures both).
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path

# Prometheus counters in multiprocess mode: each worker writes its own files in this
# directory and /metrics adds them up. Named before the app is imported (prometheus_client
# and consent.config read it then); unset, each server gets a fresh one of its own.
OWN_DIRECTORY = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
MULTIPROC_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"consent-metrics-{os.getpid()}"),
)

from consent.ops.access_log import RedactingLogger  # noqa: E402  (after the directory)

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that takes longer than this is stuck: its worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the load balancer's idle timeout, so the proxy closes idle connections first.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# A worker is replaced after this many requests (plus jitter), which bounds any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# No control socket: signals (HUP, TERM) and systemd manage the server, the image's user has
# no writable home for it, and two servers on one host would share its default path.
control_socket_disable = True
# Limits on what a client may send before the app sees it.
limit_request_line = 8190
limit_request_fields = 100

# Logs on standard error (error log) and standard output (access log), one line per record,
# in the app's format; paths with a signed link in them are redacted (consent.ops.access_log).
# Set GUNICORN_ACCESS_LOG= (empty) to keep only the app's own line per request.
RedactingLogger.log_format = os.environ.get("LOG_FORMAT", "json")
logger_class = RedactingLogger
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The app trusts X-Forwarded-For/-Proto/-Host only from the PROXY_COUNT proxies it is told
# of (werkzeug's ProxyFix, set up in create_app); gunicorn's own forwarded-header handling
# is left at its default of trusting only loopback, and the app's setting decides.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server):
    """Empty the metrics directory: counts from a previous run would be added again."""
    path = Path(MULTIPROC_DIR)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):
    """What the worker loaded to serve (modules, templates, the app) lives as long as it does:
    moved out of the garbage collector's sight, a full collection walks only what requests
    make, instead of pausing a request for every object the app holds."""
    gc.freeze()


def child_exit(server, worker):
    """A worker that is gone keeps its counters but no longer counts in live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """A directory this file chose is this server's alone: nothing else reads it after."""
    if OWN_DIRECTORY:
        shutil.rmtree(MULTIPROC_DIR, ignore_errors=True)
