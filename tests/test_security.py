"""Security fixes, each with the attack that worked before it (issue: no takeover, no stale
access, nothing lost under races, nothing leaked)."""

import threading

from sqlalchemy import func, select

from consent.core import subjects
from consent.core.database import db
from consent.core.models import Event, Subject
from tests.support import api as api_support


def widget_consent(client, world, email, external_id=None, origin=True):
    person = {"email": email, **({"external_id": external_id} if external_id else {})}
    headers = world.auth("widget")
    if not origin:
        del headers["Origin"]
    return client.post(
        "/api/v1/consents",
        json={"subject": person, "decisions": [{"purpose": "newsletter", "decision": "given"}]},
        headers=headers,
    )


def test_a_widget_key_never_changes_who_an_existing_person_is(client, make):
    """Before: an unknown address with a known CRM id took over that person's record."""
    world = api_support.build(make)
    victim = make.subject(world.controller, email="victim@example.test", external_id="CRM-7")
    db.session.commit()
    answer = widget_consent(client, world, "attacker@example.test", external_id="CRM-7")
    assert answer.status_code == 201
    db.session.expire_all()
    victim = db.session.get(Subject, victim.id)
    assert (victim.email, victim.external_id) == ("victim@example.test", "CRM-7")
    attacker = subjects.by_email(world.controller, "attacker@example.test")
    assert attacker.id != victim.id and attacker.external_id is None
    assert answer.get_json()["subject"]["id"] == attacker.public_id


def test_concurrent_first_consents_keep_every_decision(app, client, make):
    """Before: ten simultaneous first consents for a new address, nine 500s, nine lost."""
    world = api_support.build(make)
    db.session.commit()
    start, answers = threading.Barrier(10), []

    def consent():
        with app.test_client() as own:
            start.wait(timeout=30)
            answers.append(widget_consent(own, world, "new.person@example.test").status_code)

    threads = [threading.Thread(target=consent) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [201] * 10
    db.session.expire_all()
    people = db.session.scalar(
        select(func.count(Subject.id)).where(Subject.email == "new.person@example.test")
    )
    assert people == 1
    person = subjects.by_email(world.controller, "new.person@example.test")
    decided = db.session.scalar(select(func.count(Event.id)).where(Event.subject_id == person.id))
    assert decided == 10


def test_a_widget_key_needs_an_allowed_origin(client, make):
    """Before: without an Origin header the allow-list was skipped."""
    world = api_support.build(make)
    db.session.commit()
    answer = widget_consent(client, world, "someone@example.test", origin=False)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    assert widget_consent(client, world, "someone@example.test").status_code == 201
