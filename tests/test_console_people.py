"""Find people like people do, and dashboard words (issue 15 items 6 and 7): a search by
the start of an address (POST, served by an index on both databases), the match count,
recent people, a timeline in words with the evidence of every assertion, and a dashboard
that says who MAY be contacted."""

import re

import pytest
from flask import g
from sqlalchemy import insert, select, text

from consent.core import search, staff_users
from consent.core.database import db
from consent.core.models import Subject, new_public_id
from tests.support.live import serving
from tests.test_console import PASSWORD, csrf_token, login


@pytest.fixture
def people(make):
    c = make.controller()
    newsletter = make.purpose(c, channels=("email", "phone"))
    offers = make.purpose(c, slug="offers", basis="legitimate_interest")
    found = {}
    for email in ("anna.berg@example.test", "anna.dahl@example.test", "bert@example.test"):
        found[email] = make.subject(c, email=email)
    found["a_b@example.test"] = make.subject(c, email="a_b@example.test")
    make.record(found["anna.berg@example.test"], "consent_given", newsletter, channel="phone")
    make.record(
        found["bert@example.test"],
        "basis_asserted",
        offers,
        basis="legitimate_interest",
        evidence="order 4711",
        source="import",
    )
    other = make.controller(slug="other", name="Other AS", default_locale="nb")
    make.subject(other, email="anna.other@example.test")
    staff_users.create(c, "staff@acme.example", "auditor", PASSWORD)
    db.session.commit()
    return {"controller": c, "subjects": found, "newsletter": newsletter}


def find(client, typed):
    token = csrf_token(client, "/console/subjects?lang=en")
    return client.post("/console/subjects?lang=en", data={"q": typed, "csrf_token": token})


def test_a_prefix_finds_the_people_whose_address_begins_with_it(client, people):
    login(client)
    page = find(client, "  ANNA")
    text = page.get_data(True)
    assert page.status_code == 200
    assert re.search(r'data-count="2"', text) and "2 people" in text
    assert "anna.berg@example.test" in text and "anna.dahl@example.test" in text
    assert "anna.other@example.test" not in text  # another controller's person
    assert "data-event=" not in text  # a list, not a timeline
    one = find(client, "anna.d").get_data(True)
    assert 'id="events"' in one and "anna.dahl@example.test" in one
    # Wildcards are letters here: "_" and "%" do not match every address.
    assert "a_b@example.test" in find(client, "a_").get_data(True)
    assert find(client, "_").status_code == 404
    assert find(client, "%").status_code == 404
    assert find(client, "*").status_code == 404
    assert find(client, "zz").status_code == 404


def test_the_count_is_exact_and_the_list_is_capped(app, people, make):
    c = people["controller"]
    for n in range(search.LIMIT + 5):
        make.subject(c, email=f"many{n:02d}@example.test")
    db.session.commit()
    matches = search.find(c, "many")
    assert matches.count == search.LIMIT + 5
    assert len(matches.people) == search.LIMIT
    assert matches.people[0].email == "many00@example.test"
    with pytest.raises(search.BadQuery):
        search.find(c, "an\nna")


def test_the_prefix_search_is_served_by_the_index(app, people):
    """A range scan on (controller, email) on both databases, not a scan of every person."""
    c = people["controller"]
    rows = [
        {"controller_id": c.id, "public_id": new_public_id(), "email": f"p{n:05d}@example.test"}
        for n in range(3000)
    ]
    db.session.execute(insert(Subject), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    query = select(Subject.id).where(Subject.controller_id == c.id, search._starts_with("anna"))
    connection = db.session.connection()
    compiled = query.compile(dialect=connection.dialect)
    if connection.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    described = " ".join(str(cell) for row in plan for cell in row)
    assert "ix_subjects_controller_email" in described, described


def test_recent_people_are_listed_newest_first(client, people):
    login(client)
    page = client.get("/console/subjects?lang=en").get_data(True)
    assert "Recent people" in page
    listed = re.findall(r'data-person="([\w-]+)"', page)
    subjects = people["subjects"]
    assert listed[:2] == [
        subjects["bert@example.test"].public_id,
        subjects["anna.berg@example.test"].public_id,
    ]


def test_the_people_a_staff_member_opened_are_listed_newest_first(app, client, people):
    subjects = people["subjects"]
    staff_users.create(people["controller"], "other@acme.example", "auditor", PASSWORD)
    db.session.commit()
    login(client)
    for email in ("bert@example.test", "anna.dahl@example.test", "bert@example.test"):
        assert client.get(f"/console/subjects/{subjects[email].public_id}").status_code == 200
    page = client.get("/console/subjects?lang=en").get_data(True)
    assert "People you opened recently" in page
    assert re.findall(r'data-opened="([\w-]+)"', page) == [
        subjects["bert@example.test"].public_id,
        subjects["anna.dahl@example.test"].public_id,
    ]
    colleague = app.test_client()
    g.pop("csrf_token", None)  # the test's app context is shared by both clients' requests
    assert login(colleague, email="other@acme.example").status_code == 302
    theirs = colleague.get("/console/subjects?lang=en")
    assert theirs.status_code == 200 and "data-opened=" not in theirs.get_data(True)


def test_the_timeline_speaks_words_and_shows_the_evidence(client, people):
    login(client)
    bert = people["subjects"]["bert@example.test"]
    page = client.get(f"/console/subjects/{bert.public_id}?lang=en")
    text = page.get_data(True)
    assert page.status_code == 200
    assert "Lawful basis recorded" in text
    row = re.search(r'<tr data-event="[\w-]+">(.*?)</tr>', text, re.S).group(1)
    assert 'title="offers">Newsletter</td>' in row  # the notice's title, not the slug
    assert "Import" in row and ">import<" not in row
    assert "order 4711" in row and "Sale: order 4711" in row
    assert client.get("/console/subjects/nobody?lang=en").status_code == 404


def test_the_dashboard_says_who_may_be_contacted(client, people):
    staff_users.create(people["controller"], "mark@acme.example", "marketer", PASSWORD)
    db.session.commit()
    login(client, email="mark@acme.example")
    page = client.get("/console/?lang=en").get_data(True)
    assert "Reachable" not in page
    assert "Who may be contacted now" in page
    phone = re.search(
        r'data-purpose="newsletter" data-channel="phone">(.*?)</tr>', page, re.S
    ).group(1)
    assert "May be called" in phone and 'data-count="1"' in phone
    assert "May be emailed" in page
    assert "your CRM holds them" in page
    dutch = client.get("/console/?lang=nl").get_data(True)
    assert "May be called" not in dutch and "Mag worden gebeld" in dutch


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_an_auditor_finds_a_person_by_the_start_of_the_address(server, browser, people):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    visited = []
    page.on("request", lambda request: visited.append(request.url))
    try:
        page.goto(f"{server}/console/login?lang=en")
        page.get_by_label("Email address").fill("staff@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Find a person").click()
        assert page.get_by_role("heading", name="Recent people").is_visible()
        page.get_by_label("Start of an email address").fill("anna")
        page.get_by_role("button", name="Search").click()
        assert page.get_by_role("status").inner_text().startswith("2 people")
        page.get_by_role("link", name="anna.dahl@example.test").click()
        assert page.get_by_text("anna.dahl@example.test").first.is_visible()
        assert page.locator("#events").is_visible()
        assert not any("anna" in url for url in visited)  # the address is in no URL
    finally:
        context.close()
