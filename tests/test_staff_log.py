"""The staff audit log: every staff view of a person and every staff change (who, when,
what, before and after), readable and exportable by auditors, and nobody can edit it."""

import csv
import io
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from consent.core import catalogue, staff_audit
from consent.core.database import db
from consent.core.staff_records import StaffAuditEntry
from tests.support.staff import post, sign_in, staff_user, staff_world


def log_lines():
    query = select(StaffAuditEntry).order_by(StaffAuditEntry.id)
    return list(db.session.scalars(query))


def test_views_and_changes_are_logged_with_who_what_before_and_after(app, client, make):
    c, anna, _p = staff_world(make)
    admin = staff_user(c, "admin")
    sign_in(client, admin)
    client.get(f"/console/subjects/{anna.public_id}?lang=en")
    client.get(f"/console/subjects/{anna.public_id}/proof?lang=en")
    page = f"/console/subjects/{anna.public_id}/staff?lang=en"
    url = f"/console/subjects/{anna.public_id}/said?lang=en"
    post(client, url, {"what": "objection", "channel": "phone", "note": "private words"}, page)
    lines = log_lines()
    assert [line.action for line in lines] == [
        "person_viewed",
        "proof_viewed",
        "person_viewed",
        "said_recorded",
    ]
    assert {(line.actor, line.staff_user_id, line.subject_ref) for line in lines} == {
        ("admin@acme.example", admin.id, anna.public_id)
    }
    change = lines[-1]
    assert change.before["calls/phone"] == "reachable"
    assert change.after["calls/phone"] != "reachable"
    assert change.after["recorded"] == "objection_recorded"
    assert "private words" not in json.dumps([change.before, change.after])
    assert "anna@example.test" not in json.dumps([line.after for line in lines])


def test_auditors_read_and_export_it_and_the_export_is_logged(app, client, make):
    c, anna, _p = staff_world(make)
    admin = staff_user(c, "admin")
    staff_audit.log(admin, staff_audit.VIEWED, anna)
    db.session.commit()
    auditor = staff_user(c, "auditor")
    sign_in(client, auditor)
    page = client.get("/console/staff-log?lang=en")
    assert page.status_code == 200
    body = page.get_data(True)
    assert "Viewed a person" in body and "admin@acme.example" in body and anna.public_id in body
    export = client.get("/console/staff-log.csv?lang=en")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(True))))
    assert [r["action"] for r in rows] == ["log_exported", "person_viewed"]
    assert rows[1]["actor"] == "admin@acme.example" and rows[1]["subject"] == anna.public_id
    assert rows[0]["actor"] == "auditor@acme.example"


def test_catalogue_changes_are_read_in_with_the_log(app, make):
    c, _anna, _p = staff_world(make)
    document = catalogue.read(catalogue.dump(catalogue.export(c)))
    document["purposes"][0]["notice"]["en"]["description"] = "We send you news each month."
    catalogue.apply(document, actor="console:admin@acme.example")
    db.session.commit()
    lines = staff_audit.lines(c)
    assert lines[0].action == "catalogue_applied" and lines[0].actor.endswith("acme.example")


def test_a_marketer_cannot_read_it(client, make):
    c, _anna, _p = staff_world(make)
    sign_in(client, staff_user(c, "marketer"))
    assert client.get("/console/staff-log?lang=en").status_code == 403
    assert client.get("/console/staff-log.csv?lang=en").status_code == 403


@pytest.mark.parametrize(
    "statement", ["UPDATE staff_audit SET actor = 'x'", "DELETE FROM staff_audit"]
)
def test_nobody_can_change_or_remove_a_line(app, make, statement):
    c, anna, _p = staff_world(make)
    staff_audit.log(staff_user(c, "admin"), staff_audit.VIEWED, anna)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert len(log_lines()) == 1


def test_the_lines_about_one_person(client, make):
    c, anna, _p = staff_world(make)
    bert = make.subject(c, email="bert@example.test")
    admin = staff_user(c, "admin")
    staff_audit.log(admin, staff_audit.VIEWED, anna)
    staff_audit.log(admin, staff_audit.VIEWED, bert)
    db.session.commit()
    sign_in(client, staff_user(c, "auditor"))
    page = client.get(f"/console/subjects/{anna.public_id}/staff?lang=en").get_data(True)
    assert f"/console/staff-log?person={anna.public_id}" in page
    only = client.get(f"/console/staff-log?person={anna.public_id}&lang=en").get_data(True)
    assert anna.public_id in only and bert.public_id not in only
    export = client.get(f"/console/staff-log.csv?person={bert.public_id}").get_data(True)
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [(r["subject"], r["action"]) for r in rows] == [(bert.public_id, "person_viewed")]
