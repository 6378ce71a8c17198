"""SPEC §3 "proof of the mailbox" at the page: a link the product mailed to the person's
current address proves it; a campaign link handed to a marketer, an old one-click link or a
link for a former address does not. Withdrawing and objecting work from any link at once;
what needs proof waits for a confirmation mail; export and erasure need a mailed link."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from consent.core import signed_links
from consent.core.database import db
from consent.core.models import OutboxMessage
from tests.support.clock import later
from tests.support.pages import csrf_token, events, link_for, state, submit, world

ONE_CLICK = {"List-Unsubscribe": "One-Click"}
# As the unsubscribe page's button posts it: the answer is the page, with its links.
ONE_CLICK_PAGE = {**ONE_CLICK, "answer": "page"}
MARKETER = "api-key:ck_mk_abc123"


def queued(kind):
    return [m for m in db.session.scalars(select(OutboxMessage)) if m.kind == kind]


def test_a_campaign_link_withdraws_at_once_and_names_the_key_that_made_it(client, make):
    """Failed before the fix: a marketer's link recorded "the subject's" decisions with
    nothing saying who made the link."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    token = link_for(c, s, made_by=MARKETER)
    submit(client, token, {"consent-newsletter-email": None})
    [withdrawn] = events(s, kind="consent_withdrawn")
    assert withdrawn.mailbox_proof == "none" and withdrawn.actor == f"subject via {MARKETER}"
    assert state(s, p["newsletter"]).reason == "withdrawn"  # at once (Art. 7(3))


def test_a_campaign_link_cannot_lift_an_objection_until_the_mailbox_confirms(client, make):
    """Failed before the fix: through a marketer's link, ticking a box after an objection
    to direct marketing lifted the objection at once."""
    c, s, p = world(make)
    make.record(s, "objection_recorded", scope="direct_marketing", source="preference_page")
    db.session.commit()
    token = link_for(c, s, made_by=MARKETER)
    answer = submit(client, token, {"consent-newsletter-email": "on"})
    assert "we have sent an email to" in answer.get_data(True)
    assert state(s, p["newsletter"]).reason == "unconfirmed"
    assert not state(s, p["newsletter"]).reachable
    [mail] = queued("confirmation")
    assert mail.payload["purposes"] == ["newsletter"]
    # Saving the page again records the waiting choice once only.
    before = len(events(s))
    submit(client, token, {"consent-newsletter-email": "on"})
    assert len(events(s)) == before
    # The person clicks the confirmation mailed to them: the objection is withdrawn for
    # that purpose and channel, and the consent confirmed.
    path = f"/confirm/{link_for(c, s, 'confirm', purposes=('newsletter',), channel='email')}"
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert state(s, p["newsletter"]).reachable
    lifted = events(s, kind="objection_withdrawn")
    assert [(e.channel, e.mailbox_proof) for e in lifted] == [("email", "confirmation")]
    assert state(s, p["offers"]).reason == "objected"  # other purposes stay objected


def test_an_objection_after_a_waiting_lift_wins(client, make):
    c, s, p = world(make)
    make.record(s, "objection_recorded", p["offers"], source="preference_page")
    db.session.commit()
    token = link_for(c, s, made_by=MARKETER)
    submit(client, token, {"keep-offers-email": "on"})
    assert state(s, p["offers"]).reason == "unconfirmed"
    client.post(
        f"/unsubscribe/{link_for(c, s, 'unsubscribe', purposes=('offers',))}", data=ONE_CLICK
    )
    path = f"/confirm/{link_for(c, s, 'confirm', purposes=('offers',), channel='email')}"
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert state(s, p["offers"]).reason == "objected"


def test_export_and_erasure_need_a_link_mailed_to_the_current_address(client, make):
    """Failed before the fix: any preference link, a marketer's included, exported the
    person's data and could erase them."""
    c, s, _p = world(make)
    token = link_for(c, s, made_by=MARKETER)
    page = client.get(f"/preferences/{token}").get_data(True)
    assert "/export" not in page and "Email me that link" in page
    assert client.get(f"/preferences/{token}/export").status_code == 403
    assert client.get(f"/preferences/{token}/erase").status_code == 403
    path = f"/preferences/{token}/mail-link"
    sent = client.post(path, data={"csrf_token": csrf_token(client, f"/preferences/{token}")})
    assert sent.status_code == 200
    [fresh] = queued("fresh_link")
    assert fresh.payload["email"] == s.email
    mailed = link_for(c, s)
    assert client.get(f"/preferences/{mailed}/export").status_code == 200
    # A link mailed to a former address proves nothing about the current one.
    s.email, s.email_hash = "new@example.nl", "0" * 64
    db.session.commit()
    assert client.get(f"/preferences/{mailed}/export").status_code == 403


def test_an_old_unsubscribe_link_only_unsubscribes(client, make, monkeypatch):
    """Failed before the fix: a one-click POST on a years-old link answered with a fresh
    90-day preference link, whose page exported the person's data."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    token = link_for(c, s, "unsubscribe", purposes=("newsletter",), channel="email")
    fresh = client.post(f"/unsubscribe/{token}", data=ONE_CLICK_PAGE).get_data(True)
    assert "/preferences/" in fresh  # within its lifetime: the way to the page
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    later(monkeypatch, 3 * 365)
    answer = client.post(f"/unsubscribe/{token}", data=ONE_CLICK_PAGE)
    assert answer.status_code == 200
    assert state(s, p["newsletter"]).reason == "withdrawn"  # it still unsubscribes
    assert "/preferences/" not in answer.get_data(True)


def test_links_say_who_made_them(make, app):
    c, s, _p = world(make)
    link = signed_links.Link(c.slug, s.public_id, made_by=MARKETER)
    assert signed_links.read(signed_links.make(link, "preferences"), "preferences") == link
    assert not link.proves_mailbox(s.email_hash)
    mailed = signed_links.Link(c.slug, s.public_id, made_by=signed_links.mailed_to(s.email_hash))
    assert mailed.proves_mailbox(s.email_hash) and not mailed.proves_mailbox("f" * 64)


def test_a_channel_switched_off_stops_everything_and_on_again_needs_the_mailbox(client, make):
    """Item 6: a person turns a channel off for everything at once; turning it on again
    through a campaign link waits for the confirmation mailed to the address."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], source="preference_page")
    db.session.commit()
    mailed = link_for(c, s)
    submit(client, mailed, {"channel-sms": None})
    [off] = events(s, kind="channel_disabled")
    assert off.channel == "sms" and off.purpose_id is None
    assert state(s, p["newsletter"], "sms").reason == "channel_disabled"
    assert state(s, p["newsletter"], "email").reachable
    page = client.get(f"/preferences/{mailed}").get_data(True)
    assert "Off: you switched this channel off" in page
    campaign = link_for(c, s, made_by=MARKETER)
    submit(client, campaign, {"channel-sms": "on"})
    assert state(s, p["newsletter"], "sms").reason == "channel_disabled"  # waits
    [mail] = queued("confirmation")
    scope = tuple(mail.payload["purposes"])
    path = f"/confirm/{link_for(c, s, 'confirm', purposes=scope, channel='email')}"
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    [on] = [e for e in events(s, kind="channel_enabled") if e.mailbox_proof == "confirmation"]
    assert on.channel == "sms" and state(s, p["newsletter"], "sms").reachable


def test_a_change_of_address_is_asked_at_the_old_and_confirmed_at_the_new_one(
    app, client, make, smtp
):
    """Issue 14 item 8 (Art. 16): from a link mailed to the current address, a new address
    is asked; a link mailed to the new address confirms it; the ledger records
    `email_changed` with no address in it; links to the old address stop proving it."""
    from tests.support.mail import deliver, wait_for

    c, s, _p = world(make)
    old_link = link_for(c, s)
    campaign = link_for(c, s, made_by=MARKETER)
    form_page = f"/preferences/{campaign}"
    refused = client.post(
        f"/preferences/{campaign}/address",
        data={"csrf_token": csrf_token(client, form_page), "email": "new@example.nl"},
    )
    assert refused.status_code == 403  # a campaign link cannot move the person
    asked = client.post(
        f"/preferences/{old_link}/address?lang=en",
        data={"csrf_token": csrf_token(client, f"/preferences/{old_link}"),
              "email": "New@Example.nl"},
    )  # fmt: skip
    assert asked.status_code == 200 and "n•••@e•••.nl" in asked.get_data(True)
    assert s.email == "anna.jansen@example.nl"  # nothing changes before the confirmation
    deliver(app)
    ((recipients, message),) = wait_for(smtp)
    assert recipients == ["new@example.nl"]
    url = re.search(
        r"https://prefs\.example\.test/address/\S+", message.get_body(("plain",)).get_content()
    )[0]
    path = urlsplit(url).path
    assert client.get(path).status_code == 200 and s.email == "anna.jansen@example.nl"
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 200
    db.session.expire_all()
    assert s.email == "new@example.nl"
    [changed] = events(s, kind="email_changed")
    assert changed.mailbox_proof == "confirmation" and "example.nl" not in str(changed.__dict__)
    assert client.get(f"/preferences/{old_link}/export").status_code == 403
    assert client.post(path, data={"csrf_token": csrf_token(client, form_page)}).status_code == 400
