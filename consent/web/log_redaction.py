"""Signed tokens are credentials: no log line carries one.

A request line such as `GET /preferences/<token> HTTP/1.1` is written as
`GET /preferences/[token] HTTP/1.1` by the development server's logger, and by the
production server's access log through the same function (see gunicorn.conf.py).
"""

import logging
import re

# The routes whose path segment after the prefix is a signed link.
TOKEN_PATH = re.compile(r"/(preferences|unsubscribe|receipts|confirm)/[^/\s?\"']+")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"/\1/[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter that rewrites each record's message without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install(logger_names=("werkzeug",)) -> None:
    """Add the filter once to each named logger (the dev server's request log by default)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
