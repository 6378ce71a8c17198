"""Streamed lists answer from a real server, where the list is read after the request's own
session has closed (the test client's surrounding app context hides that)."""

import csv
import io
import json
import urllib.request

from consent.core import api_keys
from consent.core.database import db
from consent.core.models import utcnow
from tests.support.live import serving
from tests.support.pages import world


def read(base, path, key) -> str:
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
        return answer.read().decode()


def test_the_reachable_list_now_and_at_a_past_instant_stream_from_a_real_server(app, make):
    """Failed before: GET /api/v1/reachable answered 500 outside the test client (the list
    was read after the request's session had closed: DetachedInstanceError), and a past
    instant for a legitimate-interest marketing purpose failed on any server (the replayed
    rows lacked the existing-customer conditions)."""
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"])
    key = api_keys.create(c, "marketer", [])[1]
    db.session.commit()
    at = utcnow().isoformat().replace("+00:00", "Z")
    with serving(app) as base:
        now = read(base, "/api/v1/reachable?purpose=newsletter", key)
        past = read(base, f"/api/v1/reachable?purpose=offers&format=csv&at={at}", key)
    assert [json.loads(line)["subject"] for line in now.splitlines()] == [s.public_id]
    assert [row["subject"] for row in csv.DictReader(io.StringIO(past))] == [s.public_id]
