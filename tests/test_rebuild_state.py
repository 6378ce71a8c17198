"""`consent rebuild-state`: a database whose state rows are missing or stale (made by an
older version, or touched by hand) gets them back from the ledger, which it only reads."""

from sqlalchemy import delete, func, select

from consent.core.database import db
from consent.core.models import Event, State
from tests.support.pages import world


def test_rebuild_state_restores_what_the_ledger_says(runner, make):
    c, s, p = world(make)
    make.record(s, "consent_given", p["newsletter"], channel="email", source="preference_page")
    db.session.commit()
    rows = db.session.scalar(select(func.count()).select_from(State))
    events = db.session.scalar(select(func.count()).select_from(Event))
    # As an older version left it: no row for the purpose without channels, one row stale.
    db.session.execute(delete(State).where(State.purpose_id == p["profile"].id))
    newsletter = db.session.scalars(select(State).where(State.purpose_id == p["newsletter"].id))
    for row in newsletter:
        row.reachable, row.reason = False, "never_asked"
    db.session.commit()
    broken = runner.invoke(args=["consent", "verify"])
    assert broken.exit_code == 1 and "BROKEN" in broken.output

    result = runner.invoke(args=["consent", "rebuild-state"])
    assert result.exit_code == 0, result.output
    assert "acme: state of 1 person rebuilt from the ledger" in result.output
    assert db.session.scalar(select(func.count()).select_from(State)) == rows
    assert db.session.scalar(select(func.count()).select_from(Event)) == events
    assert runner.invoke(args=["consent", "verify"]).exit_code == 0


def test_rebuild_state_names_an_unknown_controller(runner, make):
    world(make)
    result = runner.invoke(args=["consent", "rebuild-state", "--controller", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output
