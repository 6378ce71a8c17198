"""A change writes only the state rows whose decision changed, without reading them first,
and reads the notices once per transaction: neither shortcut may leave the state or a
receipt different from what the ledger and the catalogue say."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from consent.core import integrity, ledger, purposes, state_history, writes
from consent.core.database import db
from consent.core.models import State


def _problems(subject, controller):
    return integrity.check_state(subject, controller, ledger.events_of(subject))


def test_a_change_to_a_missing_state_row_writes_the_whole_state_again(make):
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter", channels=("email", "sms"))
    person = make.subject(controller)
    make.record(person, "consent_given", newsletter, channel="email")
    db.session.commit()
    # Rows lost behind the product's back: the change finds its row missing, reads what
    # is there and writes every row the ledger gives, the history with them.
    db.session.execute(delete(State).where(State.subject_id == person.id))
    db.session.commit()
    assert _problems(person, controller)

    make.record(person, "consent_withdrawn", newsletter, channel="email")
    db.session.commit()

    assert _problems(person, controller) == []
    rows = db.session.execute(select(State.__table__).where(State.subject_id == person.id))
    assert {(row.channel, row.reason) for row in rows} == {
        ("email", "withdrawn"),
        ("sms", "never_asked"),
    }
    events = ledger.events_of(person)
    assert state_history.problems(person, controller, events) == []


def test_state_read_after_a_change_in_the_same_session_is_the_new_state(make):
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter", channels=("email",))
    person = make.subject(controller)
    make.record(person, "consent_given", newsletter, channel="email")
    db.session.commit()
    before = db.session.execute(select(State.__table__)).one()
    assert before.reachable

    make.record(person, "consent_withdrawn", newsletter, channel="email")
    after = db.session.execute(select(State.__table__)).one()
    assert (after.reachable, after.reason) == (False, "withdrawn")


def test_a_notice_published_in_the_transaction_is_read_again(make):
    controller = make.controller()
    newsletter = make.purpose(controller, "newsletter")
    assert purposes.current_notices(controller, "en")[newsletter.id].version == 1

    texts = {locale: ("Weekly news", "A new text.") for locale in ("en", "nl", "nb")}
    purposes.publish_notice(newsletter, texts)

    notice = purposes.current_notices(controller, "en")[newsletter.id]
    assert (notice.version, notice.title) == (2, "Weekly news")


def test_a_written_row_has_its_times_in_utc_and_refuses_a_naive_one():
    oslo = datetime(2026, 6, 1, 14, tzinfo=ZoneInfo("Europe/Oslo"))
    row = {"occurred_at": oslo, "reason": "trekke samtykke på e-post", "seq": 3}
    assert json.loads(writes._json_row(row)) == {**row, "occurred_at": "2026-06-01T12:00:00+00:00"}
    with pytest.raises(ValueError, match="naive datetime"):
        writes._json_row({"occurred_at": datetime(2026, 6, 1, 14)})
