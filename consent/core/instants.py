"""Reading an instant that a person or program typed: one parser for the API and the CLI."""

from datetime import UTC, datetime


class FutureInstant(ValueError):
    """An instant after now, where only the past can be answered."""


def parse_past_instant(text: str) -> datetime:
    """An ISO-8601 instant not after now; a time without offset is read as UTC.

    Raises ValueError for text that is not ISO-8601, FutureInstant for a future one."""
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if at > datetime.now(UTC):
        raise FutureInstant(text)
    return at
