"""The operations door: health for load balancers, metrics for a monitor, logs for both.

Its routes answer programs only (JSON or Prometheus text) and are kept out of the checks
that guard people's pages. The modules are imported when an app is made, not with the
package: gunicorn.conf.py imports `consent.ops.access_log` in the server's master process,
which must not create metric files before it has emptied their directory.
"""


def init_app(app) -> None:
    """Logging first, so the app's own logger finds the handler; the request hooks before
    any other door's, so even a request another hook answers is timed and logged."""
    from flask import Blueprint

    from consent.core import observe
    from consent.ops import health, logs, metrics

    logs.configure(app.config["LOG_FORMAT"])
    bp = Blueprint("ops", __name__)
    bp.add_url_rule("/healthz", "healthz", health.healthz)
    bp.add_url_rule("/readyz", "readyz", health.readyz)
    bp.add_url_rule("/metrics", "metrics", metrics.scrape)
    app.register_blueprint(bp)

    def finish(response):
        duration = logs.elapsed()
        metrics.count_request(logs.route(), duration, response.status_code)
        return logs.end_request(response, duration)

    app.before_request(logs.begin_request)
    app.after_request(finish)
    observe.on_commit(metrics.count_committed)
    observe.on_commit(logs.log_events)
