"""Campaign link signing against raw HMAC-SHA256 and itsdangerous' JSON serializer.

Each contender signs the same campaign payload (controller, subject, purposes, channel,
campaign, locale) in the same run; the table gives operations per second and the ratio to
raw HMAC-SHA256 over the payload bytes, the ceiling for any signed link.
"""

import hashlib
import hmac
import time
from types import SimpleNamespace

from itsdangerous import URLSafeTimedSerializer

from consent import create_app
from consent.config import TestConfig
from consent.core import signed_links
from consent.core.campaign_links import LinkMaker, Target

SUBJECT = "hhEiROsZpL0nutnQiqcU5A"


def measure(seconds: float = 1.0) -> list[tuple[str, float]]:
    app = create_app(TestConfig)
    with app.app_context():
        link = signed_links.Link("acme", SUBJECT, ("newsletter",), "email", "2026-11-news", "nb")
        payload = link.payload().encode()
        key = hashlib.sha256(b"test-secret-new").digest()
        # With a mailto, as a campaign row is at its longest (one-click token twice).
        controller = SimpleNamespace(slug="acme", profile={"unsubscribe_mailto": "u@acme.example"})
        purposes = [SimpleNamespace(slug="newsletter")]
        maker = LinkMaker(controller, purposes, "email", "2026-11-news", "nb")
        target = Target(1, SUBJECT, "anna@example.test")
        serializer = URLSafeTimedSerializer("test-secret-new", salt="consent.recipient.preferences")
        as_json = {"c": "acme", "s": SUBJECT, "p": ["newsletter"], "ch": "email",
                   "cp": "2026-11-news", "l": "nb"}  # fmt: skip
        contenders = [
            ("raw HMAC-SHA256 over the payload", lambda: hmac.digest(key, payload, "sha256")),
            (
                "campaign row (2 links, headers, mail-service ref), as a CSV line's cells",
                lambda: maker.cells(target),
            ),
            ("the same row as the API's JSON object (dict, metadata)", lambda: maker.row(target)),
            (
                "signed_links.make (one link at a time)",
                lambda: signed_links.make(link, "preferences"),
            ),
            ("itsdangerous URLSafeTimedSerializer (JSON)", lambda: serializer.dumps(as_json)),
        ]
        return interleaved(contenders, seconds)


def interleaved(contenders, seconds: float, rounds: int = 10) -> list[tuple[str, float]]:
    """Best rate of each contender over `rounds` rounds in which each runs in turn for a
    tenth of `seconds`: on a shared machine a burst of other work then slows them alike,
    instead of whichever contender happened to be running."""
    best = {name: 0.0 for name, _ in contenders}
    for _ in range(rounds):
        for name, function in contenders:
            count, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds / 10:
                for _ in range(500):
                    function()
                count += 500
            best[name] = max(best[name], count / elapsed)
    return list(best.items())


def table(results) -> str:
    raw = results[0][1]
    lines = ["| signing | ops/s | vs raw HMAC |", "|---|---:|---:|"]
    for name, ops in results:
        lines.append(f"| {name} | {ops:,.0f} | {ops / raw:.0%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
