"""Reading an instant that a person or program typed: one parser for the API and the CLI."""

from datetime import UTC, datetime


class FutureInstant(ValueError):
    """An instant after now, where only the past can be answered."""


def parse_past_instant(text: str) -> datetime:
    """An ISO-8601 instant not after now; a time without offset is read as UTC.

    Raises ValueError for text that is not ISO-8601, FutureInstant for a future one."""
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    try:
        at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    except OverflowError:  # year 1 with an offset east of UTC lies before datetime's range
        raise ValueError(f"out of range: {text}") from None
    if at > datetime.now(UTC):
        raise FutureInstant(text)
    return at
