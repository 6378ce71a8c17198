"""Pages keep the catalogue they read (core/catalogue_snapshot.py) while the controller's
catalogue_version, which the database changes with every edit of it, stays the same."""

from sqlalchemy import select, text

from consent.core import catalogue, catalogue_snapshot, purposes
from consent.core.database import db
from consent.core.models import Controller, utcnow
from tests.support.pages import events, link_for, world


def _version(controller) -> str:
    return db.session.scalar(
        select(Controller.catalogue_version).where(Controller.id == controller.id)
    )


def test_every_edit_of_purposes_settings_or_notices_gives_a_new_version(make):
    """Settings versions and notices are insert-only (the database refuses the rest)."""
    c, _s, p = world(make)
    seen = [_version(c)]

    def changed(statement, **values):
        db.session.execute(text(statement), values)
        db.session.commit()
        seen.append(_version(c))
        return seen[-1] not in seen[:-1]

    newsletter = p["newsletter"].id
    assert changed("UPDATE purposes SET retention = 'two years' WHERE id = :p", p=newsletter)
    assert changed(
        "INSERT INTO purpose_settings (purpose_id, effective_at, channels, double_opt_in, "
        "marketing_related, similar_products, demo_addition, retired) "
        "SELECT purpose_id, effective_at, channels, double_opt_in, marketing_related, "
        "similar_products, demo_addition, retired FROM purpose_settings WHERE purpose_id = :p",
        p=newsletter,
    )
    assert changed(
        "INSERT INTO notices (purpose_id, version, locale, title, description, text_hash, "
        "created_at) SELECT purpose_id, 9, locale, title, description, text_hash, created_at "
        "FROM notices WHERE purpose_id = :p AND version = 1",
        p=newsletter,
    )
    assert changed("UPDATE purposes SET position = position WHERE id = :p", p=newsletter)
    other = make.controller(slug="other")
    before = _version(c)
    make.purpose(other, "elsewhere")
    db.session.commit()
    assert _version(c) == before  # another controller's catalogue is not this one's


def test_the_page_shows_a_published_text_at_once(client, make):
    c, s, p = world(make)
    url = f"/preferences/{link_for(c, s)}"
    assert "Newsletter" in client.get(url).get_data(True)  # read and kept

    texts = {
        locale: ("Weekly letter", "What is new, every Monday.") for locale in "en nl nb".split()
    }
    purposes.publish_notice(p["newsletter"], texts)
    db.session.commit()

    html = client.get(url).get_data(True)
    assert "Weekly letter" in html and ">Newsletter<" not in html
    assert 'name="version-newsletter" value="2"' in html


def test_the_page_follows_a_settings_version_and_a_retired_purpose(client, make):
    c, s, p = world(make)
    url = f"/preferences/{link_for(c, s)}"
    assert 'name="consent-newsletter-sms"' in client.get(url).get_data(True)

    newsletter = p["newsletter"]
    newsletter.channels = ["email"]
    purposes.record_settings(newsletter, utcnow())
    db.session.commit()
    html = client.get(url).get_data(True)
    assert 'name="consent-newsletter-sms"' not in html and "state-retired" not in html

    document = catalogue.export(c)
    for purpose in document["purposes"]:
        if purpose["slug"] == "offers":
            purpose["retired"] = True
    catalogue.apply(document, actor="test")
    db.session.commit()
    assert "state-retired" in client.get(url).get_data(True)


def test_a_change_is_recorded_with_the_catalogue_read_under_the_lock(client, make):
    """A one-click decides with the kept catalogue of the version read with the person's
    lock: a purpose added after the page was kept is withdrawn too."""
    c, s, p = world(make)
    client.get(f"/preferences/{link_for(c, s)}")  # keeps the catalogue
    assert catalogue_snapshot.KEPT
    invites = make.purpose(c, slug="invites", channels=("email",))
    make.record(s, "consent_given", invites, channel="email")
    db.session.commit()

    token = link_for(c, s, "unsubscribe", channel="email")
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    withdrawn = {e.purpose_id for e in events(s, kind="consent_withdrawn")}
    assert invites.id in withdrawn

    # Sec-GPC on a GET records an objection, under the lock, with the same kept catalogue.
    response = client.get(f"/preferences/{link_for(c, s)}", headers={"Sec-GPC": "1"})
    assert response.status_code == 200
    assert [e.purpose_id for e in events(s, kind="objection_recorded")][-1:] == [p["profile"].id]


def test_the_controllers_own_row_gives_a_new_version_but_not_a_rebuilds_progress(make):
    c = world(make)[0]
    seen = [_version(c)]
    for statement in (
        "UPDATE controllers SET name = 'Acme Renamed' WHERE id = :c",
        'UPDATE controllers SET profile = \'{"brand": {"color": "#123456"}}\' WHERE id = :c',
        "UPDATE controllers SET policy_version = '2027-01' WHERE id = :c",
    ):
        db.session.execute(text(statement), {"c": c.id})
        db.session.commit()
        seen.append(_version(c))
        assert seen[-1] not in seen[:-1], statement
    db.session.execute(
        text("UPDATE controllers SET state_rebuilt_through = 5 WHERE id = :c"), {"c": c.id}
    )
    db.session.commit()
    assert _version(c) == seen[-1]


def test_the_page_shows_the_controller_as_it_is_now(client, make):
    """The kept controller (its name, its time zone) follows an edit of its row; a rebuild's
    progress, which keeps the version, is read from the row on every request."""
    c, s, _p = world(make)
    url = f"/preferences/{link_for(c, s, locale='en')}"
    assert c.name in client.get(url).get_data(True)  # read and kept
    db.session.execute(
        text("UPDATE controllers SET name = 'Acme Renamed' WHERE id = :c"), {"c": c.id}
    )
    db.session.commit()
    assert "Acme Renamed" in client.get(url).get_data(True)

    from consent.core import subjects

    db.session.execute(
        text("UPDATE controllers SET state_rebuilt_through = 0 WHERE id = :c"), {"c": c.id}
    )
    db.session.commit()
    found, person = subjects.by_link(c.slug, s.public_id, with_purposes=False)
    kept = catalogue_snapshot.kept(found)
    assert kept.name == "Acme Renamed" and not kept.state_is_current(person.id)
    db.session.rollback()
