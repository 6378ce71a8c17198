"""The rules table of test_rules.py, row by row, through the ledger on SQLite and PostgreSQL.

Each row's events are recorded through the doors' one way in (ledger.record), on purposes
made in the database with the same settings; the state row written in the same transaction
must give the row's answer. Where the ledger refuses an event (an assertion over a standing
no, one without the existing-customer conditions, another basis than the purpose's own),
nothing is written and the refusal names the same reason.
"""

from datetime import timedelta

import pytest

from consent.core import ledger
from consent.core.database import db
from consent.core.models import State
from consent.core.vocabulary import NO_CHANNEL
from tests.test_rules import CASES, T0


def _purpose(make, controller, made: dict, p):
    if p.id not in made:
        made[p.id] = make.purpose(
            controller,
            p.slug,
            basis=p.basis,
            category=p.category,
            channels=tuple(p.channels),
            consent_lifetime=p.consent_lifetime,
            double_opt_in=p.double_opt_in,
            marketing_related=p.marketing_related,
            similar_products=p.similar_products,
        )
    return made[p.id]


@pytest.mark.parametrize(
    "purpose, channel, steps, reachable, reason",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_reachability_rule_on_the_database(app, make, purpose, channel, steps, reachable, reason):
    controller = make.controller()
    made: dict = {}
    target = _purpose(make, controller, made, purpose)
    subject = make.subject(controller)
    db.session.commit()
    refused = []
    for seq, (kind, p, extra) in enumerate(steps, start=1):
        fields = dict(extra)
        source = fields.pop("source", "preference_page")
        proof = fields.pop("mailbox_proof", "mailed_link")
        if kind == "basis_asserted":  # the row's own conditions, none filled in for it
            fields = {"evidence": "order 1", "sale_reference": None, **fields}
        if kind == "objection_overridden":
            fields.setdefault("reason", "compelling grounds")
        try:
            make.record(
                subject,
                kind,
                _purpose(make, controller, made, p) if p else None,
                source=source,
                mailbox_proof=proof,
                occurred_at=T0 + timedelta(days=seq),
                **fields,
            )
            db.session.commit()
        except ledger.LedgerError as error:
            db.session.rollback()
            refused.append(error.code)
    db.session.expire_all()
    state = db.session.get(State, (subject.id, target.id, channel or NO_CHANNEL))
    if channel is not None and channel not in purpose.channels:
        assert state is None and reason == "channel_not_offered"  # no row for it at all
        return
    assert (state.reachable, state.reason) == (reachable, reason) or reason in refused
