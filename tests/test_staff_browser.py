"""In a real browser (headless Chromium): an administrator records a phone objection, and
answers an objection that arrived by letter before its deadline."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from consent.core import subject_requests
from consent.core.database import db
from consent.core.models import Event, State
from consent.core.staff_records import StaffAuditEntry, SubjectRequest
from tests.support.live import serving
from tests.support.staff import PASSWORD, staff_user, staff_world
from tests.test_accessibility import AXE, WCAG


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


@pytest.fixture
def desk(make):
    c, anna, p = staff_world(make)
    admin = staff_user(c, "admin")
    return c, anna, p, admin


def signed_in_page(browser, server, admin):
    """A page signed in through the console's own form, whatever fields it asks for."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server}/console/login?lang=en")
    if page.locator("#controller").count():
        page.fill("#controller", admin.controller.slug)
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def test_an_admin_records_a_phone_objection(server, browser, desk):
    c, anna, p, admin = desk
    context, page = signed_in_page(browser, server, admin)
    try:
        page.goto(f"{server}/console/subjects/{anna.public_id}/staff?lang=en")
        assert page.get_by_role("heading", name="What the person told us").is_visible()
        page.select_option("#what", "objection")
        page.select_option("#channel", "phone")
        page.fill("#reference", "call 2026-12-01")
        page.fill("#note", "Ikke ring meg mer, sa hun.")
        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_text("Recorded in the ledger").is_visible()
        assert page.locator("#notes").get_by_text("Ikke ring meg mer, sa hun.").is_visible()
    finally:
        context.close()
    db.session.expire_all()
    [event] = db.session.scalars(select(Event).where(Event.kind == "objection_recorded")).all()
    assert (event.source, event.actor, event.channel) == ("console", f"staff:{admin.id}", "phone")
    assert not db.session.get(State, (anna.id, p["calls"].id, "phone")).reachable


def test_an_admin_answers_an_objection_by_letter_before_its_deadline(server, browser, desk):
    c, anna, p, admin = desk
    received = subject_requests.today(c) - timedelta(days=5)
    context, page = signed_in_page(browser, server, admin)
    try:
        page.goto(f"{server}/console/subjects/{anna.public_id}/staff?lang=en")
        page.select_option("#kind", "objection")
        page.fill("#received_on", received.isoformat())
        page.fill("#request-reference", "letter 2026-118")
        page.get_by_role("button", name="Record the request").click()
        page.wait_for_load_state()
        due = subject_requests.add_months(received, 1)
        assert page.get_by_role("heading", name="Objection (Art. 21)").is_visible()
        assert (
            f"{(due - subject_requests.today(c)).days} days left"
            in page.locator("#due").inner_text()
        )

        page.get_by_role("link", name="Answer it: record what the person asked for").click()
        page.wait_for_load_state()
        page.select_option("#what", "objection")
        page.select_option("#purpose", "calls")
        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_load_state()
        assert page.locator("#answers").get_by_text("Objection recorded").is_visible()

        page.get_by_role("button", name="Close the request").click()
        page.wait_for_load_state()
        assert page.locator("#status").inner_text().startswith("Closed")
        page.get_by_role("link", name="Requests by mail").click()
        page.wait_for_load_state()
        assert page.get_by_text("No open requests.").is_visible()
    finally:
        context.close()
    db.session.expire_all()
    [item] = db.session.scalars(select(SubjectRequest)).all()
    [event] = db.session.scalars(select(Event).where(Event.kind == "objection_recorded")).all()
    assert [a.event_id for a in item.answers] == [event.id]
    assert item.closed_at is not None and item.due_on == due
    closing = db.session.scalars(
        select(StaffAuditEntry).where(StaffAuditEntry.action == "request_closed")
    ).one()
    assert closing.after["on_time"] is True


def test_the_staff_pages_have_no_wcag_violations(server, browser, desk):
    """axe-core (vendored) on every page this work adds, in Dutch, signed in as an admin."""
    c, anna, _p, admin = desk
    received = subject_requests.today(c)
    item = subject_requests.record(admin, anna, "erasure", received, "letter 7")
    db.session.commit()
    context = browser.new_context(locale="nl-NL", bypass_csp=True)  # axe is let in
    page = context.new_page()
    try:
        page.goto(f"{server}/console/login?lang=nl")
        if page.locator("#controller").count():
            page.fill("#controller", c.slug)
        page.fill("#email", admin.email)
        page.fill("#password", PASSWORD)
        page.locator("form.console-login button[type=submit]").click()
        page.wait_for_load_state()
        for path in (
            f"/console/subjects/{anna.public_id}/staff",
            f"/console/requests/{item.id}",
            "/console/requests",
            "/console/staff-log",
        ):
            page.goto(f"{server}{path}?lang=nl")
            assert page.locator("html").get_attribute("lang") == "nl"
            page.add_script_tag(content=AXE)
            found = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))",
                WCAG,
            )
            assert found == [], (path, found)
    finally:
        context.close()
