"""The ledger: validation, append-only rows, hash chain, state kept in step, tampering found."""

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from consent.core import chain, integrity, ledger, models, rules
from consent.core.database import db
from consent.core.ledger import Change, LedgerError
from consent.core.models import Event, State, utcnow
from tests.support.factories import REPLAY


@pytest.fixture
def world(make):
    controller = make.controller()
    purposes = {
        "newsletter": make.purpose(
            controller,
            "newsletter",
            channels=("email", "phone"),
            consent_lifetime="P24M",
            double_opt_in=True,
        ),
        "customer": make.purpose(
            controller, "customer-marketing", basis="legitimate_interest", similar_products=True
        ),
        "invoices": make.purpose(
            controller, "invoices", basis="contract", category="service", channels=("email", "post")
        ),
        "research": make.purpose(
            controller, "research", basis="legitimate_interest", category="research"
        ),
        "profile": make.purpose(
            controller,
            "profile",
            basis="legitimate_interest",
            category="profiling",
            channels=(),
            marketing_related=True,
        ),
    }
    db.session.commit()
    return controller, purposes


def state_of(subject, purpose, channel="email"):
    return db.session.get(State, (subject.id, purpose.id, channel))


def test_new_subject_has_state_rows_for_every_purpose_and_channel(app, make, world):
    controller, purposes = world
    subject = make.subject(controller)
    db.session.commit()
    rows = db.session.scalars(select(State).where(State.subject_id == subject.id)).all()
    assert len(rows) == 2 + 1 + 2 + 1 + 1
    assert state_of(subject, purposes["profile"], "").reason == "basis_not_asserted"
    assert state_of(subject, purposes["research"]).reason == "basis_not_asserted"
    assert state_of(subject, purposes["customer"]).reason == "basis_not_asserted"
    assert state_of(subject, purposes["newsletter"]).reason == "never_asked"


def test_events_chain_and_state_follow(app, make, world):
    controller, purposes = world
    subject = make.subject(controller)
    first = make.record(
        subject, "consent_given", purposes["newsletter"], channel="email", source="preference_page"
    )
    make.record(subject, "consent_withdrawn", purposes["newsletter"], channel="phone")
    db.session.commit()
    events = ledger.events_of(subject)
    assert [e.seq for e in events] == [1, 2]
    assert events[0].prev_hash is None and events[1].prev_hash == events[0].hash
    assert events[0].receipt_id == first.id and events[0].basis == "consent"
    assert state_of(subject, purposes["newsletter"]).reachable
    assert state_of(subject, purposes["newsletter"], "phone").reason == "withdrawn"
    assert subject.last_hash == events[1].hash


def test_one_interaction_is_one_receipt(app, make, world):
    controller, purposes = world
    subject = make.subject(controller)
    receipt = ledger.record(
        subject,
        [
            Change("consent_given", purposes["newsletter"], channel="email"),
            Change("objection_recorded", purposes["customer"]),
        ],
        source="preference_page",
        actor="subject",
    )
    db.session.commit()
    assert {e.receipt_id for e in ledger.events_of(subject)} == {receipt.id}


def test_new_ids_begin_with_the_time_they_were_made(app, make, world, monkeypatch):
    """UUIDv7: index entries for new events and receipts append beside the last ones."""
    made = []
    for millisecond in (1_000, 1_001, 5_000):
        monkeypatch.setattr(models.time, "time_ns", lambda ms=millisecond: ms * 1_000_000)
        made.append(models.new_uuid())
    assert [uuid.UUID(id_).version for id_ in made] == [7, 7, 7]
    assert made == sorted(made) and uuid.UUID(made[0]).int >> 80 == 1_000
    monkeypatch.undo()
    controller, purposes = world
    subject = make.subject(controller)
    receipt = ledger.record(
        subject,
        [Change("consent_given", purposes["newsletter"], channel="email")],
        source="api",
        actor="api",
    )
    [event] = ledger.events_of(subject)
    assert uuid.UUID(event.id).version == uuid.UUID(receipt.id).version == 7
    assert len({models.new_uuid() for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda p: Change("consent_exploded", p["newsletter"]), "unknown_kind"),
        (lambda p: Change("consent_given", p["newsletter"], channel="sms"), "unknown_channel"),
        (lambda p: Change("consent_given"), "purpose_required"),
        (lambda p: Change("objection_overridden", p["customer"], reason="x"), "override_refused"),
        (lambda p: Change("objection_overridden", p["research"]), "reason_required"),
        (lambda p: Change("basis_asserted", p["invoices"], basis="contract"), "evidence_required"),
        (
            lambda p: Change("basis_asserted", p["invoices"], basis="consent", evidence="x"),
            "basis_not_allowed",
        ),
        # SPEC §2: a consent purpose never switches to legitimate interest (item 2).
        (
            lambda p: Change(
                "basis_asserted", p["newsletter"], basis="legitimate_interest", evidence="o 1"
            ),
            "basis_not_allowed",
        ),
        # A consent names its channel (item 5).
        (lambda p: Change("consent_given", p["newsletter"]), "channel_required"),
        (lambda p: Change("channel_disabled"), "channel_required"),
        # No personal data in event text (item 15).
        (
            lambda p: Change(
                "basis_asserted", p["invoices"], basis="contract", evidence="mail from a@b.nl"
            ),
            "personal_data_in_text",
        ),
        # Marketing-related processing is never overridden either (item 7).
        (lambda p: Change("objection_overridden", p["profile"], reason="x"), "override_refused"),
        (lambda p: Change("consent_given", scope="direct_marketing"), "invalid_scope"),
        (
            lambda p: Change(
                "consent_given",
                p["newsletter"],
                channel="email",
                occurred_at=utcnow() + timedelta(days=1),
            ),
            "future_event",
        ),
    ],
)
def test_invalid_changes_are_refused_and_nothing_is_written(app, make, world, change, code):
    controller, purposes = world
    subject = make.subject(controller)
    db.session.commit()
    with pytest.raises(LedgerError) as error:
        ledger.record(
            subject,
            [Change("consent_given", purposes["newsletter"], channel="email"), change(purposes)],
            source="api",
            actor="test",
        )
    db.session.rollback()
    assert error.value.code == code
    assert db.session.scalar(select(Event.id).where(Event.subject_id == subject.id)) is None


def test_purpose_of_another_controller_is_refused(app, make, world):
    controller, purposes = world
    other = make.controller("other")
    foreign = make.purpose(other, "newsletter")
    subject = make.subject(controller)
    with pytest.raises(LedgerError) as error:
        make.record(subject, "consent_given", foreign)
    assert error.value.status == 404


def test_events_cannot_be_updated_or_deleted_through_the_orm(app, make, world):
    controller, purposes = world
    subject = make.subject(controller)
    make.record(subject, "consent_given", purposes["newsletter"])
    db.session.commit()
    event = ledger.events_of(subject)[0]
    event.kind = "consent_refused"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(ledger.events_of(subject)[0])
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_erased_subject_keeps_pseudonymous_ledger_and_accepts_no_more_events(app, make, world):
    from consent.core import subjects

    controller, purposes = world
    subject = make.subject(controller, email="erase.me@example.test")
    make.record(subject, "consent_given", purposes["newsletter"], channel="email")
    subjects.erase(subject, source="preference_page", actor="subject")
    db.session.commit()
    assert subject.email is None and subject.erased_at is not None
    assert [e.kind for e in ledger.events_of(subject)] == ["consent_given", "erasure_completed"]
    assert state_of(subject, purposes["invoices"]).reason == "erased"
    with pytest.raises(LedgerError):
        make.record(subject, "consent_given", purposes["newsletter"])
    again, created = subjects.upsert(controller, "Erase.Me@example.test")
    assert again is None and not created
    assert integrity.verify().ok


TAMPERABLE = {
    "kind": "'consent_refused'",
    "channel": "'phone'",
    "basis": "'contract'",
    "source": "'import'",
    "actor": "'someone else'",
    "locale": "'en'",
    "reason": "'edited'",
    "evidence": "'forged'",
    "notice_version": "7",
    "notice_hash": "'00'",
    "scope": "'other'",
    "receipt_id": "'00000000-0000-0000-0000-000000000000'",
    "prev_hash": "'ab'",
    "hash": "'cd'",
    "seq": "5",
    "occurred_at": "recorded_at",
    "recorded_at": "occurred_at",
    # Form 2 (chain.HASHED_FORMS): the first event below is stored under it.
    "mailbox_proof": "'confirmation'",
    "given_at": "'2020-01-01 00:00:00+00:00'",
    # Form 3: the existing-customer conditions of an assertion.
    "sale_reference": "'order 0'",
    "opt_out_offered_at": "'2020-01-01 00:00:00+00:00'",
}


@pytest.mark.parametrize("column", sorted(TAMPERABLE))
def test_editing_any_column_of_a_stored_event_breaks_verify(
    insider, app, make, world, runner, column
):
    controller, purposes = world
    subject = make.subject(controller)
    ledger.record(
        subject,
        [
            Change(
                "consent_given",
                purposes["newsletter"],
                channel="email",
                notice_version=1,
                notice_hash="aa",
                reason="r",
                evidence="e",
            )
        ],
        source="preference_page",
        actor="subject",
        locale="nl",
        backdate_window=REPLAY,
    )
    ledger.record(
        subject,
        [Change("consent_withdrawn", purposes["newsletter"])],
        source="one_click",
        actor="subject",
        locale="nl",
        backdate_window=REPLAY,
    )
    db.session.commit()
    assert runner.invoke(args=["consent", "verify"]).exit_code == 0
    first = ledger.events_of(subject)[0]
    value = TAMPERABLE[column]
    if column in ("occurred_at", "recorded_at"):
        value = "'2020-01-01 00:00:00+00:00'"
    db.session.execute(
        text(f"UPDATE events SET {column} = {value} WHERE id = :id"), {"id": first.id}
    )
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 1, result.output
    assert "BROKEN" in result.output


@pytest.mark.parametrize("version", sorted(chain.HASHED_FORMS))
def test_an_event_of_every_hashed_form_verifies_and_its_fields_are_covered(
    insider, app, make, world, runner, monkeypatch, version
):
    """Events keep the form they were hashed under: each verifies beside newer ones, and an
    edit of any field its own form covers breaks verify."""
    controller, purposes = world
    subject = make.subject(controller)
    monkeypatch.setattr(chain, "CURRENT_FORM", version)
    make.record(subject, "consent_given", purposes["newsletter"], channel="email")
    monkeypatch.undo()
    make.record(subject, "consent_withdrawn", purposes["newsletter"], channel="email")
    db.session.commit()
    old, new = ledger.events_of(subject)
    assert (old.hash_version, new.hash_version) == (version, chain.CURRENT_FORM)
    assert runner.invoke(args=["consent", "verify"]).exit_code == 0
    covered = set(chain.HASHED_FORMS[version]) - {"controller", "subject", "purpose"}
    assert covered <= set(TAMPERABLE) | {"id"}
    db.session.execute(text("UPDATE events SET evidence = 'forged' WHERE id = :id"), {"id": old.id})
    db.session.commit()
    db.session.expire_all()
    assert runner.invoke(args=["consent", "verify"]).exit_code == 1


def test_altered_state_row_breaks_verify(app, make, world, runner):
    controller, purposes = world
    subject = make.subject(controller)
    make.record(subject, "consent_withdrawn", purposes["newsletter"])
    db.session.commit()
    db.session.execute(
        text("UPDATE state SET reachable = :t WHERE subject_id = :s"), {"t": True, "s": subject.id}
    )
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["consent", "verify"])
    assert result.exit_code == 1 and "state" in result.output


KINDS = st.sampled_from(
    [
        ("consent_given", "newsletter", "email"),
        ("consent_given", "newsletter", "phone"),
        ("consent_refused", "newsletter", None),
        ("consent_withdrawn", "newsletter", "email"),
        ("consent_withdrawn", "newsletter", None),
        ("consent_confirmed", "newsletter", None),
        ("objection_recorded", "customer", None),
        ("basis_asserted", "customer", None),
        ("objection_recorded", "research", None),
        ("objection_overridden", "research", None),
        ("objection_recorded", "direct_marketing", None),
        ("basis_asserted", "invoices", None),
        ("basis_ended", "invoices", None),
        ("objection_withdrawn", "customer", None),
        ("objection_withdrawn", "direct_marketing", "email"),
        ("channel_disabled", None, "email"),
        ("channel_enabled", None, "email"),
        ("consent_given", "profile", None),
        ("objection_recorded", "profile", None),
        ("restriction_started", None, None),
        ("restriction_ended", None, None),
    ]
)
SOURCES = st.sampled_from(["preference_page", "widget", "api", "one_click"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(KINDS, SOURCES, st.integers(0, 900)), min_size=1, max_size=12))
def test_state_equals_rebuild_and_past_answers_equal_replay(app, make, world, steps):
    controller, purposes = world
    subject = make.subject(controller, email=f"p{utcnow().timestamp()}@example.test")
    start = utcnow() - timedelta(days=1000)
    for (kind, target, channel), source, day in sorted(steps, key=lambda s: s[2]):
        change = Change(kind, channel=channel, occurred_at=start + timedelta(days=day))
        if target == "direct_marketing":
            change.scope = target
        elif target:
            change.purpose = purposes[target]
        if kind == "basis_asserted":
            change.basis = purposes[target].basis
            change.evidence = change.sale_reference = "order 2024-1"
            change.opt_out_offered_at = change.occurred_at
        if kind == "objection_overridden":
            change.reason = "compelling grounds"
        try:
            ledger.record(subject, [change], source=source, actor="test", backdate_window=REPLAY)
            db.session.commit()
        except LedgerError:  # refused (an assertion over a standing no): nothing written
            db.session.rollback()
    events = rules.in_order(ledger.events_of(subject))
    assert integrity.check_state(subject, controller, events) == []
    for cut in range(len(events) + 1):
        at = events[cut - 1].occurred_at if cut else start - timedelta(days=1)
        upto = [e for e in events if e.occurred_at <= at]
        for purpose in purposes.values():
            for channel in purpose.channels or [None]:
                replay = rules.lapsed(rules.standing(purpose, channel, upto), at)
                assert rules.decide(purpose, channel, events, at) == replay
