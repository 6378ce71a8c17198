"""Mail: real SMTP to a local sink, and the outbox folder when no SMTP host is set."""

import re
from email import message_from_bytes, policy

from consent.web import mail
from tests.support.clock import later
from tests.support.mail import deliver, free_port, wait_for
from tests.support.pages import link_for, world


def test_fresh_link_email_reaches_the_smtp_sink_in_its_language(
    app, client, make, smtp, monkeypatch
):
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
    deliver(app)
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


def test_unknown_address_sends_nothing(app, client, make, smtp, monkeypatch):
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
    deliver(app)
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


def test_without_smtp_host_mail_goes_to_the_outbox(app, make, tmp_path):
    app.config.update(SMTP_HOST="", MAIL_OUTBOX=str(tmp_path / "outbox"))
    mail.send("someone@example.org", "Subject line", "Body text", None, make.controller())
    [path] = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "someone@example.org" and message["Subject"] == "Subject line"
    assert message.get_content().strip() == "Body text"
