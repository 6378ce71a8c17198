"""The catalogue file: an organisation sets itself up, changes, and never rewrites the past."""

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from consent.core import api_keys, catalogue, integrity, ledger, purposes, reachability
from consent.core.database import db
from consent.core.models import (
    CatalogueChange,
    Controller,
    Event,
    Notice,
    OutboxMessage,
    PurposeSettings,
    utcnow,
)
from tests.support.mail import deliver
from tests.support.pages import link_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "acme.yaml"


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def write(tmp_path, document: dict, name="acme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(catalogue.dump(document))
    return path


def apply(runner, path, *options):
    return runner.invoke(args=["consent", "catalogue", "apply", str(path), *options])


@pytest.fixture
def acme(app, runner):
    """The README's example file, applied."""
    result = apply(runner, EXAMPLE)
    assert result.exit_code == 0, result.output
    return purposes.controller_by_slug("acme")


def consent_of(controller, slug, channel="email", email="anna@example.nl"):
    """A person's consent through the preference page, on the current notice."""
    from consent.core import subjects

    purpose = purposes.purpose_by_slug(controller, slug)
    subject = subjects.find(controller, email) or subjects.upsert(controller, email, None, "nl")[0]
    notice = purposes.current_notices(controller, "nl")[purpose.id]
    change = ledger.Change(
        "consent_given",
        purpose,
        channel=channel,
        notice_version=notice.version,
        notice_hash=notice.text_hash,
    )
    ledger.record(
        subject,
        [change],
        source="preference_page",
        actor="subject",
        locale="nl",
        mailbox_proof="mailed_link",
    )
    db.session.commit()
    return subject, purpose


def test_dry_run_apply_export_apply(app, runner, tmp_path):
    dry = apply(runner, EXAMPLE, "--dry-run")
    assert dry.exit_code == 0 and "acme: new controller" in dry.output
    assert "purpose added: interest-profile" in dry.output and "dry run" in dry.output
    assert db.session.scalar(select(func.count(Controller.id))) == 0

    assert apply(runner, EXAMPLE).exit_code == 0
    exported = tmp_path / "export.yaml"
    result = runner.invoke(
        args=["consent", "catalogue", "export", "--controller", "acme", "-o", str(exported)]
    )
    assert result.exit_code == 0, result.output
    text = exported.read_text()
    assert '"NL":' in text and 'version: "2026-11"' in text  # codes and versions stay quoted
    again = apply(runner, exported)
    assert again.exit_code == 0 and again.output.strip() == "acme: no changes"
    assert apply(runner, EXAMPLE).output.strip() == "acme: no changes"
    assert db.session.scalar(select(func.count(CatalogueChange.id))) == 1


def test_a_new_controller_goes_live(app, client, acme):
    controller = acme
    assert [p.slug for p in controller.purposes] == [
        "newsletter",
        "customer-marketing",
        "interest-profile",
    ]
    assert purposes.purpose_by_slug(controller, "interest-profile").channels == []
    _row, key = api_keys.create(controller, "widget", origins=["https://shop.example"])
    db.session.commit()
    answer = client.post(
        "/api/v1/consents",
        json={
            "subject": {"email": "joost@example.nl"},
            "locale": "nb",
            "decisions": [{"purpose": "newsletter", "decision": "given", "channel": "sms"}],
        },
        headers={"Authorization": f"Bearer {key}", "Origin": "https://shop.example"},
    )
    assert answer.status_code == 201, answer.get_json()
    subject, _purpose = consent_of(controller, "newsletter")
    for locale, title in (("nl", "Nieuwsbrief"), ("nb", "Nyhetsbrev"), ("en", "Newsletter")):
        page = client.get(f"/preferences/{link_for(controller, subject)}?lang={locale}")
        html = page.get_data(True)
        assert page.status_code == 200 and title in html, locale
        assert f'<html lang="{locale}">' in html
    assert "Autoriteit Persoonsgegevens" in html


def test_one_changed_text_makes_one_new_version(app, runner, tmp_path, acme):
    subject, newsletter = consent_of(acme, "newsletter")
    [given] = db.session.scalars(select(Event).where(Event.subject_id == subject.id)).all()
    v1_hash = given.notice_hash
    document = example()
    document["purposes"][0]["notice"]["nb"]["description"] = "Et nytt nyhetsbrev hver uke."
    result = apply(runner, write(tmp_path, document))
    assert result.exit_code == 0, result.output
    assert "notice newsletter: new version 2; 1 people's consent rests on an older" in result.output
    versions = db.session.scalars(
        select(Notice.version).where(Notice.purpose_id == newsletter.id).distinct()
    ).all()
    assert sorted(versions) == [1, 2]
    db.session.expire_all()
    given = db.session.get(Event, given.id)
    assert (given.notice_version, given.notice_hash) == (1, v1_hash)
    assert (
        db.session.scalar(
            select(Notice.text_hash).where(
                Notice.purpose_id == newsletter.id, Notice.version == 1, Notice.locale == "nl"
            )
        )
        == v1_hash
    )
    # A campaign that must rest on the current text leaves this person out.
    assert reachability.count(newsletter, "email") == 1
    assert reachability.count(newsletter, "email", min_notice_version=2) == 0
    assert reachability.count(newsletter, "email", min_notice_version=1) == 1


def test_a_changed_setting_takes_effect_then_and_the_past_stays(app, runner, tmp_path, acme):
    subject, newsletter = consent_of(acme, "newsletter", channel="sms")
    before_change = utcnow()
    document = example()
    document["purposes"][0]["channels"] = ["email"]
    result = apply(runner, write(tmp_path, document))
    assert result.exit_code == 0, result.output
    assert "newsletter.channels: ['email', 'sms'] -> ['email']" in result.output
    db.session.expire_all()
    newsletter = purposes.purpose_by_slug(acme, "newsletter")
    assert [v.channels for v in newsletter.settings] == [["email", "sms"], ["email"]]
    assert reachability.count(newsletter, "sms", at=before_change) == 1
    assert reachability.count(newsletter, "sms") == 0
    assert reachability.count(newsletter, "sms", at=utcnow()) == 0
    assert integrity.verify().ok  # state was recomputed: it equals a rebuild


def test_a_retired_purpose_keeps_its_history_and_proof(app, runner, client, tmp_path, acme):
    subject, newsletter = consent_of(acme, "newsletter")
    document = example()
    document["purposes"][0]["retired"] = True
    result = apply(runner, write(tmp_path, document))
    assert "purpose retired: newsletter" in result.output
    assert reachability.count(newsletter, "email") == 0
    assert integrity.verify().ok
    _row, key = api_keys.create(acme, "auditor")
    db.session.commit()
    proof = client.get(
        f"/api/v1/subjects/{subject.public_id}/proof?purpose=newsletter",
        headers={"Authorization": f"Bearer {key}"},
    ).get_json()
    assert proof["chain"]["intact"] and proof["events"][0]["kind"] == "consent_given"
    document["purposes"][0]["retired"] = False
    back = apply(runner, write(tmp_path, document))
    assert back.exit_code == 2 and "purposes[0].retired" in back.output


def _broken(mutate):
    document = example()
    mutate(document)
    return document


INVALID = {
    "missing locale text": (
        _broken(lambda d: d["purposes"][1]["notice"].pop("nb")),
        "purposes[1].notice.nb: missing",
    ),
    "missing title": (
        _broken(lambda d: d["purposes"][2]["notice"]["nb"].pop("title")),
        "purposes[2].notice.nb.title: missing",
    ),
    "unknown category": (
        _broken(lambda d: d["purposes"][0].update(category="spam")),
        "purposes[0].category: 'spam' is not one of",
    ),
    "bad duration": (
        _broken(lambda d: d["purposes"][0].update(consent_lifetime="24 months")),
        "purposes[0].consent_lifetime",
    ),
    "duplicate slug": (
        _broken(lambda d: d["purposes"][2].update(slug="newsletter")),
        "purposes[2].slug: newsletter is used by purposes[0] too",
    ),
    "low contrast": (
        _broken(lambda d: d["branding"].update(color="#ffcc00")),
        "branding.color: #ffcc00 has contrast",
    ),
    "unknown key": (
        _broken(lambda d: d.update(colour="#000000")),
        "colour: unknown key",
    ),
    "unknown mail service": (
        _broken(lambda d: d.update(mail_services={"sendgird": {"credentials_env": ["K"]}})),
        "mail_services: 'sendgird' is not one of sendgrid, mailgun, postmark, ses",
    ),
    "two default authorities": (
        _broken(lambda d: d["authorities"]["NO"].update(default=True)),
        "authorities: exactly one must be default, found 2",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_file_exits_2_names_the_path_and_changes_nothing(app, runner, tmp_path, case):
    document, problem = INVALID[case]
    result = apply(runner, write(tmp_path, document))
    assert result.exit_code == 2, result.output
    assert problem in result.output and "nothing was changed" in result.output
    assert db.session.scalar(select(func.count(Controller.id))) == 0


def test_an_unquoted_no_is_refused(app, runner, tmp_path):
    text = EXAMPLE.read_text().replace('  "NO":\n', "  NO:\n")
    assert "  NO:\n" in text
    path = tmp_path / "no.yaml"
    path.write_text(text)
    result = apply(runner, path)
    assert result.exit_code == 2
    assert 'authorities.NO: the key NO reads as a boolean in YAML; write it in quotes ("NO")' in (
        result.output
    )
    unquoted_colour = EXAMPLE.read_text().replace('color: "#0b5394"', "color: #0b5394")
    path.write_text(unquoted_colour)
    assert "branding.color: an unquoted #rrggbb" in apply(runner, path).output


def test_forbidden_changes_exit_2_and_change_nothing(app, runner, tmp_path, acme):
    consent_of(acme, "newsletter")
    renamed = example()
    renamed["purposes"][0]["slug"] = "news"
    result = apply(runner, write(tmp_path, renamed))
    assert result.exit_code == 2
    assert "purposes: newsletter is missing; a purpose leaves only through retired: true" in (
        result.output
    )
    rebased = example()
    rebased["purposes"][0]["basis"] = "legitimate_interest"
    rebased["purposes"][0].pop("consent_lifetime")
    rebased["purposes"][0]["double_opt_in"] = False
    result = apply(runner, write(tmp_path, rebased))
    assert result.exit_code == 2
    assert "purposes[0].basis: consent -> legitimate_interest is not allowed" in result.output
    assert [p.slug for p in purposes.controller_by_slug("acme").purposes][0] == "newsletter"
    assert db.session.scalar(select(func.count(PurposeSettings.id))) == 3


def test_the_api_round_trip(app, client, acme):
    _row, key = api_keys.create(acme, "admin")
    _row2, other = api_keys.create(acme, "marketer")
    db.session.commit()
    auth = {"Authorization": f"Bearer {key}"}
    assert (
        client.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {other}"}).status_code
        == 403
    )
    document = client.get("/api/v1/catalogue", headers=auth).get_json()
    assert document["slug"] == "acme" and document["authorities"]["NL"]["default"] is True
    same = client.put("/api/v1/catalogue", json=document, headers=auth)
    assert same.status_code == 200 and same.get_json()["plan"]["no_changes"] is True

    document["purposes"][0]["notice"]["en"]["title"] = "Monthly newsletter"
    dry = client.put("/api/v1/catalogue?dry_run=1", json=document, headers=auth).get_json()
    assert dry["plan"]["notices"][0]["version"] == 2 and dry["plan"]["applied"] is False
    assert purposes.latest_version(purposes.purpose_by_slug(acme, "newsletter")) == 1
    done = client.put("/api/v1/catalogue", json=document, headers=auth).get_json()
    assert done["plan"]["applied"] is True
    assert purposes.latest_version(purposes.purpose_by_slug(acme, "newsletter")) == 2

    yaml_text = client.get("/api/v1/catalogue?format=yaml", headers=auth).get_data(True)
    assert re.search(r"^slug: acme$", yaml_text, re.M)
    as_yaml = client.put(
        "/api/v1/catalogue", data=yaml_text, headers={**auth, "Content-Type": "application/yaml"}
    )
    assert as_yaml.get_json()["plan"]["no_changes"] is True

    document["purposes"][0]["notice"].pop("nb")
    bad = client.put("/api/v1/catalogue", json=document, headers=auth)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["problems"] == ["purposes[0].notice.nb: missing"]
    document = client.get("/api/v1/catalogue", headers=auth).get_json()
    document["slug"] = "someone-else"
    assert client.put("/api/v1/catalogue", json=document, headers=auth).status_code == 403


def test_the_schema_is_published(client):
    schema = client.get("/api/catalogue.schema.json").get_json()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "purposes" in schema["required"]


def test_the_readme_shows_the_example_file_whole():
    readme = (ROOT / "README.md").read_text()
    assert "```yaml\n" + EXAMPLE.read_text() + "```" in readme


def test_a_change_for_many_people_is_recomputed_by_the_worker_in_batches(
    app, runner, tmp_path, acme
):
    app.config.update(STATE_REBUILD_INLINE=3, STATE_REBUILD_BATCH=2)
    for n in range(5):
        consent_of(acme, "newsletter", channel="sms", email=f"person{n}@example.nl")
    newsletter = purposes.purpose_by_slug(acme, "newsletter")
    assert reachability.count(newsletter, "sms") == 5
    document = example()
    document["purposes"][0]["channels"] = ["email"]
    result = apply(runner, write(tmp_path, document))
    assert "state of 5 people is recomputed by the worker in batches" in result.output
    db.session.expire_all()
    assert acme.state_rebuilt_through == 0
    # Not recomputed yet, and still answered right: from the ledger.
    assert reachability.count(newsletter, "sms") == 0
    assert list(reachability.rows(newsletter, "sms")) == []
    assert integrity.verify().ok
    status = runner.invoke(args=["consent", "worker", "--status"]).output
    assert re.search(r"rebuild_states\s+1\s+1", status), status
    deliver(app)
    db.session.expire_all()
    assert acme.state_rebuilt_through is None
    batches = db.session.scalars(
        select(OutboxMessage.state).where(OutboxMessage.kind == "rebuild_states")
    ).all()
    assert batches == ["delivered"] * 4  # 2 + 2 + 1 people, then one that found none left
    assert reachability.count(newsletter, "sms") == 0
    assert integrity.verify().ok
