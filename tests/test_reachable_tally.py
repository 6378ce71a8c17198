"""The reachable count from the tally equals the list and a count of the state rows, through
consents lapsing today, tomorrow and long ago, withdrawals, an import over known people, a
channel the catalogue drops, an erasure, and the worker folding the tally."""

from datetime import timedelta

from sqlalchemy import func, select

from consent.core import importer, ledger, purposes, reachability, subjects, tally
from consent.core.database import db
from consent.core.models import ReachableTally, State, utcnow


def counted_by_scan(purpose, channel, now):
    return db.session.scalar(
        select(func.count()).where(
            State.purpose_id == purpose.id,
            State.channel == channel,
            State.reachable,
            (State.expires_at.is_(None)) | (State.expires_at > now),
        )
    )


def assert_counts_agree(*keys):
    db.session.expire_all()
    now = utcnow()
    for purpose, channel in keys:
        listed = len(list(reachability.rows(purpose, channel)))
        assert (
            reachability.count(purpose, channel) == listed == counted_by_scan(purpose, channel, now)
        ), (purpose.slug, channel)


def test_the_tally_counts_what_the_list_lists(app, make, runner, tmp_path):
    controller = make.controller()
    news = make.purpose(controller, channels=("email", "sms"), consent_lifetime="P30D")
    offers = make.purpose(controller, "offers", basis="legitimate_interest")
    keys = [(news, "email"), (news, "sms"), (offers, "email")]
    now = utcnow()
    ages = {
        "in-an-hour": timedelta(days=30) - timedelta(hours=1),
        "tomorrow": timedelta(days=29),
        "fresh": timedelta(days=1),
        "lapsed": timedelta(days=40),
        "withdrawn": timedelta(days=2),
        "erased": timedelta(days=3),
    }
    people = {}
    for name, age in ages.items():
        person = make.subject(controller, email=f"{name}@example.test")
        make.record(person, "consent_given", news, occurred_at=now - age)
        make.record(person, "basis_asserted", offers, basis="legitimate_interest",
                    evidence=f"order {name}")  # fmt: skip
        people[name] = person
    make.record(people["withdrawn"], "consent_withdrawn", news, channel="email")
    subjects.erase(people["erased"], source="api", actor="test")
    db.session.commit()
    assert_counts_agree(*keys)

    path = tmp_path / "contacts.csv"
    path.write_text(
        "email;purpose;channel;decision\n"
        "fresh@example.test;newsletter;sms;withdrawn\n"
        "new@example.test;newsletter;email;given\n",
        encoding="utf-8",
    )
    summary = importer.import_file(controller, path)
    assert (summary.created, summary.updated) == (1, 1), summary.describe()
    assert_counts_agree(*keys)

    # The catalogue drops sms: its state rows go, and their count with them.
    news.channels = ["email"]
    purposes.record_settings(news, utcnow())
    ledger.rebuild_states(controller)
    db.session.commit()
    assert_counts_agree((news, "email"), (offers, "email"))
    assert reachability.count(news, "sms") == 0

    rows_before = db.session.scalar(select(func.count(ReachableTally.id)))
    tally.compact(utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count(ReachableTally.id))) < rows_before
    assert_counts_agree((news, "email"), (offers, "email"))

    result = runner.invoke(args=["consent", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert_counts_agree((news, "email"), (offers, "email"))
