"""The state history answers a past instant as the replay of the ledger does (the proof),
at many instants, through catalogue changes of the settings, lapses, rebuilds and imports;
and the lists PostgreSQL formats itself (COPY) say what the row-by-row answer says."""

import csv
import io
import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from consent.core import importer, ledger, purposes, reachability, state_history, subjects
from consent.core.database import db
from consent.core.ledger import Change, LedgerError
from consent.core.models import Controller, StateHistory, Subject, utcnow

REPLAY = timedelta(days=100_000)
START = utcnow() - timedelta(days=900)


def catalogue(make, slug):
    """Four purposes, their settings in force since before anyone's past (as made now)."""
    controller = make.controller(slug)
    made = {
        "newsletter": make.purpose(controller, channels=("email", "sms"), consent_lifetime="P30D"),
        "customer": make.purpose(controller, "customer", basis="legitimate_interest"),
        "invoices": make.purpose(controller, "invoices", basis="contract", category="service"),
        "profile": make.purpose(
            controller, "profile", basis="consent", category="profiling", channels=()
        ),
    }
    for purpose in made.values():
        purposes.record_settings(purpose, START - timedelta(days=10))
        db.session.expire(purpose, ["settings"])
    return controller, made


def change_settings(controller, purpose, at, **fields):
    """A catalogue change in force from `at`, then the state recomputed, as the catalogue's
    own apply does (catalogue/apply.py)."""
    for name, value in fields.items():
        setattr(purpose, name, value)
    purposes.record_settings(purpose, at)
    db.session.expire(purpose, ["settings"])  # read again, in the order they take effect
    ledger.rebuild_states(controller)
    db.session.commit()


def answers(purpose, channel, at):
    indexed = list(reachability.reachable_at(purpose, channel, at))
    replayed = list(reachability.replayed_at(purpose, channel, at))
    return indexed, replayed


def assert_history_is_the_replay(controller, catalogue_, instants):
    db.session.expire_all()
    for purpose in catalogue_.values():
        for channel in state_history._keys(purpose):
            for at in instants:
                indexed, replayed = answers(purpose, channel, at)
                assert indexed == replayed, (purpose.slug, channel, at)
                assert reachability.count(purpose, channel, at) == len(replayed)


def instants_of(controller, catalogue_):
    """Every instant where an answer may turn, a second either side, and between them."""
    people = select(Subject.id).where(Subject.controller_id == controller.id)
    turns = {START - timedelta(days=1), utcnow()}
    for row in db.session.scalars(select(StateHistory).where(StateHistory.subject_id.in_(people))):
        turns.update(t for t in (row.valid_from, row.valid_to, row.expires_at) if t)
    for purpose in catalogue_.values():
        turns.update(v.effective_at for v in purpose.settings)
    seconds = timedelta(seconds=1)
    found = sorted(turns)
    middles = [a + (b - a) / 2 for a, b in zip(found, found[1:], strict=False)]
    return sorted({t + d for t in found for d in (-seconds, timedelta(0), seconds)} | set(middles))


STEPS = st.sampled_from(
    [
        ("consent_given", "newsletter", "email"),
        ("consent_given", "newsletter", "sms"),
        ("consent_withdrawn", "newsletter", "email"),
        ("consent_refused", "newsletter", None),
        ("objection_recorded", "direct_marketing", None),
        ("basis_asserted", "customer", None),
        ("objection_recorded", "customer", None),
        ("basis_asserted", "invoices", None),
        ("basis_ended", "invoices", None),
        ("consent_given", "profile", None),
        ("consent_withdrawn", "profile", None),
        ("channel_disabled", None, "email"),
        ("restriction_started", None, None),
        ("restriction_ended", None, None),
        ("settings", "newsletter", {"consent_lifetime": None}),
        ("settings", "newsletter", {"consent_lifetime": "P10D"}),
        ("settings", "newsletter", {"consent_lifetime": "P90D"}),
        ("settings", "newsletter", {"channels": ["email"]}),
        ("settings", "newsletter", {"channels": ["email", "sms"]}),
        ("settings", "customer", {"retired": True}),
        ("settings", "customer", {"retired": False}),
    ]
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(STEPS, st.integers(0, 1), st.integers(1, 60)), min_size=1, max_size=10)
)
def test_the_history_answers_every_past_instant_as_the_replay(app, make, steps):
    controller, catalogue_ = catalogue(make, f"c{utcnow().timestamp():.6f}".replace(".", ""))
    people = [
        make.subject(controller, email=f"p{n}.{controller.slug}@example.test") for n in (0, 1)
    ]
    for person in people:
        person.created_at = START
    db.session.commit()
    at = START
    for (kind, target, detail), who, days in steps:
        at += timedelta(days=days)
        if kind == "settings":
            change_settings(controller, catalogue_[target], at, **detail)
            continue
        change = Change(kind, channel=detail, occurred_at=at)
        if target == "direct_marketing":
            change.scope = target
        elif target:
            change.purpose = catalogue_[target]
        if kind == "basis_asserted":
            change.basis = catalogue_[target].basis
            change.evidence = change.sale_reference = "order 2024-1"
            change.opt_out_offered_at = at
        try:
            ledger.record(people[who], [change], source="api", actor="test", backdate_window=REPLAY)
            db.session.commit()
        except LedgerError:  # refused by the rules (a channel not offered then): nothing
            db.session.rollback()
    assert_history_is_the_replay(controller, catalogue_, instants_of(controller, catalogue_))
    for person in people:
        assert state_history.problems(person, controller, ledger.events_of(person)) == []


def test_verify_reports_an_altered_history(app, make, runner):
    controller, catalogue_ = catalogue(make, "acme")
    anna = make.subject(controller, email="anna@example.test")
    make.record(anna, "consent_given", catalogue_["newsletter"], channel="email")
    db.session.commit()
    assert runner.invoke(args=["consent", "verify"]).exit_code == 0
    db.session.execute(
        update(StateHistory)
        .where(StateHistory.subject_id == anna.id, StateHistory.reachable.is_(True))
        .values(valid_from=START)
    )
    db.session.commit()
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 1 and "state history differs" in result.output


def test_a_catalogue_change_leaves_the_past_of_the_history_as_it_was(app, make):
    controller, catalogue_ = catalogue(make, "acme")
    newsletter = catalogue_["newsletter"]
    anna = make.subject(controller, email="anna@example.test")
    anna.created_at = START
    given_at = START + timedelta(days=10)
    make.record(anna, "consent_given", newsletter, channel="email", occurred_at=given_at)
    db.session.commit()
    before = {row.id: row for row in db.session.scalars(select(StateHistory))}
    # Ten days later a lifetime of a year; forty days later the newsletter by sms only.
    change_settings(controller, newsletter, given_at + timedelta(days=10), consent_lifetime="P1Y")
    retired_at = given_at + timedelta(days=40)
    change_settings(controller, newsletter, retired_at, channels=["sms"])
    after = {row.id: row for row in db.session.scalars(select(StateHistory))}
    kept = [row for row in before.values() if row.valid_to and row.valid_to <= retired_at]
    assert kept and all(after[row.id] is row for row in kept)  # the same rows, not rewritten
    # The consent given under a 30-day lifetime keeps it: it lapsed before the change.
    lapse = given_at + timedelta(days=30)
    assert [r.subject for r in reachability.reachable_at(newsletter, "email", lapse)] == []
    day_before = lapse - timedelta(days=1)
    assert [r.subject for r in reachability.reachable_at(newsletter, "email", day_before)] == [
        anna.public_id
    ]
    assert_history_is_the_replay(controller, catalogue_, instants_of(controller, catalogue_))


def test_an_upgraded_database_answers_from_the_ledger_until_rebuild_state(app, make, runner):
    controller, catalogue_ = catalogue(make, "acme")
    anna = make.subject(controller, email="anna@example.test")
    anna.created_at = START
    make.record(
        anna, "consent_given", catalogue_["newsletter"], channel="email",
        occurred_at=START + timedelta(days=3),
    )  # fmt: skip
    # What the migration leaves: no history yet, every person waiting to be recomputed.
    db.session.execute(delete(StateHistory))
    controller.state_rebuilt_through = 0
    db.session.commit()
    instants = [START + timedelta(days=d) for d in (1, 4, 40)]
    assert_history_is_the_replay(controller, catalogue_, instants)
    result = runner.invoke(args=["consent", "rebuild-state"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Controller, controller.id).state_rebuilt_through is None
    assert db.session.scalar(select(func.count(StateHistory.id))) > 0
    assert_history_is_the_replay(controller, catalogue_, instants)


def test_an_import_writes_the_history_the_replay_gives(app, make, tmp_path):
    controller, catalogue_ = catalogue(make, "acme")
    db.session.commit()
    path = tmp_path / "contacts.csv"
    path.write_text(
        "email;purpose;channel;decision;given_at\n"
        "anna@example.test;newsletter;email;given;2026-01-05T10:00:00Z\n"
        "bob@example.test;newsletter;email;given;2025-01-05T10:00:00Z\n"
        "carl@example.test;newsletter;sms;refused;\n",
        encoding="utf-8",
    )
    summary = importer.import_file(controller, path, batch_size=2)
    assert summary.created == 3, summary.describe()
    path.write_text(
        "email;purpose;channel;decision\nanna@example.test;newsletter;email;withdrawn\n",
        encoding="utf-8",
    )
    assert importer.import_file(controller, path).updated == 1
    assert_history_is_the_replay(controller, catalogue_, instants_of(controller, catalogue_))


def rows_of(body, fmt):
    text = "".join(p.decode() if isinstance(p, bytes) else p for p in body)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(text)))
    return [json.loads(line) for line in text.split("\n") if line]  # lines end at \\n only


def test_the_lists_say_what_the_row_by_row_answer_says(app, make):
    controller, catalogue_ = catalogue(make, "acme")
    newsletter, customer = catalogue_["newsletter"], catalogue_["customer"]
    now = utcnow()
    emails = [
        "plain@example.test",
        "o'brien,jr@example.test",
        "-minus@example.test",
        "=sum@example.test",
        "zoë@example.test",
    ]
    people = []
    for number, email in enumerate(emails + [f"p{n}@example.test" for n in range(8)]):
        person = make.subject(controller, email=email)
        people.append(person)
        days = 5 if number % 3 else 45  # every third past its 30-day lifetime
        make.record(
            person, "consent_given", newsletter, channel="email",
            occurred_at=now - timedelta(days=days), notice_version=1 + number % 2,
        )  # fmt: skip
        make.record(person, "basis_asserted", customer, basis="legitimate_interest",
                    evidence=f"order {number}")  # fmt: skip
    make.record(people[6], "consent_withdrawn", newsletter, channel="email")
    make.record(people[7], "restriction_started")
    # Addresses as the database may hold them, whatever a form would accept.
    people[8].email = 'back\\slash"quote@example.test'
    people[9].email = "tab\tand\u2028line@example.test"
    db.session.commit()
    subjects.erase(people[10], source="api", actor="test")
    db.session.commit()
    past = now - timedelta(days=20)
    for purpose, channel in ((newsletter, "email"), (newsletter, "sms"), (customer, "email")):
        for at in (None, past):
            for version in (None, 2):
                rows = list(reachability.rows(purpose, channel, at, version))
                expected = {
                    "ndjson": rows_of(reachability.ndjson_lines(rows), "ndjson"),
                    "csv": rows_of(reachability.csv_lines(rows), "csv"),
                }
                for fmt in ("ndjson", "csv"):
                    listed = rows_of(reachability.lines(purpose, channel, at, version, fmt), fmt)
                    assert listed == expected[fmt], (purpose.slug, channel, at, version, fmt)
                assert reachability.count(purpose, channel, at, version) == len(rows)
                if at is not None:
                    replayed = list(reachability.replayed_at(purpose, channel, at, version))
                    assert rows == replayed
    listed = rows_of(reachability.lines(newsletter, "email"), "ndjson")
    assert 0 < len(listed) < len(people)  # lapsed, withdrawn, restricted, erased left out
    odd = {'back\\slash"quote@example.test', "-minus@example.test"}
    assert {row["email"] for row in listed} >= odd
