"""A real SMTP server on 127.0.0.1 that keeps what it receives, for the mail tests."""

import socket
import time
from email import message_from_bytes, policy


class Sink:
    """An SMTP server that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(sink, count=1, seconds=5.0):
    deadline = time.monotonic() + seconds
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.messages


def deliver(app):
    """Run the worker once, as cron would: deliver what is due, then exit."""
    result = app.test_cli_runner().invoke(args=["consent", "worker", "--once"])
    assert result.exit_code == 0, result.output
    return result
