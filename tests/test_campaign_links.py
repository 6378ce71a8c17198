"""Campaign links: the fast signer makes exactly the tokens of signed_links.make, the links open the
pages, RFC 8058 headers, and unreachable subjects are flagged rather than left out."""

import time
from urllib.parse import unquote, urlsplit

import pytest

from consent.core import campaign_links, mail_refs, signed_links, subjects
from consent.core.database import db
from tests.support import api as api_support

FIXED = 1_795_300_000.25


@pytest.fixture
def world(make):
    world = api_support.build(make)
    world.anna = make.subject(world.controller, email="anna@example.test", locale="nl")
    world.bob = make.subject(world.controller, email="bob@example.test", locale="nb")
    make.record(world.anna, "consent_given", world.newsletter)
    db.session.commit()
    return world


def post_links(client, world, **body):
    return client.post("/api/v1/links", json=body, headers=world.auth("marketer"))


def test_links_equal_tokens_make(client, world, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: FIXED)
    response = post_links(
        client,
        world,
        subjects=[world.anna.public_id, "BOB@example.test"],
        purposes=["newsletter"],
        channel="email",
        campaign="2026-11-news",
        locale="nb",
    )
    assert response.status_code == 200
    links = response.get_json()["links"]
    assert [link["subject"] for link in links] == [world.anna.public_id, world.bob.public_id]
    for link in links:
        expected = signed_links.Link(
            "acme",
            link["subject"],
            ("newsletter",),
            "email",
            "2026-11-news",
            "nb",
            made_by=f"api-key:{world.keys['marketer'][:12]}",
        )
        assert link["preferences_url"] == signed_links.url(expected, "preferences")
        assert link["unsubscribe_url"] == signed_links.url(expected, "unsubscribe")
        ref = link["headers"].pop("X-Consent-Ref")
        assert link["headers"] == signed_links.list_unsubscribe_headers(expected)
        assert mail_refs.read(ref) == expected  # the metadata a mail service echoes
        assert mail_refs.from_metadata(link["metadata"]) == ref
        token = unquote(link["unsubscribe_url"].rsplit("/", 1)[1])
        assert signed_links.read(token, "unsubscribe") == expected
        with pytest.raises(signed_links.InvalidLink):
            signed_links.read(token, "preferences")  # salted per use
    [every] = post_links(client, world, subjects=["anna@example.test"]).get_json()["links"]
    expected = signed_links.Link(
        "acme",
        world.anna.public_id,
        None,
        "email",
        made_by=f"api-key:{world.keys['marketer'][:12]}",
    )
    assert every["preferences_url"] == signed_links.url(expected, "preferences")
    assert every["unsubscribe_url"] == signed_links.url(expected, "unsubscribe")


def test_headers_follow_rfc_8058(client, world, app):
    app.config["UNSUBSCRIBE_MAILTO"] = "unsubscribe@acme.example"
    [link] = post_links(client, world, subjects=["anna@example.test"]).get_json()["links"]
    header = link["headers"]["List-Unsubscribe"]
    assert header.startswith("<https://prefs.example.test/unsubscribe/")
    # The mailto carries the one-click token in its subject (tests/test_mailto_unsubscribes.py).
    token = unquote(link["unsubscribe_url"].rsplit("/", 1)[1])
    assert header.endswith(f", <mailto:unsubscribe@acme.example?subject=unsubscribe%20{token}>")
    assert header.split(">")[0][1:] == link["unsubscribe_url"]
    assert link["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_links_open_the_pages(client, world):
    [link] = post_links(
        client, world, subjects=["anna@example.test"], purposes=["newsletter"]
    ).get_json()["links"]
    for url in (link["preferences_url"], link["unsubscribe_url"]):
        assert client.get(urlsplit(url).path).status_code == 200


def test_unreachable_subjects_are_flagged_not_left_out(client, world):
    answer = post_links(
        client, world, subjects=["anna@example.test", "bob@example.test"], purposes=["newsletter"]
    ).get_json()
    assert [(link["email"], link["reachable"]) for link in answer["links"]] == [
        ("anna@example.test", True),
        ("bob@example.test", False),
    ]
    both = post_links(
        client,
        world,
        subjects=["anna@example.test"],
        purposes=["newsletter", "service"],
    ).get_json()["links"]
    assert both[0]["reachable"] is False  # no contract asserted for the service purpose


def test_all_purposes_scope(client, world):
    links = post_links(client, world, subjects=["anna@example.test", "bob@example.test"])
    anna, bob = links.get_json()["links"]
    token = unquote(bob["preferences_url"].rsplit("/", 1)[1])
    read = signed_links.read(token, "preferences")
    assert read.purposes is None and read.subject == world.bob.public_id
    made_by = f"api-key:{world.keys['marketer'][:12]}"
    expected = signed_links.Link("acme", world.bob.public_id, None, "email", made_by=made_by)
    assert signed_links.read(unquote(signed_links.url(expected, "preferences").rsplit("/", 1)[1]),
                       "preferences") == read  # fmt: skip
    # Reachable for any purpose: Anna consented to the newsletter, Bob to nothing.
    assert (anna["reachable"], bob["reachable"]) == (True, False)


def test_unknown_and_erased_subjects_are_listed_apart(client, world, make):
    subjects.erase(world.bob, source="api", actor="test")
    db.session.commit()
    answer = post_links(
        client, world, subjects=["nobody@example.test", "bob@example.test", "no-such-id"]
    ).get_json()
    assert answer["links"] == []
    assert answer["unknown"] == ["nobody@example.test", "bob@example.test", "no-such-id"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"subjects": ["anna@example.test"], "campaign": "spring sale!"}, 422, "invalid_campaign"),
        ({"subjects": ["anna@example.test"], "purposes": ["nope"]}, 404, "unknown_purpose"),
        ({"subjects": []}, 400, "invalid_parameter"),
        ({"subjects": [42]}, 400, "invalid_parameter"),
        ({"subjects": ["anna@example.test"], "locale": "de"}, 400, "invalid_locale"),
    ],
)
def test_bad_requests(client, world, body, status, code):
    response = post_links(client, world, **body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_many_links_in_one_pass(world):
    """Refs stream through in chunks; every one comes out, in order."""
    refs = ["anna@example.test", "bob@example.test", "ghost@example.test"] * 1500
    rows = list(
        campaign_links.link_rows(
            world.controller, refs, [world.newsletter], "email", "c1", None, "cli"
        )
    )
    assert len(rows) == len(refs)
    assert [status for status, _ref, _row in rows[:3]] == ["ok", "ok", "unknown"]
    assert rows[-2][2]["email"] == "bob@example.test"


def test_a_rows_cells_are_its_object_and_the_ref_is_the_one_click_token(world, monkeypatch):
    """The CSV's cells and the API's object are one row; the ref a mail service echoes is
    the one-click token (no third signature), and a ref signed apart earlier still maps."""
    monkeypatch.setattr(time, "time", lambda: FIXED)
    [(_, _, cells)] = campaign_links.link_rows(
        world.controller, ["anna@example.test"], None, "email", "c1", "nb", "cli", cells=True
    )
    [(_, _, row)] = campaign_links.link_rows(
        world.controller, ["anna@example.test"], None, "email", "c1", "nb", "cli"
    )
    headers = row["headers"]
    assert cells == (
        row["subject"],
        row["email"],
        row["preferences_url"],
        row["unsubscribe_url"],
        headers["List-Unsubscribe"],
        headers["X-Consent-Ref"],
        row["reachable"],
    )
    link = signed_links.Link("acme", world.anna.public_id, None, "email", "c1", "nb", made_by="cli")
    one_click = signed_links.make(link, "unsubscribe")
    assert headers["X-Consent-Ref"] == mail_refs.encode(one_click)
    assert mail_refs.read(mail_refs.encode(signed_links.make(link, "esp"))) == link
    with pytest.raises(mail_refs.UnreadableRef):
        mail_refs.read(mail_refs.encode(signed_links.make(link, "preferences")))


def test_a_csv_line_is_what_csv_writer_writes():
    """The links command writes its lines with shapes.csv_line: same text as csv.writer."""
    import csv
    import io

    from consent.core import shapes

    rows = [
        ("plain", None, "a,b", 'say "hi"', "two\nlines", "=SUM(A1)", "-1", "", "cr\r"),
        ("https://x.test/p/2~a~s", None, "@home", "", "true"),  # nothing to quote
        (",", ""),
        ("",),
        (),
        ("<https://x.test/u/2~a~s~n,o~email>, <mailto:u@x.test?subject=unsubscribe%202~a>",),
    ]
    for row in rows:
        expected = io.StringIO()
        csv.writer(expected, lineterminator="\n").writerow(shapes.csv_row(row))
        assert shapes.csv_line(row) == expected.getvalue()
