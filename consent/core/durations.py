"""ISO-8601 durations (P24M, P1Y6M, PT12H) as the catalogue states lifetimes and retention."""

import calendar
import re
from datetime import datetime, timedelta

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_duration(text: str) -> dict[str, int]:
    """Parse an ISO-8601 duration such as P24M or P1Y6M into its parts."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    return {name: int(value or 0) for name, value in match.groupdict().items()}


def add_duration(start: datetime, text: str) -> datetime:
    """start + duration, with calendar months (31 January + P1M is 28 or 29 February)."""
    parts = parse_duration(text)
    months = start.month - 1 + parts["years"] * 12 + parts["months"]
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    shifted = start.replace(year=year, month=month, day=day)
    return shifted + timedelta(
        weeks=parts["weeks"],
        days=parts["days"],
        hours=parts["hours"],
        minutes=parts["minutes"],
        seconds=parts["seconds"],
    )
