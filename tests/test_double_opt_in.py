"""Double opt-in end to end: a widget consent mails a signed link; only its POST confirms."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from consent.core.database import db
from consent.core.models import OutboxMessage, State
from tests.support import api as api_support
from tests.support.mail import deliver, wait_for
from tests.support.pages import csrf_token


def test_widget_consent_is_confirmed_through_the_mailed_link(app, client, make, smtp):
    world = api_support.build(make)
    webinar = make.purpose(
        world.controller, "webinar", double_opt_in=True, texts={
            "nl": ("Webinaruitnodigingen", "Uitnodigingen voor onze webinars."),
            "nb": ("Webinarinvitasjoner", "Invitasjoner til webinarene våre."),
            "en": ("Webinar invitations", "Invitations to our webinars."),
        },
    )  # fmt: skip
    db.session.commit()
    body = {
        "subject": {"email": "joost@example.test"},
        "locale": "nl",
        "decisions": [{"purpose": "webinar", "decision": "given", "notice_version": 1}],
    }
    answer = client.post(
        "/api/v1/consents",
        json=body,
        headers={**world.auth("widget"), "Origin": api_support.ORIGIN},
    ).get_json()
    assert answer["confirmation"] == "may_follow"
    subject_id = answer["subject"]["id"]

    def state():
        db.session.expire_all()
        from consent.core import subjects

        subject = subjects.by_public_id(world.controller, subject_id)
        return db.session.get(State, (subject.id, webinar.id, "email"))

    assert (state().reachable, state().reason) == (False, "unconfirmed")
    assert smtp.messages == []  # nothing leaves inside the request
    deliver(app)
    ((recipients, message),) = wait_for(smtp)
    assert recipients == ["joost@example.test"]
    assert "bevestig" in message["Subject"].lower()
    text = message.get_body(("plain",)).get_content()
    assert "Webinaruitnodigingen" in text
    url = re.search(r"https://prefs\.example\.test/confirm/\S+", text)[0]
    path = urlsplit(url).path

    assert client.get(path).status_code == 200
    assert state().reason == "unconfirmed"  # a GET (a mail scanner) confirms nothing
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 200
    assert (state().reachable, state().reason) == (True, "consent_given")


def test_mail_failure_keeps_the_consent_and_the_message(client, make, app):
    world = api_support.build(make)
    make.purpose(world.controller, "webinar", double_opt_in=True)
    db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    body = {"subject": {"email": "x@example.test"}, "decisions": [
        {"purpose": "webinar", "decision": "given"}]}  # fmt: skip
    response = client.post("/api/v1/consents", json=body, headers=world.auth("widget"))
    assert response.status_code == 201
    deliver(app)
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
