"""Live servers on loopback for the real-browser tests."""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

# Headless Chromium as root, offline: no sandbox, no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serving(wsgi_app):
    """Serve a WSGI app from a thread on a free local port; yields its base URL."""
    http = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)
