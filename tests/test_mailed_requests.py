"""Requests that arrive by mail (Art. 12(3)): a month to answer, extendable once by two with
the reasons told to the person; a queue by due date; the events that answer it; the notice
of an overridden objection (Art. 12(4), 21(1)); the recipients to inform (Art. 19)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from consent.core import api_keys, subject_requests
from consent.core.database import db
from consent.core.models import Event, OutboxMessage
from consent.core.staff_records import SubjectRequest
from consent.core.subject_requests import add_months
from tests.support.mail import deliver, wait_for
from tests.support.staff import post, sign_in, staff_user, staff_world


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_a_month_after_receipt_is_the_same_day_or_the_months_last(received, months, due):
    assert add_months(received, months) == due


@pytest.fixture
def desk(client, make):
    c, anna, p = staff_world(make)
    admin = staff_user(c, "admin")
    sign_in(client, admin)
    return c, anna, p, admin


def record_request(client, subject, kind, received: date, **fields):
    page = f"/console/subjects/{subject.public_id}/staff?lang=en"
    url = f"/console/subjects/{subject.public_id}/requests?lang=en"
    return post(client, url, {"kind": kind, "received_on": received.isoformat(), **fields}, page)


def requests_of(subject):
    query = select(SubjectRequest).where(SubjectRequest.subject_id == subject.id)
    return list(db.session.scalars(query.order_by(SubjectRequest.id)))


def on_request(client, item, action, **fields):
    page = f"/console/requests/{item.id}?lang=en"
    return post(client, f"/console/requests/{item.id}/{action}?lang=en", fields, page)


def test_the_queue_is_sorted_by_due_date_and_says_how_long_is_left(client, desk, make):
    c, anna, _p, _admin = desk
    bert = make.subject(c, email="bert@example.test", locale="nl")
    db.session.commit()
    today = subject_requests.today(c)
    assert record_request(client, anna, "access", today - timedelta(days=3)).status_code == 302
    assert record_request(client, bert, "objection", today - timedelta(days=20)).status_code == 302
    late = record_request(client, anna, "erasure", today + timedelta(days=1))
    assert late.status_code == 422 and "cannot be in the future" in late.get_data(True)
    first, second = requests_of(anna)[0], requests_of(bert)[0]
    assert first.due_on == add_months(today - timedelta(days=3), 1)
    page = client.get("/console/requests?lang=en").get_data(True)
    assert page.index(f'data-request="{second.id}"') < page.index(f'data-request="{first.id}"')
    left = (first.due_on - today).days
    assert f"{left} days left" in page


def test_an_extension_within_the_month_tells_the_person_why_and_by_when(app, client, desk, smtp):
    c, anna, _p, _admin = desk
    received = subject_requests.today(c) - timedelta(days=10)
    record_request(client, anna, "access", received)
    [item] = requests_of(anna)
    refused = on_request(client, item, "extend", reason="")
    assert refused.status_code == 422 and "Write down the reasons" in refused.get_data(True)
    reason = "Uw gegevens staan ook in ons papieren archief in Zwolle."
    assert on_request(client, item, "extend", reason=reason).status_code == 302
    db.session.expire_all()
    assert item.due_on == add_months(received, 3) and item.extension_reason == reason
    again = on_request(client, item, "extend", reason="still more")
    assert again.status_code == 422 and "extended once" in again.get_data(True)
    assert smtp.messages == []
    deliver(app)
    [(to, message)] = wait_for(smtp)
    assert to == ["anna@example.test"]
    text = message.get_body(("plain",)).get_content()
    assert reason in text and "Datatilsynet" in text  # Anna lives in Norway
    assert "https://www.datatilsynet.no/klage" in text
    assert str(item.due_on.year) in text and "art. 12 nr. 3" in text  # in Norwegian
    assert message["Subject"] == "Forespørselen din til Acme B.V.: vi trenger mer tid"


def test_no_extension_once_the_first_month_has_passed(client, desk):
    c, anna, _p, _admin = desk
    record_request(client, anna, "access", subject_requests.today(c) - timedelta(days=40))
    [item] = requests_of(anna)
    answer = on_request(client, item, "extend", reason="busy")
    assert answer.status_code == 422 and "The first month has passed" in answer.get_data(True)
    assert "overdue" in client.get("/console/requests?lang=en").get_data(True)


def test_an_objection_by_letter_answered_with_its_events_then_closed(client, desk):
    c, anna, _p, _admin = desk
    record_request(client, anna, "objection", subject_requests.today(c))
    [item] = requests_of(anna)
    closing = on_request(client, item, "close")
    assert closing.status_code == 422 and "say how it was answered" in closing.get_data(True)
    page = f"/console/subjects/{anna.public_id}/staff?lang=en&request={item.id}"
    assert "This answers the request received on" in client.get(page).get_data(True)
    url = f"/console/subjects/{anna.public_id}/said?lang=en"
    fields = {"what": "objection", "request": str(item.id), "reference": "letter 2026-12"}
    answer = post(client, url, fields, page)
    assert answer.status_code == 302 and f"/console/requests/{item.id}" in answer.location
    db.session.expire_all()
    [event] = db.session.scalars(select(Event).where(Event.kind == "objection_recorded")).all()
    assert [a.event_id for a in item.answers] == [event.id]
    assert on_request(client, item, "close").status_code == 302
    db.session.expire_all()
    assert item.closed_at is not None
    assert subject_requests.queue(c) == [] and subject_requests.queue(c, closed=True) == [item]
    assert on_request(client, item, "close").status_code == 422


def test_an_event_in_the_first_hour_of_the_day_at_the_controller_counts_for_that_day(
    client, desk, make
):
    """Amsterdam's 00:30 is 23:30 UTC the day before: the event still answers a request
    received that day (it was left out while the controller's clock was ahead of UTC's)."""
    c = desk[0]
    bert = make.subject(c, "bert@example.test")  # no events yet, known since long ago
    db.session.commit()
    received = subject_requests.today(c) - timedelta(days=3)
    record_request(client, bert, "restriction", received)
    [item] = requests_of(bert)
    local_half_past = datetime.combine(received, time(0, 30), ZoneInfo("Europe/Amsterdam"))
    make.record(bert, "restriction_started", source="api", occurred_at=local_half_past)
    db.session.commit()
    [event] = db.session.scalars(select(Event).where(Event.subject_id == bert.id)).all()
    assert event.occurred_at.astimezone(UTC).date() < received
    assert [e.id for e in subject_requests.candidates(item)] == [event.id]


def test_linking_earlier_events_by_hand(client, desk, make):
    c, anna, p, _admin = desk
    record_request(client, anna, "restriction", subject_requests.today(c))
    [item] = requests_of(anna)
    make.record(anna, "restriction_started", source="api")
    db.session.commit()
    [event] = db.session.scalars(select(Event).where(Event.kind == "restriction_started")).all()
    page = client.get(f"/console/requests/{item.id}?lang=en").get_data(True)
    assert f'value="{event.id}"' in page
    assert on_request(client, item, "link", event=event.id).status_code == 302
    db.session.expire_all()
    assert [a.event_id for a in item.answers] == [event.id]


def test_erasure_and_restriction_list_the_recipients_to_inform(client, desk):
    c, anna, _p, _admin = desk
    record_request(client, anna, "erasure", subject_requests.today(c))
    record_request(client, anna, "access", subject_requests.today(c))
    erasure, access = requests_of(anna)
    page = client.get(f"/console/requests/{erasure.id}?lang=en").get_data(True)
    assert "Recipients to inform (GDPR Art. 19)" in page
    assert "Our call centre, Belbedrijf B.V." in page
    other = client.get(f"/console/requests/{access.id}?lang=en").get_data(True)
    assert "Art. 19" not in other


def test_an_override_sends_the_reasons_and_the_right_to_complain(app, client, desk, smtp):
    c, anna, p, _admin = desk
    page = f"/console/subjects/{anna.public_id}/staff?lang=en"
    url = f"/console/subjects/{anna.public_id}/said?lang=en"
    post(client, url, {"what": "objection", "purpose": "research"}, page)
    refused = post(client, url, {"what": "override", "purpose": "calls", "grounds": "x"}, page)
    assert refused.status_code == 422 and "can never be overridden" in refused.get_data(True)
    no_grounds = post(client, url, {"what": "override", "purpose": "research"}, page)
    assert no_grounds.status_code == 422
    no_purpose = post(client, url, {"what": "override", "grounds": "x"}, page)
    assert no_purpose.status_code == 422 and "Choose the purpose" in no_purpose.get_data(True)
    assert db.session.scalar(select(OutboxMessage.id)) is None
    grounds = "Wettelijke bewaarplicht voor kwaliteitsdossiers (zaak 2026-17)."
    fields = {"what": "override", "purpose": "research", "grounds": grounds}
    assert post(client, url, fields, page).status_code == 302
    db.session.expire_all()
    [event] = db.session.scalars(select(Event).where(Event.kind == "objection_overridden")).all()
    assert (event.reason, event.source) == (grounds, "console")
    deliver(app)
    [(to, message)] = wait_for(smtp)
    assert to == ["anna@example.test"]
    text = message.get_body(("plain",)).get_content()
    assert grounds in text and "Kvalitetsundersøkelser" in text  # in Anna's language
    assert "Datatilsynet" in text and "https://www.datatilsynet.no/klage" in text
    assert "art. 21 nr. 1" in text and "dpo@acme.example" in text
    assert message["Subject"] == "Om protesten din hos Acme B.V."


def test_an_override_recorded_through_the_api_mails_the_notice_too(app, client, make, smtp):
    c, anna, p = staff_world(make)
    _key, secret = api_keys.create(c, "admin")
    make.record(anna, "objection_recorded", p["research"])
    db.session.commit()
    answer = client.post(
        "/api/v1/events",
        json={
            "subject": anna.public_id,
            "kind": "objection_overridden",
            "purpose": "research",
            "reason": "Legal claim, case 2026-17",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 201, answer.get_json()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.kind == "objection_notice" and message.subject_id == anna.id
    deliver(app)
    [(to, mail)] = wait_for(smtp)
    assert to == ["anna@example.test"]
    assert "Legal claim, case 2026-17" in mail.get_body(("plain",)).get_content()


def test_a_request_not_acted_on_in_full_mails_the_reasons(app, client, desk, smtp):
    c, anna, _p, _admin = desk
    record_request(client, anna, "erasure", subject_requests.today(c))
    [item] = requests_of(anna)
    silent = on_request(client, item, "close", refused="yes")
    assert silent.status_code == 422 and "Write down the reasons" in silent.get_data(True)
    reasons = "De wet verplicht ons facturen zeven jaar te bewaren (fiscale bewaarplicht)."
    assert on_request(client, item, "close", refused="yes", outcome=reasons).status_code == 302
    db.session.expire_all()
    assert item.refused and item.closed_at is not None
    page = client.get(f"/console/requests/{item.id}?lang=en").get_data(True)
    assert "the person was told why" in page
    deliver(app)
    [(to, message)] = wait_for(smtp)
    assert to == ["anna@example.test"]
    text = message.get_body(("plain",)).get_content()
    assert reasons in text and "Datatilsynet" in text and "art. 12 nr. 4" in text
