"""Mail: real SMTP to a local sink, and the outbox folder when no SMTP host is set."""

import re
import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from consent.web import mail
from tests.test_links import later
from tests.test_preferences import link_for, world


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


@pytest.fixture
def smtp(app):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="prefs@acme.example"
    )
    yield sink
    controller.stop()


def wait_for(sink, count=1, seconds=5.0):
    deadline = time.monotonic() + seconds
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.messages


def test_fresh_link_email_reaches_the_smtp_sink_in_its_language(client, make, smtp, monkeypatch):
    c, s, _p = world(make)
    token = link_for(c, s, locale="nb")
    later(monkeypatch, 91)
    html = client.get(f"/preferences/{token}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post(
        "/links/renew",
        data={
            "csrf_token": csrf,
            "token": token,
            "use": "preferences",
            "email": "anna.jansen@example.nl",
        },
    )
    assert response.status_code == 200
    [(recipients, message)] = wait_for(smtp)
    assert recipients == ["anna.jansen@example.nl"]
    assert message["From"] == "prefs@acme.example"
    assert "Acme B.V." in message["Subject"]
    assert "personvern" in message["Subject"]  # Norwegian, as the link said
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    url = re.search(r"https://prefs\.example\.test(/preferences/\S+)", text)[1]
    assert url in html_part and 'lang="nb"' in html_part
    opened = client.get(url)
    assert opened.status_code == 200 and '<html lang="nb">' in opened.get_data(True)


def test_unknown_address_sends_nothing(client, make, smtp, monkeypatch):
    c, s, _p = world(make)
    token = link_for(c, s, locale="en")
    later(monkeypatch, 91)
    html = client.get(f"/preferences/{token}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post(
        "/links/renew",
        data={
            "csrf_token": csrf,
            "token": token,
            "use": "preferences",
            "email": "stranger@example.org",
        },
    )
    assert response.status_code == 200
    assert wait_for(smtp, seconds=0.5) == []


def test_smtp_failure_answers_the_same(client, make, app, monkeypatch):
    c, s, _p = world(make)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    token = link_for(c, s, locale="en")
    later(monkeypatch, 91)
    html = client.get(f"/preferences/{token}").get_data(True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post(
        "/links/renew",
        data={
            "csrf_token": csrf,
            "token": token,
            "use": "preferences",
            "email": "anna.jansen@example.nl",
        },
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(True)


def test_without_smtp_host_mail_goes_to_the_outbox(app, tmp_path):
    app.config.update(SMTP_HOST="", MAIL_OUTBOX=str(tmp_path / "outbox"))
    with app.test_request_context():
        mail.send("someone@example.org", "Subject line", "Body text")
    [path] = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "someone@example.org" and message["Subject"] == "Subject line"
    assert message.get_content().strip() == "Body text"
