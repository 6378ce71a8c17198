"""gunicorn's logger for this app: its access and error lines in the app's format, with
signed links cut out of every path (gunicorn.conf.py names it as `logger_class`).

The access line keeps the method, the path with tokens redacted and without its query (a
query may carry an address), the status, the size, the duration and the request id the app
answered with. It does not keep the client's address or user agent: the app needs neither
after the request (the rate limits count them in memory).
"""

import json
import logging
from datetime import UTC, datetime

from gunicorn import glogging

from consent.ops.logs import JsonFormatter, TextFormatter, scrub


class RedactingLogger(glogging.Logger):
    """gunicorn.glogging.Logger with lines the app's log collector can read."""

    log_format = "json"

    def setup(self, cfg):
        super().setup(cfg)
        formatter = JsonFormatter() if self.log_format == "json" else TextFormatter()
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)
        for handler in self.access_log.handlers:
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        request_id = next(
            (value for name, value in resp.headers if name.lower() == "x-request-id"), None
        )
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "info",
            "logger": "gunicorn.access",
            "request_id": request_id,
            "method": req.method,
            "path": scrub(req.path),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        if self.log_format == "json":
            message = json.dumps(line, ensure_ascii=False)
        else:
            message = " ".join(f"{key}={value}" for key, value in line.items())
        self.access_log.info(message)
